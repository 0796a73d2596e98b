"""Importing a validated file into the database: all of it in one transaction, or nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import insert
from sqlalchemy.orm import Session

from kraftsamling.ingest import Stored, ingest
from kraftsamling.store.models import ImportedRow, ImportedTable
from kraftsamling.tabular._read import read_table
from kraftsamling.tabular._schema import TableSchema

__all__ = ["ImportProgress", "RecordTransform", "import_table"]

INSERT_BATCH = 5000
# (stage, rows done, rows in all or None): "read", "validated", "pseudonymised", "stored"
ImportProgress = Callable[[str, int, "int | None"], None]


def _no_progress(stage: str, done: int, total: int | None) -> None:
    del stage, done, total


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
    progress: ImportProgress | None = None,
) -> ImportedTable:
    """Read, validate, pseudonymise and store a file, through :func:`kraftsamling.ingest`.

    Raises ``ReadError`` or ``ValidationFailed`` before anything is written; the caller's
    transaction makes the write all-or-nothing. ``transform`` has no default on purpose:
    every caller says how the data is pseudonymised (``None`` only for data without persons).
    ``progress`` hears each stage's rows as they are done (the web app's job page).
    """
    report = progress or _no_progress
    filename = Path(source).name

    def read() -> _Prepared:
        table_file = read_table(source, content=content,
                                on_rows=lambda done: report("read", done, None))
        declared = schema.for_table(table_file)  # undeclared columns as free text, if it says
        records = declared.validate(table_file, filename=filename)
        report("validated", len(records), len(records))
        if transform is not None:
            records = transform(records, declared)
            report("pseudonymised", len(records), len(records))
        return _Prepared(declared, records, table_file.encoding,
                         [table_file.row_label(i) for i in range(len(records))])

    def store(session: Session, prepared: _Prepared) -> Stored[ImportedTable]:
        return _store(session, prepared, name=name or Path(filename).stem, filename=filename,
                      actor=actor, transform=transform, report=report)

    return ingest(session, action="import", actor=actor, read=read, store=store)


@dataclass
class _Prepared:
    """A file read, validated and pseudonymised: nothing written yet."""

    schema: TableSchema
    records: list[dict[str, Any]]
    encoding: str
    labels: list[int]


def _store(session: Session, prepared: _Prepared, *, name: str, filename: str, actor: str,
           transform: RecordTransform | None, report: ImportProgress
           ) -> Stored[ImportedTable]:
    schema, records, labels = prepared.schema, prepared.records, prepared.labels
    present = {name for record in records[:1] for name in record}
    protected = sorted(c.name for c in schema.columns
                       if c.kind != "plain" and c.name in present) if transform else []
    n_rows = len(records)
    sqlite = session.get_bind().dialect.name == "sqlite"
    payload: list[str] = []
    if sqlite:
        # Everything slow happens before the first write: on SQLite the first INSERT takes
        # the database's one write lock until the commit, and every audited page view waits
        # for it. Rows are serialised here (as SQLAlchemy's JSON type writes them) and then
        # written by the driver in C; the dicts are dropped (most of the memory).
        payload = [json.dumps(record) for record in records]
        records = prepared.records = []
    table = ImportedTable(
        name=name,
        schema_name=schema.name,
        source_filename=filename,
        encoding=prepared.encoding,
        n_rows=n_rows,
        imported_by=actor,
    )
    session.add(table)
    session.flush()  # the write lock is held from here on (SQLite)
    if sqlite:
        raw = cast(sqlite3.Connection, session.connection().connection.dbapi_connection)
        for start in range(0, n_rows, INSERT_BATCH * 10):  # in the session's transaction
            end = start + INSERT_BATCH * 10
            raw.executemany(
                "INSERT INTO imported_rows (table_id, row_number, data) VALUES (?, ?, ?)",
                ((table.id, label, data)
                 for label, data in zip(labels[start:end], payload[start:end], strict=True)))
            report("stored", min(end, n_rows), n_rows)
    else:
        # Bulk inserts in batches, not one ORM object per row: a million-row import would
        # otherwise hold a million tracked objects (gigabytes) until the commit.
        for start in range(0, n_rows, INSERT_BATCH):
            session.execute(insert(ImportedRow), [
                {"table_id": table.id, "row_number": label, "data": record}
                for label, record in zip(labels[start:start + INSERT_BATCH],
                                         records[start:start + INSERT_BATCH], strict=True)])
            report("stored", min(start + INSERT_BATCH, n_rows), n_rows)
    if transform is not None:
        transform.after_store(session, table)
    return Stored(table, "table", {
        "schema": schema.name, "rows": n_rows, "file": filename, "encoding": prepared.encoding,
        # what was pseudonymised, and what is stored as it stands (declared plain: no
        # person is named by it)
        "pseudonymised": protected, "plain": sorted(present - set(protected))})
