"""An import is a job: the upload answers at once with a page that shows its progress, then
its result or its Swedish error; the page survives a reload, belongs to its user, and a
worker killed mid-import fails the job with nothing stored. Real HTTP through the ASGI app."""

from __future__ import annotations

import os
import re
import signal
import time

import httpx
import psutil
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kraftsamling.store import AuditEvent, Database, ImportedRow, ImportedTable, verify_chain
from tests.conftest import csrf_from, finish_job, job_result, login

HEADER = "person_id;fodelsear;kon;stadsdel;anteckning\n"
STATUS = re.compile(r'data-state="(\w+)" data-stage="(\w+)">([^<]*)<')
COUNTS = re.compile(r'id="job-(read|validated|stored)">([^<]*)<')


def _rows(count: int) -> bytes:
    return (HEADER + "".join(f"P{i};{1940 + i % 70};{'kvinna' if i % 2 else 'man'};Ryd;\n"
                             for i in range(count))).encode()


def _post(client: TestClient, content: bytes, filename: str = "personer.csv") -> httpx.Response:
    token = csrf_from(client.get("/data/import").text)
    return client.post("/data/import", data={"csrf_token": token, "schema_name": "personer"},
                       files={"file": (filename, content)}, follow_redirects=False)


def _stored(database: Database) -> tuple[int, int, int]:
    with database.session() as session:
        return (session.scalar(select(func.count()).select_from(ImportedTable)) or 0,
                session.scalar(select(func.count()).select_from(ImportedRow)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "import")) or 0)


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text) or 0)


def _watch(client: TestClient, location: str, timeout: float = 180
           ) -> list[tuple[str, str, str, dict[str, int], int]]:
    """Poll the fragment the page polls until the job is over: every distinct view of it."""
    seen: list[tuple[str, str, str, dict[str, int], int]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = client.get(location + "/status")
        found = STATUS.search(fragment.text)
        assert found is not None, fragment.text
        counts = {name: _number(value) for name, value in COUNTS.findall(fragment.text)}
        view = (*found.groups(), counts, fragment.status_code)
        if not seen or seen[-1][:4] != view[:4]:
            seen.append(view)
        if found.group(1) != "running":
            return seen
        time.sleep(0.02)
    raise AssertionError(f"the job did not end: {seen[-3:]}")


def test_the_upload_answers_at_once_and_the_page_shows_progress(
        client: TestClient, database: Database) -> None:
    login(client, "analytiker")
    response = _post(client, _rows(60_000))
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/jobs/")
    page = client.get(location)  # the import is still under way: the page says so
    assert page.status_code == 200
    assert 'data-state="running"' in page.text
    assert 'role="status" aria-live="polite"' in page.text
    assert f'hx-get="{location}/status" hx-trigger="every 1s"' in page.text
    assert '<progress id="job-progress" max="100"' in page.text
    seen = _watch(client, location)
    running = [view for view in seen if view[0] == "running"]
    # the progress changed while the job ran, in words and in rows, and never went back
    assert len({view[2] for view in running}) >= 2, seen
    stored = [view[3]["stored"] for view in seen]
    assert stored == sorted(stored[:-1]) + stored[-1:], seen
    assert any(view[1] in {"read", "validated", "pseudonymised", "stored"} for view in running)
    state, stage, line, counts, status = seen[-1]
    assert (state, stage, status) == ("done", "done", 286)  # 286: htmx stops polling
    assert line == "Klart: 60\xa0000 rader sparade."  # a no-break space, as Swedish writes it
    assert counts == {"read": 60_000, "validated": 60_000, "stored": 60_000}
    # a reload shows the result; it leads to the table
    again = client.get(location)
    assert again.status_code == 200 and "hx-get" not in again.text
    table = client.get(job_result(again))
    assert table.status_code == 200 and "<h1>personer" in table.text
    assert _stored(database) == (1, 60_000, 1)
    with database.session() as session:
        assert verify_chain(session) == []
    # English: the same page in English, numbers as English writes them
    client.get("/lang/en", params={"next": "/"})
    english = client.get(location)
    assert "Done: 60,000 rows stored." in english.text and "Rows validated" in english.text


def test_a_refused_file_shows_the_swedish_error_and_stores_nothing(
        client: TestClient, database: Database) -> None:
    login(client, "analytiker")
    content = (HEADER + "P1;1984;kvinna;Ryd;\nP2;nittio;man;Berga;\n").encode()
    page = finish_job(client, _post(client, content))
    assert page.status_code == 422
    text = page.text.replace("&#39;", "'")
    assert "Importen misslyckades; ingenting sparades." in text
    assert "Rad 3, kolumn 'fodelsear'" in text and 'role="alert"' in text
    assert 'href="/data/import"' in text  # back to the form
    again = client.get(page.url)  # a reload: the same answer
    assert again.status_code == 422 and "Rad 3, kolumn" in again.text
    unreadable = finish_job(client, _post(client, b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                                          filename="bild.csv"))
    assert unreadable.status_code == 422
    assert "Traceback" not in unreadable.text and "Internal Server Error" not in unreadable.text
    assert _stored(database) == (0, 0, 0)


def test_a_job_is_its_owners_alone(client: TestClient, app: object) -> None:
    login(client, "analytiker")
    location = finish_job(client, _post(client, _rows(3))).url.path
    assert client.get(location).status_code == 200
    other = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]
    login(other, "granskare")
    assert other.get(location).status_code == 404
    assert other.get(location + "/status").status_code == 404
    anonymous = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]
    assert anonymous.get(location, follow_redirects=False).status_code in {303, 401}
    assert client.get("/jobs/not-a-job").status_code == 404


def _worker() -> psutil.Process:
    """The import worker process (spawned by this process; not the resource tracker)."""
    for child in psutil.Process(os.getpid()).children(recursive=True):
        with_cmd = " ".join(child.cmdline())
        if "spawn_main" in with_cmd:
            return child
    raise AssertionError("no worker process")


def test_a_killed_worker_fails_the_job_and_stores_nothing(
        client: TestClient, database: Database) -> None:
    login(client, "analytiker")
    location = _post(client, _rows(150_000)).headers["location"]
    deadline = time.monotonic() + 120
    while 'data-stage="queued"' in client.get(location + "/status").text:
        assert time.monotonic() < deadline
        time.sleep(0.02)  # the worker has started reading the file
    worker = _worker()
    os.kill(worker.pid, signal.SIGKILL)
    page = finish_job(client, httpx.Response(303, headers={"location": location}))
    assert page.status_code == 422
    assert "Importprocessen avbröts oväntat; ingenting sparades." in page.text
    assert re.search(r'id="job-stored">0<', page.text)
    assert _stored(database) == (0, 0, 0)
    with database.session() as session:
        assert verify_chain(session) == []
    # the next import gets a new worker and goes through
    done = finish_job(client, _post(client, _rows(5)))
    assert "Klart: 5 rader sparade." in done.text
    assert _stored(database) == (1, 5, 1)


def test_a_page_is_rendered_from_a_snapshot_of_its_job() -> None:
    """A job that ends while its page is rendered: the page's status code was taken from the
    job before, its words after (a 200 page that said "failed", seen once in the import
    bench). The page now renders a snapshot, which does not change."""
    from kraftsamling.web.framework import Job

    job = Job(id="j", owner="anna", scope="sqlite://", filename="a.csv", back="/data/import",
              result_label="Show the table")
    job.update("read", 10_000)
    view = job.snapshot()
    job.fail("Filen är tom.")
    assert (view.state, view.stage, view.read, view.error) == ("running", "read", 10_000, "")
    assert (job.state, job.stored) == ("failed", 0)
    job.update("stored", 5, 5)  # a report still on its way is ignored once the job is over
    assert job.snapshot().stage == "failed"


def test_a_jobs_status_and_words_agree(client: TestClient, database: Database) -> None:
    """Jobs that end within milliseconds (an empty file), polled as they end: status code
    and state agree on the page and on the fragment htmx polls."""
    login(client, "analytiker")
    for _ in range(5):
        response = _post(client, b" \r\n ")
        location = response.headers["location"]
        while True:
            for path in (location, location + "/status"):
                page = client.get(path)
                state = re.search(r'data-state="(\w+)"', page.text)
                assert state is not None
                expected = {"running": {200}, "done": {200, 286}, "failed": {422, 286}}
                assert page.status_code in expected[state.group(1)], (path, page.status_code)
            if state.group(1) != "running":
                break
        assert "är tom" in page.text
    assert _stored(database) == (0, 0, 0)
