"""Person names: name lists, context cues and a CRF tagger trained on Swedish news text.

Lists alone miss names they do not hold and misfire on names that are also words
(Sten, Björn, Rosa); a tagger alone misses names in lower-case chat. So three signals are
combined: the CRF's probability that a token is part of a name, membership of name lists
(Faker's Swedish names plus hand-written lists for Sweden's largest immigrant groups), and
cue words before a token (``heter``, ``handläggare``, ``mamman``).

The tagger has seen Swedish only, and reads a word it does not know as a likely name: in
English text (support chats) it took one word in eight for a name (``thank``, ``that``,
``job``). In a text that reads as English, a common English word is therefore not a name
unless written with a capital inside a sentence, where English writes names.
"""

from __future__ import annotations

import random
import re
import tempfile
import threading
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pycrfsuite

from kraftsamling._language import detect_language
from kraftsamling.modelstore import ModelStore
from kraftsamling.privacy._gazetteer import (
    KINSHIP,
    TITLES,
    first_name_bucket,
    name_likeness,
    surname_shaped,
)
from kraftsamling.privacy._recognizers import Recognizer, register_recognizer
from kraftsamling.privacy._spans import Span, Token

__all__ = [
    "NameTagger",
    "PersonNameRecognizer",
    "first_names",
    "last_names",
    "read_conll",
    "read_written_names",
    "train_name_tagger",
]

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_MODEL = DATA_DIR / "name_tagger.crfsuite"
# Swedish sentences in twelve registers other than news, with every person name marked,
# written as training material for the tagger (README.md beside it says by whom).
# The written training parts, one file per author (see written_names/README.md).
WRITTEN_NAMES = (DATA_DIR / "written_names" / "sentences.jsonl",
                 DATA_DIR / "written_names" / "sentences_s33.jsonl")
# How many times each written sentence is added to the tagger's training data (the news
# corpus counts once): chosen by the 5-fold CV of benchmarks/privacy_names_dev.py.
WRITTEN_WEIGHT = 2
_OPEN_LOCK = threading.Lock()
NAME_TAG = "PER"
OTHER_TAG = "O"

# Words after which the next capitalised word, or a listed name in any case, is a name.
CUES = frozenset((
    "heter", "hette", "kallas", "kallad", "namn", "namnet", "handläggare", "handläggaren",
    "socialsekreterare", "socialsekreteraren", "kontaktperson", "kontaktpersonen", "mamma",
    "mamman", "mammas", "pappa", "pappan", "pappas", "mor", "modern", "far", "fadern", "bror",
    "brodern", "brorsan", "syster", "systern", "syrran", "son", "sonen", "dotter", "dottern",
    "barnet", "kompis", "kompisen", "kompisar", "vän", "vännen", "väninnan", "pojkvän",
    "flickvän", "sambo", "sambon", "maken", "makan", "frun", "mannen", "fru", "herr", "hr",
    "dr", "doktor", "läkare", "läkaren", "mentor", "mentorn", "lärare", "läraren", "rektor",
    "rektorn", "kurator", "kuratorn", "elev", "eleven", "klient", "klienten", "sökande",
    "sökanden", "hej", "hejsan", "tjena", "hallå", "tack", "till", "från", "med", "och", "av",
    "enligt", "ring", "ringde", "träffade", "träffa", "är", "mvh", "hälsningar", "/", "-",
))
# Words after which even a listed name that is also a common word is a name: "heter Per",
# "mamma Lena", "herr Bo". In lower case only the naming verbs count.
NAMING_CUES = frozenset({"heter", "hette", "kallas", "kallad", "kallade", "namn", "namnet"})
STRONG_CUES = NAMING_CUES | KINSHIP | TITLES
# After these a capitalised unknown word is more often a place than a person.
PLACE_PREPOSITIONS = frozenset({"i", "på", "mot", "vid", "från", "genom", "ur", "över",
                                "utanför", "inom", "nära", "in", "of", "at"})
# English words after which even a common word is a name ("a friend called rose").
ENGLISH_CUES = frozenset({"named", "called", "mr", "mrs", "ms", "miss", "dr"})
_CONTRACTIONS = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "be",
                 # as chat writes them, without the apostrophe
                 "im": "i", "ive": "i", "id": "i", "thats": "that", "dont": "do",
                 "cant": "can", "wont": "will", "didnt": "did", "doesnt": "does", "isnt": "is",
                 "youre": "you", "theyre": "they", "whats": "what", "its": "it"}
# The tagger's threshold, chosen on training data (benchmarks/privacy_names_dev.py).
THRESHOLD = 0.45
# A first name at least this frequent in the SCB list (bucket 2: ≥ 100 bearers), capitalised
# and not a common word, is a name whatever the tagger says.
LISTED_BUCKET = 2
# A capitalised unknown word inside a sentence whose n-gram name-likeness reaches this is a
# name (chosen on training data: see docs/privacy.md).
FOREIGN_LIKENESS = 0.8
# A token scored at least this names a person whose other mentions in the text are names too.
CONFIDENT = 0.8
# The rules on top of the CRF, each chosen by a 5-fold CV over NER train and the written
# text (benchmarks/privacy_names_dev.py, docs/privacy.md).
RULES = frozenset({"acronym", "after_first", "consistency", "function_word", "hans_kin",
                   "hyphen_shape",
                   "kin_word", "lower_common", "non_person_head", "pet_name", "place_list",
                   "speech", "title_caps"})
# Verbs of saying, after which a capitalised name is the speaker ("”Ja”, sa Stig").
SPEECH_VERBS = frozenset({"sa", "sade", "säger", "frågade", "frågar", "svarade", "svarar",
                          "viskade", "ropade", "skrek", "föreslog", "berättar", "berättade",
                          "förklarade", "förklarar", "fortsatte", "suckade", "skrattade",
                          "mumlade", "tyckte", "tycker", "menar", "menade", "undrade"})
# What stands before the verb in a speech tag ("”Kom hit”, sa Stig", "– Nej! ropade Tove"):
# without it the verb starts a clause ("Jag menar Stockholm är dyrt") and names no speaker.
_SPEECH_TAG = frozenset(",”\"»!?–—…")
# Lower-case words that name a relation or a title: never part of a name in a text that
# writes capitals ("Malms dotter Hilma", "sin mor Le Thi Hoa").
_RELATION_WORDS = KINSHIP | TITLES
_SENTENCE_END = frozenset(".!?:;\"”“()-–—…")


def _read_list(path: Path) -> set[str]:
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(word.lower() for word in line.split())
    return words


def _faker_names(attribute: str, locales: Iterable[str]) -> set[str]:
    import importlib

    names: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in (attribute, f"{attribute}_male", f"{attribute}_female"):
            values = getattr(provider, attr, None) or ()
            names.update(str(v).lower() for v in values)
    return names


# Swedish names first; then the Latin-script lists of the countries most Swedes with a
# foreign background come from, and of the names common in Swedish news and case notes.
LATIN_LOCALES = ("sv_SE", "fi_FI", "pl_PL", "tr_TR", "hr_HR", "da_DK", "no_NO", "en_US",
                 "en_GB", "de_DE", "es_ES", "fr_FR", "it_IT", "nl_NL", "pt_BR", "ro_RO",
                 "hu_HU", "cs_CZ")


@cache
def first_names() -> frozenset[str]:
    names = _faker_names("first_names", LATIN_LOCALES) | _read_list(
        DATA_DIR / "extra_first_names.txt") | _read_list(DATA_DIR / "extra_nicknames.txt")
    return frozenset(n for n in names if n.isalpha() or "-" in n)


@cache
def last_names() -> frozenset[str]:
    names = _faker_names("last_names", LATIN_LOCALES) | _read_list(
        DATA_DIR / "extra_last_names.txt")
    return frozenset(n for n in names if n.replace("-", "").isalpha() and n != "doe")


@lru_cache(maxsize=300_000)
def _word_class(lower: str) -> tuple[bool, bool, bool, bool]:
    """(first name, last name, proper noun in the lexicon, common word in the lexicon)."""
    import simplemma

    known = simplemma.is_known(lower, lang="sv")
    lemma = simplemma.lemmatize(lower, lang="sv") if known else lower
    proper = known and lemma[:1].isupper()
    return lower in first_names(), lower in last_names(), proper, known and not proper


@lru_cache(maxsize=300_000)
def simplemma_known(lower: str) -> bool:
    import simplemma

    return bool(simplemma.is_known(lower, lang="sv"))


@lru_cache(maxsize=100_000)
def _english_known(lower: str) -> bool:
    """simplemma's English dictionary knows the word as a common word."""
    import simplemma

    return bool(simplemma.is_known(lower, lang="en")) and \
        simplemma.lemmatize(lower, lang="en")[:1].islower()


@cache
def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@cache
def _english_vocabulary() -> frozenset[str]:
    """Faker's list of about 1,000 common English words and scikit-learn's stop words."""
    from faker.providers.lorem.en_US import Provider

    return frozenset(word.lower() for word in Provider.word_list) | _english_stop_words()


def _english_base(lower: str) -> str:
    """The word before a clitic: ``i'm`` → ``i``, ``don't`` → ``do``, ``thats`` → ``that``."""
    word = lower.replace("’", "'")
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    if word.endswith("n't"):
        return word[:-3]
    return word.split("'")[0]


@lru_cache(maxsize=100_000)
def _english_common_word(lower: str) -> bool:
    """A common English word: in the vocabulary above (by its lemma too), or known to
    simplemma's English dictionary with a lower-case lemma and in none of our name lists."""
    import simplemma

    word = _english_base(lower)
    if not word.isalpha():
        return False
    vocabulary = _english_vocabulary()
    lemma = simplemma.lemmatize(word, lang="en")
    if word in vocabulary or lemma in vocabulary:
        return True
    return (simplemma.is_known(word, lang="en") and lemma.islower()
            and word not in first_names() and word not in last_names())


def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word.isupper() and len(word) > 1:
        return "X"
    if word[:1].isupper():
        return "Xx"
    if word.isalpha():
        return "x"
    return "p"


_QUOTES = frozenset("\"”“„«»'")
_INITIAL = re.compile(r"^[A-ZÅÄÖ]{1,2}$")


@lru_cache(maxsize=300_000)
def _genitive_stem(lower: str) -> str:
    """``annas`` → ``anna``, ``anna's``/``anna:s`` → ``anna``; otherwise ''."""
    for ending in ("'s", "’s", ":s"):
        if lower.endswith(ending):
            return lower[:-len(ending)]
    return lower[:-1] if len(lower) > 3 and lower.endswith("s") else ""


@lru_cache(maxsize=300_000)
def _word_features(word: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The features of a word on its own (cached): its own feature strings, and the ones
    it gives the token after it and the token before it (word, shape, class code, SCB
    bucket, surname shape), built once per word instead of once per token."""
    lower = word.lower()
    fn, ln, proper, common = _word_class(lower)
    bucket = first_name_bucket(lower)
    surname = surname_shaped(lower)
    likeness = name_likeness(lower)
    row = ["w=" + lower, "s3=" + lower[-3:], "s2=" + lower[-2:], "p3=" + lower[:3],
           "sh=" + _shape(word), f"fb={bucket}", f"sur={surname}",
           f"ng={max(-3, min(3, round(likeness * 2)))}"]
    if fn:
        row.append("fn")
    if ln:
        row.append("ln")
    if proper:
        row.append("prop")
    if common:
        row.append("com")
        row.append(f"fbcom={bucket}")
    if "-" in lower:
        row.append("hyph")
    if _INITIAL.match(word):
        row.append("init")
    if not simplemma_known(lower):
        row.append("unk")
    stem = _genitive_stem(lower)
    if stem:
        sfn, sln, _sprop, _scom = _word_class(stem)
        row.append(f"gen={first_name_bucket(stem)}{int(sfn)}{int(sln)}")
        # "Rydbergs", "Madonnas": a genitive of a surname-shaped or name-like stem
        row.append(f"gsur={surname_shaped(stem)}")
        row.append(f"gng={max(-3, min(3, round(name_likeness(stem) * 2)))}")
    code = f"{int(fn)}{int(ln)}{int(proper)}{int(common)}"
    shape = _shape(word)
    as_prev = ("-1w=" + lower, "-1sh=" + shape, "-1c=" + code, f"-1fb={bucket}",
               f"-1sur={surname}")
    as_next = ("+1w=" + lower, "+1sh=" + shape, "+1c=" + code, f"+1fb={bucket}",
               f"+1sur={surname}")
    return tuple(row), as_prev, as_next


def sentence_features(words: Sequence[str]) -> list[list[str]]:
    """CRF features for each token: the word, its shape, name-list buckets, surname shape,
    n-gram name-likeness, lexicon membership; the same for its neighbours; and the context
    that names follow: titles and kinship words, sentence start, quotes."""
    lowers = [w.lower() for w in words]
    info = [_word_features(w) for w in words]
    features: list[list[str]] = []
    n = len(words)
    quoted = False
    for i in range(n):
        own = info[i][0]
        row = ["b", *own]
        if words[i] in _QUOTES:
            quoted = not quoted
        elif quoted:
            row.append("inq")
        if i == 0 or words[i - 1] in _SENTENCE_END:
            row.append("start")
        if i == 0:
            row.append("BOS")
        else:
            prev = lowers[i - 1]
            row += info[i - 1][1]
            if prev in CUES:
                row.append("-1cue")
            if prev.rstrip(".") in TITLES:
                row.append("-1title")
            if prev in KINSHIP:
                row.append("-1kin")
            if i > 1:
                row.append("-2w=" + lowers[i - 2])
                if lowers[i - 2] in KINSHIP or lowers[i - 2] in TITLES:
                    row.append("-2kin")
        if i == n - 1:
            row.append("EOS")
        else:
            row += info[i + 1][2]
            if i < n - 2:
                row.append("+2w=" + lowers[i + 2])
        features.append(row)
    return features


def read_conll(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of the Swedish NER corpus: 'token TAG' per line, blank line between.

    Tags other than PER become O: only person names matter here.
    """
    sentences: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if words:
                sentences.append((words, tags))
                words, tags = [], []
            continue
        words.append(" ".join(parts[:-1]) or parts[0])
        tags.append(NAME_TAG if parts[-1] == NAME_TAG else OTHER_TAG)
    if words:
        sentences.append((words, tags))
    return sentences


def read_written_names(path: str | Path | Sequence[str | Path] = WRITTEN_NAMES
                       ) -> list[tuple[str, list[str], list[str]]]:
    """Sentences with character-offset name spans, one JSON object a line
    (``{"text_id": ..., "text": ..., "names": [[start, end], ...]}``), as tokens tagged PER
    where they overlap a name: (text id, tokens, tags). The text id groups a text's
    sentences, so a cross-validation can keep a text in one fold. ``path`` may be several
    files (the written parts, one per author), read in turn; a text id in two of them is an
    error, since their folds would mix two texts."""
    if not isinstance(path, str | Path):
        sentences: list[tuple[str, list[str], list[str]]] = []
        for part in path:
            found = _read_written_part(part)
            shared = {t for t, _w, _g in found} & {t for t, _w, _g in sentences}
            if shared:
                raise ValueError(f"'{part}' har texter med samma id som en tidigare fil: "
                                 f"{', '.join(sorted(shared)[:3])}.")
            sentences += found
        return sentences
    return _read_written_part(path)


def _read_written_part(path: str | Path) -> list[tuple[str, list[str], list[str]]]:
    import json

    from kraftsamling.privacy._spans import tokenize

    sentences: list[tuple[str, list[str], list[str]]] = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = str(row["text"])
            names = [(int(start), int(end)) for start, end in row["names"]]
            text_id = str(row.get("text_id", number))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"Rad {number} i '{path}' är ingen mening med namnspann "
                             f"({error}).") from error
        if any(not 0 <= start < end <= len(text) for start, end in names):
            raise ValueError(f"Rad {number} i '{path}' har ett namnspann utanför texten.")
        tokens = tokenize(text)
        tags = [NAME_TAG if any(s < t.end and t.start < e for s, e in names) else OTHER_TAG
                for t in tokens]
        if tokens:
            sentences.append((text_id, [t.text for t in tokens], tags))
    return sentences


class NameTagger:
    """A CRF that labels each token PER or O (scikit-learn conventions).

    Parameters
    ----------
    c1, c2:
        L1 and L2 regularisation.
    max_iterations:
        L-BFGS iterations.
    lowercase_share:
        Share of training sentences added again in lower case, so the tagger learns to use
        lists and context where capital letters are missing (chat, SMS).
    random_state:
        Seed for choosing those sentences.
    """

    def __init__(self, *, c1: float = 0.1, c2: float = 0.05, max_iterations: int = 150,
                 lowercase_share: float = 0.3, random_state: int = 0) -> None:
        self.c1 = c1
        self.c2 = c2
        self.max_iterations = max_iterations
        self.lowercase_share = lowercase_share
        self.random_state = random_state

    def fit(self, sentences: Sequence[Sequence[str]], labels: Sequence[Sequence[str]]
            ) -> NameTagger:
        rng = random.Random(self.random_state)  # noqa: S311 - sampling, not secrets
        trainer = pycrfsuite.Trainer(verbose=False)
        for words, tags in zip(sentences, labels, strict=True):
            trainer.append(sentence_features(words), list(tags))
            if rng.random() < self.lowercase_share:
                trainer.append(sentence_features([w.lower() for w in words]), list(tags))
        trainer.set_params({"c1": self.c1, "c2": self.c2, "max_iterations": self.max_iterations,
                            "feature.possible_transitions": True})
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.crfsuite"
            trainer.train(str(path))
            self.model_ = path.read_bytes()
        self._tagger: threading.local | None = None
        return self

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.model_)

    @classmethod
    def load(cls, path: str | Path) -> NameTagger:
        tagger = cls()
        tagger.model_ = Path(path).read_bytes()
        tagger._tagger = None
        return tagger

    def _open(self) -> Any:
        """This thread's pycrfsuite tagger: one keeps the sentence of its last ``set``, so
        threads sharing one (the server's request threads) would read each other's."""
        local: threading.local | None = getattr(self, "_tagger", None)
        if local is None:
            with _OPEN_LOCK:
                local = getattr(self, "_tagger", None)
                if local is None:
                    local = self._tagger = threading.local()
        tagger = getattr(local, "tagger", None)
        if tagger is None:
            tagger = pycrfsuite.Tagger()
            tagger.open_inmemory(self.model_)
            local.tagger = tagger
        return tagger

    def predict_proba(self, words: Sequence[str]) -> list[float]:
        """P(token is part of a person name) for each token."""
        if not words:
            return []
        tagger = self._open()
        tagger.set(sentence_features(words))
        return [tagger.marginal(NAME_TAG, i) for i in range(len(words))]

    def predict(self, words: Sequence[str], *, threshold: float = 0.5) -> list[str]:
        return [NAME_TAG if p >= threshold else OTHER_TAG for p in self.predict_proba(words)]


_PROBE = ("Anna", "Svensson", "bor", "på", "Storgatan", "i", "Lund", ".")


def _check_tagger(tagger: NameTagger, path: Path) -> None:
    """The version check on load: a CRF that tags names and knows most of the features this
    version computes (a model trained with older features would quietly miss names)."""
    crf = pycrfsuite.Tagger()
    try:
        crf.open_inmemory(tagger.model_)
    except Exception as error:  # pycrfsuite says only "invalid model"
        raise ValueError(f"'{path}' är ingen namnmodell (CRF).") from error
    known = {attribute for attribute, _ in crf.info().state_features}
    probe = {f for word in sentence_features(list(_PROBE)) for f in word}
    if NAME_TAG not in crf.labels() or len(probe & known) < len(probe) / 2:
        raise ValueError(f"'{path}' tränades med en äldre version av Kraftsamling. Träna om "
                         "den med 'kraftsamling privacy train-names'.")


# The name tagger's lifecycle: the shipped model, or the organisation's (``model = ...``
# under ``type = "person_name"`` in the recogniser file), read once and checked on load.
NAME_MODELS: ModelStore[NameTagger] = ModelStore(
    name="privacy-names", kind=NameTagger, shipped=DEFAULT_MODEL, suffix=".crfsuite",
    reader=lambda path: NameTagger.load(path), writer=lambda tagger, path: tagger.save(path),
    check=_check_tagger)


@cache
def default_tagger() -> NameTagger:
    return NAME_MODELS.read(DEFAULT_MODEL)


def _next_is_capitalised_word(word: str) -> bool:
    """A capitalised common Swedish word that is in no name list (``Söker``, ``Planerat``)."""
    if not (word[:1].isupper() and word.isalpha()) or word.isupper():
        return False
    lower = word.lower()
    fn, ln, _proper, common = _word_class(lower)
    return common and not fn and not ln and first_name_bucket(lower) == 0


# Role words after which initials or a surname in capitals name the person in the role.
_ROLE_WORDS = frozenset((
    "handläggare", "handläggaren", "socialsekreterare", "socialsekreteraren", "kontaktperson",
    "kontaktpersonen", "läkare", "läkaren", "mentor", "mentorn", "lärare", "läraren", "rektor",
    "rektorn", "kurator", "kuratorn", "skolsköterska", "skolsköterskan", "sjuksköterska",
    "sjuksköterskan", "biståndshandläggare", "biståndshandläggaren", "boendestödjare",
    "assistent", "assistenten", "sign", "signatur", "signerat", "antecknat", "ansvarig",
    "elev", "eleven", "klient", "klienten",
))


# Abbreviations of Swedish services, authorities, laws and school subjects that case and
# school notes write beside names and roles ("Eva BUP", "kurator BUP", "Lärare NO"): never a
# person, whatever stands before them (second reading, session 33).
_ABBREVIATIONS = frozenset((
    "BUP", "BVC", "MVC", "IFO", "SFI", "LSS", "LVU", "LVM", "HVB", "SIS", "FK", "AF", "IVO",
    "BBIC", "EHT", "SVA", "NO", "SO", "SOL", "HSL", "VC", "KBT", "ADHD", "AST", "FN", "EU",
    "NATO", "SÖS", "SUS", "KS", "IUP", "ÅP", "PPT", "CSN", "SCB", "SKR", "SMS", "BRIS", "RFSL",
    "AB", "HB", "LSO", "SOU", "SFB", "PBL", "JO", "JK", "IVA", "AKUT",
))


def _after_person_word(words: Sequence[str], lowers: Sequence[str], scores: Sequence[float],
                       i: int, threshold: float) -> bool:
    """Whether ``words[i]`` follows a word that makes it a person's: a naming, title, kinship
    or role word (also across ``:``, or across ``.`` after an abbreviated title: ``Dr. AK``),
    or a capitalised word already taken for a name. A sentence end is no bridge."""
    k = i - 1
    if (k >= 0 and words[k] == ":") or (k >= 1 and words[k] == "." and lowers[k - 1] in TITLES):
        k -= 1
    if k < 0 or not words[k][:1].isalpha():
        return False
    before = lowers[k].rstrip(".:")
    if before in NAMING_CUES or before in TITLES or before in KINSHIP or before in _ROLE_WORDS:
        return True
    return k == i - 1 and words[k][:1].isupper() and not words[k].isupper() and \
        scores[k] >= threshold


def _double_name_shaped(word: str) -> bool:
    """``Anna-Karin``, ``anna-karin``, ``ANNA-KARIN``: every part written alike, each
    capitalised when the first is; not ``EM-finalen``, ``Zlatan-appen``, ``Rid-EM``."""
    parts = [part for part in word.split("-") if part]
    if len(parts) < 2 or word.isupper() or word.islower():
        return len(parts) >= 2
    return all(part[:1].isupper() and part[1:].islower() for part in parts)


def _is_first_name(lower: str) -> bool:
    """A first name in the lists or one at least a thousand people in Sweden bear."""
    return lower in first_names() or first_name_bucket(lower) >= 3


# Titles that name whoever follows, in lower case too (`herr bo`); not `syster` or
# `farbror`, which in lower case are mostly kin (`min syster hela tiden`).
_NAME_TITLES = TITLES - KINSHIP
# Lower-case words inside a name: particles, and initials other than the letters chat
# writes for words (`e` är, `o` och, `å` och, `i`).
_NAME_PARTICLES = frozenset({"af", "al", "bin", "da", "de", "del", "der", "di", "dos", "du",
                             "el", "ibn", "la", "le", "mac", "mc", "st", "ten", "ter",
                             "van", "von"})
_CHAT_LETTERS = frozenset("eoiåäö")
_PREPOSITIONS = frozenset({"med", "i", "på", "av", "till", "från", "hos", "utan", "åt", "vid",
                           "om", "för", "mot", "efter", "under", "över", "bredvid"})
# Swedish pronouns, prepositions, conjunctions and auxiliaries: never a name, in any case
# (`kallade till möte`, `heter han`, `EMIL DU ÄR DÖD`). `de` and `du` are particles too
# (`Aubrey de Grey`), so they stay when a capitalised name follows.
_FUNCTION_WORDS = frozenset({
    "till", "han", "hon", "jag", "vi", "ni", "dem", "den", "det", "och", "eller", "men",
    "att", "som", "på", "av", "med", "för", "från", "om", "vid", "är", "har", "hade",
    "inte", "sig", "mig", "dig", "oss", "sin", "sitt", "sina", "hennes", "deras", "när",
    "där", "här", "de", "du"})
# Animals: after `en katt som heter`, `Hunden hette`, the name is a pet's, not a person's.
_ANIMALS = frozenset({
    "hund", "hunden", "valp", "valpen", "katt", "katten", "kattunge", "kattungen", "kisse",
    "kissen", "häst", "hästen", "ponny", "ponnyn", "valack", "valacken", "hingst",
    "hingsten", "kanin", "kaninen", "marsvin", "marsvinet", "hamster", "hamstern",
    "undulat", "undulaten", "papegoja", "papegojan", "fågel", "fågeln", "kossa", "kossan",
    "kalv", "kalven", "gris", "grisen", "orm", "ormen", "fisk", "fisken", "sköldpadda",
    "sköldpaddan", "råtta", "råttan"})
_ANIMAL_ENDINGS = ("hund", "hunden", "häst", "hästen", "katt", "katten", "ponny", "ponnyn",
                   "kanin", "kaninen")

# Head words before a name that name no person (`Stormen Ingrid`, `Byn Ask`, `berget
# Sinai`, `Dansbandet Sten`), and institution words after one (`Göta hovrätt`, `Sankt Olofs
# församling`, `Göransson Arena`, `Albert Bonniers förlag`).
_THING_HEADS = frozenset({
    "stormen", "orkanen", "byn", "staden", "orten", "berget", "ön", "sjön", "älven", "gården",
    "båten", "fartyget", "skeppet", "bandet", "dansbandet", "gruppen", "kören", "bolaget",
    "företaget", "föreningen", "hotellet", "restaurangen", "salong", "salongen", "butiken",
    "appen", "romanen", "boken", "filmen", "serien", "låten"})
_INSTITUTIONS = frozenset({
    "kommun", "församling", "kyrka", "kyrkokör", "hovrätt", "tingsrätt", "arena", "förlag",
    "län", "universitet", "högskola", "sjukhus", "lasarett", "gymnasium", "museum"})


def _is_animal(lower: str) -> bool:
    """`katten`, `favorithäst`, `huskatt`; not `skatt`, `inkomstskatt`."""
    return lower in _ANIMALS or (not lower.endswith(("skatt", "skatten")) and any(
        lower.endswith(e) and len(lower) > len(e) + 2 for e in _ANIMAL_ENDINGS))


_STRETCHED = re.compile(r"(\w)\1{2,}")
_UNMARKED = {"a": "aåä", "o": "oö"}


# In lower case a word that is both a first name and a common word (`per`, `dag`, `liv`,
# `mina`; simplemma also lists `emma` and `maja` as words) is read as the word from this
# Zipf frequency in Swedish on (wordfreq's list, shipped in its wheel; chosen on training
# data: benchmarks/privacy_names_dev.py).
COMMON_ZIPF = 5.0


@lru_cache(maxsize=65536)
def _zipf(lower: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(lower, "sv", wordlist="small"))


@lru_cache(maxsize=65536)
def _lower_case_word(lower: str, common_zipf: float = COMMON_ZIPF) -> bool:
    """A common Swedish or English word, also as chat writes it: stretched (`toggg`,
    `varjeee`) or without its å, ä, ö (`slar`, `pojkvan`). A first name that is also a
    word counts as the word only when the word is frequent (`per`, `pa`, not `emma`)."""
    named = lower in first_names() or first_name_bucket(lower) >= LISTED_BUCKET

    def word(form: str) -> bool:
        return (_word_class(form)[3] or _english_common_word(form)) and (
            not named or _zipf(form) >= common_zipf)

    if word(lower):
        return True
    # a first name read as a word through another spelling only if few bear it (`pa` → på;
    # not `saga` → säga, `lara` → lära)
    if _is_first_name(lower):
        return False
    squeezed = _STRETCHED.sub(r"\1", lower)
    if squeezed != lower and word(squeezed):
        return True
    if sum(c in _UNMARKED for c in squeezed) > 3:
        return False
    forms = [""]
    for c in squeezed:
        forms = [f + v for f in forms for v in _UNMARKED.get(c, c)]
    return any(word(form) for form in forms if form != squeezed)


# A regnal number ("Karl XII", "Carl XVI Gustaf") is no abbreviation.
_ROMAN = re.compile(r"[IVXLC]+")


def _shouted_beside(words: Sequence[str], i: int) -> bool:
    """The nearest word before or after ``words[i]`` is written in capitals too."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(words) and not words[j][:1].isalpha():
            j += step
        if 0 <= j < len(words) and words[j].isupper() and len(words[j]) > 1:
            return True
    return False


@register_recognizer
class PersonNameRecognizer(Recognizer):
    """Person names from the CRF, name lists and cue words, merged into whole names.

    ``rules`` holds the names of the rules in use (all of ``RULES`` by default; the
    development script leaves each out in turn) and ``confident`` the score from which a
    name is looked for again in the rest of the text.
    """

    type_name = "person_name"
    entities = ("PERSON",)

    def __init__(self, *, name: str | None = None, threshold: float = THRESHOLD,
                 list_score: float = 0.6, foreign_likeness: float = FOREIGN_LIKENESS,
                 common_zipf: float = COMMON_ZIPF,
                 model: str | Path | None = None) -> None:
        super().__init__(name=name)
        self.threshold = threshold
        self.list_score = list_score
        self.foreign_likeness = foreign_likeness
        self.common_zipf = common_zipf
        self.rules = set(RULES)
        self.confident = CONFIDENT
        self.tagger = NAME_MODELS.read(Path(model)) if model else default_tagger()

    def token_scores(self, tokens: Sequence[Token]) -> list[float]:
        words = [t.text for t in tokens]
        scores = self.tagger.predict_proba(words)
        lowers = [w.lower() for w in words]
        for i, word in enumerate(words):
            if not word[:1].isalpha():
                scores[i] = 0.0
                continue
            lower = lowers[i]
            fn, ln, proper, common = _word_class(lower)
            prev = lowers[i - 1] if i > 0 else ""
            cue = prev in CUES
            title = prev.rstrip(".") in TITLES
            capital = word[:1].isupper()
            starts = i == 0 or words[i - 1] in _SENTENCE_END
            # lexicon proper nouns include places: a CRF feature only
            # (a rare SCB name that the lexicon knows as a proper noun may be a place: London)
            bucket = first_name_bucket(lower)
            if "hyphen_shape" in self.rules and "-" in word and not _double_name_shaped(word):
                bucket = 0  # "EM-finalen", "Zlatan-appen", "VM-silver": not double names
            listed = fn or ln or bucket > LISTED_BUCKET or (bucket == LISTED_BUCKET
                                                            and not proper)
            # "i Washington", "delstaten Washington": a word that only the surname lists
            # hold is a place after a place preposition
            if "place_list" in self.rules and listed and not fn and bucket < 3 and \
                    prev in PLACE_PREPOSITIONS:
                listed = False
            if listed and not common and (capital or cue):
                scores[i] = max(scores[i], self.list_score + (0.2 if cue else 0.0))
            elif listed and prev in STRONG_CUES and (capital or prev in NAMING_CUES):
                scores[i] = max(scores[i], self.list_score)
            # "sa Stig", "viskade Tove": a capitalised first name or surname after a verb of
            # saying is the speaker, even when it is also a word
            if "speech" in self.rules and prev in SPEECH_VERBS and capital and \
                    i >= 2 and words[i - 2] in _SPEECH_TAG and \
                    not word.isupper() and word.isalpha() and (
                        fn or ln or bucket >= LISTED_BUCKET or surname_shaped(lower)):
                scores[i] = max(scores[i], self.threshold)
            # "herr Lindqvist"; not "SR Ekot", "Miss USA" (an abbreviation, not a title)
            if title and capital and ("title_caps" not in self.rules or
                                      word.isupper() == words[i - 1].isupper()):
                scores[i] = max(scores[i], 0.8)
            # "Emma Söker stöd …": a note that starts with a first name and then a sentence
            # whose first word is capitalised as usual. The tagger, taught by news, reads two
            # capitalised words as one name and doubts both when the second is a word.
            if starts and capital and not word.isupper() and (fn or bucket >= 3) and \
                    i + 1 < len(words) and _next_is_capitalised_word(words[i + 1]):
                scores[i] = max(scores[i], self.threshold)
            # A capitalised word inside a sentence that no Swedish dictionary knows and that
            # looks like a name (character n-grams): a foreign name.
            if capital and not starts and not word.isupper() and word.isalpha() and \
                    prev not in PLACE_PREPOSITIONS and \
                    not simplemma_known(lower) and not _english_known(lower) and \
                    name_likeness(lower) >= self.foreign_likeness:
                scores[i] = max(scores[i], self.threshold)
        # A surname-like word right after a name is part of it; so are initials before one.
        for i in range(1, len(words)):
            if scores[i - 1] >= self.threshold and scores[i] < self.threshold:
                _fn, ln, _proper, common = _word_class(lowers[i])
                looks = ln or surname_shaped(lowers[i]) or name_likeness(lowers[i]) > 0
                surname = (ln and (words[i][:1].isupper() or words[i - 1].islower())) or (
                    words[i][:1].isupper() and words[i].isalpha() and not common
                    and looks and words[i - 1][:1].isupper())
                # "Lina Hurtig", "Bruce Springsteen": a capitalised word right after a first
                # name, unless a common word after a name that starts a sentence ("Emma
                # Söker stöd …", "Åke Har påbörjat …": a note's first word is its subject).
                after_first = "after_first" in self.rules and words[i][:1].isupper() and \
                    words[i].isalpha() and not words[i].isupper() and \
                    words[i - 1][:1].isupper() and not words[i - 1].isupper() and \
                    _is_first_name(lowers[i - 1]) and not (
                        (i == 1 or words[i - 2] in _SENTENCE_END) and common)
                if surname or after_first:
                    scores[i] = max(scores[i], self.threshold)
        if "lower_common" in self.rules:
            self._drop_lower_common_words(words, lowers, scores)
        self._drop_non_persons(words, lowers, scores)
        if "kin_word" in self.rules and any(w[:1].isupper() for w in words):
            for i, lower in enumerate(lowers):
                # "jag heter bror": a naming cue names whoever follows, relation word or not
                if lower in _RELATION_WORDS and words[i].islower() and \
                        (i == 0 or lowers[i - 1] not in NAMING_CUES):
                    scores[i] = 0.0
        for i in range(len(words) - 2, -1, -1):
            nxt = i + 2 if words[i + 1] == "." and i + 2 < len(words) else i + 1
            # (the full stop too when the tagger found the initial itself)
            if _INITIAL.match(words[i]) and scores[nxt] >= self.threshold and \
                    words[nxt][:1].isupper():
                scores[i] = max(scores[i], self.threshold)
                if nxt == i + 2:
                    scores[i + 1] = max(scores[i + 1], self.threshold)
        return scores

    def _drop_non_persons(self, words: Sequence[str], lowers: Sequence[str],
                          scores: list[float]) -> None:
        """Rules `function_word`, `pet_name`, `hans_kin` and `non_person_head` (session 32)
        and `acronym` (session 33), from the written training text's out-of-fold false
        alarms."""
        for i, lower in enumerate(lowers):
            if scores[i] < self.threshold:
                continue
            nxt = words[i + 1] if i + 1 < len(words) else ""
            # "kallade till möte", "heter han", "EMIL DU ÄR DÖD"; not "Aubrey de Grey"
            # A capitalised listed first name stays a name ("Min kompis Sina hotar mig").
            if "function_word" in self.rules and lower in _FUNCTION_WORDS and not (
                    lower in _NAME_PARTICLES and words[i].islower() and nxt[:1].isupper()
                    and scores[i + 1] >= self.threshold) and not (
                    words[i][:1].isupper() and not words[i].isupper() and
                    lower in first_names()):
                scores[i] = 0.0
                continue
            # "Hunden hette Sixten", "en kanin som heter Bo", "Hunden , som hette Loke": a
            # pet's name; not when the animal sits in a clause about a person ("Killen som
            # sparkade min hund heter Adam", "tjejen med hunden heter Lisa")
            if "pet_name" in self.rules and i >= 2 and lowers[i - 1] in NAMING_CUES:
                k = i - 2
                while k > 0 and lowers[k] in {"som", ","}:
                    k -= 1
                start = k
                while start > 0 and words[start - 1] not in _SENTENCE_END:
                    start -= 1
                if _is_animal(lowers[k]) and not any(
                        w == "som" or w in _PREPOSITIONS for w in lowers[start:k]):
                    scores[i] = 0.0
                    continue
            # "Hans mamma heter Agneta": the possessive pronoun before a kinship word
            if "hans_kin" in self.rules and lower == "hans" and words[i][:1].isupper() and \
                    nxt.islower() and nxt in _RELATION_WORDS:
                scores[i] = 0.0
                continue
            # "Kontakt med BUP tas", "remiss till SÖS": a short word in capitals among words
            # that are not is an abbreviation; not a regnal number ("Karl XII"), not a
            # first name written in capitals ("möte
            # med ANNA och Per"), nor in a shouted text ("JAG HATAR PER") or after a naming
            # or title word ("heter ANNA")
            # Nor a listed surname ("Per BERG", "samtal med LIND"), a word after a capitalised
            # word taken for a name ("Jonas NG"), or initials after a role, kinship or title
            # word, also across a colon ("handläggare LK", "Handläggare: AK"): a caseworker's
            # signature is a person (second reading, session 33).
            # A service's abbreviation stays one even there ("Eva BUP", "kurator BUP").
            if "acronym" in self.rules and 2 <= len(words[i]) <= 4 and \
                    words[i].isupper() and words[i].isalpha() and \
                    not _ROMAN.fullmatch(words[i]) and not _is_first_name(lower) and \
                    not _shouted_beside(words, i) and (
                        words[i] in _ABBREVIATIONS or (
                            not _word_class(lower)[1] and
                            not _after_person_word(words, lowers, scores, i, self.threshold))):
                scores[i] = 0.0
        if "non_person_head" not in self.rules:
            return
        for i in range(1, len(words)):
            if scores[i] < self.threshold or not words[i][:1].isupper():
                continue
            prev = lowers[i - 1]
            # "Stormen Ingrid.", "hunden Loke som", "Byn Ask,"; not a clause without `som`
            # whose subject is a person ("boken Anna gav mig", "låten Erik skrev")
            if prev in _THING_HEADS or prev.endswith("bandet") or _is_animal(prev):
                j = i
                while j < len(words) and scores[j] >= self.threshold and \
                        words[j][:1].isupper():
                    j += 1
                after = lowers[j] if j < len(words) else ""
                if not after or not after[:1].isalnum() or after == "som":
                    for k in range(i, j):
                        scores[k] = 0.0
        for i in range(1, len(words)):
            # "Göta hovrätt", "Sankt Olofs församling", "Göransson Arena"
            # not a person's full name before it ("Ring Maria Lindberg kommun")
            if lowers[i] in _INSTITUTIONS and scores[i - 1] >= self.threshold:
                j = i - 1
                while j > 0 and scores[j - 1] >= self.threshold and words[j - 1][:1].isupper():
                    j -= 1
                if i - j >= 2 and _is_first_name(lowers[j]):
                    continue
                for k in range(j, i):
                    scores[k] = 0.0

    def _drop_lower_common_words(self, words: Sequence[str], lowers: Sequence[str],
                                 scores: list[float]) -> None:
        """A word written in lower case that is a common Swedish or English word is not a
        name (`min sista dag`, `ta ditt liv`, `känner mig tom`, `they say`): the tagger,
        taught lower-case names by lower-cased sentences, takes such words from pupils'
        answers, and a danger phrase loses its words. It stays a name after a naming or
        title word (`heter per`, `herr bo`, `called rose`), a first name after a kinship
        word (`min syster klara`; not `min syster hela tiden`), a particle or initial before
        a name (`max von sydow`), and beside the other half of a full name (`tom andersson`,
        `lina berg`)."""
        for i, word in enumerate(words):
            if scores[i] < self.threshold or not word.islower() or not word.isalpha():
                continue
            lower = lowers[i]
            fn, ln, _proper, _common = _word_class(lower)
            if not _lower_case_word(lower, self.common_zipf):
                continue
            prev = lowers[i - 1] if i > 0 else ""
            if prev in NAMING_CUES or prev.rstrip(".") in _NAME_TITLES or prev in ENGLISH_CUES:
                continue
            # "min syster klara", "kompisen per": a first name after a kinship word
            if prev in KINSHIP and _is_first_name(lower):
                continue
            nxt = lowers[i + 1] if i + 1 < len(words) else ""
            named_next = bool(nxt) and scores[i + 1] >= self.threshold and \
                not _lower_case_word(nxt, self.common_zipf)
            # "tom andersson": a first name before a surname
            surname_next = named_next and fn and (_word_class(nxt)[1] or surname_shaped(nxt))
            # "max von sydow", "g w bush": a particle or an initial before a name
            particle = named_next and (lower in _NAME_PARTICLES or (
                len(lower) == 1 and lower not in _CHAT_LETTERS))
            # "lina berg", "steve jobs": a surname after a first name, unless a frequent
            # word ("lina hela tiden")
            first_before = i > 0 and scores[i - 1] >= self.threshold and \
                _is_first_name(prev) and not _lower_case_word(prev, self.common_zipf) and \
                (ln or surname_shaped(lower) or _zipf(lower) < self.common_zipf)
            if not (surname_next or particle or first_before):
                scores[i] = 0.0

    @staticmethod
    def _drop_english_words(tokens: Sequence[Token], scores: list[float]) -> None:
        """Common English words are not names, unless capitalised inside a sentence or
        after ``called``; at a sentence's start, a listed first name (``Summer``) that is not
        a stop word (``My``) is still left to the tagger."""
        words = [t.text for t in tokens]
        lowers = [w.lower() for w in words]
        for i, word in enumerate(words):
            cue = i > 0 and lowers[i - 1] in ENGLISH_CUES  # "called rose", not "called me"
            if scores[i] == 0.0 or (cue and lowers[i] not in _english_stop_words()):
                continue
            if not _english_common_word(lowers[i]):
                continue
            starts = i == 0 or words[i - 1] in _SENTENCE_END
            listed = lowers[i] in first_names() and lowers[i] not in _english_stop_words()
            if word.islower() or _english_base(lowers[i]) == "i" or (starts and not listed):
                scores[i] = 0.0

    def _name_again(self, tokens: Sequence[Token], scores: list[float]) -> None:
        """Once a text has named someone confidently, a later (or earlier) occurrence of the
        same word, or its genitive, is the same name: "Mats Odell … Odell kan avsättas",
        "Lena kom … Lenas mamma". A word that is also a common word (Per, Lena) counts only
        capitalised inside a sentence."""
        confident = [i for i, score in enumerate(scores) if score >= self.confident]
        if not confident:
            return
        words = [t.text for t in tokens]
        named: set[str] = set()
        for i in confident:
            word = words[i]
            if word.isalpha() and len(word) > 1 and not word.isupper():
                lower = word.lower()
                named.add(lower)
                stem = _genitive_stem(lower)
                if stem and not _word_class(lower)[3]:
                    named.add(stem)
        if not named:
            return
        for i, word in enumerate(words):
            if scores[i] >= self.threshold:
                continue
            lower = word.lower()
            if lower not in named and _genitive_stem(lower) not in named:
                continue
            if not word.isalpha() or word.isupper():
                continue
            common = _word_class(lower)[3]
            starts = i == 0 or words[i - 1] in _SENTENCE_END
            if (word[:1].isupper() and not (common and starts)) or (
                    word.islower() and not common and not _english_common_word(lower)):
                scores[i] = self.threshold

    def analyze(self, text: str, tokens: list[Token]) -> list[Span]:
        if not tokens:
            return []
        scores = self.token_scores(tokens)
        # Language is decided only when there is a candidate name: most texts have none.
        if max(scores) >= self.threshold and detect_language(text) == "en":
            self._drop_english_words(tokens, scores)
        if "consistency" in self.rules:
            self._name_again(tokens, scores)
        spans: list[Span] = []
        current: list[int] = []
        for i, score in enumerate([*scores, 0.0]):
            gap = text[tokens[current[-1]].end:tokens[i].start] if current and \
                i < len(tokens) else None
            # "J. Andersson": the initial's full stop is glued to it.
            joined = gap in {" ", "-"} or (gap == "" and (tokens[i].text == "." or
                                                          tokens[current[-1]].text == "."))
            if score >= self.threshold and (not current or joined):
                current.append(i)
                continue
            if current:
                best = max(scores[j] for j in current)
                spans.append(Span(tokens[current[0]].start, tokens[current[-1]].end, "PERSON",
                                  round(best, 3), self.name))
            current = [i] if i < len(tokens) and score >= self.threshold else []
        return spans


def train_name_tagger(corpus: str | Path, output: str | Path, *, generated: int = 4000,
                      generated_seed: int = 1, written_weight: int = WRITTEN_WEIGHT,
                      **params: Any) -> NameTagger:
    """Fit the tagger on a corpus in the Swedish NER format, plus ``generated`` notes and
    messages from :func:`kraftsamling.privacy._synth.name_training_texts` (registers and
    name forms news text lacks) and the shipped written sentences (``WRITTEN_NAMES``, each
    added ``written_weight`` times; 0 leaves them out), and save it."""
    from kraftsamling.privacy._synth import as_tagged_sentences, name_training_texts

    sentences = read_conll(corpus)
    if not sentences:
        raise ValueError(f"Korpusen '{corpus}' innehåller inga meningar.")
    if generated:
        sentences += as_tagged_sentences(name_training_texts(generated, seed=generated_seed))
    if written_weight:
        written = [(words, tags) for _id, words, tags in read_written_names()]
        sentences += written * written_weight
    tagger = NameTagger(**params).fit([w for w, _ in sentences], [t for _, t in sentences])
    NAME_MODELS.write(tagger, Path(output))
    return tagger
