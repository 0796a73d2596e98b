"""Login under attack: the same answer in the same time, per-client limits, no lock-out of the
owner by someone else's guesses, and a new session at every login."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from kraftsamling.settings import Settings
from kraftsamling.store import AuditEvent, Database, authenticate
from tests.conftest import PASSWORDS, csrf_from, login

ERROR = re.compile(r'<div class="error-summary" role="alert"><p>(.*?)</p>', re.S)


def _client(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, base_url="https://testserver", client=(address, 40000))


@pytest.fixture
def attacker(app: FastAPI) -> Iterator[TestClient]:
    with _client(app, "203.0.113.66") as client:
        yield client


def _attempt(client: TestClient, username: str, password: str) -> tuple[int, str]:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token}, follow_redirects=False)
    match = ERROR.search(response.text)
    return response.status_code, match.group(1) if match else ""


def test_every_failure_gets_one_message(client: TestClient, attacker: TestClient) -> None:
    # The fixture locks after 3 failures. Lock "granskare" from the attacker's address.
    for _ in range(3):
        _attempt(attacker, "granskare", "fel-fel-fel-1")
    unknown = _attempt(client, "finns-inte", "vad-som-helst-1")
    wrong = _attempt(client, "admin", "fel-lösenord-1")
    locked = _attempt(client, "granskare", "fel-fel-fel-1")
    locked_right = _attempt(client, "granskare", PASSWORDS["granskare"])
    assert unknown[0] == wrong[0] == locked[0] == locked_right[0] == 401
    assert unknown[1] == wrong[1] == locked[1] == locked_right[1] != ""
    assert "låst" in unknown[1]  # the message covers a lock without saying whose


def test_every_path_runs_one_password_hash_check(database: Database, settings: Settings,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown and locked users cost one argon2 verification, as a known user does."""
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str) -> bool:
        calls.append(password)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    lockout = timedelta(minutes=15)
    timings: dict[str, list[float]] = {"unknown": [], "known": []}
    for _ in range(3):
        for kind, name in (("unknown", "finns-inte"), ("known", "analytiker")):
            calls.clear()
            start = time.perf_counter()
            with database.session() as session:
                authenticate(session, name, "fel-lösenord-1", threshold=100, lockout=lockout)
            timings[kind].append(time.perf_counter() - start)
            assert len(calls) == 1, kind
    for _ in range(3):
        with database.session() as session:
            authenticate(session, "granskare", "fel", threshold=3, lockout=lockout)
    calls.clear()
    with database.session() as session:
        assert authenticate(session, "granskare", "fel", threshold=3,
                            lockout=lockout).outcome.value == "locked"
    assert len(calls) == 1, "locked"
    # The old code answered an unknown user ~10 times faster; now the same work is done. The
    # fastest of three against the fastest of three, with room for a loaded machine (CI saw
    # 0.36 by medians at load 10): a return of the shortcut would be near 0.1.
    ratio = min(timings["unknown"]) / min(timings["known"])
    assert ratio > 0.25, ratio


def test_one_address_is_throttled_whichever_account_it_tries(
        settings: Settings, database: Database) -> None:
    from kraftsamling.web import create_app

    app = create_app(settings.model_copy(update={"login_client_failures": 4}), database=database)
    with _client(app, "198.51.100.7") as guesser, _client(app, "198.51.100.8") as colleague:
        statuses = [_attempt(guesser, f"namn{i}", "fel-lösenord-1")[0] for i in range(4)]
        assert statuses == [401] * 4
        status, message = _attempt(guesser, "admin", PASSWORDS["admin"])
        assert status == 429 and "datorn" in message
        # Another address is not affected, and right passwords never count.
        for _ in range(6):
            login(colleague, "admin")
    with database.session() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "login_throttled"))


def test_someone_else_cannot_lock_the_admin_out(app: FastAPI, database: Database) -> None:
    with _client(app, "192.0.2.10") as office, _client(app, "203.0.113.66") as attacker:
        login(office, "admin")  # the admin's own browser, seen before
        office.post("/logout", data={"csrf_token": csrf_from(office.get("/").text)})
        for _ in range(6):
            assert _attempt(attacker, "admin", "gissning-123")[0] == 401
        # Locked against the attacker, even with the right password...
        assert _attempt(attacker, "admin", PASSWORDS["admin"])[0] == 401
        # ...but the admin's usual browser still gets in.
        status, _ = _attempt(office, "admin", PASSWORDS["admin"])
        assert status == 303
        assert _attempt(attacker, "admin", PASSWORDS["admin"])[0] == 401  # the lock stays
    with database.session() as session:
        locks = session.scalars(select(AuditEvent).where(AuditEvent.action == "user_locked"))
        assert len(list(locks)) >= 1


def test_a_forged_device_cookie_does_not_help(app: FastAPI, database: Database) -> None:
    with database.session() as session:
        from kraftsamling.store import User

        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    with _client(app, "203.0.113.66") as attacker:
        for _ in range(3):
            _attempt(attacker, "admin", "gissning-123")
        attacker.cookies.set("ks_device", f"{admin_id}.abc.{'0' * 64}", domain="testserver.local")
        assert _attempt(attacker, "admin", PASSWORDS["admin"])[0] == 401


def test_a_new_login_ends_the_old_session(client: TestClient) -> None:
    login(client, "admin")
    old = client.cookies.get("ks_session")
    assert client.get("/", follow_redirects=False).status_code == 200
    login(client, "admin")
    new = client.cookies.get("ks_session")
    assert new and new != old
    client.cookies.clear()
    client.cookies.set("ks_session", old or "", domain="testserver.local")
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set("ks_session", new, domain="testserver.local")
    assert client.get("/", follow_redirects=False).status_code == 200


def test_colleagues_behind_one_address_log_in_at_once(settings: Settings,
                                                      database: Database) -> None:
    """Right passwords never use up the address's budget, even all at the same moment."""
    import threading

    from kraftsamling.web import create_app

    app = create_app(settings.model_copy(update={"login_client_failures": 2}), database=database)
    statuses: list[int] = []

    def colleague(username: str) -> None:
        with _client(app, "192.0.2.200") as browser:
            statuses.append(_attempt(browser, username, PASSWORDS[username])[0])

    threads = [threading.Thread(target=colleague, args=(name,)) for name in PASSWORDS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * len(PASSWORDS)


def test_rate_limiter_refills_over_its_window() -> None:
    from kraftsamling.web.framework import RateLimiter

    now = [0.0]
    limiter = RateLimiter(capacity=3, window_seconds=60, max_keys=2, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(4)] == [True, True, True, False]
    assert not limiter.allows("a") and limiter.retry_after("a") == pytest.approx(20)
    now[0] = 20.0
    assert limiter.take("a") and not limiter.take("a")
    limiter.give_back("a")
    assert limiter.take("a")
    limiter.take("b")
    limiter.take("c")  # max_keys=2: the least recently used key ("a") is forgotten
    assert limiter.allows("a") and len(limiter._buckets) == 2
