"""PostgreSQL by URL: the same migrations, triggers and audit chain as SQLite.

Runs when KRAFTSAMLING_TEST_POSTGRES_URL names an empty database, e.g.
postgresql+psycopg://ks:ks-pass@127.0.0.1/ks (needs `pip install -e ".[postgres]"`).
"""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from kraftsamling.store import AuditEvent, Database, record_event, verify_chain

URL = os.environ.get("KRAFTSAMLING_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="KRAFTSAMLING_TEST_POSTGRES_URL is not set")


@pytest.fixture
def postgres() -> Database:
    database = Database(URL, audit_key=b"postgres-test-audit-key")
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    database.upgrade()
    return database


def test_migrations_and_append_only_audit_log(postgres: Database) -> None:
    assert postgres.current_revision() == postgres.head_revision()
    with postgres.session() as session:
        for i in range(3):
            record_event(session, actor="anna", action="view_record", object_id=i)
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), postgres.session() as session:
            session.execute(text(statement))
    with postgres.session() as session:
        assert verify_chain(session) == []
    postgres.dispose()


def test_chain_holds_when_the_server_is_not_on_utc(postgres: Database) -> None:
    """timestamptz comes back in the session's zone; the hash must not depend on it."""
    with postgres.engine.begin() as connection:
        connection.execute(text("ALTER ROLE CURRENT_USER SET timezone = 'Europe/Stockholm'"))
    postgres.dispose()  # new connections pick the zone up
    try:
        with postgres.session() as session:
            event = record_event(session, actor="anna", action="login")
            assert session.execute(text("SHOW timezone")).scalar() == "Europe/Stockholm"
        with postgres.session() as session:
            assert verify_chain(session) == []
            assert event.at.utcoffset() is not None and event.at.utcoffset().total_seconds() == 0
    finally:
        with postgres.engine.begin() as connection:
            connection.execute(text("ALTER ROLE CURRENT_USER RESET timezone"))
        postgres.dispose()


def test_concurrent_writers_leave_no_broken_link(postgres: Database) -> None:
    """The advisory lock serialises appends: many threads, then every link holds."""
    from sqlalchemy import func, select

    errors: list[BaseException] = []

    def work(writer: int) -> None:
        try:
            for i in range(25):
                with postgres.session() as session:
                    session.scalar(select(func.count()).select_from(AuditEvent))
                    record_event(session, actor=f"t{writer}", action="view_record", object_id=i)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with postgres.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 300
        assert verify_chain(session) == []
    postgres.dispose()


def test_migration_rekeys_an_older_chain(postgres: Database) -> None:
    """0007 re-keys an unkeyed chain on PostgreSQL too (its trigger is disabled meanwhile)."""
    from alembic import command
    from sqlalchemy import select

    from kraftsamling.store.audit import row_hash
    from kraftsamling.store.db import alembic_config
    from kraftsamling.store.models import utcnow

    with postgres.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    command.upgrade(alembic_config(URL), "0006")
    prev = "0" * 64
    with postgres.engine.begin() as connection:
        for i in range(4):
            at = utcnow()
            digest = row_hash(None, prev, at, "anna", "view_record", "", str(i), {}, "")
            connection.execute(text(
                "INSERT INTO audit_events (at, actor, action, object_type, object_id, detail, "
                "client, prev_hash, row_hash) VALUES (:at, 'anna', 'view_record', '', :oid, "
                "'{}', '', :prev, :hash)"), {"at": at, "oid": str(i), "prev": prev,
                                              "hash": digest})
            prev = digest
    postgres.upgrade()
    with postgres.session() as session:
        assert verify_chain(session) == []
        marker = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "audit_chain_keyed")).one()
        assert marker.detail["events"] == 4 and marker.detail["legacy_broken"] == []
    with pytest.raises(DatabaseError, match="append-only"), postgres.session() as session:
        session.execute(text("DELETE FROM audit_events"))
    postgres.dispose()
