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

Per-person candidates (``--parts candidates``, issue 24): every candidate the default
``EffectEstimator`` fits, and the combination it chose by the held-out R-loss alone, side by
side — on IHDP (``--replications``), on synthetic economic assistance at ``--sizes`` rows
(språkpraktik against none, truth E[effect | covariates]) and on LaLonde (no per-person
truth: each candidate's mean over the treated against $1,794). Every √PEHE is out of fold:
each row's effect from fold models that never saw it, the same predictions the R-loss
scored. The true effects are read only to report.

Coverage (``--parts coverage --draws N``): the 95 % interval of the average effect over N
fresh synthetic draws (jobbtorg against none, ``--coverage-rows`` households each) against the
population ATE (from 300,000 households), for one split and for the median over
``n_repeats`` splits; and on IHDP's replications against each one's mean true effect.
``--parts coverage-trimmed`` does the same where the overlap check leaves rows out
(``--trim-arm studier --trim-bound 0.05``): the truth is each draw's mean true effect over
the rows kept, the quantity the interval is for.

Effect speed (``--parts effect-speed``): 5,000 rows × 60 covariates (the generator's plus
derived and noise columns, mixed types), the default estimator with per-row effects and
intervals, against a plain LightGBM T-learner in the same run; the load average is printed.

Gaussian-process memory (``--parts gp-heap``, session 33): IHDP replication
``--heap-replication`` fitted by ``GaussianProcessEffect(structure="separate", max_iter=20)``
(the control arm's 608 rows × 25 covariates: a 608² × 28 × 8 B = 83 MB kernel gradient at each
optimiser step) with ``keep_freed_memory`` on and off, alternated ``--heap-rounds`` times in
one process: wall, user and system seconds and minor page faults, load beside.
"""

from __future__ import annotations

import argparse
import sys
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
          "long-term households | |")
    for known, label, reference in (
            (True, "the true E[effect given covariates]", "the best any model of the "
             "covariates can do (the oracle also knows unobserved noise)"),
            (False, "the true E[effect given the covariates the register allows]",
             "the best a model without birth region (audit-only) can do")):
        expected = expected_true_effects(frame, birth_region_known=known)
        ceiling = allocate(np.column_stack([-expected[f"effect_{n}"].to_numpy()
                                            for n in names]), names, capacity)
        ceiling_value = plan_value(ceiling.assigned, true_benefit)
        print(f"| allocation by {label}, share of the oracle's | "
              f"{ceiling_value / best:.1%} | {reference} | |")
        if not known:
            print(f"| allocation: true benefit, share of the lawful ceiling (the line above) | "
                  f"{compared['optimal'].expected_benefit / ceiling_value:.1%} | "
                  f"ceiling {ceiling_value:.1f} | ≥ 90 % |")
    for key, label in (("random", "random"), ("risk_first", "highest risk first"),
                       ("current", "current practice")):
        value = compared[key].expected_benefit
        ratio = compared["optimal"].expected_benefit / value if value > 0 else float("inf")
        print(f"| allocation: ours ÷ {label} | {ratio:.2f} | {label} {value:.1f} | |")
    districts = frame["district"].astype(str).tolist()
    try:
        started = time.perf_counter()
        _, fair_compared = allocation_plan(models, frame, capacity, benefit=true_benefit,
                                           estimated=estimated, fair_by="district",
                                           min_ratio=0.8)
        fair_seconds = time.perf_counter() - started
        lawful = expected_true_effects(frame, birth_region_known=False)
        fair_ceiling = allocate(np.column_stack([-lawful[f"effect_{n}"].to_numpy()
                                                 for n in names]), names, capacity,
                                groups=districts, min_ratio=0.8)
        fair_ceiling_value = plan_value(fair_ceiling.assigned, true_benefit)
        fair_value = fair_compared["optimal"].expected_benefit
        print(f"| allocation with district floor 0.8: share of oracle | {fair_value / best:.1%} "
              f"| solved in {fair_seconds:.1f} s ({fair_compared['optimal'].status}) | |")
        print(f"| allocation with district floor 0.8: share of the lawful ceiling with the same "
              f"floor | {fair_value / fair_ceiling_value:.1%} | ceiling "
              f"{fair_ceiling_value:.1f} | |")
    except ValueError as error:  # the floor's plan not found: the row says so
        print(f"| allocation with district floor 0.8 | not found | {error} | |")
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


def _pehe(estimate: np.ndarray[Any, Any], truth: np.ndarray[Any, Any]) -> float:
    return float(np.sqrt(np.mean((estimate - truth) ** 2)))


RULE_COLUMNS = ("best", "near-best", "stack", "bagged-best", "smoothest")


def _candidate_row(model: EffectEstimator, truth: np.ndarray[Any, Any]) -> dict[str, float]:
    """√PEHE of every candidate, of the chosen combination and of each selection rule, all
    out of fold (the rules are applied to the same held-out effects; only ``chosen`` is the
    estimator's own)."""
    assert model.cate_model_ is not None
    row = {name: _pehe(oof, truth) for name, oof in model.cate_model_.out_of_fold.items()}
    row["chosen"] = _pehe(model.cate_out_of_fold_, truth)
    for rule in RULE_COLUMNS:
        row[rule] = _pehe(model.cate_model_.rule_out_of_fold[rule], truth)
    return row


def _candidate_names(row: dict[str, float]) -> list[str]:
    return [k for k in row if k not in ("chosen", *RULE_COLUMNS)]


def _candidate_header(title: str, names: list[str], selection: str) -> None:
    print(f"\n{title}\n")
    print("| data | " + " | ".join(names) + f" | **chosen** ({selection}) | chosen ÷ best "
          "| chosen ÷ t-learner | rule: best R | rule: near-best | rule: stack | "
          "rule: bagged-best | rule: 1-SE smoothest | choice |")
    print("|---|" + "---|" * (len(names) + 9), flush=True)


def _candidate_line(label: str, row: dict[str, float], choice: str,
                    score: dict[str, float]) -> None:
    names = _candidate_names(row)
    best = min(row[n] for n in names)
    cells = [f"{row[n]:.3f}" + (f" (R {score[n]:+.3f})" if np.isfinite(score.get(n, np.nan))
                                else "") for n in names]
    print(f"| {label} | " + " | ".join(cells) + f" | **{row['chosen']:.3f}** | "
          f"{row['chosen'] / best:.3f} | {row['chosen'] / row['t-learner']:.3f} | "
          + " | ".join(f"{row[r]:.3f}" for r in RULE_COLUMNS) + f" | {choice} |", flush=True)


def _candidate_seconds(model: EffectEstimator) -> None:
    """Each candidate's fitting time (all folds), to stderr so the table stays whole."""
    print("    seconds per candidate: " + ", ".join(
        f"{c.name} {c.seconds:.0f}" for c in model.candidates_), file=sys.stderr, flush=True)


def gp_heap(data: Path, replication: int, rounds: int) -> None:
    import os
    import resource

    t, y, _, x = _ihdp_arrays(data, replication)
    print(f"IHDP {replication}: {len(x)} rows × {x.shape[1]} covariates "
          f"({(t == 0).sum()} control, {(t == 1).sum()} treated); "
          f"load {os.getloadavg()[0]:.1f} at the start\n")
    print("| keep_freed_memory | wall s | user s | system s | minor faults |")
    print("|---|---|---|---|---|")
    totals: dict[bool, list[float]] = {True: [0.0] * 4, False: [0.0] * 4}
    for _ in range(rounds):
        for keep in (True, False):
            before = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            GaussianProcessEffect(structure="separate", max_iter=20,
                                  keep_freed_memory=keep).fit(x, t, y)
            after = resource.getrusage(resource.RUSAGE_SELF)
            row = [time.perf_counter() - started, after.ru_utime - before.ru_utime,
                   after.ru_stime - before.ru_stime, after.ru_minflt - before.ru_minflt]
            totals[keep] = [a + b for a, b in zip(totals[keep], row, strict=True)]
            print(f"| {'on' if keep else 'off'} | {row[0]:.1f} | {row[1]:.1f} | {row[2]:.1f} | "
                  f"{row[3]:,.0f} |")
    on, off = totals[True], totals[False]
    print(f"| **on ÷ off, {rounds} rounds** | {on[0] / off[0]:.2f} | {on[1] / off[1]:.2f} | "
          f"{on[2] / max(off[2], 1e-9):.2f} | {on[3] / max(off[3], 1):.3f} |")
    print(f"\nload {os.getloadavg()[0]:.1f} at the end\n")


def _ihdp_arrays(data: Path, replication: int) -> tuple[np.ndarray[Any, Any], ...]:
    values = pd.read_csv(data / "ihdp" / f"ihdp_npci_{replication}.csv",
                         header=None).to_numpy(float)
    return (values[:, 0].astype(int), values[:, 1], values[:, 4] - values[:, 3],
            values[:, 5:])


def candidates(data: Path, replications: list[int], sizes: list[int], n_repeats: int,
               seeds: list[int]) -> None:
    means: dict[str, list[float]] = {}
    covered = 0
    for i, replication in enumerate(replications):
        t, y, tau, x = _ihdp_arrays(data, replication)
        started = time.perf_counter()
        model = EffectEstimator(overlap_bound=0.0, min_kept=0.0, n_repeats=n_repeats).fit(
            pd.DataFrame(x), t, y)
        row = _candidate_row(model, tau)
        if i == 0:
            _candidate_header("IHDP: √PEHE out of fold (R = held-out R-score)",
                              _candidate_names(row), model.selection)
        for key, value in row.items():
            means.setdefault(key, []).append(value)
        low, high = model.ci_
        covered += int(low <= tau.mean() <= high)
        _candidate_line(f"IHDP {replication} ({time.perf_counter() - started:.0f} s; ATE "
                        f"{model.effect_:.2f} [{low:.2f}, {high:.2f}], true "
                        f"{tau.mean():.2f})", row, str(model.cate_label_),
                        {c.name: c.r_score for c in model.candidates_})
        _candidate_seconds(model)
    if replications:
        _candidate_line(f"**IHDP mean of {len(replications)}** (ATE CI covers the true mean "
                        f"effect in {covered} of {len(replications)})",
                        {key: float(np.mean(v)) for key, v in means.items()}, "", {})
    for i, (seed, n) in enumerate((seed, n) for seed in seeds for n in sizes):
        cases = synthetic_economic_assistance(n, seed=seed)
        keep = cases.data["intervention"].isin(["ingen", "sprakpraktik"]).to_numpy()
        frame = cases.data[keep].reset_index(drop=True)
        truth = expected_true_effects(frame)["effect_sprakpraktik"].to_numpy()
        started = time.perf_counter()
        model = EffectEstimator(n_repeats=n_repeats).fit(
            frame[SYNTH_COVARIATES], (frame["intervention"] == "sprakpraktik").astype(int),
            frame["long_term"])
        inside = model.overlap_.kept
        row = _candidate_row(model, truth[inside])
        if i == 0:
            _candidate_header("Synthetic economic assistance, språkpraktik against none: "
                              "√PEHE out of fold against E[effect | covariates]",
                              _candidate_names(row), model.selection)
        _candidate_line(f"seed {seed}, {n:,} ({len(frame):,} rows in the pair; "
                        f"{time.perf_counter() - started:.0f} s)", row,
                        str(model.cate_label_), {c.name: c.r_score for c in model.candidates_})
        _candidate_seconds(model)


SYNTH_COVARIATES = ["sex", "age", "birth_region", "district", "household_type", "education",
                    "main_reason", "prior_months", "amount"]


def lalonde_candidates(data: Path, n_repeats: int) -> None:
    treated = _lalonde("nswre74_treated.txt", data)
    print("\nLaLonde: each candidate's mean per-person effect over the treated (no "
          "per-person truth), against $1,794\n")
    header_done = False
    for label, name in (("PSID", "psid_controls.txt"), ("CPS", "cps_controls.txt")):
        frame = pd.concat([treated, _lalonde(name, data)], ignore_index=True)
        x = frame.drop(columns=["treat", "re78"])
        model = EffectEstimator(estimand="att", n_repeats=n_repeats).fit(
            x, frame["treat"], frame["re78"])
        assert model.cate_model_ is not None
        kept = model.overlap_.kept
        treated_rows = frame["treat"].to_numpy()[kept] == 1
        names = list(model.cate_model_.out_of_fold)
        if not header_done:
            print("| controls | ATT (AIPW) [95 % CI] | " + " | ".join(names)
                  + f" | **chosen** ({model.selection}) | rule: best R | rule: near-best | "
                  "rule: stack | rule: bagged-best | rule: 1-SE smoothest | choice |")
            print("|---|---|" + "---|" * (len(names) + 7))
            header_done = True
        cells = [f"${model.cate_model_.out_of_fold[n][treated_rows].mean():,.0f}"
                 for n in names]
        low, high = model.ci_
        print(f"| {label} | ${model.effect_:,.0f} [${low:,.0f}, ${high:,.0f}] | "
              + " | ".join(cells)
              + f" | **${model.cate_out_of_fold_[treated_rows].mean():,.0f}** | "
              + " | ".join(f"${model.cate_model_.rule_out_of_fold[r][treated_rows].mean():,.0f}"
                           for r in RULE_COLUMNS)
              + f" | {model.cate_label_} |", flush=True)


def coverage(data: Path, draws: int, n: int, n_repeats: int, replications: list[int]) -> None:
    from scipy import stats

    arm = "jobbtorg"
    population = synthetic_economic_assistance(300_000, seed=999)
    pair = population.data["intervention"].isin(["ingen", arm]).to_numpy()
    true = float((population.truth[f"p_long_term_{arm}"]
                  - population.truth["p_long_term_ingen"]).to_numpy()[pair].mean())
    z = float(stats.norm.ppf(0.975))
    one, many, widths, trimmed, errors = [], [], [], 0, []
    started = time.perf_counter()
    for draw in range(draws):
        cases = synthetic_economic_assistance(n, seed=5000 + draw)
        frame = cases.data[cases.data["intervention"].isin(["ingen", arm])]
        frame = frame.reset_index(drop=True)
        model = EffectEstimator(cate=False, n_repeats=n_repeats, random_state=draw).fit(
            frame[SYNTH_COVARIATES], (frame["intervention"] == arm).astype(int),
            frame["long_term"])
        first, se_first = model.split_estimates_[0], np.sqrt(model.split_variances_[0])
        one.append(abs(first - true) <= z * se_first)
        low, high = model.ci_
        many.append(low <= true <= high)
        widths.append((high - low) / (2 * z * se_first))
        errors.append(model.effect_ - true)
        print(f"draw {draw}: {model.effect_:.4f} [{low:.4f}, {high:.4f}] one split "
              f"{one[-1]}, {n_repeats} splits {many[-1]}", file=sys.stderr, flush=True)
        trimmed += model.overlap_.treated_dropped + model.overlap_.control_dropped
    print(f"\nCoverage of the 95 % interval for the average effect ({arm} against none, "
          f"{draws} draws of {n:,} households, population ATE {true:.4f}; "
          f"{time.perf_counter() - started:.0f} s)\n")
    print("| interval | covers the population ATE | mean width ÷ one split's |")
    print("|---|---|---|")
    print(f"| one split (the earlier interval) | {np.mean(one):.0%} ({sum(one)}/{draws}) | 1.00 |")
    print(f"| median over {n_repeats} splits, split variance added (default) | "
          f"{np.mean(many):.0%} ({sum(many)}/{draws}) | {np.mean(widths):.2f} |")
    print(f"\nMean error {np.mean(errors):+.4f}, sd {np.std(errors):.4f}; rows left out by "
          f"the overlap check over all draws: {trimmed}.")
    if replications:
        hits = []
        for replication in replications:
            t, y, tau, x = _ihdp_arrays(data, replication)
            model = EffectEstimator(cate=False, n_repeats=n_repeats, overlap_bound=0.0,
                                    min_kept=0.0).fit(pd.DataFrame(x), t, y)
            hits.append(model.ci_[0] <= tau.mean() <= model.ci_[1])
        print(f"IHDP: the interval covers the replication's mean true effect in "
              f"{sum(hits)} of {len(hits)} replications.")
    print()


def coverage_trimmed(draws: int, n: int, n_repeats: int, arm: str, bound: float) -> None:
    """Coverage where the overlap check leaves rows out: the interval is for the average over
    the rows kept, so each draw's truth is the mean true effect (p1 − p0) over its kept rows."""
    hits, dropped, errors, sizes, widths = [], [], [], [], []
    started = time.perf_counter()
    for draw in range(draws):
        cases = synthetic_economic_assistance(n, seed=7000 + draw)
        keep = cases.data["intervention"].isin(["ingen", arm]).to_numpy()
        frame = cases.data[keep].reset_index(drop=True)
        truth = cases.truth[keep].reset_index(drop=True)
        effect = (truth[f"p_long_term_{arm}"] - truth["p_long_term_ingen"]).to_numpy()
        model = EffectEstimator(cate=False, n_repeats=n_repeats, overlap_bound=bound,
                                random_state=draw).fit(
            frame[SYNTH_COVARIATES], (frame["intervention"] == arm).astype(int),
            frame["long_term"])
        true = float(effect[model.overlap_.kept].mean())
        low, high = model.ci_
        hits.append(low <= true <= high)
        dropped.append(int((~model.overlap_.kept).sum()))
        sizes.append(len(frame))
        errors.append(model.effect_ - true)
        widths.append(high - low)
        print(f"trimmed draw {draw}: {model.effect_:.4f} [{low:.4f}, {high:.4f}] true "
              f"{true:.4f} dropped {dropped[-1]}", file=sys.stderr, flush=True)
    print(f"\nCoverage with rows left out by the overlap check ({arm} against none, bound "
          f"{bound:g}, {draws} draws of {n:,} households, {np.mean(sizes):,.0f} rows in the "
          f"pair on average; {time.perf_counter() - started:.0f} s)\n")
    print("| interval | covers the mean true effect over the rows kept | rows left out per "
          "draw (mean, min–max) | mean error (sd of the errors) | mean interval width |")
    print("|---|---|---|---|---|")
    print(f"| median over {n_repeats} splits (default) | {np.mean(hits):.0%} "
          f"({sum(hits)}/{draws}) | {np.mean(dropped):.0f} ({min(dropped)}–{max(dropped)}) | "
          f"{np.mean(errors):+.4f} ({np.std(errors):.4f}) | {np.mean(widths):.4f} |\n")


def wide_covariates(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray[Any, Any],
                                               np.ndarray[Any, Any]]:
    """The generator's covariates plus derived and noise columns: 60 of mixed types."""
    cases = synthetic_economic_assistance(n, seed=seed)
    frame = cases.data
    rng = np.random.default_rng(seed)
    wide = frame[[*SYNTH_COVARIATES, "age_band"]].copy()
    for i in range(25):
        wide[f"tal_{i}"] = frame["age"] * rng.normal(0, 0.05) + rng.normal(0, 1, n)
    for i in range(15):
        wide[f"kategori_{i}"] = rng.choice(["A", "B", "C", "D"], n)
    for i in range(10):
        wide[f"flagga_{i}"] = rng.integers(0, 2, n)
    treated = (frame["intervention"] != "ingen").astype(int).to_numpy()
    return wide, treated, frame["long_term"].to_numpy()


def effect_speed(rows: int) -> None:
    import os

    x, t, y = wide_covariates(rows, seed=77)
    load = os.getloadavg()
    started, cpu = time.perf_counter(), time.process_time()
    baseline = t_learner_frame(x, t, y)
    base_seconds = time.perf_counter() - started
    base_cpu = time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    model = EffectEstimator().fit(x, t, y)
    estimate = model.estimate(x)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    after = os.getloadavg()
    print(f"\nEffect speed: {len(x):,} rows × {x.shape[1]} covariates (load average "
          f"{load[0]:.1f} before, {after[0]:.1f} after, {os.cpu_count()} cores)\n")
    print("| model | wall seconds | CPU seconds (this process) | CPU ÷ T-learner |")
    print("|---|---|---|---|")
    print(f"| plain LightGBM T-learner, 2 threads (fit + per-row effects, no intervals) | "
          f"{base_seconds:.1f} | {base_cpu:.1f} | 1.0 |")
    print(f"| default: all candidates, held-out R-loss choice, per-row effects and "
          f"intervals, ATE over {model.n_repeats} splits (one thread) | {seconds:.1f} | "
          f"{cpu_seconds:.1f} | {cpu_seconds / base_cpu:.1f} |")
    for candidate in model.candidates_:
        print(f"| — of which {candidate.label} (wall) | {candidate.seconds:.1f} | | |")
    print(f"\nChosen: {model.cate_label_}; {int(np.isfinite(estimate.cate).sum()):,} "
          "per-row effects with intervals.\n")
    del baseline
    score_many(model, 100_000)


def score_many(model: EffectEstimator, rows: int, chunk: int = 25_000) -> None:
    """The 100,000-row route: the model fitted on a sample scores every row, in chunks that
    Dask runs in parallel (``dask.delayed``; ``dask.dataframe`` would need pyarrow)."""
    import os

    import dask

    x, _, _ = wide_covariates(rows, seed=78)
    started, cpu = time.perf_counter(), time.process_time()
    point, _, _ = model.effect(x)
    alone, alone_cpu = time.perf_counter() - started, time.process_time() - cpu
    parts = [x.iloc[start:start + chunk] for start in range(0, rows, chunk)]
    started, cpu = time.perf_counter(), time.process_time()
    results = dask.compute(*[dask.delayed(model.effect)(part) for part in parts],
                           scheduler="threads", num_workers=2)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    assert np.allclose(np.concatenate([r[0] for r in results]), point)
    print(f"Scoring {rows:,} new rows (effect and interval per row) with the model fitted on "
          f"the sample above (load average {os.getloadavg()[0]:.1f}):\n")
    print("| route | wall seconds | CPU seconds |")
    print("|---|---|---|")
    print(f"| one call | {alone:.1f} | {alone_cpu:.1f} |")
    print(f"| Dask, {len(parts)} chunks of {chunk:,}, 2 threads | {seconds:.1f} | "
          f"{cpu_seconds:.1f} |\n")


def t_learner_frame(x: pd.DataFrame, t: np.ndarray[Any, Any], y: np.ndarray[Any, Any]
                    ) -> np.ndarray[Any, Any]:
    from lightgbm import LGBMClassifier

    native = x.copy()
    for column in native.columns:
        if not pd.api.types.is_numeric_dtype(native[column]):
            native[column] = native[column].astype("category")
    arms = [LGBMClassifier(n_estimators=200, learning_rate=0.05, num_leaves=15, verbose=-1,
                           n_jobs=2).fit(native[t == arm], y[t == arm]) for arm in (0, 1)]
    return np.asarray(arms[1].predict_proba(native)[:, 1] - arms[0].predict_proba(native)[:, 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--parts", default="lalonde,ihdp,synthetic,speed,candidates,"
                        "lalonde-candidates,coverage,coverage-trimmed,effect-speed")
    parser.add_argument("--train", type=int, default=20_000)
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--replications", default="1-9",
                        help="IHDP replications for candidates/coverage: 1-9, 1,4,7 or none")
    parser.add_argument("--sizes", default="1000,5000,20000",
                        help="synthetic sizes for the candidates part")
    parser.add_argument("--seeds", default="31",
                        help="synthetic seeds for the candidates part (31: the benchmark's; "
                        "the rule was chosen on 21-29)")
    parser.add_argument("--draws", type=int, default=100, help="coverage draws")
    parser.add_argument("--coverage-rows", type=int, default=2000)
    parser.add_argument("--trim-arm", default="studier", help="coverage-trimmed: the arm")
    parser.add_argument("--trim-bound", type=float, default=0.05,
                        help="coverage-trimmed: the overlap bound (rows outside are left out)")
    parser.add_argument("--repeats", type=int, default=3, help="AIPW splits (n_repeats)")
    parser.add_argument("--effect-rows", type=int, default=5000)
    parser.add_argument("--heap-replication", type=int, default=1)
    parser.add_argument("--heap-rounds", type=int, default=2)
    args = parser.parse_args()
    replications = _numbers(args.replications)
    sizes = _numbers(args.sizes)
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
    if "candidates" in parts:
        candidates(args.data, replications, sizes, args.repeats, _numbers(args.seeds))
    if "lalonde-candidates" in parts:
        lalonde_candidates(args.data, args.repeats)
    if "coverage" in parts:
        coverage(args.data, args.draws, args.coverage_rows, args.repeats, replications)
    if "coverage-trimmed" in parts:
        coverage_trimmed(args.draws, args.coverage_rows, args.repeats, args.trim_arm,
                         args.trim_bound)
    if "effect-speed" in parts:
        effect_speed(args.effect_rows)
    if "gp-heap" in parts:
        gp_heap(args.data, args.heap_replication, args.heap_rounds)


def _numbers(text: str) -> list[int]:
    if text in ("", "none"):
        return []
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(v) for v in text.split(",")]


if __name__ == "__main__":
    main()
