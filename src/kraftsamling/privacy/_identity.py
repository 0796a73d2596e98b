"""Swedish identity numbers: personnummer, samordningsnummer and organisationsnummer."""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "luhn_valid",
    "normalise_personnummer",
    "valid_organisationsnummer",
    "valid_personnummer",
]

_DIGITS = re.compile(r"\D")


def luhn_valid(digits: str) -> bool:
    """The Luhn check used on the last ten digits of Swedish identity numbers."""
    total = 0
    for i, char in enumerate(digits):
        value = int(char) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _valid_date(year: int, month: int, day: int) -> bool:
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def valid_personnummer(text: str) -> bool:
    """10 or 12 digits with '-', '+' or nothing: a real date (or day+60) and a valid Luhn."""
    digits = _DIGITS.sub("", text)
    if len(digits) == 12:
        if digits[:2] not in {"18", "19", "20"}:
            return False
        years = [int(digits[:4])]
        digits = digits[2:]
    elif len(digits) == 10:
        yy = int(digits[:2])
        years = [1900 + yy, 2000 + yy]
    else:
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if not any(_valid_date(year, month, day) for year in years):
        return False
    return luhn_valid(digits)


def normalise_personnummer(text: str, *, today: date | None = None) -> str:
    """Twelve digits, so '800101-1234' and '198001011234' are the same person."""
    digits = _DIGITS.sub("", text)
    if len(digits) == 12:
        return digits
    today = today or date.today()
    yy = int(digits[:2])
    century = 2000 if 2000 + yy <= today.year else 1900
    if "+" in text:  # 100 years or older
        century -= 100
    return f"{century // 100}{digits}"


def valid_organisationsnummer(text: str) -> bool:
    """Ten digits (optionally prefixed 16), third digit ≥ 2, valid Luhn."""
    digits = _DIGITS.sub("", text)
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) != 10 or int(digits[2]) < 2:
        return False
    return luhn_valid(digits)
