"""Storage: SQLite by default (WAL), PostgreSQL by URL; Alembic owns the schema."""

from kraftsamling.store._rate_buckets import DatabaseRateLimiter, RateBucket, TokenBuckets
from kraftsamling.store._rekey import KeyRotation, KeyRotationError, rekey_chain, rotate_audit_key
from kraftsamling.store.audit import AuditFilter, audit_csv, query_audit, record_event, verify_chain
from kraftsamling.store.db import Database, SchemaOutOfDateError
from kraftsamling.store.models import (
    AuditEvent,
    Base,
    ImportedRow,
    ImportedTable,
    Pseudonym,
    Role,
    User,
    WebSession,
)
from kraftsamling.store.users import (
    LoginOutcome,
    LoginResult,
    UserError,
    activate_user,
    authenticate,
    change_role,
    create_user,
    deactivate_user,
    find_user,
    revoke_sessions,
    set_password,
    unlock_user,
)

__all__ = [
    "AuditEvent",
    "AuditFilter",
    "Base",
    "Database",
    "DatabaseRateLimiter",
    "ImportedRow",
    "ImportedTable",
    "KeyRotation",
    "KeyRotationError",
    "LoginOutcome",
    "LoginResult",
    "Pseudonym",
    "RateBucket",
    "Role",
    "SchemaOutOfDateError",
    "TokenBuckets",
    "User",
    "UserError",
    "WebSession",
    "activate_user",
    "audit_csv",
    "authenticate",
    "change_role",
    "create_user",
    "deactivate_user",
    "find_user",
    "query_audit",
    "record_event",
    "rekey_chain",
    "revoke_sessions",
    "rotate_audit_key",
    "set_password",
    "unlock_user",
    "verify_chain",
]
