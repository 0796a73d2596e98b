"""Which per-person effect model allocates places best? Candidates on validation seeds.

    .venv/bin/python benchmarks/cases_cate_candidates.py [--n 20000]

Trained on synthetic households with seed 21, scored on seed 22 — not the benchmark's 11/12,
so a choice made here is not a choice made on the reported test. Each candidate's estimated
benefits drive the same exact allocation (10 % of households get a place, split evenly);
the plan is scored by the true benefit, as a share of the oracle's plan.

Two ceilings close the table: planning by each household's true expected effect given its
covariates, and given only the covariates the register lets a model read (birth region is
audit-only). One more row shows what the default model would reach if it could read birth
region — a measure of what the register costs, not an option the toolkit offers.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kraftsamling.cases import (
    EA_INTERVENTIONS,
    KINDS,
    EffectEstimator,
    FeatureRegister,
    allocate,
    design_matrix,
    expected_true_effects,
    plan_value,
    synthetic_economic_assistance,
)

Array = np.ndarray[Any, Any]
NAMES = list(EA_INTERVENTIONS)


def _gbm(**extra: Any) -> dict[str, Any]:
    return {"n_estimators": 300, "learning_rate": 0.03, "num_leaves": 15,
            "min_child_samples": 50, "verbose": -1, "random_state": 0, "n_jobs": 2, **extra}


def forest(x: Array, t: Array, y: Array, xt: Array) -> Array:
    columns = [f"c{i}" for i in range(x.shape[1])]
    model = EffectEstimator(random_state=0).fit(pd.DataFrame(x, columns=columns), t, y)
    return model.effect(pd.DataFrame(xt, columns=columns))[0]


def t_learner(x: Array, t: Array, y: Array, xt: Array) -> Array:
    treated = LGBMClassifier(**_gbm()).fit(x[t == 1], y[t == 1])
    control = LGBMClassifier(**_gbm()).fit(x[t == 0], y[t == 0])
    return np.asarray(treated.predict_proba(xt)[:, 1] - control.predict_proba(xt)[:, 1])


def s_learner(x: Array, t: Array, y: Array, xt: Array) -> Array:
    model = LGBMClassifier(**_gbm(n_estimators=400)).fit(np.column_stack([x, t]), y)
    ones, zeros = np.ones(len(xt)), np.zeros(len(xt))
    return np.asarray(model.predict_proba(np.column_stack([xt, ones]))[:, 1]
                      - model.predict_proba(np.column_stack([xt, zeros]))[:, 1])


def dr_learner(x: Array, t: Array, y: Array, xt: Array) -> Array:
    from econml.dr import DRLearner

    model = DRLearner(
        model_propensity=make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
        model_regression=LGBMClassifier(**_gbm(n_estimators=200, learning_rate=0.05)),
        model_final=LGBMRegressor(**_gbm(n_estimators=200, num_leaves=7,
                                         min_child_samples=200)),
        discrete_outcome=True, cv=5, random_state=0, min_propensity=0.01)
    model.fit(y, t, X=x)
    return np.asarray(model.effect(xt)).ravel()


def interactions(x: Array, t: Array, y: Array, xt: Array) -> Array:
    scaler = StandardScaler().fit(x)

    def design(z: Array, treated: Array) -> Array:
        return np.column_stack([z, treated, z * treated[:, None]])

    model = LogisticRegression(max_iter=5000).fit(design(scaler.transform(x), t * 1.0), y)
    zt = scaler.transform(xt)
    ones, zeros = np.ones(len(zt)), np.zeros(len(zt))
    return np.asarray(model.predict_proba(design(zt, ones))[:, 1]
                      - model.predict_proba(design(zt, zeros))[:, 1])


CANDIDATES: dict[str, Callable[[Array, Array, Array, Array], Array]] = {
    "causal forest (default)": forest, "S-learner (LightGBM)": s_learner,
    "DR-learner (LightGBM final stage)": dr_learner, "T-learner (LightGBM)": t_learner,
    "logistic with treatment interactions": interactions,
}


def _matrices(train: pd.DataFrame, test: pd.DataFrame, columns: list[str]
              ) -> tuple[Array, Array]:
    """Design matrices for training and scoring, the test's columns aligned to the train's."""
    frame = design_matrix(train[columns])
    scored = design_matrix(test[columns]).reindex(columns=frame.columns, fill_value=0.0)
    return frame.to_numpy(float), scored.to_numpy(float)


def _benefits(method: Callable[[Array, Array, Array, Array], Array], train: pd.DataFrame,
              x: Array, y: Array, xt: Array) -> Array:
    """Estimated benefit (fewer long-term) per scored household and intervention, each
    intervention's model trained on those who got it against those who got nothing."""
    estimated = np.zeros((len(xt), len(NAMES)))
    for j, name in enumerate(NAMES):
        rows = train["intervention"].isin(["ingen", name]).to_numpy()
        t = (train.loc[rows, "intervention"] == name).to_numpy().astype(int)
        estimated[:, j] = -method(x[rows], t, y[rows], xt)
    return estimated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    train = synthetic_economic_assistance(args.n, seed=21)
    test = synthetic_economic_assistance(10000, seed=22)
    spec = KINDS["economic-assistance"]
    candidates = [c for c in train.data.columns
                  if c not in {spec["id"], spec["outcome"], "intervention", *spec["drop"]}]
    features = FeatureRegister.from_toml().allowed(candidates)
    x, xt = _matrices(train.data, test.data, features)
    y = train.data["long_term"].to_numpy(float)
    truth = np.column_stack([-test.truth[f"effect_{n}"].to_numpy() for n in NAMES])
    capacity = {n: len(xt) // (10 * len(NAMES)) for n in NAMES}
    oracle = allocate(truth, NAMES, capacity).expected_benefit
    ceilings = {}
    for known, label in ((True, "true E[effect given covariates] (ceiling)"),
                         (False, "true E[effect given the covariates the register allows] "
                                 "(ceiling without birth region)")):
        expected = expected_true_effects(test.data, birth_region_known=known)
        ceilings[label] = allocate(np.column_stack([-expected[f"effect_{n}"] for n in NAMES]),
                                   NAMES, capacity)
    print(f"Trained on {args.n:,} households (seed 21), scored on 10,000 (seed 22).\n")
    print("| per-person effect model | share of the oracle's benefit | RMSE of benefit "
          "(mean over interventions) | seconds |")
    print("|---|---|---|---|")
    for label, method in CANDIDATES.items():
        started = time.perf_counter()
        estimated = _benefits(method, train.data, x, y, xt)
        seconds = time.perf_counter() - started
        share = plan_value(allocate(estimated, NAMES, capacity).assigned, truth) / oracle
        rmse = float(np.sqrt(((estimated - truth) ** 2).mean(axis=0)).mean())
        print(f"| {label} | {share:.1%} | {rmse:.3f} | {seconds:.0f} |")
    # What the register costs: the default model, allowed to read birth region.
    xr, xrt = _matrices(train.data, test.data, [*features, "birth_region"])
    estimated = _benefits(forest, train.data, xr, y, xrt)
    print(f"| causal forest reading birth region (the register forbids it) | "
          f"{plan_value(allocate(estimated, NAMES, capacity).assigned, truth) / oracle:.1%} "
          "| | |")
    for label, ceiling in ceilings.items():
        print(f"| {label} | {plan_value(ceiling.assigned, truth) / oracle:.1%} | | |")


if __name__ == "__main__":
    main()
