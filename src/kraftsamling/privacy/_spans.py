"""Spans, tokens and the resolution of overlapping findings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["EntityType", "Span", "Token", "resolve_overlaps", "tokenize"]

EntityType = str  # PERSON, PERSONNUMMER, ORGANISATIONSNUMMER, PHONE, EMAIL, ADDRESS, POSTCODE

TOKEN_PATTERN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Span:
    """A finding: characters ``start:end`` of the text are an entity of ``entity_type``.

    The text itself is not kept, so a span can be logged or stored without leaking it.
    """

    start: int
    end: int
    entity_type: EntityType
    score: float
    recognizer: str = ""

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN_PATTERN.finditer(text)]


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep the best of overlapping spans: higher score first, then the longer one."""
    ranked = sorted(spans, key=lambda s: (-s.score, -len(s), s.start))
    kept: list[Span] = []
    for span in ranked:
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
