"""The installation's one way to pseudonymise: its key and its configured recognisers.

Every door (the CLI, the web app, the demo, a worker) asks :meth:`Pseudonymization.
for_settings` for the same object, so an organisation's own recogniser (a ``DIARIENUMMER``
pattern in ``KRAFTSAMLING_PRIVACY_CONFIG``) applies wherever text comes in, and an
identifier is hashed under one purpose wherever it is stored or searched for.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kraftsamling.privacy._analyzer import Analyzer
from kraftsamling.privacy._pseudonymize import Mode, Pseudonymizer, keyed_hash
from kraftsamling.privacy._tables import TablePseudonymizer, column_hash
from kraftsamling.settings import Settings, pseudonym_key
from kraftsamling.tabular import ColumnSpec

__all__ = ["Pseudonymization"]


@cache
def _analyzer(config: Path | None) -> Analyzer:
    return Analyzer.from_config(config)


@cache
def _for(key: bytes, config: Path | None) -> Pseudonymization:
    return Pseudonymization(key=key, analyzer=_analyzer(config))


class Pseudonymization:
    """Text, identifiers and tables, pseudonymised under one key with one analyzer.

    ``text()`` replaces what the recognisers find with type tags (``[PERSON]``), the form
    every module stores and models read; ``identifier(value, purpose)`` is the keyed hash
    stored in place of an id (and computed again to search for it); ``table()`` is the
    record transform of an import. ``pseudonymizer()`` gives a fresh dataset-consistent
    replacer (``[PERSON_3]``) when a dataset needs one.
    """

    def __init__(self, *, key: bytes, analyzer: Analyzer) -> None:
        self.key = key
        self.analyzer = analyzer
        self._tags = Pseudonymizer(key=key, analyzer=analyzer, mode="tag")

    @classmethod
    def for_settings(cls, settings: Settings) -> Pseudonymization:
        """The installation's: its pseudonym key and ``privacy_config`` (built once)."""
        return _for(pseudonym_key(settings), settings.privacy_config)

    @classmethod
    def with_default_recognizers(cls, key: bytes) -> Pseudonymization:
        """The shipped recognisers under ``key`` (benchmarks and tools without settings)."""
        return _for(key, None)

    def text(self, value: str) -> str:
        """Free text with names, numbers and addresses replaced by type tags."""
        return self._tags.redact(value)

    def tagger(self) -> Pseudonymizer:
        """The tag-mode replacer behind :meth:`text` (stateless in tag mode; picklable)."""
        return self._tags

    def pseudonymizer(self, *, mode: Mode = "pseudonym", keep_mapping: bool = False
                      ) -> Pseudonymizer:
        """A fresh replacer whose pseudonyms are consistent within one dataset."""
        return Pseudonymizer(key=self.key, analyzer=self.analyzer, mode=mode,
                             keep_mapping=keep_mapping)

    def identifier(self, value: str, purpose: str | ColumnSpec, *, length: int = 16) -> str:
        """The keyed hash stored for an identifier, and searched for: the same function in
        both places. ``purpose`` is a name (``"case"``) or the schema column declaring it."""
        if isinstance(purpose, ColumnSpec):
            return column_hash(self.key, value, purpose)
        return keyed_hash(self.key, value.strip(), purpose=purpose, length=length)

    def table(self, *, mode: Mode = "pseudonym", keep_mapping: bool = True
              ) -> TablePseudonymizer:
        """The record transform of one import (a fresh one per dataset): identifiers by
        their column's purpose, quasi-identifiers generalised, free text through the
        recognisers."""
        return TablePseudonymizer(key=self.key, analyzer=self.analyzer, mode=mode,
                                  keep_mapping=keep_mapping)
