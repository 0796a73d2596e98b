"""Does a simulated term look like a real one? Goodness of fit and prediction on real waves.

The protocol is the honest one: the term model is fitted on the earlier transitions of a
class (every one of them jointly, RSiena's multi-period estimation, or only *t − 1 → t*),
then terms are simulated from wave *t* and compared with the wave *t + 1* it never saw.

Goodness of fit follows RSiena's ``sienaGOF`` (Lospinoso & Snijders 2019): for each
auxiliary statistic (the in- and out-degree distributions, cumulative for 0 … 8; the triad
census; reciprocity; transitivity; a behaviour's distribution) the observed vector is
compared with the simulated ones by the Mahalanobis distance to the simulated mean, with a
generalised inverse of the simulated covariance; the p-value is the share of simulated
terms at least as far from the mean as the observed wave.

Prediction: each friendship tie at *t + 1* (the share of simulated terms that have it)
against carrying the tie forward and against a dyadic logistic regression trained on
the same transitions as the model; each pupil's isolation at *t + 1* (no reciprocated
friend) against carrying it forward.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from kraftsamling.twin._fit import (
    TermFit,
    Transition,
    class_transitions,
    fit_term,
    simulate_ends,
)
from kraftsamling.twin._survey import Wave

__all__ = ["GOF_STATISTICS", "TRIAD_TYPES", "GofStatistic", "TwinEvaluation",
           "auxiliary_statistics", "dyad_table", "evaluate_classes", "evaluate_twin",
           "goodness_of_fit", "mahalanobis_p", "pooled_summary", "score_term",
           "triad_census"]

Matrix = np.ndarray[Any, Any]
CHUNK = 50  # simulated terms at a time (memory and cache: fastest on this machine)
DEGREE_LEVELS = 9  # 0 … 8, as sienaGOF's degree distributions
GOF_STATISTICS = {
    "indegree": "antal som nämner eleven (fördelning)",
    "outdegree": "antal vänner eleven nämner (fördelning)",
    "triad_census": "tripletter (triadcensus)",
    "reciprocity": "andel ömsesidiga vänskaper",
    "transitivity": "andel slutna vänners vänner",
    "behaviour": "beteendets fördelning",
}
TRIAD_TYPES = ("003", "012", "102", "021D", "021U", "021C", "111D", "111U", "030T", "030C",
               "201", "120D", "120U", "120C", "210", "300")
DYAD_FEATURES = ("tie", "reverse", "common", "same_gender", "popularity")


@cache
def _triad_types() -> Matrix:
    """The 16 MAN types of every 6-bit pattern of a triple's dyads (ij ji ik ki jk kj)."""
    result = np.zeros(64, dtype=int)
    pairs = ((0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1))
    for code in range(64):
        graph = nx.DiGraph()
        graph.add_nodes_from(range(3))
        graph.add_edges_from(p for bit, p in enumerate(pairs) if code >> bit & 1)
        census = nx.triadic_census(graph)
        result[code] = TRIAD_TYPES.index(next(t for t, c in census.items() if c))
    return result


@cache
def _triples(n: int) -> tuple[Matrix, Matrix, Matrix]:
    index = np.array(list(combinations(range(n), 3)), dtype=int).reshape(-1, 3)
    return index[:, 0], index[:, 1], index[:, 2]


def triad_census(friends: Matrix) -> Matrix:
    """Counts of the 16 triad types; ``friends`` is n × n or runs × n × n."""
    f = np.asarray(friends, dtype=bool)
    batch = f[None] if f.ndim == 2 else f
    i, j, k = _triples(batch.shape[1])
    codes = np.zeros((batch.shape[0], len(i)), dtype=np.int64)
    for bit, (a, b) in enumerate(((i, j), (j, i), (i, k), (k, i), (j, k), (k, j))):
        codes |= batch[:, a, b].astype(np.int64) << bit
    types = _triad_types()[codes]
    counts = np.stack([np.bincount(row, minlength=16) for row in types])
    return counts[0] if f.ndim == 2 else counts


def _cumulative(degrees: Matrix) -> Matrix:
    return np.stack([(degrees <= k).sum(axis=-1) for k in range(DEGREE_LEVELS)], axis=-1)


def auxiliary_statistics(friends: Matrix, behaviour: Matrix | None = None,
                         levels: Sequence[float] = ()) -> dict[str, Matrix]:
    """sienaGOF's statistics of one network (n × n) or many (runs × n × n)."""
    f = np.asarray(friends, dtype=float)
    batch = f[None] if f.ndim == 2 else f
    ties = batch.sum(axis=(1, 2))
    mutual = (batch * batch.transpose(0, 2, 1)).sum(axis=(1, 2))
    two_paths = batch @ batch
    n = batch.shape[1]
    two_paths[:, np.arange(n), np.arange(n)] = 0
    closed = (two_paths * batch).sum(axis=(1, 2))
    paths = two_paths.sum(axis=(1, 2))
    result = {
        "indegree": _cumulative(batch.sum(axis=1)),
        "outdegree": _cumulative(batch.sum(axis=2)),
        "triad_census": triad_census(batch > 0),
        "reciprocity": (mutual / np.maximum(ties, 1.0))[:, None],
        "transitivity": (closed / np.maximum(paths, 1.0))[:, None],
    }
    if behaviour is not None and len(levels) > 1:
        b = np.asarray(behaviour, dtype=float)
        rows = b[None] if b.ndim == 1 else b
        result["behaviour"] = np.stack([(rows <= level).sum(axis=1) for level in levels[:-1]],
                                       axis=1)
    if f.ndim == 2:
        return {k: v[0] for k, v in result.items()}
    return result


def mahalanobis_p(observed: Matrix, simulated: Matrix) -> tuple[float, float]:
    """The observed vector's Mahalanobis distance to the simulated ones' mean (generalised
    inverse of their covariance, as sienaGOF), and the share of simulated vectors at least
    as far: the p-value."""
    sims = np.asarray(simulated, dtype=float)
    centre = sims.mean(axis=0)
    covariance = np.atleast_2d(np.cov(sims, rowvar=False))
    inverse = np.linalg.pinv(covariance, rcond=1e-10, hermitian=True)
    if not np.any(covariance.diagonal() > 0):
        same = np.allclose(observed, centre)
        return (0.0, 1.0) if same else (float("inf"), 0.0)

    def distance(x: Matrix) -> Matrix:
        d = np.atleast_2d(x - centre)
        return np.asarray(np.einsum("ri,ij,rj->r", d, inverse, d))

    observed_distance = float(distance(np.asarray(observed, dtype=float))[0])
    # a direction the simulations never move in, where the observed wave differs, is a misfit
    # the generalised inverse cannot see; count it as beyond every simulation
    flat = np.ones(len(centre), dtype=bool)
    flat[np.flatnonzero(covariance.diagonal() > 0)] = False
    if np.any(np.abs(np.asarray(observed)[flat] - centre[flat]) > 1e-9):
        return float("inf"), 0.0
    return observed_distance, float(np.mean(distance(sims) >= observed_distance - 1e-9))


@dataclass
class GofStatistic:
    """One auxiliary statistic: observed and simulated values, distance and p-value."""

    name: str
    levels: list[str]
    observed: Matrix
    simulated: Matrix  # runs × levels
    distance: float
    p: float

    @property
    def label(self) -> str:
        return GOF_STATISTICS[self.name]

    def table(self) -> pd.DataFrame:
        low, high = np.percentile(self.simulated, [5, 95], axis=0)
        return pd.DataFrame({"level": self.levels, "observed": self.observed,
                             "simulated_mean": self.simulated.mean(axis=0),
                             "simulated_5": low, "simulated_95": high})


def _levels(name: str, scale: Sequence[float]) -> list[str]:
    if name in ("indegree", "outdegree"):
        return [f"≤ {k}" for k in range(DEGREE_LEVELS)]
    if name == "triad_census":
        return list(TRIAD_TYPES)
    if name == "behaviour":
        return [f"≤ {level:g}" for level in scale[:-1]]
    return [name]


def goodness_of_fit(observed: dict[str, Matrix], simulated: dict[str, Matrix],
                    scale: Sequence[float] = ()) -> list[GofStatistic]:
    """Each statistic's Mahalanobis distance and p-value."""
    result = []
    for name in GOF_STATISTICS:
        if name not in observed:
            continue
        distance, p = mahalanobis_p(observed[name], simulated[name])
        result.append(GofStatistic(name, _levels(name, scale), np.asarray(observed[name]),
                                   np.asarray(simulated[name]), distance, p))
    return result


def dyad_table(transition: Transition) -> pd.DataFrame:
    """One row per ordered pair known at the end: the tie now, the reverse tie, friends in
    common, same gender, the friend's popularity; and the tie at the end (``next``)."""
    f = transition.start.friends.astype(float)
    n = transition.start.n
    gender = transition.start.gender
    mask = transition.known & ~np.eye(n, dtype=bool)
    return pd.DataFrame({
        "tie": f[mask], "reverse": f.T[mask], "common": (f @ f.T)[mask],
        "same_gender": (gender[:, None] == gender[None, :])[mask].astype(float),
        "popularity": np.repeat(f.sum(axis=0)[None, :], n, axis=0)[mask],
        "next": transition.end[mask].astype(float)})


@dataclass
class TwinEvaluation:
    """The fitted term, its goodness of fit on the held-out wave and the prediction AUCs."""

    class_name: str
    fitted_on: tuple[int, int]
    tested_on: tuple[int, int]
    pupils: int
    runs: int
    fit: TermFit
    statistics: list[GofStatistic]
    metrics: dict[str, float]
    behaviour: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def gof_p(self) -> dict[str, float]:
        return {s.name: s.p for s in self.statistics}

    def summary(self) -> dict[str, Any]:
        """What the JSON line and the web page carry (plain numbers and lists; an AUC that
        cannot be computed — nobody isolated — is None)."""
        return {
            "class": self.class_name, "fitted_on": list(self.fitted_on),
            "tested_on": list(self.tested_on), "pupils": self.pupils, "runs": self.runs,
            "behaviour": self.behaviour,
            **{k: round(v, 4) if np.isfinite(v) else None for k, v in self.metrics.items()},
            "gof_p": {k: round(v, 4) for k, v in self.gof_p.items()},
            "gof": [{"name": s.name, "p": round(s.p, 4),
                     "distance": round(s.distance, 3) if np.isfinite(s.distance) else None,
                     "levels": s.levels,
                     "observed": [round(float(v), 4) for v in s.observed],
                     "mean": [round(float(v), 4) for v in s.simulated.mean(axis=0)],
                     "low": [round(float(v), 4) for v in np.percentile(s.simulated, 5, 0)],
                     "high": [round(float(v), 4) for v in np.percentile(s.simulated, 95, 0)]}
                    for s in self.statistics],
            "estimates": {k: round(v, 4) for k, v in self.fit.estimates.items()},
            "t_ratios": {k: round(v, 3) for k, v in self.fit.t_ratios.items()},
            "notes": self.notes}


def _auc(y: Matrix, score: Matrix) -> float:
    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else float("nan")


def evaluate_twin(waves: Sequence[Wave], class_name: str, *,
                  behaviour: pd.DataFrame | None = None, behaviour_name: str | None = None,
                  runs: int = 1000, seed: int = 0, fit_seed: int = 0,
                  fit_options: Mapping[str, int] | None = None,
                  pooled: bool = True) -> TwinEvaluation:
    """Fit on the transitions before the last, simulate the last ``runs`` times, compare.

    ``pooled`` (the default): every earlier transition is fitted jointly, with the same
    parameters for each term (RSiena's multi-period estimation; one rate for all terms);
    otherwise only the transition just before the last. The dyadic baseline is trained on
    the same transitions. ``fit_options`` go to ``fit_term`` (fewer iterations for a quick
    look on the web)."""
    transitions = class_transitions(waves, class_name, behaviour=behaviour)
    if len(transitions) < 2:
        raise ValueError("Utvärderingen kräver minst tre mätningar av klassen: anpassa på "
                         "en övergång, pröva på nästa.")
    if runs < 10:
        raise ValueError("Minst 10 simulerade terminer behövs.")
    train = transitions[:-1] if pooled else transitions[-2:-1]
    if behaviour is not None:
        # a term whose start level nobody reported (the behaviour was first asked later)
        # would teach the behaviour part a jump from the filled-in level; it is not pooled
        informative = [t for t in train if t.start_observed is None or t.start_observed.any()]
        if not informative:
            raise ValueError("Beteendet är inte angivet i början av någon övergång före den "
                             "sista: det går inte att anpassa beteendets förändring.")
        train = informative
    options: dict[str, Any] = dict(fit_options or {})
    fit = fit_term(train, seed=fit_seed, **options)
    return score_term(fit, train, transitions[-1], class_name=class_name, runs=runs,
                      seed=seed, behaviour_name=behaviour_name)


def score_term(fit: TermFit, train: Sequence[Transition], test: Transition, *,
               class_name: str = "", runs: int = 1000, seed: int = 0,
               behaviour_name: str | None = None) -> TwinEvaluation:
    """Simulate ``test`` ``runs`` times from its start with ``fit``'s parameters and compare
    with its end: goodness of fit, tie and isolation AUCs (the dyadic baseline trained on
    ``train``). ``evaluate_twin`` calls it with the earlier transitions; a diagnosis may
    call it with a fit of the tested transition itself (RSiena's in-sample check)."""
    if runs < 10:
        raise ValueError("Minst 10 simulerade terminer behövs.")
    start = test.start
    n = start.n
    parts = [simulate_ends(test, fit.parameters, runs=min(CHUNK, runs - done),
                           seed=seed + done) for done in range(0, runs, CHUNK)]
    friends = np.concatenate([f for f, _ in parts])
    levels = None if parts[0][1] is None else np.concatenate(
        [np.asarray(b) for _, b in parts])
    scale: list[float] = []
    if start.behaviour is not None:
        low, high = start.behaviour_range
        scale = [float(v) for v in np.arange(low, high + 1)]
    observed = auxiliary_statistics(test.end, test.end_behaviour, scale)
    simulated = auxiliary_statistics(friends, levels, scale)
    statistics = goodness_of_fit(observed, simulated, scale)

    mask = test.known & ~np.eye(n, dtype=bool)
    y = test.end[mask].astype(int)
    probability = friends.mean(axis=0)[mask]
    dyads = pd.concat([dyad_table(t) for t in train], ignore_index=True)
    baseline = LogisticRegression(max_iter=2000).fit(dyads[list(DYAD_FEATURES)],
                                                     dyads["next"])
    logistic = baseline.predict_proba(dyad_table(test)[list(DYAD_FEATURES)])[:, 1]
    # isolation is judged for pupils who answered at t + 1 (a missing row hides it)
    answered = np.asarray((test.known | np.eye(n, dtype=bool)).all(axis=1))
    isolated_next = ~np.asarray((test.end & test.end.T).any(axis=1))[answered]
    isolated_now = ~np.asarray((start.friends & start.friends.T).any(axis=1))[answered]
    isolated_sim = (~(friends & friends.transpose(0, 2, 1)).any(axis=2)).mean(axis=0)[
        answered]
    metrics = {
        "tie_auc": _auc(y, probability),
        "tie_auc_carry_forward": _auc(y, start.friends[mask].astype(float)),
        "tie_auc_logistic": _auc(y, logistic),
        "isolation_auc": _auc(isolated_next.astype(int), isolated_sim),
        "isolation_auc_carry_forward": _auc(isolated_next.astype(int),
                                            isolated_now.astype(float)),
        "isolated_next": float(isolated_next.sum()),
        "isolated_expected": float(isolated_sim.sum()),
    }
    notes = []
    if not fit.converged:
        notes.append("Anpassningen konvergerade inte helt (något |t| ≥ 0,3); siffrorna är "
                     "osäkrare.")
    if (~test.known).any():
        notes.append(f"{int((~test.known & ~np.eye(n, dtype=bool)).sum())} vänskaper saknas i "
                     "sista mätningen; de räknas som oförändrade.")
    return TwinEvaluation(class_name=class_name,
                          fitted_on=(train[0].waves[0], train[-1].waves[1]),
                          tested_on=test.waves,
                          pupils=n, runs=runs, fit=fit, statistics=statistics,
                          metrics=metrics, behaviour=behaviour_name, notes=notes)



def evaluate_classes(waves: Sequence[Wave], *, behaviour: pd.DataFrame | None = None,
                     behaviour_name: str | None = None, class_name: str | None = None,
                     runs: int = 1000, seed: int = 0,
                     fit_options: Mapping[str, int] | None = None,
                     pooled: bool = True) -> list[TwinEvaluation]:
    """``evaluate_twin`` for each class of the last wave that has three waves or more."""
    names = [class_name] if class_name else waves[-1].classes
    known = sorted({c for w in waves for c in w.classes})
    if class_name and class_name not in known:
        raise ValueError(f"Klassen {class_name!r} finns inte i mätningarna. Finns: "
                         + ", ".join(known))
    if len(waves) < 3:
        raise ValueError("Utvärderingen kräver minst tre mätningar: anpassa på en övergång, "
                         "pröva på nästa.")
    result = []
    for name in names:
        try:
            result.append(evaluate_twin(waves, name, behaviour=behaviour,
                                        behaviour_name=behaviour_name, runs=runs, seed=seed,
                                        fit_options=fit_options, pooled=pooled))
        except ValueError:
            if class_name:
                raise
    if not result:
        raise ValueError("Ingen klass finns med i tre mätningar med minst fyra elever.")
    return result


def pooled_summary(evaluations: Sequence[TwinEvaluation]) -> dict[str, Any]:
    """The JSON line: the AUCs (one class: its own; several: the mean over classes), each
    statistic's p-value (several classes: the lowest), and every class in full."""
    first = evaluations[0].summary()
    if len(evaluations) == 1:
        keys = [k for k in first if k.startswith(("tie_auc", "isolation_auc"))]
        return {**{k: first[k] for k in keys}, "gof_p": first["gof_p"], "classes": [first]}
    metrics: dict[str, Any] = {}
    for key in ("tie_auc", "tie_auc_carry_forward", "tie_auc_logistic", "isolation_auc",
                "isolation_auc_carry_forward"):
        values = [e.metrics[key] for e in evaluations if np.isfinite(e.metrics[key])]
        # NaN: the class had nobody (or everybody) isolated at the last wave
        metrics[key] = round(float(np.mean(values)), 4) if values else None
    names = {s.name for e in evaluations for s in e.statistics}
    gof = {name: round(min(s.p for e in evaluations for s in e.statistics if s.name == name),
                       4) for name in GOF_STATISTICS if name in names}
    return {**metrics, "gof_p": gof, "pooling": "mean over classes; gof_p lowest",
            "classes": [e.summary() for e in evaluations]}
