"""Allocation of scarce places: who gets which intervention, for the most expected benefit.

Exact programmes (scipy's HiGHS): at most one intervention per person; places per
intervention; an optional budget; and an optional fairness floor, the share of each group
offered a place at least ``min_ratio`` times the share of any other group. Places alone are a
linear programme whose optimum is already 0/1; the floor adds one whole number per group; a
budget makes every choice binary. The plan is a recommendation: a caseworker decides."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["Allocation", "allocate", "allocate_by_risk", "allocate_random", "plan_value"]

Matrix = np.ndarray[Any, Any]


@dataclass
class Allocation:
    """``assigned[i]`` is the index of the intervention person ``i`` gets, or -1 for none."""

    assigned: np.ndarray[Any, np.dtype[np.int64]]
    interventions: tuple[str, ...]
    expected_benefit: float
    status: str

    def names(self) -> list[str]:
        return ["" if k < 0 else self.interventions[k] for k in self.assigned]

    def counts(self) -> dict[str, int]:
        return {name: int((self.assigned == k).sum()) for k, name in enumerate(self.interventions)}


def plan_value(assigned: Sequence[int] | Matrix, benefit: Matrix) -> float:
    """Total benefit of a plan under a benefit matrix (e.g. the true one)."""
    chosen = np.asarray(assigned)
    rows = np.flatnonzero(chosen >= 0)
    return float(benefit[rows, chosen[rows]].sum())


def _check(benefit: Matrix, interventions: Sequence[str], capacity: Mapping[str, int]) -> None:
    if benefit.ndim != 2 or benefit.shape[1] != len(interventions):
        raise ValueError("Nyttomatrisen måste ha en kolumn per insats.")
    unknown = set(capacity) - set(interventions)
    if unknown:
        raise ValueError("Okända insatser i platserna: " + ", ".join(sorted(unknown)))
    if any(v < 0 for v in capacity.values()):
        raise ValueError("Antalet platser kan inte vara negativt.")
    if not np.isfinite(benefit).all():
        raise ValueError("Nyttomatrisen innehåller saknade värden.")


def allocate(benefit: Matrix, interventions: Sequence[str], capacity: Mapping[str, int], *,
             cost: Mapping[str, float] | None = None, budget: float | None = None,
             groups: Sequence[str] | None = None, min_ratio: float | None = None,
             time_limit: float = 60.0) -> Allocation:
    """Maximise expected benefit (``benefit[i, k]``: gain if person i gets intervention k).

    Interventions missing from ``capacity`` have no limit. With ``groups`` and ``min_ratio``
    every group's share offered a place is at least ``min_ratio`` times every other group's.

    Places only, or places and a fairness floor, are solved exactly without an integer
    variable per person: the places' constraints with one count per group form two laminar
    families (person within group; intervention), a totally unimodular matrix, so once the
    group counts are whole numbers the linear programme's optimum is already 0/1. The floor
    then needs one whole number per group (a handful), not one per person and intervention
    (40,000 binaries for 10,000 people and four interventions, which HiGHS's presolve alone
    did not finish in 60 s). A budget breaks that structure: then every choice is binary.
    """
    benefit = np.asarray(benefit, dtype=float)
    _check(benefit, interventions, capacity)
    n, k = benefit.shape
    names = tuple(interventions)
    started = time.perf_counter()
    places = _places_rows(n, k, names, capacity)
    member = None
    if min_ratio is not None and not 0.0 <= min_ratio <= 1.0:
        # a ratio above 1 between every pair of groups can hold only when nobody gets a place
        raise ValueError(f"Kvoten mellan gruppernas andelar (min_ratio) måste vara mellan 0 "
                         f"och 1, inte {min_ratio:g}.")
    if groups is not None and min_ratio is not None:
        labels = np.asarray([str(g) for g in groups], dtype=object)
        if len(labels) != n:
            raise ValueError("Grupperna måste ha en rad per person.")
        _, member = np.unique(labels, return_inverse=True)
    if budget is not None:
        result = _binary_plan(benefit, places, names, cost, budget, member, min_ratio,
                              time_limit)
    elif member is None:
        relaxed = _solve(-benefit.ravel(), [places], np.zeros(n * k), Bounds(0, 1), time_limit)
        result = relaxed if _whole(relaxed) else None  # checked, as the docstring says
        if result is None:
            result = _binary_plan(benefit, places, names, cost, budget, member, min_ratio,
                                  _left(started, time_limit))
    else:
        assert min_ratio is not None
        result = _fair_plan(benefit, places, member, min_ratio, started, time_limit)
        if result is None:  # a count-fixed plan that was not 0/1 (numerical): every choice
            result = _binary_plan(benefit, places, names, cost, budget, member, min_ratio,
                                  _left(started, time_limit))
    if result.x is None:
        if result.status == 1:
            raise ValueError(f"Ingen fördelning hittades inom tidsgränsen ({time_limit:g} s): "
                             "prova med färre personer eller utan rättvisegolv.")
        raise ValueError("Ingen fördelning uppfyller villkoren (platser, budget och "
                         f"rättvisegolv): {result.message}")
    x = np.round(result.x[:n * k]).reshape(n, k)
    assigned = np.where(x.max(1) > 0.5, x.argmax(1), -1).astype(np.int64)
    return Allocation(assigned, names, plan_value(assigned, benefit),
                      "optimal" if result.status == 0 else str(result.message))


def _left(started: float, time_limit: float) -> float:
    return max(time_limit - (time.perf_counter() - started), 1e-3)


def _solve(c: Matrix, blocks: list[tuple[sparse.csr_matrix, Matrix, Matrix]],
           integrality: Matrix, bounds: Bounds, time_limit: float) -> Any:
    matrix = sparse.vstack([b[0] for b in blocks], format="csr")
    lower = np.concatenate([b[1] for b in blocks])
    upper = np.concatenate([b[2] for b in blocks])
    return milp(c, constraints=LinearConstraint(matrix, lower, upper),
                integrality=integrality, bounds=bounds,
                options={"time_limit": time_limit, "disp": False})


def _whole(result: Any) -> bool:
    return result.x is not None and result.status == 0 \
        and bool(np.allclose(result.x, np.round(result.x), atol=1e-6))


def _places_rows(n: int, k: int, names: tuple[str, ...], capacity: Mapping[str, int]
                 ) -> tuple[sparse.csr_matrix, Matrix, Matrix]:
    """At most one intervention per person; at most its places per intervention."""
    person = sparse.kron(sparse.identity(n), np.ones((1, k)), format="csr")
    limited = [j for j, name in enumerate(names) if name in capacity]
    cells = np.arange(n * k).reshape(n, k)[:, limited]
    per_place = sparse.csr_matrix(
        (np.ones(cells.size), (np.tile(np.arange(len(limited)), n), cells.ravel())),
        shape=(len(limited), n * k))
    matrix = sparse.vstack([person, per_place], format="csr")
    lower = np.zeros(n + len(limited))
    upper = np.concatenate([np.ones(n), [float(capacity[names[j]]) for j in limited]])
    return matrix, lower, upper


def _counts(member: Matrix, k: int) -> sparse.csr_matrix:
    """Row g sums the choices of group g's members (every intervention)."""
    n = len(member)
    return sparse.csr_matrix((np.ones(n * k), (np.repeat(member, k), np.arange(n * k))),
                             shape=(int(member.max()) + 1, n * k))


def _floor_rows(sizes: Matrix, min_ratio: float, before: int
                ) -> tuple[sparse.csr_matrix, Matrix, Matrix]:
    """With columns ``before`` choices, then one count per group, then the largest share h:
    count_g <= size_g * h and count_g >= min_ratio * size_g * h."""
    levels = len(sizes)
    eye = sparse.identity(levels, format="csr")
    zeros = sparse.csr_matrix((levels, before))
    matrix = sparse.vstack([
        sparse.hstack([zeros, eye, sparse.csr_matrix(-sizes[:, None])]),
        sparse.hstack([zeros, eye, sparse.csr_matrix(-min_ratio * sizes[:, None])])],
        format="csr")
    lower = np.concatenate([np.full(levels, -np.inf), np.zeros(levels)])
    upper = np.concatenate([np.zeros(levels), np.full(levels, np.inf)])
    return matrix, lower, upper


def _floor_blocks(places: tuple[sparse.csr_matrix, Matrix, Matrix], member: Matrix,
                  min_ratio: float, k: int
                  ) -> tuple[list[tuple[sparse.csr_matrix, Matrix, Matrix]], sparse.csr_matrix,
                             Matrix, Matrix]:
    """The fairness floor's programme after the choices' columns: one count per group, then
    the largest share h. Returns the rows (the places widened to those columns, each count
    tied to its members' choices, the floor), the count rows, and the extra columns' upper
    bounds and integrality (the counts whole, h not)."""
    counts = _counts(member, k)
    levels = counts.shape[0]
    sizes = np.bincount(member, minlength=levels).astype(float)
    widened = (sparse.hstack([places[0], sparse.csr_matrix((places[0].shape[0], levels + 1))],
                             format="csr"), places[1], places[2])
    linked = (sparse.hstack([counts, -sparse.identity(levels), sparse.csr_matrix((levels, 1))],
                            format="csr"), np.zeros(levels), np.zeros(levels))
    floor = _floor_rows(sizes, min_ratio, counts.shape[1])
    return ([widened, linked, floor], counts, np.concatenate([sizes, [1.0]]),
            np.concatenate([np.ones(levels), [0.0]]))


def _fair_plan(benefit: Matrix, places: tuple[sparse.csr_matrix, Matrix, Matrix],
               member: Matrix, min_ratio: float, started: float, time_limit: float) -> Any:
    """Exact: whole group counts (the floor), then the plan for those counts (0/1 already).

    The first programme relaxes the choices, so its optimum bounds every plan's; the second
    fixes the counts it found, keeps its choices feasible, and its vertex is 0/1, so it is a
    plan at least as good as that bound: the optimum. None if the vertex was not 0/1.
    """
    n, k = benefit.shape
    blocks, counts, upper, integer = _floor_blocks(places, member, min_ratio, k)
    first = _solve(np.concatenate([-benefit.ravel(), np.zeros(len(upper))]), blocks,
                   np.concatenate([np.zeros(n * k), integer]),
                   Bounds(0, np.concatenate([np.ones(n * k), upper])), time_limit)
    if first.x is None:
        return first
    whole = np.round(first.x[n * k:n * k + counts.shape[0]])
    second = _solve(-benefit.ravel(), [places, (counts, whole, whole)], np.zeros(n * k),
                    Bounds(0, 1), _left(started, time_limit))
    if not _whole(second):
        return None
    if first.status != 0:  # time limit with a plan found: the plan, and why it may not be best
        second.status, second.message = first.status, first.message
    return second


def _binary_plan(benefit: Matrix, places: tuple[sparse.csr_matrix, Matrix, Matrix],
                 names: tuple[str, ...], cost: Mapping[str, float] | None,
                 budget: float | None, member: Matrix | None, min_ratio: float | None,
                 time_limit: float) -> Any:
    """Every choice a binary: the budget (and the floor, if any, beside it)."""
    n, k = benefit.shape
    blocks = [places]
    upper = integer = np.zeros(0)  # the floor's columns, if any
    if member is not None and min_ratio is not None:
        blocks, _, upper, integer = _floor_blocks(places, member, min_ratio, k)
    if budget is not None:
        prices = np.array([(cost or {}).get(name, 0.0) for name in names])
        row = sparse.hstack([sparse.csr_matrix(np.tile(prices, n)),
                             sparse.csr_matrix((1, len(upper)))], format="csr")
        blocks.append((row, np.zeros(1), np.array([float(budget)])))
    return _solve(np.concatenate([-benefit.ravel(), np.zeros(len(upper))]), blocks,
                  np.concatenate([np.ones(n * k), integer]),
                  Bounds(0, np.concatenate([np.ones(n * k), upper])), time_limit)


def _fill(order: Sequence[int], choice: Matrix, names: tuple[str, ...],
          capacity: Mapping[str, int], n: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    left = {j: capacity.get(name, n) for j, name in enumerate(names)}
    assigned = np.full(n, -1, dtype=np.int64)
    for i in order:
        for j in choice[i]:
            if left[int(j)] > 0:
                assigned[i] = int(j)
                left[int(j)] -= 1
                break
    return assigned


def allocate_by_risk(risk: Matrix, benefit: Matrix, interventions: Sequence[str],
                     capacity: Mapping[str, int]) -> Allocation:
    """Highest risk first, each to the intervention with the most expected benefit left."""
    names = tuple(interventions)
    order = np.argsort(-np.asarray(risk, dtype=float), kind="stable")
    choice = np.argsort(-np.asarray(benefit, dtype=float), axis=1, kind="stable")
    assigned = _fill(list(order), choice, names, capacity, len(order))
    return Allocation(assigned, names, plan_value(assigned, benefit), "heuristic")


def allocate_random(n: int, interventions: Sequence[str], capacity: Mapping[str, int],
                    benefit: Matrix, *, seed: int = 0) -> Allocation:
    """Places drawn at random: the baseline any plan must beat."""
    names = tuple(interventions)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    choice = np.array([rng.permutation(len(names)) for _ in range(n)])
    assigned = _fill(list(order), choice, names, capacity, n)
    return Allocation(assigned, names, plan_value(assigned, benefit), "random")
