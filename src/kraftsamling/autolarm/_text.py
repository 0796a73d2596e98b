"""Teen Swedish as written: normalised tokens that keep their place in the original text.

Pupils write `ja vill int leva`, `jagvillinteleva`, `dööö`, `sjalvmord`. Matching runs on
tokens that are lower-cased, stripped of repeated letters, mapped from common chat spellings,
and also folded to ASCII (å, ä → a; ö → o), while each token remembers its characters in the
original answer so evidence can be shown exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

__all__ = ["NormToken", "fold", "normalise_tokens", "single_letters"]

WORD = re.compile(r"[\wåäöÅÄÖ]+|[.,!?;:]", re.UNICODE)
REPEATS = re.compile(r"(.)\1{2,}")
DOUBLES = re.compile(r"(.)\1+")
# Chat spellings → standard forms (only unambiguous ones).
SPELLINGS = {
    "ja": "jag", "jaa": "jag", "e": "är", "ä": "är", "o": "och", "å": "och", "int": "inte",
    "nt": "inte", "ine": "inte", "mej": "mig", "dej": "dig", "sej": "sig",
    "nån": "någon", "nåt": "något", "nåra": "några", "nånting": "någonting", "döö": "dö",
    "kms": "självmord", "pga": "på grund av", "asså": "alltså", "farsan": "pappa",
    "morsan": "mamma", "brorsan": "bror", "syrran": "syster", "kniven": "kniv",
    "knivar": "kniv",
}
FOLD = str.maketrans("åäöéü", "aaoeu")
# The most common Swedish words: preferred pieces when splitting run-together answers.
COMMON_WORDS = frozenset(
    "jag du han hon vi ni de dem den det ett en är var har hade ska vill kan får inte och att "
    "som på i med till för av om men så när mig dig sig oss min mitt mina din ditt hans "
    "hennes vår vårt över under efter från hem hemma skolan skola alla ingen inget bara "
    "också nu här där mycket mer aldrig alltid själv bra dåligt mår".split()
)


def fold(text: str) -> str:
    return text.translate(FOLD)


def single_letters(form: str) -> str:
    """'döö' → 'dö': letters a pupil stretched, for a second try at matching."""
    return DOUBLES.sub(r"\1", form)


@dataclass(frozen=True, slots=True)
class NormToken:
    form: str  # normalised and folded
    start: int
    end: int
    spelling: str = ""  # normalised, not folded: "gång" stays "gång" (see _rules)


@lru_cache(maxsize=100_000)
def _normalise_word(word: str) -> tuple[tuple[str, str], ...]:
    """(folded form, spelling) of each word ``word`` stands for."""
    lower = REPEATS.sub(r"\1\1", word.lower())  # "atttt" → "att", "dööö" → "döö"
    mapped = SPELLINGS.get(lower, SPELLINGS.get(single_letters(lower), lower))
    return tuple((fold(part), part) for part in mapped.split())


@cache
def _lexicon() -> frozenset[str]:
    from kraftsamling.autolarm._rules import default_rule_words

    return frozenset(default_rule_words()) | COMMON_WORDS


@lru_cache(maxsize=50_000)
def _segment(word: str) -> tuple[str, ...] | None:
    """Split a run-together answer ('jagvillinteleva') into known words, fewest pieces."""
    import simplemma

    lexicon = _lexicon()
    n = len(word)
    # best[i]: (pieces, pieces not in the preferred lexicon, start of the last piece)
    best: list[tuple[int, int, int] | None] = [None] * (n + 1)
    best[0] = (0, 0, -1)
    for end in range(1, n + 1):
        for start in range(max(0, end - 16), end):
            previous = best[start]
            piece = word[start:end]
            if previous is None or (len(piece) < 2 and piece not in {"å", "o", "e"}):
                continue
            preferred = piece in lexicon
            if preferred or simplemma.is_known(piece, lang="sv"):
                candidate = (previous[0] + 1, previous[1] + (0 if preferred else 1), start)
                current = best[end]
                if current is None or candidate[:2] < current[:2]:
                    best[end] = candidate
    last = best[n]
    if last is None or last[0] < 2:
        return None
    pieces = []
    end = n
    while end > 0:
        entry = best[end]
        assert entry is not None
        pieces.append(word[entry[2]:end])
        end = entry[2]
    # A sentence run together has small words in it ('jag', 'vill', 'inte'); a compound
    # ('vapenlagar', 'skjutvallen') has none and is read as the one word it is.
    if not any(piece in COMMON_WORDS for piece in pieces):
        return None
    return tuple(reversed(pieces))


def normalise_tokens(text: str, *, split_words: bool = True) -> list[NormToken]:
    """Tokens of ``text``; with ``split_words``, run-together answers are split into words."""
    tokens: list[NormToken] = []
    for match in WORD.finditer(text):
        word = match.group()
        lower = REPEATS.sub(r"\1\1", word.lower())
        pieces: tuple[str, ...] | None = None
        if split_words and len(lower) >= 8 and lower.isalpha():
            import simplemma

            if not simplemma.is_known(lower, lang="sv"):
                pieces = _segment(lower)
        if pieces:
            for piece in pieces:
                tokens.extend(NormToken(form, match.start(), match.end(), spelling)
                              for form, spelling in _normalise_word(piece))
        else:
            tokens.extend(NormToken(form, match.start(), match.end(), spelling)
                          for form, spelling in _normalise_word(word))
    return tokens
