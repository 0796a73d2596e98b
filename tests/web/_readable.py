"""What a Swedish reader must never see: code names, raw English, dot decimals.

Shared by the page test (ASGI), the CLI help test and the Chromium screenshot test.
"""

from __future__ import annotations

import re

from kraftsamling.web._labels import KINDS

# snake_case identifiers: "sexual_abuse.any", "household_type", "unit_manager".
SNAKE = re.compile(r"(?<![\w/.@-])[a-z]+(?:_[a-z0-9]+)+(?:\.[a-z_]+)?(?![\w/@-])")
# Codes without an underscore that are not Swedish words either.
BARE_CODES = {"sprakpraktik", "fodelsear", "suicide", "wellbeing", "bullying", "substance",
              "urgent", "concern", "acknowledged", "escalated", "resolved", "reviewer",
              "caseworker", "coordinator", "analyst", "selfharm"}
ENGLISH = re.compile(r"\b(Show this message and exit|Options|Commands|Arguments|Usage|TPR|FPR|"
                     r"Error|required|default|min left|overdue|Acknowledge|Escalate)\b")
# 0.42 in a Swedish text (not a version 0.1.0, an address 127.0.0.1, a file name a.csv or an
# article of a law, "art. 5.1 d", which Swedish writes with a point).
DOT_DECIMAL = re.compile(r"(?<!art\. )(?<![\w.])\d+\.\d+(?![\w.])")
URL = re.compile(r"(https?://|smtp://)\S+|\S+@\S+|\S+\.(csv|xlsx|tsv|jsonl|json|eml|toml)\b")


def problems(text: str, *, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Everything in ``text`` a Swedish reader should not meet, as short descriptions."""
    text = URL.sub(" ", text)
    found = []
    for match in SNAKE.finditer(text):
        found.append(f"code name {match.group(0)!r}")
    for word in re.findall(r"[a-zåäö_]+", text):
        if word in BARE_CODES:
            found.append(f"code name {word!r}")
    for match in ENGLISH.finditer(text):
        found.append(f"English {match.group(0)!r}")
    for match in DOT_DECIMAL.finditer(text):
        found.append(f"dot decimal {match.group(0)!r}")
    return sorted({f for f in found if not any(a in f for a in allowed)})


def code_names(text: str) -> list[str]:
    """The code names in an English text (raw English is right there; snake_case is not)."""
    text = URL.sub(" ", text)
    return sorted({f"code name {m.group(0)!r}" for m in SNAKE.finditer(text)})


def known_codes() -> set[str]:
    return {code for mapping in KINDS.values() for code in mapping if "_" in code}
