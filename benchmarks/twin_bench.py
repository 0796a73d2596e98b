"""Twin benchmark: real classrooms (RSiena's Glasgow and Dutch classes) and synthetic schools
with known true dynamics.

    .venv/bin/python benchmarks/twin_bench.py [--schools 10]
        [--parts real,diagnose,predict,ties,fit,speed] [--runs 1000]

real: the term model fitted on every transition of a real class before the last, jointly
(RSiena's multi-period estimation), and tested on the last, which it never saw: s50
(Glasgow, 50 girls) fitted 1→2, tested 2→3; klas12b (Knecht, 26 pupils) fitted 1→2 and
2→3, tested 3→4. sienaGOF-style goodness of fit (Mahalanobis p) and AUCs against carrying
the last wave forward and a dyadic logistic regression trained on the same transitions.
The model's effects were chosen on klas12b 1→2 → 2→3 only (docs/twin.md). Then each
behaviour, fitted jointly with the network: its distribution at the held-out wave.

diagnose: the held-out transition under other fits, to see why a class fails — the last
transition only (the earlier protocol), other fit seeds, an oracle whose density is
re-matched to the held-out wave's tie count, and the tested transition fitted on itself
(sienaGOF's own, in-sample protocol). Only the first row is a forecast; the others read
the held-out wave and were chosen for nothing.

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
speed: 1,000 simulated terms of a 30-pupil synthetic class and of the real 50-pupil s50
class with its fitted parameters (one Mesa model per term, and all terms vectorised).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from kraftsamling.twin import (
    ClassroomModel,
    TermFit,
    Transition,
    TwinEvaluation,
    Wave,
    class_graphs,
    class_state,
    class_transitions,
    evaluate_prediction,
    evaluate_twin,
    fit_parameters,
    fit_term,
    read_behaviour_matrix,
    read_matrix_waves,
    score_term,
    simulate_ends,
    simulate_friendship,
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


DATA = Path("../shared/data/classroom-networks")
CLASSES = {  # name: (folder, prefix, gender, waves used, behaviours as (name, file, first))
    "s50": ("s50", "s50-network", "flicka", 3,
            [("alcohol", "s50-alcohol.dat", 1), ("smoking", "s50-smoke.dat", 1)]),
    "klas12b": ("klas12b", "klas12b-net-", "klas12b-demographics.dat:1", 4,
                [("alcohol", "klas12b-alcohol.dat", 2),
                 ("delinquency", "klas12b-delinquency.dat", 1)]),
}


def _real(name: str) -> list[Wave]:
    folder, prefix, gender, _, _ = CLASSES[name]
    return read_matrix_waves(DATA / folder, prefix, class_name=name, gender=gender)


def real(runs: int) -> dict[str, TwinEvaluation]:
    print(f"\n## Real classes: fitted on the earlier transitions, tested on the last ({runs} "
          "terms)")
    print("| class | fitted → tested | pupils | tie AUC: twin | carry forward | dyadic "
          "logistic | isolation AUC: twin | carry forward | isolated (observed / expected) "
          "| max abs t (fit) | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    results = {}
    for name in CLASSES:
        waves = _real(name)
        start = time.perf_counter()
        e = evaluate_twin(waves, name, runs=runs)
        seconds = time.perf_counter() - start
        results[name] = e
        m = e.metrics
        print(f"| {name} | {e.fitted_on[0]}→{e.fitted_on[1]} → {e.tested_on[0]}→"
              f"{e.tested_on[1]} | {e.pupils} | {m['tie_auc']:.3f} | "
              f"{m['tie_auc_carry_forward']:.3f} | {m['tie_auc_logistic']:.3f} | "
              f"{m['isolation_auc']:.3f} | {m['isolation_auc_carry_forward']:.3f} | "
              f"{m['isolated_next']:.0f} / {m['isolated_expected']:.1f} | "
              f"{max(abs(t) for t in e.fit.t_ratios.values()):.2f} | {seconds:.0f} |")
    print("\n### Goodness of fit on the held-out wave (Mahalanobis p, as sienaGOF)")
    names = [s.name for s in next(iter(results.values())).statistics]
    print("| class | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for name, e in results.items():
        print(f"| {name} | " + " | ".join(f"{e.gof_p[n]:.3f}" for n in names) + " |")
    print("\n### Estimates (fitted transitions)")
    effects = list(next(iter(results.values())).fit.estimates)
    print("| effect | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for effect in dict.fromkeys([*effects, *[k for e in results.values()
                                             for k in e.fit.estimates]]):
        print(f"| {effect} | " + " | ".join(
            f"{e.fit.estimates[effect]:.2f}" if effect in e.fit.estimates else "–"
            for e in results.values()) + " |")
    print("\n### Behaviour at the held-out wave (fitted jointly with the network)")
    print("| class | behaviour | p, behaviour distribution | observed (≤ each level) | "
          "simulated mean | tie AUC | in / out / triad p |")
    print("|---|---|---|---|---|---|---|")
    for name, (folder, _, _, _, behaviours) in CLASSES.items():
        waves = _real(name)
        for label, file, first in behaviours:
            levels = read_behaviour_matrix(DATA / folder / file, waves, first_wave=first)
            e = evaluate_twin(waves, name, behaviour=levels, behaviour_name=label,
                              runs=runs)
            stat = next(s for s in e.statistics if s.name == "behaviour")
            print(f"| {name} | {label} | {stat.p:.3f} | "
                  f"{', '.join(f'{v:g}' for v in stat.observed)} | "
                  f"{', '.join(f'{v:.1f}' for v in stat.simulated.mean(axis=0))} | "
                  f"{e.metrics['tie_auc']:.3f} | {e.gof_p['indegree']:.3f} / "
                  f"{e.gof_p['outdegree']:.3f} / {e.gof_p['triad_census']:.3f} |")
    return results


def _density_oracle(fit: TermFit, test: Transition) -> TermFit:
    """The fit with its density re-matched (bisection, 100 runs a step) so that terms from
    the tested wave's start end, on average, with the tie count the held-out wave has: an
    oracle that knows the next term's level, to see what is left when the level is right."""
    target = float(test.end.sum())
    low, high = fit.parameters.density - 3.0, fit.parameters.density + 3.0
    for _ in range(12):
        middle = (low + high) / 2
        friends, _ = simulate_ends(test, fit.parameters.with_values(density=middle),
                                   runs=100, seed=99)
        if friends.sum(axis=(1, 2)).mean() < target:
            low = middle
        else:
            high = middle
    density = (low + high) / 2
    return replace(fit, parameters=fit.parameters.with_values(density=density),
                   estimates={**fit.estimates, "density": density})


def diagnose(runs: int) -> None:
    """Why a held-out term fails: the same class under other fits. Only the first row is a
    forecast chosen before the held-out wave was looked at; the others read that wave."""
    print(f"\n## Diagnosis: the held-out transition under other fits ({runs} terms)")
    print("| class | fit | fitted on | tie AUC: twin / carry / logistic | isolation AUC: twin "
          "/ carry | p in / out / triads | p reciprocity / transitivity | ties: observed / "
          "simulated | max abs t (fit) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in CLASSES:
        waves = _real(name)
        transitions = class_transitions(waves, name)
        test = transitions[-1]
        pooled = fit_term(transitions[:-1], seed=0)
        fits = [("pooled (default)", transitions[:-1], pooled)]
        if len(transitions) > 2:
            fits.append(("last transition only", transitions[-2:-1],
                         fit_term(transitions[-2:-1], seed=0)))
            fits += [(f"pooled, fit seed {s}", transitions[:-1],
                      fit_term(transitions[:-1], seed=s)) for s in (1, 2)]
        fits.append(("oracle: density matched to the held-out wave", transitions[:-1],
                     _density_oracle(pooled, test)))
        fits.append(("in-sample: fitted on the tested transition (sienaGOF's protocol)",
                     transitions[:-1], fit_term([test], seed=0)))
        for label, train, fit_ in fits:
            e = score_term(fit_, train, test, class_name=name, runs=runs)
            m, p = e.metrics, e.gof_p
            friends, _ = simulate_ends(test, fit_.parameters, runs=200, seed=5)
            fitted = f"{train[0].waves[0]}→{train[-1].waves[1]}" if "in-sample" not in label \
                else f"{test.waves[0]}→{test.waves[1]}"
            print(f"| {name} | {label} | {fitted} | {m['tie_auc']:.3f} / "
                  f"{m['tie_auc_carry_forward']:.3f} / {m['tie_auc_logistic']:.3f} | "
                  f"{m['isolation_auc']:.3f} / {m['isolation_auc_carry_forward']:.3f} | "
                  f"{p['indegree']:.3f} / {p['outdegree']:.3f} / {p['triad_census']:.3f} | "
                  f"{p['reciprocity']:.3f} / {p['transitivity']:.3f} | "
                  f"{test.end.sum():.0f} / {friends.sum(axis=(1, 2)).mean():.1f} | "
                  f"{max(abs(t) for t in fit_.t_ratios.values()):.2f} |")


def real_speed(results: dict[str, TwinEvaluation]) -> None:
    if "s50" not in results:
        return
    e = results["s50"]
    waves = _real("s50")
    transition = class_transitions(waves, "s50")[-1]
    parameters = e.fit.parameters
    ClassroomModel(transition.start, parameters, seed=0).run()  # warm up
    start = time.perf_counter()
    simulate_terms(transition.start, parameters.with_values(bullying=False), runs=1000)
    mesa_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for chunk in range(20):
        simulate_friendship(transition.start, parameters, runs=50, seed=chunk)
    vector_seconds = time.perf_counter() - start
    print("\n## Speed on the real 50-pupil class (fitted s50 parameters, "
          f"{parameters.friend_rate:.1f} friendship opportunities per pupil and term)")
    print("| measure | value |\n|---|---|")
    print(f"| 1,000 terms, one Mesa model each | {mesa_seconds:.2f} s |")
    print(f"| 1,000 terms, vectorised (20 × 50) | {vector_seconds:.2f} s "
          f"({mesa_seconds / vector_seconds:.1f} × faster) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--parts", default="real,diagnose,predict,ties,fit,speed")
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    seeds = list(range(100, 100 + args.schools))
    parts = set(args.parts.split(","))
    runners: dict[str, Any] = {"predict": lambda: predict(seeds),
                               "ties": lambda: ties(seeds),
                               "fit": lambda: fit(seeds[:3]), "speed": speed}
    if "real" in parts:
        real_speed(real(args.runs))
    if "diagnose" in parts:
        diagnose(args.runs)
    for name in ("predict", "ties", "fit", "speed"):
        if name in parts:
            runners[name]()


if __name__ == "__main__":
    main()
