"""Replacing what the analyzer found: type tags, consistent pseudonyms, or masks.

Pseudonyms are consistent within a dataset: the same person is ``[PERSON_3]`` everywhere
in it. Values are matched through an HMAC under the installation's key, so the map from
value to pseudonym never holds the value itself; the optional reversible mapping is kept
separately, encrypted, for admins to resolve one pseudonym at a time (audited).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Literal

from cryptography.fernet import Fernet, InvalidToken

from kraftsamling.privacy._analyzer import Analyzer
from kraftsamling.privacy._identity import normalise_personnummer
from kraftsamling.privacy._spans import Span

__all__ = ["Mode", "PseudonymVault", "Pseudonymizer", "keyed_hash"]

Mode = Literal["tag", "pseudonym", "mask"]
MODES: tuple[Mode, ...] = ("tag", "pseudonym", "mask")


def keyed_hash(key: bytes, value: str, *, purpose: str = "id", length: int = 16) -> str:
    """A stable, non-reversible stand-in for a direct identifier."""
    digest = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:length]


def _normalise(entity_type: str, value: str) -> str:
    if entity_type == "PERSONNUMMER":
        return normalise_personnummer(value)
    if entity_type in {"PHONE", "ORGANISATIONSNUMMER"}:
        digits = re.sub(r"\D", "", value)
        if value.strip().startswith("+46") or digits.startswith("0046"):
            digits = "0" + digits[4 if digits.startswith("0046") else 2:]
        return digits
    return " ".join(value.casefold().split())


class PseudonymVault:
    """Encrypts originals for the reversible mapping (Fernet, key derived from settings)."""

    def __init__(self, key: bytes) -> None:
        derived = hashlib.sha256(b"kraftsamling-vault:" + key).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("Värdet kan inte dekrypteras med den här nyckeln.") from None


@dataclass(kw_only=True)
class Pseudonymizer:
    """Replaces personal data in texts; one instance per dataset keeps pseudonyms consistent.

    ``mode``: ``tag`` writes ``[PERSON]``, ``pseudonym`` writes ``[PERSON_3]`` (the same value
    always the same number), ``mask`` writes asterisks. With ``keep_mapping`` the originals
    are kept (encrypted) in ``mapping_`` for :func:`kraftsamling.privacy.store_mapping`.
    ``analyzer`` has no default: the installation's comes from
    :meth:`kraftsamling.privacy.Pseudonymization.for_settings`, so no door can fall back to
    recognisers other than the ones configured.
    """

    key: bytes
    analyzer: Analyzer
    mode: Mode = "pseudonym"
    keep_mapping: bool = False
    counters_: dict[str, int] = field(default_factory=dict, init=False)
    assigned_: dict[str, str] = field(default_factory=dict, init=False)
    mapping_: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"Okänt läge '{self.mode}'. Tillåtna: {', '.join(MODES)}.")
        self._vault = PseudonymVault(self.key) if self.keep_mapping else None

    def pseudonym_for(self, entity_type: str, value: str) -> str:
        digest = keyed_hash(self.key, f"{entity_type}:{_normalise(entity_type, value)}",
                            purpose="pseudonym", length=32)
        existing = self.assigned_.get(digest)
        if existing is not None:
            return existing
        number = self.counters_.get(entity_type, 0) + 1
        self.counters_[entity_type] = number
        pseudonym = f"[{entity_type}_{number}]"
        self.assigned_[digest] = pseudonym
        if self._vault is not None:
            self.mapping_[pseudonym] = self._vault.encrypt(value)
        return pseudonym

    def replacement(self, entity_type: str, value: str) -> str:
        if self.mode == "tag":
            return f"[{entity_type}]"
        if self.mode == "mask":
            return re.sub(r"\S", "*", value)
        return self.pseudonym_for(entity_type, value)

    def redact_spans(self, text: str) -> tuple[str, list[Span]]:
        spans = self.analyzer.analyze(text)
        if not spans:
            return text, spans
        parts: list[str] = []
        position = 0
        # Within one text, "Anna" after "Anna Svensson" is the same person.
        name_parts: dict[str, str] = {}
        for span in spans:
            parts.append(text[position:span.start])
            value = text[span.start:span.end]
            words = value.casefold().split()
            if span.entity_type == "PERSON" and self.mode == "pseudonym" and len(words) == 1 \
                    and words[0] in name_parts:
                replacement = name_parts[words[0]]
            else:
                replacement = self.replacement(span.entity_type, value)
            if span.entity_type == "PERSON" and len(words) > 1:
                for word in words:
                    name_parts.setdefault(word, replacement)
            parts.append(replacement)
            position = span.end
        parts.append(text[position:])
        return "".join(parts), spans

    def redact(self, text: str) -> str:
        return self.redact_spans(text)[0]
