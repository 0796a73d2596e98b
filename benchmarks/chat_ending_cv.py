"""How a chat ended, on the labelled Swedish training chats: the label's thresholds.

    .venv/bin/python benchmarks/chat_ending_cv.py [--model FILE]

The chats are those of the package's topic-training file (``chat/data/topic_chats_sv.jsonl``)
that carry an author's ``ended`` (well / badly / unclear) and moods (1 mild … 5 extremely
distressed): the ``s31-writer`` ones, written by a session that never saw this repository.
The independent set under ``benchmarks/data/`` is never read here. The chat model is trained
on ESConv train, as in ``chat_bench.py`` (``--model`` keeps it in a file between runs).

Reported: the predicted change and experience against the author's ending (AUC, well against
badly), the moods against the author's distress (Spearman, sign flipped), and the ended
well / badly / unclear label's agreement with the author, as shipped and over a grid of its
settings (``closing_messages``, ``well_from``, ``badly_below`` in ``chat/data/ending.toml``).
The grid is judged by 5-fold cross-validation: the setting with the best agreement on four
folds is scored on the fifth, so the figure for "chosen in CV" is not the best of the grid.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
from pathlib import Path

import joblib
import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold

from kraftsamling.chat import (
    ChatModel,
    Conversation,
    EndingCues,
    Message,
    TopicTaxonomy,
    analyze_conversations,
    read_esconv,
)
from kraftsamling.privacy import Pseudonymization

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    tagger = Pseudonymization.with_default_recognizers(b"benchmark").tagger()
    if args.model is not None and args.model.exists():
        model = joblib.load(args.model)
    else:
        model = ChatModel().fit(read_esconv(args.data / "esconv" / "train.jsonl",
                                            pseudonymizer=tagger))
        if args.model is not None:
            joblib.dump(model, args.model)
    source = TopicTaxonomy.from_toml().training_chats
    assert source is not None
    records = [json.loads(line) for line in
               source.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [r for r in records if r.get("ended") in ("well", "badly", "unclear")]
    chats = [Conversation(r["conversation_id"], [
        Message("seeker" if m["speaker"] == "seeker" else "volunteer", tagger.redact(m["text"]))
        for m in r["messages"]]) for r in records]
    analysis = analyze_conversations(chats, model=model)
    ended = np.array([r["ended"] for r in records])
    print(f"{len(chats)} labelled Swedish chats with an ending: "
          + ", ".join(f"{label} {int((ended == label).sum())}"
                      for label in ("well", "badly", "unclear")) + "\n")
    decided = np.flatnonzero(ended != "unclear")
    change = np.array([i.mood_change for i in analysis.insights])
    experience = np.array([i.experience for i in analysis.insights])
    print("| measure | value |")
    print("|---|---|")
    print(f"| ended well vs badly: AUC of predicted change | "
          f"{roc_auc_score(ended[decided] == 'well', change[decided]):.3f} |")
    print(f"| ended well vs badly: AUC of predicted experience | "
          f"{roc_auc_score(ended[decided] == 'well', experience[decided]):.3f} |")
    for field in ("mood_before", "mood_after"):
        ours = [getattr(i, field) for i in analysis.insights]
        print(f"| {field} Spearman against the author's distress (sign flipped) | "
              f"{-spearmanr(ours, [r[field] for r in records])[0]:.3f} |")
    shipped = model.ending_

    def labels(cues: EndingCues, rows: np.ndarray) -> np.ndarray:
        return np.array([cues.label(change[k], cues.evidence(chats[k])) for k in rows])

    every = np.arange(len(chats))
    agree = float(np.mean(labels(shipped, every) == ended))
    print(f"| label agreement as shipped (closing_messages {shipped.closing_messages}, "
          f"well_from {shipped.well_from:g}, badly_below {shipped.badly_below:g}) | "
          f"{agree:.3f} |")
    print(f"| label agreement, commonest label | "
          f"{max(np.mean(ended == x) for x in set(ended)):.3f} |")
    grid = [dataclasses.replace(shipped, closing_messages=c, well_from=w, badly_below=b)
            for c, w, b in itertools.product((1, 2, 3), (0.0, 0.25, 0.5, 0.75, 1.0),
                                             (-0.5, -0.25, 0.0, 0.25, 0.5))]
    predicted = [labels(cues, every) for cues in grid]
    hits = np.array([p == ended for p in predicted])
    scores = []
    for train, test in KFold(5, shuffle=True, random_state=0).split(every):
        best = int(np.argmax(hits[:, train].mean(axis=1)))
        scores.append(hits[best, test].mean())
    print(f"| label agreement, settings chosen in 5-fold CV (held-out folds) | "
          f"{np.mean(scores):.3f} |")
    best = int(np.argmax(hits.mean(axis=1)))
    print(f"| best of the grid on all chats (closing_messages {grid[best].closing_messages}, "
          f"well_from {grid[best].well_from:g}, badly_below {grid[best].badly_below:g}) | "
          f"{hits[best].mean():.3f} |")


if __name__ == "__main__":
    main()
