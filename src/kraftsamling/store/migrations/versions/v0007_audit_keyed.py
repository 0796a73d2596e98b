"""Audit log: the hash chain is keyed (HMAC-SHA256 under the audit key, not in the database).

An existing chain was plain SHA-256, which anyone holding a copy of the database can
recompute after deleting events. This migration first checks that older chain as it was,
then re-hashes every event under the audit key and appends one ``audit_chain_keyed``
event that records how many events were re-keyed, the older chain's last hash and the ids
where it was already broken (so re-keying never hides an earlier break). On an empty log
it does nothing. ``kraftsamling db upgrade`` passes the key; without one, a non-empty log
is refused.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from kraftsamling.store.audit import AUDIT_KEY_INFO, GENESIS, row_hash
from kraftsamling.store.migrations.versions.v0001_platform import APPEND_ONLY_SQLITE
from kraftsamling.store.models import UtcDateTime, utcnow

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", UtcDateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("client", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("row_hash", sa.String()),
)


def _fields(row: sa.Row[tuple[object, ...]]) -> tuple[object, ...]:
    return (row.at, row.actor, row.action, row.object_type, row.object_id, row.detail,
            row.client)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_events).order_by(_events.c.id)).all()
    if not rows:
        return
    key = context.config.attributes.get(AUDIT_KEY_INFO)
    if not isinstance(key, bytes) or not key:
        raise RuntimeError("Granskningsloggen ska få en nyckel men ingen nyckel angavs. "
                           "Kör: kraftsamling db upgrade")
    broken: list[int] = []
    prev = GENESIS
    for row in rows:
        expected = row_hash(None, prev, *_fields(row))  # type: ignore[arg-type]
        if row.prev_hash != prev or row.row_hash != expected:
            broken.append(row.id)
        prev = row.row_hash
    legacy_last = prev
    dialect = bind.dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    prev = GENESIS
    for row in rows:
        new = row_hash(key, prev, *_fields(row))  # type: ignore[arg-type]
        bind.execute(sa.update(_events).where(_events.c.id == row.id)
                     .values(prev_hash=prev, row_hash=new))
        prev = new
    if dialect == "sqlite":
        for statement in APPEND_ONLY_SQLITE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
    at = utcnow()
    detail = {"events": len(rows), "legacy_last_hash": legacy_last,
              "legacy_broken": broken[:100], "legacy_broken_count": len(broken)}
    bind.execute(sa.insert(_events).values(
        at=at, actor="system", action="audit_chain_keyed", object_type="audit", object_id="",
        detail=detail, client="", prev_hash=prev,
        row_hash=row_hash(key, prev, at, "system", "audit_chain_keyed", "audit", "", detail, "")))


def downgrade() -> None:
    raise NotImplementedError("Granskningsloggens nyckel kan inte tas bort (det vore att "
                              "försvaga den); återställ en säkerhetskopia i stället.")
