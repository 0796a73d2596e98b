"""Engine, sessions and schema migrations.

SQLite is the embedded default (WAL mode, foreign keys on); PostgreSQL works by URL.
The schema is owned by Alembic: the app refuses to run on an out-of-date database
rather than guess, and names the command that fixes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "Database",
    "SchemaOutOfDateError",
    "alembic_config",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SchemaOutOfDateError(RuntimeError):
    """The database is older (or newer) than this version of Kraftsamling expects."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Database:
    """One database: an engine, a session factory and its migration state."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back whole on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self) -> None:
        command.upgrade(alembic_config(self.url), "head")

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
