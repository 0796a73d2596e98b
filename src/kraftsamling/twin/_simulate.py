"""Monte Carlo terms: fit a class's rates to its own waves, then compare interventions.

Every intervention is simulated with the same random numbers as doing nothing (run *r* uses
seed *r* in both), so the difference per run is the intervention's effect and its spread is
the uncertainty of the estimate, not noise between two unrelated sets of runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kraftsamling.twin._model import ClassroomModel, ClassState, TermParameters

__all__ = ["INTERVENTIONS", "Intervention", "SimulationResult", "apply_intervention",
           "compare_interventions", "fit_parameters", "parse_intervention", "simulate_terms"]

INTERVENTIONS = {
    "none": "ingen insats",
    "regroup": "omgruppering: valda elever byter klass",
    "defenders": "utbildade försvarare (KiVa-likt)",
    "adults": "vuxna på platser där det händer",
    "buddies": "kompisar till isolerade elever",
}
DEFAULT_COUNT = {"regroup": 2, "defenders": 3, "buddies": 0}  # 0: every isolated pupil
DEFENDER_TRAINING = 2.5  # log-odds added to a trained defender's defending
BUDDY_DEFENDING = 1.5
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Intervention:
    """``pupils`` chosen by id, or ``count`` chosen by rule; ``amount`` for adults."""

    name: str
    pupils: tuple[str, ...] = ()
    count: int | None = None
    amount: float | None = None

    @property
    def label(self) -> str:
        return INTERVENTIONS[self.name]


def parse_intervention(text: str) -> Intervention:
    """``NAME[:ARGS]``: ``defenders:3``, ``defenders:E0101,E0102``, ``adults:0.3``,
    ``regroup``, ``buddies``."""
    name, _, args = text.strip().partition(":")
    name = name.strip().lower()
    if name not in INTERVENTIONS:
        raise ValueError(f"Okänd insats {name!r}: välj " + ", ".join(INTERVENTIONS) + ".")
    args = args.strip()
    if not args:
        return Intervention(name, amount=0.3 if name == "adults" else None)
    if name == "adults":
        try:
            amount = float(args.replace(",", "."))
        except ValueError:
            raise ValueError(f"adults:ANDEL, t.ex. adults:0.3 (fick {args!r}).") from None
        if not 0 <= amount <= 1:
            raise ValueError("adults: andelen förhindrad mobbning ska vara mellan 0 och 1.")
        return Intervention(name, amount=amount)
    if name == "none":
        raise ValueError("none tar inga argument.")
    if args.isdigit():
        return Intervention(name, count=int(args))
    return Intervention(name, pupils=tuple(p for p in args.replace(";", ",").split(",")
                                           if p.strip()))


def _choose(state: ClassState, intervention: Intervention, score: np.ndarray[Any, Any],
            default: int) -> list[int]:
    if intervention.pupils:
        index = {p: i for i, p in enumerate(state.ids)}
        unknown = [p for p in intervention.pupils if p not in index]
        if unknown:
            raise ValueError("Okända elever för insatsen: " + ", ".join(unknown))
        return [index[p] for p in intervention.pupils]
    count = intervention.count if intervention.count is not None else default
    order = list(np.argsort(-score, kind="stable"))
    return order[:count] if count else order


def apply_intervention(state: ClassState, parameters: TermParameters,
                       intervention: Intervention
                       ) -> tuple[ClassState, TermParameters, np.ndarray[Any, Any]]:
    """The class as the intervention changes it, and each pupil's defending boost."""
    state = state.copy()
    boost = np.zeros(state.n)
    if intervention.name == "adults":
        parameters = parameters.with_values(adult_presence=intervention.amount or 0.3)
    elif intervention.name == "regroup":
        named_mean = state.bullies.sum(axis=1).astype(float) + 0.01 * state.status
        moved = set(_choose(state, intervention, named_mean, DEFAULT_COUNT["regroup"]))
        keep = np.array([i not in moved for i in range(state.n)])
        state = ClassState(
            [p for i, p in enumerate(state.ids) if keep[i]], state.gender[keep],
            state.wellbeing[keep], state.status[keep], state.vulnerability[keep],
            state.empathy[keep], state.friends[np.ix_(keep, keep)],
            state.bullies[np.ix_(keep, keep)], state.defends[np.ix_(keep, keep)])
        boost = np.zeros(state.n)
    elif intervention.name == "defenders":
        respected = state.friends.sum(axis=0) - 3.0 * state.bullies.any(axis=1)
        for i in _choose(state, intervention, respected.astype(float),
                         DEFAULT_COUNT["defenders"]):
            boost[i] += DEFENDER_TRAINING
    elif intervention.name == "buddies":
        mutual = state.friends & state.friends.T
        isolated = ~mutual.any(axis=1)
        need = np.where(isolated, 1.0 + state.vulnerability, -np.inf)
        chosen = [i for i in _choose(state, intervention, need, DEFAULT_COUNT["buddies"])
                  if np.isfinite(need[i])]
        load = np.zeros(state.n)
        for i in chosen:
            fitness = state.empathy - load - 5.0 * state.bullies[:, i] - 5.0 * isolated
            fitness[i] = -np.inf
            buddy = int(np.argmax(fitness))
            state.friends[i, buddy] = state.friends[buddy, i] = True
            boost[buddy] += BUDDY_DEFENDING
            load[buddy] += 1.0
    return state, parameters, boost


@dataclass
class SimulationResult:
    """``victimised[r, i]``: pupil *i* victimised at the end of run *r*."""

    ids: list[str]
    victimised: np.ndarray[Any, Any]

    @property
    def risk(self) -> pd.Series:
        return pd.Series(self.victimised.mean(axis=0), index=self.ids)

    @property
    def victims_per_run(self) -> np.ndarray[Any, Any]:
        return np.asarray(self.victimised.sum(axis=1))


def simulate_terms(state: ClassState, parameters: TermParameters | None = None, *,
                   runs: int = 500, seed: int = 0,
                   intervention: Intervention | None = None,
                   progress: Progress | None = None) -> SimulationResult:
    """``runs`` independent terms from ``state``; run *r* uses seed ``seed + r``."""
    if runs < 1:
        raise ValueError("Minst en simulering behövs.")
    parameters = parameters or TermParameters()
    boost = None
    if intervention is not None and intervention.name != "none":
        state, parameters, boost = apply_intervention(state, parameters, intervention)
    outcome = np.zeros((runs, state.n), dtype=bool)
    for r in range(runs):
        end = ClassroomModel(state, parameters, seed=seed + r, defender_boost=boost).run()
        outcome[r] = end.victimised
        if progress is not None and (r + 1) % 50 == 0:
            progress(r + 1, runs)
    return SimulationResult(list(state.ids), outcome)


def _mean_outcomes(state: ClassState, parameters: TermParameters, runs: int,
                   seed: int) -> tuple[float, float]:
    victims, degree = 0.0, 0.0
    for r in range(runs):
        end = ClassroomModel(state, parameters, seed=seed + r).run()
        victims += end.victimised.mean()
        degree += end.friends.sum(axis=1).mean()
    return victims / runs, degree / runs


def fit_parameters(pairs: Sequence[tuple[ClassState, ClassState]],
                   parameters: TermParameters | None = None, *, runs: int = 40,
                   iterations: int = 10, seed: int = 0) -> TermParameters:
    """Fit the bullying base rate and the friendship density to a class's own waves.

    ``pairs`` are (state at a wave, state at the next wave). Both rates are found by
    bisection so that simulated terms started from each earlier wave give, on average, the
    share victimised and the friends named per pupil that the next wave shows (method of
    simulated moments; the other rules keep their defaults).
    """
    if not pairs:
        return parameters or TermParameters()
    fitted = parameters or TermParameters()
    target_victims = float(np.mean([later.victimised.mean() for _, later in pairs]))
    target_degree = float(np.mean([later.friends.sum(axis=1).mean() for _, later in pairs]))
    bounds = {"density": (-4.0, 2.0), "bully_base": (-10.0, -3.0)}
    for name, target_index, target in (("density", 1, target_degree),
                                       ("bully_base", 0, target_victims)):
        low, high = bounds[name]
        for _ in range(iterations):
            middle = (low + high) / 2
            trial = fitted.with_values(**{name: middle})
            value = float(np.mean([_mean_outcomes(start, trial, runs, seed)[target_index]
                                   for start, _ in pairs]))
            if value < target:
                low = middle
            else:
                high = middle
        fitted = fitted.with_values(**{name: (low + high) / 2})
    return fitted


def compare_interventions(state: ClassState, interventions: Sequence[Intervention], *,
                          parameters: TermParameters | None = None, runs: int = 500,
                          seed: int = 0, progress: Progress | None = None
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each intervention against none, on the same random numbers.

    Returns a summary (expected victims with its 95 % interval, change against none with
    its interval) and per-pupil risks (one column per intervention).
    """
    parameters = parameters or TermParameters()
    baseline = simulate_terms(state, parameters, runs=runs, seed=seed)
    risks = pd.DataFrame({"none": baseline.risk})
    rows = [_summary_row(Intervention("none"), baseline, baseline)]
    done = 0
    for intervention in interventions:
        if intervention.name == "none":
            continue
        result = simulate_terms(state, parameters, runs=runs, seed=seed,
                                intervention=intervention)
        key = intervention.name if intervention.name not in risks else \
            f"{intervention.name}{len(risks)}"
        risks[key] = result.risk
        rows.append(_summary_row(intervention, result, baseline, key=key))
        done += 1
        if progress is not None:
            progress(done, len(interventions))
    return pd.DataFrame(rows), risks


def _summary_row(intervention: Intervention, result: SimulationResult,
                 baseline: SimulationResult, key: str | None = None) -> dict[str, Any]:
    # Compare on the pupils present in both (regrouping moves some out of the class).
    shared = [i for i, p in enumerate(baseline.ids) if p in set(result.ids)]
    where = {p: i for i, p in enumerate(result.ids)}
    after = result.victimised[:, [where[baseline.ids[i]] for i in shared]].sum(axis=1)
    before = baseline.victimised[:, shared].sum(axis=1)
    difference = after - before
    runs = len(difference)
    se = float(difference.std(ddof=1) / np.sqrt(runs)) if runs > 1 else 0.0
    victims = result.victims_per_run
    return {
        "intervention": key or intervention.name, "label": intervention.label,
        "pupils": len(result.ids), "expected_victims": float(victims.mean()),
        "victims_low": float(np.percentile(victims, 2.5)),
        "victims_high": float(np.percentile(victims, 97.5)),
        "change": float(difference.mean()), "change_low": float(difference.mean() - 1.96 * se),
        "change_high": float(difference.mean() + 1.96 * se), "runs": runs,
    }
