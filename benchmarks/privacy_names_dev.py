"""How the name tagger's threshold and rules were chosen: on training data only.

    nice python benchmarks/privacy_names_dev.py            # about 5-10 minutes on one core

5-fold cross-validation over the Swedish NER train split (sentence i is in fold i mod 5):
each fold's CRF is fitted on the other four folds plus 4,000 generated notes and messages
(``name_training_texts``, seed 1), as the shipped model is, and scores the person-name
tokens of its own fold. Neither the test split nor the independent corpus
(``benchmarks/data/names-independent/``) is read. Printed: recall, precision and the share
of other words removed for a grid of thresholds with every rule on; then, at the chosen
threshold, the same with each rule of ``PersonNameRecognizer.rules`` left out in turn.

The rule for choosing (issue 21, session 30): the lowest threshold at which cross-validated
precision reaches 0.90 (the target); a rule stays only if leaving it out loses recall or
costs precision. (Sessions before used the last 10 % of the train split alone, 264 name
tokens; the cross-validation reads all 2,500.)
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kraftsamling.privacy import NameTagger, PersonNameRecognizer, read_conll
from kraftsamling.privacy._names import RULES, THRESHOLD
from kraftsamling.privacy._spans import tokenize
from kraftsamling.privacy._synth import as_tagged_sentences, name_training_texts

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
FOLDS = 5
Sentences = Sequence[tuple[list[str], list[str]]]


def counts(recognizer: PersonNameRecognizer, sentences: Sentences) -> list[int]:
    """True positives, false positives, false negatives, other words, other words removed."""
    tp = fp = fn = other = removed = 0
    for words, tags in sentences:
        text = " ".join(words)
        spans = recognizer.analyze(text, tokenize(text))
        position = 0
        for word, tag in zip(words, tags, strict=True):
            start, end = position, position + len(word)
            position = end + 1
            hit = any(s.start < end and start < s.end for s in spans)
            gold = tag == "PER"
            tp += hit and gold
            fp += hit and not gold
            fn += gold and not hit
            if not gold and word[:1].isalnum():
                other += 1
                removed += hit
    return [tp, fp, fn, other, removed]


def row(label: str, total: list[int]) -> str:
    tp, fp, fn, other, removed = total
    return (f"| {label} | {tp / max(tp + fn, 1):.3f} | {tp / max(tp + fp, 1):.3f} | "
            f"{removed / max(other, 1):.2%} | {fn} | {fp} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--models", type=Path, help="folder to keep (and reuse) fold models")
    args = parser.parse_args()
    train = read_conll(args.data / "swedish-ner" / "train_corpus.txt")
    generated = as_tagged_sentences(name_training_texts(4000, seed=1))
    folder = args.models or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    settings = [("every rule", set(RULES))] + [
        (f"without {rule}", set(RULES) - {rule}) for rule in sorted(RULES)]
    grid = {threshold: [0] * 5 for threshold in THRESHOLDS}
    ablation = {label: [0] * 5 for label, _ in settings}
    for k in range(FOLDS):
        fold = [s for i, s in enumerate(train) if i % FOLDS == k]
        model = folder / f"fold{k}.crfsuite"
        if not model.exists():
            rest = [s for i, s in enumerate(train) if i % FOLDS != k] + generated
            NameTagger().fit([w for w, _ in rest], [t for _, t in rest]).save(model)
        recognizer = PersonNameRecognizer(model=model)
        for threshold in THRESHOLDS:
            recognizer.threshold = threshold
            grid[threshold] = [a + b for a, b in zip(grid[threshold],
                                                     counts(recognizer, fold), strict=True)]
        recognizer.threshold = THRESHOLD
        for label, rules in settings:
            recognizer.rules = rules
            ablation[label] = [a + b for a, b in zip(ablation[label],
                                                     counts(recognizer, fold), strict=True)]
        print(f"fold {k + 1} of {FOLDS} done", flush=True)
    names = grid[THRESHOLD][0] + grid[THRESHOLD][2]
    print(f"\n{FOLDS}-fold CV over NER train ({len(train)} sentences, {names} name tokens), "
          "every rule on\n")
    print("| threshold | recall | precision | other words removed | missed | false |")
    print("|---|---|---|---|---|---|")
    for threshold, total in grid.items():
        print(row(f"{threshold:.2f}", total))
    print(f"\nAt the threshold {THRESHOLD}\n")
    print("| rules | recall | precision | other words removed | missed | false |")
    print("|---|---|---|---|---|---|")
    for label, total in ablation.items():
        print(row(label, total))


if __name__ == "__main__":
    main()
