"""An import holds SQLite's one write lock only while its rows are written (issue 19).

Every audited page view needs that lock for its audit event; the million-row import used to
take it before serialising a million rows, and record pages waited over a minute (500s after
the 30 s busy timeout). Rows are now prepared before the first write and written by the
driver; what is stored reads back the same as through the ORM.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kraftsamling.store import Database, ImportedRow, ImportedTable, record_event
from kraftsamling.tabular import PERSONS_SCHEMA, TableSchema, import_table

ROWS = 3000


def _persons(path: Path, rows: int) -> Path:
    lines = ["person_id;fodelsear;kon;stadsdel;inkomst;anteckning"]
    lines += [f"P{i};{1930 + i % 90};{'kvinna' if i % 2 else 'man'};Skäggetorp;{i},50;"
              f"Åsa \"Aino\" mår bättre {i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rows_read_back_as_the_orm_writes_them(tmp_path: Path, database: Database) -> None:
    source = _persons(tmp_path / "p.csv", 50)
    with database.session() as session:
        table = import_table(session, source, PERSONS_SCHEMA, actor="test", transform=None)
    with database.session() as session:
        rows = session.scalars(select(ImportedRow).where(ImportedRow.table_id == table.id)
                               .order_by(ImportedRow.row_number)).all()
        assert [r.row_number for r in rows] == list(range(2, 52))
        assert rows[7].data["anteckning"] == 'Åsa "Aino" mår bättre 7'
        assert rows[7].data["inkomst"] == 7.5
        assert rows[7].data["fodelsear"] == 1937
        # the stored text is what SQLAlchemy's JSON type writes for the same value
        session.add(ImportedRow(table_id=table.id, row_number=999, data=rows[7].data))
        session.flush()
        orm_text, fast_text = session.connection().exec_driver_sql(
            "SELECT data FROM imported_rows WHERE table_id = ? AND row_number IN (9, 999) "
            "ORDER BY row_number", (table.id,)).scalars().all()
        assert orm_text == fast_text


class SlowTransform:
    """Pseudonymisation that takes a while, as a million rows do."""

    def __call__(self, records: list[dict[str, Any]], schema: TableSchema
                 ) -> list[dict[str, Any]]:
        time.sleep(1.5)
        return records

    def after_store(self, session: Session, table: ImportedTable) -> None:
        pass


def test_other_writers_are_not_held_while_rows_are_prepared(tmp_path: Path,
                                                             database: Database) -> None:
    """A guard on the order (the lock is taken only after the rows are ready); the shorter
    write itself is measured in benchmarks/import_latency_bench.py, not here."""
    source = _persons(tmp_path / "p.csv", ROWS)
    waits: list[float] = []
    started = threading.Event()

    def viewer() -> None:  # an audited page view while the import prepares its rows
        started.wait()
        time.sleep(0.3)
        before = time.perf_counter()
        with database.session() as session:
            record_event(session, actor="analytiker", action="view_record", object_id=1)
        waits.append(time.perf_counter() - before)

    thread = threading.Thread(target=viewer)
    thread.start()
    with database.session() as session:
        started.set()
        import_table(session, source, PERSONS_SCHEMA, actor="test",
                     transform=SlowTransform())
    thread.join()
    assert waits and waits[0] < 1.0, waits


def test_a_failed_import_leaves_nothing(tmp_path: Path, database: Database) -> None:
    source = _persons(tmp_path / "p.csv", 20)
    path = Path(database.url.split("///", 1)[1])
    try:
        with database.session() as session:
            import_table(session, source, PERSONS_SCHEMA, actor="test", transform=None)
            raise RuntimeError("crash after the rows were written")
    except RuntimeError:
        pass
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM imported_rows").fetchone() == (0,)
        assert raw.execute("SELECT count(*) FROM imported_tables").fetchone() == (0,)
