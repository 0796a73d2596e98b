"""What works for whom: average and conditional effects of an intervention, doubly robust.

The average effect is the cross-fitted AIPW (augmented inverse-propensity weighting)
estimate: an outcome model and a propensity model, each fitted on other folds than the rows
it predicts, so that either may be wrong without biasing the result much, with a 95 % CI from
the influence function. Conditional effects (one per person) come, with their own intervals,
from EconML's causal forest on the same rows — or, for a continuous outcome and at most
``gp_max_rows`` rows, from Gaussian processes (:class:`GaussianProcessEffect`), which
extrapolate where trees cannot and won on the IHDP-style validation replications.

Before any of that, :func:`check_overlap` asks whether treated and untreated people are
comparable at all. Where they are not (propensity near 0 or 1), an effect there would be a
guess from the model's shape, not from data; those rows are left out and counted, and if too
few remain the estimate is refused with the reason.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kraftsamling.cases._gaussian_process import GaussianProcessEffect

__all__ = [
    "EffectEstimate",
    "EffectEstimator",
    "OverlapError",
    "OverlapReport",
    "check_overlap",
    "design_matrix",
]

Estimand = Literal["ate", "att"]
CateMethod = Literal["auto", "forest", "gaussian-process"]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]


class OverlapError(ValueError):
    """The groups do not overlap enough for an honest estimate; the message says why."""


@dataclass
class OverlapReport:
    """Where treated and untreated people are comparable, by the estimated propensity."""

    propensity: FloatArray
    kept: np.ndarray[Any, np.dtype[np.bool_]]
    bounds: tuple[float, float]
    treated_kept: int
    control_kept: int
    treated_dropped: int
    control_dropped: int
    standardized_differences: dict[str, float] = field(default_factory=dict)

    @property
    def kept_share(self) -> float:
        return float(self.kept.mean()) if len(self.kept) else 0.0


@dataclass
class EffectEstimate:
    """An average effect with its 95 % CI and, per row, conditional effects."""

    ate: float
    ci_low: float
    ci_high: float
    n: int
    method: str
    estimand: str
    overlap: OverlapReport
    cate: FloatArray
    cate_low: FloatArray
    cate_high: FloatArray

    def summary(self) -> dict[str, Any]:
        return {"ate": round(self.ate, 6), "ci_low": round(self.ci_low, 6),
                "ci_high": round(self.ci_high, 6), "n": self.n, "method": self.method}


def design_matrix(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Numbers as they are, categories one-hot (first level dropped), missing as a flag."""
    data = frame if columns is None else frame[columns]
    parts: list[pd.DataFrame] = []
    for name in data.columns:
        column = data[name]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            values = pd.to_numeric(column, errors="coerce").astype(float)
            part = pd.DataFrame({name: values.fillna(values.median() if values.notna().any()
                                                     else 0.0)})
            if values.isna().any():
                part[f"{name}=saknas"] = values.isna().astype(float)
            parts.append(part)
        elif pd.api.types.is_datetime64_any_dtype(column):
            continue
        else:
            dummies = pd.get_dummies(column.astype("string").fillna("saknas"), prefix=name,
                                     prefix_sep="=", drop_first=True, dtype=float)
            parts.append(dummies)
    if not parts:
        raise ValueError("Inga användbara kovariater: ange minst en kolumn med tal eller "
                         "kategorier.")
    return pd.concat(parts, axis=1)


def _propensity_model() -> Any:
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))


def _outcome_model(binary: bool, n: int) -> Any:
    from lightgbm import LGBMClassifier, LGBMRegressor

    params: dict[str, Any] = {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15,
                              "min_child_samples": max(10, min(50, n // 100)),
                              "subsample": 0.8, "subsample_freq": 1, "random_state": 0,
                              "verbose": -1, "n_jobs": 2}
    return LGBMClassifier(**params) if binary else LGBMRegressor(**params)


def _predict(model: Any, x: FloatArray, binary: bool) -> FloatArray:
    if binary:
        return np.asarray(model.predict_proba(x)[:, 1], dtype=float)
    return np.asarray(model.predict(x), dtype=float)


def check_overlap(x: pd.DataFrame, treatment: np.ndarray[Any, Any], *,
                  estimand: Estimand = "ate", bound: float = 0.01, min_kept: float = 0.5,
                  min_group: int = 20, n_folds: int = 5, random_state: int = 0
                  ) -> OverlapReport:
    """Estimate propensities (cross-fitted) and mark the rows inside common support.

    For the average effect on everyone (``ate``) rows with a propensity below ``bound`` or
    above ``1 - bound`` are left out; for the effect on the treated (``att``) only rows whose
    propensity is above ``1 - bound`` (treated people no untreated person resembles).
    Raises :class:`OverlapError` if fewer than ``min_kept`` of the rows, or fewer than
    ``min_group`` in either group, remain.
    """
    t = np.asarray(treatment, dtype=int)
    values = x.to_numpy(dtype=float)
    counts = np.bincount(t, minlength=2)
    if counts.min() < min_group:
        raise OverlapError(f"För få i en grupp: {counts[1]} med insatsen och {counts[0]} utan; "
                           f"minst {min_group} i varje grupp behövs för en skattning.")
    folds = min(n_folds, int(counts.min()))
    propensity = np.zeros(len(t))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(values, t):
        model = _propensity_model().fit(values[train], t[train])
        propensity[test] = model.predict_proba(values[test])[:, 1]
    low, high = (bound, 1 - bound)
    kept = propensity <= high if estimand == "att" else (propensity >= low) & (propensity <= high)
    differences = {}
    for column in x.columns:
        a, b = x[column].to_numpy(float)[t == 1], x[column].to_numpy(float)[t == 0]
        spread = np.sqrt((a.var() + b.var()) / 2)
        differences[str(column)] = float((a.mean() - b.mean()) / spread) if spread > 0 else 0.0
    report = OverlapReport(
        propensity=propensity, kept=kept, bounds=(low, high),
        treated_kept=int((kept & (t == 1)).sum()), control_kept=int((kept & (t == 0)).sum()),
        treated_dropped=int((~kept & (t == 1)).sum()),
        control_dropped=int((~kept & (t == 0)).sum()), standardized_differences=differences)
    if report.kept_share < min_kept or min(report.treated_kept, report.control_kept) < min_group:
        worst = sorted(differences.items(), key=lambda item: -abs(item[1]))[:3]
        named = ", ".join(f"{name} ({value:+.2f})" for name, value in worst)
        raise OverlapError(
            "Grupperna överlappar inte: bara "
            f"{report.kept_share:.0%} av raderna har en sannolikhet för insatsen mellan "
            f"{low:.2f} och {high:.2f} ({report.treated_kept} med insatsen, "
            f"{report.control_kept} utan). De som fick insatsen skiljer sig för mycket från "
            f"dem som inte fick den — störst skillnad (standardiserad): {named}. En skattning "
            "här vore en gissning från modellens form, inte från data.")
    return report


class EffectEstimator(BaseEstimator):  # type: ignore[misc]
    """Doubly robust effect of a binary treatment, average and per person.

    ``fit(x, treatment, outcome)`` checks overlap, then computes cross-fitted AIPW scores
    (``estimand="ate"``: everyone in common support; ``"att"``: those treated) and a model
    of per-person effects (``cate=False`` skips it). ``cate_method="auto"`` uses Gaussian
    processes for a continuous outcome with at most ``gp_max_rows`` rows in common support,
    and a causal forest otherwise; ``"forest"`` or ``"gaussian-process"`` forces one.
    """

    def __init__(self, *, estimand: Estimand = "ate", n_folds: int = 5,
                 overlap_bound: float = 0.01, min_kept: float = 0.5, cate: bool = True,
                 cate_method: CateMethod = "auto", gp_max_rows: int = 1000,
                 n_trees: int = 400, random_state: int = 0) -> None:
        self.estimand = estimand
        self.n_folds = n_folds
        self.overlap_bound = overlap_bound
        self.min_kept = min_kept
        self.cate = cate
        self.cate_method = cate_method
        self.gp_max_rows = gp_max_rows
        self.n_trees = n_trees
        self.random_state = random_state

    def fit(self, x: pd.DataFrame, treatment: Any, outcome: Any) -> EffectEstimator:
        if self.estimand not in ("ate", "att"):
            raise ValueError("estimand måste vara 'ate' eller 'att'.")
        if self.cate_method not in ("auto", "forest", "gaussian-process"):
            raise ValueError("cate_method måste vara 'auto', 'forest' eller "
                             "'gaussian-process'.")
        t = np.asarray(treatment, dtype=int)
        y = np.asarray(outcome, dtype=float)
        if len(t) != len(x) or len(y) != len(x):
            raise ValueError("Kovariater, insats och utfall måste ha lika många rader.")
        if not set(np.unique(t)) <= {0, 1}:
            raise ValueError("Insatsen måste vara 0/1 (fick insatsen eller inte).")
        if np.isnan(y).any():
            raise ValueError("Utfallet saknas på några rader; ta bort dem eller fyll i.")
        overlap = check_overlap(x, t, estimand=self.estimand, bound=self.overlap_bound,
                                min_kept=self.min_kept, n_folds=self.n_folds,
                                random_state=self.random_state)
        kept = overlap.kept
        values = x.to_numpy(dtype=float)[kept]
        t_k, y_k = t[kept], y[kept]
        binary = bool(set(np.unique(y_k)) <= {0.0, 1.0})
        e = np.clip(overlap.propensity[kept], self.overlap_bound, 1 - self.overlap_bound)
        m0, m1 = np.zeros(len(y_k)), np.zeros(len(y_k))
        splitter = StratifiedKFold(self.n_folds, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(values, t_k):
            for arm, target in ((0, m0), (1, m1)):
                rows = train[t_k[train] == arm]
                model = _outcome_model(binary, len(rows)).fit(values[rows], y_k[rows])
                target[test] = _predict(model, values[test], binary)
        if self.estimand == "att":
            share = t_k.mean()
            weight = e / (1 - e)
            tau = float(np.sum(t_k * (y_k - m0) - (1 - t_k) * weight * (y_k - m0))
                        / t_k.sum())
            scores = (t_k * (y_k - m0 - tau) - (1 - t_k) * weight * (y_k - m0)) / share
        else:
            psi = m1 - m0 + t_k * (y_k - m1) / e - (1 - t_k) * (y_k - m0) / (1 - e)
            tau = float(psi.mean())
            scores = psi - tau
        se = float(np.sqrt(np.mean(scores ** 2) / len(y_k)))
        z = float(stats.norm.ppf(0.975))
        self.overlap_ = overlap
        self.n_ = int(kept.sum())
        self.effect_ = tau
        self.ci_ = (tau - z * se, tau + z * se)
        self.se_ = se
        self.columns_ = list(x.columns)
        self.method_ = f"AIPW (dubbelt robust, {self.n_folds}-faldig korsanpassning), " + (
            "effekt på de behandlade" if self.estimand == "att" else "genomsnittlig effekt")
        self.cate_model_: Any = None
        self.cate_method_: str | None = None
        if self.cate:
            # Validated on continuous outcomes (IHDP); a 0/1 outcome keeps the forest, whose
            # nuisance models are classifiers that stay inside [0, 1].
            small = len(y_k) <= self.gp_max_rows and not binary
            if self.cate_method == "gaussian-process" or (self.cate_method == "auto" and small):
                self.cate_method_ = "gaussian-process"
                self.cate_model_ = GaussianProcessEffect(random_state=self.random_state).fit(
                    values, t_k, y_k)
            else:
                self.cate_method_ = "forest"
                self.cate_model_ = self._causal_forest(values, t_k, y_k)
        return self

    def _causal_forest(self, values: FloatArray, t: np.ndarray[Any, Any],
                       y: FloatArray) -> Any:
        from econml.dml import CausalForestDML
        from lightgbm import LGBMClassifier, LGBMRegressor

        n = len(y)
        leaf = max(10, min(50, n // 100))
        forest = CausalForestDML(
            model_y=LGBMRegressor(n_estimators=200, learning_rate=0.05, num_leaves=15,
                                  min_child_samples=leaf, verbose=-1, random_state=0,
                                  n_jobs=2),
            model_t=LGBMClassifier(n_estimators=200, learning_rate=0.05, num_leaves=15,
                                   min_child_samples=leaf, verbose=-1, random_state=0,
                                   n_jobs=2),
            discrete_treatment=True, cv=self.n_folds, n_estimators=self.n_trees,
            min_samples_leaf=max(5, n // 200), random_state=self.random_state, n_jobs=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forest.fit(y, t, X=values)
        return forest

    def effect(self, x: pd.DataFrame) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per-row effect with its 95 % interval (Gaussian processes or causal forest)."""
        if self.cate_model_ is None:
            raise ValueError("Modellen tränades utan effekter per person (cate=False).")
        values = x.reindex(columns=self.columns_, fill_value=0.0).to_numpy(dtype=float)
        if isinstance(self.cate_model_, GaussianProcessEffect):
            point, low, high = self.cate_model_.effect(values)
            return point, low, high
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            point = np.asarray(self.cate_model_.effect(values), dtype=float).ravel()
            low, high = self.cate_model_.effect_interval(values, alpha=0.05)
        return point, np.asarray(low, float).ravel(), np.asarray(high, float).ravel()

    def estimate(self, x: pd.DataFrame) -> EffectEstimate:
        """The fitted average with per-row effects for ``x`` (NaN where outside overlap)."""
        n = len(x)
        cate = np.full(n, np.nan)
        low = np.full(n, np.nan)
        high = np.full(n, np.nan)
        if self.cate_model_ is not None:
            cate, low, high = self.effect(x)
            if n == len(self.overlap_.kept):
                outside = ~self.overlap_.kept
                cate[outside] = low[outside] = high[outside] = np.nan
        return EffectEstimate(ate=self.effect_, ci_low=self.ci_[0], ci_high=self.ci_[1],
                              n=self.n_, method=self.method_, estimand=self.estimand,
                              overlap=self.overlap_, cate=cate, cate_low=low, cate_high=high)
