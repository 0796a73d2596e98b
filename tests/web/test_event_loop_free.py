"""Nothing waits for the database in the event loop (issue 19).

A long import holds SQLite's write lock. An error page rendered in the loop looked the user
up and refreshed the session's last-seen time, waiting up to the 30 s busy timeout for that
lock with the whole server stopped: during a 1M-row import one /healthz probe took 32.9 s.
Here another connection holds the write lock while a logged-in user opens a page that does
not exist and a survey is answered; /healthz must keep answering meanwhile.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from kraftsamling.store import Database, WebSession
from kraftsamling.store.models import utcnow
from tests.conftest import login

HOLD_SECONDS = 3.0


def _hold_write_lock(path: Path, held: threading.Event, seconds: float) -> None:
    with sqlite3.connect(path, timeout=30) as raw:
        raw.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        raw.rollback()


def _healthz_while(client: TestClient, database: Database,
                   request: threading.Thread) -> float:
    path = Path(database.url.split("///", 1)[1])
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, held, HOLD_SECONDS))
    holder.start()
    held.wait()
    request.start()
    time.sleep(0.5)  # the request is now waiting for the lock
    before = time.perf_counter()
    assert client.get("/healthz").status_code == 200
    waited = time.perf_counter() - before
    holder.join()
    request.join()
    return waited


def test_an_error_page_never_waits_for_the_lock_in_the_loop(client: TestClient,
                                                            database: Database) -> None:
    login(client, "analytiker")
    with database.session() as session:  # the session's last-seen time is due a refresh
        for web_session in session.query(WebSession):
            web_session.last_seen = utcnow() - timedelta(seconds=120)
    statuses: list[int] = []
    missing = threading.Thread(target=lambda: statuses.append(
        client.get("/finns-inte").status_code))
    waited = _healthz_while(client, database, missing)
    assert statuses == [404]
    assert waited < HOLD_SECONDS / 2, f"/healthz waited {waited:.1f} s for the lock"
