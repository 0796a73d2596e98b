"""How long the README's demo takes to serve, first and second start (issue 25).

    python benchmarks/demo_start_bench.py [--cold] [--runs 2]

Each run starts `kraftsamling demo` in a fresh data folder on a free port and times, from
launch, until `/healthz` answers ("ready") and until the log says "Demodata klara." ("all
data"). `--cold` uses an empty model cache for the first run (models trained as on a new
machine); later runs reuse that cache (a second start). Baseline in the same run: the time
`kraftsamling --help` takes (Python's start and the CLI's imports), so a loaded machine
shows as a larger baseline too. Prints a table and the load average.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

EXECUTABLE = str(Path(sys.executable).with_name("kraftsamling"))


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _baseline(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([EXECUTABLE, "--help"], env=env, capture_output=True,  # noqa: S603
                   check=True)
    return time.perf_counter() - started


def _run(folder: Path, env: dict[str, str], limit: float) -> tuple[float, float]:
    port = _port()
    log = folder / "demo.log"
    started = time.perf_counter()
    with log.open("w") as sink:
        process = subprocess.Popen([EXECUTABLE, "demo",  # noqa: S603 "--data-dir", str(folder / "data"),
                                    "--port", str(port)], stdout=sink,
                                   stderr=subprocess.STDOUT, env=env)
    ready = done = float("nan")
    try:
        while time.perf_counter() - started < limit and process.poll() is None:
            if ready != ready:  # not yet ready
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code \
                            == 200:
                        ready = time.perf_counter() - started
                except httpx.TransportError:
                    pass
            if "Demodata klara." in log.read_text(encoding="utf-8", errors="replace"):
                done = time.perf_counter() - started
                break
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return ready, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", action="store_true", help="empty model cache first")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--limit", type=float, default=1800.0, help="seconds per run")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KRAFTSAMLING_")}
        env.update({"PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "200"})
        if options.cold:
            env["XDG_CACHE_HOME"] = str(Path(scratch) / "cache")
        rows = []
        for run in range(options.runs):
            folder = Path(scratch) / f"run{run}"
            folder.mkdir()
            load = os.getloadavg()[0]
            baseline = _baseline(env)
            ready, done = _run(folder, env, options.limit)
            kind = "first (empty cache)" if options.cold and run == 0 else "warm cache"
            rows.append((run + 1, kind, load, baseline, ready, done))
    print("| run | models | load (1 min) | baseline `--help` | ready | ready / baseline "
          "| all data |")
    print("|---|---|---|---|---|---|---|")
    for run, kind, load, baseline, ready, done in rows:
        print(f"| {run} | {kind} | {load:.1f} | {baseline:.1f} s | {ready:.1f} s | "
              f"{ready / baseline:.1f} × | {done:.0f} s |")


if __name__ == "__main__":
    main()
