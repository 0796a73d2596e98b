"""Rotating the audit key: every event re-hashed under a new key, in one transaction.

Whoever learnt the audit key could rewrite the log and recompute the chain; a new key ends
that. ``rekey_chain`` checks the chain under the current key, re-hashes every event under the
new one and appends an ``audit_key_rotated`` event (keyed with the new key) that records how
many events were re-keyed, the last hash under the old key and the ids where the chain was
already broken, so a rotation never hides an earlier break (as migration 0007 does for the
unkeyed chain). The chain's lock is held throughout; the append-only triggers are lifted for
the re-hash only, inside the same transaction.

``rotate_audit_key`` does the same for an installation: with the key in ``keys_dir/audit.key``
a new key is first written beside it as ``audit.key.new`` (0600), the database is re-keyed,
then the new file replaces the old one. Interrupted between the two, the next run finds
``audit.key.new`` and finishes (if the database was re-keyed) or starts again with it. With
the key configured (``KRAFTSAMLING_AUDIT_KEY``), the new key is given by the caller and the
setting must be changed before the server starts again. The server must be stopped while the
key rotates: a running one still holds the old key and would break the chain.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from kraftsamling.settings import Settings, private_folder
from kraftsamling.settings import audit_key as configured_audit_key
from kraftsamling.store.audit import lock_chain, row_hash, verify_chain
from kraftsamling.store.db import Database
from kraftsamling.store.models import AuditEvent, utcnow

__all__ = ["KeyRotation", "KeyRotationError", "rekey_chain", "rotate_audit_key"]

_SQLITE_TRIGGERS = ("audit_events_no_update", "audit_events_no_delete")
_APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
]  # as migration 0001 creates them
MIN_KEY_BYTES = 32


class KeyRotationError(RuntimeError):
    """The key cannot be rotated as asked (the message says why, in Swedish)."""


@dataclass(frozen=True)
class KeyRotation:
    events: int  # events re-hashed (the rotation's own event not counted)
    previous_broken: list[int]  # ids where the chain was broken under the old key
    previous_last_hash: str
    key_file: Path | None  # where the new key is, None when it is configured


def rekey_chain(session: Session, new_key: bytes) -> KeyRotation:
    """Re-hash the whole chain under ``new_key`` in the session's transaction (which must
    carry the current key); the caller commits."""
    if len(new_key) < MIN_KEY_BYTES:
        raise KeyRotationError(f"Den nya nyckeln är för kort (minst {MIN_KEY_BYTES} tecken).")
    lock_chain(session)  # before anything is read: no event slips in between
    broken = verify_chain(session)
    rows = session.execute(select(AuditEvent.id, AuditEvent.at, AuditEvent.actor,
                                  AuditEvent.action, AuditEvent.object_type,
                                  AuditEvent.object_id, AuditEvent.detail, AuditEvent.client,
                                  AuditEvent.row_hash).order_by(AuditEvent.id)).all()
    previous_last = rows[-1].row_hash if rows else ""
    dialect = session.connection().dialect.name
    if dialect == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            session.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    elif dialect == "postgresql":
        session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
    prev = "0" * 64
    for row in rows:
        new = row_hash(new_key, prev, row.at, row.actor, row.action, row.object_type,
                        row.object_id, row.detail, row.client)
        session.execute(update(AuditEvent).where(AuditEvent.id == row.id)
                        .values(prev_hash=prev, row_hash=new))
        prev = new
    if dialect == "sqlite":
        for statement in _APPEND_ONLY_SQLITE:
            session.execute(text(statement))
    elif dialect == "postgresql":
        session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change"))
    at = utcnow()
    detail = {"events": len(rows), "previous_last_hash": previous_last,
              "previous_broken": broken[:100], "previous_broken_count": len(broken)}
    session.add(AuditEvent(
        at=at, actor="system", action="audit_key_rotated", object_type="audit", object_id="",
        detail=detail, client="", prev_hash=prev,
        row_hash=row_hash(new_key, prev, at, "system", "audit_key_rotated", "audit", "",
                           detail, "")))
    session.flush()
    return KeyRotation(len(rows), broken, previous_last, None)


def _write_private(path: Path, value: str) -> None:
    private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _fsync_folder(folder: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _chain_holds(settings: Settings, key: bytes) -> bool:
    database = Database(settings.sqlalchemy_url, audit_key=key)
    try:
        with database.session() as session:
            return not verify_chain(session)
    finally:
        database.dispose()


def _rekey(settings: Settings, old_key: bytes, new_key: bytes) -> KeyRotation:
    database = Database(settings.sqlalchemy_url, audit_key=old_key)
    try:
        database.check_schema()
        with database.session() as session:
            return rekey_chain(session, new_key)
    finally:
        database.dispose()


def rotate_audit_key(settings: Settings, *, new_key: bytes | None = None) -> KeyRotation:
    """Re-key the installation's audit chain and keep the new key where the old one was.

    With the key configured in the settings, ``new_key`` is required (the caller then
    changes the setting); with the key in its file, a new one is generated.
    """
    if settings.audit_key is not None:
        if new_key is None:
            raise KeyRotationError(
                "Granskningsnyckeln är satt i inställningarna (KRAFTSAMLING_AUDIT_KEY): ange "
                "den nya nyckeln i KRAFTSAMLING_NEW_AUDIT_KEY och byt sedan inställningen.")
        if new_key == configured_audit_key(settings):
            raise KeyRotationError("Den nya nyckeln är densamma som den gamla.")
        return _rekey(settings, configured_audit_key(settings), new_key)
    if new_key is not None:
        raise KeyRotationError(
            "Granskningsnyckeln ligger i nyckelmappen: en ny nyckel skapas där, ange ingen.")
    path = settings.resolved_keys_dir() / "audit.key"
    pending = path.with_name("audit.key.new")
    old_key = configured_audit_key(settings)
    if pending.exists():  # a rotation was interrupted: finish it, or start it again
        key = pending.read_text().strip().encode()
        if _chain_holds(settings, key) and not _chain_holds(settings, old_key):
            os.replace(pending, path)
            _fsync_folder(path.parent)
            return KeyRotation(0, [], "", path)
    else:
        _write_private(pending, secrets.token_urlsafe(48))
        _fsync_folder(path.parent)
        key = pending.read_text().strip().encode()
    rotation = _rekey(settings, old_key, key)
    os.replace(pending, path)
    _fsync_folder(path.parent)
    return KeyRotation(rotation.events, rotation.previous_broken, rotation.previous_last_hash,
                       path)
