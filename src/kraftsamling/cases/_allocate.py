"""Allocation of scarce places: who gets which intervention, for the most expected benefit.

An exact mixed-integer programme (scipy's HiGHS): one binary per person and intervention;
at most one intervention per person; places per intervention; an optional budget; and an
optional fairness floor, the share of each group offered a place at least ``min_ratio`` times
the share of any other group. The plan is a recommendation: a caseworker decides.
"""

from __future__ import annotations

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
    """
    benefit = np.asarray(benefit, dtype=float)
    _check(benefit, interventions, capacity)
    n, k = benefit.shape
    names = tuple(interventions)
    c = -benefit.ravel()  # milp minimises
    rows: list[sparse.spmatrix] = []
    lower: list[float] = []
    upper: list[float] = []
    person = sparse.kron(sparse.identity(n), np.ones((1, k)), format="csr")
    rows.append(person)
    lower += [0.0] * n
    upper += [1.0] * n
    for j, name in enumerate(names):
        if name in capacity:
            row = sparse.csr_matrix((np.ones(n), (np.zeros(n), np.arange(n) * k + j)),
                                    shape=(1, n * k))
            rows.append(row)
            lower.append(0.0)
            upper.append(float(capacity[name]))
    if budget is not None:
        prices = np.array([(cost or {}).get(name, 0.0) for name in names])
        rows.append(sparse.csr_matrix(np.tile(prices, n)))
        lower.append(0.0)
        upper.append(float(budget))
    if groups is not None and min_ratio is not None:
        labels = np.asarray(groups, dtype=object)
        if len(labels) != n:
            raise ValueError("Grupperna måste ha en rad per person.")
        levels = sorted({str(g) for g in labels})
        share_rows = []
        for level in levels:
            members = (labels.astype(str) == level).astype(float)
            share_rows.append(np.repeat(members / members.sum(), k))
        for a in range(len(levels)):
            for b in range(len(levels)):
                if a != b:  # share_a - min_ratio * share_b >= 0
                    rows.append(sparse.csr_matrix(share_rows[a] - min_ratio * share_rows[b]))
                    lower.append(0.0)
                    upper.append(np.inf)
    constraint = LinearConstraint(sparse.vstack(rows, format="csr"), lower, upper)
    options = {"time_limit": time_limit, "disp": False}
    result = None
    if len(rows) == 1 + sum(name in capacity for name in names):
        # Places only: the constraint matrix is a bipartite incidence matrix (totally
        # unimodular), so the linear relaxation's simplex optimum is already 0/1 — the
        # same exact plan in a fraction of the time. Checked; otherwise the integer programme.
        relaxed = milp(c, constraints=constraint, integrality=np.zeros(n * k),
                       bounds=Bounds(0, 1), options=options)
        if relaxed.x is not None and relaxed.status == 0 \
                and np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-6):
            result = relaxed
    if result is None:
        result = milp(c, constraints=constraint, integrality=np.ones(n * k),
                      bounds=Bounds(0, 1), options=options)
    if result.x is None:
        if result.status == 1:
            raise ValueError(f"Ingen fördelning hittades inom tidsgränsen ({time_limit:g} s): "
                             "prova med färre personer eller utan rättvisegolv.")
        raise ValueError("Ingen fördelning uppfyller villkoren (platser, budget och "
                         f"rättvisegolv): {result.message}")
    x = np.round(result.x).reshape(n, k)
    assigned = np.where(x.max(1) > 0.5, x.argmax(1), -1).astype(np.int64)
    return Allocation(assigned, names, plan_value(assigned, benefit),
                      "optimal" if result.status == 0 else str(result.message))


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
