"""Per-person effect candidates, scored on held-out folds and chosen (or stacked) by the data.

Every candidate is fitted ``K`` times, each time on all folds but one, and predicts the fold
it never saw. Those out-of-fold effects are scored by the R-loss of Nie & Wager (2021),

    R(τ) = mean[(ỹ − t̃ · τ(x))²],  ỹ = y − m(x),  t̃ = t − e(x),

with cross-fitted m(x) = E[y | x] and e(x) = P(t = 1 | x), and reported as EconML's
``RScorer`` reports it: 1 − R(τ) / R(constant effect). Higher is better; 0 is no better than
one effect for everyone. No true effect is ever read.

The choice is one of five rules, all applied to the same out-of-fold effects:

- ``"best"``: the best-scoring candidate alone.
- ``"smoothest"``: Breiman's one-standard-error rule — of the candidates whose R-loss is
  within one standard error of the best one's (the standard error of the paired per-row
  loss difference), the one whose effects vary least.
- ``"near-best"``: the plain mean of every candidate within one standard error of the best.
- ``"stack"``: a constant and non-negative weights on the candidates' effects that minimise
  the same R-loss (Nie & Wager §4).
- ``"bagged-best"``: each candidate weighted by its share of bootstrap resamples of the
  held-out rows in which its R-loss is the lowest (the best-score choice, bagged).

The default, ``"auto"``, is ``"smoothest"`` for a 0/1 outcome and ``"near-best"`` for a
continuous one (session 35; ``"best"`` before). The 0/1 rule was set on validation draws
(``benchmarks/cases_selection_validation.py``:
synthetic seeds 21–29 at 1,000 households and 21, 23 at 2,000 and 5,000, språkpraktik and
jobbtorg each against none; 18 draws, all with a 0/1 outcome), never on the benchmark's, by
the target's own criterion fixed before the draws were read — the number of draws within
5 % of the best candidate's √PEHE, then the worst ratio, the mean and the cost:
"smoothest" 18/18 (mean 1.002 ×, worst 1.018 ×; session 31), "best" 17/18 (1.016 ×, worst
1.22 ×), "near-best" 15/18 (1.012 ×, worst 1.23 ×), "bagged-best" 14/18 (1.004 ×, worst
1.14 ×), the stack 11/18 (1.024 ×). Choosing by the R-score averaged over three fold splits
did as well (18/18, worst 1.034 ×) at three times the cost, and was not adopted. At about
600 rows with a 0/1 outcome the held-out R-loss barely tells the causal forest from the
S-learner; the rule takes the steadier of the two. A continuous outcome (IHDP, LaLonde) was
not among those draws. Its own 14 draws (synthetic ``months_to_exit``, ``--outcome
months_to_exit``, seeds 21–29 at 1,000 households and 21, 23 at 2,000, both arms; draws,
eligible rules and criterion written down in session 32 before any was fitted; all 14 fitted
in session 35) gave within 5 % of the best candidate: "near-best" 11/14 (mean 1.046 ×, worst
1.516 ×), "smoothest" 11/14 (1.061 ×, worst 1.516 ×), "best" 9/14 (1.081 ×, worst 1.516 ×),
the stack 8/14; by that criterion "near-best" replaced "best".

In use, a person's effect is the mean of the ``K`` fold models' effects (each fitted on
``(K − 1)/K`` of the rows); its 95 % interval comes from how much the fold models
disagree (delete-a-group jackknife variance, ``(K − 1)/K · Σ_k (τ_k − τ̄)²``):
a measure of the estimator's variance, not of its bias.

Candidates: T-, S-, X- and DR-learners on LightGBM (categorical columns as categories, not as
codes), EconML's causal forest (the generalised random forest that is ``CausalForestDML``'s
final stage, on the same cross-fitted residuals), EconML's ``DRLearner`` (its own
cross-fitting, LightGBM final stage), and, for a continuous outcome and small data, the
Gaussian processes (:class:`GaussianProcessEffect`).

The nuisances the DR-, X-learner and the forest learn from are cross-fitted inside each
fold's training rows (two inner folds), so no candidate has seen, even through a nuisance,
the fold it is scored on. The nuisances of the R-loss itself are cross-fitted over the outer
folds. (Without the inner split, the X-learner scored best on held-out folds while its error
against the truth was not: the fold's own outcomes had leaked into its imputed effects.)
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize

from kraftsamling.cases._gaussian_process import GaussianProcessEffect

__all__ = ["CANDIDATES", "CandidateScore", "Nuisances", "bagged_best_weights",
           "fit_candidates", "near_best_weights", "r_score",
           "smoothest_within_se", "stack_weights"]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
Selection = Literal["auto", "stack", "best", "near-best", "bagged-best", "smoothest"]
SELECTIONS: tuple[str, ...] = ("auto", "best", "smoothest", "near-best", "stack",
                               "bagged-best")

# name → Swedish label (the CLI, the model card and the result object show these).
CANDIDATES: dict[str, str] = {
    "t-learner": "T-learner (LightGBM)",
    "s-learner": "S-learner (LightGBM)",
    "x-learner": "X-learner (LightGBM)",
    "dr-learner": "DR-learner (LightGBM)",
    "causal-forest": "kausal skog (EconML, CausalForestDML:s slutsteg)",
    "econml-dr": "DRLearner (EconML)",
    "gaussian-process": "gaussiska processer",
}


@dataclass
class CandidateScore:
    """One candidate's held-out R-score (as EconML's ``RScorer``) and its weight in the choice."""

    name: str
    label: str
    r_score: float
    weight: float
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "r_score": round(self.r_score, 6),
                "weight": round(self.weight, 6), "seconds": round(self.seconds, 2)}


@dataclass
class Nuisances:
    """Cross-fitted nuisances over ``folds`` (each row predicted by models that never saw it)."""

    m0: FloatArray
    m1: FloatArray
    m: FloatArray
    e: FloatArray
    folds: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]
    arm_models: list[tuple[Any, Any]]   # per fold: (control model, treated model)
    propensity_models: list[Any]        # per fold: fitted on the one-hot design


def _gbm(binary: bool, n: int, *, leaves: int = 15, trees: int = 200, **extra: Any) -> Any:
    from lightgbm import LGBMClassifier, LGBMRegressor

    params: dict[str, Any] = {"n_estimators": trees, "learning_rate": 0.05,
                              "num_leaves": leaves,
                              "min_child_samples": max(10, min(50, n // 100)),
                              "subsample": 0.8, "subsample_freq": 1, "random_state": 0,
                              "verbose": -1, "n_jobs": 1, **extra}
    return LGBMClassifier(**params) if binary else LGBMRegressor(**params)


def _predict(model: Any, x: Any, binary: bool) -> FloatArray:
    if binary:
        return np.asarray(model.predict_proba(x)[:, 1], dtype=float)
    return np.asarray(model.predict(x), dtype=float)


def r_score(y_res: FloatArray, t_res: FloatArray, tau: FloatArray) -> float:
    """1 − R-loss(τ) / R-loss(best constant effect): EconML ``RScorer``'s figure."""
    constant = float(np.sum(y_res * t_res) / np.sum(t_res ** 2))
    base = float(np.mean((y_res - t_res * constant) ** 2))
    return 1.0 - float(np.mean((y_res - t_res * tau) ** 2)) / base


def stack_weights(y_res: FloatArray, t_res: FloatArray, taus: FloatArray
                  ) -> tuple[float, FloatArray]:
    """A constant and non-negative weights on the candidates' effects (columns) that
    together minimise the R-loss: τ(x) = c + Σ_j w_j τ_j(x) (Nie & Wager's stacking)."""
    design = t_res[:, None] * np.column_stack([np.ones(len(t_res)), taus])
    lower = np.r_[-np.inf, np.zeros(taus.shape[1])]
    solution = optimize.lsq_linear(design, y_res, bounds=(lower, np.full(len(lower), np.inf)))
    constant, weights = float(solution.x[0]), np.asarray(solution.x[1:], dtype=float)
    if not np.any(weights > 0):
        weights = np.zeros(taus.shape[1])
        weights[int(np.argmax([r_score(y_res, t_res, c) for c in taus.T]))] = 1.0
        constant = 0.0
    return constant, weights


def near_best_weights(y_res: FloatArray, t_res: FloatArray, taus: FloatArray, *,
                      n_se: float = 1.0) -> FloatArray:
    """Equal weights on every candidate (column) whose held-out R-loss is within ``n_se``
    standard errors of the best one's, zero on the rest (a one-standard-error rule).

    The standard error is that of the paired per-row loss difference to the best candidate,
    so candidates the held-out rows cannot tell apart are averaged instead of one being
    picked by noise; a candidate clearly worse than the best is left out.
    """
    losses = (y_res[:, None] - t_res[:, None] * taus) ** 2
    best = int(np.argmin(losses.mean(axis=0)))
    difference = losses - losses[:, [best]]
    se = difference.std(axis=0, ddof=1) / np.sqrt(len(y_res))
    keep = difference.mean(axis=0) <= n_se * se
    keep[best] = True
    return np.asarray(keep / keep.sum(), dtype=float)


def smoothest_within_se(losses: FloatArray, taus: FloatArray) -> int:
    """The candidate (column) whose effects vary least among those whose mean per-row
    held-out loss (``losses``, rows × candidates) is within one standard error of the
    lowest: Breiman's one-standard-error rule, favouring the smoother candidate. The
    standard error is that of the paired per-row difference to the best candidate."""
    best = int(np.argmin(losses.mean(axis=0)))
    difference = losses - losses[:, [best]]
    se = difference.std(axis=0, ddof=1) / np.sqrt(len(losses))
    keep = difference.mean(axis=0) <= se
    keep[best] = True
    spread = taus.var(axis=0)
    return int(np.flatnonzero(keep)[np.argmin(spread[keep])])


def bagged_best_weights(y_res: FloatArray, t_res: FloatArray, taus: FloatArray, *,
                        n_boot: int = 200, random_state: int = 0) -> FloatArray:
    """Each candidate's (column's) share of bootstrap resamples of the held-out rows in
    which its R-loss is the lowest: the best-score choice, bagged (Breiman 1996; bootstrap
    model weights as in Buckland, Burnham & Augustin 1997).

    Where the rows cannot tell two candidates apart each wins about half the resamples and
    they are averaged; a candidate that never wins gets no weight.
    """
    losses = (y_res[:, None] - t_res[:, None] * taus) ** 2
    n = len(y_res)
    rng = np.random.default_rng(random_state)
    wins = np.zeros(taus.shape[1])
    for start in range(0, n_boot, 50):
        draws = rng.multinomial(n, np.full(n, 1.0 / n), size=min(50, n_boot - start))
        np.add.at(wins, np.argmin(draws @ losses, axis=1), 1.0)
    return np.asarray(wins / wins.sum(), dtype=float)


class _Candidate:
    """One per-person learner: ``fit_fold`` on the training rows, ``effect`` for any rows."""

    name = ""
    models: dict[int, Any]

    def __init__(self, context: _Context) -> None:
        self.c = context
        self.models = {}  # the fitted model(s) of each fold

    def fit_fold(self, k: int, train: np.ndarray[Any, Any]) -> None:  # pragma: no cover
        raise NotImplementedError

    def effect(self, k: int, native: pd.DataFrame, onehot: FloatArray) -> FloatArray:
        raise NotImplementedError  # pragma: no cover


class _Context:
    """What every candidate reads: the data in both forms and the cross-fitted nuisances."""

    def __init__(self, native: pd.DataFrame, onehot: FloatArray, t: np.ndarray[Any, Any],
                 y: FloatArray, binary: bool, nuisances: Nuisances, random_state: int,
                 n_trees: int) -> None:
        self.native, self.onehot, self.t, self.y = native, onehot, t, y
        self.binary, self.nuisances = binary, nuisances
        self.random_state, self.n_trees = random_state, n_trees
        self._inner: dict[int, dict[str, FloatArray]] = {}

    def inner(self, k: int, train: np.ndarray[Any, Any]) -> dict[str, FloatArray]:
        """Nuisances for fold ``k``'s training rows, cross-fitted inside those rows only
        (two folds), so that the candidate never learns from the fold it is scored on."""
        if k in self._inner:
            return self._inner[k]
        from sklearn.model_selection import StratifiedKFold

        from kraftsamling.cases._effect import _propensity_model

        t, y = self.t[train], self.y[train]
        native, onehot = self.native.iloc[train], self.onehot[train]
        answer = {key: np.zeros(len(train)) for key in ("m0", "m1", "m", "e")}
        splitter = StratifiedKFold(2, shuffle=True, random_state=self.random_state + k)
        for fit, predict in splitter.split(onehot, t):
            for arm in (0, 1):
                rows = fit[t[fit] == arm]
                model = _gbm(self.binary, len(rows)).fit(native.iloc[rows], y[rows])
                answer[f"m{arm}"][predict] = _predict(model, native.iloc[predict], self.binary)
            model = _gbm(self.binary, len(fit)).fit(native.iloc[fit], y[fit])
            answer["m"][predict] = _predict(model, native.iloc[predict], self.binary)
            propensity = _propensity_model().fit(onehot[fit], t[fit])
            answer["e"][predict] = propensity.predict_proba(onehot[predict])[:, 1]
        answer["e"] = np.clip(answer["e"], 0.01, 0.99)
        e = answer["e"]
        answer["pseudo"] = (answer["m1"] - answer["m0"] + t * (y - answer["m1"]) / e
                            - (1 - t) * (y - answer["m0"]) / (1 - e))
        self._inner[k] = answer
        return answer


class _TLearner(_Candidate):
    name = "t-learner"

    def fit_fold(self, k: int, train: np.ndarray[Any, Any]) -> None:
        return  # the arm models are the nuisances'

    def effect(self, k: int, native: pd.DataFrame, onehot: FloatArray) -> FloatArray:
        control, treated = self.c.nuisances.arm_models[k]
        return _predict(treated, native, self.c.binary) - _predict(control, native,
                                                                   self.c.binary)


class _SLearner(_Candidate):
    name = "s-learner"

    def fit_fold(self, k: int, train: np.ndarray[Any, Any]) -> None:
        x = self.c.native.iloc[train].assign(__t=self.c.t[train])
        self.models[k] = _gbm(self.c.binary, len(train), trees=300).fit(x, self.c.y[train])

    def effect(self, k: int, native: pd.DataFrame, onehot: FloatArray) -> FloatArray:
        model = self.models[k]
        return (_predict(model, native.assign(__t=1), self.c.binary)
                - _predict(model, native.assign(__t=0), self.c.binary))


class _XLearner(_Candidate):
    name = "x-learner"

    models: dict[int, tuple[Any, Any]]

    def fit_fold(self, k: int, train: np.ndarray[Any, Any]) -> None:
        c = self.c
        inner = c.inner(k, train)
        arm = c.t[train]
        treated, control = train[arm == 1], train[arm == 0]
        g1 = _gbm(False, len(treated)).fit(c.native.iloc[treated],
                                           c.y[treated] - inner["m0"][arm == 1])
        g0 = _gbm(False, len(control)).fit(c.native.iloc[control],
                                           inner["m1"][arm == 0] - c.y[control])
        self.models[k] = (g0, g1)

    def effect(self, k: int, native: pd.DataFrame, onehot: FloatArray) -> FloatArray:
        g0, g1 = self.models[k]
        e = np.clip(self.c.nuisances.propensity_models[k].predict_proba(onehot)[:, 1],
                    0.01, 0.99)
        return np.asarray(e * g0.predict(native) + (1 - e) * g1.predict(native), dtype=float)


class _DRLearner(_Candidate):
    name = "dr-learner"

    def fit_fold(self, k: int, train: np.ndarray[Any, Any]) -> None:
        # The pseudo-outcome is noisy: larger leaves and fewer trees than the nuisances.
        model = _gbm(False, len(train), leaves=7, trees=150,
                     min_child_samples=max(20, min(100, len(train) // 50)), reg_lambda=5.0)
        self.models[k] = model.fit(self.c.native.iloc[train],
                                   self.c.inner(k, train)["pseudo"])

    def effect(self, k: int, native: pd.DataFrame, onehot: FloatArray) -> FloatArray:
        return np.asarray(self.models[k].predict(native), dtype=float)


class _CausalForest(_Candidate):
    name = "causal-forest"

    def fit_fold(self, k: int, train: np.ndarray[Any, Any]) -> None:
        from econml.grf import CausalForest

        inner = self.c.inner(k, train)
        # Covariates tried per split as the grf package's default (Athey, Tibshirani &
        # Wager 2019): min(⌈√p + 20⌉, p) — every column up to 25, a third of 100 columns.
        columns = self.c.onehot.shape[1]
        forest = CausalForest(n_estimators=max(4, self.c.n_trees // 4 * 4),
                              min_samples_leaf=max(5, len(train) // 200), max_samples=0.45,
                              max_features=min(int(np.ceil(np.sqrt(columns) + 20)), columns),
                              honest=True, inference=False, random_state=self.c.random_state,
                              n_jobs=1)
        t_res = self.c.t[train] - inner["e"]
        y_res = self.c.y[train] - inner["m"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.models[k] = forest.fit(self.c.onehot[train], t_res, y_res)

    def effect(self, k: int, native: pd.DataFrame, onehot: FloatArray) -> FloatArray:
        return np.asarray(self.models[k].predict(onehot), dtype=float).ravel()


class _EconmlDR(_Candidate):
    name = "econml-dr"

    def fit_fold(self, k: int, train: np.ndarray[Any, Any]) -> None:
        from econml.dr import DRLearner
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        n = len(train)
        learner = DRLearner(
            model_propensity=make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
            model_regression=_gbm(self.c.binary, n),
            model_final=_gbm(False, n, leaves=7, trees=150,
                             min_child_samples=max(20, min(100, n // 50)), reg_lambda=5.0),
            discrete_outcome=self.c.binary, cv=2, min_propensity=0.01,
            random_state=self.c.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.models[k] = learner.fit(self.c.y[train], self.c.t[train],
                                         X=self.c.onehot[train])

    def effect(self, k: int, native: pd.DataFrame, onehot: FloatArray) -> FloatArray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(self.models[k].effect(onehot), dtype=float).ravel()


class _Gaussian(_Candidate):
    name = "gaussian-process"

    models: dict[int, GaussianProcessEffect]

    def fit_fold(self, k: int, train: np.ndarray[Any, Any]) -> None:
        self.models[k] = GaussianProcessEffect(random_state=self.c.random_state).fit(
            self.c.onehot[train], self.c.t[train], self.c.y[train])

    def effect(self, k: int, native: pd.DataFrame, onehot: FloatArray) -> FloatArray:
        return self.models[k].effect(onehot)[0]


_CLASSES: dict[str, type[Any]] = {
    "t-learner": _TLearner, "s-learner": _SLearner, "x-learner": _XLearner,
    "dr-learner": _DRLearner, "causal-forest": _CausalForest, "econml-dr": _EconmlDR,
    "gaussian-process": _Gaussian,
}


class FittedCandidates:
    """The fitted fold models of every candidate, their held-out scores and the choice."""

    def __init__(self, candidates: dict[str, _Candidate], n_folds: int,
                 scores: list[CandidateScore], out_of_fold: dict[str, FloatArray],
                 selection: Selection, constant: float = 0.0, stack_score: float = 0.0
                 ) -> None:
        self.candidates = candidates
        self.n_folds = n_folds
        self.scores = scores
        self.out_of_fold = out_of_fold
        self.selection = selection
        self.weights = {s.name: s.weight for s in scores if s.weight > 0}
        self.constant = constant
        self.stack_score = stack_score
        self.stacked_out_of_fold: FloatArray = np.zeros(0)
        # Out-of-fold effects under each selection rule, whichever one is used.
        self.rule_out_of_fold: dict[str, FloatArray] = {}
        self.residuals: tuple[FloatArray, FloatArray] = (np.zeros(0), np.zeros(0))
        self.stack: dict[str, float] = {}
        # The candidates whose fold models are kept (all, unless pruned).
        self.kept = set(candidates)

    @property
    def chosen(self) -> str:
        if len(self.weights) == 1 and self.selection != "stack":
            return next(iter(self.weights))
        return self.selection

    @property
    def chosen_label(self) -> str:
        if self.chosen == "near-best":
            return ("medelvärde av kandidaterna inom ett standardfel från bästa R-förlust: "
                    + ", ".join(CANDIDATES[name] for name in self.weights))
        if self.chosen == "bagged-best":
            parts = sorted(self.weights.items(), key=lambda item: -item[1])
            return ("bästa R-förlust, bootstrapat (andel av omdragningarna där kandidaten är "
                    "bäst): " + ", ".join(f"{CANDIDATES[name]} {weight:.2f}"
                                          for name, weight in parts))
        if self.chosen != "stack":
            if self.selection == "smoothest":
                return (f"{CANDIDATES[self.chosen]} (den jämnaste av kandidaterna inom ett "
                        "standardfel från bästa R-förlust)")
            return CANDIDATES[self.chosen]
        parts = sorted(self.weights.items(), key=lambda item: -item[1])
        return (f"viktad stapling (R-förlust): konstant {self.constant:+.3g}, " + ", ".join(
            f"{CANDIDATES[name]} {weight:.2f}" for name, weight in parts))

    def prune(self) -> None:
        """Drop the fitted fold models of every candidate outside the choice, and the
        nuisances only fitting needed; the scores and out-of-fold effects stay. A stored
        model then holds what it predicts with (a causal forest unused is 5 × 400 trees)."""
        for name, candidate in self.candidates.items():
            if name not in self.weights:
                candidate.models = {}
        context = next(iter(self.candidates.values())).c
        context._inner.clear()
        if "t-learner" not in self.weights:
            context.nuisances.arm_models = []
        if "x-learner" not in self.weights:
            context.nuisances.propensity_models = []
        self.kept = set(self.weights)

    def chosen_out_of_fold(self) -> FloatArray:
        return np.asarray(self.constant + sum(w * self.out_of_fold[name]
                                              for name, w in self.weights.items()), dtype=float)

    def fold_effects(self, native: pd.DataFrame, onehot: FloatArray,
                     names: list[str] | None = None) -> FloatArray:
        """Folds × rows: the chosen combination's effect from each fold's models."""
        weights = self.weights if names is None else {n: 1.0 for n in names}
        per_fold = np.full((self.n_folds, len(native)), self.constant if names is None else 0.0)
        for name, weight in weights.items():
            for k in range(self.n_folds):
                per_fold[k] += weight * self.candidates[name].effect(k, native, onehot)
        return per_fold

    def effect(self, native: pd.DataFrame, onehot: FloatArray, names: list[str] | None = None
               ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Mean of the fold models' effects, with a 95 % jackknife interval."""
        per_fold = self.fold_effects(native, onehot, names)
        point = per_fold.mean(axis=0)
        k = self.n_folds
        se = np.sqrt((k - 1) / k * np.sum((per_fold - point) ** 2, axis=0))
        return point, point - 1.959964 * se, point + 1.959964 * se


def fit_candidates(native: pd.DataFrame, onehot: FloatArray, t: np.ndarray[Any, Any],
                   y: FloatArray, binary: bool, nuisances: Nuisances, names: list[str], *,
                   selection: Selection = "stack", random_state: int = 0, n_trees: int = 400
                   ) -> FittedCandidates:
    """Fit every named candidate on each fold's training rows; score and choose."""
    context = _Context(native, onehot, t, y, binary, nuisances, random_state, n_trees)
    fitted: dict[str, _Candidate] = {}
    out_of_fold: dict[str, FloatArray] = {}
    seconds: dict[str, float] = {}
    for name in names:
        started = time.perf_counter()
        candidate = _CLASSES[name](context)
        oof = np.zeros(len(y))
        for k, (train, test) in enumerate(nuisances.folds):
            candidate.fit_fold(k, train)
            oof[test] = candidate.effect(k, native.iloc[test], onehot[test])
        fitted[name], out_of_fold[name] = candidate, oof
        seconds[name] = time.perf_counter() - started
    y_res, t_res = y - nuisances.m, t - nuisances.e
    if len(names) == 1:
        selection = "best"
    taus = np.column_stack([out_of_fold[name] for name in names])
    # Both choices are computed; ``selection`` says which one is used.
    stack_constant, stack = stack_weights(y_res, t_res, taus)
    single = np.zeros(len(names))
    single[int(np.argmax([r_score(y_res, t_res, c) for c in taus.T]))] = 1.0
    near = near_best_weights(y_res, t_res, taus)
    bagged = bagged_best_weights(y_res, t_res, taus, random_state=random_state)
    smooth = np.zeros(len(names))
    smooth[smoothest_within_se((y_res[:, None] - t_res[:, None] * taus) ** 2, taus)] = 1.0
    constant, weights = {"stack": (stack_constant, stack), "near-best": (0.0, near),
                         "bagged-best": (0.0, bagged),
                         "smoothest": (0.0, smooth)}.get(selection, (0.0, single))
    scores = [CandidateScore(name=name, label=CANDIDATES[name],
                             r_score=r_score(y_res, t_res, out_of_fold[name]),
                             weight=float(weight), seconds=seconds[name])
              for name, weight in zip(names, weights, strict=True)]
    stacked = stack_constant + taus @ stack
    answer = FittedCandidates(fitted, len(nuisances.folds), scores, out_of_fold, selection,
                              constant=constant, stack_score=r_score(y_res, t_res, stacked))
    answer.stacked_out_of_fold = stacked
    answer.residuals = (y_res, t_res)
    answer.rule_out_of_fold = {"best": taus @ single, "stack": stacked, "near-best": taus @ near,
                               "bagged-best": taus @ bagged, "smoothest": taus @ smooth}
    answer.stack = {"constant": stack_constant,
                    **{name: float(w) for name, w in zip(names, stack, strict=True)}}
    return answer

