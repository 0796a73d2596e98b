"""Shared fixtures: a real SQLite file per test, the real app over in-process HTTP."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kraftsamling.settings import Settings, load_settings
from kraftsamling.store import Database, Role, create_user
from kraftsamling.web import create_app

PASSWORDS = {
    "admin": "admin-lösen-123",
    "analytiker": "analys-lösen-123",
    "granskare": "granska-lösen-123",
    "samordnare": "samordna-lösen-123",
    "handlaggare": "handlagga-lösen-123",
    "enhetschef": "enhetschef-lösen-123",
}
ROLES = {"admin": Role.admin, "analytiker": Role.analyst, "granskare": Role.reviewer,
         "samordnare": Role.coordinator, "handlaggare": Role.caseworker,
         "enhetschef": Role.unit_manager}
CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own config or environment."""
    import os

    for name in list(os.environ):
        if name.startswith("KRAFTSAMLING_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789",
                         lockout_threshold=3)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database.for_settings(settings)
    db.upgrade()
    with db.session() as session:
        for username, password in PASSWORDS.items():
            create_user(session, username=username, password=password, role=ROLES[username],
                        display_name=username.title())
    yield db
    db.dispose()


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database=database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match is not None, "the page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str | None = None) -> TestClient:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password or PASSWORDS[username],
              "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def page_token(client: TestClient, path: str = "/") -> str:
    return csrf_from(client.get(path).text)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real ``kraftsamling`` command in a subprocess, with its data under ``cwd``."""
    env = {**os.environ, "KRAFTSAMLING_DATA_DIR": str(cwd / "data"),
           "KRAFTSAMLING_SECRET_KEY": "test-secret-key-0123456789"}
    return subprocess.run(["kraftsamling", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
