"""PostgreSQL by URL: the same migrations, triggers and audit chain as SQLite.

Runs when KRAFTSAMLING_TEST_POSTGRES_URL names an empty database, e.g.
postgresql+psycopg://ks:ks-pass@127.0.0.1/ks (needs `pip install -e ".[postgres]"`). The
rate limits shared in the database and the audit key's rotation are run here too: their
PostgreSQL paths (an advisory lock, the trigger disabled inside the transaction) are not
SQLite's.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.queues import Queue
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from kraftsamling.store import (
    AuditEvent,
    Database,
    DatabaseRateLimiter,
    KeyRotationError,
    record_event,
    rekey_chain,
    rotate_audit_key,
    verify_chain,
)

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


# -- The rate limits shared in the database (store/_rate_buckets.py, migration 0019) -------

LIMIT_SECRET = b"limit-secret-for-tests-0123456789"


def _take_many(url: str, count: int, results: Queue[int]) -> None:
    database = Database(url)
    limiter = DatabaseRateLimiter(database, name="test", capacity=25, window_seconds=3600,
                                  secret=LIMIT_SECRET)
    results.put(sum(limiter.take("one-key") for _ in range(count)))
    database.dispose()


def test_concurrent_processes_never_overspend_a_shared_budget(postgres: Database) -> None:
    """Four processes, 60 attempts on one key, a budget of 25: the advisory lock grants 25."""
    postgres.dispose()
    context = multiprocessing.get_context("spawn")
    results: Queue[int] = context.Queue()
    workers = [context.Process(target=_take_many, args=(URL, 15, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    taken = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sum(taken) == 25, taken
    with postgres.session() as session:
        keys = session.execute(text("SELECT limit_name, key_hash, tokens FROM "
                                    "rate_limit_buckets")).all()
    assert [(name, len(key)) for name, key, _ in keys] == [("test", 64)]  # an HMAC, not the key
    assert "one-key" not in keys[0][1] and keys[0][2] < 1
    postgres.dispose()


def test_a_bucket_refills_and_is_then_deleted(postgres: Database) -> None:
    from tests.web.test_shared_limits import refills_then_deleted

    refills_then_deleted(postgres, LIMIT_SECRET)
    postgres.dispose()


def test_two_apps_on_postgres_share_the_login_budget(postgres: Database,
                                                     tmp_path: Path) -> None:
    """Two server processes' apps (each its own engine) on one PostgreSQL database spend one
    per-address budget of failed logins, and a restarted one keeps it."""
    from fastapi.testclient import TestClient

    from kraftsamling.settings import load_settings
    from kraftsamling.web import create_app
    from tests.conftest import csrf_from

    postgres.dispose()
    settings = load_settings(data_dir=tmp_path / "data", database_url=URL,
                             secret_key="test-secret-key-0123456789",
                             audit_key="postgres-test-audit-key", login_client_failures=3)

    def fail(client: TestClient) -> int:
        token = csrf_from(client.get("/login").text)
        return client.post("/login", data={"username": "admin", "password": "fel-lösenord-1",
                                           "csrf_token": token},
                           follow_redirects=False).status_code

    address = "203.0.113.78"
    first = create_app(settings, database=Database.for_settings(settings))
    second = create_app(settings, database=Database.for_settings(settings))
    with TestClient(first, base_url="https://testserver", client=(address, 1)) as a, \
            TestClient(second, base_url="https://testserver", client=(address, 2)) as b:
        assert [fail(a), fail(b), fail(a)] == [401] * 3
        assert fail(b) == 429 and fail(a) == 429
    restarted = create_app(settings, database=Database.for_settings(settings))
    with TestClient(restarted, base_url="https://testserver", client=(address, 3)) as c:
        assert fail(c) == 429
    with postgres.session() as session:
        stored = session.execute(text("SELECT key_hash FROM rate_limit_buckets")).scalars().all()
        assert stored and all(address not in key for key in stored)
        assert verify_chain(session) == []  # the failed logins' events chain on
    postgres.dispose()


# -- Rotating the audit key (store/_rekey.py, `kraftsamling audit rotate-key`) ------------

OLD_KEY = b"postgres-test-audit-key"  # the fixture's
NEW_KEY = b"new-audit-key-for-postgres-0123456789abcdef"


def _verify(key: bytes) -> list[int]:
    database = Database(URL, audit_key=key)
    try:
        with database.session() as session:
            return verify_chain(session)
    finally:
        database.dispose()


def test_rekey_moves_the_chain_to_the_new_key_on_postgres(postgres: Database) -> None:
    from sqlalchemy import select

    with postgres.session() as session:
        for i in range(20):
            record_event(session, actor=f"u{i}", action="view_record", object_id=i)
    with postgres.session() as session:
        rotation = rekey_chain(session, NEW_KEY)
    assert rotation.events == 20 and rotation.previous_broken == []
    assert _verify(NEW_KEY) == []
    assert len(_verify(OLD_KEY)) == 21  # every event, the rotation's own included
    # the trigger is back: the log is append-only again
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), postgres.session() as session:
            session.execute(text(statement))
    rekeyed = Database(URL, audit_key=NEW_KEY)
    with rekeyed.session() as session:
        record_event(session, actor="anna", action="login")  # new events chain on
    with rekeyed.session() as session:
        assert verify_chain(session) == []
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["audit_key_rotated", "login"]
    rekeyed.dispose()
    postgres.dispose()


def test_a_failed_rekey_changes_nothing_on_postgres(postgres: Database) -> None:
    """A short key is refused before anything is touched; a rotation that fails half-way
    is rolled back whole (the trigger's ALTER TABLE included: PostgreSQL DDL is
    transactional)."""
    with postgres.session() as session:
        for i in range(5):
            record_event(session, actor="anna", action="view_record", object_id=i)
    with pytest.raises(KeyRotationError), postgres.session() as session:
        rekey_chain(session, b"short")

    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), postgres.session() as session:
        rekey_chain(session, NEW_KEY)
        raise Interrupted  # after the re-hash, before the commit
    assert _verify(OLD_KEY) == []
    assert len(_verify(NEW_KEY)) == 5
    with pytest.raises(DatabaseError, match="append-only"), postgres.session() as session:
        session.execute(text("DELETE FROM audit_events"))
    postgres.dispose()


def test_a_break_before_the_rotation_is_recorded_on_postgres(postgres: Database) -> None:
    from sqlalchemy import select

    with postgres.session() as session:
        for i in range(6):
            record_event(session, actor="anna", action="view_record", object_id=i)
    with postgres.engine.begin() as connection:  # someone with the database's owner rights
        connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER "
                                "audit_events_no_change"))
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = "
                                "(SELECT min(id) + 2 FROM audit_events)"))
        connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER "
                                "audit_events_no_change"))
    broken = _verify(OLD_KEY)
    assert len(broken) == 1
    with postgres.session() as session:
        rotation = rekey_chain(session, NEW_KEY)
    assert rotation.previous_broken == broken
    assert _verify(NEW_KEY) == []  # the chain holds under the new key, and says what it was
    rekeyed = Database(URL, audit_key=NEW_KEY)
    with rekeyed.session() as session:
        marker = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "audit_key_rotated")).one()
        assert marker.detail["previous_broken"] == broken
        assert marker.detail["previous_broken_count"] == 1
    rekeyed.dispose()
    postgres.dispose()


def test_rotate_audit_key_with_a_configured_key_on_postgres(postgres: Database,
                                                            tmp_path: Path) -> None:
    from kraftsamling.settings import load_settings

    with postgres.session() as session:
        for i in range(4):
            record_event(session, actor="anna", action="view_record", object_id=i)
    postgres.dispose()
    settings = load_settings(data_dir=tmp_path / "data", database_url=URL,
                             audit_key=OLD_KEY.decode())
    with pytest.raises(KeyRotationError, match="KRAFTSAMLING_NEW_AUDIT_KEY"):
        rotate_audit_key(settings)
    rotation = rotate_audit_key(settings, new_key=NEW_KEY)
    assert rotation.key_file is None and rotation.events == 4
    assert _verify(NEW_KEY) == [] and len(_verify(OLD_KEY)) == 5


def test_the_cli_rotates_the_key_file_on_postgres(postgres: Database, tmp_path: Path) -> None:
    """`kraftsamling audit rotate-key` with the key in its file, the database on PostgreSQL;
    `audit verify` says intact with the new key and broken with the old one."""
    from kraftsamling.settings import audit_key, load_settings
    from kraftsamling.store import Role, create_user
    from tests.test_cli import run

    settings = load_settings(data_dir=tmp_path / "data", database_url=URL)
    on_file = Database(URL, audit_key=audit_key(settings))  # the key file the CLI reads
    with on_file.engine.begin() as connection:  # the chain starts under that key
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    on_file.upgrade()
    with on_file.session() as session:
        create_user(session, username="anna", password="ett-långt-lösenord", role=Role.admin)
    on_file.dispose()
    postgres.dispose()
    env = {"KRAFTSAMLING_DATABASE_URL": URL}
    keys = tmp_path / "data-keys"
    before = (keys / "audit.key").read_text()
    done = run(tmp_path, "audit", "rotate-key", env=env)
    assert done.returncode == 0, done.stderr
    assert "Granskningsnyckeln är bytt" in done.stdout
    assert (keys / "audit.key").read_text() != before
    assert not (keys / "audit.key.new").exists()
    verified = run(tmp_path, "audit", "verify", env=env)
    assert verified.returncode == 0 and "obruten" in verified.stdout, verified.stdout
    (keys / "audit.key").write_text(before)  # the old key no longer verifies it
    assert run(tmp_path, "audit", "verify", env=env).returncode == 1
