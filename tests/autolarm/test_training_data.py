"""No answer of an independent evaluation set stands in the shipped training data (issue 18):
an independent set is only reported on, never trained on."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kraftsamling.autolarm import load_seed

INDEPENDENT = Path(__file__).resolve().parents[2] / "benchmarks" / "data"


def _key(text: str) -> str:
    """Compared as scripts/add_training_answers.py and the benchmark compare: without case
    and punctuation; an answer without any word as written."""
    words = re.findall(r"\w+", text.lower())
    return " ".join(words) if words else "".join(text.split())


def _independent() -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted(INDEPENDENT.glob("autolarm-independent*/answers.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts[_key(json.loads(line)["text"])] = path.parent.name
    return texts


def test_the_independent_sets_are_there() -> None:
    assert len(_independent()) > 1000


def test_no_training_or_seed_answer_stands_in_an_independent_set() -> None:
    """Every shipped answer, both splits, and every spelling variant the seed set makes."""
    independent = _independent()
    found = [(a.author, a.text, independent[_key(a.text)]) for a in load_seed()
             if _key(a.text) in independent]
    assert found == []


def test_the_comparison_catches_case_and_punctuation_and_keeps_emoji_apart() -> None:
    assert _key("Jag vill bli veterinär när jag blir stor.") == _key(
        "jag vill bli veterinär, när jag blir stor")
    assert _key("🙁🙁🙁") != _key(":)")
