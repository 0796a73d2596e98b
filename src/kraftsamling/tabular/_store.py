"""Importing a validated file into the database: all of it in one transaction, or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.orm import Session

from kraftsamling.store.audit import record_event
from kraftsamling.store.models import ImportedRow, ImportedTable
from kraftsamling.tabular._read import read_table
from kraftsamling.tabular._schema import TableSchema

__all__ = ["RecordTransform", "import_table"]

INSERT_BATCH = 5000

class RecordTransform(Protocol):
    """A step between validation and storage; the privacy layer plugs in here."""

    def __call__(self, records: list[dict[str, Any]], schema: TableSchema
                 ) -> list[dict[str, Any]]: ...

    def after_store(self, session: Session, table: ImportedTable) -> None:
        """Called in the same transaction once the table has its id."""


def import_table(
    session: Session,
    source: str | Path,
    schema: TableSchema,
    *,
    actor: str,
    name: str | None = None,
    transform: RecordTransform | None,
    content: bytes | None = None,
) -> ImportedTable:
    """Read, validate, pseudonymise and store a file.

    Raises ``ReadError`` or ``ValidationFailed`` before anything is written; the caller's
    transaction makes the write all-or-nothing. ``transform`` has no default on purpose:
    every caller says how the data is pseudonymised (``None`` only for data without persons).
    """
    filename = Path(source).name
    table_file = read_table(source, content=content)
    schema = schema.for_table(table_file)  # undeclared columns as free text, if it says so
    records = schema.validate(table_file, filename=filename)
    if transform is not None:
        records = transform(records, schema)
    present = {name for record in records[:1] for name in record}
    protected = sorted(c.name for c in schema.columns
                       if c.kind != "plain" and c.name in present) if transform else []
    table = ImportedTable(
        name=name or Path(filename).stem,
        schema_name=schema.name,
        source_filename=filename,
        encoding=table_file.encoding,
        n_rows=len(records),
        imported_by=actor,
    )
    session.add(table)
    session.flush()
    # Bulk inserts in batches, not one ORM object per row: a million-row import would
    # otherwise hold a million tracked objects (gigabytes) until the commit.
    for start in range(0, len(records), INSERT_BATCH):
        session.execute(insert(ImportedRow), [
            {"table_id": table.id, "row_number": table_file.row_label(i), "data": record}
            for i, record in enumerate(records[start:start + INSERT_BATCH], start=start)])
    if transform is not None:
        transform.after_store(session, table)
    record_event(session, actor=actor, action="import", object_type="table", object_id=table.id,
                 detail={"schema": schema.name, "rows": len(records), "file": filename,
                         "encoding": table_file.encoding,
                         # what was pseudonymised, and what is stored as it stands (declared
                         # plain: no person is named by it)
                         "pseudonymised": protected,
                         "plain": sorted(present - set(protected))})
    session.flush()
    return table
