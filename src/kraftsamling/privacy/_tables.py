"""Pseudonymising tables by what each column is: identifier, quasi-identifier or free text."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from kraftsamling.privacy._analyzer import Analyzer
from kraftsamling.privacy._pseudonymize import Mode, Pseudonymizer, keyed_hash
from kraftsamling.store.models import ImportedTable
from kraftsamling.tabular import ColumnSpec, TableSchema

__all__ = ["TablePseudonymizer", "column_hash", "generalise"]

POSTCODE = re.compile(r"^(?:SE-?\s?)?(\d{3})\s?\d{2}$")


def column_hash(key: bytes, value: str, column: ColumnSpec) -> str:
    """The keyed hash stored for an identifier column, and computed again to search for it:
    one definition, so storing and searching cannot drift apart (the column declares its
    ``purpose`` and ``hash_length``)."""
    return keyed_hash(key, value.strip(), purpose=column.purpose, length=column.hash_length)


def _band(value: int, width: int) -> str:
    low = value - value % width
    return f"{low}–{low + width - 1}"


def generalise(spec: ColumnSpec, value: Any) -> Any:
    """Coarsen a quasi-identifier so that combinations of them single out fewer people.

    Birth year → five-year band, age → five-year band, postcode → its first three digits,
    date → year. ``ColumnSpec.generalise`` chooses explicitly; otherwise the column's type,
    name and value decide.
    """
    if value is None:
        return None
    rule = spec.generalise or _infer_rule(spec, value)
    if rule == "none":
        return value
    if rule == "year_band":
        return _band(int(value), 5)
    if rule == "age_band":
        return _band(int(value), 5)
    if rule == "postcode3":
        match = POSTCODE.match(str(value).strip())
        return match.group(1) if match else value
    if rule == "year":
        return str(value)[:4]
    raise ValueError(f"Okänd generaliseringsregel '{rule}' för kolumn '{spec.name}'.")


def _infer_rule(spec: ColumnSpec, value: Any) -> str:
    name = spec.name.lower()
    if spec.type == "int" and isinstance(value, int):
        if any(hint in name for hint in ("alder", "ålder", "age")) and 0 <= value <= 130:
            return "age_band"
        if 1850 <= value <= date.today().year + 1:
            return "year_band"
    if spec.type == "date":
        return "year"
    if isinstance(value, str) and POSTCODE.match(value.strip()):
        return "postcode3"
    return "none"


class TablePseudonymizer:
    """A record transform for :func:`kraftsamling.tabular.import_table`.

    Identifiers become keyed hashes (the same person links across files under one key),
    quasi-identifiers are generalised, free text passes through the recognisers with
    pseudonyms consistent across the whole table. The reversible mapping is kept encrypted
    and stored with the table, for admins only.
    """

    def __init__(self, *, key: bytes, analyzer: Analyzer, mode: Mode = "pseudonym",
                 keep_mapping: bool = True) -> None:
        self.key = key
        self.text = Pseudonymizer(key=key, mode=mode, analyzer=analyzer,
                                  keep_mapping=keep_mapping)

    def __call__(self, records: list[dict[str, Any]], schema: TableSchema
                 ) -> list[dict[str, Any]]:
        kinds = {c.name: c for c in schema.columns if c.kind != "plain"}
        result = []
        for record in records:
            row = dict(record)
            for name, spec in kinds.items():
                value = row.get(name)
                if value is None:
                    continue
                if spec.kind == "identifier":
                    row[name] = "ID-" + column_hash(self.key, str(value), spec)
                elif spec.kind == "quasi_identifier":
                    row[name] = generalise(spec, value)
                elif spec.kind == "free_text":
                    row[name] = self.text.redact(str(value))
            result.append(row)
        return result

    def after_store(self, session: Session, table: ImportedTable) -> None:
        from kraftsamling.privacy._vault import store_mapping

        store_mapping(session, scope=f"table:{table.id}", mapping=self.text.mapping_)
