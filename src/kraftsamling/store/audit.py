"""The audit log: who did what to which record, when — append-only and hash-chained.

Rättssäkerhet needs a record a person can ask for: every login, failed login, role
change and every view or export of person-level data. Never put raw case text here;
``detail`` holds identifiers and counts only.

Each event's ``row_hash`` is an HMAC-SHA256, under the audit key, of the event and the hash
before it. The key is not in the database (``settings.audit_key`` or ``audit.key`` in the
keys folder), so whoever holds only a copy of the database cannot delete or edit events and
recompute the chain. Appends are serialised: ``BEGIN IMMEDIATE`` on SQLite (the write lock
is taken before the last hash is read), ``pg_advisory_xact_lock`` on PostgreSQL, so two
writers never chain to the same predecessor.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kraftsamling._cells import formula_safe
from kraftsamling.store.models import AuditEvent, utcnow

__all__ = [
    "AUDIT_KEY_INFO",
    "AuditFilter",
    "AuditKeyMissing",
    "audit_csv",
    "lock_chain",
    "query_audit",
    "record_event",
    "row_hash",
    "verify_chain",
]

GENESIS = "0" * 64
CSV_COLUMNS = ["id", "at", "actor", "action", "object_type", "object_id", "detail", "client"]


AUDIT_KEY_INFO = "audit_key"
_ADVISORY_LOCK = 770077


class AuditKeyMissing(RuntimeError):
    """A session without the audit key cannot write or check the chain."""


def row_hash(key: bytes | None, prev_hash: str, at: datetime, actor: str, action: str,
              object_type: str, object_id: str, detail: dict[str, Any], client: str) -> str:
    """HMAC-SHA256 of the event under ``key``; ``key=None`` is the older, unkeyed SHA-256
    (used only to check a chain written before the key existed, see migration 0007)."""
    payload = json.dumps(
        [prev_hash, at.isoformat(), actor, action, object_type, object_id, detail, client],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    ).encode()
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _session_key(session: Session) -> bytes:
    key = session.info.get(AUDIT_KEY_INFO)
    if not isinstance(key, bytes) or not key:
        raise AuditKeyMissing(
            "Granskningsloggens nyckel saknas för den här databasanslutningen "
            "(Database(..., audit_key=...) eller Database.for_settings).")
    return key


def lock_chain(session: Session) -> None:
    """Take the one-writer lock before the last hash is read, held until commit."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})"))
    elif dialect == "sqlite":
        raw = connection.connection.dbapi_connection
        # The sqlite3 module opens a (deferred) transaction only before the first write:
        # not in one yet means no lock is held, so take the write lock now. Already in one
        # means this transaction has written and holds the write lock since.
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    client: str = "",
) -> AuditEvent:
    """Append one event in the caller's transaction, so it lands only if the work does.

    The caller's transaction holds the chain's lock from here until it commits, so keep
    work after the first event short.
    """
    key = _session_key(session)
    lock_chain(session)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev_hash = last.row_hash if last is not None else GENESIS
    at = utcnow()
    detail = dict(detail or {})
    object_id = str(object_id)
    event = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        client=client,
        prev_hash=prev_hash,
        row_hash=row_hash(key, prev_hash, at, actor, action, object_type, object_id, detail,
                           client),
    )
    session.add(event)
    session.flush()
    return event


def verify_chain(session: Session) -> list[int]:
    """Ids of events whose hash does not follow from the event before; empty when intact.

    An event removed from the middle breaks the link of the one after it; a chain recomputed
    without the audit key breaks at every event. (Events cut off the end leave no trace in
    the chain itself: compare with a count or last hash noted earlier, ``audit verify``
    prints both.)
    """
    key = _session_key(session)
    broken: list[int] = []
    prev_hash = GENESIS
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        expected = row_hash(
            key,
            prev_hash,
            event.at,
            event.actor,
            event.action,
            event.object_type,
            event.object_id,
            event.detail,
            event.client,
        )
        if event.prev_hash != prev_hash or event.row_hash != expected:
            broken.append(event.id)
        prev_hash = event.row_hash
    return broken


@dataclass(frozen=True, kw_only=True)
class AuditFilter:
    """What an admin narrows the log to; empty fields mean no restriction."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = 500


def query_audit(session: Session, where: AuditFilter) -> Sequence[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id.desc())
    if where.actor:
        statement = statement.where(AuditEvent.actor == where.actor)
    if where.action:
        statement = statement.where(AuditEvent.action == where.action)
    if where.object_type:
        statement = statement.where(AuditEvent.object_type == where.object_type)
    if where.since is not None:
        statement = statement.where(AuditEvent.at >= where.since)
    if where.until is not None:
        statement = statement.where(AuditEvent.at < where.until)
    if where.limit is not None:
        statement = statement.limit(where.limit)
    return session.scalars(statement).all()


def audit_csv(events: Iterable[AuditEvent]) -> str:
    """CSV that Swedish Excel opens correctly: semicolon-separated, UTF-8 with BOM."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = formula_safe(csv.writer(buffer, delimiter=";"))  # OWASP: no formulas
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow(
            [
                event.id,
                event.at.isoformat(),
                event.actor,
                event.action,
                event.object_type,
                event.object_id,
                json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
                event.client,
            ]
        )
    return buffer.getvalue()
