"""Build the name tagger's package data from public sources (issue 21).

    python scripts/build_name_data.py            # reads ../shared/data/swedish-names/

Writes two files into ``src/kraftsamling/privacy/data/``:

- ``scb_first_names.txt``: every first name registered in Sweden on 31 December 2020 with
  its number of bearers, from Statistics Sweden (SCB, CC BY 4.0), lower case, women's and
  men's counts added, grouped into frequency buckets (``kraftsamling.privacy._gazetteer``);
  double names written with a space are dropped (their parts are in the list on their own).
- ``name_ngrams.tsv.gz``: a character n-gram model (naive Bayes log-odds) of how much a word
  looks like a person name rather than a Swedish word. Names: the SCB first names and the
  surname lists the tagger already uses (Faker's and ours); words: the forms of simplemma's
  Swedish dictionary whose lemma is written in lower case and that are in none of the name
  lists. No labelled evaluation text is read.
"""

from __future__ import annotations

import argparse
import gzip
import math
import random
from collections import Counter
from pathlib import Path

from kraftsamling.privacy._gazetteer import BUCKET_LIMITS, DATA_DIR, bucket_of, ngrams

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Swedish first names with their number of bearers, grouped into buckets.
# Source: Statistiska centralbyrån (SCB), namnstatistik, first names of people registered
# in Sweden on 31 December 2020 (as republished in github.com/juhosalmi/name_generator,
# names/swedish_female.csv and names/swedish_male.csv). Licence: CC BY 4.0
# (https://creativecommons.org/licenses/by/4.0/). Changes: lower case, women's and men's
# counts added ('..' = fewer than 10 bearers, counted as 5), names with a space dropped,
# counts replaced by the bucket below. Built by scripts/build_name_data.py.
# Line format: bucket<TAB>names separated by spaces. Buckets by bearers: {limits}.
"""


def read_scb(folder: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for name in ("swedish_female.csv", "swedish_male.csv"):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()[1:]
        for line in lines:
            raw, _, count = line.rpartition(";")
            first = raw.strip().strip('"').strip().lower()
            if not first or " " in first:
                continue
            counts[first] += 5 if count.strip() == ".." else int(count)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", type=Path, default=ROOT.parent / "shared" / "data" /
                        "swedish-names")
    parser.add_argument("--words", type=int, default=200_000,
                        help="Swedish word forms sampled as the n-gram model's negatives")
    args = parser.parse_args()

    counts = read_scb(args.names)
    by_bucket: dict[int, list[str]] = {}
    for name, count in counts.items():
        by_bucket.setdefault(bucket_of(count), []).append(name)
    limits = ", ".join(f"{b}: ≥ {limit:,}" for b, limit in enumerate(BUCKET_LIMITS, 1))
    lines = [HEADER.format(limits=limits)]
    for bucket in sorted(by_bucket, reverse=True):
        lines.append(f"{bucket}\t{' '.join(sorted(by_bucket[bucket]))}\n")
    (DATA_DIR / "scb_first_names.txt").write_text("".join(lines), encoding="utf-8")
    print(f"{len(counts):,} first names: " +
          ", ".join(f"bucket {b} {len(v):,}" for b, v in sorted(by_bucket.items())))

    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    from kraftsamling.privacy._names import first_names, last_names

    names = set(counts) | set(first_names()) | set(last_names())
    dictionary = DefaultDictionaryFactory().get_dictionary("sv")
    words = sorted({form.lower() for form, lemma in dictionary.items()
                    if form.isalpha() and lemma[:1].islower() and form.lower() not in names})
    rng = random.Random(21)  # noqa: S311 - sampling
    words = rng.sample(words, min(args.words, len(words)))
    name_grams: Counter[str] = Counter()
    word_grams: Counter[str] = Counter()
    for name in names:
        if name.replace("-", "").isalpha():
            name_grams.update(ngrams(name))
    for word in words:
        word_grams.update(ngrams(word))
    n_total, w_total = sum(name_grams.values()), sum(word_grams.values())
    vocabulary = [g for g in set(name_grams) | set(word_grams)
                  if name_grams[g] + word_grams[g] >= 3]
    size = len(vocabulary)
    rows = []
    for gram in sorted(vocabulary):
        weight = math.log((name_grams[gram] + 1) / (n_total + size)) - \
            math.log((word_grams[gram] + 1) / (w_total + size))
        if abs(weight) >= 0.25:
            rows.append(f"{gram}\t{weight:.2f}\n")
    default = math.log(1 / (n_total + size)) - math.log(1 / (w_total + size))
    with gzip.open(DATA_DIR / "name_ngrams.tsv.gz", "wt", encoding="utf-8") as handle:
        handle.write("# Character n-gram log-odds, person name against Swedish word. "
                     "Built by scripts/build_name_data.py from SCB first names (CC BY 4.0), "
                     "Faker's and Kraftsamling's surname lists, and simplemma's Swedish "
                     "dictionary (MIT).\n")
        handle.write(f"#default\t{default:.2f}\n")
        handle.writelines(rows)
    print(f"n-gram model: {len(rows):,} n-grams from {len(names):,} names and "
          f"{len(words):,} words")


if __name__ == "__main__":
    main()
