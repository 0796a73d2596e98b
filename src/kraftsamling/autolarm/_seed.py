"""The hand-written Swedish seed set: parsed, expanded with spelling variants, split.

The split is by base sentence (a stable hash of it), so an answer and its misspelled
variants are always on the same side: the held-out part measures new sentences, not new
spellings of sentences the model has seen.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from kraftsamling.autolarm._taxonomy import Category, Level

__all__ = ["SEED_FILES", "TRAINING_FILES", "SeedAnswer", "load_seed"]

DATA_DIR = Path(__file__).parent / "data"
SEED_FILES = tuple(sorted(DATA_DIR.glob("seed_answers_*.txt")))
# Answers written by other authors for training (JSON lines: text, level, categories), each
# file one author; they are used as written, without generated spelling variants.
TRAINING_FILES = tuple(sorted(DATA_DIR.glob("training_answers_*.jsonl")))
HEADER = re.compile(r"^\[(urgent|concern|none)(?::\s*([\w, ]+))?\]$")
CHAT = {"jag": "ja", "är": "e", "och": "o", "inte": "int", "mig": "mej", "dig": "dej",
        "någon": "nån", "något": "nåt", "det": "de", "vad": "va", "sig": "sej", "alltså": "asså"}
TEST_SHARE = 5  # one base sentence in five is held out


@dataclass(frozen=True)
class SeedAnswer:
    text: str
    level: Level
    categories: tuple[Category, ...]
    group: str  # the base sentence's id: variants share it
    variant: str  # original, chat or typo
    split: str  # train or test
    author: str = "team"  # who wrote it: choices are judged across authors


def _held_out(bases: list[tuple[str, Level]]) -> set[str]:
    """Every fifth base sentence of each level, in the order of a stable hash: a fixed,
    stratified split that does not depend on where a sentence stands in the files."""
    held: set[str] = set()
    for level in Level:
        ordered = sorted((hashlib.sha256(b.encode()).hexdigest(), b) for b, lv in bases
                         if lv is level)
        held.update(base for i, (_, base) in enumerate(ordered) if i % TEST_SHARE == 0)
    return held


def _chat(text: str, rng: random.Random) -> str:
    words = [CHAT.get(w, w) for w in re.findall(r"[\wåäöÅÄÖ]+", text.lower())]
    return " ".join(words)


def _typo(text: str, rng: random.Random) -> str:
    words = re.findall(r"[\wåäöÅÄÖ]+", text.lower())
    if len(words) <= 5 and rng.random() < 0.5:
        return "".join(words)  # jagvillinteleva
    out = []
    for word in words:
        if rng.random() < 0.5:
            word = word.translate(str.maketrans("åäö", "aao"))
        if len(word) >= 6 and rng.random() < 0.3:
            i = rng.randrange(1, len(word) - 2)
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if len(word) >= 3 and rng.random() < 0.1:
            word = word + word[-1] * 2
        out.append(word)
    return " ".join(out)


def _bases(files: tuple[Path, ...]) -> list[tuple[str, Level, tuple[Category, ...]]]:
    bases: list[tuple[str, Level, tuple[Category, ...]]] = []
    for path in files:
        level = Level.none
        categories: tuple[Category, ...] = ()
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            header = HEADER.match(line)
            if header:
                level = Level(header.group(1))
                categories = tuple(Category(c.strip()) for c in (header.group(2) or "").split(",")
                                   if c.strip())
                continue
            bases.append((line, level, categories))
    return bases


def _written(path: Path) -> list[SeedAnswer]:
    author = path.stem.removeprefix("training_answers_")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    bases = [(str(r["text"]), Level(r["level"])) for r in rows]
    held = _held_out(bases)
    return [SeedAnswer(text, level, tuple(Category(c) for c in r.get("categories") or ()),
                       hashlib.sha256(text.encode()).hexdigest()[:12], "original",
                       "test" if text in held else "train", author)
            for (text, level), r in zip(bases, rows, strict=True)]


def load_seed(files: tuple[Path, ...] = SEED_FILES,
              training: tuple[Path, ...] = TRAINING_FILES) -> list[SeedAnswer]:
    """The team's seed answers with their spelling variants, then every other author's
    training answers; each split one base answer in five held out."""
    answers: list[SeedAnswer] = []
    bases = _bases(files)
    held = _held_out([(line, level) for line, level, _ in bases])
    for line, level, categories in bases:
        group = hashlib.sha256(line.encode()).hexdigest()[:12]
        split = "test" if line in held else "train"
        rng = random.Random(group)  # noqa: S311 - deterministic variants, not secrets
        seen = set()
        for variant, text in (("original", line), ("chat", _chat(line, rng)),
                              ("typo", _typo(line, rng))):
            if text in seen:
                text = _typo(line, rng)
            seen.add(text)
            answers.append(SeedAnswer(text, level, categories, group, variant, split))
    seen = {a.group for a in answers}
    for path in training:
        # A text another author already wrote is theirs: one group, one side of the split.
        written = [a for a in _written(path) if a.group not in seen]
        seen.update(a.group for a in written)
        answers.extend(written)
    return answers
