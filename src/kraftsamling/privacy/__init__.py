"""Swedish personal data: find it, then pseudonymise it before anything is stored.

Recognisers (personnummer, organisationsnummer, phone, e-mail, address, postcode, person
names) run in a configurable :class:`Analyzer`; a :class:`Pseudonymizer` replaces what they
find with tags, dataset-consistent pseudonyms or masks; a :class:`TablePseudonymizer` treats
table columns by kind. :meth:`Pseudonymization.for_settings` is the one door: the
installation's key with its configured analyzer, for text, identifiers and tables alike.
Everything runs offline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kraftsamling._lazy import lazy_exports
from kraftsamling.privacy._analyzer import (
    DEFAULT_CONFIG,
    Analyzer,
    options_model,
    recognizer_options,
)
from kraftsamling.privacy._files import REDACTABLE_SUFFIXES, RedactionStats, redact_file
from kraftsamling.privacy._gazetteer import (
    bucket_of,
    first_name_bucket,
    name_likeness,
    surname_shaped,
)
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
    default_tagger,
    read_conll,
    read_written_names,
    sentence_features,
    train_name_tagger,
)
from kraftsamling.privacy._pseudonymization import Pseudonymization
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
from kraftsamling.privacy._tables import TablePseudonymizer, column_hash, generalise
from kraftsamling.privacy._vault import resolve_pseudonym, store_mapping

if TYPE_CHECKING:
    from kraftsamling.privacy._synth import (
        GeneratedText,
        as_tagged_sentences,
        generate_texts,
        name_training_texts,
    )

__all__ = [
    "DEFAULT_CONFIG",
    "RECOGNIZER_TYPES",
    "REDACTABLE_SUFFIXES",
    "AddressRecognizer",
    "Analyzer",
    "EmailRecognizer",
    "GeneratedText",
    "Mode",
    "NameTagger",
    "OrganisationsnummerRecognizer",
    "PatternRecognizer",
    "PersonNameRecognizer",
    "PersonnummerRecognizer",
    "PhoneRecognizer",
    "PostcodeRecognizer",
    "PseudonymVault",
    "Pseudonymization",
    "Pseudonymizer",
    "Recognizer",
    "RedactingFilter",
    "RedactionStats",
    "Span",
    "TablePseudonymizer",
    "Token",
    "as_tagged_sentences",
    "bucket_of",
    "column_hash",
    "default_tagger",
    "first_name_bucket",
    "generalise",
    "generate_texts",
    "install_log_redaction",
    "keyed_hash",
    "luhn_valid",
    "name_likeness",
    "name_training_texts",
    "normalise_personnummer",
    "options_model",
    "read_conll",
    "read_written_names",
    "recognizer_options",
    "redact_file",
    "register_recognizer",
    "resolve_overlaps",
    "resolve_pseudonym",
    "sentence_features",
    "store_mapping",
    "surname_shaped",
    "tokenize",
    "train_name_tagger",
    "valid_organisationsnummer",
    "valid_personnummer",
]


# Synthetic Swedish texts for training and testing the recognisers load Faker: only when used.
__getattr__ = lazy_exports(__name__, {
    name: "kraftsamling.privacy._synth"
    for name in ("GeneratedText", "as_tagged_sentences", "generate_texts", "name_training_texts")
})
