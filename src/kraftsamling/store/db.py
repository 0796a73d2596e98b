"""Engine, sessions and schema migrations.

SQLite is the embedded default (WAL mode, foreign keys on); PostgreSQL works by URL.
The schema is owned by Alembic: the app refuses to run on an out-of-date database
rather than guess, and names the command that fixes it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from kraftsamling.settings import private_folder
from kraftsamling.store.audit import AUDIT_KEY_INFO

if TYPE_CHECKING:
    from kraftsamling.settings import Settings

__all__ = [
    "Database",
    "SchemaOutOfDateError",
    "alembic_config",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# Every request thread of the server may hold a session at once (the web app runs sync work
# in AnyIO's pool of 40 threads; a login holds its session through argon2): SQLAlchemy's
# default of 5 + 10 connections made the 16th concurrent login wait 30 s and answer 500
# (issue 19, 100 logins at once). 10 kept, up to 45 in all.
POOL: dict[str, int] = {"pool_size": 10, "max_overflow": 35}


class SchemaOutOfDateError(RuntimeError):
    """The database is older (or newer) than this version of Kraftsamling expects."""


_BUSY_SECONDS = 30.0


def _wal_mode(cursor: Any) -> None:
    """WAL mode, set once per file and only read after that.

    Switching the journal mode can answer "database is locked" at once, without the busy
    handler, while another process opens or recovers the same file (CI, four processes at
    once: stop 32). The mode is only switched when it is not WAL yet, and a busy answer is
    retried until ``_BUSY_SECONDS`` have passed.
    """
    deadline = time.monotonic() + _BUSY_SECONDS
    pause = 0.01
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            text = str(error).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Writers queue for the one write lock (the audit chain takes it): wait, do not fail.
    cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_SECONDS * 1000)}")
    _wal_mode(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(url: str, *, audit_key: bytes | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes[AUDIT_KEY_INFO] = audit_key
    return config


def _private_file(path: Path) -> None:
    """The SQLite file owner-only (0600); SQLite gives its -wal and -shm files the same mode.

    A missing folder is created 0700; an existing one is left as it is (the data folder is
    narrowed by ``Settings.ensure_data_dir``, never an arbitrary folder a URL points into).
    """
    private_folder(path.parent, narrow=False)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for suffix in ("", "-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        try:
            if companion.stat().st_mode & 0o077:
                companion.chmod(0o600)
        except OSError:
            pass


class Database:
    """One database: an engine, a session factory and its migration state.

    ``audit_key`` keys the audit log's hash chain; sessions without it cannot write
    audit events (``for_settings`` reads it from the settings).
    """

    def __init__(self, url: str, *, audit_key: bytes | None = None) -> None:
        self.url = url
        self.audit_key = audit_key
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:" and not path.startswith("file:"):
                _private_file(Path(path))
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}, **POOL
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, **POOL)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def for_settings(cls, settings: Settings) -> Database:
        """The configured database, with the audit key from the settings."""
        from kraftsamling.settings import audit_key

        return cls(settings.sqlalchemy_url, audit_key=audit_key(settings))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back whole on any error."""
        session = self._sessions()
        session.info[AUDIT_KEY_INFO] = self.audit_key
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self) -> None:
        command.upgrade(alembic_config(self.url, audit_key=self.audit_key), "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()

    def check_schema(self) -> None:
        current, head = self.current_revision(), self.head_revision()
        if current != head:
            state = "tom" if current is None else f"version {current}"
            raise SchemaOutOfDateError(
                f"Databasens schema är inte aktuellt ({state}, behöver {head}). "
                "Kör: kraftsamling db upgrade"
            )

    def dispose(self) -> None:
        self.engine.dispose()
