"""Risk of long-term need, calibrated; time to self-sufficiency; each person's reasons.

A caseworker reads "risk 62 %" as a frequency, so the probability must be one: LightGBM's
scores are calibrated (isotonic, cross-validated) and the benchmark reports the calibration
error. Explanations come from a LightGBM fitted on all rows with the same settings (SHAP's
tree explainer needs one tree model), turned into sentences in plain Swedish.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from kraftsamling.cases._effect import design_matrix

__all__ = ["FEATURE_LABELS", "Factor", "RiskModel", "kaplan_meier_by_group",
           "time_to_exit_model"]

FEATURE_LABELS: dict[str, str] = {
    "age": "ålder", "prior_months": "månader med bistånd senaste året",
    "amount": "utbetalt belopp per månad", "sex": "kön", "district": "stadsdel",
    "household_type": "hushållstyp", "education": "utbildning", "main_reason": "huvudorsak",
    "month": "månader hittills i perioden", "previous_referrals": "tidigare anmälningar",
    "referral_type": "typ av ärende", "referral_reason": "orsak till anmälan",
    "single_parent": "ensamstående förälder", "age_band": "åldersgrupp",
    "birth_region": "födelseregion",
}


@dataclass
class Factor:
    """One reason behind one person's risk, in percentage points and in words."""

    feature: str
    value: str
    points: float  # approximate change of the risk, percentage points
    sentence: str


def _label(feature: str) -> tuple[str, str | None]:
    if "=" in feature:
        column, level = feature.split("=", 1)
        return FEATURE_LABELS.get(column, column), level
    return FEATURE_LABELS.get(feature, feature), None


def _sentence(feature: str, value: float, points: float) -> str:
    label, level = _label(feature)
    direction = "höjer" if points > 0 else "sänker"
    size = f"{abs(points):.0f} procentenheter" if abs(points) >= 1 else "under 1 procentenhet"
    if level is not None:
        state = f"{label.capitalize()} är {level}" if value >= 0.5 else \
            f"{label.capitalize()} är inte {level}"
    else:
        shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
        state = f"{label.capitalize()} ({shown})"
    return f"{state} — {direction} risken med ungefär {size}."


class RiskModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Calibrated LightGBM probability of the outcome (e.g. long-term assistance)."""

    def __init__(self, *, n_estimators: int = 300, learning_rate: float = 0.05,
                 num_leaves: int = 31, min_child_samples: int = 40,
                 calibration: str = "isotonic", cv: int = 3, n_jobs: int = 2,
                 random_state: int = 0) -> None:
        self.n_estimators = n_estimators  # LightGBM's boosting rounds
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves  # leaves per tree
        self.min_child_samples = min_child_samples  # rows a leaf needs: no leaf of a few cases
        self.calibration = calibration  # "isotonic" or "sigmoid" (Platt)
        self.cv = cv  # folds for the calibration
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _booster(self) -> Any:
        from lightgbm import LGBMClassifier

        return LGBMClassifier(n_estimators=self.n_estimators, learning_rate=self.learning_rate,
                              num_leaves=self.num_leaves,
                              min_child_samples=self.min_child_samples, subsample=0.8,
                              subsample_freq=1, random_state=self.random_state,
                              n_jobs=self.n_jobs, verbose=-1)

    def fit(self, X: pd.DataFrame, y: Any) -> RiskModel:
        from sklearn.calibration import CalibratedClassifierCV

        target = np.asarray(y, dtype=int)
        if len(np.unique(target)) != 2:
            raise ValueError("Utfallet måste ha både 0 och 1 för att en riskmodell ska "
                             "kunna tränas.")
        design = design_matrix(X)
        self.feature_names_in_ = np.array(list(X.columns), dtype=object)
        self.columns_ = list(design.columns)
        values = design.to_numpy(dtype=float)
        self.calibrated_ = CalibratedClassifierCV(self._booster(), method=self.calibration,
                                                  cv=self.cv).fit(values, target)
        self.explainer_model_ = self._booster().fit(values, target)
        self.classes_ = np.array([0, 1])
        self.base_rate_ = float(target.mean())
        return self

    def _values(self, X: pd.DataFrame) -> np.ndarray[Any, Any]:
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise ValueError("Kolumner saknas i data: " + ", ".join(map(str, missing)))
        design = design_matrix(X[list(self.feature_names_in_)])
        return design.reindex(columns=self.columns_, fill_value=0.0).to_numpy(dtype=float)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray[Any, Any]:
        return np.asarray(self.calibrated_.predict_proba(self._values(X)))

    def predict(self, X: pd.DataFrame) -> np.ndarray[Any, Any]:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def shap_values(self, X: pd.DataFrame) -> tuple[np.ndarray[Any, Any], float]:
        """SHAP contributions in log-odds per design column, and the expected log-odds."""
        return self._shap(self._values(X))

    def _shap(self, design: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], float]:
        import shap

        explainer = shap.TreeExplainer(self.explainer_model_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            values = explainer.shap_values(design)
        if isinstance(values, list):
            values = values[1]
        expected = explainer.expected_value
        if isinstance(expected, (list, np.ndarray)):
            expected = np.asarray(expected).ravel()[-1]
        return np.asarray(values, dtype=float), float(expected)

    def explain(self, X: pd.DataFrame, *, top: int = 3) -> list[list[Factor]]:
        """Each row's ``top`` strongest reasons, as sentences a caseworker can read."""
        design = self._values(X)
        contributions, expected = self._shap(design)
        answers: list[list[Factor]] = []
        for row, values in zip(contributions, design, strict=True):
            total = expected + row.sum()
            risk = 1 / (1 + math.exp(-total))
            order = np.argsort(-np.abs(row))[:top]
            factors = []
            for j in order:
                without = 1 / (1 + math.exp(-(total - row[j])))
                points = 100 * (risk - without)
                name = self.columns_[j]
                factors.append(Factor(feature=name, value=f"{values[j]:g}", points=points,
                                      sentence=_sentence(name, values[j], points)))
            answers.append(factors)
        return answers

    def global_importance(self, X: pd.DataFrame) -> pd.DataFrame:
        """Mean absolute SHAP value per original column (one-hot levels summed)."""
        contributions, _ = self.shap_values(X)
        per_column = pd.Series(np.abs(contributions).mean(0), index=self.columns_)
        grouped = per_column.groupby(lambda name: str(name).split("=", 1)[0]).sum()
        frame = grouped.sort_values(ascending=False).rename("betydelse").reset_index()
        frame.columns = pd.Index(["kolumn", "betydelse"])
        frame["etikett"] = [FEATURE_LABELS.get(c, c) for c in frame["kolumn"]]
        return frame


def time_to_exit_model(frame: pd.DataFrame, *, duration: str, event: str,
                       covariates: Sequence[str]) -> Any:
    """Cox model of time to self-sufficiency (lifelines), penalised a little for stability."""
    from lifelines import CoxPHFitter

    design = design_matrix(frame[list(covariates)])
    design[duration] = frame[duration].to_numpy(float)
    design[event] = frame[event].to_numpy(int)
    return CoxPHFitter(penalizer=0.01).fit(design, duration_col=duration, event_col=event)


def kaplan_meier_by_group(frame: pd.DataFrame, *, duration: str, event: str, group: str,
                          times: Sequence[float] = (3, 6, 9, 12, 18, 24)
                          ) -> Mapping[str, dict[float, float]]:
    """Share still on assistance at each of ``times``, by group (Kaplan–Meier)."""
    from lifelines import KaplanMeierFitter

    answer: dict[str, dict[float, float]] = {}
    for level, part in frame.groupby(group, observed=True):
        fitter = KaplanMeierFitter().fit(part[duration], part[event])
        answer[str(level)] = {t: float(fitter.predict(t)) for t in times}
    return answer
