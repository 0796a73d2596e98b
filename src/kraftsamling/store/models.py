"""Tables shared by every module: users, web sessions, the audit log and imported tables."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AuditEvent",
    "Base",
    "ImportRecord",
    "ImportedRow",
    "ImportedTable",
    "Keyed",
    "Pseudonym",
    "Role",
    "User",
    "UtcDateTime",
    "WebSession",
    "owned_rows",
    "parent_key",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, always handed back as an aware UTC datetime.

    SQLite returns naive datetimes, PostgreSQL returns them in the server's time zone: both
    are normalised here, once, so comparisons and the audit hash chain never depend on the
    database or its settings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect
                             ) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[dict[str, Any]]: JSON,
        datetime: UtcDateTime(),
    }


class Role(enum.StrEnum):
    """Roles decide what a user may see; person-level data needs analyst or reviewer, chat
    insights and volunteer load need coordinator; the class twin needs reviewer (school
    staff); a caseworker sees and decides on cases, a
    unit manager sees need, capacity, the allocation plan and fairness."""

    admin = "admin"
    analyst = "analyst"
    reviewer = "reviewer"
    coordinator = "coordinator"
    caseworker = "caseworker"
    unit_manager = "unit_manager"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A logged-in browser. Only a hash of the cookie value is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """One line of the append-only audit log; database triggers refuse UPDATE and DELETE.

    ``row_hash`` chains each event to the one before, so a removed or altered row is
    detectable even by someone with file access (``kraftsamling audit verify``).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    object_type: Mapped[str] = mapped_column(String(50), default="")
    object_id: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    client: Mapped[str] = mapped_column(String(100), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class Keyed:
    """A row with an integer primary key ``id`` (a mixin)."""

    id: Mapped[int] = mapped_column(primary_key=True)


class ImportRecord(Keyed):
    """What the row of every import keeps (a mixin): its id, who imported it and when."""

    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


def parent_key(table: str) -> Mapped[int]:
    """A row's key to the import (or batch, or conversation) it belongs to: indexed, and the
    row is deleted with its parent."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


def owned_rows(order_by: str, **options: Any) -> Any:
    """The rows a parent owns, in ``order_by`` order, deleted with it."""
    return relationship(order_by=order_by, cascade="all, delete-orphan", **options)


class ImportedTable(ImportRecord, Base):
    """A tabular file imported through a declared schema."""

    __tablename__ = "imported_tables"

    name: Mapped[str] = mapped_column(String(200))
    schema_name: Mapped[str] = mapped_column(String(100))
    source_filename: Mapped[str] = mapped_column(String(300))
    encoding: Mapped[str] = mapped_column(String(30))
    n_rows: Mapped[int] = mapped_column(Integer)

    rows: Mapped[list[ImportedRow]] = owned_rows("ImportedRow.row_number",
                                                 back_populates="table")


class ImportedRow(Base):
    """One person-level record; viewing it is always audited."""

    __tablename__ = "imported_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = parent_key("imported_tables")
    row_number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column()

    table: Mapped[ImportedTable] = relationship(back_populates="rows")


class Pseudonym(Base):
    """The encrypted original behind one pseudonym of one dataset (``scope``)."""

    __tablename__ = "pseudonyms"
    __table_args__ = (UniqueConstraint("scope", "pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(100), index=True)
    pseudonym: Mapped[str] = mapped_column(String(100))
    encrypted_value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
