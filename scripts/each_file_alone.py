"""Run every test file alone, each in its own pytest process, and print a table.

A file that passes only when another file ran first (a fixture, a registration, a table
created by someone else's import) fails here. Usage, from the repository root:

    nice -n 10 python scripts/each_file_alone.py                 # every tests/**/test_*.py
    nice -n 10 python scripts/each_file_alone.py tests/store ... # these files or folders first

Files named on the command line run in that order; with ``--all`` the remaining files run
after them. Nothing is skipped. Exits 1 if any file fails (pytest's exit code 5, "no tests
collected", counts as a failure too: a file that collects nothing alone is broken).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


def test_files(named: list[str], everything: bool) -> list[Path]:
    """The files to run: those named (folders expanded) in order, then the rest if asked."""
    chosen: list[Path] = []
    for name in named:
        path = (ROOT / name).resolve() if not Path(name).is_absolute() else Path(name)
        found = sorted(path.rglob("test_*.py")) if path.is_dir() else [path]
        chosen.extend(p for p in found if p not in chosen)
    if everything or not named:
        chosen.extend(p for p in sorted(TESTS.rglob("test_*.py")) if p not in chosen)
    return chosen


def run_alone(path: Path, timeout: float) -> tuple[str, float, str]:
    """Run one file in a fresh interpreter: its status, seconds and pytest's last line."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    started = time.monotonic()
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and pytest
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             str(path.relative_to(ROOT))],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started, f"over {timeout:.0f} s"
    seconds = time.monotonic() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1] if lines else (done.stderr.strip().splitlines() or [""])[-1]
    status = "ok" if done.returncode == 0 else f"FAIL ({done.returncode})"
    failed = [line.split(" - ")[0].removeprefix("FAILED ") for line in done.stdout.splitlines()
              if line.startswith(("FAILED ", "ERROR "))]
    return status, seconds, "; ".join([summary.strip("= "), *failed])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="test files or folders to run first")
    parser.add_argument("--all", action="store_true", help="then every other test file")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per file")
    args = parser.parse_args()
    files = test_files(args.paths, args.all)
    rows = []
    for path in files:
        status, seconds, summary = run_alone(path, args.timeout)
        rows.append((str(path.relative_to(ROOT)), status, seconds, summary))
        print(f"{rows[-1][0]:<48} {status:<9} {seconds:7.1f} s  {summary}", flush=True)
    failed = [r for r in rows if r[1] != "ok"]
    width = max((len(r[0]) for r in rows), default=10)
    print()
    print(f"| {'file':<{width}} | status    | seconds | pytest says")
    print(f"|{'-' * (width + 2)}|-----------|---------|------------")
    for name, status, seconds, summary in rows:
        print(f"| {name:<{width}} | {status:<9} | {seconds:7.1f} | {summary}")
    print(f"\n{len(rows) - len(failed)} of {len(rows)} files pass alone"
          + (f"; failing: {', '.join(r[0] for r in failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
