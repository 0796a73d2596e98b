"""Does a change to the pseudonymiser change what the chat models are trained on? (issue 22)

    PYTHONPATH=<old checkout>/src python benchmarks/chat_training_text.py dump old.json
    PYTHONPATH=src python benchmarks/chat_training_text.py dump new.json
    python benchmarks/chat_training_text.py compare old.json new.json

``chat_bench.py`` passes every ESConv message through the default recognisers before the
chat models see it, so a new name tagger changes the training text and with it the chat
figures, with no change to the chat code. ``dump`` writes the pseudonymised messages of
ESConv train and test; ``compare`` counts the messages that differ and prints the commonest
word replacements (words only, never whole messages).
"""

from __future__ import annotations

import difflib
import json
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "esconv"


def dump(path: Path) -> None:
    from kraftsamling.chat import read_esconv
    from kraftsamling.privacy import Pseudonymization

    tagger = Pseudonymization.with_default_recognizers(b"benchmark").tagger()
    messages = [m.text for split in ("train", "test")
                for c in read_esconv(DATA / f"{split}.jsonl", pseudonymizer=tagger)
                for m in c.messages]
    path.write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")
    print(f"{len(messages)} messages")


def compare(old_path: Path, new_path: Path) -> None:
    old = json.loads(old_path.read_text(encoding="utf-8"))
    new = json.loads(new_path.read_text(encoding="utf-8"))
    assert len(old) == len(new), "not the same messages"
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    words: Counter[tuple[str, str]] = Counter()
    for a, b in changed:
        left, right = a.split(), b.split()
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, left, right).get_opcodes():
            if tag != "equal":
                words[(" ".join(left[i1:i2]), " ".join(right[j1:j2]))] += 1
    print(f"{len(old)} messages; {len(changed)} differ")
    for (before, after), count in words.most_common(12):
        print(f"{count:5d}  {before!r} -> {after!r}")


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(Path(sys.argv[2]))
    else:
        compare(Path(sys.argv[2]), Path(sys.argv[3]))
