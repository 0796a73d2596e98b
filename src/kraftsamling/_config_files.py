"""Reading the configuration files people edit, with Swedish messages when they are wrong."""

from __future__ import annotations

import datetime
import difflib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

__all__ = ["as_written", "compile_pattern", "did_you_mean", "problem_in_swedish", "read_entries",
           "read_toml", "read_validated"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def read_toml(path: Path, *, kind: str) -> dict[str, Any]:
    """The TOML file at ``path``; ``kind`` names it in errors ("Regelfilen")."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ValueError(f"{kind} '{path}' finns inte.") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"'{path}' är inte giltig TOML: {error}") from None


def read_entries(path: str | Path | None, default: Path, *, kind: str, table: str,
                 build: Callable[[dict[str, Any]], T], errors: tuple[type[Exception], ...],
                 problem: str) -> tuple[Path, dict[str, Any], list[T]]:
    """A configuration file (``default`` unless ``path``) and its ``[[table]]`` entries, each
    made by ``build``. An entry ``build`` refuses with one of ``errors`` is a Swedish error:
    ``problem`` with ``{id}``, ``{source}`` and ``{error}`` filled in."""
    source = Path(path) if path is not None else default
    data = read_toml(source, kind=kind)
    built = []
    for entry in data.get(table, []):
        try:
            built.append(build(entry))
        except errors as error:
            raise ValueError(problem.format(id=entry.get("id", "?"), source=source,
                                            error=error)) from None
    return source, data, built


# Pydantic's messages are English; the ones a person editing a file meets most, in Swedish.
_SWEDISH = {
    "extra_forbidden": "okänd nyckel (felstavad?)",
    "missing": "saknas",
    "string_too_short": "får inte vara tom",
    "too_short": "får inte vara tom",
    "enum": "välj {expected}",
    "literal_error": "välj {expected}",
    "greater_than": "måste vara större än {gt}",
    "greater_than_equal": "måste vara minst {ge}",
    "less_than": "måste vara mindre än {lt}",
    "less_than_equal": "får vara högst {le}",
    "float_parsing": "måste vara ett tal",
    "int_parsing": "måste vara ett heltal",
    "int_from_float": "måste vara ett heltal",
    "string_type": "måste vara text",
    "list_type": "måste vara en lista",
    "tuple_type": "måste vara en lista",
    "dict_type": "måste vara en tabell",
    "model_type": "måste vara en tabell",
    "model_attributes_type": "måste vara en tabell",
    "dataclass_type": "måste vara en tabell",
    "float_type": "måste vara ett tal",
    "int_type": "måste vara ett heltal",
    "finite_number": "måste vara ett ändligt tal",
    "bool_type": "måste vara true eller false",
    "bool_parsing": "måste vara true eller false",
    "callable_type": "måste vara en funktion (går inte att ange i en fil)",
    "date_type": "måste vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "måste vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "måste vara ett datum (ÅÅÅÅ-MM-DD)",
    "string_pattern_mismatch": "har fel form",
    "url_parsing": "måste vara en webbadress",
}


# Python's messages for a broken regular expression, the ones people meet, in Swedish.
_REGEX = (
    ("missing ), unterminated subpattern", "en parentes '(' stängs aldrig"),
    ("unbalanced parenthesis", "en parentes ')' stänger något som aldrig öppnades"),
    ("unterminated character set", "en hakparentes '[' stängs aldrig"),
    ("nothing to repeat", "'*', '+', '?' eller '{}' står utan något att upprepa"),
    ("multiple repeat", "två upprepningstecken i rad ('**', '+*' …)"),
    ("bad escape", "ett okänt tecken efter '\\'"),
    ("bad character range", "ett teckenintervall baklänges (som '[z-a]')"),
    ("unknown extension", "en okänd konstruktion efter '(?'"),
    ("missing >, unterminated name", "ett gruppnamn '(?P<…' stängs aldrig med '>'"),
    ("missing ), unterminated name", "ett gruppnamn stängs aldrig"),
    ("global flags not at the start", "'(?i)' och liknande måste stå först (mönstren skiljer "
                                      "redan inte på stora och små bokstäver)"),
    ("redefinition of group name", "samma gruppnamn två gånger"),
    ("unknown group name", "ett gruppnamn som inte finns"),
    ("look-behind requires fixed-width pattern", "en bakåtblick '(?<=…)' måste ha fast längd"),
)


def compile_pattern(pattern: str, problem: str, *, prefix: str = "",
                    flags: int = 0) -> re.Pattern[str]:
    """A person's regular expression from a file, compiled after ``prefix``; when it is
    broken, a ``ValueError`` with ``problem`` and its ``{reason}`` in Swedish, with where in
    the person's pattern (Python says it in English only)."""
    try:
        return re.compile(prefix + pattern, flags)
    except re.error as error:
        message = str(error.msg)
        reason = next((sv for en, sv in _REGEX if message.startswith(en)),
                      "mönstret går inte att läsa")
        if error.pos is not None:
            reason += f" (vid tecken {max(error.pos - len(prefix), 0) + 1})"
        raise ValueError(problem.replace("{reason}", reason)) from None  # a pattern may hold {}


def as_written(value: object) -> str:
    """A value as the TOML file wrote it, for a message: ``true``, ``2021-01-01``, ``'text'``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return repr(value)


def did_you_mean(key: str, known: list[str]) -> str:
    """`` Menade du 'threshold'?`` for a misspelt key, the closest known one; else empty."""
    close = difflib.get_close_matches(key, known, n=1)
    return f" Menade du '{close[0]}'?" if close else ""


def problem_in_swedish(entry: ErrorDetails) -> str:
    """What is wrong in one problem of a pydantic ``ValidationError`` ("måste vara ett tal"),
    in Swedish; pydantic's English, which may name internal classes, is never shown."""
    template = _SWEDISH.get(entry["type"])
    context = {key: str(value).replace(" or ", " eller ")
               for key, value in entry.get("ctx", {}).items()}
    if template:
        return template.format(**context)
    if entry["type"] == "value_error":  # our own validators write Swedish
        return str(entry["msg"]).removeprefix("Value error, ")
    return "ogiltigt värde"


def _problem_text(error: ValidationError) -> str:
    """Each problem of a validation error as ``place: what is wrong``, in Swedish."""
    problems = []
    for entry in error.errors():
        place = ".".join(str(part) for part in entry["loc"]) or "filen"
        problems.append(f"{place}: {problem_in_swedish(entry)}")
    return "; ".join(problems)


def read_validated(path: Path, model: type[M], *, kind: str) -> M:
    """The TOML file at ``path`` as ``model``; ``kind`` names the file in the Swedish error,
    which lists every problem with its place."""
    try:
        return model.model_validate(read_toml(path, kind=kind))
    except ValidationError as error:
        raise ValueError(f"{kind} '{path}' stämmer inte: {_problem_text(error)}") from None
