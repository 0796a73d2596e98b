"""Add a training author's answers to autolarm's shipped training data.

    .venv/bin/python scripts/add_training_answers.py WRITER.jsonl NAME

Writes ``src/kraftsamling/autolarm/data/training_answers_NAME.jsonl`` (text, level,
categories) from a writer's JSON lines. Dropped, so that no independent answer is trained on
and no answer stands in two files: answers that occur in any independent set under
``benchmarks/data/autolarm-independent*`` or in another training or seed file, compared after
lower-casing and removing punctuation. Prints what it kept and dropped.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "kraftsamling" / "autolarm" / "data"


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _texts(path: Path) -> set[str]:
    if path.suffix == ".txt":  # the seed files: one answer a line under [level] headers
        return {_key(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith(("#", "["))}
    return {_key(json.loads(line)["text"])
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def main(source: Path, name: str) -> None:
    target = DATA / f"training_answers_{name}.jsonl"
    independent: set[str] = set()
    for path in sorted((ROOT / "benchmarks" / "data").glob("autolarm-independent*/answers.jsonl")):
        independent |= _texts(path)
    others: set[str] = set()
    for path in [*DATA.glob("seed_answers_*.txt"), *DATA.glob("training_answers_*.jsonl")]:
        if path != target:
            others |= _texts(path)
    kept, dropped = [], Counter[str]()
    seen: set[str] = set()
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        key = _key(row["text"])
        reason = ("in an independent set" if key in independent else
                  "in another training file" if key in others else
                  "twice in this file" if key in seen else "")
        seen.add(key)
        if reason:
            dropped[reason] += 1
            continue
        kept.append({"text": row["text"], "level": row["level"],
                     "categories": list(row.get("categories") or [])})
    with target.open("w", encoding="utf-8") as handle:
        for row in kept:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    levels = Counter(row["level"] for row in kept)
    print(f"{target.relative_to(ROOT)}: {len(kept)} answers ({dict(levels)}); "
          f"dropped {dict(dropped) or 0}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2])
