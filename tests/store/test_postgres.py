"""PostgreSQL by URL: the same migrations, triggers and audit chain as SQLite.

Runs when KRAFTSAMLING_TEST_POSTGRES_URL names an empty database, e.g.
postgresql+psycopg://ks:ks-pass@127.0.0.1/ks (needs `pip install -e ".[postgres]"`).
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from kraftsamling.store import Database, record_event, verify_chain

URL = os.environ.get("KRAFTSAMLING_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="KRAFTSAMLING_TEST_POSTGRES_URL is not set")


@pytest.fixture
def postgres() -> Database:
    database = Database(URL)
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
