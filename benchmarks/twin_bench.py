"""Twin benchmark: synthetic schools with known true dynamics.

    .venv/bin/python benchmarks/twin_bench.py [--schools 10] [--parts predict,ties,fit,speed]

predict: next-wave victimisation — trained on the transition 1→2 of a school, tested on
2→3 of the same school (later waves only); AUC, Brier and calibration error against a
baseline that carries the last wave forward. Schools use seeds 100, 101, … (the tests and
the development runs used seeds below 20).
ties: friendship tie at the next wave, a dyadic logistic regression on the tie now, the
reverse tie, friends in common, same gender and the friend's popularity; trained 1→2,
tested 2→3; against carrying the tie forward.
fit: the term model's rates fitted to each class's 1→2 transition, then 300 simulated
terms from wave 2; expected victims per class against wave 3, and the simulated risk's
AUC per pupil.
speed: 1,000 simulated terms of a 30-pupil class.
No real longitudinal friendship data is in ../shared/data, so all figures are synthetic.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from kraftsamling.twin import (
    ClassroomModel,
    Wave,
    class_graphs,
    class_state,
    evaluate_prediction,
    fit_parameters,
    simulate_terms,
    synthetic_school,
    wave_from_frame,
)


def _school(seed: int) -> list[Wave]:
    school = synthetic_school(n_classes=8, class_size=25, n_waves=3, seed=seed)
    return [wave_from_frame(w, number=i + 1) for i, w in enumerate(school.waves)]


def predict(seeds: list[int]) -> None:
    rows = [evaluate_prediction(_school(seed)) for seed in seeds]
    table = pd.DataFrame(rows)
    print("\n## Next-wave victimisation (train 1→2, test 2→3), "
          f"{len(seeds)} schools × 8 classes × 25 pupils")
    print("| measure | mean | min | max |\n|---|---|---|---|")
    for column, label in (("auc", "AUC, model"), ("carry_forward_auc", "AUC, carry forward"),
                          ("brier", "Brier"), ("calibration_error", "calibration error"),
                          ("prevalence", "victimised at wave 3")):
        values = table[column]
        print(f"| {label} | {values.mean():.3f} | {values.min():.3f} | {values.max():.3f} |")
    better = int((table["auc"] > table["carry_forward_auc"]).sum())
    print(f"\nModel above carry-forward in {better} of {len(table)} schools.")


def _dyads(earlier: Wave, later: Wave) -> pd.DataFrame:
    parts = []
    for name in earlier.classes:
        now = class_graphs(earlier, name)["friends"]
        nxt = class_graphs(later, name)["friends"]
        ids = list(now.nodes)
        gender = earlier.pupils.set_index("pupil_id")["gender"]
        n = len(ids)
        index = {p: i for i, p in enumerate(ids)}
        f = np.zeros((n, n))
        for a, b in now.edges():
            f[index[a], index[b]] = 1
        g = np.zeros((n, n))
        for a, b in nxt.edges():
            if a in index and b in index:
                g[index[a], index[b]] = 1
        common = f @ f.T
        popularity = np.repeat(f.sum(axis=0)[None, :], n, axis=0)
        same = (gender.loc[ids].to_numpy()[:, None] == gender.loc[ids].to_numpy()[None, :])
        mask = ~np.eye(n, dtype=bool)
        parts.append(pd.DataFrame({"tie": f[mask], "reverse": f.T[mask],
                                   "common": common[mask], "same_gender": same[mask],
                                   "popularity": popularity[mask], "next": g[mask]}))
    return pd.concat(parts, ignore_index=True)


def ties(seeds: list[int]) -> None:
    model_auc, carry_auc = [], []
    for seed in seeds:
        waves = _school(seed)
        train, test = _dyads(waves[0], waves[1]), _dyads(waves[1], waves[2])
        columns = ["tie", "reverse", "common", "same_gender", "popularity"]
        model = LogisticRegression(max_iter=2000).fit(train[columns].astype(float),
                                                      train["next"])
        p = model.predict_proba(test[columns].astype(float))[:, 1]
        model_auc.append(roc_auc_score(test["next"], p))
        carry_auc.append(roc_auc_score(test["next"], test["tie"]))
    print("\n## Friendship ties at the next wave (train 1→2, test 2→3)")
    print("| measure | mean | min | max |\n|---|---|---|---|")
    for label, values in (("AUC, dyadic model", model_auc), ("AUC, carry forward", carry_auc)):
        print(f"| {label} | {np.mean(values):.3f} | {np.min(values):.3f} | "
              f"{np.max(values):.3f} |")


def fit(seeds: list[int]) -> None:
    errors, observed_total, expected_total, aucs = [], 0.0, 0.0, []
    for seed in seeds:
        waves = _school(seed)
        for name in waves[0].classes:
            states = [class_state(w, name) for w in waves]
            parameters = fit_parameters([(states[0], states[1])], runs=30)
            result = simulate_terms(states[1], parameters, runs=300, seed=seed)
            observed = states[2].victimised
            shared = [i for i, p in enumerate(result.ids) if p in set(states[2].ids)]
            expected = float(result.risk.iloc[shared].sum())
            errors.append(abs(expected - observed.sum()))
            observed_total += observed.sum()
            expected_total += expected
            if 0 < observed.sum() < len(observed):
                aucs.append(roc_auc_score(observed, result.risk.to_numpy()[shared]))
    print(f"\n## Fitted simulation: wave 2 → 3 ({len(errors)} classes, 300 terms each)")
    print("| measure | value |\n|---|---|")
    print(f"| victims at wave 3, observed (all classes) | {observed_total:.0f} |")
    print(f"| victims at wave 3, expected by simulation | {expected_total:.1f} |")
    print(f"| mean absolute error per class (pupils) | {np.mean(errors):.2f} |")
    print(f"| AUC of simulated risk per pupil (mean over classes) | {np.mean(aucs):.3f} |")


def speed() -> None:
    school = synthetic_school(n_classes=1, class_size=30, n_waves=1, seed=7)
    state = next(iter(school.states[0].values()))
    ClassroomModel(state, seed=0).run()  # warm up
    start = time.perf_counter()
    simulate_terms(state, runs=1000, seed=0)
    seconds = time.perf_counter() - start
    print("\n## Speed")
    print("| measure | value |\n|---|---|")
    print(f"| 1,000 terms of a 30-pupil class | {seconds:.2f} s ({1000 / seconds:.0f} "
          "terms/s) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--parts", default="predict,ties,fit,speed")
    args = parser.parse_args()
    seeds = list(range(100, 100 + args.schools))
    parts = set(args.parts.split(","))
    runners: dict[str, Any] = {"predict": lambda: predict(seeds),
                               "ties": lambda: ties(seeds),
                               "fit": lambda: fit(seeds[:3]), "speed": speed}
    for name in ("predict", "ties", "fit", "speed"):
        if name in parts:
            runners[name]()


if __name__ == "__main__":
    main()
