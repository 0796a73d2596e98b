"""Login, lock-out, roles, CSRF and sessions, through real HTTP to the ASGI app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from kraftsamling.store import AuditEvent, Database, ImportedTable, User, WebSession
from kraftsamling.store.models import utcnow
from kraftsamling.tabular import PERSONS_SCHEMA, import_table
from tests.conftest import PASSWORDS, csrf_from, login, page_token


def _events(database: Database, action: str) -> list[AuditEvent]:
    with database.session() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        session.expunge_all()
    return events


def _post_login(client: TestClient, username: str, password: str) -> int:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token}, follow_redirects=False)
    return response.status_code


def test_pages_need_login(client: TestClient) -> None:
    response = client.get("/data", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/data"


def test_wrong_password_is_refused_and_audited(client: TestClient, database: Database) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "admin", "password": "fel-lösenord-1",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord" in response.text
    assert "ks_session" not in client.cookies
    failed = _events(database, "login_failed")
    assert [(e.actor, e.detail["reason"]) for e in failed] == [("admin", "wrong_password")]
    assert "fel-lösenord-1" not in str(failed[0].detail)


def test_unknown_user_gets_the_same_answer(client: TestClient) -> None:
    assert _post_login(client, "finns-inte", "vad-som-helst-1") == 401


def test_lockout_after_repeated_failures(client: TestClient, database: Database) -> None:
    # The fixture sets lockout_threshold=3.
    assert [_post_login(client, "granskare", "fel-fel-fel-1") for _ in range(3)] == [401] * 3
    # Locked now: even the right password is refused until the lock expires.
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "granskare",
                                           "password": PASSWORDS["granskare"],
                                           "csrf_token": token})
    assert response.status_code == 401
    assert "låst en stund" in response.text
    assert len(_events(database, "user_locked")) == 1
    with database.session() as session:
        session.execute(update(User).where(User.username == "granskare")
                        .values(locked_until=utcnow() - timedelta(seconds=1)))
    assert _post_login(client, "granskare", PASSWORDS["granskare"]) == 303


def test_admin_unlocks_a_locked_account(client: TestClient, database: Database) -> None:
    for _ in range(3):
        _post_login(client, "granskare", "fel-fel-fel-1")
    login(client, "admin")
    with database.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == "granskare"))
    page = client.get("/admin/users")
    assert "Låst" in page.text
    response = client.post(f"/admin/users/{user_id}/unlock",
                           data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert len(_events(database, "user_unlocked")) == 1


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("granskare", "/admin/audit"),
        ("analytiker", "/admin/users"),
        ("admin", "/data"),
        ("granskare", "/data/import"),
    ],
)
def test_role_denial_is_403(client: TestClient, username: str, path: str) -> None:
    login(client, username)
    response = client.get(path)
    assert response.status_code == 403
    assert "Åtkomst nekad" in response.text


def test_every_form_route_refuses_a_missing_csrf_token(app: FastAPI, client: TestClient) -> None:
    login(client, "admin")
    paths = app.openapi()["paths"]
    posts = [path for path, operations in paths.items()
             if "post" in operations and not path.startswith("/api")]
    assert {"/login", "/logout", "/admin/users", "/data/import"} <= set(posts)
    for path in posts:
        concrete = path.replace("{user_id}", "1")
        response = client.post(concrete, data={"username": "x", "role": "admin"})
        assert response.status_code == 403, path
        wrong = client.post(concrete, data={"csrf_token": "forged"})
        assert wrong.status_code == 403, path


def test_csrf_token_in_header_is_accepted(client: TestClient) -> None:
    login(client, "admin")
    token = page_token(client)
    response = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_cookies_are_httponly_secure_samesite(client: TestClient) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"],
                                           "csrf_token": token}, follow_redirects=False)
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("ks_session="))
    for flag in ("HttpOnly", "Secure", "SameSite=strict"):
        assert flag in session_cookie
    assert any(c.startswith("ks_csrf=") for c in cookies), "CSRF secret rotates at login"


def test_idle_session_times_out(client: TestClient, database: Database) -> None:
    login(client, "admin")
    assert client.get("/", follow_redirects=False).status_code == 200
    with database.session() as session:
        session.execute(update(WebSession).values(last_seen=utcnow() - timedelta(minutes=31)))
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert "expired=1" in response.headers["location"]
    with database.session() as session:
        assert session.scalar(select(WebSession)) is None


def test_logout_ends_the_session_server_side(client: TestClient, database: Database) -> None:
    login(client, "admin")
    stolen = client.cookies.get("ks_session")
    client.post("/logout", data={"csrf_token": page_token(client)})
    client.cookies.set("ks_session", stolen or "", domain="testserver")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_record_view_writes_an_audit_row(client: TestClient, database: Database,
                                         tmp_path: object) -> None:
    from pathlib import Path

    source = Path(str(tmp_path)) / "personer.csv"
    source.write_text("person_id;fodelsear;kon;stadsdel\nP1;1980;kvinna;Ryd\n", encoding="utf-8")
    with database.session() as session:
        table = import_table(session, source, PERSONS_SCHEMA, actor="test", transform=None)
        table_id = table.id
        row_id = session.scalars(select(ImportedTable).where(ImportedTable.id == table_id)
                                 ).one().rows[0].id
    login(client, "granskare")
    assert _events(database, "view_record") == []
    response = client.get(f"/data/{table_id}/rows/{row_id}")
    assert response.status_code == 200
    assert "P1" in response.text
    views = _events(database, "view_record")
    assert len(views) == 1
    assert (views[0].actor, views[0].object_id, views[0].detail) == (
        "granskare", str(row_id), {"table": table_id})
    assert views[0].client == "testclient"


def test_next_parameter_cannot_leave_the_site(client: TestClient) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"],
                                           "csrf_token": token, "next": "//evil.example/x"},
                           follow_redirects=False)
    assert response.headers["location"] == "/"


def test_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
