"""The term model fitted to a class's friendship waves, as the field estimates such models.

A stochastic actor-oriented model is estimated by the method of moments (RSiena, Snijders
2001): choose the parameters so that terms simulated from the wave at *t* give, on average,
the statistics observed at *t + 1* — one statistic per parameter (the number of changed ties
for the rate, the number of ties for density, reciprocated ties for reciprocity, …). We
solve it the way RSiena does, by Robbins–Monro stochastic approximation: a derivative
matrix from simulations with common random numbers (phase 1), then updates with a gain that
halves in each of four subphases, averaging the parameters of each (phase 2), and a check
that the simulated statistics match the observed ones (phase 3, t-ratios).

A tie that a wave does not know (code 9, a pupil who did not answer) is missing, never "no
tie": it starts from the last wave that knew it (or none), and at the end of a term it
counts as the value it started from in both the observed and the simulated statistics, so
it pulls no parameter either way (RSiena's treatment). Pupils not in the class at a wave
(code 10, absent from that wave's file) take no part in that transition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from kraftsamling.twin._model import (
    ClassState,
    TermParameters,
    simulate_friendship,
)
from kraftsamling.twin._network import class_state
from kraftsamling.twin._survey import Wave

__all__ = [
    "BEHAVIOUR_EFFECTS",
    "FRIENDSHIP_EFFECTS",
    "TermFit",
    "Transition",
    "class_transitions",
    "fit_term",
    "simulate_ends",
    "term_statistics",
]

Matrix = np.ndarray[Any, Any]

FRIENDSHIP_EFFECTS = {
    "friend_rate": "takt: tillfällen att ändra en vänskap per termin",
    "density": "benägenhet att nämna vänner (täthet)",
    "reciprocity": "ömsesidighet",
    "transitivity": "vänners vänner blir vänner",
    "activity": "den som nämner många nämner inte fler",
    "popularity": "populära elever nämns oftare",
    "similarity": "vänner av samma kön",
    "endowment": "en vänskap är mer värd att behålla än att skaffa",
    "balance": "vänner nämner samma vänner",
    "transitive_reciprocity": "ömsesidiga vänner i slutna trianglar",
    "cycles": "vänskap i cirklar (A→B→C→A)",
    "attractiveness": "den som många nämnde nämns igen",
    "sociability": "den som nämnde många nämner många igen",
    "behaviour_similarity": "vänner som beter sig likadant (urval)",
}
BEHAVIOUR_EFFECTS = {
    "behaviour_rate": "takt: tillfällen att ändra beteendet per termin",
    "behaviour_linear": "tendens uppåt",
    "behaviour_quadratic": "dragning mot mitten",
    "behaviour_influence": "bli lik sina vänner (påverkan)",
}
RATES = ("friend_rate", "behaviour_rate")


@dataclass
class Transition:
    """One term of a class: the state at *t* (pupils present at *t* and *t + 1*, missing
    ties filled from the last wave that knew them) and what *t + 1* observed."""

    start: ClassState
    end: Matrix  # friendships at t + 1; unknown dyads hold the start value
    known: Matrix  # dyads observed at t + 1
    end_behaviour: Matrix | None = None  # unknown levels hold the start value
    behaviour_known: Matrix | None = None
    waves: tuple[int, int] = (0, 0)
    start_observed: Matrix | None = None  # levels reported at t itself (not carried on)

    @property
    def ids(self) -> list[str]:
        return self.start.ids


def _friend_matrix(wave: Wave, ids: Sequence[str]) -> tuple[Matrix, Matrix]:
    """Ties among ``ids`` at ``wave`` and which of them the wave knows."""
    index = {p: i for i, p in enumerate(ids)}
    n = len(ids)
    ties = np.zeros((n, n), dtype=bool)
    known = ~np.eye(n, dtype=bool)
    for a, b in wave.friends:
        if a in index and b in index:
            ties[index[a], index[b]] = True
    for a, b in wave.unknown:
        if a in index and b in index:
            known[index[a], index[b]] = False
            ties[index[a], index[b]] = False
    return ties, known


def _subset(state: ClassState, ids: Sequence[str]) -> ClassState:
    where = [state.ids.index(p) for p in ids]
    grid = np.ix_(where, where)
    return ClassState(list(ids), state.gender[where], state.wellbeing[where],
                      state.status[where], state.vulnerability[where], state.empathy[where],
                      state.friends[grid].copy(), state.bullies[grid].copy(),
                      state.defends[grid].copy())


def class_transitions(waves: Sequence[Wave], class_name: str, *,
                      behaviour: pd.DataFrame | None = None) -> list[Transition]:
    """Every consecutive pair of waves of one class as a ``Transition``.

    ``behaviour``: one row per pupil (index ``pupil_id``), one column per wave number,
    NaN where unknown. A missing level starts from the pupil's last known one (or the
    class's median) and counts as unchanged at the end of the term.
    """
    members = [list(w.pupils.loc[w.pupils["class"] == class_name, "pupil_id"]) for w in waves]
    if sum(bool(m) for m in members) < 2:
        raise ValueError(f"Klassen {class_name!r} finns i färre än två mätningar.")
    levels: tuple[float, float] = (1.0, 5.0)
    if behaviour is not None:
        values = behaviour.to_numpy(float)
        if np.isfinite(values).any():
            levels = (float(np.nanmin(values)), float(np.nanmax(values)))
    result = []
    last_known: dict[tuple[str, str], bool] = {}
    for (w0, m0), (w1, m1) in pairwise(zip(waves, members, strict=True)):
        ties0, known0 = _friend_matrix(w0, m0) if m0 else (None, None)
        if m0 and ties0 is not None and known0 is not None:
            for i, a in enumerate(m0):
                for j, b in enumerate(m0):
                    if known0[i, j]:
                        last_known[(a, b)] = bool(ties0[i, j])
        ids = [p for p in m0 if p in set(m1)]
        if len(ids) < 4:
            continue
        start = _subset(class_state(w0, class_name), ids)
        start.friends = np.array([[last_known.get((a, b), False) if a != b else False
                                   for b in ids] for a in ids], dtype=bool)
        end, known = _friend_matrix(w1, ids)
        end = np.where(known, end, start.friends)
        transition = Transition(start=start, end=end, known=known,
                                waves=(w0.number, w1.number))
        if behaviour is not None:
            before = _levels(behaviour, ids, w0.number, upto=True)
            transition.start_observed = np.isfinite(
                _levels(behaviour, ids, w0.number, upto=False))
            after = _levels(behaviour, ids, w1.number, upto=False)
            fill = float(np.nanmedian(before)) if np.isfinite(before).any() else levels[0]
            before = np.where(np.isfinite(before), before, round(fill))
            start.behaviour = before
            start.behaviour_range = levels
            transition.behaviour_known = np.isfinite(after)
            transition.end_behaviour = np.where(np.isfinite(after), after, before)
        result.append(transition)
    if not result:
        raise ValueError(f"Klassen {class_name!r}: för få elever finns med i två mätningar i "
                         "följd.")
    return result


def _levels(behaviour: pd.DataFrame, ids: Sequence[str], wave: int, *, upto: bool) -> Matrix:
    """Levels at ``wave``; with ``upto`` a missing level is the pupil's last known one."""
    columns = [c for c in behaviour.columns if int(c) <= wave] if upto else \
        [c for c in behaviour.columns if int(c) == wave]
    frame = behaviour.reindex(index=list(ids))
    if not columns:
        return np.full(len(ids), np.nan)
    values = frame[columns].ffill(axis=1).iloc[:, -1] if upto else frame[columns[0]]
    return values.to_numpy(float)


def _behaviour_similarity(levels: Matrix, scale: tuple[float, float]) -> Matrix:
    spread = max(scale[1] - scale[0], 1.0)
    return np.asarray(1.0 - np.abs(levels[:, None] - levels[None, :]) / spread)


def term_statistics(effects: Sequence[str], start: ClassState, friends: Matrix,
                    behaviour: Matrix | None = None) -> Matrix:
    """The statistic that moves with each parameter, at the end of a term from ``start``;
    ``friends`` n × n (one term: a vector) or runs × n × n (a row per run)."""
    one = friends.ndim == 2
    ties = friends[None] if one else friends
    f = ties.astype(float)
    levels = None if behaviour is None else (behaviour[None] if one else behaviour)
    ft = f.transpose(0, 2, 1)
    columns = []
    for name in effects:
        if name == "friend_rate":
            value = (ties != start.friends[None]).sum(axis=(1, 2)).astype(float)
        elif name == "density":
            value = f.sum(axis=(1, 2))
        elif name == "reciprocity":
            value = (f * ft).sum(axis=(1, 2))
        elif name == "transitivity":
            value = (f * np.minimum(f @ f, 4.0)).sum(axis=(1, 2))
        elif name == "activity":
            value = (f.sum(axis=2) ** 2).sum(axis=1)
        elif name == "popularity":
            value = (f.sum(axis=1) ** 2).sum(axis=1)
        elif name == "endowment":
            value = (ties & start.friends[None]).sum(axis=(1, 2)).astype(float)
        elif name == "cycles":
            value = (f * np.minimum(f @ f, 4.0).transpose(0, 2, 1)).sum(axis=(1, 2))
        elif name == "transitive_reciprocity":
            value = (f * ft * np.minimum(f @ f, 4.0)).sum(axis=(1, 2))
        elif name == "balance":
            value = (f * np.minimum(f @ ft, 4.0)).sum(axis=(1, 2))
        elif name in ("attractiveness", "sociability"):
            axis = 0 if name == "attractiveness" else 1
            before = start.friends.sum(axis=axis).astype(float)
            z = (before - before.mean()) / before.std() if before.std() > 0 else before * 0
            value = (f.sum(axis=axis + 1) * z[None]).sum(axis=1)
        elif name == "similarity":
            same = start.gender[:, None] == start.gender[None, :]
            value = (f * same[None]).sum(axis=(1, 2))
        else:
            if levels is None or start.behaviour is None:
                raise ValueError(f"{name} kräver ett beteende.")
            centre = sum(start.behaviour_range) / 2
            spread = max(start.behaviour_range[1] - start.behaviour_range[0], 1.0)
            similar = 1.0 - np.abs(levels[:, :, None] - levels[:, None, :]) / spread
            if name == "behaviour_similarity":
                value = (f * similar).sum(axis=(1, 2))
            elif name == "behaviour_rate":
                value = np.abs(levels - start.behaviour[None]).sum(axis=1)
            elif name == "behaviour_linear":
                value = (levels - centre).sum(axis=1)
            elif name == "behaviour_quadratic":
                value = ((levels - centre) ** 2).sum(axis=1)
            elif name == "behaviour_influence":
                named = f.sum(axis=2)
                average = np.where(named > 0, (f * similar).sum(axis=2)
                                   / np.maximum(named, 1.0), 0.0)
                value = average.sum(axis=1)
            else:
                raise ValueError(f"Okänd effekt {name!r}.")
        columns.append(value)
    result = np.stack(columns, axis=1)
    return result[0] if one else result


def simulate_ends(transition: Transition, parameters: TermParameters, *, runs: int,
                  seed: int) -> tuple[Matrix, Matrix | None]:
    """``runs`` simulated terms (runs × n × n, runs × n); dyads and levels the next wave
    does not know keep their start value, as in the observed statistics. The runs are
    simulated together (vectorised); who is victimised is held as at the start."""
    start = transition.start
    friends, levels = simulate_friendship(start, parameters, runs=runs, seed=seed)
    friends = np.where(transition.known[None], friends, start.friends[None])
    if (levels is not None and transition.behaviour_known is not None
            and start.behaviour is not None):
        levels = np.where(transition.behaviour_known[None], levels, start.behaviour[None])
    return friends, levels


@dataclass
class TermFit:
    """Fitted parameters, the effects estimated and how well the statistics match."""

    parameters: TermParameters
    effects: list[str]
    estimates: dict[str, float]
    observed: dict[str, float]
    t_ratios: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def converged(self) -> bool:
        """RSiena's rule of thumb: every |t| below 0.1 is excellent, below 0.3 usable."""
        return max((abs(t) for t in self.t_ratios.values()), default=0.0) < 0.3


def default_effects(transitions: Sequence[Transition]) -> list[str]:
    """Friendship effects always; gender similarity when the class has both; behaviour
    effects and selection on it when a behaviour is given."""
    effects = ["friend_rate", "density", "reciprocity", "transitivity", "activity",
               "popularity", "attractiveness", "transitive_reciprocity", "cycles"]
    genders = np.concatenate([t.start.gender for t in transitions])
    if len(set(genders.tolist())) > 1:
        effects.append("similarity")
    if all(t.start.behaviour is not None for t in transitions):
        effects += ["behaviour_similarity", *BEHAVIOUR_EFFECTS]
    return effects


def _starting_values(transitions: Sequence[Transition], parameters: TermParameters,
                     effects: Sequence[str]) -> dict[str, float]:
    changes = np.mean([(t.end != t.start.friends).sum() / t.start.n for t in transitions])
    density = np.mean([t.end.mean() for t in transitions])
    values = {"friend_rate": max(1.0, 1.5 * float(changes)),
              "density": float(np.log(density / (1 - density))) if 0 < density < 1 else -1.0,
              "behaviour_rate": 1.0}
    if all(t.start.behaviour is not None and t.end_behaviour is not None
           for t in transitions):
        moved = np.mean([np.abs(t.end_behaviour - t.start.behaviour).mean()
                         for t in transitions if t.start.behaviour is not None
                         and t.end_behaviour is not None])
        values["behaviour_rate"] = max(0.5, 2.0 * float(moved))
    return {name: values[name] if name in values else float(getattr(parameters, name))
            for name in effects}


def fit_term(transitions: Sequence[Transition], parameters: TermParameters | None = None, *,
             effects: Sequence[str] | None = None, seed: int = 0, iterations: int = 8,
             runs_per_iteration: int = 60, subphases: int = 3, averaging: int = 30,
             batch: int = 10, restarts: int = 3,
             phase3_runs: int = 100) -> TermFit:
    """Estimate the friendship (and behaviour) parameters by Robbins–Monro moments.

    ``transitions`` are fitted jointly (the same parameters for every term). Effects not
    estimated keep their value in ``parameters``. Up to ``restarts`` attempts, each from
    the last one's estimate, until every |t| < 0.3; if none gets there, the attempt with the
    smallest max |t| is returned.
    """
    if not transitions:
        raise ValueError("Minst en övergång mellan två mätningar behövs för att anpassa.")
    base = parameters or TermParameters()
    chosen = list(effects or default_effects(transitions))
    p = len(chosen)
    rng = np.random.default_rng(seed)
    observed = np.sum([term_statistics(chosen, t.start, t.end, t.end_behaviour)
                       for t in transitions], axis=0)
    start_values = _starting_values(transitions, base, chosen)
    theta = np.array([start_values[e] for e in chosen])
    rate = np.array([e in RATES for e in chosen])

    def params(values: Matrix) -> TermParameters:
        return base.with_values(**{e: float(v) for e, v in zip(chosen, values, strict=True)})

    def simulate(values: Matrix, run_seed: int, runs: int) -> Matrix:
        """Statistics of ``runs`` terms (summed over the transitions), one row per run."""
        total = np.zeros((runs, p))
        current = params(values)
        for k, transition in enumerate(transitions):
            friends, levels = simulate_ends(transition, current, runs=runs,
                                            seed=run_seed + 7919 * k)
            total += term_statistics(chosen, transition.start, friends, levels)
        return total

    def clamp(values: Matrix) -> Matrix:
        return np.where(rate, np.clip(values, 0.2, 80.0), np.clip(values, -12.0, 12.0))

    history: list[dict[str, float]] = []
    t_ratios = np.zeros(p)
    kept: tuple[float, Matrix, Matrix] | None = None  # the best attempt: max |t|, theta, t
    jacobian, residual = np.eye(p), np.zeros(p)
    have_jacobian = False
    for _attempt in range(max(1, restarts)):
        # RSiena's practice: while a fit has not converged, start again from its estimate
        best_theta, best_objective = theta, np.inf
        damping = 1.0
        runs = runs_per_iteration
        for _ in range(iterations):
            # expected statistics at theta, in units of their spread between simulated terms
            batch_seed = int(rng.integers(0, 2**31))
            at_theta = simulate(theta, batch_seed, runs)
            spread = np.maximum(at_theta.std(axis=0, ddof=1), 1.0)
            deviation = (at_theta.mean(axis=0) - observed) / spread
            objective = float((deviation ** 2).sum())
            history.append({**dict(zip(chosen, theta.tolist(), strict=True)),
                            "max_t": float(np.abs(deviation).max())})
            if objective < best_objective:
                best_theta, best_objective = theta, objective
                damping = max(damping / 3, 1e-3)
                if np.abs(deviation).max() < 0.5 and have_jacobian:
                    break  # close enough for the averaging subphase to finish
                # the derivative, from runs sharing their random numbers with those at theta
                steps = np.where(rate, np.maximum(0.05 * theta, 0.1), 0.1)
                jacobian = np.zeros((p, p))
                for k in range(p):
                    moved = theta.copy()
                    moved[k] += steps[k]
                    shifted = simulate(moved, batch_seed, runs)
                    jacobian[:, k] = (shifted - at_theta).mean(axis=0) / steps[k] / spread
                residual = deviation
                have_jacobian = True
            else:  # worse: back to the best point, with a shorter, more gradient-like step
                damping *= 4
            normal = jacobian.T @ jacobian
            step = np.linalg.solve(normal + damping * np.diag(np.diag(normal) + 1e-9),
                                   jacobian.T @ residual)
            theta = clamp(best_theta - _truncate(step, best_theta, rate))
            if best_objective < 2 * p and runs < 2 * runs_per_iteration:
                runs *= 2  # close: more runs, so that noise does not pass for progress
        # Robbins–Monro subphases from the best point (RSiena's phase 2): small corrections
        # from a few runs at a time, with a gain that halves each subphase; each subphase's
        # parameters are averaged, so the estimate is the centre of many corrections rather
        # than one lucky draw
        theta = best_theta
        mixed = 0.8 * jacobian + 0.2 * np.diag(np.diag(jacobian))  # RSiena's diagonalize
        inverse = np.linalg.pinv(mixed, rcond=1e-3)
        gain = 0.2
        for _ in range(subphases):
            trail = []
            for _ in range(averaging):
                stats = simulate(theta, int(rng.integers(0, 2**31)), batch).mean(axis=0)
                deviation = (stats - observed) / spread
                theta = clamp(theta - _truncate(gain * inverse @ deviation, theta, rate))
                trail.append(theta)
            theta = np.mean(trail, axis=0)
            history.append(dict(zip(chosen, theta.tolist(), strict=True)))
            gain /= 2
        check = simulate(theta, int(rng.integers(0, 2**31)), phase3_runs)
        spread = check.std(axis=0, ddof=1)
        t_ratios = np.where(spread > 0, (check.mean(axis=0) - observed) / np.where(
            spread > 0, spread, 1.0), 0.0)
        history.append({"phase3_max_t": float(np.abs(t_ratios).max())})
        if kept is None or np.abs(t_ratios).max() < kept[0]:
            kept = (float(np.abs(t_ratios).max()), theta, t_ratios)
        if np.abs(t_ratios).max() < 0.3:
            break
    if kept is not None:  # no attempt converged: keep the one closest to the observed, not
        _, theta, t_ratios = kept  # the last
    return TermFit(parameters=params(theta), effects=chosen,
                   estimates=dict(zip(chosen, theta.tolist(), strict=True)),
                   observed=dict(zip(chosen, observed.tolist(), strict=True)),
                   t_ratios=dict(zip(chosen, t_ratios.tolist(), strict=True)),
                   history=history)


def _regular(matrix: Matrix) -> Matrix:
    """A derivative matrix with no zero diagonal (an effect with no variation moves nothing;
    a tiny positive slope keeps the update finite and the parameter where it is)."""
    result = matrix.copy()
    diagonal = np.diag(result).copy()
    np.fill_diagonal(result, np.where(diagonal > 1e-6, diagonal,
                                      np.maximum(np.abs(diagonal), 1e-6)))
    return result


def _truncate(step: Matrix, theta: Matrix, rate: Matrix) -> Matrix:
    """No update moves a parameter by more than 1 (or a rate by more than half itself)."""
    limit = np.where(rate, np.maximum(0.5 * theta, 0.5), 1.0)
    return np.asarray(np.clip(step, -limit, limit))
