"""What works for whom: average and conditional effects of an intervention, doubly robust.

The average effect is the cross-fitted AIPW (augmented inverse-propensity weighting)
estimate: an outcome model and a propensity model, each fitted on other folds than the rows
it predicts, so that either may be wrong without biasing the result much, with a 95 % CI from
the influence function. The split into folds is itself random, so the estimate is repeated
over ``n_repeats`` splits and the interval widened by how much the splits disagree
(Chernozhukov et al. 2018: the median estimate, and the median over splits of the variance
plus the squared distance to that median).

Conditional effects (one per person) are chosen by the data, not by the row count: every
candidate in :mod:`kraftsamling.cases._learners` (T-, S-, X-, DR-learners on LightGBM,
EconML's causal forest and ``DRLearner``, Gaussian processes for a continuous outcome and at
most ``gp_max_rows`` rows) is scored on held-out folds by the R-loss, and the per-person
effect is the best-scoring one's (or their stack by that loss). The choice and every
candidate's score are kept with the estimate.

Covariates may be numbers or categories (strings such as ``A``, ``B``, ``C``). The LightGBM
learners read categories as categories (no order between the codes); the models that need
numbers (the logistic propensity, the forests, the Gaussian processes) read them one-hot. A
covariate with one value, or missing on every row, says nothing and is left out with a note.

Before any of that, :func:`check_overlap` asks whether treated and untreated people are
comparable at all. Where they are not (propensity near 0 or 1), an effect there would be a
guess from the model's shape, not from data; those rows are left out and counted, and if too
few remain the estimate is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kraftsamling.cases._learners import (
    CANDIDATES,
    SELECTIONS,
    CandidateScore,
    FittedCandidates,
    Nuisances,
    Selection,
    fit_candidates,
)

__all__ = [
    "EffectEstimate",
    "EffectEstimator",
    "OverlapError",
    "OverlapReport",
    "check_overlap",
    "design_matrix",
    "effect_covariates",
]

Estimand = Literal["ate", "att"]
CateMethod = Literal["auto", "forest", "t-learner", "s-learner", "x-learner", "dr-learner",
                     "causal-forest", "econml-dr", "gaussian-process"]
CATE_METHODS: tuple[str, ...] = ("auto", "forest", *CANDIDATES)
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
    cate_method: str | None = None
    candidates: list[CandidateScore] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "ate": round(self.ate, 6), "ci_low": round(self.ci_low, 6),
            "ci_high": round(self.ci_high, 6), "n": self.n, "method": self.method}
        if self.cate_method is not None:
            answer["cate_method"] = self.cate_method
            answer["candidates"] = [c.as_dict() for c in self.candidates]
        if self.notes:
            answer["notes"] = self.notes
        return answer


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


def effect_covariates(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Covariates as the effect models read them, and a Swedish note per column left out.

    Numbers (and 0/1 columns) become floats, missing kept as NaN; text becomes a category;
    dates, columns with a single value and columns missing on every row are left out.
    """
    kept: dict[str, pd.Series] = {}
    notes: list[str] = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            notes.append(f"Kolumnen {name!r} är ett datum och lämnades utanför.")
            continue
        if column.isna().all():
            notes.append(f"Kolumnen {name!r} saknar värden på alla rader och lämnades utanför.")
            continue
        if column.nunique(dropna=True) < 2 and not column.isna().any():
            notes.append(f"Kolumnen {name!r} har samma värde på alla rader och lämnades "
                         "utanför.")
            continue
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            kept[str(name)] = pd.to_numeric(column, errors="coerce").astype(float)
        else:
            kept[str(name)] = column.astype("string").astype("category")
    if not kept:
        raise ValueError("Inga användbara kovariater: ange minst en kolumn med tal eller "
                         "kategorier som varierar mellan raderna.")
    return pd.DataFrame(kept, index=frame.index), notes


class _Design:
    """The covariates' two forms, learned once: native (for LightGBM) and one-hot numbers."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = list(frame.columns)
        self.categories = {name: list(frame[name].cat.categories) for name in self.columns
                           if isinstance(frame[name].dtype, pd.CategoricalDtype)}
        self.medians = {name: float(frame[name].median()) if frame[name].notna().any() else 0.0
                        for name in self.columns if name not in self.categories}
        self.flagged = [name for name in self.medians if frame[name].isna().any()]

    def native(self, frame: pd.DataFrame) -> pd.DataFrame:
        parts: dict[str, Any] = {}
        for i, name in enumerate(self.columns):
            column = frame[name] if name in frame.columns else pd.Series(np.nan,
                                                                           index=frame.index)
            if name in self.categories:
                parts[f"c{i}"] = pd.Categorical(column.astype("string"),
                                                categories=self.categories[name])
            else:
                parts[f"c{i}"] = pd.to_numeric(column, errors="coerce").astype(float)
        return pd.DataFrame(parts, index=frame.index)

    def onehot(self, frame: pd.DataFrame) -> pd.DataFrame:
        parts: dict[str, Any] = {}
        for name in self.columns:
            column = frame[name] if name in frame.columns else pd.Series(np.nan,
                                                                           index=frame.index)
            if name in self.categories:
                text = column.astype("string")
                for level in self.categories[name][1:]:
                    parts[f"{name}={level}"] = (text == level).fillna(False).to_numpy(float)
                if column.isna().any() or name in self.flagged:
                    parts[f"{name}=saknas"] = column.isna().to_numpy(float)
            else:
                values = pd.to_numeric(column, errors="coerce").astype(float)
                parts[name] = values.fillna(self.medians[name]).to_numpy(float)
                if name in self.flagged:
                    parts[f"{name}=saknas"] = values.isna().to_numpy(float)
        return pd.DataFrame(parts, index=frame.index)


def _arm_nuisances(native: pd.DataFrame, onehot: FloatArray, t: np.ndarray[Any, Any],
                   y: FloatArray, e: FloatArray, binary: bool, n_folds: int, seed: int
                   ) -> Nuisances:
    """One random fold split with each arm's outcome model cross-fitted over it."""
    folds = list(StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(onehot, t))
    m0, m1 = np.zeros(len(y)), np.zeros(len(y))
    arm_models = []
    for train, test in folds:
        pair = []
        for arm, target in ((0, m0), (1, m1)):
            rows = train[t[train] == arm]
            model = _outcome_model(binary, len(rows)).fit(native.iloc[rows], y[rows])
            target[test] = _predict(model, native.iloc[test], binary)
            pair.append(model)
        arm_models.append((pair[0], pair[1]))
    return Nuisances(m0=m0, m1=m1, m=np.zeros(len(y)), e=e.copy(), folds=folds,
                     arm_models=arm_models, propensity_models=[])


def _propensity_model() -> Any:
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))


def _outcome_model(binary: bool, n: int) -> Any:
    from lightgbm import LGBMClassifier, LGBMRegressor

    params: dict[str, Any] = {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15,
                              "min_child_samples": max(10, min(50, n // 100)),
                              "subsample": 0.8, "subsample_freq": 1, "random_state": 0,
                              "verbose": -1, "n_jobs": 1}
    return LGBMClassifier(**params) if binary else LGBMRegressor(**params)


def _predict(model: Any, x: Any, binary: bool) -> FloatArray:
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
    (``estimand="ate"``: everyone in common support; ``"att"``: those treated) over
    ``n_repeats`` random splits, and a model of per-person effects (``cate=False`` skips
    it). ``x`` may hold numbers and categories (text); see :func:`effect_covariates`.

    ``cate_method="auto"`` fits every candidate that applies (the Gaussian processes only for
    a continuous outcome with at most ``gp_max_rows`` rows), scores each on held-out folds by
    the R-loss and combines them as ``selection`` says: ``"auto"`` (the default:
    ``"smoothest"`` for a 0/1 outcome, ``"near-best"`` for a continuous one), ``"best"`` (the
    single best score), ``"smoothest"`` (of the candidates whose held-out R-loss is within
    one standard error of the best one's, the one whose effects vary least),
    ``"near-best"`` (the mean of those candidates), ``"stack"`` (weights by the R-loss) or
    ``"bagged-best"`` (each candidate's share of bootstrap resamples it wins). A
    candidate's name (``"t-learner"``, ``"causal-forest"``, ``"gaussian-process"``, …;
    ``"forest"`` is ``"causal-forest"``) fits that one only. ``candidates_`` holds each
    candidate's score and weight.

    ``keep_candidates=False`` keeps only the chosen candidates' fold models after
    fitting (every score and out-of-fold effect stays): what a stored model needs.
    """

    def __init__(self, *, estimand: Estimand = "ate", n_folds: int = 5, n_repeats: int = 3,
                 overlap_bound: float = 0.01, min_kept: float = 0.5, cate: bool = True,
                 cate_method: CateMethod = "auto", selection: Selection = "auto",
                 gp_max_rows: int = 1000, n_trees: int = 400, keep_candidates: bool = True,
                 random_state: int = 0) -> None:
        self.estimand = estimand
        self.n_folds = n_folds
        self.n_repeats = n_repeats
        self.overlap_bound = overlap_bound
        self.min_kept = min_kept
        self.cate = cate
        self.cate_method = cate_method
        self.selection = selection
        self.gp_max_rows = gp_max_rows
        self.n_trees = n_trees
        self.keep_candidates = keep_candidates
        self.random_state = random_state

    def _candidate_names(self, n: int, binary: bool) -> list[str]:
        if self.cate_method == "forest":
            return ["causal-forest"]
        if self.cate_method != "auto":
            return [self.cate_method]
        names = [name for name in CANDIDATES if name != "gaussian-process"]
        if not binary and n <= self.gp_max_rows:
            names.append("gaussian-process")
        return names

    def fit(self, x: pd.DataFrame, treatment: Any, outcome: Any) -> EffectEstimator:
        if self.estimand not in ("ate", "att"):
            raise ValueError("estimand måste vara 'ate' eller 'att'.")
        if self.cate_method not in CATE_METHODS:
            raise ValueError("cate_method måste vara en av: " + ", ".join(CATE_METHODS) + ".")
        if self.selection not in SELECTIONS:
            raise ValueError("selection måste vara en av: " + ", ".join(SELECTIONS) + ".")
        if self.n_repeats < 1 or self.n_folds < 2:
            raise ValueError("n_repeats måste vara minst 1 och n_folds minst 2.")
        t = np.asarray(treatment, dtype=int)
        y = np.asarray(outcome, dtype=float)
        if len(t) != len(x) or len(y) != len(x):
            raise ValueError("Kovariater, insats och utfall måste ha lika många rader.")
        if not set(np.unique(t)) <= {0, 1}:
            raise ValueError("Insatsen måste vara 0/1 (fick insatsen eller inte).")
        if np.isnan(y).any():
            raise ValueError("Utfallet saknas på några rader; ta bort dem eller fyll i.")
        covariates, self.notes_ = effect_covariates(pd.DataFrame(x).reset_index(drop=True))
        self.design_ = _Design(covariates)
        onehot_frame = self.design_.onehot(covariates)
        overlap = check_overlap(onehot_frame, t, estimand=self.estimand,
                                bound=self.overlap_bound, min_kept=self.min_kept,
                                n_folds=self.n_folds, random_state=self.random_state)
        kept = overlap.kept
        native = self.design_.native(covariates).iloc[np.flatnonzero(kept)]
        native = native.reset_index(drop=True)
        onehot = onehot_frame.to_numpy(dtype=float)[kept]
        t_k, y_k = t[kept], y[kept]
        binary = bool(set(np.unique(y_k)) <= {0.0, 1.0})
        e = np.clip(overlap.propensity[kept], self.overlap_bound, 1 - self.overlap_bound)
        estimates, variances = [], []
        first: Nuisances | None = None
        for repeat in range(self.n_repeats):
            split = _arm_nuisances(native, onehot, t_k, y_k, e, binary, self.n_folds,
                                   self.random_state + repeat)
            tau, scores = _aipw(self.estimand, t_k, y_k, e, split.m0, split.m1)
            estimates.append(tau)
            variances.append(float(np.mean(scores ** 2) / len(y_k)))
            first = split if first is None else first
        tau = float(np.median(estimates))
        # Variance over the random split as well as within it (Chernozhukov et al. 2018).
        se = float(np.sqrt(np.median(np.asarray(variances)
                                     + (np.asarray(estimates) - tau) ** 2)))
        z = float(stats.norm.ppf(0.975))
        self.overlap_ = overlap
        self.n_ = int(kept.sum())
        self.effect_ = tau
        self.ci_ = (tau - z * se, tau + z * se)
        self.se_ = se
        self.split_estimates_ = [float(v) for v in estimates]
        self.split_variances_ = [float(v) for v in variances]
        self.columns_ = list(covariates.columns)
        self.method_ = f"AIPW (dubbelt robust, {self.n_folds}-faldig korsanpassning" + (
            f" × {self.n_repeats} slumpade delningar), " if self.n_repeats > 1 else "), ") + (
            "effekt på de behandlade" if self.estimand == "att" else "genomsnittlig effekt")
        self.cate_model_: FittedCandidates | None = None
        self.cate_method_: str | None = None
        self.candidates_: list[CandidateScore] = []
        if self.cate:
            assert first is not None
            self._fit_cate(native, onehot, t_k, y_k, binary, first)
        return self

    def _fit_cate(self, native: pd.DataFrame, onehot: FloatArray, t: np.ndarray[Any, Any],
                  y: FloatArray, binary: bool, nuisances: Nuisances) -> None:
        # E[y | x] and one propensity model per fold, for the R-loss and the X-learner.
        floor = max(self.overlap_bound, 0.01)
        nuisances.e = np.clip(nuisances.e, floor, 1 - floor)
        m = np.zeros(len(y))
        for train, test in nuisances.folds:
            model = _outcome_model(binary, len(train)).fit(native.iloc[train], y[train])
            m[test] = _predict(model, native.iloc[test], binary)
            nuisances.propensity_models.append(_propensity_model().fit(onehot[train],
                                                                       t[train]))
        nuisances.m = m
        names = self._candidate_names(len(y), binary)
        # "auto": the one-standard-error rule for a 0/1 outcome, the mean of the candidates
        # within one standard error otherwise (validated; see kraftsamling.cases._learners).
        selection = (("smoothest" if binary else "near-best") if self.selection == "auto"
                     else self.selection)
        fitted = fit_candidates(native, onehot, t, y, binary, nuisances, names,
                                selection=cast(Selection, selection),
                                random_state=self.random_state, n_trees=self.n_trees)
        if not self.keep_candidates:
            fitted.prune()
        self.cate_model_ = fitted
        self.cate_method_ = fitted.chosen
        self.cate_label_ = fitted.chosen_label
        self.candidates_ = fitted.scores
        self.cate_out_of_fold_ = fitted.chosen_out_of_fold()

    def _forms(self, x: pd.DataFrame) -> tuple[pd.DataFrame, FloatArray]:
        frame = pd.DataFrame(x).reset_index(drop=True)
        native = self.design_.native(frame)
        onehot = self.design_.onehot(frame).to_numpy(dtype=float)
        return native, onehot

    def effect(self, x: pd.DataFrame, *, candidate: str | None = None
               ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per-row effect with its 95 % interval, from the chosen combination (or one
        fitted ``candidate``): the mean of the fold models, the interval from their spread."""
        if self.cate_model_ is None:
            raise ValueError("Modellen tränades utan effekter per person (cate=False).")
        if candidate is not None and candidate not in self.cate_model_.candidates:
            raise ValueError(f"Kandidaten {candidate!r} tränades inte; tränade: "
                             + ", ".join(self.cate_model_.candidates) + ".")
        if candidate is not None and candidate not in getattr(self.cate_model_, "kept",
                                                              self.cate_model_.candidates):
            raise ValueError(f"Kandidaten {candidate!r} tränades men sparades inte "
                             "(keep_candidates=False); sparade: "
                             + ", ".join(sorted(self.cate_model_.weights)) + ".")
        native, onehot = self._forms(x)
        return self.cate_model_.effect(native, onehot,
                                       None if candidate is None else [candidate])

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
                              overlap=self.overlap_, cate=cate, cate_low=low, cate_high=high,
                              cate_method=getattr(self, "cate_label_", None)
                              if self.cate_model_ is not None else None,
                              candidates=list(self.candidates_), notes=list(self.notes_))


def _aipw(estimand: str, t: np.ndarray[Any, Any], y: FloatArray, e: FloatArray,
          m0: FloatArray, m1: FloatArray) -> tuple[float, FloatArray]:
    """The AIPW estimate and its centred influence-function scores."""
    if estimand == "att":
        share = t.mean()
        weight = e / (1 - e)
        tau = float(np.sum(t * (y - m0) - (1 - t) * weight * (y - m0)) / t.sum())
        return tau, (t * (y - m0 - tau) - (1 - t) * weight * (y - m0)) / share
    psi = m1 - m0 + t * (y - m1) / e - (1 - t) * (y - m0) / (1 - e)
    tau = float(psi.mean())
    return tau, psi - tau
