"""How many words of pupils' answers the name tagger takes for names: over-redaction that
autolarm pays for, since it reads answers after pseudonymisation.

    nice .venv/bin/python benchmarks/privacy_pupil_spans.py

Pupils' survey answers hold almost no names, so nearly every PERSON span in them is an
ordinary word lost (`ta ditt [PERSON]`). Counted on autolarm's phone-typed and teens'
training answers (training data) and, as the independent twin, on the three autolarm
independent sets (written by helpers who never saw this repository; only counted here,
never read to change a rule), with the shipped recogniser and with the rule
``lower_common`` left out (session 32). Prints a table and the spans of the first.
"""

from __future__ import annotations

import json
from pathlib import Path

from kraftsamling.privacy import PersonNameRecognizer
from kraftsamling.privacy._spans import tokenize

ROOT = Path(__file__).resolve().parents[1]
TRAINING = [ROOT / "src" / "kraftsamling" / "autolarm" / "data" / f"training_answers_{name}.jsonl"
            for name in ("phone", "teens")]
INDEPENDENT = [ROOT / "benchmarks" / "data" / name / "answers.jsonl"
               for name in ("autolarm-independent", "autolarm-independent-2",
                            "autolarm-independent-3")]


def texts(paths: list[Path]) -> list[str]:
    return [str(json.loads(line)["text"]) for path in paths
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def spans(recognizer: PersonNameRecognizer, answers: list[str]) -> int:
    return sum(len(recognizer.analyze(text, tokenize(text))) for text in answers)


def main() -> None:
    recognizer = PersonNameRecognizer()
    every_rule = set(recognizer.rules)
    print("| answers | n | PERSON spans, shipped | without lower_common |")
    print("|---|---|---|---|")
    for label, paths in (("autolarm training, phone + teens", TRAINING),
                         ("autolarm independent sets 1-3", INDEPENDENT)):
        answers = texts(paths)
        recognizer.rules = every_rule
        shipped = spans(recognizer, answers)
        recognizer.rules = every_rule - {"lower_common"}
        without = spans(recognizer, answers)
        print(f"| {label} | {len(answers):,} | {shipped} | {without} |")


if __name__ == "__main__":
    main()
