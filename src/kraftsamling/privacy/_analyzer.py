"""The analyzer: runs the configured recognisers over a text and resolves overlaps."""

from __future__ import annotations

import difflib
import inspect
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kraftsamling._config_files import read_toml
from kraftsamling.privacy._recognizers import RECOGNIZER_TYPES, Recognizer
from kraftsamling.privacy._spans import Span, resolve_overlaps, tokenize

__all__ = ["DEFAULT_CONFIG", "Analyzer", "recognizer_options"]

DEFAULT_CONFIG = Path(__file__).parent / "data" / "recognizers.toml"


def recognizer_options(cls: type[Recognizer]) -> list[str]:
    """The options a recogniser type takes from a config file (its keyword arguments)."""
    return [name for name, parameter in inspect.signature(cls.__init__).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY]


def _check_options(kind: str, cls: type[Recognizer], options: Mapping[str, Any]) -> None:
    """Unknown options are an error that names them (Presidio's ``extra="forbid"``): a
    misspelt ``treshold`` must not silently leave the default in force."""
    known = recognizer_options(cls)
    for option in options:
        if option not in known:
            close = difflib.get_close_matches(option, known, n=1)
            hint = f" Menade du '{close[0]}'?" if close else ""
            raise ValueError(f"Igenkännaren '{kind}' har en okänd inställning '{option}'.{hint} "
                             f"Tillåtna: {', '.join(['enabled', 'type', *known])}.")
    hints = typing.get_type_hints(cls.__init__)
    for option, value in options.items():
        wanted = hints.get(option)
        number = wanted in (float, int) and (
            isinstance(value, bool) or not isinstance(value, int | float)
            or (wanted is int and not isinstance(value, int)))
        if number or (wanted is str and not isinstance(value, str)):
            kind_of = "ett heltal" if wanted is int else "ett tal" if wanted is float \
                else "en text"
            raise ValueError(f"Inställningen '{option}' för igenkännaren '{kind}' ska vara "
                             f"{kind_of}, inte {value!r}.")


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
            _check_options(kind, RECOGNIZER_TYPES[kind], options)
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
