"""Privacy benchmark: Kraftsamling's recognisers against Microsoft Presidio, same data, same run.

    .venv/bin/python benchmarks/privacy_bench.py            # needs: pip install -e ".[bench]"

(a) PER tokens of the Swedish NER test split (Webbnyheter 2012, Språkbanken, CC BY 4.0),
(a2) name words of the independent names corpus (``benchmarks/data/names-independent/``:
case and school notes, chat and SMS written by helpers who never saw this repository; never
trained or tuned on), per register and per kind of name, (b) a generated Swedish set (seed
2026; development used other seeds) covering every entity
type in case notes, chat lines and SMS style, (c) throughput in short texts per second on
one core, (d) the share of words taken for person names in English support chats (ESConv
validation, all messages): almost none of them is a name, so the share is over-redaction that
mutilates English chats before analysis. Presidio is configured as well as it can be offline
for Swedish: its Swedish personnummer and organisationsnummer recognisers, phone numbers
for region SE, e-mail, and a blank Swedish spaCy pipeline (no Swedish NER model can be
downloaded here).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from kraftsamling.privacy import Analyzer, read_conll
from kraftsamling.privacy._synth import GeneratedText, generate_texts

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
INDEPENDENT = Path(__file__).resolve().parent / "data" / "names-independent"
WORD = re.compile(r"\w+(?:[-'’:]\w+)*")
PRESIDIO_TYPES = {
    "SE_PERSONNUMMER": "PERSONNUMMER",
    "SE_ORGANISATIONSNUMMER": "ORGANISATIONSNUMMER",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "PERSON": "PERSON",
}
TARGETS = {
    "PERSONNUMMER": "R 1.00, P ≥ 0.98",
    "PHONE": "R 1.00, P ≥ 0.98",
    "EMAIL": "R 1.00, P ≥ 0.98",
    "PER tokens": "R ≥ 0.95 at P ≥ 0.90",
    "lower": "R ≥ 0.95",
    "other words": "≤ 0.5 %",
    "throughput": "≥ 5,000 texts/s, faster than Presidio",
}

Found = list[tuple[int, int, str]]
Detector = Callable[[str], Found]


def ours() -> Detector:
    analyzer = Analyzer.from_config()
    return lambda text: [(s.start, s.end, s.entity_type) for s in analyzer.analyze(text)]


def presidio() -> Detector:
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer
    from presidio_analyzer.predefined_recognizers.country_specific.sweden import (
        se_organisationsnummer_recognizer as se_org,
    )
    from presidio_analyzer.predefined_recognizers.country_specific.sweden import (
        se_personnummer_recognizer as se_pnr,
    )

    # Offline: tldextract would fetch the public suffix list; use its bundled snapshot.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    model_dir = Path(tempfile.mkdtemp()) / "sv_blank"
    spacy.blank("sv").to_disk(model_dir)
    engine = SpacyNlpEngine(models=[{"lang_code": "sv", "model_name": str(model_dir)}])
    registry = RecognizerRegistry(supported_languages=["sv"])
    for recognizer in (
        se_pnr.SePersonnummerRecognizer(supported_language="sv"),
        se_org.SeOrganisationsnummerRecognizer(supported_language="sv"),
        PhoneRecognizer(supported_language="sv", supported_regions=("SE",)),
        EmailRecognizer(supported_language="sv"),
    ):
        registry.add_recognizer(recognizer)
    engine_analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine,
                                     supported_languages=["sv"])

    def detect(text: str) -> Found:
        results = engine_analyzer.analyze(text, language="sv")
        return [(r.start, r.end, PRESIDIO_TYPES.get(r.entity_type, r.entity_type))
                for r in results]

    return detect


def span_scores(detect: Detector, texts: Sequence[GeneratedText]
                ) -> dict[str, tuple[float, float, int]]:
    """Per entity type: recall, precision and gold count; a hit is an overlapping span of
    the same type."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for item in texts:
        found = detect(item.text)
        for start, end, kind in item.spans:
            hit = any(k == kind and s < end and start < e for s, e, k in found)
            (tp if hit else fn)[kind] += 1
        for s, e, k in found:
            if not any(k == kind and s < end and start < e for start, end, kind in item.spans):
                fp[k] += 1
    kinds = sorted(set(tp) | set(fn))
    return {k: (tp[k] / max(tp[k] + fn[k], 1), tp[k] / max(tp[k] + fp[k], 1) if tp[k] + fp[k]
                else float("nan"), tp[k] + fn[k]) for k in kinds}


def per_token_scores(detect: Detector, sentences: Sequence[tuple[list[str], list[str]]]
                     ) -> tuple[float, float, int]:
    tp = fp = fn = 0
    for words, tags in sentences:
        text = " ".join(words)
        offsets = []
        position = 0
        for word in words:
            offsets.append((position, position + len(word)))
            position += len(word) + 1
        people = [(s, e) for s, e, k in detect(text) if k == "PERSON"]
        for (start, end), tag in zip(offsets, tags, strict=True):
            predicted = any(s < end and start < e for s, e in people)
            gold = tag == "PER"
            tp += predicted and gold
            fp += predicted and not gold
            fn += gold and not predicted
    return tp / max(tp + fn, 1), tp / max(tp + fp, 1) if tp + fp else float("nan"), tp + fn


def per_token_other_share(detect: Detector, sentences: Sequence[tuple[list[str], list[str]]]
                          ) -> float:
    """Share of the words that are not names that end up inside a PERSON span."""
    other = removed = 0
    for words, tags in sentences:
        text = " ".join(words)
        people = [(s, e) for s, e, k in detect(text) if k == "PERSON"]
        position = 0
        for word, tag in zip(words, tags, strict=True):
            start, end = position, position + len(word)
            position = end + 1
            if tag != "PER" and word[:1].isalnum():
                other += 1
                removed += any(s < end and start < e for s, e in people)
    return removed / max(other, 1)


def read_independent(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted(folder.glob("*/sentences.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    return rows


def independent_scores(detect: Detector, rows: Sequence[dict[str, object]]
                       ) -> dict[str, tuple[int, int, int]]:
    """Name words (``\\w+`` runs) of the independent corpus: per group, (true positives,
    false positives, gold name words); groups are 'all', each register and each kind of name
    ('possessive' for names in the genitive, 'foreign' for every foreign kind)."""
    counts: dict[str, list[int]] = {}

    def add(group: str, index: int) -> None:
        counts.setdefault(group, [0, 0, 0])[index] += 1

    for row in rows:
        text = str(row["text"])
        names = row["names"]
        assert isinstance(names, list)
        people = [(s, e) for s, e, k in detect(text) if k == "PERSON"]
        register = f"register {row['register']}"
        for match in WORD.finditer(text):
            start, end = match.span()
            gold = [n for n in names if n["start"] < end and start < n["end"]]
            hit = any(s < end and start < e for s, e in people)
            if gold:
                kind = str(gold[0]["kind"])
                groups = ["all", register, f"kind {kind}"]
                if gold[0].get("genitive"):
                    groups.append("kind possessive")
                if kind.startswith("foreign"):
                    groups.append("kind foreign (all)")
                for group in groups:
                    add(group, 2)
                    if hit:
                        add(group, 0)
            elif hit:
                add("all", 1)
                add(register, 1)
            if not gold:
                add("other words", 2)
                if hit:
                    add("other words", 0)
    return {group: (tp, fp, n) for group, (tp, fp, n) in counts.items()}


def throughput(detect: Detector, texts: Sequence[str], seconds: float = 5.0) -> float:
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            detect(text)
        done += len(texts)
    return done / (time.perf_counter() - start)


def english_name_share(detect: Detector, path: Path) -> tuple[float, int]:
    """Share of words inside PERSON spans, over every message of an ESConv file."""
    words = named = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            for turn in json.loads(line)["dialog"] if line.strip() else []:
                text = turn["text"]
                words += len(text.split())
                named += sum(len(text[start:end].split()) for start, end, kind in detect(text)
                             if kind == "PERSON")
    return named / max(words, 1), words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--generated", type=int, default=3000, help="generated texts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--independent", type=Path, default=INDEPENDENT)
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput run length")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    detectors: dict[str, Detector] = {"Kraftsamling": ours()}
    if not args.no_presidio:
        detectors["Presidio"] = presidio()
    test_split = read_conll(args.data / "swedish-ner" / "test_corpus.txt")
    generated = generate_texts(args.generated, seed=args.seed)
    short = [g.text for g in generated[:500]]

    print(f"Swedish NER test split: {len(test_split)} sentences; generated set: "
          f"{len(generated)} texts (seed {args.seed})\n")
    print("| data | entity | system | recall | precision | n | target |")
    print("|---|---|---|---|---|---|---|")
    for name, detect in detectors.items():
        recall, precision, n = per_token_scores(detect, test_split)
        print(f"| swedish-ner test | PER tokens | {name} | {recall:.3f} | {precision:.3f} | {n} "
              f"| {TARGETS['PER tokens']} |")
    independent = read_independent(args.independent)
    found = {name: independent_scores(detect, independent) for name, detect in detectors.items()}
    for group in sorted(found["Kraftsamling"], key=lambda g: (g != "all", g)):
        if group == "other words":
            continue
        for name in detectors:
            tp, fp, n = found[name].get(group, (0, 0, 0))
            recall = tp / max(n, 1)
            precision = f"{tp / (tp + fp):.3f}" if tp + fp and not group.startswith("kind") \
                else ""
            target = TARGETS["PER tokens"] if group == "all" else ""
            print(f"| independent ({len(independent)} sentences) | name words, {group} | {name} "
                  f"| {recall:.3f} | {precision} | {n} | {target} |")
    scores = {name: span_scores(detect, generated) for name, detect in detectors.items()}
    for kind in scores["Kraftsamling"]:
        for name in detectors:
            recall, precision, n = scores[name].get(kind, (0.0, float("nan"), 0))
            target = TARGETS.get(kind, "")
            print(f"| generated | {kind} | {name} | {recall:.3f} | {precision:.3f} | {n} "
                  f"| {target} |")
    lower = [g for g in generated if g.style.endswith("-lower")]
    for name, detect in detectors.items():
        recall, precision, n = span_scores(detect, lower).get("PERSON", (0.0, float("nan"), 0))
        print(f"| generated, lower case only | PERSON | {name} | {recall:.3f} | {precision:.3f} "
              f"| {n} | {TARGETS['lower']} |")
    print("\n| system | other words removed: Swedish news (NER test) | independent corpus "
          "| English chats (ESConv valid, all words) | target |")
    print("|---|---|---|---|---|")
    for name, detect in detectors.items():
        news = per_token_other_share(detect, test_split)
        removed, _fp, other = found[name]["other words"]
        share, words = english_name_share(detect, args.data / "esconv" / "valid.jsonl")
        print(f"| {name} | {news:.2%} | {removed / max(other, 1):.2%} | {share:.2%} of "
              f"{words:,} | {TARGETS['other words']} |")
    print("\n| system | short texts/s (one core) | target |")
    print("|---|---|---|")
    for name, detect in detectors.items():
        rate = throughput(detect, short, args.seconds)
        print(f"| {name} | {rate:,.0f} | {TARGETS['throughput']} |")


if __name__ == "__main__":
    main()
