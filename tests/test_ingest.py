"""The one ingest function: read → store → audit in the caller's transaction, or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kraftsamling.ingest import IMPORT_ACTIONS, Stored, ingest
from kraftsamling.privacy import Pseudonymization
from kraftsamling.store import AuditEvent, Database, ImportedRow, ImportedTable
from kraftsamling.tabular import PERSONS_SCHEMA, import_table


def _count(db: Database, table: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def _table(session: Session, rows: int) -> Stored[ImportedTable]:
    table = ImportedTable(name="t", schema_name="x", source_filename="t.csv",
                          encoding="utf-8", n_rows=rows, imported_by="anna")
    session.add(table)
    return Stored(table, "table", {"rows": rows})


def test_ingest_stores_and_audits_in_one_transaction(database: Database) -> None:
    before = _count(database, AuditEvent)
    with database.session() as session:
        table = ingest(session, action="import", actor="anna", client="10.0.0.1",
                       read=lambda: 3, store=_table)
        table_id = table.id
    with database.session() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        assert (event.action, event.actor, event.object_type, event.object_id, event.client,
                event.detail) == ("import", "anna", "table", str(table_id), "10.0.0.1",
                                  {"rows": 3})
    assert _count(database, AuditEvent) == before + 1


def test_a_refused_file_writes_nothing(database: Database) -> None:
    before = (_count(database, AuditEvent), _count(database, ImportedTable))

    def read() -> int:
        raise ValueError("Rad 2: fel")

    with pytest.raises(ValueError, match="Rad 2"), database.session() as session:
        ingest(session, action="import", actor="anna", read=read, store=_table)
    assert (_count(database, AuditEvent), _count(database, ImportedTable)) == before


def test_a_crash_while_storing_leaves_neither_rows_nor_event(database: Database) -> None:
    before = (_count(database, AuditEvent), _count(database, ImportedTable))

    def store(session: Session, rows: int) -> Stored[ImportedTable]:
        _table(session, rows)
        session.flush()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError), database.session() as session:
        ingest(session, action="import", actor="anna", read=lambda: 1, store=store)
    assert (_count(database, AuditEvent), _count(database, ImportedTable)) == before


def test_only_import_actions_are_ingested(database: Database) -> None:
    assert {"import", "chat.import", "cases.import", "twin.import"} <= IMPORT_ACTIONS
    with pytest.raises(ValueError, match="Okänd importhändelse"), database.session() as s:
        ingest(s, action="login", actor="anna", read=lambda: 1, store=_table)


def test_the_generic_import_goes_through_ingest(database: Database, tmp_path: Path) -> None:
    """``import_table`` (the `data import` door) stores rows and exactly one event."""
    source = tmp_path / "personer.csv"
    source.write_text("person_id;fodelsear;kon;stadsdel;anteckning\n"
                      "P1;1984;kvinna;Ryd;Mår bättre\nP2;1990;man;Berga;\n", encoding="utf-8")
    before = _count(database, AuditEvent)
    privacy = Pseudonymization.with_default_recognizers(b"ingest-test")
    with database.session() as session:
        table = import_table(session, source, PERSONS_SCHEMA, actor="anna",
                             transform=privacy.table())
        assert table.n_rows == 2
    assert _count(database, ImportedRow) == 2
    assert _count(database, AuditEvent) == before + 1
    with database.session() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == "import"
        assert event.detail["rows"] == 2 and "person_id" in event.detail["pseudonymised"]
