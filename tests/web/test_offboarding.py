"""Off-boarding: deactivate a user, set a new password, end every session — web and CLI."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from kraftsamling.store import AuditEvent, Database, User
from tests.conftest import EXECUTABLE, PASSWORDS, csrf_from, login, run_cli


@pytest.fixture
def analyst(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", client=("192.0.2.5", 4000)) as client:
        login(client, "analytiker")
        assert client.get("/data", follow_redirects=False).status_code == 200
        yield client


def _user_id(database: Database, username: str) -> int:
    with database.session() as session:
        found = session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def _admin_post(client: TestClient, path: str, **data: str) -> int:
    page = client.get("/admin/users")
    return client.post(path, data={"csrf_token": csrf_from(page.text), **data},
                       follow_redirects=False).status_code


def _actions(database: Database) -> list[str]:
    with database.session() as session:
        return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _can_log_in(app: FastAPI, username: str, password: str) -> bool:
    with TestClient(app, base_url="https://testserver", client=("192.0.2.9", 4000)) as client:
        page = client.get("/login")
        return client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_from(page.text)},
                           follow_redirects=False).status_code == 303


def test_deactivate_ends_sessions_and_logins(app: FastAPI, client: TestClient,
                                             analyst: TestClient, database: Database) -> None:
    login(client, "admin")
    user_id = _user_id(database, "analytiker")
    assert "Inaktivera" in client.get("/admin/users").text
    assert _admin_post(client, f"/admin/users/{user_id}/deactivate") == 303
    assert analyst.get("/data", follow_redirects=False).status_code == 303  # logged out now
    assert not _can_log_in(app, "analytiker", PASSWORDS["analytiker"])
    assert "Inaktiverad" in client.get("/admin/users").text
    assert _admin_post(client, f"/admin/users/{user_id}/activate") == 303
    assert _can_log_in(app, "analytiker", PASSWORDS["analytiker"])
    actions = _actions(database)
    assert {"user_deactivated", "sessions_revoked", "user_activated"} <= set(actions)


def test_an_admin_cannot_deactivate_themself(client: TestClient, database: Database) -> None:
    login(client, "admin")
    assert _admin_post(client, f"/admin/users/{_user_id(database, 'admin')}/deactivate") == 422


def test_new_password_and_revoke_sessions(app: FastAPI, client: TestClient,
                                          analyst: TestClient, database: Database) -> None:
    login(client, "admin")
    user_id = _user_id(database, "analytiker")
    assert _admin_post(client, f"/admin/users/{user_id}/password", password="kort") == 422
    assert _admin_post(client, f"/admin/users/{user_id}/password",
                       password="ett-nytt-lösen-456") == 303
    assert analyst.get("/data", follow_redirects=False).status_code == 303
    assert not _can_log_in(app, "analytiker", PASSWORDS["analytiker"])
    with TestClient(app, base_url="https://testserver") as again:
        login(again, "analytiker", "ett-nytt-lösen-456")
        assert again.get("/data", follow_redirects=False).status_code == 200
        assert _admin_post(client, f"/admin/users/{user_id}/sessions/revoke") == 303
        assert again.get("/data", follow_redirects=False).status_code == 303
    assert {"password_changed", "sessions_revoked"} <= set(_actions(database))


def test_offboarding_from_the_cli(app: FastAPI, analyst: TestClient, database: Database,
                                  tmp_path: Path) -> None:
    ended = run_cli("users", "revoke-sessions", "analytiker", cwd=tmp_path)
    assert ended.returncode == 0, ended.stderr
    assert analyst.get("/data", follow_redirects=False).status_code == 303
    login(analyst, "analytiker")
    changed = subprocess_passwd(tmp_path, "analytiker", "cli-lösenord-789")
    assert changed.returncode == 0, changed.stderr
    assert analyst.get("/data", follow_redirects=False).status_code == 303
    assert _can_log_in(app, "analytiker", "cli-lösenord-789")
    off = run_cli("users", "deactivate", "analytiker", cwd=tmp_path)
    assert off.returncode == 0, off.stderr
    assert not _can_log_in(app, "analytiker", "cli-lösenord-789")
    assert "nej" in run_cli("users", "list", cwd=tmp_path).stdout
    missing = run_cli("users", "deactivate", "finns-inte", cwd=tmp_path)
    assert missing.returncode == 1 and "finns inte" in missing.stderr
    short = subprocess_passwd(tmp_path, "admin", "kort")
    assert short.returncode == 1 and "minst 10 tecken" in short.stderr
    assert run_cli("users", "activate", "analytiker", cwd=tmp_path).returncode == 0
    assert _can_log_in(app, "analytiker", "cli-lösenord-789")


def subprocess_passwd(cwd: Path, username: str, password: str
                      ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KRAFTSAMLING_DATA_DIR": str(cwd / "data"),
           "KRAFTSAMLING_SECRET_KEY": "test-secret-key-0123456789"}
    return subprocess.run([EXECUTABLE, "users", "passwd", username, "--password-stdin"],
                          input=password + "\n", cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
