"""How long `autolarm train --from-reviews` fits: the out-of-fold fits one after another
against one per process, same run, same answers (twice each, in the order 1, -1, -1, 1),
and whether the two detectors agree.

    PYTHONPATH=src python benchmarks/autolarm_train_time.py

What is fitted is what ``train_from_labels`` fits for an organisation with two corrected
answers: the seed set's training part (its shipped embeddings) plus the two, one fold per
author (leave one author out). Prints seconds for ``Detector(n_jobs=1)`` (each fold's
classifier calibrates on both cores, the n-gram steps on one) and ``Detector(n_jobs=-1)``
(one fold per process), the ratio, and whether thresholds and out-of-fold probabilities are
equal.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from kraftsamling.autolarm import Detector, load_seed
from kraftsamling.autolarm._model import embed
from kraftsamling.autolarm._service import OWN_WEIGHT, seed_embeddings

OWN = [("jag ska skära mig igen i helgen", "urgent", ["self_harm"]),
       ("min pappa slår mig när han är full", "urgent", ["abuse_home"])]


def main() -> None:
    seed = [a for a in load_seed() if a.split == "train"]
    texts = [t for t, _, _ in OWN] + [a.text for a in seed]
    levels = [lv for _, lv, _ in OWN] + [a.level.value for a in seed]
    categories = [c for _, _, c in OWN] + [[c.value for c in a.categories] for a in seed]
    authors = ["organisation"] * len(OWN) + [a.author for a in seed]
    weights = [OWN_WEIGHT] * len(OWN) + [1.0] * len(seed)
    with tempfile.TemporaryDirectory() as cache:
        embeddings = np.vstack([embed([t for t, _, _ in OWN]),
                                seed_embeddings([a.text for a in seed], Path(cache))])
    fitted: dict[int, Detector] = {}
    seconds: dict[int, list[float]] = {1: [], -1: []}
    for n_jobs in (1, -1, -1, 1):  # ABBA: a drift in the machine's load cancels
        started = time.perf_counter()
        fitted[n_jobs] = Detector(n_jobs=n_jobs).fit(
            texts, levels, categories, sample_weight=weights, embeddings=embeddings,
            authors=authors)
        seconds[n_jobs].append(time.perf_counter() - started)
    one, every = fitted[1], fitted[-1]
    same = (np.array_equal(one.oof_proba_, every.oof_proba_)
            and np.array_equal(one.oof_screen_none_, every.oof_screen_none_)
            and one.urgent_threshold_ == every.urgent_threshold_
            and one.concern_threshold_ == every.concern_threshold_
            and one.screen_threshold_ == every.screen_threshold_)
    base = sum(seconds[1]) / 2
    print(f"{len(texts)} answers, {len(set(authors))} authors (folds); order 1, -1, -1, 1\n")
    print("| out-of-fold fits | seconds (two fits each) | mean | ratio |")
    print("|---|---|---|---|")
    for n_jobs, name in ((1, "one after another (n_jobs=1)"),
                         (-1, "one per process (n_jobs=-1)")):
        mean = sum(seconds[n_jobs]) / 2
        runs = ", ".join(f"{value:.0f}" for value in seconds[n_jobs])
        print(f"| {name} | {runs} | {mean:.0f} | {mean / base:.2f} |")
    print("\nsame thresholds and out-of-fold probabilities (classifier and screen): "
          f"{'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
