"""Could a memory of reviewers' corrections catch rewordings? A probe on the train split.

A nearest-answer memory would raise an answer to a correction's level when its embedding
(multilingual-e5-small, cosine) is close to the corrected answer's. This prints how close the
two rewordings of ``tests/autolarm/test_web.py::MISSED`` are to their corrections, how close
the train split's harmless answers are to the same corrections, and — with each author's
concern and urgent answers as the memory and the other authors' harmless answers as the test
— the share of (harmless answer, remembered answer) pairs at or above each cut-off: the
false raises per remembered answer. Only the shipped train split is read; no independent set.

    .venv/bin/python benchmarks/autolarm_memory_probe.py
"""

from __future__ import annotations

import numpy as np

from kraftsamling.autolarm import Level, embed, load_seed, seed_embeddings
from kraftsamling.settings import load_settings

MISSED = [
    ("allt känns lugnt nu när jag har bestämt mig, breven är klara och jag är inte rädd "
     "längre",
     "jag är nöjd nu, har gett bort mina spel till lillebror och sagt hejdå till katten"),
    ("det är mysigt med morbror, han kommer in till mig när alla sover och säger att jag är "
     "speciell",
     "min tränare säger att jag är hans favorit och att det vi gör i bilen efter träningen "
     "är vår hemlighet"),
]
CUTS = (0.85, 0.87, 0.88, 0.89, 0.90, 0.92)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def main() -> None:
    train = [a for a in load_seed() if a.split == "train"]
    vectors = _unit(seed_embeddings([a.text for a in train], load_settings().cache_dir))
    levels = np.array([a.level.value for a in train])
    authors = np.array([a.author for a in train])
    pairs = _unit(embed([text for pair in MISSED for text in pair]))
    harmless = vectors[levels == Level.none.value]
    print(f"train split: {len(train)} answers, {len(harmless)} harmless, "
          f"{len(set(authors))} authors\n")
    print("| correction | rewording's cosine | harmless: median | 99th pct | max |")
    print("|---|---|---|---|---|")
    for k in range(len(MISSED)):
        correction = pairs[2 * k]
        near = harmless @ correction
        print(f"| {k + 1} | {float(pairs[2 * k + 1] @ correction):.3f} | "
              f"{np.median(near):.3f} | {np.percentile(near, 99):.3f} | {near.max():.3f} |")
    flagged = levels != Level.none.value
    print("\n| cut-off (cosine) | harmless answers raised per remembered answer |")
    print("|---|---|")
    for cut in CUTS:
        hits = total = 0
        for author in np.unique(authors):
            memory = vectors[flagged & (authors == author)]
            others = vectors[(levels == Level.none.value) & (authors != author)]
            if len(memory) and len(others):
                close = others @ memory.T
                hits += int((close >= cut).sum())
                total += close.size
        print(f"| {cut:.2f} | {hits / total:.2%} |")


if __name__ == "__main__":
    main()
