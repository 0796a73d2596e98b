"""Autolarm development check: the choices made on data that is NOT the independent set.

    .venv/bin/python benchmarks/autolarm_dev.py [--variant NAME ...]

Autolarm's default model is trained on answers written by two authors: the team's seed set
and a training set written by a helper session for that purpose (see
``src/kraftsamling/autolarm/data/README.md``). A figure from the author a model was trained
on says little, so every choice (thresholds, regularisation, which data) is judged here
*across authors*: train on one author's answers, measure on the other's, both ways. Ordinary
Swedish for false alarms comes from the parts of ../shared/data that the reported benchmark
does not use: 1,500 sentences of swedish-ner's *train* split and swe-sentiment's posts after
the first 2,000. The independent sets under ``benchmarks/data/`` are never read here.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from kraftsamling.autolarm import Detector, Level, load_seed, seed_embeddings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".." / "shared" / "data"
CACHE = Path.home() / ".cache" / "kraftsamling-dev"
sys.path.insert(0, str(Path(__file__).parent))
from autolarm_bench import read_news  # noqa: E402


def cached_embed(texts: list[str]) -> np.ndarray:
    """Embeddings kept per text (the shipped cache), so adding answers embeds only the new
    ones."""
    return seed_embeddings(texts, CACHE)


def ordinary_dev() -> list[str]:
    news = read_news(DATA / "swedish-ner" / "train_corpus.txt")
    rng = random.Random(18)
    sample = rng.sample([s for s in news if len(s.split()) >= 4], 1500)
    with (DATA / "swe-sentiment" / "swe-sentiment-dataset.csv").open(encoding="utf-8") as f:
        posts = [row["text"] for row in csv.DictReader(f)][2000:]
    return sample + posts


def report(name: str, detector: Detector, texts: list[str], levels: list[str],
           emb: np.ndarray) -> None:
    assessed = detector.assess(texts, emb)
    got = np.asarray([a.level.value for a in assessed])
    gold = np.asarray(levels)
    proba, _ = detector.classifier_.level_and_category_proba(texts, emb)
    urgent_p = proba["urgent"]
    flagged = got == "urgent"
    truth = gold == "urgent"
    recall = (flagged & truth).sum() / max(truth.sum(), 1)
    precision = (flagged & truth).sum() / max(flagged.sum(), 1)
    none_up = (flagged & (gold == "none")).sum() / max((gold == "none").sum(), 1)
    concern = ((got != "none") & (gold == "concern")).sum() / max((gold == "concern").sum(), 1)
    auc = roc_auc_score(truth, urgent_p) if truth.any() and (~truth).any() else float("nan")
    print(f"  {name:34s} n={len(texts):5d} urgent R {recall:.3f} P {precision:.3f} "
          f"none→urgent {none_up:.3f} concern flagged {concern:.3f} clf AUC {auc:.3f} "
          f"(thr {detector.urgent_threshold_:.2f}/{detector.concern_threshold_:.2f})")


def ordinary(detector: Detector, texts: list[str], emb: np.ndarray) -> None:
    got = [a.level for a in detector.assess(texts, emb)]
    urgent = sum(lv is Level.urgent for lv in got)
    print(f"  {'ordinary dev text':34s} n={len(texts):5d} urgent {urgent} "
          f"({urgent / len(texts):.2%}), concern {sum(lv is Level.concern for lv in got)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--params", default="{}", help="classifier params as a Python dict")
    parser.add_argument("--detector", default="{}", help="Detector params as a Python dict")
    args = parser.parse_args()
    clf = eval(args.params)  # noqa: S307 - a developer's own command line
    det = eval(args.detector)  # noqa: S307
    answers = load_seed()
    by_author: dict[str, list] = {}
    for a in answers:
        by_author.setdefault(a.author, []).append(a)
    texts_all = [a.text for a in answers]
    emb_all = cached_embed(texts_all)
    index = {id(a): i for i, a in enumerate(answers)}
    plain = ordinary_dev()
    plain_emb = cached_embed(plain)
    for author, train in by_author.items():
        others = [a for a in answers if a.author != author]
        if not others or len({a.level for a in train}) < 3:
            continue
        rows = [index[id(a)] for a in train]
        detector = Detector(classifier_params=clf, **det).fit(
            [a.text for a in train], [a.level.value for a in train],
            [[c.value for c in a.categories] for a in train], groups=[a.group for a in train],
            embeddings=emb_all[rows])
        print(f"trained on {author} ({len(train)} answers)")
        rows_o = [index[id(a)] for a in others]
        report("the other author(s)", detector, [a.text for a in others],
               [a.level.value for a in others], emb_all[rows_o])
        ordinary(detector, plain, plain_emb)
    train = [a for a in answers if a.split == "train"]
    test = [a for a in answers if a.split == "test"]
    detector = Detector(classifier_params=clf, **det).fit(
        [a.text for a in train], [a.level.value for a in train],
        [[c.value for c in a.categories] for a in train], groups=[a.group for a in train],
        embeddings=emb_all[[index[id(a)] for a in train]], authors=[a.author for a in train])
    print(f"trained on every author's train split ({len(train)} answers)")
    report("held-out split, all authors", detector, [a.text for a in test],
           [a.level.value for a in test], emb_all[[index[id(a)] for a in test]])
    ordinary(detector, plain, plain_emb)


if __name__ == "__main__":
    main()
