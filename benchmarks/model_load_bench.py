"""How long a stored model takes to read: the model store's format against joblib's.

    PYTHONPATH=src python benchmarks/model_load_bench.py [--rows 1200] [--repeats 5]

Trains the cases models on generated economic-assistance data (what `cases train` stores:
a risk model and one effect model per intervention), writes them once with ``joblib.dump``
(earlier versions' format) and once through the model store, and reads each file
``--repeats`` times, alternating, each read in a fresh interpreter (what every CLI command
does). Prints the median seconds per read, the ratio and the file sizes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib

from kraftsamling.cases import synthetic_economic_assistance, train_case_models

READ = ("import sys, time; from kraftsamling.cases import CaseModels; "
        "t = time.perf_counter(); CaseModels.load(__import__('pathlib').Path(sys.argv[1])); "
        "print(time.perf_counter() - t)")


def read_seconds(path: Path) -> float:
    done = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True,  # noqa: S603
                          text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cases = synthetic_economic_assistance(args.rows, seed=0)
    started = time.perf_counter()
    models = train_case_models(cases.data, kind="economic-assistance", n_boot=50)
    print(f"trained on {args.rows} rows in {time.perf_counter() - started:.0f} s")
    with tempfile.TemporaryDirectory() as folder:
        old, new = Path(folder) / "joblib.joblib", Path(folder) / "store.joblib"
        joblib.dump(models, old)
        models.save(new)
        times: dict[str, list[float]] = {"joblib.dump (earlier versions)": [],
                                         "model store (pickle 5 + header)": []}
        for _ in range(args.repeats):
            times["joblib.dump (earlier versions)"].append(read_seconds(old))
            times["model store (pickle 5 + header)"].append(read_seconds(new))
        sizes = {"joblib.dump (earlier versions)": old.stat().st_size,
                 "model store (pickle 5 + header)": new.stat().st_size}
    base = statistics.median(times["joblib.dump (earlier versions)"])
    print(f"\n| file written by | median read s ({args.repeats} fresh processes) | "
          "ratio to joblib | MB |")
    print("|---|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {median / base:.2f} | {sizes[name] / 1e6:.1f} |")


if __name__ == "__main__":
    main()
