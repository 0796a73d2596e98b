"""The whole case workflow on one table: train, predict, recommend, allocate, audit.

One row per person (or household) with covariates, the intervention current practice gave
(``ingen`` for none) and the outcome, which is something to avoid (long-term assistance,
re-referral): an intervention's benefit is the fall in the outcome's probability.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kraftsamling._metrics import calibration_error
from kraftsamling.cases._allocate import (
    Allocation,
    allocate,
    allocate_by_risk,
    allocate_random,
    plan_value,
)
from kraftsamling.cases._effect import EffectEstimator, OverlapError
from kraftsamling.cases._fairness import FairnessAudit, FeatureRegister, ProxyFlag, fairness_audit
from kraftsamling.cases._risk import RiskModel
from kraftsamling.cases._schemas import CASE_SCHEMAS, intervention_code
from kraftsamling.modelstore import ModelStore
from kraftsamling.settings import Settings
from kraftsamling.tabular import ValidationFailed, read_table

__all__ = ["KINDS", "CaseModels", "allocation_plan", "calibration_error", "case_model_path",
           "case_models", "effect_matrix", "predict_cases", "read_case_table",
           "train_case_models"]

Progress = Callable[[str], None]

KINDS: dict[str, dict[str, Any]] = {
    "economic-assistance": {
        "id": "household_id", "outcome": "long_term", "control": "ingen",
        "audit": ["sex", "age_band", "birth_region", "district"],
        "drop": ["months_to_exit", "exited", "month", "exit_next", "age_band"],
    },
    "social-services": {
        "id": "person_id", "outcome": "rereferral_12m", "control": "ingen",
        "audit": ["sex", "age_band", "birth_region", "district"],
        "drop": ["intervention_start", "intervention_end", "referral_date",
                 "assessment_opened", "age_band"],
    },
}


_CASE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")


def case_model_path(data_dir: Path, kind: str) -> Path:
    """Where the organisation's trained models for one kind of data live."""
    store = case_models(kind)
    return data_dir / "models" / f"{store.name}{store.suffix}"


def _typed(column: pd.Series) -> pd.Series:
    """A column of text back to numbers when every filled cell is one; empty cells missing."""
    values = column.replace("", np.nan)
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers if numbers.notna().sum() == values.notna().sum() else values


def read_case_table(path: Path, *, content: bytes | None = None,
                    kind: str | None = None) -> pd.DataFrame:
    """Read CSV, TSV or XLSX through the shared tabular reader (encoding and delimiter
    detection, header checks, Swedish errors), then give numeric columns their numbers.

    With ``kind``, headers are read as that kind's schema declares them (Swedish or
    English, case and accents ignored: ``Hushållstyp`` is ``household_type``) and the
    interventions as the models name them (``Språkpraktik`` is ``sprakpraktik``); other
    columns keep their headers. ``content`` lets the web app pass uploaded bytes with the
    original file name."""
    suffix = path.suffix.lower()
    if suffix not in _CASE_SUFFIXES:
        raise ValueError(f"Okänt filformat {suffix or '(inget)'}: använd .csv, .tsv eller .xlsx.")
    table = read_table(path, content=content)
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"Okänd sorts data {kind!r}: välj " + " eller ".join(KINDS) + ".")
        table, problems = CASE_SCHEMAS[kind].match(table, keep_extra=True)
        if problems:
            raise ValidationFailed(problems, filename=path.name)
    frame = table.frame.apply(_typed)
    if kind is not None and "intervention" in frame.columns:
        frame["intervention"] = frame["intervention"].map(
            lambda v: intervention_code(v) if isinstance(v, str) else v)
    return frame


@dataclass
class CaseModels:
    """Everything trained for one kind of data, with what the model card reports."""

    kind: str
    id_column: str
    outcome: str
    control: str
    features: list[str]
    interventions: list[str]
    risk: RiskModel
    effects: dict[str, EffectEstimator]
    refused: dict[str, str]
    metrics: dict[str, float]
    audit: FairnessAudit
    proxies: list[ProxyFlag]
    importance: pd.DataFrame
    n_train: int
    trained_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    synthetic: bool = False  # trained on generated data (the demo): say so wherever shown

    def save(self, path: Path) -> Path:
        """Write atomically (a page loading the models never reads half a file)."""
        return case_models(self.kind).write(self, path)

    @staticmethod
    def load(path: Path) -> CaseModels:
        """Read and check (cached by path, modification time and size)."""
        if not path.exists():
            raise ValueError(f"Ingen tränad modell i {path}: kör `kraftsamling cases train` "
                             "först.")
        return case_models(None).read(path)


def _check_models(models: CaseModels, path: Path) -> None:
    if any(not hasattr(e, "design_") for e in models.effects.values()):
        raise ValueError(f"{path} tränades med en äldre version av verktyget; träna om "
                         "med `kraftsamling cases train`.")


def case_models(kind: str | None, *, train_demo: Callable[[Settings], CaseModels] | None = None,
                fingerprint: Callable[[Settings], str] | None = None
                ) -> ModelStore[CaseModels]:
    """The model lifecycle of one kind of data (``None``: any kind, to read a file): the
    organisation's models in ``<data_dir>/models/cases-<kind>.joblib``; the demo's, when
    ``train_demo`` and ``fingerprint`` say how, trained once and cached."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"Okänd sorts data {kind!r}: välj " + " eller ".join(KINDS) + ".")
    return ModelStore(name=f"cases-{kind}" if kind else "cases", kind=CaseModels,
                      check=_check_models, train_demo=train_demo, fingerprint=fingerprint,
                      missing="Ingen tränad modell: kör `kraftsamling cases train "
                              f"--kind {kind or 'economic-assistance'}` först.",
                      training_note="Tränar ärendemodellerna på syntetiska hushåll (en gång)…")


def _check_columns(frame: pd.DataFrame, needed: Sequence[str]) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError("Kolumner saknas: " + ", ".join(missing) + ". Finns: "
                         + ", ".join(map(str, frame.columns)))


def train_case_models(frame: pd.DataFrame, *, kind: str,
                      register: FeatureRegister | None = None, test_size: float = 0.25,
                      n_boot: int = 200, seed: int = 0,
                      progress: Progress | None = None) -> CaseModels:
    """Risk model, one effect model per intervention, audit and proxies, on ``frame``.

    A quarter of the rows (by a fixed seed) is held out for the card's performance and
    fairness figures; the effect models use every row.
    """
    if kind not in KINDS:
        raise ValueError(f"Okänd sorts data {kind!r}: välj " + " eller ".join(KINDS))
    spec = KINDS[kind]
    register = register or FeatureRegister.from_toml()
    _check_columns(frame, [spec["id"], spec["outcome"], "intervention"])
    note = progress or (lambda _: None)
    candidates = [c for c in frame.columns if c not in
                  {spec["id"], spec["outcome"], "intervention", *spec["drop"]}]
    features = register.allowed(candidates)
    register.check(features)
    y = frame[spec["outcome"]].astype(int).to_numpy()
    rng = np.random.default_rng(seed)
    test = rng.random(len(frame)) < test_size
    note(f"Riskmodell på {int((~test).sum())} rader …")
    risk = RiskModel().fit(frame.loc[~test, features], y[~test])
    p = risk.predict_proba(frame.loc[test, features])[:, 1]
    from sklearn.metrics import brier_score_loss, roc_auc_score

    metrics = {"auc": float(roc_auc_score(y[test], p)),
               "brier": float(brier_score_loss(y[test], p)),
               "calibration_error": calibration_error(y[test], p),
               "base_rate": float(y.mean()), "n_test": float(test.sum())}
    audit_columns = [c for c in spec["audit"] if c in frame.columns]
    audit = fairness_audit(y[test], p, frame.loc[test, audit_columns].reset_index(drop=True),
                           register=register, n_boot=n_boot, seed=seed)
    proxies = register.proxies(frame, features)
    importance = risk.global_importance(frame.loc[test, features].head(2000))
    x = frame[features].reset_index(drop=True)
    effects: dict[str, EffectEstimator] = {}
    refused: dict[str, str] = {}
    treatments = sorted(set(frame["intervention"].astype(str)) - {spec["control"]})
    for name in treatments:
        rows = frame["intervention"].astype(str).isin([spec["control"], name]).to_numpy()
        note(f"Effekt av {name} …")
        try:
            # Stored and loaded by every command: only the chosen candidates' models.
            effects[name] = EffectEstimator(random_state=seed, keep_candidates=False).fit(
                x[rows], (frame.loc[rows, "intervention"].astype(str) == name).astype(int),
                y[rows])
        except OverlapError as error:
            refused[name] = str(error)
    return CaseModels(kind=kind, id_column=spec["id"], outcome=spec["outcome"],
                      control=spec["control"], features=features, interventions=treatments,
                      risk=risk, effects=effects, refused=refused, metrics=metrics,
                      audit=audit, proxies=proxies, importance=importance,
                      n_train=len(frame))


def effect_matrix(models: CaseModels, frame: pd.DataFrame
                  ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Benefit (fall in the outcome's probability) per person and intervention, with CIs."""
    _check_columns(frame, models.features)
    x = frame[models.features]
    names = list(models.effects)
    benefit = np.zeros((len(frame), len(names)))
    low = np.zeros_like(benefit)
    high = np.zeros_like(benefit)
    for j, name in enumerate(names):
        point, lo, hi = models.effects[name].effect(x)
        benefit[:, j], low[:, j], high[:, j] = -point, -hi, -lo
    return benefit, low, high


def predict_cases(models: CaseModels, frame: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """Risk, reasons and the recommended intervention (with its interval) per row."""
    _check_columns(frame, [models.id_column, *models.features])
    risk = models.risk.predict_proba(frame[models.features])[:, 1]
    factors = models.risk.explain(frame[models.features], top=top)
    answer = pd.DataFrame({models.id_column: frame[models.id_column].to_numpy(),
                           "risk": np.round(risk, 4)})
    answer["reasons"] = [" ".join(f.sentence for f in row) for row in factors]
    names = list(models.effects)
    if names:
        benefit, low, high = effect_matrix(models, frame)
        best = benefit.argmax(1)
        rows = np.arange(len(frame))
        useful = benefit[rows, best] > 0
        answer["recommended"] = np.where(useful, np.array(names)[best], "ingen")
        answer["benefit"] = np.round(np.where(useful, benefit[rows, best], 0.0), 4)
        answer["benefit_low"] = np.round(np.where(useful, low[rows, best], 0.0), 4)
        answer["benefit_high"] = np.round(np.where(useful, high[rows, best], 0.0), 4)
        for j, name in enumerate(names):
            answer[f"benefit_{name}"] = np.round(benefit[:, j], 4)
    return answer


def allocation_plan(models: CaseModels, frame: pd.DataFrame, capacity: Mapping[str, int], *,
                    cost: Mapping[str, float] | None = None, budget: float | None = None,
                    fair_by: str | None = None, min_ratio: float | None = None,
                    benefit: np.ndarray[Any, Any] | None = None,
                    estimated: np.ndarray[Any, Any] | None = None
                    ) -> tuple[pd.DataFrame, dict[str, Allocation]]:
    """The optimal plan and, for comparison, current practice, random and risk-first.

    ``benefit`` overrides the matrix the plans are scored by (the benchmark passes the
    truth); ``estimated`` is ``effect_matrix``'s benefit when the caller already has it.
    Returns the plan per person and the four allocations.
    """
    _check_columns(frame, [models.id_column, *models.features])
    names = list(models.effects)
    if not names:
        raise ValueError("Ingen insats har en skattad effekt; ingen fördelning är möjlig.")
    unknown = sorted(set(capacity) - set(names))
    if unknown:
        raise ValueError("Okända insatser: " + ", ".join(unknown) + ". Modellen känner: "
                         + ", ".join(names))
    if estimated is None:
        estimated, _, _ = effect_matrix(models, frame)
    groups = None
    if fair_by is not None:
        _check_columns(frame, [fair_by])
        groups = frame[fair_by].astype(str).tolist()
    plan = allocate(estimated, names, capacity, cost=cost, budget=budget, groups=groups,
                    min_ratio=min_ratio)
    risk = models.risk.predict_proba(frame[models.features])[:, 1]
    score = estimated if benefit is None else benefit
    current_index = {name: j for j, name in enumerate(names)}
    current = np.array([current_index.get(str(v), -1) for v in frame["intervention"]]) \
        if "intervention" in frame.columns else np.full(len(frame), -1)
    left = dict(capacity)
    for i, j in enumerate(current):  # current practice, cut to the same places
        if j >= 0:
            if left.get(names[j], len(frame)) > 0:
                left[names[j]] = left.get(names[j], len(frame)) - 1
            else:
                current[i] = -1
    plans = {
        "optimal": plan,
        "current": Allocation(current.astype(np.int64), tuple(names), 0.0, "current"),
        "random": allocate_random(len(frame), names, capacity, score),
        "risk_first": allocate_by_risk(risk, estimated, names, capacity),
    }
    compared = {key: Allocation(p.assigned, p.interventions, plan_value(p.assigned, score),
                                p.status) for key, p in plans.items()}
    table = pd.DataFrame({models.id_column: frame[models.id_column].to_numpy(),
                          "risk": np.round(risk, 4), "assigned": plan.names(),
                          "expected_benefit": np.round(
                              [estimated[i, k] if k >= 0 else 0.0
                               for i, k in enumerate(plan.assigned)], 4)})
    return table, compared
