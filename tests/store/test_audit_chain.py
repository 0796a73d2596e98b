"""The audit chain under concurrency and against someone holding a copy of the database.

Many writers (threads and processes) on one real SQLite file, then ``verify_chain``: every
link holds. A copy of the database whose events were deleted and whose hashes were
recomputed without the audit key does not verify. An older, unkeyed chain is checked and
re-keyed by the migration.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from kraftsamling.store import AuditEvent, Database, record_event, verify_chain
from kraftsamling.store.audit import AuditKeyMissing, row_hash
from kraftsamling.store.db import alembic_config
from kraftsamling.store.models import utcnow

KEY = b"audit-key-for-tests-0123456789"
THREADS = 16
EVENTS_PER_WRITER = 40


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def chain_db(tmp_path: Path) -> Database:
    database = Database(_url(tmp_path / "audit.sqlite3"), audit_key=KEY)
    database.upgrade()
    return database


def _write_events(url: str, writer: int, count: int) -> None:
    """Like a page view: read something first, then append the event, one commit each."""
    database = Database(url, audit_key=KEY)
    for i in range(count):
        with database.session() as session:
            session.scalar(select(func.count()).select_from(AuditEvent))
            record_event(session, actor=f"w{writer}", action="view_record", object_id=i)
    database.dispose()


def test_many_threads_leave_no_broken_link(chain_db: Database) -> None:
    errors: list[BaseException] = []

    def work(writer: int) -> None:
        try:
            for i in range(EVENTS_PER_WRITER):
                with chain_db.session() as session:
                    session.scalar(select(func.count()).select_from(AuditEvent))
                    record_event(session, actor=f"t{writer}", action="view_record", object_id=i)
                    if i % 5 == 0:  # some units of work write two events
                        record_event(session, actor=f"t{writer}", action="export", object_id=i)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with chain_db.session() as session:
        count = session.scalar(select(func.count()).select_from(AuditEvent))
        assert count == THREADS * (EVENTS_PER_WRITER + EVENTS_PER_WRITER // 5)
        assert verify_chain(session) == []


def test_many_processes_leave_no_broken_link(chain_db: Database) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_events, args=(chain_db.url, n, 30))
                 for n in range(4)]
    for process in processes:
        process.start()
    _write_events(chain_db.url, 99, 30)  # and this process at the same time
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    with chain_db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 150
        assert verify_chain(session) == []


def _recompute(path: Path, key: bytes | None) -> None:
    """What an attacker with the file does: rewrite every hash after their edit."""
    connection = sqlite3.connect(path)
    rows = connection.execute(
        "SELECT id, at, actor, action, object_type, object_id, detail, client "
        "FROM audit_events ORDER BY id").fetchall()
    import json
    from datetime import UTC, datetime

    prev = "0" * 64
    for event_id, at, actor, action, object_type, object_id, detail, client in rows:
        moment = datetime.fromisoformat(at).replace(tzinfo=UTC)
        new = row_hash(key, prev, moment, actor, action, object_type, object_id,
                        json.loads(detail), client)
        connection.execute("UPDATE audit_events SET prev_hash = ?, row_hash = ? WHERE id = ?",
                           (prev, new, event_id))
        prev = new
    connection.commit()
    connection.close()


@pytest.mark.parametrize("attacker_key", [None, b"a-guessed-key"])
def test_deleting_events_and_recomputing_on_a_copy_is_detected(
        chain_db: Database, tmp_path: Path, attacker_key: bytes | None) -> None:
    with chain_db.session() as session:
        for i in range(6):
            record_event(session, actor="anna", action="view_record", object_id=i)
    chain_db.dispose()
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(tmp_path / "audit.sqlite3", copy)
    connection = sqlite3.connect(copy)
    connection.execute("DROP TRIGGER audit_events_no_update")
    connection.execute("DROP TRIGGER audit_events_no_delete")
    connection.execute("DELETE FROM audit_events WHERE object_id IN ('2', '3')")
    connection.commit()
    connection.close()
    _recompute(copy, attacker_key)
    tampered = Database(_url(copy), audit_key=KEY)
    with tampered.session() as session:
        broken = verify_chain(session)
    assert len(broken) == 4  # every remaining event: the attacker's hashes are not ours
    # The original is intact and verifies.
    with chain_db.session() as session:
        assert verify_chain(session) == []


def test_a_session_without_the_key_cannot_write_or_verify(tmp_path: Path) -> None:
    keyless = Database(_url(tmp_path / "k.sqlite3"))
    keyless.upgrade()
    with pytest.raises(AuditKeyMissing), keyless.session() as session:
        record_event(session, actor="anna", action="login")
    with pytest.raises(AuditKeyMissing), keyless.session() as session:
        verify_chain(session)


def _legacy_database(path: Path, *, tamper: bool) -> None:
    """A database as an older version left it: revision 0006, an unkeyed SHA-256 chain."""
    command.upgrade(alembic_config(_url(path)), "0006")
    connection = sqlite3.connect(path)
    prev = "0" * 64
    for i in range(5):
        at = utcnow()
        digest = row_hash(None, prev, at, "anna", "view_record", "", str(i), {}, "")
        connection.execute(
            "INSERT INTO audit_events (at, actor, action, object_type, object_id, detail, "
            "client, prev_hash, row_hash) VALUES (?, 'anna', 'view_record', '', ?, '{}', '', "
            "?, ?)", (at.replace(tzinfo=None).isoformat(sep=" "), str(i), prev, digest))
        prev = digest
    if tamper:
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute("UPDATE audit_events SET actor = 'bertil' WHERE id = 3")
    connection.commit()
    connection.close()


@pytest.mark.parametrize("tamper", [False, True])
def test_migration_checks_and_rekeys_an_older_chain(tmp_path: Path, tamper: bool) -> None:
    path = tmp_path / "old.sqlite3"
    _legacy_database(path, tamper=tamper)
    database = Database(_url(path), audit_key=KEY)
    database.upgrade()
    with database.session() as session:
        assert verify_chain(session) == []
        marker = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "audit_chain_keyed")).one()
        assert marker.detail["events"] == 5
        assert marker.detail["legacy_broken"] == ([3] if tamper else [])
        # Append-only again after the migration.
        with pytest.raises(Exception, match="append-only"):
            session.execute(text("UPDATE audit_events SET actor = 'x'"))


def test_migration_refuses_an_older_chain_without_a_key(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _legacy_database(path, tamper=False)
    with pytest.raises(RuntimeError, match="kraftsamling db upgrade"):
        Database(_url(path)).upgrade()
