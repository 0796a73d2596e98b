"""Autolarm benchmark: the held-out split, API latency, and batch throughput.

    .venv/bin/python benchmarks/autolarm_bench.py [--batch 5000] [--latency-requests 300]

The detector is trained on the seed set's train split only; the held-out split (every fifth
hand-written base answer of each level, with its spelling variants) is reported here and
nowhere used for choices. Latency is measured through the real HTTP API (uvicorn on
127.0.0.1) one answer per request; throughput by `score_file` on a generated CSV.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
import uvicorn

from kraftsamling.autolarm import (
    Category,
    Detector,
    Level,
    load_seed,
    score_file,
    train_seed_detector,
)
from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import load_settings
from kraftsamling.store import Database
from kraftsamling.web import create_app

TARGETS = {"urgent recall": "≥ 0.95", "urgent precision": "≥ 0.80", "none → urgent": "≤ 0.03",
           "p99": "≤ 100 ms", "batch": "≥ 200 answers/s"}


def _levels_from_rules(detector: Detector, texts: list[str]) -> list[tuple[Level, set[str]]]:
    out = []
    for text in texts:
        active = [h for h in detector.rules.analyze(text) if h.active]
        level = max((h.level for h in active), key=lambda lv: lv.rank, default=Level.none)
        out.append((level, {h.category.value for h in active}))
    return out


def _levels_from_classifier(detector: Detector, texts: list[str]
                            ) -> list[tuple[Level, set[str]]]:
    levels, categories = detector.classifier_.level_and_category_proba(texts)
    names = list(levels)
    matrix = np.column_stack([levels[n] for n in names])
    out = []
    for i in range(len(texts)):
        level = Level(names[int(np.argmax(matrix[i]))])
        cats = {c for c, p in categories.items() if p[i] >= 0.5} if level is not Level.none \
            else set()
        out.append((level, cats))
    return out


def _levels_combined(detector: Detector, texts: list[str]) -> list[tuple[Level, set[str]]]:
    return [(a.level, {c.value for c in a.categories}) for a in detector.assess(texts)]


def report(name: str, predicted: list[tuple[Level, set[str]]], gold: list[tuple[Level, set[str]]]
           ) -> dict[str, float]:
    urgent_pred = np.array([p[0] is Level.urgent for p in predicted])
    urgent_true = np.array([g[0] is Level.urgent for g in gold])
    none_true = np.array([g[0] is Level.none for g in gold])
    recall = float((urgent_pred & urgent_true).sum() / urgent_true.sum())
    precision = float((urgent_pred & urgent_true).sum() / max(urgent_pred.sum(), 1))
    raised = float((urgent_pred & none_true).sum() / none_true.sum())
    exact = float(np.mean([p[0] is g[0] for p, g in zip(predicted, gold, strict=True)]))
    print(f"| {name} | {recall:.3f} | {precision:.3f} | {raised:.3f} | {exact:.3f} |")
    return {"recall": recall, "precision": precision, "raised": raised}


def category_recall(predicted: list[tuple[Level, set[str]]], gold: list[tuple[Level, set[str]]]
                    ) -> dict[str, tuple[float, int]]:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for (_, p_cats), (_, g_cats) in zip(predicted, gold, strict=True):
        for category in g_cats:
            totals[category] += 1
            hits[category] += category in p_cats
    return {c.value: (hits[c.value] / totals[c.value], totals[c.value])
            for c in Category if totals[c.value]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def latency(detector: Detector, texts: list[str], requests: int) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp())
    settings = load_settings(data_dir=folder, api_tokens={"bench": "bench-token"},
                             cookie_secure=False)
    database = Database.for_settings(settings)
    database.upgrade()
    app = create_app(settings, database=database)
    app.state.detector = detector
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    timings = []
    rng = random.Random(1)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}",
                      headers={"Authorization": "Bearer bench-token"}) as client:
        for _ in range(20):  # warm up
            client.post("/api/autolarm/score", json={"text": rng.choice(texts)})
        for _ in range(requests):
            start = time.perf_counter()
            response = client.post("/api/autolarm/score", json={"text": rng.choice(texts)})
            timings.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    server.should_exit = True
    thread.join(timeout=10)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def _answers_file(n: int, texts: list[str], harmless: list[str], harmless_share: float, *,
                  seed: int) -> Path:
    """A CSV of n answers in a new folder: ``harmless_share`` drawn from ``harmless``."""
    source = Path(tempfile.mkdtemp()) / "svar.csv"
    rng = random.Random(seed)
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        for i in range(n):
            pool = harmless if harmless and rng.random() < harmless_share else texts
            writer.writerow([i, rng.choice(pool)])
    return source


def batch(detector: Detector, texts: list[str], n: int, *, none_texts: list[str] | None = None,
          none_share: float = 0.0) -> tuple[float, float]:
    """Answers per second through score_file; ``none_share`` of them drawn from harmless
    answers, as in a real survey where most pupils write nothing alarming."""
    source = _answers_file(n, texts, none_texts or [], none_share, seed=2)
    folder = source.parent
    start = time.perf_counter()
    stats = score_file(source, folder / "ut.csv", detector=detector,
                       tagger=Pseudonymization.with_default_recognizers(b"bench").tagger())
    elapsed = time.perf_counter() - start
    assert stats.rows == n
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return n / elapsed, peak_mb


def large_file(texts: list[str], harmless: list[str], n: int) -> tuple[float, float]:
    """The CLI on an n-answer survey-mix file, in its own process: answers/s and the
    process's peak memory (MB) — the same for 10,000 and 100,000 answers if bounded."""
    import os
    import shutil
    import subprocess
    import sys

    source = _answers_file(n, texts, harmless, 0.9, seed=3)
    folder = source.parent
    # The CLI in a fresh interpreter that reports its own peak memory as it exits.
    probe = ("import atexit, resource, sys\n"
             "atexit.register(lambda: print('PEAK', resource.getrusage(resource.RUSAGE_SELF)"
             ".ru_maxrss, file=sys.stderr))\n"
             "from kraftsamling.cli import app\n"
             "app(sys.argv[1:], prog_name='kraftsamling')\n")
    environment = {**os.environ, "KRAFTSAMLING_DATA_DIR": str(folder / "data")}
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", probe, "autolarm", "score", str(source), "-o",
         str(folder / "ut.csv")], env=environment, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    peak_kb = [int(line.split()[1]) for line in done.stderr.splitlines()
               if line.startswith("PEAK")]
    if not peak_kb:
        raise RuntimeError(done.stderr)
    shutil.rmtree(folder)
    return n / elapsed, peak_kb[-1] / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--latency-requests", type=int, default=300)
    parser.add_argument("--large", type=int, nargs="*", default=[],
                        help="also score files this large through the CLI, e.g. 10000 100000")
    args = parser.parse_args()

    seed = load_seed()
    train = [a for a in seed if a.split == "train"]
    test = [a for a in seed if a.split == "test"]
    start = time.perf_counter()
    detector = train_seed_detector()
    print(f"Trained on {len(train)} answers in {time.perf_counter() - start:.0f} s; "
          f"held-out: {len(test)} answers "
          f"({dict(Counter(a.level.value for a in test))}); "
          f"urgent threshold {detector.urgent_threshold_:.2f}\n")
    texts = [a.text for a in test]
    gold = [(a.level, {c.value for c in a.categories}) for a in test]
    print("| held-out | urgent recall | urgent precision | none → urgent | level accuracy |")
    print("|---|---|---|---|---|")
    results = {
        "rules alone": _levels_from_rules(detector, texts),
        "classifier alone": _levels_from_classifier(detector, texts),
        "combined": _levels_combined(detector, texts),
    }
    for name, predicted in results.items():
        report(name, predicted, gold)
    print(f"| target | {TARGETS['urgent recall']} | {TARGETS['urgent precision']} "
          f"| {TARGETS['none → urgent']} | |")

    print("\n| category | n | rules alone | classifier alone | combined |")
    print("|---|---|---|---|---|")
    per = {name: category_recall(predicted, gold) for name, predicted in results.items()}
    for category, (_, n) in per["combined"].items():
        row = " | ".join(f"{per[name][category][0]:.2f}" for name in results)
        print(f"| {category} | {n} | {row} |")

    misses = [(a.variant, a.text) for a, (level, _) in zip(test, results["combined"],
                                                            strict=True)
              if a.level is Level.urgent and level is not Level.urgent]
    print(f"\nUrgent answers the combined detector missed ({len(misses)}):")
    for variant, text in misses:
        print(f"- ({variant}) {text}")

    all_texts = [a.text for a in seed]
    harmless = [a.text for a in seed if a.level is Level.none]
    p50, p99 = latency(detector, all_texts, args.latency_requests)
    stress, _ = batch(detector, all_texts, args.batch)
    typical, peak = batch(detector, all_texts, args.batch, none_texts=harmless, none_share=0.9)
    print("\n| measure | value | target |")
    print("|---|---|---|")
    print(f"| single-answer API latency p50 | {p50:.1f} ms | |")
    print(f"| single-answer API latency p99 | {p99:.1f} ms | {TARGETS['p99']} |")
    print(f"| batch, {args.batch:,} answers, survey mix (90 % harmless) | {typical:,.0f} "
          f"answers/s | {TARGETS['batch']} |")
    print(f"| batch, {args.batch:,} answers, seed mix (two thirds flagged) | {stress:,.0f} "
          f"answers/s | {TARGETS['batch']} |")
    print(f"| peak memory of the whole run | {peak:,.0f} MB | |")
    for n in args.large:
        rate, child_peak = large_file(all_texts, harmless, n)
        print(f"| `kraftsamling autolarm score`, {n:,} answers (survey mix) | {rate:,.0f} "
              f"answers/s, peak {child_peak:,.0f} MB | bounded memory |")


if __name__ == "__main__":
    main()
