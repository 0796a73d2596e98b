"""What a word alone says about being a person name: name frequency, surname morphology,
and a character n-gram model of how name-like it looks.

- The SCB gazetteer (every first name registered in Sweden in 2020, with its number of
  bearers, CC BY 4.0) is read into frequency buckets, not a yes/no list: ``Anna`` (bucket 5)
  is far stronger evidence than a name ten people carry (bucket 1), and a name that is also
  a word (``Lena``, ``Per``, ``Bo``) is left to the tagger's context features.
- Swedish surnames follow a few patterns (``-sson``, ``-berg``, ``-ström``, ``-qvist``,
  ``-lund``, ``-gren``, ``-dotter``, …).
- A character n-gram naive Bayes model (built by ``scripts/build_name_data.py`` from the name
  lists against simplemma's Swedish dictionary) scores how much a word looks like a name
  (``Nguyen``, ``Oyelaran``) rather than a Swedish word, so that an unknown capitalised word
  inside a sentence that looks like a name is treated as one.
"""

from __future__ import annotations

import gzip
import re
from functools import cache, lru_cache
from pathlib import Path

__all__ = [
    "BUCKET_LIMITS",
    "KINSHIP",
    "TITLES",
    "bucket_of",
    "first_name_bucket",
    "name_likeness",
    "ngrams",
    "surname_shaped",
]

DATA_DIR = Path(__file__).parent / "data"
# Bearers at which buckets 1 … 5 start.
BUCKET_LIMITS = (1, 100, 1_000, 10_000, 50_000)

TITLES = frozenset({"herr", "hr", "fru", "fröken", "frk", "dr", "doktor", "prof", "professor",
                    "syster", "mr", "mrs", "ms", "miss", "sr", "tant", "farbror"})
# Kinship, relation and role words after which a name often follows: "mamma Lena",
# "kompisen Per", "faster Bo".
KINSHIP = frozenset((
    "mamma", "mamman", "mammas", "mor", "modern", "morsan", "pappa", "pappan", "pappas", "far",
    "fadern", "farsan", "bror", "brodern", "brorsan", "broder", "syster", "systern", "syrran",
    "son", "sonen", "dotter", "dottern", "faster", "fastern", "moster", "mostern", "farbror",
    "morbror", "farmor", "farfar", "mormor", "morfar", "kusin", "kusinen", "kompis", "kompisen",
    "kompisar", "vän", "vännen", "väninnan", "väninna", "pojkvän", "pojkvännen", "flickvän",
    "flickvännen", "sambo", "sambon", "make", "maken", "maka", "makan", "fru", "frun", "man",
    "mannen", "partner", "partnern", "styvpappa", "styvmamma", "bonuspappa", "bonusmamma",
    "halvbror", "halvsyster", "lillebror", "lillasyster", "storebror", "storasyster",
    "barnet", "barnen", "eleven", "elev", "klienten", "klient", "pojken", "flickan", "tjejen",
    "killen", "handläggare", "handläggaren", "kurator", "kuratorn", "mentor", "mentorn",
    "lärare", "läraren", "rektor", "rektorn", "kontaktperson", "kontaktpersonen", "grannen",
    "granne", "chefen", "kollegan", "kollega", "tränaren", "assistenten", "personalen",
    "socialsekreterare", "socialsekreteraren", "sjuksköterskan", "läkaren", "psykologen",
))
SURNAME_SUFFIXES = (
    "sson", "son", "sen", "dotter", "berg", "bergh", "ström", "qvist", "kvist", "quist",
    "lund", "gren", "holm", "blad", "stedt", "stad", "dahl", "dal", "fors", "ros", "lind",
    "lindh", "mark", "vall", "bäck", "bom", "sjö", "ryd", "hed", "borg", "sköld", "strand",
    "by", "ius", "éus", "ander", "ell", "én", "in", "lin", "man", "mann", "nen", "ić", "ic",
    "ović", "ski", "ska", "wicz", "oglu", "oğlu", "zadeh", "pour", "i", "ov", "ova", "ev",
)
_SURNAME = re.compile("(?:" + "|".join(sorted(SURNAME_SUFFIXES, key=len, reverse=True)) +
                      ")$")
_STRONG_SURNAME = re.compile(
    r"(?:sson|dotter|berg|bergh|ström|qvist|kvist|quist|lund|gren|holm|blad|stedt|dahl|"
    r"lind|lindh|borg|sköld|fors|ić|ović|wicz|oglu|oğlu|zadeh|nen)$")


def bucket_of(count: int) -> int:
    """The frequency bucket (1–5) of a name with ``count`` bearers; 0 for none."""
    return sum(count >= limit for limit in BUCKET_LIMITS)


@cache
def _scb_buckets() -> dict[str, int]:
    buckets: dict[str, int] = {}
    for line in (DATA_DIR / "scb_first_names.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        bucket, names = line.split("\t", 1)
        for name in names.split():
            buckets[name] = int(bucket)
    return buckets


def first_name_bucket(lower: str) -> int:
    """The SCB frequency bucket of a lower-case first name (0: not registered in Sweden);
    a hyphenated double name takes its stronger part."""
    buckets = _scb_buckets()
    bucket = buckets.get(lower, 0)
    if not bucket and "-" in lower:
        bucket = max((buckets.get(part, 0) for part in lower.split("-") if part), default=0)
    return bucket


def ngrams(word: str) -> list[str]:
    """Character 2-, 3- and 4-grams of a lower-case word with ``^``/``$`` boundaries."""
    padded = f"^{word}$"
    return [padded[i:i + n] for n in (2, 3, 4) for i in range(len(padded) - n + 1)]


@cache
def _ngram_weights() -> tuple[dict[str, float], float]:
    weights: dict[str, float] = {}
    default = 0.0
    with gzip.open(DATA_DIR / "name_ngrams.tsv.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            gram, _, value = line.rstrip("\n").rpartition("\t")
            if gram == "#default":
                default = float(value)
            elif not line.startswith("# "):
                weights[gram] = float(value)
    return weights, default


@lru_cache(maxsize=300_000)
def name_likeness(lower: str) -> float:
    """Mean n-gram log-odds that a lower-case word is a name rather than a Swedish word
    (above 0: more name-like). N-grams the model dropped as uninformative count as 0."""
    if not lower.replace("-", "").isalpha():
        return -5.0
    weights, _default = _ngram_weights()
    grams = ngrams(lower)
    return sum(weights.get(g, 0.0) for g in grams) / len(grams)


@lru_cache(maxsize=300_000)
def surname_shaped(lower: str) -> int:
    """2: a typical Swedish or foreign surname ending (``-sson``, ``-ström``, ``-ović``);
    1: a weaker one (``-in``, ``-man``, ``-i``); 0: none. Words under five letters are 0."""
    if len(lower) < 5 or not lower.isalpha():
        return 0
    if _STRONG_SURNAME.search(lower):
        return 2
    return 1 if _SURNAME.search(lower) else 0
