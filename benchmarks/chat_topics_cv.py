"""Taxonomy topics on labelled Swedish chats: cross-validated choice of the topic classifier.

    .venv/bin/python benchmarks/chat_topics_cv.py [--repeats 3]

The chats are the package's own training chats (``chat/data/topic_chats_sv.jsonl``, written
for this by a Kraftsamling helper session; not the independent set under
``benchmarks/data/``, which is never read here). Each fold trains the shipped
:class:`TopicClassifier` on the other folds' chats plus every prototype sentence and scores
the held-out chats' opening words; word patterns and prototypes need no training and are
applied as shipped. The word lists were extended by the same author after writing the
chats, so the "words" rows here are optimistic: they show what the classifier adds on top,
not what the words will find in chats written by someone else.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.model_selection import KFold

from kraftsamling._textfeatures import embed
from kraftsamling.chat import TopicClassifier, TopicTaxonomy, read_topic_chats, seeker_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--C", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    args = parser.parse_args()
    taxonomy = TopicTaxonomy.from_toml()
    assert taxonomy.training_chats is not None
    chats, _ = read_topic_chats(taxonomy.training_chats)
    texts, y_all = taxonomy.training_data()
    n = len(chats)
    vectors = embed(texts)
    chat_vectors, prototype_vectors = vectors[:n], vectors[n:]
    y, y_prototypes = y_all[:n].astype(bool), y_all[n:]
    ids = taxonomy.ids
    seekers = [seeker_text(chat) for chat in chats]
    words = np.array([[t in taxonomy.assign(s) for t in ids] for s in seekers])
    similarities = taxonomy.similarities(chat_vectors)
    prototypes = np.array([[t in taxonomy.assign("", None, row) for t in ids]
                           for row in similarities])
    thresholds = (0.3, 0.5, 0.7, 0.9)
    rows: dict[str, list[tuple[float, float]]] = {}

    def score(name: str, predicted: np.ndarray) -> None:
        hits = (predicted & y).sum()
        rows.setdefault(name, []).append((hits / y.sum(), hits / max(predicted.sum(), 1)))

    for seed in range(args.repeats):
        score("words", words)
        score(f"words + prototypes (cosine ≥ {taxonomy.prototype_threshold})",
              words | prototypes)
        for C in args.C:
            scores = np.zeros(y.shape)
            for train, test in KFold(5, shuffle=True, random_state=seed).split(chats):
                model = TopicClassifier(C=C).fit(
                    np.vstack([chat_vectors[train], prototype_vectors]),
                    np.vstack([y[train], y_prototypes]))
                scores[test] = model.predict_proba(chat_vectors[test])
            for threshold in thresholds:
                learnt = scores >= threshold
                score(f"C {C:g}: words + classifier ≥ {threshold}", words | learnt)
                score(f"C {C:g}: words + prototypes + classifier ≥ {threshold}",
                      words | prototypes | learnt)
                score(f"C {C:g}: classifier alone ≥ {threshold}", learnt)
    print(f"{n} labelled Swedish chats, {int(y.sum())} topic labels, 5-fold CV, "
          f"{args.repeats} repeats (seeds 0–{args.repeats - 1})\n")
    print("| topics by | recall | precision | F1 |")
    print("|---|---|---|---|")
    for name, values in rows.items():
        recall, precision = np.mean(values, axis=0)
        print(f"| {name} | {recall:.3f} | {precision:.3f} | "
              f"{2 * recall * precision / max(recall + precision, 1e-9):.3f} |")


if __name__ == "__main__":
    main()
