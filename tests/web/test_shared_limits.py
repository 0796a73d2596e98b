"""Rate limits shared by every server process (issue 19: "limit state is per process").

The login's per-address budget and the survey's per-address and per-link budgets live in the
database: two app instances on one database (two server processes) spend one budget, a
restarted server keeps it, concurrent processes never both spend the last token, and no
address is stored in clear.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from kraftsamling.settings import Settings
from kraftsamling.store import Database, DatabaseRateLimiter
from kraftsamling.web import create_app
from tests.conftest import csrf_from

SECRET = b"limit-secret-for-tests-0123456789"
ADDRESS = "203.0.113.77"


def _fail_login(client: TestClient) -> int:
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": "admin", "password": "fel-lösenord-1",
                                       "csrf_token": token}, follow_redirects=False).status_code


def test_two_server_processes_share_the_login_budget(settings: Settings,
                                                     database: Database) -> None:
    settings = settings.model_copy(update={"login_client_failures": 4})
    first = create_app(settings, database=database)
    second = create_app(settings, database=Database.for_settings(settings))  # its own engine
    with TestClient(first, base_url="https://testserver", client=(ADDRESS, 1)) as a, \
            TestClient(second, base_url="https://testserver", client=(ADDRESS, 2)) as b:
        statuses = [_fail_login(a), _fail_login(b), _fail_login(a), _fail_login(b)]
        assert statuses == [401] * 4
        # the budget of 4 is spent across both: each process refuses now
        assert _fail_login(a) == 429
        assert _fail_login(b) == 429
    # a restarted server (a new app) still refuses
    with TestClient(create_app(settings, database=database), base_url="https://testserver",
                    client=(ADDRESS, 3)) as c:
        assert _fail_login(c) == 429
    path = Path(database.url.split("///", 1)[1])
    with sqlite3.connect(path) as raw:
        stored = raw.execute("SELECT limit_name, key_hash FROM rate_limit_buckets").fetchall()
    assert stored and all(ADDRESS not in key for _name, key in stored)


def _take_many(url: str, count: int, results: multiprocessing.Queue[int]) -> None:
    database = Database(url)
    limiter = DatabaseRateLimiter(database, name="test", capacity=25, window_seconds=3600,
                                  secret=SECRET)
    results.put(sum(limiter.take("one-key") for _ in range(count)))
    database.dispose()


def test_concurrent_processes_never_overspend(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    Database(url, audit_key=SECRET).upgrade()
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[int] = context.Queue()
    workers = [context.Process(target=_take_many, args=(url, 15, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    taken = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sum(taken) == 25  # 60 attempts, a budget of 25: exactly 25 granted


def refills_then_deleted(database: Database, secret: bytes) -> None:
    """A bucket refills with time and is deleted once full again (shared with PostgreSQL's
    test)."""
    now = [1000.0]
    limiter = DatabaseRateLimiter(database, name="t", capacity=2, window_seconds=60,
                                  secret=secret, clock=lambda: now[0])
    assert limiter.take("k") and limiter.take("k") and not limiter.take("k")
    assert 29 < limiter.retry_after("k") <= 30
    now[0] += 30
    assert limiter.allows("k") and limiter.take("k") and not limiter.take("k")
    limiter.give_back("k")
    assert limiter.take("k")
    now[0] += 61
    limiter.take("other")  # any change clears the buckets that have refilled
    with database.session() as session:
        assert session.execute(text("SELECT count(*) FROM rate_limit_buckets")).scalar() == 1


def test_a_bucket_refills_and_is_then_deleted(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'refill.sqlite3'}", audit_key=SECRET)
    database.upgrade()
    refills_then_deleted(database, SECRET)
    database.dispose()
