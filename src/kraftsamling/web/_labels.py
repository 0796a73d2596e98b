"""The words people read for the code names the library stores.

Every stored code (a category, a risk marker, an intervention, a column, an audit event)
maps to an English message id in ``data/labels.toml``; the Swedish catalogue translates it.
Templates use the ``label`` filter (``{{ code|label("category", lang) }}``), the CLI uses
:func:`label`. An unknown code falls back to the code itself, which the code-name tests then catch.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kraftsamling.web._i18n import translator

__all__ = ["KINDS", "LABELS_FILE", "detail_text", "label", "label_map", "labels"]

LABELS_FILE = Path(__file__).parent / "data" / "labels.toml"


def _tables() -> dict[str, Mapping[str, str]]:
    """The label tables, as data: one TOML table a kind, code = English message id."""
    tables: dict[str, Mapping[str, str]] = tomllib.loads(LABELS_FILE.read_text("utf-8"))
    return {**tables, "risk": tables["category"]}  # a risk marker is a category


KINDS: dict[str, Mapping[str, str]] = _tables()


def label(code: object, kind: str, language: str = "sv") -> str:
    """The word a person reads for ``code``: ``label("abuse_home", "risk")`` → "Våld eller
    försummelse i hemmet"."""
    text = str(code)
    message = KINDS[kind].get(text)
    return translator(language)(message) if message is not None else text


def labels(codes: Iterable[object] | str, kind: str, language: str = "sv") -> str:
    """Several codes as one readable list; a ';'-joined string is split first."""
    items = [c for c in codes.split(";") if c] if isinstance(codes, str) else list(codes)
    return ", ".join(label(c, kind, language) for c in items)


def label_map(kind: str, language: str = "sv") -> dict[str, str]:
    """Every code of a kind with its label, for templates that look codes up."""
    return {code: label(code, kind, language) for code in KINDS[kind]}


def detail_text(detail: Mapping[str, Any], language: str = "sv") -> str:
    """An audit event's details as words: {"answers": 2, "urgent": 1} → "svar: 2, akuta: 1"."""
    _ = translator(language)
    parts = []
    for key, value in detail.items():
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif key in ("categories",) and isinstance(value, list):
            shown = labels(value, "category", language)
        elif key in ("from", "to", "level") and isinstance(value, str):
            shown = label(value, "level", language)
        elif key in ("recommended", "decision", "final") and isinstance(value, str):
            shown = label(value, "intervention", language)
        elif key == "role" and isinstance(value, str):
            shown = label(value, "role", language)
        elif key in ("pseudonymised", "plain") and isinstance(value, list):
            shown = labels(value, "column", language) or "–"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) or "–"
        else:
            shown = str(value)
        parts.append(f"{label(key, 'audit_detail', language)}: {shown}")
    return ", ".join(parts)
