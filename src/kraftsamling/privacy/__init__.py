"""Swedish personal data: find it, then pseudonymise it before anything is stored.

Recognisers (personnummer, organisationsnummer, phone, e-mail, address, postcode, person
names) run in a configurable :class:`Analyzer`; a :class:`Pseudonymizer` replaces what they
find with tags, dataset-consistent pseudonyms or masks; a :class:`TablePseudonymizer` treats
table columns by kind. Everything runs offline.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kraftsamling.privacy._analyzer import DEFAULT_CONFIG, Analyzer
from kraftsamling.privacy._files import REDACTABLE_SUFFIXES, RedactionStats, redact_file
from kraftsamling.privacy._identity import (
    luhn_valid,
    normalise_personnummer,
    valid_organisationsnummer,
    valid_personnummer,
)
from kraftsamling.privacy._logging import RedactingFilter, install_log_redaction
from kraftsamling.privacy._names import (
    NameTagger,
    PersonNameRecognizer,
    read_conll,
    train_name_tagger,
)
from kraftsamling.privacy._pseudonymize import Mode, Pseudonymizer, PseudonymVault, keyed_hash
from kraftsamling.privacy._recognizers import (
    RECOGNIZER_TYPES,
    AddressRecognizer,
    EmailRecognizer,
    OrganisationsnummerRecognizer,
    PatternRecognizer,
    PersonnummerRecognizer,
    PhoneRecognizer,
    PostcodeRecognizer,
    Recognizer,
    register_recognizer,
)
from kraftsamling.privacy._spans import Span, Token, resolve_overlaps, tokenize
from kraftsamling.privacy._tables import TablePseudonymizer, generalise
from kraftsamling.privacy._vault import resolve_pseudonym, store_mapping
from kraftsamling.settings import Settings, pseudonym_key

__all__ = [
    "DEFAULT_CONFIG",
    "RECOGNIZER_TYPES",
    "REDACTABLE_SUFFIXES",
    "AddressRecognizer",
    "Analyzer",
    "EmailRecognizer",
    "Mode",
    "NameTagger",
    "OrganisationsnummerRecognizer",
    "PatternRecognizer",
    "PersonNameRecognizer",
    "PersonnummerRecognizer",
    "PhoneRecognizer",
    "PostcodeRecognizer",
    "PseudonymVault",
    "Pseudonymizer",
    "Recognizer",
    "RedactingFilter",
    "RedactionStats",
    "Span",
    "TablePseudonymizer",
    "Token",
    "analyzer_for",
    "generalise",
    "install_log_redaction",
    "keyed_hash",
    "luhn_valid",
    "normalise_personnummer",
    "read_conll",
    "redact_file",
    "register_recognizer",
    "resolve_overlaps",
    "resolve_pseudonym",
    "store_mapping",
    "table_pseudonymizer",
    "text_tagger",
    "tokenize",
    "train_name_tagger",
    "valid_organisationsnummer",
    "valid_personnummer",
]


@cache
def _analyzer(config: Path | None) -> Analyzer:
    return Analyzer.from_config(config)


def analyzer_for(settings: Settings) -> Analyzer:
    """The installation's analyzer (built once per config file)."""
    return _analyzer(settings.privacy_config)


def text_tagger(settings: Settings) -> Pseudonymizer:
    """Free text as every module stores it: names, numbers and addresses replaced by tags."""
    return Pseudonymizer(key=pseudonym_key(settings), mode="tag", analyzer=analyzer_for(settings))


def table_pseudonymizer(settings: Settings) -> TablePseudonymizer:
    """The transform every import goes through: a fresh one per dataset."""
    return TablePseudonymizer(key=pseudonym_key(settings), analyzer=analyzer_for(settings))
