"""The database: WAL, migrations, the schema check, and an audit log that cannot be edited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from kraftsamling.settings import Settings
from kraftsamling.store import (
    AuditEvent,
    AuditFilter,
    Database,
    SchemaOutOfDateError,
    audit_csv,
    query_audit,
    record_event,
    verify_chain,
)
from kraftsamling.web import create_app


def test_sqlite_runs_in_wal_mode(database: Database) -> None:
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_app_refuses_an_out_of_date_schema(settings: Settings) -> None:
    empty = Database.for_settings(settings)
    with pytest.raises(SchemaOutOfDateError, match="kraftsamling db upgrade"):
        create_app(settings, database=empty)
    empty.upgrade()
    assert empty.current_revision() == empty.head_revision()
    create_app(settings, database=empty)


def test_audit_log_is_append_only(database: Database) -> None:
    with database.session() as session:
        record_event(session, actor="anna", action="view_record", object_id=7)
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), database.session() as session:
            session.execute(text(statement))
    with database.session() as session:
        assert session.scalar(select(AuditEvent.actor).where(AuditEvent.object_id == "7")) \
            == "anna"


def test_hash_chain_detects_tampering(database: Database) -> None:
    with database.session() as session:
        for i in range(3):
            record_event(session, actor="anna", action="view_record", object_id=i)
    with database.session() as session:
        assert verify_chain(session) == []
    # Someone with file access drops the trigger and edits a row.
    with database.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        target = connection.execute(
            text("SELECT id FROM audit_events WHERE object_id = '1' AND action = 'view_record'")
        ).scalar()
        connection.execute(text("UPDATE audit_events SET actor = 'bertil' WHERE id = :id"),
                           {"id": target})
    with database.session() as session:
        assert verify_chain(session) == [target]


def test_audit_filter_and_csv(database: Database) -> None:
    with database.session() as session:
        record_event(session, actor="anna", action="export", object_type="table", object_id=1,
                     detail={"rows": 3})
        record_event(session, actor="bo", action="view_record", object_id=2)
        events = query_audit(session, AuditFilter(actor="anna", action="export"))
        body = audit_csv(events)
    assert [e.actor for e in events] == ["anna"]
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == "id;at;actor;action;object_type;object_id;detail;client"
    assert lines[1].split(";")[2:6] == ["anna", "export", "table", "1"]
    assert len(lines) == 2


def test_database_folder_is_created(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'ny' / 'mapp' / 'db.sqlite3'}")
    database.upgrade()
    assert (tmp_path / "ny" / "mapp" / "db.sqlite3").is_file()


def test_times_come_back_as_utc(database: Database) -> None:
    from datetime import UTC

    with database.session() as session:
        event_id = record_event(session, actor="anna", action="login").id
    with database.session() as session:
        loaded = session.get(AuditEvent, event_id)
        assert loaded is not None and loaded.at.tzinfo is UTC


def test_migrations_create_what_the_models_declare(database: Database) -> None:
    """Every table and column the ORM maps exists after `upgrade`, with the same nullability:
    a model changed without a migration fails here, not in a user's database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kraftsamling.plugins import plugin_tables
    from kraftsamling.store.models import Base

    declared = {table.__tablename__ for table in plugin_tables()}
    assert declared == set(Base.metadata.tables)  # every mapped table is some plugin's

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    relevant = [d for d in differences
                if not (isinstance(d, tuple) and d[0] in ("add_index", "remove_index"))]
    assert relevant == []
