"""Reading the configuration files people edit, with Swedish messages when they are wrong."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["read_entries", "read_toml"]

T = TypeVar("T")


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
