"""IHDP-style validation replications: choose per-person effect models off the reported data.

    .venv/bin/python benchmarks/cases_ihdp_validation.py [--replications 10] [--first-seed 100]

The nine IHDP replications in ``cases_bench.py`` are for reporting only. To compare
candidate models without tuning on them, this script draws new replications the way Hill
(2011, response surface B) did, on the same 747 children's covariates (read from
``ihdp_npci_1.csv``; its outcomes are not used): each coefficient is 0, 0.1, 0.2, 0.3 or 0.4
with probabilities 0.6, 0.1, 0.1, 0.1, 0.1; mu0 = exp((x + 0.5)·β), mu1 = x·β − ω with ω
set so the effect on the treated is 4; outcomes get N(0, 1) noise. Every model is
cross-fitted (5 folds) as in the benchmark; √PEHE is against mu1 − mu0.

The Gaussian-process rows are ``GaussianProcessEffect(structure=...)``; "averaged" (the
default per-person model up to 1,000 rows) is the mean of the separate and shared
estimates, which is exactly what that structure computes, so it is derived here rather
than fitted a third time.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from cases_bench import (
    FoldMethod,
    base_model,
    cross_fitted,
    forest,
    gaussian_process,
    t_learner,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

Array = np.ndarray[Any, Any]
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def simulate(x: Array, t: Array, seed: int) -> tuple[Array, Array]:
    """One response-surface-B replication: factual outcomes and the true effects."""
    rng = np.random.default_rng(seed)
    beta = rng.choice([0.0, 0.1, 0.2, 0.3, 0.4], x.shape[1], p=[0.6, 0.1, 0.1, 0.1, 0.1])
    mu0 = np.exp((x + 0.5) @ beta)
    linear = x @ beta
    omega = np.mean(linear[t == 1] - mu0[t == 1]) - 4.0
    mu1 = linear - omega
    y = np.where(t == 1, mu1, mu0) + rng.normal(0.0, 1.0, len(t))
    return y, mu1 - mu0


def _x_learner(x: Array, t: Array, y: Array, x_new: Array) -> Array:
    """Künzel et al. (2019): imputed effects per arm, weighted by the propensity."""
    treated, control = t == 1, t == 0
    mu1 = base_model().fit(x[treated], y[treated])
    mu0 = base_model().fit(x[control], y[control])
    tau1 = base_model().fit(x[treated], y[treated] - mu0.predict(x[treated]))
    tau0 = base_model().fit(x[control], mu1.predict(x[control]) - y[control])
    e = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(x, t)
    g = e.predict_proba(x_new)[:, 1]
    return np.asarray(g * tau0.predict(x_new) + (1 - g) * tau1.predict(x_new))


def _t_linear_trees(x: Array, t: Array, y: Array, x_new: Array) -> Array:
    """T-learner whose trees end in linear models, so it can extrapolate a little."""
    return t_learner(x, t, y, x_new, linear_tree=True)


SEPARATE = "Gaussian processes, separate arms (T-learner)"
SHARED = "Gaussian process, shared over arms"
AVERAGED = "Gaussian processes, averaged (default ≤ 1,000 rows)"
CANDIDATES: dict[str, FoldMethod] = {
    "causal forest": forest,
    "T-learner (LightGBM)": t_learner,
    "X-learner (LightGBM)": _x_learner,
    "T-learner (LightGBM, linear trees)": _t_linear_trees,
    SEPARATE: gaussian_process("separate"),
    SHARED: gaussian_process("shared"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    values = pd.read_csv(args.data / "ihdp" / "ihdp_npci_1.csv", header=None).to_numpy(float)
    t, x = values[:, 0].astype(int), values[:, 5:]
    names = [*CANDIDATES, AVERAGED]
    print("| replication (seed) | sd of true effect | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 2) + "|")
    scores: dict[str, list[float]] = {name: [] for name in names}
    seconds = dict.fromkeys(names, 0.0)
    for seed in range(args.first_seed, args.first_seed + args.replications):
        y, tau = simulate(x, t, seed)
        estimates = {}
        for name, method in CANDIDATES.items():
            started = time.perf_counter()
            estimates[name] = cross_fitted(method, x, t, y)
            seconds[name] += time.perf_counter() - started
        estimates[AVERAGED] = (estimates[SEPARATE] + estimates[SHARED]) / 2
        seconds[AVERAGED] = seconds[SEPARATE] + seconds[SHARED]
        for name, estimate in estimates.items():
            scores[name].append(float(np.sqrt(np.mean((estimate - tau) ** 2))))
        print(f"| {seed} | {tau.std():.2f} | "
              + " | ".join(f"{scores[n][-1]:.2f}" for n in names) + " |", flush=True)
    print("| **mean √PEHE** | | " + " | ".join(f"**{np.mean(scores[n]):.2f}**" for n in names)
          + " |")
    print("| median √PEHE | | " + " | ".join(f"{np.median(scores[n]):.2f}" for n in names)
          + " |")
    print("| seconds, all replications | | " + " | ".join(f"{seconds[n]:.0f}" for n in names)
          + " |")


if __name__ == "__main__":
    main()
