"""Cases benchmark: LaLonde, IHDP, synthetic data with known truth, training time.

    .venv/bin/python benchmarks/cases_bench.py [--parts lalonde,ihdp,synthetic,speed]

LaLonde (NSW treated against NSW, PSID and CPS controls): the default method (cross-fitted
AIPW with the overlap check) estimates the effect on the treated — the quantity the
experiment measured, $1,794 — from the eight pre-programme covariates as shipped.

IHDP (9 replications): per-person effects from the default model (at IHDP's size,
Gaussian processes: separate arms and shared over arms, averaged) against a T-learner on the
same Gaussian-process base model, all cross-fitted (each row predicted by models that never
saw it); √PEHE against the true mu1 − mu0, and the error of the average. The causal forest
(the default above 1,000 rows) and a LightGBM T-learner are shown for reference.

Synthetic: trained on one generated population, scored on a fresh one (other seed) with
known truth. Allocation gives 10 % of people a place, split evenly over interventions.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from kraftsamling.cases import (
    EffectEstimator,
    GaussianProcessEffect,
    OverlapError,
    RiskModel,
    allocate,
    allocation_plan,
    calibration_error,
    design_matrix,
    effect_matrix,
    expected_true_effects,
    household_months,
    plan_value,
    synthetic_economic_assistance,
    train_case_models,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LALONDE = ["treat", "age", "educ", "black", "hisp", "married", "nodegree", "re74", "re75",
           "re78"]


def _lalonde(name: str, data: Path) -> pd.DataFrame:
    frame = pd.read_csv(data / "lalonde" / name, sep=r"[\s,]+", header=None, engine="python")
    frame = frame.iloc[:, :10]
    frame.columns = LALONDE
    return frame


def lalonde(data: Path) -> None:
    treated = _lalonde("nswre74_treated.txt", data)
    print("| controls | n | effect on the treated | 95 % CI | covers $1,794 | within ±$1,000 |")
    print("|---|---|---|---|---|---|")
    for label, name in (("NSW (experimental)", "nswre74_controls.txt"),
                        ("PSID", "psid_controls.txt"), ("CPS", "cps_controls.txt")):
        frame = pd.concat([treated, _lalonde(name, data)], ignore_index=True)
        x = design_matrix(frame.drop(columns=["treat", "re78"]))
        model = EffectEstimator(estimand="att", cate=False).fit(x, frame["treat"], frame["re78"])
        low, high = model.ci_
        print(f"| {label} | {len(frame):,} | ${model.effect_:,.0f} | ${low:,.0f} to ${high:,.0f} | "
              f"{'yes' if low <= 1794 <= high else 'no'} | "
              f"{'yes' if abs(model.effect_ - 1794) <= 1000 else 'no'} |")
    frame = pd.concat([treated, _lalonde("psid_controls.txt", data)], ignore_index=True)
    try:
        EffectEstimator(estimand="ate", cate=False).fit(
            design_matrix(frame.drop(columns=["treat", "re78"])), frame["treat"], frame["re78"])
    except OverlapError as error:
        print(f"\nAverage effect on everyone (ate) with PSID controls, refused: {error}")
    print()


def base_model(**extra: Any) -> Any:
    """The IHDP comparison's base model, shared by every per-person candidate."""
    from lightgbm import LGBMRegressor

    return LGBMRegressor(n_estimators=200, learning_rate=0.05, num_leaves=15,
                         min_child_samples=10, subsample=0.8, subsample_freq=1,
                         random_state=0, verbose=-1, n_jobs=2, **extra)


FoldMethod = Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any],
                       np.ndarray[Any, Any]], np.ndarray[Any, Any]]


def cross_fitted(method: FoldMethod, x: np.ndarray[Any, Any], t: np.ndarray[Any, Any],
                 y: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Each row's effect from ``method(x, t, y, x_new)`` fitted on the other four folds."""
    from sklearn.model_selection import KFold

    answer = np.zeros(len(y))
    for train, test in KFold(5, shuffle=True, random_state=0).split(x):
        answer[test] = method(x[train], t[train], y[train], x[test])
    return answer


def t_learner(x: np.ndarray[Any, Any], t: np.ndarray[Any, Any], y: np.ndarray[Any, Any],
              x_new: np.ndarray[Any, Any], **extra: Any) -> np.ndarray[Any, Any]:
    """One base model per arm; the effect is the difference of their predictions."""
    treated, control = (base_model(**extra).fit(x[t == arm], y[t == arm]).predict(x_new)
                        for arm in (1, 0))
    return np.asarray(treated - control)


def effect_model(cate_method: str) -> FoldMethod:
    """``EffectEstimator``'s per-person model, overlap checks off as IHDP needs."""
    def method(x: np.ndarray[Any, Any], t: np.ndarray[Any, Any], y: np.ndarray[Any, Any],
               x_new: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        model = EffectEstimator(cate_method=cast(Any, cate_method), overlap_bound=0.0,
                                min_kept=0.0).fit(pd.DataFrame(x), t, y)
        return model.effect(pd.DataFrame(x_new))[0]
    return method


def gaussian_process(structure: str) -> FoldMethod:
    """``GaussianProcessEffect`` with one structure; "separate" is the same-base T-learner."""
    def method(x: np.ndarray[Any, Any], t: np.ndarray[Any, Any], y: np.ndarray[Any, Any],
               x_new: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return GaussianProcessEffect(structure=cast(Any, structure)).fit(x, t, y).effect(
            x_new)[0]
    return method


# The causal forest is the default above 1,000 rows or for a 0/1 outcome.
forest = effect_model("forest")


def ihdp(data: Path) -> None:
    print("| replication | √PEHE ours (default: Gaussian processes) | √PEHE T-learner (same "
          "base) | √PEHE causal forest | √PEHE T-learner (LightGBM) | ATE error ours (AIPW) "
          "| ATE error T-learner (same base) |")
    print("|---|---|---|---|---|---|---|")
    columns: dict[str, list[float]] = {key: [] for key in
                                       ("ours", "t", "forest", "lightgbm", "ate", "ate_t")}
    for replication in range(1, 10):
        values = pd.read_csv(data / "ihdp" / f"ihdp_npci_{replication}.csv",
                             header=None).to_numpy(float)
        t, y, tau, x = values[:, 0].astype(int), values[:, 1], values[:, 4] - values[:, 3], \
            values[:, 5:]
        estimates = {key: cross_fitted(method, x, t, y) for key, method in
                     (("ours", effect_model("auto")), ("t", gaussian_process("separate")),
                      ("forest", forest), ("lightgbm", t_learner))}
        for key, estimate in estimates.items():
            columns[key].append(float(np.sqrt(np.mean((estimate - tau) ** 2))))
        ate = EffectEstimator(cate=False, overlap_bound=0.0, min_kept=0.0).fit(
            pd.DataFrame(x), t, y).effect_
        columns["ate"].append(abs(ate - tau.mean()))
        columns["ate_t"].append(abs(estimates["t"].mean() - tau.mean()))
        print(f"| {replication} | " + " | ".join(
            f"{columns[key][-1]:.{3 if key.startswith('ate') else 2}f}" for key in columns)
            + " |", flush=True)
    print("| **mean** | " + " | ".join(
        f"**{np.mean(values):.{3 if key.startswith('ate') else 2}f}**"
        for key, values in columns.items()) + " |\n")


def _normalised_qini(predicted: np.ndarray[Any, Any], true: np.ndarray[Any, Any]) -> float:
    """Area under the cumulative true-benefit curve when treating in predicted order,
    0 for random order and 1 for the oracle's order."""
    def area(order: np.ndarray[Any, Any]) -> float:
        return float(np.cumsum(true[order]).sum())

    random_area = float(true.sum()) * (len(true) + 1) / 2
    best = area(np.argsort(-true))
    return (area(np.argsort(-predicted)) - random_area) / (best - random_area)


def synthetic(n_train: int, n_test: int) -> None:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    train = synthetic_economic_assistance(n_train, seed=11)
    test = synthetic_economic_assistance(n_test, seed=12)
    started = time.perf_counter()
    models = train_case_models(train.data, kind="economic-assistance", n_boot=50)
    elapsed = time.perf_counter() - started
    frame, truth = test.data, test.truth
    p = models.risk.predict_proba(frame[models.features])[:, 1]
    y = frame["long_term"].to_numpy()
    given = frame["intervention"].astype(str).to_numpy()
    oracle_p = np.array([truth[f"p_long_term_{v}"].to_numpy()[i] for i, v in enumerate(given)])
    print(f"Trained on {n_train:,} households in {elapsed:.0f} s; scored on {n_test:,} "
          "new households (other seed).\n")
    print("| measure | ours | reference | target |")
    print("|---|---|---|---|")
    print(f"| risk AUC | {roc_auc_score(y, p):.3f} | the true probability: "
          f"{roc_auc_score(y, oracle_p):.3f} | |")
    print(f"| risk Brier | {brier_score_loss(y, p):.3f} | base rate only: "
          f"{brier_score_loss(y, np.full(len(y), y.mean())):.3f} | |")
    print(f"| risk calibration error (ECE, 10 bins) | {calibration_error(y, p):.3f} | | ≤ 0.02 |")
    estimated, _, _ = effect_matrix(models, frame)
    names = list(models.effects)
    true_benefit = np.column_stack([-truth[f"effect_{name}"].to_numpy() for name in names])
    for j, name in enumerate(names):
        qini = _normalised_qini(estimated[:, j], true_benefit[:, j])
        print(f"| uplift normalised Qini, {name} | {qini:.3f} | random 0, oracle 1 | |")
    capacity = {name: max(1, n_test // (10 * len(names))) for name in names}
    _, compared = allocation_plan(models, frame, capacity, benefit=true_benefit)
    oracle = allocate(true_benefit, names, capacity)
    best = oracle.expected_benefit
    print(f"| allocation: true benefit, share of the oracle's | "
          f"{compared['optimal'].expected_benefit / best:.1%} | oracle {best:.1f} fewer "
          "long-term households | ≥ 90 % |")
    for known, label, reference in (
            (True, "the true E[effect given covariates]", "the best any model of the "
             "covariates can do (the oracle also knows unobserved noise)"),
            (False, "the true E[effect given the covariates the register allows]",
             "the best a model without birth region (audit-only) can do")):
        expected = expected_true_effects(frame, birth_region_known=known)
        ceiling = allocate(np.column_stack([-expected[f"effect_{n}"].to_numpy()
                                            for n in names]), names, capacity)
        print(f"| allocation by {label}, share of the oracle's | "
              f"{plan_value(ceiling.assigned, true_benefit) / best:.1%} | {reference} | |")
    for key, label in (("random", "random"), ("risk_first", "highest risk first"),
                       ("current", "current practice")):
        value = compared[key].expected_benefit
        ratio = compared["optimal"].expected_benefit / value if value > 0 else float("inf")
        print(f"| allocation: ours ÷ {label} | {ratio:.2f} | {label} {value:.1f} | |")
    _, fair_compared = allocation_plan(models, frame, capacity, benefit=true_benefit,
                                          fair_by="district", min_ratio=0.8)
    print(f"| allocation with district floor 0.8: share of oracle | "
          f"{fair_compared['optimal'].expected_benefit / best:.1%} | | |")
    promised = plan_value(compared["optimal"].assigned, estimated)
    print(f"| true benefit of the plan ÷ its estimated benefit | "
          f"{compared['optimal'].expected_benefit / promised:.2f} | 1 = estimates honest | |\n")


def speed(rows: int) -> None:
    households = int(rows / 9.6) + 1
    panel = household_months(synthetic_economic_assistance(households, seed=5), seed=5)
    panel = panel.head(rows)
    features = ["month", "age", "district", "household_type", "education", "main_reason",
                "prior_months", "amount"]
    x, y = panel[features], panel["long_term"].to_numpy()
    started = time.perf_counter()
    RiskModel().fit(x, y)
    alone = time.perf_counter() - started
    print("| task | rows | seconds |")
    print("|---|---|---|")
    print(f"| calibrated risk model (LightGBM + isotonic, 3 folds, + explainer model) | "
          f"{len(panel):,} | {alone:.0f} |")
    try:
        from dask.distributed import Client, LocalCluster
        from lightgbm import DaskLGBMClassifier
    except ImportError as error:
        print(f"| LightGBM on Dask | — | not run: {error} |")
        return
    import dask.array as da

    design = design_matrix(x).to_numpy(dtype=float)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        chunk = len(design) // 4 + 1
        features = da.from_array(design, chunks=(chunk, design.shape[1]))
        labels = da.from_array(y, chunks=chunk)
        started = time.perf_counter()
        DaskLGBMClassifier(n_estimators=300, learning_rate=0.05, num_leaves=31,
                           min_child_samples=40, verbose=-1).fit(features, labels)
        dask_time = time.perf_counter() - started
    print(f"| LightGBM on a local Dask cluster (2 workers, uncalibrated) | {len(panel):,} | "
          f"{dask_time:.0f} |\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--parts", default="lalonde,ihdp,synthetic,speed")
    parser.add_argument("--train", type=int, default=20_000)
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    parts = set(args.parts.split(","))
    if "lalonde" in parts:
        lalonde(args.data)
    if "ihdp" in parts:
        ihdp(args.data)
    if "synthetic" in parts:
        synthetic(args.train, args.test)
    if "speed" in parts:
        speed(args.rows)


if __name__ == "__main__":
    main()
