"""Schemas by name, so the CLI and web app can offer them; modules register their own."""

from __future__ import annotations

from kraftsamling.tabular._schema import ColumnSpec, TableSchema

__all__ = ["PERSONS_SCHEMA", "available_schemas", "get_schema", "register_schema"]

_SCHEMAS: dict[str, TableSchema] = {}

PERSONS_SCHEMA = TableSchema(
    name="personer",
    description="En rad per person.",
    columns=(
        ColumnSpec(name="person_id", title="person-id", aliases=("id",), kind="identifier",
                   unique=True, description="Verksamhetens id för personen."),
        ColumnSpec(name="fodelsear", title="födelseår", aliases=("birth_year",), type="int",
                   min=1900, max=2030, kind="quasi_identifier"),
        ColumnSpec(name="kon", title="kön", aliases=("sex", "gender"),
                   allowed=("kvinna", "man", "annat", "okänt"),
                   value_aliases=(("kvinna", ("k", "female", "woman")),
                                  ("man", ("m", "male")),
                                  ("annat", ("other",)),
                                  ("okänt", ("unknown",)))),
        ColumnSpec(name="stadsdel", aliases=("district", "område"), kind="quasi_identifier"),
        ColumnSpec(name="inkomst", aliases=("income",), type="float", min=0, nullable=True,
                   required=False),
        ColumnSpec(name="anteckning", aliases=("note", "anteckningar"), nullable=True,
                   required=False, kind="free_text"),
    ),
)


def register_schema(schema: TableSchema) -> TableSchema:
    _SCHEMAS[schema.name] = schema
    return schema


def get_schema(name: str) -> TableSchema:
    try:
        return _SCHEMAS[name]
    except KeyError:
        known = ", ".join(sorted(_SCHEMAS))
        raise KeyError(f"Okänt schema '{name}'. Kända scheman: {known}.") from None


def available_schemas() -> list[TableSchema]:
    return [_SCHEMAS[name] for name in sorted(_SCHEMAS)]


register_schema(PERSONS_SCHEMA)
