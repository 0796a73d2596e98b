"""Retention: delete what has passed its configured period, table by table, and audit it.

The periods are ``Settings.retention_days`` (table -> days). A row is dated by the column in
``RETENTION_TABLES``; deleting it deletes what belongs to it (foreign keys cascade). The audit
log is never deleted here: it is append-only, hash-chained and kept whole (docs/compliance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from kraftsamling.settings import RETENTION_TABLES, Settings
from kraftsamling.store import Database, record_event

__all__ = ["RetentionResult", "apply_retention"]


@dataclass(frozen=True)
class RetentionResult:
    table: str
    days: int
    cutoff: datetime
    rows: int  # deleted, or that would be deleted in a dry run


def _tables() -> dict[str, object]:
    from kraftsamling.plugins import plugin_tables

    return {str(table.__tablename__): table.__table__ for table in plugin_tables()}


def apply_retention(settings: Settings, db: Database, *, actor: str,
                    now: datetime | None = None, dry_run: bool = False
                    ) -> list[RetentionResult]:
    """Delete rows older than each table's period (one transaction and audit event per
    table). Tables without a period are left alone."""
    tables = _tables()
    moment = now or datetime.now(UTC)
    results = []
    for name, days in sorted(settings.retention_days.items()):
        table = tables[name]
        column = table.c[RETENTION_TABLES[name]]  # type: ignore[attr-defined]
        cutoff = moment - timedelta(days=days)
        with db.session() as session:
            count = int(session.scalar(
                select(func.count()).select_from(table).where(column < cutoff)) or 0)  # type: ignore[arg-type]
            if not dry_run and count:
                session.execute(delete(table).where(column < cutoff))  # type: ignore[arg-type]
                record_event(session, actor=actor, action="retention_delete",
                             object_type="table", object_id=name,
                             detail={"rows": count, "days": days,
                                     "before": cutoff.isoformat(timespec="seconds")})
        results.append(RetentionResult(name, days, cutoff, count))
    return results
