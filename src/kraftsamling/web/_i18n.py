"""Swedish first, English available: gettext catalogues compiled in memory at start-up.

Message ids are English (what translators expect); the Swedish catalogue must cover every
one of them, which a test checks by extracting the strings from templates and code.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = [
    "LANGUAGES",
    "Language",
    "Translate",
    "catalogue_path",
    "extract_messages",
    "translator",
]

Language = Literal["sv", "en"]
LANGUAGES: tuple[Language, ...] = ("sv", "en")
DOMAIN = "kraftsamling"
LOCALE_DIR = Path(__file__).parent / "locale"

Translate = Callable[..., str]


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(language: str) -> NullTranslations:
    path = catalogue_path(language)
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translator(language: str) -> Translate:
    """A ``_`` for one language; keyword arguments fill ``%(name)s`` placeholders."""
    translations = _translations(language)

    def _(message: str, **values: Any) -> str:
        text = translations.gettext(message)
        return text % values if values else text

    return _


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (role names)."""
    return message


VALUE_LABELS = (N_("yes"), N_("no"))
STATUS_LABELS = (N_("new"), N_("acknowledged"), N_("escalated"), N_("resolved"))


def extract_messages() -> set[str]:
    """Every message id used in the web templates and code, for catalogue upkeep and tests."""
    from babel.messages.extract import extract_from_dir

    method_map = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(Path(__file__).parent.parent),
        method_map=method_map,
        keywords={"_": None, "N_": None},
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        if isinstance(message, str):
            found.add(message)
        elif message:
            found.update(m for m in message if m)
    return found
