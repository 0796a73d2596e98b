"""Hostile and careless input through every door: the web uploads, the CLI and the JSON API.

Every file of the bad-file corpus (tests/badfiles.py, made by the test code) is refused
with a Swedish message and leaves nothing stored; a user-caused error is never a 500.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from kraftsamling.cases import CaseBatch
from kraftsamling.chat import ChatBatch
from kraftsamling.settings import Settings, load_settings
from kraftsamling.store import Database, ImportedRow, ImportedTable
from kraftsamling.twin import TwinImport
from kraftsamling.web import create_app
from tests.badfiles import corpus
from tests.conftest import csrf_from, finish_job, job_result, login

API_TOKEN = "api-token-0123456789abcdef"
STORED = (ImportedTable, ImportedRow, CaseBatch, ChatBatch, TwinImport)
# the door, the user allowed through it, and the form field the file goes in
DOORS = {"/data/import": ("analytiker", "file"), "/cases/import": ("enhetschef", "file"),
         "/twin/import": ("granskare", "files"), "/chat/import": ("samordnare", "file")}
# files refused by the schema of /data/import, not by the reader every door shares
SCHEMA_ONLY = {"undeclared-column"}


def _stored(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in STORED}


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789",
                         api_tokens={"friends": API_TOKEN})


@pytest.fixture
def api_client(api_settings: Settings, database: Database) -> TestClient:
    app = create_app(api_settings, database=database)
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False)


@pytest.mark.parametrize("door", list(DOORS))
def test_every_bad_file_is_refused_in_swedish_at_every_upload(
        app: FastAPI, database: Database, door: str) -> None:
    user, field = DOORS[door]
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    login(client, user)
    before = _stored(database)
    token = csrf_from(client.get("/data/import" if door == "/data/import" else
                                 door.rsplit("/", 1)[0]).text)
    for bad in corpus():
        data = {"csrf_token": token}
        if door == "/data/import":
            data["schema_name"] = "personer"
        # every upload answers with its job's page: followed to the end (422 refused)
        response = finish_job(client, client.post(
            door, data=data, files={field: (bad.name, bad.content)}, follow_redirects=False))
        assert response.status_code == 422, (door, bad.key, response.status_code)
        page = html.unescape(response.text)
        if door == "/data/import" or bad.key not in SCHEMA_ONLY:
            if door == "/cases/import" and not bad.name.endswith((".csv", ".tsv", ".xlsx")):
                assert "Okänt filformat" in page, (door, bad.key)
            else:
                assert bad.expect in page, (door, bad.key, page[page.find('error-title'):][:300])
        assert "Traceback" not in page and "Internal Server Error" not in page
    assert _stored(database) == before


def test_every_bad_file_is_refused_by_the_cli(tmp_path: Path, database: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from kraftsamling.cli import app as cli

    monkeypatch.setenv("KRAFTSAMLING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KRAFTSAMLING_SECRET_KEY", "test-secret-key-0123456789")
    runner = CliRunner()
    before = _stored(database)
    for bad in corpus():
        path = tmp_path / "in" / bad.key / bad.name
        path.parent.mkdir(parents=True)
        path.write_bytes(bad.content)
        result = runner.invoke(cli, ["data", "import", str(path), "--schema", "personer"])
        assert result.exit_code == 1, (bad.key, result.output, result.exception)
        assert bad.expect in " ".join(result.output.split()) or \
            bad.expect in result.output, (bad.key, result.output)
        assert "Traceback" not in result.output
    assert _stored(database) == before


def test_every_bad_file_is_refused_by_the_api(api_client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    for bad in corpus():
        response = api_client.post("/api/autolarm/score", content=bad.content, headers=headers)
        assert response.status_code in {400, 413, 422}, (bad.key, response.status_code)
        detail = response.json()["detail"]
        assert any(word in detail for word in ("Ogiltig begäran", "kunde inte tolkas",
                                               "för stor")), (bad.key, detail)


def test_api_checks_the_token_before_reading_the_body(api_client: TestClient) -> None:
    read = 0

    def body() -> object:  # a 200 MB body, streamed: only what is read is ever made
        nonlocal read
        for _ in range(200):
            read += 1
            yield b"x" * (1024 * 1024)

    response = api_client.post("/api/autolarm/score", content=body(),
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Ogiltig eller saknad API-nyckel."
    assert read <= 1  # httpx may pull the first chunk before the answer arrives


def test_request_bodies_are_bounded_before_parsing(api_client: TestClient,
                                                   client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    big = b'{"texts": ["' + b"a" * (5 * 1024 * 1024) + b'"]}'
    response = api_client.post("/api/autolarm/score", content=big, headers=headers)
    assert response.status_code == 413 and "för stor" in response.json()["detail"]

    def chunks() -> object:  # no Content-Length: counted as it streams
        for _ in range(8):
            yield b"a" * (1024 * 1024)

    response = api_client.post("/api/autolarm/score", content=chunks(), headers=headers)
    assert response.status_code == 413
    login(client, "analytiker")
    page = client.post("/login", content=b"u=" + b"a" * (2 * 1024 * 1024),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413 and "för stort" in html.unescape(page.text)


def test_deeply_nested_json_is_answered_in_swedish(api_client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    response = api_client.post("/api/autolarm/score", content=b'{"texts": ' + b"[" * 100_000
                               + b"]" * 100_000 + b"}", headers=headers)
    assert response.status_code in {400, 422}
    assert "nästlad" in response.json()["detail"] or "Ogiltig" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/data/{n}", "/data/{n}/rows/1", "/data/1/rows/{n}",
                                  "/data/{n}/export.csv", "/data?page={n}",
                                  "/data/1?page={n}"])
def test_ids_beyond_64_bits_are_not_found(app: FastAPI, path: str) -> None:
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    login(client, "analytiker")
    for n in (2**63, 2**64 + 5, 10**30):
        response = client.get(path.format(n=n))
        assert response.status_code in {200, 404, 422}, (path, n, response.status_code)
        assert "Internal Server Error" not in response.text


def test_table_names_with_any_letters_export(client: TestClient) -> None:
    login(client, "analytiker")
    token = csrf_from(client.get("/data/import").text)
    content = "person_id;fodelsear;kon;stadsdel;anteckning\nP1;1984;kvinna;Ryd;=1+2\n"
    response = client.post("/data/import", data={"csrf_token": token, "schema_name": "personer",
                                                 "name": "Besök – höst \"2026\""},
                           files={"file": ("p.csv", content.encode())}, follow_redirects=False)
    export = client.get(job_result(finish_job(client, response)) + "/export.csv")
    assert export.status_code == 200
    assert "filename*=UTF-8''Bes%C3%B6k%20%E2%80%93%20h%C3%B6st" in \
        export.headers["content-disposition"]


def test_exports_neutralise_formulas(client: TestClient, app: FastAPI) -> None:
    login(client, "analytiker")
    token = csrf_from(client.get("/data/import").text)
    rows = ["person_id;fodelsear;kon;stadsdel", "=HYPERLINK(\"http://x\");1984;kvinna;=1+2",
            "@SUM(A1);1985;man;-2+3", "+P4;1986;man;\tTab"]
    response = client.post("/data/import", data={"csrf_token": token, "schema_name": "personer"},
                           files={"file": ("p.csv", "\n".join(rows).encode())},
                           follow_redirects=False)
    exported = client.get(job_result(finish_job(client, response)) + "/export.csv").text
    cells = [cell for line in exported.splitlines()[1:] for cell in line.split(";")]
    assert "'=1+2" in cells and "'-2+3" in cells
    assert not [c for c in cells if c.strip('"').startswith(("=", "+", "-", "@", "\t"))]
    # an anonymous visitor types a formula as a login name: the audit export is safe
    anonymous = TestClient(app, base_url="https://testserver")
    page = anonymous.get("/login")
    anonymous.post("/login", data={"username": "=cmd|' /C calc'!A0", "password": "x",
                                   "csrf_token": csrf_from(page.text)})
    admin = TestClient(app, base_url="https://testserver")
    login(admin, "admin")
    audit = admin.get("/admin/audit.csv").text
    assert "=cmd" in audit
    for line in audit.splitlines()[1:]:
        for cell in line.split(";"):
            assert not cell.strip('"').startswith(("=", "+", "@")), line


def test_charts_never_render_links_from_uploaded_data() -> None:
    import plotly.graph_objects as go

    from kraftsamling.web.framework import Chart

    evil = '<a href="https://angripare.example/">Rosengård</a>'
    figure = go.Figure(go.Bar(x=[evil, "Ryd"], y=[1, 2], text=[evil, "x"],
                              hovertemplate="%{x}<br>%{y}"))
    figure.update_layout(title=f"Stadsdel <A HREF='javascript:alert(1)'>{evil}</A>")
    chart = Chart("t", "t", figure, __import__("pandas").DataFrame())
    payload = json.loads(chart.json.replace("<\\/", "</"))
    text = json.dumps(payload)
    assert "<a " not in text.lower() and "</a>" not in text.lower()
    assert "&lt;a href" in text and "<br>" in text  # shown as text; line breaks still work
    assert "<a " not in chart.html.lower().replace("<\\/", "</")


def test_the_largest_scoring_call_is_bounded_by_its_total_length(api_client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    response = api_client.post("/api/autolarm/score", json={"texts": ["a" * 5000] * 5},
                               headers=headers)
    assert response.status_code == 422
    assert "tecken per anrop" in response.json()["detail"]


@pytest.mark.parametrize("door", list(DOORS))
def test_fuzzed_uploads_never_answer_500(app: FastAPI, database: Database, door: str) -> None:
    """Random bytes and byte-flipped good files under every suffix: 303 or 422, never 500."""
    import random

    user, field = DOORS[door]
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    login(client, user)
    token = csrf_from(client.get("/data/import" if door == "/data/import" else
                                 door.rsplit("/", 1)[0]).text)
    rng = random.Random(f"fuzz-{door}")
    good = ("person_id;fodelsear;kon;stadsdel;anteckning\n"
            "P1;1984;kvinna;Ryd;Mår bättre\nP2;1990;man;Berga;\n").encode()
    for number in range(12):
        if number % 2:
            content = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        else:
            flipped = bytearray(good)
            for _ in range(rng.randrange(1, 6)):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            content = bytes(flipped)
        suffix = rng.choice([".csv", ".tsv", ".txt", ".xlsx", ".json", ".jsonl", ".bin", ""])
        data = {"csrf_token": token}
        if door == "/data/import":
            data["schema_name"] = "personer"
        response = finish_job(client, client.post(
            door, data=data, files={field: (f"fuzz{suffix}", content)}, follow_redirects=False))
        # a finished job's page (200), a refused one's or the form's (422)
        assert response.status_code in {200, 422}, (door, number, suffix, response.status_code)
