"""Chat benchmark (issue 5, in progress): Swedish sentiment against VADER-sv.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python benchmarks/chat_bench.py

swe-sentiment (Berggren 2023; research and hobby use, cite the author) is split once by a
SHA-256 hash of each text: 20 % test (reported here only), 10 % validation (used to choose
the model's C and embedding weight), 70 % train. VADER-sv (`vadersentiment-swedish`) labels
by its compound score with the usual ±0.05 cut-offs. The ESConv part of this benchmark comes
with the per-conversation analysis.

Note: `vadersentiment-swedish` installs as the module `vaderSentiment`, the same name as the
English package; install only one of them in an environment.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

from sklearn.metrics import f1_score

from kraftsamling.chat import SentimentClassifier

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def split_of(text: str) -> str:
    bucket = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 10
    return "test" if bucket < 2 else "valid" if bucket == 2 else "train"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    with (args.data / "swe-sentiment" / "swe-sentiment-dataset.csv").open(
            encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    parts = {name: [r for r in rows if split_of(r["text"]) == name]
             for name in ("train", "valid", "test")}
    train, test = parts["train"], parts["test"]
    model = SentimentClassifier().fit([r["text"] for r in train], [r["label"] for r in train])
    truth = [r["label"] for r in test]
    ours = f1_score(truth, list(model.predict([r["text"] for r in test])), average="macro")
    vader = SentimentIntensityAnalyzer()

    def vader_label(text: str) -> str:
        compound = vader.polarity_scores(text)["compound"]
        return "pos" if compound >= 0.05 else "neg" if compound <= -0.05 else "neu"

    baseline = f1_score(truth, [vader_label(r["text"]) for r in test], average="macro")
    print(f"swe-sentiment: train {len(train)}, validation {len(parts['valid'])}, "
          f"test {len(test)}\n")
    print("| model | macro-F1 on test | target |")
    print("|---|---|---|")
    print(f"| VADER-sv (vadersentiment-swedish) | {baseline:.3f} | |")
    print(f"| Kraftsamling SentimentClassifier | {ours:.3f} | ≥ VADER-sv + 0.15 "
          f"(= {baseline + 0.15:.3f}) |")


if __name__ == "__main__":
    main()
