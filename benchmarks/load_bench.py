"""Load benchmark: bounded concurrent load against a real `kraftsamling serve` (issue 19).

    .venv/bin/python benchmarks/load_bench.py [--views 2000] [--surveys 500] [--logins 200]
        [--api 200] [--dashboards 200] [--concurrency 100] [--only views,surveys]

Starts `kraftsamling serve` on 127.0.0.1 (a free port) over a fresh SQLite data folder with
three users, one imported table of synthetic persons and one survey link, then runs each
scenario with at most ``--concurrency`` requests in flight (httpx, one event loop):

- ``logins``: right passwords, each a fresh browser (GET /login, POST /login);
- ``failed_logins``: wrong passwords from this one address, so after
  ``login_client_failures`` of them the answer is 429 by design (counted apart from errors);
- ``views``: person-level record pages (/data/T/rows/R), each one audit event;
- ``dashboards``: the review queue (/review), which lists the survey answers;
- ``surveys``: anonymous survey answers (POST /s/TOKEN), each scored and pseudonymised;
- ``api``: the JSON scoring API, one answer per call.

After the scenarios, `kraftsamling audit verify` checks the chain and the table says how
many links are broken. Every request counts: status 5xx and transport errors are errors.
The survey's per-address limit is raised for this run (all load comes from 127.0.0.1; the
limit is tested in tests/autolarm/test_survey_limits.py).

Scenarios are plain functions in ``SCENARIOS`` taking a ``Target``; another probe (e.g. the
latency of /healthz during a large import) plugs in the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kraftsamling.settings import load_settings
from kraftsamling.store import Database, Role, create_user

KRAFTSAMLING = [sys.executable, "-m", "kraftsamling"]
TIMEOUT_SECONDS = 120  # a request not answered by then counts as a timeout
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORDS = {"admin": "admin-lösen-123", "analytiker": "analys-lösen-123",
             "granskare": "granska-lösen-123"}
ROLES = {"admin": Role.admin, "analytiker": Role.analyst, "granskare": Role.reviewer}
API_TOKEN = "load-bench-token"  # noqa: S105 - a throw-away installation
ANSWERS = ["Det är bra i skolan och jag har kompisar.",
           "Ibland blir jag retad på rasten men det går över.",
           "Jag vill inte leva längre, ingen skulle märka om jag försvann.",
           "Han slår mig hemma när han är full.",
           "Lärarna är snälla men maten är dålig."]


@dataclass
class Target:
    """The running server and what the scenarios need from it."""

    base_url: str
    data_dir: Path
    env: dict[str, str]
    table_id: int = 0
    row_ids: list[int] = field(default_factory=list)
    survey_token: str = ""


@dataclass
class Result:
    name: str
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)

    def row(self) -> list[str]:
        ok = sum(n for s, n in self.statuses.items() if s < 400)
        limited = self.statuses.get(429, 0)
        other_4xx = sum(n for s, n in self.statuses.items() if 400 <= s < 500 and s != 429)
        server_errors = sum(n for s, n in self.statuses.items() if s >= 500)
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000 if ordered else float("nan")
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000 if ordered \
            else float("nan")
        return [self.name, str(self.requests), str(self.concurrency), str(ok), str(limited),
                str(other_4xx), str(server_errors), str(self.transport_errors),
                f"{p50:.0f}", f"{p99:.0f}",
                f"{self.requests / self.seconds:.1f}"]


HEADER = ["scenario", "requests", "in flight", "ok", "429", "other 4xx", "5xx",
          "timeouts/transport", "p50 ms", "p99 ms", "req/s"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _token(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await client.get("/login")
    return await client.post("/login", data={"username": username, "password": password,
                                             "csrf_token": _token(page.text)})


async def _run(name: str, count: int, concurrency: int,
               one: Callable[[int], Awaitable[httpx.Response]]) -> Result:
    """``count`` calls of ``one(i)``, at most ``concurrency`` at a time; each is timed."""
    result = Result(name, count, concurrency, 0.0)
    gate = asyncio.Semaphore(concurrency)

    async def timed(i: int) -> None:
        async with gate:
            start = time.perf_counter()
            try:
                response = await one(i)
            except httpx.HTTPError as error:
                result.transport_errors += 1
                result.error_kinds[type(error).__name__] += 1
                return
            result.latencies.append(time.perf_counter() - start)
            result.statuses[response.status_code] += 1

    start = time.perf_counter()
    await asyncio.gather(*(timed(i) for i in range(count)))
    result.seconds = time.perf_counter() - start
    return result


def _client(target: Target, concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(base_url=target.base_url, limits=limits, timeout=TIMEOUT_SECONDS,
                             follow_redirects=False)


# Per right-password login: which request failed ("" none, "get", "post"), the error, the
# seconds between the login page's answer and the POST's first byte, and whether the POST
# went on the page's connection (what a keep-alive timeout races).
LOGIN_STEPS: list[tuple[str, str, float, bool]] = []


async def logins(target: Target, count: int, concurrency: int) -> Result:
    async def one(_i: int) -> httpx.Response:
        async with _client(target, 1) as browser:  # a fresh browser: no cookies
            try:
                page = await browser.get("/login")
            except httpx.HTTPError as error:
                LOGIN_STEPS.append(("get", type(error).__name__, 0.0, False))
                raise
            answered = time.perf_counter()
            seen = {"sent": answered, "reused": True}

            async def trace(event: str, _info: dict[str, object]) -> None:
                if event == "connection.connect_tcp.started":
                    seen["reused"] = False
                elif event == "http11.send_request_headers.started":
                    seen["sent"] = time.perf_counter()

            try:
                response = await browser.post("/login", data={
                    "username": "analytiker", "password": PASSWORDS["analytiker"],
                    "csrf_token": _token(page.text)}, extensions={"trace": trace})
            except httpx.HTTPError as error:
                LOGIN_STEPS.append(("post", type(error).__name__,
                                    float(seen["sent"]) - answered, bool(seen["reused"])))
                raise
            LOGIN_STEPS.append(("", "", float(seen["sent"]) - answered, bool(seen["reused"])))
            return response

    return await _run("logins (right password)", count, concurrency, one)


def _login_steps() -> str:
    """Where the right-password logins' transport errors happened, and the pause between a
    login page's answer and its POST's first byte (ok and failed apart)."""
    if not LOGIN_STEPS:
        return ""
    failed = Counter((step, kind) for step, kind, _, _ in LOGIN_STEPS if step)
    ok = [pause for step, _, pause, _ in LOGIN_STEPS if not step]
    reused = sum(1 for step, _, _, again in LOGIN_STEPS if not step and again)
    bad = sorted(pause for step, _, pause, _ in LOGIN_STEPS if step == "post")
    return (f"logins: transport errors by request {dict(failed)}; page→POST pause p50 "
            f"{statistics.median(ok) if ok else 0:.2f} s, max {max(ok, default=0):.2f} s "
            f"({reused} of {len(ok)} POSTs on the page's connection); failed POSTs' pauses "
            f"{', '.join(f'{g:.2f}' for g in bad[:20]) or '-'} s")


async def failed_logins(target: Target, count: int, concurrency: int) -> Result:
    async def one(i: int) -> httpx.Response:
        async with _client(target, 1) as browser:
            return await _login(browser, f"gissning{i % 7}", "fel-lösenord-123")

    return await _run("failed logins (one address)", count, concurrency, one)


async def _logged_in(target: Target, username: str, sessions: int) -> list[httpx.AsyncClient]:
    clients = []
    for _ in range(sessions):
        client = _client(target, 64)
        response = await _login(client, username, PASSWORDS[username])
        if response.status_code != 303:
            raise RuntimeError(f"login as {username} failed: {response.status_code}")
        clients.append(client)
    return clients


async def views(target: Target, count: int, concurrency: int) -> Result:
    clients = await _logged_in(target, "analytiker", 8)
    try:
        async def one(i: int) -> httpx.Response:
            row = target.row_ids[i % len(target.row_ids)]
            return await clients[i % len(clients)].get(f"/data/{target.table_id}/rows/{row}")

        return await _run("person-level views", count, concurrency, one)
    finally:
        for client in clients:
            await client.aclose()


async def dashboards(target: Target, count: int, concurrency: int) -> Result:
    clients = await _logged_in(target, "granskare", 4)
    try:
        async def one(i: int) -> httpx.Response:
            return await clients[i % len(clients)].get("/review")

        return await _run("dashboard (review queue)", count, concurrency, one)
    finally:
        for client in clients:
            await client.aclose()


async def surveys(target: Target, count: int, concurrency: int) -> Result:
    pupils = [_client(target, 16) for _ in range(16)]
    tokens = [_token((await pupil.get(f"/s/{target.survey_token}")).text) for pupil in pupils]
    rng = random.Random(19)
    try:
        async def one(i: int) -> httpx.Response:
            return await pupils[i % len(pupils)].post(
                f"/s/{target.survey_token}",
                data={"csrf_token": tokens[i % len(pupils)], "q1": rng.choice(ANSWERS)})

        return await _run("survey answers", count, concurrency, one)
    finally:
        for pupil in pupils:
            await pupil.aclose()


async def api(target: Target, count: int, concurrency: int) -> Result:
    async with _client(target, concurrency) as client:
        headers = {"Authorization": f"Bearer {API_TOKEN}"}

        async def one(i: int) -> httpx.Response:
            return await client.post("/api/autolarm/score", headers=headers,
                                     json={"text": ANSWERS[i % len(ANSWERS)]})

        return await _run("scoring API", count, concurrency, one)


SCENARIOS: dict[str, Callable[[Target, int, int], Awaitable[Result]]] = {
    "logins": logins,
    "views": views,
    "dashboards": dashboards,
    "surveys": surveys,
    "api": api,
    "failed_logins": failed_logins,  # last: it throttles this address by design
}


def _persons_csv(path: Path, n: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["person_id", "fodelsear", "kon", "stadsdel"])
        for i in range(n):
            writer.writerow([f"P{i:05d}", rng.randint(1940, 2010), rng.choice(["kvinna", "man"]),
                             rng.choice(["Ryd", "Berga", "Skäggetorp", "Lambohov"])])


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*KRAFTSAMLING, *args], env=env,  # noqa: S603 - our own command
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"kraftsamling {' '.join(args)}: {done.stderr}")
    return done.stdout


@contextmanager
def served(folder: Path, *, survey_client_posts: int) -> Iterator[Target]:
    """A fresh installation in ``folder`` and `kraftsamling serve` on it, stopped after."""
    port = _free_port()
    env = {**os.environ, "KRAFTSAMLING_DATA_DIR": str(folder / "data"),
           "KRAFTSAMLING_COOKIE_SECURE": "false",
           "KRAFTSAMLING_API_TOKENS": f'{{"bench": "{API_TOKEN}"}}',
           "KRAFTSAMLING_SURVEY_CLIENT_POSTS": str(survey_client_posts),
           "KRAFTSAMLING_SURVEY_LINK_POSTS": str(survey_client_posts),
           "KRAFTSAMLING_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    _cli(env, "db", "upgrade")
    settings = load_settings(data_dir=folder / "data")
    database = Database.for_settings(settings)
    with database.session() as session:
        for username, password in PASSWORDS.items():
            create_user(session, username=username, password=password, role=ROLES[username])
    database.dispose()
    source = folder / "personer.csv"
    _persons_csv(source, 500)
    table_id = int(_cli(env, "data", "import", str(source), "--schema", "personer")
                   .split("tabell")[-1].strip(" .\n"))
    source.unlink()
    server = subprocess.Popen([*KRAFTSAMLING, "serve", "--port", str(port)],  # noqa: S603
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    target = Target(f"http://127.0.0.1:{port}", folder / "data", env, table_id=table_id)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{target.base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        asyncio.run(_prepare(target))
        yield target
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        errors = server.stderr.read().decode() if server.stderr else ""
        if errors.strip():  # a warning without a traceback counts too (uvicorn's, asyncio's)
            lines = errors.strip().splitlines()
            print(f"server wrote {len(lines)} lines to stderr; the last:", file=sys.stderr)
            print("\n".join(lines[-30:]), file=sys.stderr)


async def _prepare(target: Target) -> None:
    """Find the table's row ids, make a survey and its link, warm the detector."""
    async with _client(target, 4) as admin:
        await _login(admin, "admin", PASSWORDS["admin"])
        page = await admin.get("/admin/surveys")
        await admin.post("/admin/surveys", data={"csrf_token": _token(page.text),
                                                 "name": "Trygghet", "questions": "Hur mår du?"})
        page = await admin.get("/admin/surveys")
        await admin.post("/admin/surveys/1/links", data={"csrf_token": _token(page.text),
                                                         "school": "Ekskolan",
                                                         "class_name": "7A"})
        page = await admin.get("/admin/surveys")
        target.survey_token = page.text.split("/s/")[1].split('"')[0]
    async with _client(target, 4) as analyst:
        await _login(analyst, "analytiker", PASSWORDS["analytiker"])
        for page_number in range(1, 11):
            html = (await analyst.get(f"/data/{target.table_id}?page={page_number}")).text
            target.row_ids += [int(r) for r in re.findall(
                rf'href="/data/{target.table_id}/rows/(\d+)"', html)]
    if not target.row_ids:
        raise RuntimeError("no rows found on the table page")
    async with _client(target, 1) as warm:  # the first answer loads the detector
        token = _token((await warm.get(f"/s/{target.survey_token}")).text)
        await warm.post(f"/s/{target.survey_token}", data={"csrf_token": token, "q1": "Hej"})
        await warm.post("/api/autolarm/score", headers={"Authorization": f"Bearer {API_TOKEN}"},
                        json={"text": "Hej"})


def verify(target: Target) -> tuple[bool, str]:
    done = subprocess.run([*KRAFTSAMLING, "audit", "verify"], env=target.env,  # noqa: S603
                          capture_output=True, text=True, check=False)
    return done.returncode == 0, " ".join((done.stdout + done.stderr).split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--views", type=int, default=2000)
    parser.add_argument("--surveys", type=int, default=500)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--failed-logins", type=int, default=100)
    parser.add_argument("--dashboards", type=int, default=200)
    parser.add_argument("--api", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=100,
                        help="requests in flight, for every scenario without its own")
    parser.add_argument("--in-flight", default="",
                        help="per scenario, e.g. surveys=20,api=10 (default: --concurrency)")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args(argv)
    counts = {"logins": args.logins, "failed_logins": args.failed_logins, "views": args.views,
              "dashboards": args.dashboards, "surveys": args.surveys, "api": args.api}
    chosen = [name for name in SCENARIOS if not args.only or name in args.only.split(",")]
    in_flight = {name: int(n) for name, n in
                 (item.split("=") for item in args.in_flight.split(",") if item)}
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder, \
            served(Path(folder), survey_client_posts=10 * max(args.surveys, 1)) as target:
        for name in chosen:
            results.append(asyncio.run(SCENARIOS[name](target, counts[name],
                                                       in_flight.get(name, args.concurrency))))
            print(f"  {name}: done in {results[-1].seconds:.1f} s", file=sys.stderr)
        intact, message = verify(target)
    widths = [max(len(HEADER[i]), *(len(r.row()[i]) for r in results)) for i in
              range(len(HEADER))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for result in results:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(result.row(), widths, strict=True))
              + " |")
    for result in results:
        if result.error_kinds:
            print(f"{result.name}: transport errors {dict(result.error_kinds)}")
    if _login_steps():
        print(_login_steps())
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"\naudit verify: {'intact' if intact else 'BROKEN'} — {message}")
    errors = sum(int(r.row()[6]) + int(r.row()[7]) for r in results)
    return 0 if intact and errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
