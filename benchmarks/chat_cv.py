"""Chat model selection: 5-fold cross-validation on ESConv train + valid (never test).

    .venv/bin/python benchmarks/chat_cv.py [--repeats 5]

The cross-validation that chose the problem and start-mood models' training examples and
the naive Bayes term; ``chat_bench.py`` then reports the chosen model once on test. Texts
are pseudonymised as in use. Each text is embedded once; folds reuse the embeddings, so the
training rows are assembled here as ``ChatModel.fit`` assembles them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from kraftsamling._textfeatures import embed
from kraftsamling.chat import ChatModel, MoodEstimator, ProblemTypeClassifier, read_esconv
from kraftsamling.chat._analysis import _next_slice
from kraftsamling.privacy import Pseudonymizer

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeats", type=int, default=5, help="seeds 2, 3, …")
    args = parser.parse_args()
    tagger = Pseudonymizer(key=b"benchmark", mode="tag")
    chats = [c for split in ("train", "valid")
             for c in read_esconv(args.data / "esconv" / f"{split}.jsonl", pseudonymizer=tagger)]
    started = time.perf_counter()
    shipped = ChatModel()
    views = shipped.views(chats)
    situations = [str(c.labels.get("situation") or "") for c in chats]
    following = [_next_slice(c, shipped.start_words) for c in chats]
    situation_embeddings, following_embeddings = embed(situations), embed(following)
    print(f"ESConv train + valid: {len(chats)} conversations, embedded in "
          f"{time.perf_counter() - started:.0f} s\n")
    problems = np.array([str(c.labels["problem_type"]) for c in chats])
    initial = np.array([float(str(c.labels["initial_emotion_intensity"])) for c in chats])
    dialog = np.array(views.dialog, dtype=object)

    def problem_rows(rows: np.ndarray, next_words: bool
                     ) -> tuple[list[str], list[str], np.ndarray]:
        texts = list(dialog[rows]) + [situations[i] for i in rows if situations[i]]
        labels = list(problems[rows]) + [problems[i] for i in rows if situations[i]]
        parts = [views.start_embeddings[rows],
                 situation_embeddings[[i for i in rows if situations[i]]]]
        if next_words:
            kept = [i for i in rows if following[i]]
            texts += [following[i] for i in kept]
            labels += list(problems[kept])
            parts.append(following_embeddings[kept])
        return texts, labels, np.vstack(parts)

    variants = {"situations (model before this session)": (False, 0.0),
                "+ the seeker's next words": (True, 0.0),
                "+ naive Bayes (shipped)": (True, 1.0)}
    scores: dict[str, list[float]] = {name: [] for name in variants}
    spearman: list[float] = []
    for seed in range(2, 2 + args.repeats):
        predicted = {name: np.empty(len(chats), dtype=object) for name in variants}
        estimated = np.zeros(len(chats))
        folds = StratifiedKFold(5, shuffle=True, random_state=seed).split(problems, problems)
        for train, test in folds:
            for name, (next_words, weight) in variants.items():
                texts, labels, embeddings = problem_rows(train, next_words)
                model = ProblemTypeClassifier(naive_bayes_weight=weight).fit(
                    texts, labels, embeddings=embeddings)
                predicted[name][test] = model.predict(list(dialog[test]),
                                                      embeddings=views.start_embeddings[test])
            mood = MoodEstimator(alpha=shipped.mood_alpha,
                                 embedding_weight=shipped.mood_embedding_weight).fit(
                [views.seeker[i] for i in train], initial[train],
                embeddings=views.start_embeddings[train])
            estimated[test] = mood.predict([views.seeker[i] for i in test],
                                           embeddings=views.start_embeddings[test])
        for name in variants:
            scores[name].append(f1_score(problems, list(predicted[name]), average="macro"))
        spearman.append(float(spearmanr(estimated, initial)[0]))
        print(f"seed {seed} done ({time.perf_counter() - started:.0f} s)", flush=True)
    print("\n| measure (5-fold CV, ESConv train + valid) | mean | per seed |")
    print("|---|---|---|")
    for name, values in scores.items():
        print(f"| problem_type macro-F1, {name} | {np.mean(values):.3f} | "
              f"{', '.join(f'{v:.3f}' for v in values)} |")
    print(f"| initial intensity Spearman (shipped) | {np.mean(spearman):.3f} | "
          f"{', '.join(f'{v:.3f}' for v in spearman)} |")


if __name__ == "__main__":
    main()
