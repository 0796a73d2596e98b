"""Shared fixtures: a real SQLite file per test, the real app over in-process HTTP."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
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


JOB_RESULT = re.compile(r'id="job-result" href="([^"]+)"')


def finish_job(client: TestClient | httpx.Client, response: httpx.Response,
               timeout: float = 120.0) -> httpx.Response:
    """An upload's answer followed to the end: the job page once the import is over (200
    done, 422 failed); an answer that is not a job (a 422 at once) comes back as it is."""
    location = response.headers.get("location", "")
    if response.status_code != 303 or not location.startswith("/jobs/"):
        return response
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(location)
        if 'data-state="running"' not in page.text:
            # the status code and the words agree, even when the job ended mid-render
            state = "done" if page.status_code == 200 else "failed"
            assert f'data-state="{state}"' in page.text, (page.status_code, page.text[-1500:])
            return page
        assert time.monotonic() < deadline, f"the job at {location} did not end"
        time.sleep(0.05)


def job_result(page: httpx.Response) -> str:
    """Where a finished job's result is (``/data/7``)."""
    assert page.status_code == 200, page.text[-2000:]
    found = JOB_RESULT.search(page.text)
    assert found is not None, page.text[-2000:]
    return html.unescape(found.group(1))


# The console script installed beside the interpreter that runs the tests (so a test file run
# alone, without the virtual environment on PATH, calls the code under test), else on PATH.
_BESIDE = Path(sys.executable).parent / "kraftsamling"
EXECUTABLE = str(_BESIDE) if _BESIDE.is_file() else (shutil.which("kraftsamling") or "kraftsamling")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real ``kraftsamling`` command in a subprocess, with its data under ``cwd``."""
    env = {**os.environ, "KRAFTSAMLING_DATA_DIR": str(cwd / "data"),
           "KRAFTSAMLING_SECRET_KEY": "test-secret-key-0123456789"}
    return subprocess.run([EXECUTABLE, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
