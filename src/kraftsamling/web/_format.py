"""Numbers, shares, times and durations as a person in the page's language writes them.

One place, Babel underneath, so every page shows 0,98 and 42 % in Swedish and 0.98 and 42%
in English, and the same probability reads the same on every page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent

from kraftsamling.web._i18n import translator

__all__ = ["LOCALES", "TIMEZONE", "csv_cell", "duration", "number", "percent", "signed", "when"]

LOCALES = {"sv": "sv_SE", "en": "en_GB"}
TIMEZONE = ZoneInfo("Europe/Stockholm")


def _locale(language: str) -> str:
    return LOCALES.get(language, "sv_SE")


def number(value: float | int | None, language: str = "sv", digits: int = 2) -> str:
    """0.4231 → "0,42" (sv) / "0.42" (en); – when missing."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale(language))


def signed(value: float | None, language: str = "sv", digits: int = 1) -> str:
    """+18.9 → "+18,9"; the sign is always shown, the minus is a true minus sign."""
    if value is None:
        return "–"
    text = number(abs(value), language, digits)
    return ("+" if value >= 0 else "−") + text


def percent(value: float | None, language: str = "sv", digits: int = 0) -> str:
    """A share 0–1 as a percentage: 0.42 → "42 %" (sv) / "42%" (en)."""
    if value is None:
        return "–"
    locale = Locale.parse(_locale(language))
    pattern = locale.percent_formats[None].pattern  # "#,##0 %" in Swedish, "#,##0%" in English
    if digits > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return format_percent(value, format=pattern, locale=locale)


def when(value: datetime | None, language: str = "sv") -> str:
    """A stored UTC time in Swedish local time: "1 dec. 2026 10:32"."""
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(TIMEZONE), "yyyy-MM-dd HH:mm",
                           locale=_locale(language))


def duration(value: timedelta | float | int, language: str = "sv") -> str:
    """Minutes (or a timedelta) in hours and minutes: 4312 → "71 tim 52 min"."""
    minutes = int(value.total_seconds() // 60) if isinstance(value, timedelta) else int(value)
    minutes = abs(minutes)
    hours, rest = divmod(minutes, 60)
    _ = translator(language)
    if hours == 0:
        return _("%(m)s minutes", m=rest)
    return _("%(h)s h %(m)s min", h=hours, m=rest)


def csv_cell(value: object, language: str = "sv") -> object:
    """A cell of an exported CSV as that language's spreadsheet reads a number: 23456,5 in
    Swedish (no thousands separator, so Excel still sees a number), 23456.5 in English."""
    if isinstance(value, float) and not isinstance(value, bool):
        return format_decimal(value, format="0.##########", locale=_locale(language))
    return value
