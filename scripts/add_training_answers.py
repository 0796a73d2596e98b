"""Add a training author's answers to autolarm's shipped training data, and keep every
training file clean of the independent sets.

    .venv/bin/python scripts/add_training_answers.py WRITER.jsonl NAME
    .venv/bin/python scripts/add_training_answers.py --clean

The first writes ``src/kraftsamling/autolarm/data/training_answers_NAME.jsonl`` (text, level,
categories) from a writer's JSON lines. Dropped, so that no independent answer is trained on
and no answer stands in two files: answers that occur in any independent set under
``benchmarks/data/autolarm-independent*`` or in another training or seed file, compared after
lower-casing and removing punctuation (an answer without letters or digits, such as an emoji,
is compared as written). Prints what it kept and dropped.

Both then clean every shipped training file against every independent set (run ``--clean``
alone after an independent set is added): a training answer that stands in an independent set
is removed from its ``training_answers_*.jsonl``, and a seed line (``seed_answers_*.txt``) is
removed when the answer as written or one of the spelling variants ``load_seed`` makes of it
does. Prints every answer it removed. ``tests/autolarm/test_training_data.py`` checks the
result.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from kraftsamling.autolarm import load_seed

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "kraftsamling" / "autolarm" / "data"
INDEPENDENT = ROOT / "benchmarks" / "data"


def _key(text: str) -> str:
    """An answer without case and punctuation; one without any word as written (so that
    ``🙁🙁🙁`` and ``:)`` are not the same answer)."""
    words = re.findall(r"\w+", text.lower())
    return " ".join(words) if words else "".join(text.split())


def _texts(path: Path) -> set[str]:
    if path.suffix == ".txt":  # the seed files: one answer a line under [level] headers
        return {_key(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith(("#", "["))}
    return {_key(json.loads(line)["text"])
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def independent_keys() -> set[str]:
    keys: set[str] = set()
    for path in sorted(INDEPENDENT.glob("autolarm-independent*/answers.jsonl")):
        keys |= _texts(path)
    return keys


def clean() -> None:
    """Remove from every training and seed file each answer that stands in an independent set."""
    independent = independent_keys()
    removed: list[tuple[str, str, str]] = []
    for path in sorted(DATA.glob("training_answers_*.jsonl")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        kept = []
        for line in lines:
            row = json.loads(line)
            if _key(row["text"]) in independent:
                removed.append((path.name, row["level"], row["text"]))
            else:
                kept.append(line)
        if len(kept) != len(lines):
            path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    # A seed line goes when any variant load_seed makes of it stands in an independent set.
    seed = load_seed(training=())
    originals = {a.group: a.text for a in seed if a.variant == "original"}
    bad = {originals[a.group] for a in seed if _key(a.text) in independent}
    for path in sorted(DATA.glob("seed_answers_*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [raw for raw in lines if raw.strip() not in bad or raw.startswith(("#", "["))]
        if len(kept) != len(lines):
            for raw in lines:
                if raw.strip() in bad:
                    removed.append((path.name, "(seed)", raw.strip()))
            path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    for name, level, text in removed:
        print(f"removed from {name} ({level}): {text!r}")
    print(f"{len(removed)} answers removed: they stand in an independent set")


def main(source: Path, name: str) -> None:
    target = DATA / f"training_answers_{name}.jsonl"
    independent = independent_keys()
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
    if sys.argv[1:] == ["--clean"]:
        clean()
    elif len(sys.argv) == 3:
        main(Path(sys.argv[1]), sys.argv[2])
        clean()
    else:
        sys.exit(__doc__)
