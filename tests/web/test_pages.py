"""Data and admin pages through real HTTP: import, browse, export, users, audit log, language."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from kraftsamling.store import AuditEvent, Database, ImportedTable, Role, User
from kraftsamling.web.framework import catalogue_path, extract_messages, translator
from tests.conftest import csrf_from, finish_job, job_result, login

GOOD = "person_id;fodelsear;kon;stadsdel\nP1;1980;kvinna;Ryd\nP2;1991;man;Berga\n"


def _upload(client: TestClient, content: bytes, filename: str = "personer.csv",
            schema: str = "personer") -> httpx.Response:
    """The upload followed to its job's end: the job page (200 done, 422 refused), or the
    form's own 422 for what is refused before the import starts."""
    token = csrf_from(client.get("/data/import").text)
    return finish_job(client, client.post(
        "/data/import", data={"csrf_token": token, "schema_name": schema},
        files={"file": (filename, content, "text/csv")}, follow_redirects=False))


def _actions(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_import_through_the_web(client: TestClient, database: Database) -> None:
    login(client, "analytiker")
    response = _upload(client, GOOD.encode("cp1252"))
    assert "Klart: 2 rader sparade." in response.text
    table_page = client.get(job_result(response))
    assert "Berga" in table_page.text
    assert _actions(database)[-2:] == ["import", "view_table"]


def test_bad_upload_is_rejected_with_row_and_column(client: TestClient,
                                                     database: Database) -> None:
    login(client, "analytiker")
    response = _upload(client, (GOOD + "P3;nittio;man;Ryd\n").encode("utf-8"))
    assert response.status_code == 422
    assert "Rad 4, kolumn &#39;fodelsear&#39;" in response.text
    with database.session() as session:
        assert session.scalar(select(ImportedTable)) is None


def test_unknown_schema_and_wrong_file_type(client: TestClient) -> None:
    login(client, "analytiker")
    assert "Okänt schema" in _upload(client, GOOD.encode(), schema="nej").text
    assert "Filtypen" in _upload(client, b"%PDF-1.4", filename="x.pdf").text


def test_export_is_audited_and_opens_in_excel(client: TestClient, database: Database) -> None:
    login(client, "analytiker")
    location = job_result(_upload(client, GOOD.encode()))
    response = client.get(f"{location}/export.csv")
    assert response.status_code == 200
    assert response.text.startswith("\ufeffPerson-id;Födelseår;Kön;Stadsdel")
    assert _actions(database)[-1] == "export"
    # Swedish Excel: ';' and decimal commas; the Swedish headers are the schema's columns
    # to the importer (case, accents and separators do not count).
    from kraftsamling.tabular import header_key

    with_income = _upload(client, b"person_id;fodelsear;kon;stadsdel;inkomst\n"
                                  b"P1;1980;kvinna;Ryd;23456.5\n")
    exported = client.get(f"{job_result(with_income)}/export.csv").text
    assert exported.splitlines()[1].endswith(";23456,5"), exported
    header = exported.lstrip("\ufeff").splitlines()[0].split(";")
    assert [header_key(h) for h in header] == ["person_id", "fodelsear", "kon", "stadsdel",
                                               "inkomst"]


def test_missing_table_and_row_are_404(client: TestClient) -> None:
    login(client, "granskare")
    assert client.get("/data/999").status_code == 404
    assert client.get("/data/999/rows/1").status_code == 404
    assert "Sidan finns inte" in client.get("/data/999").text


def test_admin_adds_user_and_changes_role(client: TestClient, database: Database) -> None:
    login(client, "admin")
    token = csrf_from(client.get("/admin/users").text)
    response = client.post("/admin/users", data={"csrf_token": token, "username": "ny",
                                                 "password": "kort", "role": "analyst"})
    assert response.status_code == 422
    assert "minst 10 tecken" in response.text
    response = client.post("/admin/users", data={"csrf_token": token, "username": "ny",
                                                 "password": "långt-lösenord", "role": "analyst"},
                           follow_redirects=False)
    assert response.status_code == 303
    with database.session() as session:
        new_id = session.scalar(select(User.id).where(User.username == "ny"))
    client.post(f"/admin/users/{new_id}/role", data={"csrf_token": token, "role": "reviewer"})
    with database.session() as session:
        assert session.scalar(select(User.role).where(User.id == new_id)) == Role.reviewer
        change = session.scalars(select(AuditEvent).where(AuditEvent.action == "role_changed")
                                 ).one()
    assert (change.actor, change.object_id, change.detail) == (
        "admin", "ny", {"from": "analyst", "to": "reviewer"})


def test_admin_cannot_demote_themself(client: TestClient, database: Database) -> None:
    login(client, "admin")
    with database.session() as session:
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    token = csrf_from(client.get("/admin/users").text)
    response = client.post(f"/admin/users/{admin_id}/role",
                           data={"csrf_token": token, "role": "reviewer"})
    assert response.status_code == 422


def test_audit_log_filter_and_export(client: TestClient, database: Database) -> None:
    login(client, "admin")
    page = client.get("/admin/audit", params={"action": "login"})
    assert page.status_code == 200
    assert "user_created" not in page.text.split("<tbody>")[1]
    partial = client.get("/admin/audit", params={"actor": "admin"}, headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="audit-rows">')
    export = client.get("/admin/audit.csv", params={"action": "login"})
    lines = export.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id;at;actor;action")
    assert all(";login;" in line for line in lines[1:]) and len(lines) == 2
    assert _actions(database)[-1] == "export_audit"


def test_english_switch(client: TestClient) -> None:
    assert "Logga in" in client.get("/login").text
    response = client.get("/lang/en", params={"next": "/login"})
    assert response.url.path == "/login"
    assert '<html lang="en">' in response.text and "Log in" in response.text
    client.get("/lang/sv")
    assert '<html lang="sv">' in client.get("/login").text


def test_swedish_catalogue_is_complete() -> None:
    used = extract_messages()
    assert len(used) > 50
    swedish = translator("sv")
    untranslated = sorted(m for m in used if swedish(m) == m and m not in {"Data", "Schema",
                                                                           "Status", "Start",
                                                                           "Kraftsamling",
                                                                           "Filter", "Risk",
                                                                           "Person %(id)s",
                                                                           "Person (pseudonym)",
                                                                           # the same word
                                                                           "Person", "person",
                                                                           "import", "panel"})
    assert untranslated == [], f"add these to {catalogue_path('sv')}"


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_values_are_written_the_swedish_way() -> None:
    from kraftsamling.web.framework import format_value

    assert format_value(18237.53, "sv") == "18\u00a0237,53"
    assert format_value(18237.53, "en") == "18,237.53"
    assert format_value(1984, "sv") == "1984"
    assert (format_value(None, "sv"), format_value(True, "sv"), format_value(False, "en")) == (
        "–", "ja", "no")
