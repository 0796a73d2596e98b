"""Pluggable recognisers, each finding one kind of Swedish personal data.

A recogniser takes a text (and its tokens, computed once per text by the analyzer) and
returns spans. New kinds are added by subclassing :class:`Recognizer` and registering the
class under a type name, so a TOML file can switch it on (see ``_analyzer.py``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from functools import cache
from typing import ClassVar

from kraftsamling._config_files import compile_pattern
from kraftsamling.privacy._identity import valid_organisationsnummer, valid_personnummer
from kraftsamling.privacy._spans import Span, Token

__all__ = [
    "RECOGNIZER_TYPES",
    "AddressRecognizer",
    "EmailRecognizer",
    "OrganisationsnummerRecognizer",
    "PatternRecognizer",
    "PersonnummerRecognizer",
    "PhoneRecognizer",
    "PostcodeRecognizer",
    "Recognizer",
    "register_recognizer",
]


class Recognizer(ABC):
    """Finds spans of one or more entity types in a text."""

    type_name: ClassVar[str] = ""
    entities: tuple[str, ...] = ()

    def __init__(self, *, name: str | None = None) -> None:
        self.name = name or self.type_name or type(self).__name__

    @abstractmethod
    def analyze(self, text: str, tokens: list[Token]) -> list[Span]:
        """Spans found in ``text``."""


RECOGNIZER_TYPES: dict[str, type[Recognizer]] = {}


def register_recognizer(cls: type[Recognizer]) -> type[Recognizer]:
    RECOGNIZER_TYPES[cls.type_name] = cls
    return cls


class PatternRecognizer(Recognizer):
    """A regular expression, an optional validator, and context words that raise the score.

    Usable from a config file for an organisation's own identifiers (case numbers, ids).
    """

    type_name = "pattern"

    def __init__(
        self,
        *,
        entity: str,
        pattern: str,
        name: str | None = None,
        score: float = 0.85,
        ignore_case: bool = False,
        validator: Callable[[str], bool] | None = None,
        context: Iterable[str] = (),
        context_boost: float = 0.1,
        group: int = 0,
    ) -> None:
        super().__init__(name=name or entity.lower())
        self.entities = (entity,)
        self.entity = entity
        self.regex = compile_pattern(pattern, f"mönstret '{pattern}' är felaktigt: {{reason}}",
                                     flags=re.IGNORECASE if ignore_case else 0)
        self.score = score
        self.validator = validator
        self.context = tuple(word.lower() for word in context)
        self.context_boost = context_boost
        self.group = group

    def _context_near(self, text: str, start: int) -> bool:
        if not self.context:
            return False
        window = text[max(0, start - 40):start].lower()
        return any(word in window for word in self.context)

    def analyze(self, text: str, tokens: list[Token]) -> list[Span]:
        spans = []
        for match in self.regex.finditer(text):
            start, end = match.span(self.group)
            found = text[start:end]
            if self.validator is not None and not self.validator(found):
                continue
            score = self.score
            if self._context_near(text, start):
                score = min(1.0, score + self.context_boost)
            spans.append(Span(start, end, self.entity, score, self.name))
        return spans


register_recognizer(PatternRecognizer)

# Digits not glued to other digits, letters or a decimal point on either side.
_NOT_BEFORE = r"(?<![\w+.,/-])"
_NOT_AFTER = r"(?![\w]|[.,]\d|-\d)"
# A personnummer may be glued to letters ("is199003052397", "pnr19900101-1239"): only digits
# and number punctuation around it ("1.8112189876") rule it out; the date and Luhn checks
# keep precision.
_PNR_NOT_BEFORE = r"(?<![\d+/-])(?<!\d[.,])"
_PNR_NOT_AFTER = r"(?!\d|[.,]\d|-\d)"


@register_recognizer
class PersonnummerRecognizer(PatternRecognizer):
    """Personnummer and samordningsnummer, 10 or 12 digits, date and Luhn checked.

    Ten digits starting with 07 and no separator can also be a mobile number (0701823247 is
    both). Phone words nearby (ring, nr, tel) make it a phone number; otherwise it is taken
    as the more sensitive of the two. Either way it is redacted.
    """

    type_name = "personnummer"
    CUES = ("personnummer", "pnr", "person nr", "personnr", "samordningsnummer", "född",
            "födelse", "p-nr")

    def __init__(self, *, name: str | None = None, score: float = 1.0,
                 ambiguous_score: float = 0.6) -> None:
        pattern = _PNR_NOT_BEFORE + r"(?:18|19|20)?\d{6}[-+ ]?\d{4}" + _PNR_NOT_AFTER
        super().__init__(entity="PERSONNUMMER", name=name or self.type_name, pattern=pattern,
                         score=score, validator=valid_personnummer)
        self.ambiguous_score = ambiguous_score

    def analyze(self, text: str, tokens: list[Token]) -> list[Span]:
        spans = []
        for span in super().analyze(text, tokens):
            found = text[span.start:span.end]
            if len(found) == 10 and found.isdigit() and found.startswith("07"):
                window = text[max(0, span.start - 40):span.start].lower()
                phone_cue = any(re.search(rf"\b{re.escape(cue)}\b", window)
                                for cue in PhoneRecognizer.CUES)
                if phone_cue and not any(cue in window for cue in self.CUES):
                    span = Span(span.start, span.end, span.entity_type, self.ambiguous_score,
                                span.recognizer)
            spans.append(span)
        return spans


@register_recognizer
class OrganisationsnummerRecognizer(PatternRecognizer):
    """Organisationsnummer (third digit ≥ 2), Luhn checked."""

    type_name = "organisationsnummer"

    def __init__(self, *, name: str | None = None, score: float = 0.95) -> None:
        pattern = _NOT_BEFORE + r"(?:16)?\d{6}-?\d{4}" + _NOT_AFTER
        super().__init__(entity="ORGANISATIONSNUMMER", name=name or self.type_name,
                         pattern=pattern, score=score, validator=valid_organisationsnummer)


def _valid_swedish_phone(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0046"):
        digits = "0" + digits[4:]
    elif text.lstrip().startswith("+46") or (digits.startswith("46") and "+" in text):
        digits = "0" + digits[2:]
    if digits.startswith("00"):
        digits = "0" + digits[2:].lstrip("0")
    if not digits.startswith("0") or digits.startswith("00"):
        return False
    if digits.startswith("07"):
        return len(digits) == 10
    return 8 <= len(digits) <= 10


@register_recognizer
class PhoneRecognizer(PatternRecognizer):
    """Swedish phone numbers: 070-123 45 67, 0701234567, +46 70 123 45 67, 08-123 456."""

    type_name = "phone"
    CUES = ("tel", "telefon", "mobil", "mobilen", "ring", "ringa", "ringer", "nummer", "nr",
            "sms", "sms:a", "swish")
    PATTERN = (
        r"(?<![\w+])"
        r"(?:(?:\+|00)46[\s-]?(?:\(0\)[\s-]?)?|0)"
        r"[1-9]\d{0,2}"
        r"(?:[\s/-]?\d){5,8}"
        r"(?![\d]|[.,]\d)"
    )

    def __init__(self, *, name: str | None = None, score: float = 0.9) -> None:
        super().__init__(entity="PHONE", name=name or self.type_name, pattern=self.PATTERN,
                         score=score, validator=_valid_swedish_phone, context=self.CUES)


@register_recognizer
class EmailRecognizer(PatternRecognizer):
    type_name = "email"

    def __init__(self, *, name: str | None = None, score: float = 1.0) -> None:
        super().__init__(entity="EMAIL", name=name or self.type_name, score=score,
                         pattern=r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")


STREET_SUFFIXES = (
    "gatan|gata|vägen|väg|gränden|gränd|torget|torg|stigen|stig|backen|backe|allén|allé|"
    "platsen|plan|leden|kajen|esplanaden|promenaden|parken|slingan|vägen|liden|höjden|"
    "bron|ringen|gången|stråket|hagen|dalen|tået|tåget|udden|plats"
)


@register_recognizer
class AddressRecognizer(PatternRecognizer):
    """Street addresses (Storgatan 12B, Stora Nygatan 3 lgh 1102) and apartment numbers."""

    type_name = "address"
    PATTERN = (
        r"(?:(?<=\s)|^|(?<=[(,\"']))"
        r"(?:(?:[A-ZÅÄÖ][a-zåäöéü]+|[a-zåäöéü]+)\s)?"
        r"(?:[A-ZÅÄÖa-zåäöéü][a-zåäöéü-]*(?:" + STREET_SUFFIXES + r")"
        r"|(?i:stora|lilla|norra|södra|östra|västra|gamla|nya|övre|nedre)\s"
        r"(?i:" + STREET_SUFFIXES + r"))"
        r"\s+\d{1,4}(?:\s?[A-Ha-h](?![\w]))?"
        r"(?:,?\s*(?:lgh|lägenhet|lght)\.?\s*\d{3,4})?"
        r"|(?<![\w])(?:lgh|lägenhet|lght)\.?\s*(?:nr\.?\s*)?\d{3,4}(?![\d])"
    )

    def __init__(self, *, name: str | None = None, score: float = 0.85) -> None:
        super().__init__(entity="ADDRESS", name=name or self.type_name, pattern=self.PATTERN,
                         score=score, ignore_case=False)

    def analyze(self, text: str, tokens: list[Token]) -> list[Span]:
        spans = []
        for span in super().analyze(text, tokens):
            found = text[span.start:span.end]
            first = found.split()[0]
            # "Stora Nygatan 3": keep the adjective only when it is part of the name.
            if len(found.split()) > 2 and first.lower() not in STREET_PREFIXES and \
                    not re.match(r"^(lgh|lägenhet|lght)", found, re.IGNORECASE):
                offset = len(first) + 1
                span = Span(span.start + offset, span.end, span.entity_type, span.score,
                            span.recognizer)
            spans.append(span)
        return spans


STREET_PREFIXES = {"stora", "lilla", "norra", "södra", "östra", "västra", "gamla", "nya",
                   "övre", "nedre", "sankt", "s:t", "drottning", "kungs"}


@cache
def swedish_towns() -> frozenset[str]:
    """Town names from Faker's Swedish address data, lower case, for lower-case texts."""
    from faker.providers.address.sv_SE import Provider

    towns = {c.lower() for c in getattr(Provider, "cities", ())}
    towns |= {"stockholm", "göteborg", "malmö", "uppsala", "linköping", "örebro", "västerås",
              "norrköping", "helsingborg", "jönköping", "umeå", "lund", "borås", "sundsvall",
              "gävle", "eskilstuna", "södertälje", "karlstad", "växjö", "halmstad", "trelleborg",
              "luleå", "kalmar", "kristianstad", "skövde", "falun", "botkyrka", "solna"}
    return frozenset(towns)


@register_recognizer
class PostcodeRecognizer(PatternRecognizer):
    """Postcode with town: '212 48 Malmö', 'SE-582 22 Linköping', '58222 linköping'."""

    type_name = "postcode"

    def __init__(self, *, name: str | None = None, score: float = 0.85) -> None:
        super().__init__(entity="POSTCODE", name=name or self.type_name, score=score,
                         pattern=r"(?<![\w-])(?:SE-?\s?)?[1-9]\d{2}\s?\d{2}\s+"
                                 r"(?:[A-ZÅÄÖ][a-zåäö]+(?:[\s-][A-ZÅÄÖ][a-zåäö]+)?|[a-zåäö]+)"
                                 r"(?![\w])")

    def analyze(self, text: str, tokens: list[Token]) -> list[Span]:
        towns = swedish_towns()
        kept = []
        for span in super().analyze(text, tokens):
            match = re.search(r"\d\s+(\D+)$", text[span.start:span.end])
            town = match.group(1) if match else ""
            if town[:1].isupper() or town.lower() in towns:
                kept.append(span)
        return kept
