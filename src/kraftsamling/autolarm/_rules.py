"""Swedish rules: readable patterns over normalised tokens, with the modifiers that keep
`jag vill inte dö`, `dog av skratt` and `vi läste om självmord` from raising alarms.

Rules are data (``data/rules.toml``): an organisation can add words its pupils use without
touching code. Each hit keeps the characters it matched, as evidence for the reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kraftsamling._config_files import read_entries, read_toml
from kraftsamling.autolarm._taxonomy import Category, Level
from kraftsamling.autolarm._text import NormToken, fold, normalise_tokens, single_letters

__all__ = ["DEFAULT_RULES", "Pattern", "Rule", "RuleHit", "RuleSet", "default_rule_words"]

DEFAULT_RULES = Path(__file__).parent / "data" / "rules.toml"
FUZZY_MIN = 6  # words this long or longer match with one typo
FUZZY_STEM_MIN = 7  # ... and stems (word*) this long: none on short stems
_ELEMENT = re.compile(r"\([^)]*\)|~\d+|\S+")


@dataclass(frozen=True)
class _Option:
    """One way an element can match: a sequence of words, each exact or a prefix."""

    words: tuple[tuple[str, bool], ...]  # (folded form, is_prefix)


@dataclass(frozen=True)
class _Element:
    options: tuple[_Option, ...] = ()
    gap: int = 0  # > 0: up to this many other tokens


@dataclass(frozen=True)
class Pattern:
    source: str
    elements: tuple[_Element, ...]
    spellings: tuple[tuple[str, bool], ...] = ()  # its words as written (not folded)

    @classmethod
    def parse(cls, source: str) -> Pattern:
        elements: list[_Element] = []
        spellings: list[tuple[str, bool]] = []
        for part in _ELEMENT.findall(source):
            if part.startswith("~"):
                elements.append(_Element(gap=int(part[1:])))
                continue
            alternatives = part[1:-1].split("|") if part.startswith("(") else [part]
            options = []
            for alternative in alternatives:
                words = tuple((fold(w.lower().rstrip("*")), w.endswith("*"))
                              for w in alternative.split())
                if not words or any(not w for w, _ in words):
                    raise ValueError(f"Tomt alternativ i mönstret '{source}'.")
                options.append(_Option(words))
                spellings.extend((w.lower().rstrip("*"), w.endswith("*"))
                                 for w in alternative.split())
            elements.append(_Element(options=tuple(options)))
        if not elements or elements[0].gap or elements[-1].gap:
            raise ValueError(f"Mönstret '{source}' måste börja och sluta med ett ord.")
        return cls(source, tuple(elements), tuple(spellings))

    def first_words(self) -> tuple[tuple[str, bool], ...]:
        """The words a match can start with: the first word of each option of the first
        element (patterns never start with a gap)."""
        return tuple(option.words[0] for option in self.elements[0].options)

    def words(self) -> Iterable[tuple[str, bool]]:
        """(spelling as written, is_prefix) of every word in the pattern."""
        yield from self.spellings


@dataclass(frozen=True)
class Rule:
    """One ``[[rule]]`` of the rule file: patterns for a category at a level."""

    id: str
    category: Category
    level: Level
    patterns: tuple[Pattern, ...]
    requires: tuple[Pattern, ...] = ()
    excludes: tuple[Pattern, ...] = ()
    negatable: bool = True
    personal: bool = False  # counts only where the answer speaks of the writer's world

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> Rule:
        """A rule from its TOML entry (``KeyError``/``ValueError`` when it is wrong)."""
        return cls(id=str(entry["id"]), category=Category(entry["category"]),
                   level=Level(entry.get("level", "concern")),
                   patterns=tuple(Pattern.parse(p) for p in entry["patterns"]),
                   requires=tuple(Pattern.parse(p) for p in entry.get("requires", [])),
                   excludes=tuple(Pattern.parse(p) for p in entry.get("excludes", [])),
                   negatable=bool(entry.get("negatable", True)),
                   personal=bool(entry.get("personal", False)))


@dataclass(frozen=True)
class RuleHit:
    rule_id: str
    category: Category
    level: Level
    start: int
    end: int
    suppressed_by: str | None = None

    @property
    def active(self) -> bool:
        return self.suppressed_by is None


_FORMS_REMEMBERED = 100_000


@cache
def is_dictionary_word(spelling: str) -> bool:
    """A word of the Swedish dictionary (simplemma's lexicon): never read as a typo."""
    import simplemma

    return bool(spelling) and spelling.isalpha() and simplemma.is_known(spelling, lang="sv")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _within_one(a: str, b: str) -> bool:
    """Damerau–Levenshtein distance ≤ 1."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and \
            a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    shorter, longer = (a, b) if la < lb else (b, a)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


class _Vocabulary:
    """Typo-tolerant lookup of rule words (symmetric deletes, verified), guarded so that an
    ordinary word is never read as a danger word:

    - a token written with å, ä or ö matches only rule words spelled so (`gång` is not
      `gäng*`, `spåren` is not `spåret`); without them, å/ä/ö are folded (`sjalvmord`, `do`);
    - a token that is itself a Swedish dictionary word (simplemma's lexicon) gets no typo
      tolerance (`rasade` is not `rånade`, `svaret` nothing);
    - typos are tolerated only in words of FUZZY_MIN letters and stems of FUZZY_STEM_MIN.
    """

    def __init__(self, words: Iterable[tuple[str, bool]]) -> None:
        self.exact: set[str] = set()
        self.prefixes: set[str] = set()
        self.spelled: dict[tuple[str, bool], set[str]] = {}
        self.index: dict[str, set[str]] = {}
        for spelling, is_prefix in words:
            word = fold(spelling)
            (self.prefixes if is_prefix else self.exact).add(word)
            self.spelled.setdefault((word, is_prefix), set()).add(spelling)
            if len(word) >= (FUZZY_STEM_MIN if is_prefix else FUZZY_MIN):
                for key in {word} | _deletes(word):
                    self.index.setdefault(key, set()).add(word)
        self.all_prefix_lengths = sorted({len(p) for p in self.prefixes})
        self.prefix_lengths = sorted({len(p) for p in self.prefixes
                                      if len(p) >= FUZZY_STEM_MIN})
        self._known: dict[tuple[str, str, bool], frozenset[str]] = {}

    def forms(self, token: str, spelling: str | None = None, *, typos: bool = True
              ) -> frozenset[str]:
        """The rule words and prefixes this token may stand for, typos included.

        ``token`` is the folded form, ``spelling`` the token as written (lower case).
        Remembered per token (the vocabulary never changes): words repeat, and the typo
        lookup is most of the cost of reading a long chat.
        """
        key = (token, token if spelling is None else spelling, typos)
        known = self._known.get(key)
        if known is None:
            if len(self._known) >= _FORMS_REMEMBERED:
                self._known.clear()
            known = self._known[key] = self._lookup(*key)
        return known

    def stretched_forms(self, token: str, spelling: str) -> frozenset[str]:
        """Forms of a token a pupil may have stretched ('dööö', 'sjäälvmord'): its letters
        single, matched exactly — never for a dictionary word, whose double letters are
        its own ('räddade' is not 'rådade', 'skaffar' not 'skadar')."""
        if is_dictionary_word(spelling):
            return frozenset()
        single = single_letters(token)
        if single == token:
            return frozenset()
        return self.forms(single, single_letters(spelling), typos=False)

    def _lookup(self, token: str, spelling: str, typos: bool) -> frozenset[str]:
        if spelling != token:  # written with å, ä or ö: they must agree with the rule's
            found = {"=" + spelling}  # equals no folded rule word and starts none
            if spelling in self.spelled.get((token, False), ()):
                found.add(token)
            for length in self.all_prefix_lengths:
                if length > len(token):
                    break
                head = token[:length]
                if any(spelling.startswith(s) for s in self.spelled.get((head, True), ())):
                    found.add(head + "*")
        else:
            found = {token}
        if not typos or len(token) < FUZZY_MIN - 1 or is_dictionary_word(spelling):
            return frozenset(found)
        for key in {token} | _deletes(token):
            for word in self.index.get(key, ()):
                if word in self.exact and len(word) >= FUZZY_MIN and _within_one(token, word):
                    found.add(word)
        for length in self.prefix_lengths:
            for cut in (length, length + 1):  # a typo inside, or one letter extra
                head = token[:cut]
                if len(head) < FUZZY_STEM_MIN - 1:
                    continue
                for key in {head} | _deletes(head):
                    for word in self.index.get(key, ()):
                        if word in self.prefixes and _within_one(head, word):
                            found.add(word + "*")
        return frozenset(found)


class RuleSet:
    """Rules plus modifiers, loaded from TOML."""

    def __init__(self, rules: Sequence[Rule], modifiers: dict[str, Any]) -> None:
        if not rules:
            raise ValueError("Regelfilen innehåller inga regler.")
        self.rules = list(rules)
        self.negation = {fold(w) for w in modifiers.get("negation", [])}
        self.clause_breaks = {fold(w) for w in modifiers.get("clause_breaks", [])}
        self.negation_window = int(modifiers.get("negation_window", 4))
        self.modifier_patterns = {
            name: [Pattern.parse(p) for p in modifiers.get(name, [])]
            for name in ("hypothetical", "idioms", "context", "past", "resolved", "ongoing",
                         "game", "sport", "lyrics", "joke", "personal")
        }
        self.game_rules = tuple(str(r) for r in modifiers.get("game_rules", [""]))
        all_patterns: list[Pattern] = []
        for rule in self.rules:
            all_patterns.extend((*rule.patterns, *rule.requires, *rule.excludes))
        for patterns in self.modifier_patterns.values():
            all_patterns.extend(patterns)
        self.vocabulary = _Vocabulary(w for p in all_patterns for w in p.words())
        # Which patterns can start at a token, by the token's words: one pass per text.
        self._by_word: dict[str, list[str]] = {}
        self._by_prefix: dict[str, list[str]] = {}
        for pattern in all_patterns:
            for word, is_prefix in pattern.first_words():
                index = self._by_prefix if is_prefix else self._by_word
                index.setdefault(word, []).append(pattern.source)
        self._prefix_lengths = sorted({len(p) for p in self._by_prefix})

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> RuleSet:
        _, data, rules = read_entries(
            path, DEFAULT_RULES, kind="Regelfilen", table="rule", build=Rule.from_entry,
            errors=(KeyError, ValueError), problem="Regeln '{id}' i '{source}' är felaktig: "
                                                   "{error}")
        return cls(rules, data.get("modifiers", {}))

    # -- matching ----------------------------------------------------------------------------

    def _match_option(self, option: _Option, forms: list[frozenset[str]], at: int) -> int | None:
        for offset, (word, is_prefix) in enumerate(option.words):
            index = at + offset
            if index >= len(forms):
                return None
            token_forms = forms[index]
            if is_prefix:
                if not (word + "*" in token_forms or any(f.startswith(word) for f in token_forms)):
                    return None
            elif word not in token_forms:
                return None
        return at + len(option.words)

    def _match(self, elements: tuple[_Element, ...], forms: list[frozenset[str]], at: int,
               matched: list[int]) -> list[int] | None:
        if not elements:
            return matched
        element, rest = elements[0], elements[1:]
        if element.gap:
            for skip in range(element.gap + 1):
                found = self._match(rest, forms, at + skip, matched)
                if found is not None:
                    return found
            return None
        for option in element.options:
            end = self._match_option(option, forms, at)
            if end is not None:
                found = self._match(rest, forms, end, [*matched, *range(at, end)])
                if found is not None:
                    return found
        return None

    def _start_map(self, forms: list[frozenset[str]]) -> dict[str, list[int]]:
        """For every pattern that can begin somewhere in this text: where."""
        starts: dict[str, list[int]] = {}
        for position, token_forms in enumerate(forms):
            candidates: set[str] = set()
            for form in token_forms:
                if form.endswith("*"):  # a typo-tolerant prefix hit from the vocabulary
                    candidates.update(self._by_prefix.get(form[:-1], ()))
                    continue
                candidates.update(self._by_word.get(form, ()))
                for length in self._prefix_lengths:
                    if length > len(form):
                        break
                    candidates.update(self._by_prefix.get(form[:length], ()))
            for source in candidates:
                starts.setdefault(source, []).append(position)
        return starts

    def _find(self, pattern: Pattern, forms: list[frozenset[str]],
              starts: dict[str, list[int]], lo: int = 0, hi: int | None = None
              ) -> list[list[int]]:
        """Matches of ``pattern`` that start and end within tokens ``lo`` to ``hi``."""
        end = len(forms) if hi is None else hi
        hits = []
        for start in starts.get(pattern.source, ()):
            if not lo <= start < end:
                continue
            found = self._match(pattern.elements, forms, start, [])
            if found and found[-1] < end:
                hits.append(found)
        return hits

    def _any(self, patterns: Iterable[Pattern], forms: list[frozenset[str]],
             starts: dict[str, list[int]], lo: int = 0, hi: int | None = None) -> bool:
        return any(self._find(p, forms, starts, lo, hi) for p in patterns)

    # -- modifiers ---------------------------------------------------------------------------

    def _negated(self, tokens: list[NormToken], matched: list[int]) -> bool:
        first, last = matched[0], matched[-1]
        inside = set(range(first, last + 1)) - set(matched)
        if any(tokens[i].form in self.negation for i in inside):
            return True
        i = first - 1
        while i >= 0 and first - i <= self.negation_window:
            form = tokens[i].form
            if form in self.clause_breaks:
                break
            if form in self.negation:
                return True
            i -= 1
        after = last + 1  # "jag skadar mig inte"
        return after < len(tokens) and tokens[after].form in {"inte", "aldrig", "ej"}

    def _sentence(self, tokens: list[NormToken], matched: list[int]) -> tuple[int, int]:
        start = matched[0]
        while start > 0 and tokens[start - 1].form not in {".", "!", "?"}:
            start -= 1
        end = matched[-1]
        while end < len(tokens) - 1 and tokens[end + 1].form not in {".", "!", "?"}:
            end += 1
        return start, end + 1

    def _suppression(self, rule: Rule, tokens: list[NormToken], forms: list[frozenset[str]],
                     starts: dict[str, list[int]], matched: list[int], idiom_tokens: set[int],
                     whole_text_resolved: bool, personal: bool) -> str | None:
        if rule.negatable and self._negated(tokens, matched):
            return "negation"
        if idiom_tokens & set(matched):
            return "idiom"
        start, end = self._sentence(tokens, matched)
        patterns = self.modifier_patterns
        if self._any(patterns["hypothetical"], forms, starts, start, matched[0]):
            return "hypothetical"
        for reason in ("context", "lyrics", "joke"):
            if self._any(patterns[reason], forms, starts, start, end):
                return reason
        if rule.id.startswith(self.game_rules):
            for reason in ("game", "sport"):
                if self._any(patterns[reason], forms, starts, start, end):
                    return reason
        if whole_text_resolved:
            return "resolved"
        if rule.personal and not personal:
            return "impersonal"
        return None

    def analyze(self, text: str) -> list[RuleHit]:
        """Every rule hit, active or suppressed (with why), in text order.

        The answer is matched as written and, where a long unknown word may be several run
        together ('jagvillinteleva'), once more with such words split.
        """
        plain = normalise_tokens(text, split_words=False)
        hits = self._analyze_tokens(plain)
        split = normalise_tokens(text)
        if len(split) != len(plain):
            seen = {(h.rule_id, h.start, h.end) for h in hits}
            hits += [h for h in self._analyze_tokens(split)
                     if (h.rule_id, h.start, h.end) not in seen]
        return sorted(hits, key=lambda h: (h.start, -h.level.rank))

    def _analyze_tokens(self, tokens: list[NormToken]) -> list[RuleHit]:
        if not tokens:
            return []
        forms = [self.vocabulary.forms(t.form, t.spelling or t.form)
                 | self.vocabulary.stretched_forms(t.form, t.spelling or t.form)
                 for t in tokens]
        starts = self._start_map(forms)
        patterns = self.modifier_patterns
        resolved = (self._any(patterns["past"], forms, starts)
                    and self._any(patterns["resolved"], forms, starts)
                    and not self._any(patterns["ongoing"], forms, starts))
        idiom_tokens = {i for p in patterns["idioms"] for found in self._find(p, forms, starts)
                        for i in found}
        personal = self._any(patterns["personal"], forms, starts)
        hits: list[RuleHit] = []
        for rule in self.rules:
            if not any(p.source in starts for p in rule.patterns):
                continue
            if rule.requires and not self._any(rule.requires, forms, starts):
                continue
            if rule.excludes and self._any(rule.excludes, forms, starts):
                continue
            seen: set[tuple[int, int]] = set()
            for pattern in rule.patterns:
                for matched in self._find(pattern, forms, starts):
                    span = (tokens[matched[0]].start, tokens[matched[-1]].end)
                    if span in seen:
                        continue
                    seen.add(span)
                    reason = self._suppression(rule, tokens, forms, starts, matched,
                                               idiom_tokens, resolved, personal)
                    hits.append(RuleHit(rule.id, rule.category, rule.level, span[0], span[1],
                                        reason))
        return hits


@cache
def default_rule_words() -> frozenset[str]:
    """Plain words of the default rules: the lexicon for splitting run-together answers."""
    words: set[str] = set()
    data = read_toml(DEFAULT_RULES, kind="Regelfilen")
    sources = [p for rule in data.get("rule", []) for p in rule["patterns"]]
    for source in sources:
        for word in re.findall(r"[a-zåäöéü]+", source.lower()):
            words.add(word)
    return frozenset(words | {"jag", "vill", "inte", "leva", "dö", "mig", "min", "mitt"})
