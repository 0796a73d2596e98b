"""Chat model selection: 5-fold cross-validation on ESConv train + valid (never test).

    .venv/bin/python benchmarks/chat_cv.py [--repeats 5] [--ceilings]

The cross-validation that chose the problem and start-mood models' training examples and
the naive Bayes term; ``chat_bench.py`` then reports the chosen model once on test. Texts
are pseudonymised as in use. Each text is embedded once; folds reuse the embeddings, so the
training rows are assembled here as ``ChatModel.fit`` assembles them.

``--ceilings`` adds rows no shipped model can have, to show how far the labels can be
learnt from text at all: the seeker's pre-chat situation description read when predicting
(hidden in use: a survey field), and every word the seeker wrote embedded (about 13 times
the embedding time, beyond the speed target). About 8 minutes more.

``--endings`` chooses how much the end and experience models read how the chat ended
(``ChatModel(ending_weight=…)``: the closing-word cues of ``chat/data/ending.toml``) and which
text's word n-grams they read (``end_text``: the closing words, or every seeker word). As in
use, the end model is trained on the true starting intensity and predicts from the estimated
one (the start model's out-of-fold estimate). It reports the final intensity, the change and
the experience (Spearman), and how well the predicted change tells the chats that helped most
(change ≥ 3) from those that helped least (change = 1): AUC.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from chat_bench import unit, with_situation
from scipy.stats import spearmanr
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from kraftsamling._textfeatures import embed
from kraftsamling.chat import (
    ChatModel,
    Conversation,
    EndingCues,
    MoodEstimator,
    ProblemTypeClassifier,
    read_esconv,
)
from kraftsamling.chat._analysis import _next_slice
from kraftsamling.privacy import Pseudonymization

# (training rows for a fold's rows, texts read when predicting, their embeddings, NB weight)
Variant = tuple[Callable[[np.ndarray], tuple[list[str], list[str], np.ndarray]],
                np.ndarray, np.ndarray, float]
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeats", type=int, default=5, help="seeds 2, 3, …")
    parser.add_argument("--ceilings", action="store_true",
                        help="also the rows no shipped model can have (about 8 min more)")
    parser.add_argument("--endings", action="store_true",
                        help="only the end and experience models' ending weights")
    args = parser.parse_args()
    tagger = Pseudonymization.with_default_recognizers(b"benchmark").tagger()
    chats = [c for split in ("train", "valid")
             for c in read_esconv(args.data / "esconv" / f"{split}.jsonl", pseudonymizer=tagger)]
    started = time.perf_counter()
    shipped = ChatModel()
    views = shipped.views(chats)
    if args.endings:
        print(f"ESConv train + valid: {len(chats)} conversations, embedded in "
              f"{time.perf_counter() - started:.0f} s\n", flush=True)
        _endings(chats, shipped, views, args.repeats)
        return
    situations = [str(c.labels.get("situation") or "") for c in chats]
    following = [_next_slice(c, shipped.start_words) for c in chats]
    situation_embeddings, following_embeddings = embed(situations), embed(following)
    print(f"ESConv train + valid: {len(chats)} conversations, embedded in "
          f"{time.perf_counter() - started:.0f} s\n")
    problems = np.array([str(c.labels["problem_type"]) for c in chats])
    initial = np.array([float(str(c.labels["initial_emotion_intensity"])) for c in chats])
    dialog = np.array(views.dialog, dtype=object)

    def problem_rows(rows: np.ndarray, next_words: bool, dialog_embeddings: np.ndarray
                     ) -> tuple[list[str], list[str], np.ndarray]:
        texts = list(dialog[rows]) + [situations[i] for i in rows if situations[i]]
        labels = list(problems[rows]) + [problems[i] for i in rows if situations[i]]
        parts = [dialog_embeddings[rows],
                 situation_embeddings[[i for i in rows if situations[i]]]]
        if next_words:
            kept = [i for i in rows if following[i]]
            texts += [following[i] for i in kept]
            labels += list(problems[kept])
            parts.append(following_embeddings[kept])
        return texts, labels, np.vstack(parts)

    def dialogue_variant(next_words: bool, weight: float, embedded: np.ndarray) -> Variant:
        return (lambda rows: problem_rows(rows, next_words, embedded), dialog, embedded, weight)

    def same_text_variant(text: np.ndarray, embedded: np.ndarray) -> Variant:
        return (lambda rows: (list(text[rows]), list(problems[rows]), embedded[rows]),
                text, embedded, 1.0)

    start = views.start_embeddings
    variants = {
        "situation rows (the model before the next two rows)": dialogue_variant(False, 0.0, start),
        "+ the seeker's next words": dialogue_variant(True, 0.0, start),
        "+ naive Bayes (shipped)": dialogue_variant(True, 1.0, start)}
    moods = {"shipped": start}
    if args.ceilings:
        whole = _whole_seeker_embeddings(views.seeker)
        both, both_embeddings = with_situation(list(dialog), situations, start,
                                               situation_embeddings)
        print(f"ceilings embedded ({time.perf_counter() - started:.0f} s)", flush=True)
        variants["not shippable: every seeker word embedded"] = dialogue_variant(
            True, 1.0, whole)
        variants["not shippable: situation description only (hidden in use)"] = (
            same_text_variant(np.array(situations, dtype=object), situation_embeddings))
        variants["not shippable: dialogue + situation description (hidden in use)"] = (
            same_text_variant(np.array(both, dtype=object), both_embeddings))
        moods["not shippable: every seeker word embedded"] = whole
    scores: dict[str, list[float]] = {name: [] for name in variants}
    spearman: dict[str, list[float]] = {name: [] for name in moods}
    for seed in range(2, 2 + args.repeats):
        predicted = {name: np.empty(len(chats), dtype=object) for name in variants}
        estimated = {name: np.zeros(len(chats)) for name in moods}
        folds = StratifiedKFold(5, shuffle=True, random_state=seed).split(problems, problems)
        for train, test in folds:
            for name, (training_rows, text, embedded, weight) in variants.items():
                texts, labels, embeddings = training_rows(train)
                model = ProblemTypeClassifier(naive_bayes_weight=weight).fit(
                    texts, labels, embeddings=embeddings)
                predicted[name][test] = model.predict(list(text[test]),
                                                      embeddings=embedded[test])
            for name, embedded in moods.items():
                mood = MoodEstimator(alpha=shipped.mood_alpha,
                                     embedding_weight=shipped.mood_embedding_weight).fit(
                    [views.seeker[i] for i in train], initial[train],
                    embeddings=embedded[train])
                estimated[name][test] = mood.predict([views.seeker[i] for i in test],
                                                     embeddings=embedded[test])
        for name in scores:
            scores[name].append(f1_score(problems, list(predicted[name]), average="macro"))
        for name in moods:
            spearman[name].append(float(spearmanr(estimated[name], initial)[0]))
        print(f"seed {seed} done ({time.perf_counter() - started:.0f} s)", flush=True)
    print("\n| measure (5-fold CV, ESConv train + valid) | mean | per seed |")
    print("|---|---|---|")
    rows = [(f"problem_type macro-F1, {name}", values) for name, values in scores.items()]
    rows += [(f"initial intensity Spearman, {name}", values) for name, values in spearman.items()]
    for label, values in rows:
        print(f"| {label} | {np.mean(values):.3f} | {', '.join(f'{v:.3f}' for v in values)} |")


def _endings(chats: list[Conversation], shipped: ChatModel, views: object, repeats: int
             ) -> None:
    seeker, end, start = views.seeker, views.end, views.start_embeddings  # type: ignore[attr-defined]
    cues = EndingCues.from_toml().features(chats)
    initial = np.array([float(str(c.labels["initial_emotion_intensity"])) for c in chats])
    problems = np.array([str(c.labels["problem_type"]) for c in chats])

    def known(name: str) -> np.ndarray:
        return np.array([float(str(c.labels[name])) if c.labels.get(name) is not None
                         else np.nan for c in chats])

    final, experience = known("final_emotion_intensity"), known("experience")
    none = np.zeros_like(start)  # the end models embed nothing (end_embedding_weight 0)
    # (ending weight, what the end model is trained on as the start: true, estimated, none)
    # and the text whose n-grams they read: the closing words, or every word the seeker wrote)
    variants = {f"ending_weight {w}": (w, "true", "end") for w in (0.0, 0.1, 0.3, 1.0)}
    variants["ending_weight 0.3, trained on the estimated start"] = (0.3, "estimated", "end")
    variants["ending_weight 0.3, no start"] = (0.3, "none", "end")
    variants.update({f"ending_weight {w}, every seeker word (end_text 'seeker')":
                     (w, "true", "seeker") for w in (0.0, 0.3, 1.0)})
    texts = {"end": end, "seeker": seeker}

    def start_model(rows: np.ndarray) -> MoodEstimator:
        return MoodEstimator(alpha=shipped.mood_alpha,
                             embedding_weight=shipped.mood_embedding_weight).fit(
            [seeker[i] for i in rows], initial[rows], embeddings=start[rows])

    def estimate(model: MoodEstimator, rows: np.ndarray) -> np.ndarray:
        return model.predict([seeker[i] for i in rows], embeddings=start[rows])

    results: dict[str, dict[str, list[float]]] = {
        name: {k: [] for k in ("final", "change", "auc", "experience")} for name in variants}
    for seed in range(2, 2 + repeats):
        estimated_start = np.zeros(len(chats))
        estimated = {name: (np.full(len(chats), np.nan), np.full(len(chats), np.nan))
                     for name in variants}
        for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(
                problems, problems):
            estimated_start[test] = estimate(start_model(train), test)
            inner = np.zeros(len(chats))  # out-of-fold start estimates inside the training part
            for fit_rows, held in StratifiedKFold(3, shuffle=True, random_state=seed).split(
                    train, problems[train]):
                inner[train[held]] = estimate(start_model(train[fit_rows]), train[held])
            with_end = train[~np.isnan(final[train])]
            with_experience = train[~np.isnan(experience[train])]
            for name, (w, kind, source) in variants.items():
                read = texts[source]
                trained_start = {"true": initial, "estimated": inner}.get(kind)
                model = MoodEstimator(alpha=shipped.end_alpha, embedding_weight=0.0,
                                      extra_weight=w).fit(
                    [read[i] for i in with_end], final[with_end], embeddings=none[with_end],
                    start=None if trained_start is None else trained_start[with_end],
                    extra=cues[with_end])
                estimated[name][0][test] = model.predict(
                    [read[i] for i in test], embeddings=none[test],
                    start=None if trained_start is None else estimated_start[test],
                    extra=cues[test])
                rating = MoodEstimator(alpha=shipped.end_alpha, embedding_weight=0.0,
                                       extra_weight=w).fit(
                    [read[i] for i in with_experience], experience[with_experience],
                    embeddings=none[with_experience], extra=cues[with_experience])
                estimated[name][1][test] = rating.predict([read[i] for i in test],
                                                          embeddings=none[test],
                                                          extra=cues[test])
        has = ~np.isnan(final)
        change = initial - final
        ends = has & ((change >= 3) | (change == 1))
        rated = ~np.isnan(experience)
        for name in variants:
            predicted_final, predicted_experience = estimated[name]
            predicted_change = estimated_start - predicted_final
            results[name]["final"].append(float(spearmanr(predicted_final[has], final[has])[0]))
            results[name]["change"].append(float(spearmanr(predicted_change[has],
                                                           change[has])[0]))
            results[name]["auc"].append(float(roc_auc_score(change[ends] >= 3,
                                                            predicted_change[ends])))
            results[name]["experience"].append(float(spearmanr(
                predicted_experience[rated], experience[rated])[0]))
        print(f"seed {seed} done", flush=True)
    print("\n| end models (5-fold CV, ESConv train + valid) | final intensity Spearman | "
          "change Spearman | helped most vs least, AUC of predicted change | "
          "experience Spearman |")
    print("|---|---|---|---|---|")
    for name, values in results.items():
        print(f"| {name} | " + " | ".join(f"{np.mean(values[k]):.3f}" for k in
                                          ("final", "change", "auc", "experience")) + " |")


def _whole_seeker_embeddings(seeker: list[str], words: int = 96) -> np.ndarray:
    """The mean embedding of the seeker's text in ``words``-word pieces, per conversation."""
    pieces, owners = [], []
    for owner, text in enumerate(seeker):
        tokens = text.split() or [""]
        for start in range(0, len(tokens), words):
            pieces.append(" ".join(tokens[start:start + words]))
            owners.append(owner)
    embedded = embed(pieces)
    sums = np.zeros((len(seeker), embedded.shape[1]))
    np.add.at(sums, np.array(owners), embedded)
    return unit(sums)


if __name__ == "__main__":
    main()
