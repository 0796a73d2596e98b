"""schemathesis over the app's OpenAPI schema: the JSON API with a valid token, and every
GET page as a logged-in user — zero 500s. Bounded (a few examples per operation) so it
stays a test; raise ``max_examples`` locally for a longer run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from kraftsamling.autolarm import Detector
from kraftsamling.settings import load_settings
from kraftsamling.store import Database, Role, create_user
from kraftsamling.web import create_app

TOKEN = "fuzz-token-0123456789abcdef"
_state: dict[str, Any] = {}


def _app(folder: Path) -> FastAPI:
    app_settings = load_settings(data_dir=folder, secret_key="test-secret-key-0123456789",
                                 api_tokens={"friends": TOKEN})
    database = Database.for_settings(app_settings)
    database.upgrade()
    with database.session() as session:
        create_user(session, username="analytiker", password="analys-lösen-123",
                    role=Role.analyst)
    return create_app(app_settings, database=database)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, detector: Detector
           ) -> Iterator[TestClient]:
    app = _state["app"]
    app.state.detector = detector
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        page = client.get("/login")
        import re

        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        client.post("/login", data={"username": "analytiker", "password": "analys-lösen-123",
                                    "csrf_token": token.group(1)})
        yield client


def _schema() -> Any:
    import tempfile

    _state["app"] = app = _app(Path(tempfile.mkdtemp(prefix="kraftsamling-fuzz-")))
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


schema = _schema()


@schema.include(method="POST", path_regex="^/api/").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_json_api_never_answers_500(case: Any, fuzzed: TestClient) -> None:
    kwargs = case.as_transport_kwargs(headers={"Authorization": f"Bearer {TOKEN}"})
    kwargs.pop("base_url", None)
    kwargs["url"] = kwargs["url"].replace("http://localhost", "").replace(
        "https://testserver", "")
    response = fuzzed.request(**kwargs)
    assert response.status_code < 500, (kwargs, response.text[:500])
    if response.status_code >= 400:
        assert response.json()["detail"]  # a message, never a bare status


@schema.include(method="GET").parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_page_answers_500(case: Any, fuzzed: TestClient) -> None:
    kwargs = case.as_transport_kwargs()
    kwargs.pop("base_url", None)
    kwargs["url"] = kwargs["url"].replace("http://localhost", "").replace(
        "https://testserver", "")
    response = fuzzed.request(**kwargs, follow_redirects=False)
    assert response.status_code < 500, (kwargs, response.text[-800:])
