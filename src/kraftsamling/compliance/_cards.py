"""One model card shape for every trained model, and the registry of cards.

A card's prose (purpose, what it must not be used for, failure modes, oversight) is here, as
English message ids the Swedish catalogue translates. Its measured figures are not: they live
in a small data file per module (``<module>/data/card.toml``) so that new measurements change
a file, not code. A figure names its data set, whether that set is independent (written by
someone who has not seen the code, rules or training data, or public data not tuned on), the
command that produced it and the date. A card without an independent figure says so.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from datetime import date as Day
from pathlib import Path
from typing import Any, Literal

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field

from kraftsamling import __version__
from kraftsamling._config_files import read_validated

__all__ = [
    "CARDS",
    "MODULES",
    "CardLive",
    "CardTable",
    "Figure",
    "ModelCard",
    "Text",
    "card_context",
    "card_data_file",
    "cards_for",
    "installation_live",
    "load_figures",
    "render_cards",
]

PACKAGE = Path(__file__).parent.parent
TEMPLATES = Path(__file__).parent / "templates"
MODULES = ("privacy", "autolarm", "chat", "twin", "cases")
Language = Literal["sv", "en"]


class Text(BaseModel):
    """A text a data file gives in both languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sv: str
    en: str

    def __call__(self, language: str) -> str:
        return self.sv if language == "sv" else self.en


Cell = str | int | float | Text | None


class Figure(BaseModel):
    """One measured figure, with where and how it was measured."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    card: str
    name: Text
    value: float | None = Field(
        default=None, description="None: not yet measured (the card says so).")
    digits: int = Field(default=3, ge=0, le=6)
    percent: bool = False
    dataset: Text
    independent: bool
    command: str = ""
    date: Day | None = None
    target: str = ""
    note: Text | None = None


class CardTable(BaseModel):
    """A table of figures: per category, per group or per type."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    card: str
    caption: Text
    columns: list[Text]
    rows: list[list[Cell]]
    dataset: Text
    independent: bool
    command: str = ""
    date: Day | None = None
    groups: bool = Field(default=False, description="Rows are groups of people.")
    formats: list[str] = Field(
        default_factory=list,
        description="Per column how a number is shown: '' (decimal), 'percent' (a share 0–1 "
                    "as a percentage) or 'signed' (with + or −).")


class CardFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    figure: list[Figure] = Field(default_factory=list)
    table: list[CardTable] = Field(default_factory=list)


class CardLive(BaseModel):
    """What a trained model reports about itself (the organisation's own data)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    source: Text
    figures: list[Figure] = Field(default_factory=list)
    tables: list[CardTable] = Field(default_factory=list)
    notes: list[str | Text] = Field(default_factory=list)
    trained_at: datetime | None = None
    synthetic: bool = False


class ModelCard(BaseModel):
    """The shape every model card has. Prose fields are catalogue message ids."""

    model_config = ConfigDict(frozen=True)
    id: str
    module: str
    title: str
    estimators: tuple[str, ...]
    users: tuple[str, ...]
    purpose: str
    not_for: tuple[str, ...]
    training_data: str
    written_by: str
    groups: str
    failure_modes: tuple[str, ...]
    oversight: str
    ai_act: str
    retraining: str


def card_data_file(module: str) -> Path:
    return PACKAGE / module / "data" / "card.toml"


def load_figures(module: str, path: Path | None = None) -> CardFile:
    """The measured figures of a module's cards, validated; Swedish errors when wrong."""
    file = path or card_data_file(module)
    if not file.is_file():
        return CardFile()
    parsed = read_validated(file, CardFile, kind="Modellkortsfilen")
    known = {card.id for card in CARDS if card.module == module}
    named = [f.card for f in parsed.figure] + [t.card for t in parsed.table]
    for card_id in named:
        if card_id not in known:
            raise ValueError(f"Modellkortsfilen '{file}' nämner okänt kort '{card_id}'. "
                             f"Kända: {', '.join(sorted(known))}.")
    return parsed


def cards_for(module: str) -> list[ModelCard]:
    if module not in MODULES:
        raise ValueError(f"Okänd modul '{module}'. Kända: {', '.join(MODULES)}.")
    return [card for card in CARDS if card.module == module]


def _number(value: float | None, figure: Figure | None, language: str, digits: int = 3) -> str:
    if value is None:
        return "–"
    if figure is not None:
        digits = figure.digits
        if figure.percent:
            value = 100 * value
    text = format_decimal(round(value, digits), format=f"#,##0.{'0' * digits}" if digits else
                          "#,##0", locale="sv_SE" if language == "sv" else "en_GB")
    return f"{text} %" if figure is not None and figure.percent else text


DOT_DECIMAL = re.compile(r"(?<![\w.])(\d+)\.(\d+)(?![\w.])")


def _percent(value: float, language: str) -> str:
    from babel.numbers import format_percent

    return format_percent(value, format="#,##0\xa0%" if language == "sv" else "#,##0%",
                          locale="sv_SE" if language == "sv" else "en_GB")


def card_context(module: str, language: str, translate: Callable[..., str], *,
                 live: Mapping[str, CardLive] | None = None,
                 figures: CardFile | None = None) -> dict[str, Any]:
    """What the card template shows, as data (the web page and the HTML file share it)."""
    data = figures if figures is not None else load_figures(module)
    entries = []
    for card in cards_for(module):
        card_figures = [f for f in data.figure if f.card == card.id]
        entries.append({
            "card": card,
            "figures": card_figures,
            "tables": [t for t in data.table if t.card == card.id],
            "has_independent": any(f.independent and f.value is not None
                                   for f in card_figures),
            "dates": sorted({f.date for f in card_figures if f.date is not None}),
            "live": (live or {}).get(card.id),
        })

    from kraftsamling.web import label

    def cell(value: Cell, shape: str = "") -> str:
        if isinstance(value, Text):
            return value(language)
        if isinstance(value, bool) or value is None or isinstance(value, str):
            if isinstance(value, str):  # a stored code (a category, an intervention) in words
                for kind in ("category", "intervention"):
                    if label(value, kind, language) != value:
                        return label(value, kind, language)
            return "–" if value is None else str(value)
        if isinstance(value, int):
            return str(value)
        if shape == "percent":
            return _percent(value, language)
        if shape == "signed":
            return ("+" if value >= 0 else "−") + _number(abs(value), None, language, 1)
        return _number(value, None, language, 2)

    def target(text: str) -> str:
        """A target from a data file ("≥ 0.95") with the language's decimal mark."""
        return DOT_DECIMAL.sub(r"\1,\2", text) if language == "sv" else text

    def note(value: str | Text) -> str:
        return value(language) if isinstance(value, Text) else value

    return {"entries": entries, "module": module, "lang": language, "_": translate,
            "figure_value": lambda f: _number(f.value, f, language),
            "cell": cell, "target": target, "note_text": note, "version": __version__,
            "role_label": lambda role: _role_label(role, language),
            "generated_at": datetime.now(UTC)}


def _role_label(role: str, language: str) -> str:
    from kraftsamling.web import label

    return label(role, "role", language)


def render_cards(module: str, language: str = "sv", *,
                 live: Mapping[str, CardLive] | None = None) -> str:
    """A module's cards as one self-contained HTML page."""
    from kraftsamling.web import translator

    environment = Environment(loader=FileSystemLoader(TEMPLATES),
                              autoescape=select_autoescape(["html"]))
    context = card_context(module, language, translator(language), live=live)
    return environment.get_template("card_page.html").render(**context)


def installation_live(data_dir: Path, module: str) -> dict[str, CardLive]:
    """What this installation's trained models report about themselves (cases: the held-out
    figures and the fairness audit of the economic-assistance model, if one is trained)."""
    if module != "cases":
        return {}
    from kraftsamling.cases import CaseModels, case_model_path, live_card

    path = case_model_path(data_dir, "economic-assistance")
    if not path.is_file():
        return {}
    return live_card(CaseModels.load(path))


CARDS_FILE = Path(__file__).parent / "data" / "cards.toml"


def _cards() -> tuple[ModelCard, ...]:
    """The cards' prose, as data (``data/cards.toml``), validated by :class:`ModelCard`."""
    entries = tomllib.loads(CARDS_FILE.read_text(encoding="utf-8"))["card"]
    return tuple(ModelCard(**entry) for entry in entries)


CARDS: Sequence[ModelCard] = _cards()
