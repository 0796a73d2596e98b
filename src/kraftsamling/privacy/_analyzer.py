"""The analyzer: runs the configured recognisers over a text and resolves overlaps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kraftsamling._config_files import read_toml
from kraftsamling.privacy._recognizers import RECOGNIZER_TYPES, Recognizer
from kraftsamling.privacy._spans import Span, resolve_overlaps, tokenize

__all__ = ["DEFAULT_CONFIG", "Analyzer"]

DEFAULT_CONFIG = Path(__file__).parent / "data" / "recognizers.toml"


class Analyzer:
    """A pipeline of recognisers (Presidio's design, Swedish content, offline).

    ``Analyzer.from_config(path)`` builds it from a TOML file of ``[[recognizers]]`` tables,
    each with a ``type`` (a registered recogniser, or ``pattern`` for your own regex) and its
    options; ``enabled = false`` switches one off.
    """

    def __init__(self, recognizers: Sequence[Recognizer]) -> None:
        if not recognizers:
            raise ValueError("Minst en igenkännare behövs.")
        self.recognizers = list(recognizers)

    @classmethod
    def from_config(cls, path: str | Path | None = None) -> Analyzer:
        config_path = Path(path) if path is not None else DEFAULT_CONFIG
        config = read_toml(config_path, kind="Konfigurationsfilen")
        return cls.from_dicts(config.get("recognizers", []))

    @classmethod
    def from_dicts(cls, entries: Iterable[Mapping[str, Any]]) -> Analyzer:
        recognizers: list[Recognizer] = []
        for entry in entries:
            options = dict(entry)
            if not options.pop("enabled", True):
                continue
            kind = options.pop("type", None)
            if kind not in RECOGNIZER_TYPES:
                known = ", ".join(sorted(RECOGNIZER_TYPES))
                raise ValueError(f"Okänd igenkännartyp '{kind}'. Kända typer: {known}.")
            try:
                recognizers.append(RECOGNIZER_TYPES[kind](**options))
            except (TypeError, ValueError) as error:
                raise ValueError(f"Igenkännaren '{kind}' har fel inställningar: {error}") from None
        return cls(recognizers)

    @property
    def entities(self) -> list[str]:
        return sorted({e for r in self.recognizers for e in r.entities})

    def analyze(self, text: str) -> list[Span]:
        if not text:
            return []
        tokens = tokenize(text)
        found: list[Span] = []
        for recognizer in self.recognizers:
            found.extend(recognizer.analyze(text, tokens))
        return resolve_overlaps(found)
