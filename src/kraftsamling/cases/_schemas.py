"""The case files' declared columns by kind, and how a person's or household's id is hashed.

Both kinds hash their id under one purpose (``case``): the case list stores the hash and
the caseworker's search hashes what is typed through the same column, so the two cannot
drift apart. The remaining columns are the model's features; they are never stored
(only the pseudonym, the group values the fairness panel compares and the answers are).

Every column a case file may have is declared with the header a Swedish file writes first
and the other names read (case, accents and separators never count), so ``Hushållstyp``,
``household_type`` and ``HUSHALLSTYP`` are one column, and the upload help is generated from
the same table. The table is data (``data/columns.toml``), validated on load.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from kraftsamling._config_files import read_validated
from kraftsamling.tabular import ColumnHelp, ColumnSpec, ColumnType, TableSchema, header_key

__all__ = ["CASE_ID", "CASE_SCHEMAS", "INTERVENTION_SPELLINGS", "case_column_help",
           "case_id_column", "intervention_code"]

CASE_ID = ColumnSpec(name="person_id", kind="identifier", purpose="case",
                     description="Ärendets id för personen eller hushållet (lagras som hash).")
_ID_COLUMNS = {"economic-assistance": "household_id", "social-services": "person_id"}
_ID_NAMES = {"household_id": ("hushålls-id", ("hushåll", "id")),
             "person_id": ("person-id", ("id",))}
_GROUP_COLUMNS = ("sex", "age_band", "birth_region", "district")
COLUMNS_FILE = Path(__file__).parent / "data" / "columns.toml"


class _Column(BaseModel):
    """One declared column of ``data/columns.toml``; a misspelt key is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    aliases: tuple[str, ...] = ()
    type: ColumnType


class _Columns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    columns: dict[str, _Column]
    kinds: dict[str, tuple[str, ...]]

    @model_validator(mode="after")
    def _kinds_name_declared_columns(self) -> _Columns:
        if set(self.kinds) != set(_ID_COLUMNS):
            raise ValueError(f"[kinds] ska ha {sorted(_ID_COLUMNS)}, har {sorted(self.kinds)}")
        for kind, names in self.kinds.items():
            unknown = sorted(set(names) - set(self.columns))
            if unknown:
                raise ValueError(f"{kind} nämner odeklarerade kolumner: {', '.join(unknown)}")
        return self


_DECLARED = read_validated(COLUMNS_FILE, _Columns, kind="Kolumnfilen")
# The interventions the demo models know, and the other ways a file writes them ("Ingen
# insats" for "ingen"); matched like headers, so "Språkpraktik" is "sprakpraktik".
INTERVENTION_SPELLINGS: dict[str, tuple[str, ...]] = {
    "ingen": ("ingen insats", "inget", "-"),
    "jobbtorg": (), "sprakpraktik": ("språkpraktik",), "studier": (),
    "subventionerad_anstallning": ("subventionerad anställning",),
    "kontaktperson": (), "familjebehandling": (), "oppenvard": ("öppenvård",),
    "hvb": ("hem för vård eller boende",), "familjehem": (),
}
_INTERVENTION_KEYS = {header_key(spelling): code
                      for code, others in INTERVENTION_SPELLINGS.items()
                      for spelling in (code, *others)}


def intervention_code(value: str) -> str:
    """An intervention as the models know it: "Språkpraktik" → "sprakpraktik"; a name they
    do not know comes back as it was written."""
    return _INTERVENTION_KEYS.get(header_key(value), value.strip())


def case_id_column(kind: str) -> ColumnSpec:
    """The id column of a kind of case file (``household_id`` or ``person_id``)."""
    name = _ID_COLUMNS[kind]
    title, aliases = _ID_NAMES[name]
    return ColumnSpec(name=name, title=title, aliases=aliases, kind="identifier",
                      purpose=CASE_ID.purpose, hash_length=CASE_ID.hash_length,
                      description=CASE_ID.description)


def _column(name: str) -> ColumnSpec:
    declared = _DECLARED.columns[name]
    return ColumnSpec(name=name, title=declared.title, aliases=declared.aliases,
                      type=declared.type, required=False,
                      nullable=True,
                      kind="quasi_identifier" if name in _GROUP_COLUMNS else "plain")


CASE_SCHEMAS = {kind: TableSchema(
    name=f"ärenden-{kind}",
    description=f"Ärenden ({kind}): en rad per person eller hushåll, id och modellens "
                "variabler; bara id (som hash) och gruppvärden sparas.",
    columns=(case_id_column(kind), *(_column(name) for name in _DECLARED.kinds[kind])),
    extra_columns="ignore",
) for kind in _ID_COLUMNS}


def case_column_help(kind: str, features: Iterable[str] | None = None) -> list[ColumnHelp]:
    """The columns an assessment of ``kind`` reads, for the upload help: the id and the
    model's ``features`` when a model is trained (a feature the table does not declare is
    listed by its name), else every declared column."""
    schema = CASE_SCHEMAS[kind]
    declared = {spec.name: shown for spec, shown in zip(schema.columns, schema.help(),
                                                         strict=True)}
    if features is None:
        return list(declared.values())
    id_name = _ID_COLUMNS[kind]
    wanted = [id_name, *(f for f in features if f != id_name)]
    return [declared.get(name) or ColumnHelp((name,), True, "str", ()) for name in wanted]
