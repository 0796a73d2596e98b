"""The analyzer: runs the configured recognisers over a text and resolves overlaps."""

from __future__ import annotations

import inspect
import types
import typing
from collections import abc
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Strict, TypeAdapter, ValidationError, create_model

from kraftsamling._config_files import as_written, did_you_mean, problem_in_swedish, read_toml
from kraftsamling.privacy._recognizers import RECOGNIZER_TYPES, Recognizer
from kraftsamling.privacy._spans import Span, resolve_overlaps, tokenize

__all__ = ["DEFAULT_CONFIG", "Analyzer", "options_model", "recognizer_options"]

DEFAULT_CONFIG = Path(__file__).parent / "data" / "recognizers.toml"


def recognizer_options(cls: type[Recognizer]) -> list[str]:
    """The options a recogniser type takes from a config file (its keyword arguments)."""
    return [name for name, parameter in inspect.signature(cls.__init__).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY]


_STRICT = (bool, int, float, str)


def _field_type(hint: Any) -> Any:
    """The type an option is checked against: numbers, truth values and texts strictly
    (TOML's ``true`` is no threshold, ``"0.7"`` no number), a sequence as the list TOML gives,
    and a type pydantic cannot check as anything (the recogniser's own checks decide)."""
    if hint in _STRICT:
        return Annotated[hint, Strict()]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return typing.Union[tuple(_field_type(arg) for arg in args)]  # noqa: UP007
    if origin in (abc.Iterable, abc.Sequence, abc.Collection, list, tuple) and args:
        return list[_field_type(args[0])]  # type: ignore[misc]
    try:
        TypeAdapter(hint, config=ConfigDict(arbitrary_types_allowed=True))
    except Exception:  # a plugin's type that pydantic has no schema for
        return Any
    return hint


def _type_hints(cls: type[Recognizer]) -> dict[str, Any]:
    """The annotations of ``cls.__init__``, resolved; one a plugin's module cannot resolve
    (a name imported only under ``TYPE_CHECKING``, a typo) is left unchecked instead of
    failing the whole file."""
    try:
        return typing.get_type_hints(cls.__init__)
    except Exception:  # NameError, or TypeError from an annotation that is no type
        namespace = dict(getattr(inspect.getmodule(cls), "__dict__", {}))
    hints: dict[str, Any] = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        annotation = parameter.annotation
        if isinstance(annotation, str):
            annotation = _resolve(annotation, namespace)
        if annotation is not inspect.Parameter.empty:
            hints[name] = annotation
    return hints


def _resolve(annotation: str, namespace: dict[str, Any]) -> Any:
    """One postponed annotation in its module's namespace; ``Any`` when it names nothing."""
    try:
        return eval(annotation, namespace)  # noqa: S307 - the class's own annotation text
    except Exception:
        return Any


@cache
def options_model(cls: type[Recognizer]) -> type[BaseModel]:
    """The pydantic model of a recogniser type's options (``extra="forbid"``, as Presidio's
    recogniser files): its keyword arguments with their types and defaults."""
    hints = _type_hints(cls)
    fields: dict[str, Any] = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        fields[name] = (_field_type(hints.get(name, Any)), default)
    model: type[BaseModel] = create_model(
        f"{cls.__name__}Options",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=True,
                              allow_inf_nan=False),  # nan passes every range check
        **fields)
    return model


def _check_options(kind: str, cls: type[Recognizer], options: Mapping[str, Any]) -> None:
    """The options of one ``[[recognizers]]`` table, validated by the type's model; every
    problem is named in Swedish. An unknown option is an error (a misspelt ``treshold`` must
    not silently leave the default in force), with the closest known one."""
    try:
        options_model(cls).model_validate(dict(options))
    except ValidationError as error:
        known = recognizer_options(cls)
        problems, missing = [], []
        wrong: dict[str, tuple[list[str], object]] = {}  # option: (what it must be, value)
        for entry in error.errors():
            # the option and a list item's index; pydantic's union tags are no place
            # ("model.str", "model.lax-or-strict[…]" for `str | Path | None`)
            parts = [entry["loc"][0], *(p for p in entry["loc"][1:] if isinstance(p, int))]
            option = ".".join(str(part) for part in parts)
            if entry["type"] == "extra_forbidden":
                problems.append(f"Igenkännaren '{kind}' har en okänd inställning '{option}'."
                                f"{did_you_mean(option, known)} "
                                f"Tillåtna: {', '.join(['enabled', 'type', *known])}.")
            elif entry["type"] == "missing":
                missing.append(f"'{option}'")
            else:
                musts, _ = wrong.setdefault(option, ([], entry["input"]))
                must = problem_in_swedish(entry)
                if must not in musts:
                    musts.append(must)
        for option, (musts, value) in wrong.items():
            named = [m for m in musts if m != "ogiltigt värde"] or musts
            said = " eller ".join([named[0], *(m.removeprefix("måste vara ") for m in named[1:])])
            problems.append(f"Inställningen '{option}' för igenkännaren '{kind}' {said}, "
                            f"inte {as_written(value)}.")
        if missing:
            problems.insert(0, f"Igenkännaren '{kind}' har fel inställningar: "
                               f"{' och '.join(missing)} saknas.")
        raise ValueError(" ".join(problems)) from None


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
            enabled = options.pop("enabled", True)
            kind = options.pop("type", None)
            if not isinstance(enabled, bool):
                raise ValueError(f"Inställningen 'enabled' för igenkännaren '{kind}' måste "
                                 f"vara true eller false, inte {enabled!r}.")
            if not enabled:  # a switched-off plugin need not be installed
                continue
            if not isinstance(kind, str) or kind not in RECOGNIZER_TYPES:
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
