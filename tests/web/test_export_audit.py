"""Exports: analysts only, and an export that fails is not logged as one."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from kraftsamling.store import AuditEvent, Database
from kraftsamling.tabular import PERSONS_SCHEMA, import_table
from tests.conftest import login


def _table(database: Database, tmp_path: Path, name: str) -> int:
    source = tmp_path / "personer.csv"
    source.write_text("person_id;fodelsear;kon;stadsdel\nP1;1980;kvinna;Ryd\n", encoding="utf-8")
    with database.session() as session:
        return import_table(session, source, PERSONS_SCHEMA, actor="test", name=name,
                            transform=None).id


def _exports(database: Database) -> list[AuditEvent]:
    with database.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "export")))


def test_reviewers_read_tables_but_cannot_export(client: TestClient, database: Database,
                                                 tmp_path: Path) -> None:
    table_id = _table(database, tmp_path, "Elever")
    login(client, "granskare")
    page = client.get(f"/data/{table_id}")
    assert page.status_code == 200 and "export.csv" not in page.text
    assert client.get(f"/data/{table_id}/export.csv").status_code == 403
    assert _exports(database) == []


def test_any_table_name_exports_and_is_logged_once(client: TestClient, database: Database,
                                                  tmp_path: Path) -> None:
    """A name outside Latin-1 made the response fail after the export had been logged."""
    table_id = _table(database, tmp_path, "Elever – vårterminen \"7A\"")
    login(client, "analytiker")
    assert "export.csv" in client.get(f"/data/{table_id}").text
    response = client.get(f"/data/{table_id}/export.csv")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    # web._app.attachment: the UTF-8 name per RFC 6266, double quotes dropped from it
    assert "filename*=UTF-8''Elever%20%E2%80%93%20v%C3%A5rterminen%207A.csv" in disposition
    assert [e.detail for e in _exports(database)] == [{"rows": 1, "format": "csv"}]
