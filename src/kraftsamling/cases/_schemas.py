"""The case files' declared columns by kind, and how a person's or household's id is hashed.

Both kinds hash their id under one purpose (``case``): the case list stores the hash and
the caseworker's search hashes what is typed through the same column, so the two cannot
drift apart. The remaining columns are the model's features; they are never stored
(only the pseudonym, the group values the fairness panel compares and the answers are).
"""

from __future__ import annotations

from kraftsamling.tabular import ColumnSpec, TableSchema

__all__ = ["CASE_ID", "CASE_SCHEMAS", "case_id_column"]

CASE_ID = ColumnSpec(name="person_id", kind="identifier", purpose="case",
                     description="Ärendets id för personen eller hushållet (lagras som hash).")
_GROUPS = tuple(ColumnSpec(name=name, required=False, nullable=True, kind="quasi_identifier")
                for name in ("sex", "age_band", "birth_region", "district"))
_ID_COLUMNS = {"economic-assistance": "household_id", "social-services": "person_id"}


def case_id_column(kind: str) -> ColumnSpec:
    """The id column of a kind of case file (``household_id`` or ``person_id``)."""
    return ColumnSpec(name=_ID_COLUMNS[kind], kind="identifier", purpose=CASE_ID.purpose,
                      hash_length=CASE_ID.hash_length, description=CASE_ID.description)


CASE_SCHEMAS = {kind: TableSchema(
    name=f"ärenden-{kind}",
    description=f"Ärenden ({kind}): en rad per person eller hushåll, id och modellens "
                "variabler; bara id (som hash) och gruppvärden sparas.",
    columns=(case_id_column(kind), *_GROUPS),
    extra_columns="ignore",
) for kind in _ID_COLUMNS}
