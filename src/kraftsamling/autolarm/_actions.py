"""What a reviewer does next, per category: a short Swedish guide people edit in TOML.

The shipped file (``data/actions.toml``) names who to contact, when the duty to report to
social services (orosanmälan, socialtjänstlagen) applies, and the help numbers. A school
replaces it with its own through ``KRAFTSAMLING_AUTOLARM_ACTIONS``; the file is validated
when read, with a Swedish message naming what is wrong.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from kraftsamling._config_files import read_validated
from kraftsamling.autolarm._taxonomy import Category

__all__ = ["DEFAULT_ACTIONS", "ActionGuide", "CategoryGuide", "Contact", "load_actions"]

DEFAULT_ACTIONS = Path(__file__).parent / "data" / "actions.toml"
ReportDuty = Literal["always", "if_home", "consider"]


class Contact(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=120)
    number: str = Field(min_length=2, max_length=30)

    @field_validator("number")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not re.fullmatch(r"\+?[0-9][0-9 -]*", value.strip()):
            raise ValueError(f"'{value}' är inget telefonnummer")
        return value.strip()

    @property
    def tel(self) -> str:
        """For a tel: link, so a phone dials it on a tap."""
        return re.sub(r"[ -]", "", self.number)


class CategoryGuide(BaseModel):
    model_config = {"extra": "forbid"}

    report: ReportDuty
    steps: list[str] = Field(min_length=1, max_length=8)


class ActionGuide(BaseModel):
    model_config = {"extra": "forbid"}

    law: str = Field(min_length=1)
    contacts: list[Contact] = Field(min_length=1)
    categories: dict[Category, CategoryGuide]

    @field_validator("categories")
    @classmethod
    def _every_category(cls, value: dict[Category, CategoryGuide]
                        ) -> dict[Category, CategoryGuide]:
        missing = [c.value for c in Category if c not in value]
        if missing:
            raise ValueError("handledning saknas för " + ", ".join(missing))
        return value

    def for_categories(self, categories: list[str]) -> list[tuple[Category, CategoryGuide]]:
        """The guides for an answer's categories, in the order the taxonomy lists them."""
        wanted = set(categories)
        return [(c, g) for c, g in self.categories.items() if c.value in wanted]

    def report_required(self, categories: list[str]) -> ReportDuty | None:
        """The strongest duty among the categories ("always" beats "if_home" beats "consider")."""
        duties = [g.report for _, g in self.for_categories(categories)]
        for duty in ("always", "if_home", "consider"):
            if duty in duties:
                return duty
        return None


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> ActionGuide:
    return read_validated(Path(path), ActionGuide, kind="Handledningsfilen")


def load_actions(path: Path | None = None) -> ActionGuide:
    """The validated guide at ``path`` (default: the shipped one); re-read when it changes."""
    target = (path or DEFAULT_ACTIONS).resolve()
    if not target.is_file():
        raise ValueError(f"Handledningsfilen '{target}' finns inte.")
    return _load(str(target), target.stat().st_mtime)
