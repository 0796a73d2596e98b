"""Same spans before and after a change that must not change outputs (issue 21, speed).

    PYTHONPATH=src python benchmarks/privacy_same_spans.py dump new.json
    PYTHONPATH=<old checkout>/src python benchmarks/privacy_same_spans.py dump old.json
    python benchmarks/privacy_same_spans.py compare old.json new.json
    PYTHONPATH=<checkout>/src python benchmarks/privacy_same_spans.py rate   # texts/s, 3 s

``rate`` analyses the first 500 texts of the generated set (seed 2026, privacy_bench.py's
short texts) for three seconds after one warm-up pass and prints texts per second; run it
alternately on the old and the new checkout in one session, as the figures need.

Texts: every sentence of the Swedish NER test split, every sentence of the independent names
corpus (spans are only compared between two versions, nothing is scored or tuned), the
generated set of privacy_bench.py (seed 2026) and every string literal in tests/privacy.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from privacy_bench import (
    DATA,
    INDEPENDENT,
    read_independent,
    throughput,
)

from kraftsamling.privacy import Analyzer, read_conll
from kraftsamling.privacy._synth import generate_texts

ROOT = Path(__file__).resolve().parents[1]


def texts() -> list[str]:
    found = [" ".join(words) for words, _ in read_conll(DATA / "swedish-ner" / "test_corpus.txt")]
    found += [str(row["text"]) for row in read_independent(INDEPENDENT)]
    found += [g.text for g in generate_texts(3000, seed=2026)]
    for path in sorted((ROOT / "tests" / "privacy").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(node.value)
    return found


def rate() -> None:
    analyzer = Analyzer.from_config()
    short = [g.text for g in generate_texts(3000, seed=2026)[:500]]
    for text in short:
        analyzer.analyze(text)
    print(f"{throughput(analyzer.analyze, short, seconds=3.0):.0f} texts/s")


def main() -> None:
    if sys.argv[1] == "rate":
        rate()
        return
    if sys.argv[1] == "dump":
        analyzer = Analyzer.from_config()
        rows = [[text, [[s.start, s.end, s.entity_type, s.score]
                        for s in analyzer.analyze(text)]] for text in texts()]
        Path(sys.argv[2]).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        print(f"{len(rows)} texts, {sum(len(r[1]) for r in rows)} spans")
        return
    old = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    new = json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))
    assert [r[0] for r in old] == [r[0] for r in new], "not the same texts"
    diffs = sum(a[1] != b[1] for a, b in zip(old, new, strict=True))
    print(f"{len(old)} texts, {sum(len(r[1]) for r in old)} spans; texts with other spans: "
          f"{diffs}")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
