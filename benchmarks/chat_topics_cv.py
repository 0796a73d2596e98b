"""Taxonomy topics on labelled Swedish chats: cross-validated choice of the topic classifier.

    .venv/bin/python benchmarks/chat_topics_cv.py [--repeats 2] [--topics FILE]

The chats are the package's own training chats (``chat/data/topic_chats_sv.jsonl``; each
line's ``source`` says who wrote it: ``s30-helper``, the helper session that also wrote the
word lists; ``s31-writer``, ``s32-writer`` and ``s33-writer``, writer sessions that never saw
this repository, the word lists or the code). The independent set under ``benchmarks/data/``
is never read here.

Two schemes, both training the shipped :class:`TopicClassifier` on the training part's chats
plus every prototype sentence and scoring the held-out chats:

- **leave one writer out** (the honest one): train on the other writers' chats, test on one
  writer's, each writer in turn; "pooled" sums the held-out sets' hits;
- **5-fold** over all chats (the writers mixed), ``--repeats`` seeds.

Word patterns need no training and are applied as shipped (or from ``--topics``). The
``s30-helper`` chats' "words" figures are optimistic (their author wrote the word lists after
them); on the ``s31-writer`` chats the words meet text written without them.

Topic-less chats (``"topics": []``, the ``s32-offtopic`` writer's practical questions, wrong
numbers, pranks and small talk) are negative examples for every topic; a topic given to one
is a false positive and lowers precision. Each row also reports the share of the held-out
topic-less chats given any topic.

How a topic is decided (``RULES``): the words or the classifier; the classifier alone; the
words or the classifier's k most likely topics. ``--floors``: a word match counts only where
the classifier gives its topic at least this (``word_floor`` in ``topics.toml``; 0, the
words always count).

The rule fixed before the session 32 run (three writers) picked the settings shipped in
session 32 (C 10, no n-grams, the words + the classifier's top 1 ≥ 0.4, word floor 0).

The rule fixed (and committed) before the session 33 run (four writers: ``s33-writer`` added
110-odd chats with 2-4 topics each, many described without their obvious words): among the
settings without n-grams (n-grams cost time per conversation where the speed target has
little room; the settings with them are printed for information), the shipped one is the one
with the highest pooled leave-one-writer-out **recall** whose pooled precision is no lower
than that of the settings shipped before (``BEFORE``, session 32's) and whose pooled share of
topic-less chats given a topic (E) is no higher than theirs; ties go to the higher precision,
then the lower E. The command of the run:

    chat_topics_cv.py --repeats 1 --C 1 3 10 30 100 --text-weights 0 \
        --thresholds 0.2 0.3 0.4 0.5 0.6 0.7 0.8 --floors 0 0.05 0.1 0.2 0.3

(All topic-less chats come from ``s32-writer``: when that writer is held out the classifier
has no topic-less chat to learn from, so the pooled E is mostly that held-out case.)

``--esconv``: a check that the classifier, trained on Swedish only, does not bury English
chats in topics. ESConv *valid* (never the test split), the topic that the taxonomy maps
each dialogue's problem type to (types without one are left out): how often it is found,
and how many taxonomy topics a chat gets, with the classifier off and on.
"""

from __future__ import annotations

import argparse
import itertools
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

from kraftsamling._textfeatures import embed
from kraftsamling.chat import (
    TopicClassifier,
    TopicTaxonomy,
    read_esconv,
    read_topic_chats,
    seeker_text,
)
from kraftsamling.chat._io import start_slice

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# The settings shipped before this session (session 32's): C, n-gram weight, threshold, rule,
# n-grams, word floor.
BEFORE = (10.0, 0.0, 0.4, "words + classifier's top 1", "", 0.0)
Key = tuple[float, float, float, str, str, float]
# How a topic is decided: the words or the classifier; the classifier alone; the words or the
# classifier's k most likely topics (each still at least the threshold).
RULES = ("words + classifier", "classifier alone", "words + classifier's top 1",
         "words + classifier's top 2", "words + classifier's top 3")


def esconv_check(taxonomy: TopicTaxonomy, data: Path) -> None:
    chats = read_esconv(data / "esconv" / "valid.jsonl")
    owner = {problem: topic.id for topic in taxonomy.topics for problem in topic.problem_types}
    chats = [c for c in chats if c.labels.get("problem_type") in owner]
    vectors = embed([start_slice(c, 24) for c in chats])
    scores = taxonomy.classifier_scores(vectors, [seeker_text(c) for c in chats])
    assert scores is not None
    print(f"\nESConv valid, {len(chats)} dialogues whose problem type maps to a topic\n")
    print("| topics by | mapped topic found | taxonomy topics per chat |")
    print("|---|---|---|")
    for name, rows in (("words", [None] * len(chats)), ("words + classifier", list(scores))):
        found = [taxonomy.assign(seeker_text(c).lower(), None, None, row)
                 for c, row in zip(chats, rows, strict=True)]
        hit = np.mean([owner[str(c.labels["problem_type"])] in f
                       for c, f in zip(chats, found, strict=True)])
        print(f"| {name} | {hit:.3f} | {np.mean([len(f) for f in found]):.2f} |")


def _counts(predicted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Hits, labels wanted, labels given, topic-less chats, topic-less chats given a topic."""
    empty = ~truth.any(axis=1)
    return np.array([(predicted & truth).sum(), truth.sum(), predicted.sum(), empty.sum(),
                     predicted[empty].any(axis=1).sum()], dtype=float)


def _rp(counts: np.ndarray) -> tuple[float, float, float]:
    """Recall, precision, share of topic-less chats given a topic (nan without any)."""
    return (counts[0] / max(counts[1], 1), counts[0] / max(counts[2], 1),
            counts[4] / counts[3] if counts[3] else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--C", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    parser.add_argument("--text-weights", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0])
    parser.add_argument("--ngrams", nargs="+", default=["word", "char"],
                        help="the n-grams the classifier reads beside the embedding")
    parser.add_argument("--thresholds", type=float, nargs="+",
                        default=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    parser.add_argument("--floors", type=float, nargs="+", default=[0.0],
                        help="word floors: a word match counts only at this classifier score")
    parser.add_argument("--topics", type=Path, default=None,
                        help="a topics file whose word patterns to use (default: shipped)")
    parser.add_argument("--esconv", action="store_true", help="the ESConv valid check only")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    taxonomy = TopicTaxonomy.from_toml(args.topics)
    if args.esconv:
        esconv_check(taxonomy, args.data)
        return
    shipped = TopicTaxonomy.from_toml()
    assert shipped.training_chats is not None
    chats, _ = read_topic_chats(shipped.training_chats)
    starts, y_all, seekers_all = shipped.training_data()
    n = len(chats)
    vectors = embed(starts)
    chat_vectors, prototype_vectors = vectors[:n], vectors[n:]
    y, y_prototypes = y_all[:n].astype(bool), y_all[n:]
    seekers, prototype_texts = seekers_all[:n], seekers_all[n:]
    ids = taxonomy.ids
    assert ids == shipped.ids
    sources = np.array([str(c.labels.get("source", "?")) for c in chats])
    writers = sorted(set(sources))
    words = np.array([[t in taxonomy.assign(s) for t in ids] for s in seekers])

    def fitted(train: np.ndarray, C: float, weight: float, kind: str) -> TopicClassifier:
        return TopicClassifier(C=C, text_weight=weight, ngrams=kind).fit(
            np.vstack([chat_vectors[train], prototype_vectors]),
            np.vstack([y[train], y_prototypes]),
            texts=[seekers[i] for i in train] + prototype_texts)

    def out_of_fold(splits: list[tuple[np.ndarray, np.ndarray]], C: float,
                    weight: float, kind: str) -> np.ndarray:
        scores = np.zeros(y.shape)
        for train, test in splits:
            scores[test] = fitted(train, C, weight, kind).predict_proba(
                chat_vectors[test], [seekers[i] for i in test])
        return scores

    lowo = [(np.flatnonzero(sources != w), np.flatnonzero(sources == w)) for w in writers]
    folds = [list(KFold(5, shuffle=True, random_state=seed).split(chats))
             for seed in range(args.repeats)]
    per_source = ", ".join(f"{w}: {c}" for w, c in sorted(Counter(sources).items()))
    print(f"{n} labelled Swedish chats ({per_source}), "
          f"{int(y.sum())} topic labels; word patterns from "
          f"{args.topics or 'the shipped topics.toml'}\n")
    print(f"{int((~y.any(axis=1)).sum())} chats without a topic. R / P / E: recall, precision, "
          "share of topic-less chats given a topic\n")
    header = ("| topics by | " + " | ".join(f"train on the rest, test on {w}: R / P / E"
                                           for w in writers)
              + " | leave one writer out, pooled: R / P / E | 5-fold: R / P / E |")
    print(header)
    print("|" + "---|" * (len(writers) + 3))
    results: dict[Key, tuple[float, float, float]] = {}
    settings = [(C, weight, kind) for C, weight, kind in
                itertools.product(args.C, args.text_weights, args.ngrams)
                if weight or kind == args.ngrams[0]]  # no n-grams: one kind is enough

    def cell(values: Sequence[float]) -> str:
        return "{:.3f} / {:.3f} / {:.2f}".format(*values)

    def row(name: str, lowo_pred: np.ndarray, fold_preds: list[np.ndarray]
            ) -> tuple[float, float, float]:
        per_writer = [_counts(lowo_pred[sources == w], y[sources == w]) for w in writers]
        pooled = _rp(np.sum(per_writer, axis=0))
        folded = np.mean([_rp(_counts(p, y)) for p in fold_preds], axis=0)
        cells = " | ".join(cell(_rp(c)) for c in per_writer)
        print(f"| {name} | {cells} | {cell(pooled)} | {cell(folded)} |", flush=True)
        return pooled

    row("words", words, [words])
    for C, weight, kind in settings:
        held_out = out_of_fold(lowo, C, weight, kind) if len(writers) > 1 else None
        folded = [out_of_fold(f, C, weight, kind) for f in folds]
        name = f"C {C:g}, {kind} n-grams {weight:g}" if weight else f"C {C:g}, no n-grams"
        for threshold, rule, floor in itertools.product(args.thresholds, RULES, args.floors):
            if floor and rule == "classifier alone":
                continue  # no words to gate

            def decide(scores: np.ndarray) -> np.ndarray:
                learnt = scores >= threshold  # noqa: B023
                if rule.startswith("words + classifier's top"):  # noqa: B023
                    k = int(rule.rsplit(" ", 1)[1])  # noqa: B023
                    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
                    ranked = np.zeros_like(learnt)
                    np.put_along_axis(ranked, top, True, axis=1)
                    learnt &= ranked
                if rule == "classifier alone":  # noqa: B023
                    return learnt
                return (words & (scores >= floor)) | learnt  # noqa: B023
            lowo_pred = decide(held_out) if held_out is not None else decide(folded[0])
            key = (C, weight, threshold, rule, kind if weight else "", floor)
            gate = f", words where ≥ {floor:g}" if floor else ""
            results[key] = row(f"{name}: {rule} ≥ {threshold}{gate}", lowo_pred,
                               [decide(s) for s in folded])
    if BEFORE not in results:
        return
    _, floor_precision, ceiling_empty = results[BEFORE]
    print(f"\nsettings before: C {BEFORE[0]:g}, no n-grams, {BEFORE[3]} ≥ {BEFORE[2]}: pooled "
          f"R / P / E {cell(results[BEFORE])}")

    def pick(candidates: dict[Key, tuple[float, float, float]], what: str) -> None:
        allowed = {k: v for k, v in candidates.items()
                   if v[1] >= floor_precision and not v[2] > ceiling_empty}
        best = max(allowed, key=lambda k: (allowed[k][0], allowed[k][1], -allowed[k][2]))
        gate = f", words where ≥ {best[5]:g}" if best[5] else ""
        print(f"chosen {what} (highest pooled recall at precision ≥ {floor_precision:.3f} and "
              f"E ≤ {ceiling_empty:.2f}): C {best[0]:g}, {best[4] or 'no'} n-grams {best[1]:g}, "
              f"{best[3]} ≥ {best[2]}{gate}: pooled R / P / E {cell(results[best])}")

    pick(results, "over every setting (information)")
    pick({k: v for k, v in results.items() if not k[1]}, "without n-grams (the rule: shipped)")


if __name__ == "__main__":
    main()
