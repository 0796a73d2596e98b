"""Rotating the audit key (issue 19): the chain is re-hashed under a new key, verify stays
intact, the old key no longer verifies, an earlier break is recorded, an interrupted rotation
finishes; the real `kraftsamling audit rotate-key` command on a real data folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from kraftsamling.settings import audit_key, load_settings
from kraftsamling.store import (
    AuditEvent,
    Database,
    KeyRotationError,
    record_event,
    rekey_chain,
    rotate_audit_key,
    verify_chain,
)
from tests.test_cli import run

OLD = b"old-audit-key-for-tests-0123456789abcdef"
NEW = b"new-audit-key-for-tests-0123456789abcdef"


def _events(database: Database, count: int) -> None:
    for i in range(count):
        with database.session() as session:
            record_event(session, actor=f"u{i}", action="view_record", object_id=i)


def _verify(url: str, key: bytes) -> list[int]:
    database = Database(url, audit_key=key)
    with database.session() as session:
        broken = verify_chain(session)
    database.dispose()
    return broken


def test_rekey_moves_the_chain_to_the_new_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    database = Database(url, audit_key=OLD)
    database.upgrade()
    _events(database, 25)
    with database.session() as session:
        rotation = rekey_chain(session, NEW)
    assert rotation.events == 25 and rotation.previous_broken == []
    assert _verify(url, NEW) == []
    assert len(_verify(url, OLD)) == 26  # every event, the rotation's own included
    with Database(url, audit_key=NEW).session() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and last.action == "audit_key_rotated"
        assert last.detail["events"] == 25
    # the log is append-only again after the rotation
    with sqlite3.connect(tmp_path / "a.sqlite3") as raw, pytest.raises(sqlite3.DatabaseError):
        raw.execute("DELETE FROM audit_events WHERE id = 3")
    # and new events chain on under the new key
    _events(Database(url, audit_key=NEW), 3)
    assert _verify(url, NEW) == []


def test_a_break_before_the_rotation_is_recorded_not_hidden(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    url = f"sqlite:///{path}"
    database = Database(url, audit_key=OLD)
    database.upgrade()
    _events(database, 10)
    with sqlite3.connect(path) as raw:  # someone deletes event 4 behind the triggers' back
        raw.execute("DROP TRIGGER audit_events_no_delete")
        raw.execute("DELETE FROM audit_events WHERE id = 4")
    with database.session() as session:
        rotation = rekey_chain(session, NEW)
    assert rotation.previous_broken == [5]
    with Database(url, audit_key=NEW).session() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None
        assert last.detail["previous_broken"] == [5]
        assert last.detail["previous_broken_count"] == 1


def test_a_short_new_key_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    database = Database(url, audit_key=OLD)
    database.upgrade()
    _events(database, 3)
    with pytest.raises(KeyRotationError, match="för kort"), database.session() as session:
        rekey_chain(session, b"kort")
    assert _verify(url, OLD) == []


def _installation(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    settings = load_settings(data_dir=data)
    database = Database.for_settings(settings)
    database.upgrade()
    _events(database, 12)
    database.dispose()
    return data


def test_rotate_with_the_key_file_replaces_the_file(tmp_path: Path) -> None:
    data = _installation(tmp_path)
    settings = load_settings(data_dir=data)
    old = audit_key(settings)
    rotation = rotate_audit_key(settings)
    assert rotation.key_file is not None and rotation.events >= 12
    new = audit_key(settings)
    assert new != old and len(new) >= 32
    assert rotation.key_file.stat().st_mode & 0o777 == 0o600
    assert not rotation.key_file.with_name("audit.key.new").exists()
    assert _verify(settings.sqlalchemy_url, new) == []
    assert _verify(settings.sqlalchemy_url, old) != []


def test_an_interrupted_rotation_is_finished_by_the_next_run(tmp_path: Path) -> None:
    """Killed after the database was re-keyed but before the new key file took the old
    one's place: the database verifies only under audit.key.new, and the next run puts it in
    place instead of re-keying under a key nobody has."""
    data = _installation(tmp_path)
    settings = load_settings(data_dir=data)
    pending = settings.resolved_keys_dir() / "audit.key.new"
    pending.write_text(NEW.decode())
    with Database(settings.sqlalchemy_url, audit_key=audit_key(settings)).session() as session:
        rekey_chain(session, NEW)  # the database part of the rotation, then the "crash"
    assert _verify(settings.sqlalchemy_url, audit_key(settings)) != []
    rotate_audit_key(settings)
    assert audit_key(settings) == NEW
    assert not pending.exists()
    assert _verify(settings.sqlalchemy_url, NEW) == []


def test_an_interrupted_rotation_before_the_database_starts_again(tmp_path: Path) -> None:
    data = _installation(tmp_path)
    settings = load_settings(data_dir=data)
    pending = settings.resolved_keys_dir() / "audit.key.new"
    pending.write_text(NEW.decode())  # written, then the "crash" before the database
    rotate_audit_key(settings)
    assert audit_key(settings) == NEW
    assert _verify(settings.sqlalchemy_url, NEW) == []


def test_a_configured_key_needs_the_new_one_given(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    settings = load_settings(data_dir=tmp_path / "data", database_url=url,
                             audit_key=OLD.decode())
    database = Database.for_settings(settings)
    database.upgrade()
    _events(database, 4)
    with pytest.raises(KeyRotationError, match="KRAFTSAMLING_NEW_AUDIT_KEY"):
        rotate_audit_key(settings)
    with pytest.raises(KeyRotationError, match="densamma"):
        rotate_audit_key(settings, new_key=OLD)
    rotation = rotate_audit_key(settings, new_key=NEW)
    assert rotation.key_file is None and rotation.events == 4
    assert _verify(url, NEW) == []


def test_the_cli_rotates_and_verify_stays_intact(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    added = run(tmp_path, "users", "add", "anna", "--role", "admin", "--password-stdin",
                stdin="ett-långt-lösenord\n")
    assert added.returncode == 0, added.stderr
    keys = tmp_path / "data-keys"
    before = (keys / "audit.key").read_text()
    done = run(tmp_path, "audit", "rotate-key")
    assert done.returncode == 0, done.stderr
    assert "Granskningsnyckeln är bytt" in done.stdout
    assert (keys / "audit.key").read_text() != before
    verified = run(tmp_path, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "obruten" in verified.stdout
    # the old key no longer verifies this database
    (keys / "audit.key").write_text(before)
    assert run(tmp_path, "audit", "verify").returncode == 1

