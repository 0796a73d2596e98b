"""Import latency probe: does `kraftsamling serve` keep answering while a large import runs,
and does its memory stay bounded on the bad-file corpus?

    PYTHONPATH=src python benchmarks/import_latency_bench.py --rows 1000000
    PYTHONPATH=src python benchmarks/import_latency_bench.py --rows 100000 --max-seconds 300

A real server (SQLite, its own data folder) is started with `kraftsamling serve`. First
`/healthz` is probed with nothing else running (the baseline of this run); then an analyst
uploads a generated persons table of ``--rows`` rows through /data/import while `/healthz`
is probed every 50 ms; p50, p99 and the slowest probe are printed beside the baseline. Then
every file of the bad-file corpus (tests/badfiles.py) is uploaded and the peak resident
memory of the server and its worker process (sampled every 50 ms) is printed. Target:
p99 ≤ 200 ms during a 1,000,000-row import; memory ≤ 1 GB on the bad files.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.badfiles import corpus  # noqa: E402

from kraftsamling.settings import load_settings  # noqa: E402
from kraftsamling.store import Database, Role, create_user  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "analys-lösen-123"  # noqa: S105 - a throw-away benchmark user
SECRET = "bench-secret-key-0123456789"  # noqa: S105


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class MemoryWatch:
    """Peak RSS of a process and its children, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                total = self.process.memory_info().rss + sum(
                    c.memory_info().rss for c in self.process.children(recursive=True))
            except psutil.Error:
                continue
            self.peak = max(self.peak, total)

    def __enter__(self) -> MemoryWatch:
        self.peak = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _probe(url: str, stop: threading.Event, waits: list[float], interval: float,
           path: str = "/healthz", cookies: httpx.Cookies | None = None,
           failures: list[str] | None = None) -> None:
    """GET ``path`` every ``interval`` s until ``stop``; a non-200 answer is a failure."""
    with httpx.Client(base_url=url, timeout=120, cookies=cookies) as client:
        while not stop.is_set():
            before = time.perf_counter()
            try:
                status = client.get(path).status_code
            except httpx.HTTPError as error:
                status = 0
                if failures is None:
                    raise
                failures.append(type(error).__name__)
            waits.append(time.perf_counter() - before)
            if status != 200:
                if failures is None:
                    raise RuntimeError(f"{path}: HTTP {status}")
                failures.append(f"HTTP {status}")
            time.sleep(interval)


JOB_RESULT = re.compile(r'id="job-result" href="([^"]+)"')


def _settle(client: httpx.Client, response: httpx.Response, timeout: float) -> httpx.Response:
    """An upload answers at once with its job's page (303 → /jobs/ID): poll that page until
    the import is over (200 done, 422 refused), as the browser's htmx does."""
    location = response.headers.get("location", "")
    if response.status_code != 303 or not location.startswith("/jobs/"):
        return response
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(location)
        if 'data-state="running"' not in page.text or time.monotonic() > deadline:
            return page
        time.sleep(0.2)


def _result(page: httpx.Response) -> str:
    found = JOB_RESULT.search(page.text)
    return found.group(1) if found else ""


def _csv(rows: int) -> bytes:
    lines = ["person_id;fodelsear;kon;stadsdel;inkomst"]
    districts = ("Ryd", "Skäggetorp", "Berga", "Rosengård", "Tensta")
    lines += [f"P{i};{1930 + i % 90};{'kvinna' if i % 2 else 'man'};{districts[i % 5]};"
              f"{(i * 37) % 40000},50" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--max-seconds", type=float, default=1800,
                        help="stop probing (and report) if the import takes longer")
    parser.add_argument("--skip-bad-files", action="store_true")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kraftsamling-bench-"))
    data = folder / "data"
    database = Database.for_settings(load_settings(data_dir=data, secret_key=SECRET))
    database.upgrade()
    with database.session() as session:
        create_user(session, username="analytiker", password=PASSWORD, role=Role.analyst)
    database.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRAFTSAMLING_")}
    env.update({"KRAFTSAMLING_DATA_DIR": str(data), "KRAFTSAMLING_SECRET_KEY": SECRET,
                "KRAFTSAMLING_COOKIE_SECURE": "false", "TMPDIR": str(folder)})
    executable = str(Path(sys.executable).with_name("kraftsamling"))
    command = [executable, "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env,  # noqa: S603 - our own command
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        client = httpx.Client(base_url=url, timeout=args.max_seconds + 60)
        token = CSRF.search(client.get("/login").text)
        assert token is not None
        client.post("/login", data={"username": "analytiker", "password": PASSWORD,
                                    "csrf_token": token.group(1)})
        form = CSRF.search(client.get("/data/import").text)
        assert form is not None
        # a small table whose record page is probed too: each view writes an audit event,
        # so it needs the database's write lock, which a long import holds
        small = _settle(client, client.post(
            "/data/import", files={"file": ("liten.csv", _csv(10))},
            data={"csrf_token": form.group(1), "schema_name": "personer"}), 600)
        table_path = _result(small)
        row_id = re.findall(rf'href="{table_path}/rows/(\d+)"', client.get(table_path).text)[0]
        record = f"{table_path}/rows/{row_id}"

        def probes(healthz: list[float], views: list[float], failures: list[str],
                   stop: threading.Event) -> list[threading.Thread]:
            threads = [threading.Thread(target=_probe, args=(url, stop, healthz, args.interval)),
                       threading.Thread(target=_probe, args=(url, stop, views, 0.5, record,
                                                             client.cookies, failures))]
            for thread in threads:
                thread.start()
            return threads

        idle: list[float] = []
        idle_views: list[float] = []
        idle_failures: list[str] = []
        stop = threading.Event()
        running = probes(idle, idle_views, idle_failures, stop)
        time.sleep(5)
        stop.set()
        for thread in running:
            thread.join()

        content = _csv(args.rows)
        waits: list[float] = []
        views: list[float] = []
        view_failures: list[str] = []
        stop = threading.Event()
        outcome: list[str] = []

        def upload() -> None:
            try:
                answer = client.post("/data/import", files={"file": ("stor.csv", content)},
                                     data={"csrf_token": form.group(1),
                                           "schema_name": "personer"})
                outcome.append(f"HTTP {answer.status_code} in "
                               f"{(time.perf_counter() - started) * 1000:.0f} ms → "
                               f"{answer.headers.get('location', '')}")
                page = _settle(client, answer, args.max_seconds)  # the import's own end
                outcome.append(f"job page HTTP {page.status_code} → {_result(page)}")
            except httpx.HTTPError as error:
                outcome.append(f"{type(error).__name__}")

        with MemoryWatch(server.pid) as memory:
            started = time.perf_counter()
            worker = threading.Thread(target=upload, daemon=True)
            worker.start()
            running = probes(waits, views, view_failures, stop)
            worker.join(timeout=args.max_seconds)
            took = time.perf_counter() - started
            stop.set()
            for thread in running:
                thread.join()
        status = "; ".join(outcome) if outcome else f"still running after {took:.0f} s"
        print(f"\nImport of {args.rows:,} rows ({len(content) / 1e6:.1f} MB): {status}, "
              f"{took:.1f} s, peak server memory {memory.peak / 2**20:.0f} MiB")
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print("| probe | when | probes | not 200 | p50 ms | p99 ms | slowest ms |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for label, when, values, failed in (
                ("/healthz", "idle (baseline, same run)", idle, []),
                ("/healthz", "during the import", waits, []),
                ("record page (audited)", "idle (baseline, same run)", idle_views,
                 idle_failures),
                ("record page (audited)", "during the import", views, view_failures)):
            print(f"| {label} | {when} | {len(values)} | {len(failed)} | "
                  f"{_percentile(values, 0.5) * 1000:.0f} | "
                  f"{_percentile(values, 0.99) * 1000:.0f} | {max(values) * 1000:.0f} |")
        if view_failures:
            print(f"record page failures: {sorted(set(view_failures))}")

        if args.skip_bad_files:
            return
        print("\n| bad file | HTTP | peak server memory MiB |")
        print("|---|---:|---:|")
        worst = 0
        for bad in corpus():
            with MemoryWatch(server.pid) as memory:
                response = _settle(client, client.post(
                    "/data/import", files={"file": (bad.name, bad.content)},
                    data={"csrf_token": form.group(1), "schema_name": "personer"}), 600)
            worst = max(worst, memory.peak)
            said = re.search(r'id="job-line"[^>]*>([^<]*)<', response.text)
            note = "" if response.status_code == 422 else \
                f" ({said.group(1) if said else response.headers.get('location', '')})"
            print(f"| {bad.key} | {response.status_code}{note} | {memory.peak / 2**20:.0f} |")
        print(f"\nPeak over the bad-file corpus: {worst / 2**20:.0f} MiB (target ≤ 1024)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
