"""What the seeker wants to talk about: a taxonomy from a file, and discovery for the rest.

The taxonomy (``data/topics.toml``) is the coordinators' own list, matched by word patterns in
Swedish and English, by the problem model, and by meaning: each topic's prototype sentences
are embedded once, and a conversation whose opening words' embedding lies close to one of
them gets the topic even when none of the words is on the list ("han bestämmer vem jag får
träffa" is violence/abuse without the word). A :class:`TopicClassifier` — one logistic
regression per topic on the same embedding — learns the topics from labelled Swedish chats
(``data/topic_chats_sv.jsonl``, written for this purpose) and the prototype sentences, and
adds a topic when its probability reaches ``classifier_threshold``. What all of these miss
goes to topic discovery:
k-means on the conversations' embeddings with a fixed seed, each group named by its most
distinctive words, so the same data always gives the same new topics.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from kraftsamling._config_files import as_written, compile_pattern, did_you_mean, read_validated
from kraftsamling._textfeatures import embed
from kraftsamling.chat._io import Conversation, Message, start_slice

__all__ = ["DEFAULT_TOPICS", "DEFAULT_TOPIC_CHATS", "DiscoveredTopic", "Topic", "TopicClassifier",
           "TopicEntry", "TopicTaxonomy", "TopicsFile", "discover_topics", "read_topic_chats"]

DEFAULT_TOPICS = Path(__file__).parent / "data" / "topics.toml"
DEFAULT_TOPIC_CHATS = Path(__file__).parent / "data" / "topic_chats_sv.jsonl"
# The slice of the seeker's opening words the analysis embeds (ChatModel's default
# start_words is this one number).
START_WORDS = 24
# Fitted classifiers by what they were fitted on (a taxonomy is loaded per analysis; fitting
# embeds a few hundred texts, so each file and setting is fitted once per process).
_FITTED: dict[tuple[Any, ...], TopicClassifier] = {}

# Words too common to name a topic (Swedish and English function and chat words).
_STOP = frozenset(
    "och att det som en på är av för med till den har de inte om ett han men var jag hon kan "
    "mig du så vi sig nu bara när mycket min mitt mina vad eller hur får känner mår också ska "
    "vill kanske någon något efter alla här där dig tack hej hallå ja nej okej lite så mer jag "
    "the and to of in is it you that he was for on are with as his they be at one have this "
    "from or had by not but what all were we when your can there an my me so do if im feel just "
    "about really been would how thanks hello hi yes no ok okay know think like get don going "
    "thank things thing time person".split())


@dataclass(frozen=True)
class Topic:
    id: str  # the Swedish name, shown to coordinators
    en: str
    patterns: tuple[re.Pattern[str], ...]
    problem_types: tuple[str, ...] = ()
    prototypes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscoveredTopic:
    label: str
    words: tuple[str, ...]
    size: int


def _number(allowed: str, *, low: float | None = None, high: float | None = None,
            above: float | None = None, whole: bool = False) -> Any:
    """A validator for a number setting whose Swedish message says the values it allows
    (the error names the setting as its place; pydantic's own message would say only that it
    must be a number, and in English). A TOML boolean is not a number."""

    def check(value: object) -> object:
        kind = int if whole else int | float
        if (isinstance(value, bool) or not isinstance(value, kind)
                # nan passes every comparison, inf is no setting (an int may be too big for a
                # float: only floats are asked)
                or (isinstance(value, float) and not math.isfinite(value))
                or (low is not None and value < low) or (high is not None and value > high)
                or (above is not None and value <= above)):
            raise ValueError(f"ska vara {allowed}, inte {as_written(value)}")
        return value
    return BeforeValidator(check)


class TopicEntry(BaseModel):
    """One ``[[topic]]`` of the topics file; a misspelt key is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    en: str | None = None
    patterns: tuple[str, ...] = ()
    problem_types: tuple[str, ...] = ()
    prototypes: tuple[str, ...] = ()

    def topic(self) -> Topic:
        """The topic, its patterns compiled (a broken one is a Swedish ``ValueError``)."""
        return Topic(id=self.id, en=self.en or self.id,
                     patterns=tuple(compile_pattern(p, f"Ämnet '{self.id}': mönstret '{p}': "
                                                       "{reason}", prefix=r"\b",
                                                    flags=re.IGNORECASE)
                                    for p in self.patterns),
                     problem_types=self.problem_types, prototypes=self.prototypes)

    @model_validator(mode="after")
    def _patterns_compile(self) -> TopicEntry:
        self.topic()
        return self


class TopicsFile(BaseModel):
    """The topics file (``topics.toml``), validated. A setting the file leaves out keeps
    :class:`TopicTaxonomy`'s default (only the settings the file sets are passed on), so the
    defaults are declared once, in its constructor."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    problem_threshold: Annotated[float | None, _number(
        "ett tal ≥ 0 (över 1: problemmodellen ger inga ämnen)", low=0)] = None
    prototype_threshold: Annotated[float | None, _number(
        "ett tal från -1 och uppåt (över 1: av)", low=-1)] = None
    prototype_margin: Annotated[float | None, _number(
        "ett tal ≥ 0", low=0)] = None
    classifier_threshold: Annotated[float | None, _number(
        "ett tal ≥ 0 (över 1: klassificeraren av)", low=0)] = None
    classifier_C: Annotated[float | None, _number(
        "ett tal större än 0", above=0)] = None
    classifier_text_weight: Annotated[float | None, _number(
        "ett tal ≥ 0 (0: av)", low=0)] = None
    classifier_ngrams: str | None = None
    classifier_top: Annotated[int | None, _number(
        "ett heltal ≥ 0 (0: alla ämnen över tröskeln)", low=0,
        whole=True)] = None
    word_floor: Annotated[float | None, _number(
        "ett tal mellan 0 och 1 (0: orden räknas alltid)", low=0, high=1)] = None
    training_chats: str | None = None
    topic: tuple[TopicEntry, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _known_settings(cls, data: object) -> object:
        if isinstance(data, dict):
            known = sorted(cls.model_fields)
            for key in data:
                if key not in known:
                    raise ValueError(f"okänd inställning '{key}'."
                                     f"{did_you_mean(str(key), known)} "
                                     f"Kända: {', '.join(known)}.")
        return data

    @field_validator("classifier_ngrams", mode="before")
    @classmethod
    def _ngrams(cls, value: object) -> object:
        if value not in ("word", "char"):
            raise ValueError(f'ska vara "word" eller "char", inte {value!r}')
        return value

    def settings(self) -> dict[str, Any]:
        """The settings the file sets (not its topics or training chats), by name."""
        return {name: getattr(self, name) for name in self.model_fields_set
                if name not in ("topic", "training_chats")}


def read_topic_chats(path: str | Path) -> tuple[list[Conversation], list[list[str]]]:
    """Labelled chats for the topic classifier: JSON lines with ``messages`` (``speaker``
    seeker/volunteer, ``text``) and ``topics`` (taxonomy ids); an optional ``source`` (who
    wrote the chat) is kept in the conversation's ``labels``."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ValueError(f"Ämnesexemplen '{path}' finns inte.") from None
    chats, topics = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            messages = [Message("seeker" if m["speaker"] == "seeker" else "volunteer",
                                str(m["text"])) for m in record["messages"]]
            labels = [str(t) for t in record["topics"]]
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"Rad {number} i ämnesexemplen '{path}' är inte ett samtal med "
                             "'messages' och 'topics'.") from None
        # Who wrote the chat, where the file says (cross-validation groups by it).
        source = {"source": str(record["source"])} if record.get("source") else {}
        chats.append(Conversation(str(record.get("conversation_id", number)), messages,
                                  labels=dict(source)))
        topics.append(labels)
    return chats, topics


class TopicClassifier(BaseEstimator):  # type: ignore[misc]
    """One logistic regression per topic on the opening words' embedding, and optionally on
    the character n-grams of everything the seeker wrote.

    ``fit(embeddings, y, texts=None)`` with ``y`` a texts × topics 0/1 matrix; a topic
    without both positive and negative examples gets probability 0. Balanced class weights:
    each topic has few examples against many without it. With ``text_weight`` above 0 the
    TF-IDF of ``texts``' n-grams is added, scaled by it (``ngrams``: ``"word"``, words and
    word pairs; ``"char"``, character 3–5-grams within words, about five times slower): the
    embedding reads only the opening words, the n-grams see a topic raised later in the chat
    at no embedding cost.
    """

    def __init__(self, *, C: float = 1.0, text_weight: float = 0.0, ngrams: str = "word"
                 ) -> None:
        self.C = C
        self.text_weight = text_weight
        self.ngrams = ngrams

    def _rows(self, embeddings: Any, texts: Sequence[str] | None) -> Any:
        rows = np.atleast_2d(np.asarray(embeddings, dtype=np.float64))
        if not self.text_weight:
            return rows
        if texts is None or len(texts) != rows.shape[0]:
            raise ValueError("Ämnesklassificeraren läser också texten: ange texts= med en "
                             "text per rad.")
        ngrams = self.vectorizer_.transform(list(texts)) * self.text_weight
        return sparse.hstack([sparse.csr_matrix(rows), ngrams]).tocsr()

    def fit(self, embeddings: Any, y: Any, texts: Sequence[str] | None = None
            ) -> TopicClassifier:
        labels = np.asarray(y, dtype=bool)
        if self.text_weight:
            if texts is None:
                raise ValueError("Ämnesklassificeraren läser också texten: ange texts=.")
            if self.ngrams not in ("word", "char"):
                raise ValueError(f"ngrams ska vara 'word' eller 'char', inte '{self.ngrams}'.")
            analyzer, sizes = ("char_wb", (3, 5)) if self.ngrams == "char" else ("word", (1, 2))
            self.vectorizer_ = TfidfVectorizer(analyzer=analyzer, ngram_range=sizes, min_df=2,
                                               sublinear_tf=True,
                                               max_features=50_000).fit(list(texts))
        rows = self._rows(embeddings, texts)
        self.n_topics_ = labels.shape[1]
        self.coef_ = np.zeros((self.n_topics_, rows.shape[1]))
        self.intercept_ = np.full(self.n_topics_, -np.inf)
        for k in range(self.n_topics_):
            if 0 < labels[:, k].sum() < len(labels):
                model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
                model.fit(rows, labels[:, k])
                self.coef_[k] = model.coef_[0]
                self.intercept_[k] = model.intercept_[0]
        return self

    def predict_proba(self, embeddings: Any, texts: Sequence[str] | None = None
                      ) -> np.ndarray[Any, Any]:
        """Texts × topics probabilities."""
        rows = self._rows(embeddings, texts)
        with np.errstate(over="ignore"):
            return np.asarray(1.0 / (1.0 + np.exp(-(np.asarray(rows @ self.coef_.T)
                                                     + self.intercept_))))


class TopicTaxonomy:
    """Topics and how to recognise them; load your own with :meth:`from_toml`.

    ``training_chats`` (a JSON-lines file, see :func:`read_topic_chats`) teaches the topic
    classifier together with the prototypes; ``None`` trains it on the prototypes alone, and
    a ``classifier_threshold`` above 1 turns it off. ``classifier_top`` above 0 lets the
    classifier add only its that many most likely topics (each still at the threshold); the
    words add theirs beside them. With the classifier on, a topic's word
    pattern counts only where the classifier gives the topic at least ``word_floor`` (0: the
    words always count): "sova över hos en kompis" matches a sleep word in a chat about
    nothing in the taxonomy, and the classifier, taught by topic-less chats, can veto it."""

    def __init__(self, topics: Sequence[Topic], *, problem_threshold: float = 0.5,
                 prototype_threshold: float = 0.88, prototype_margin: float = 0.0,
                 classifier_threshold: float = 2.0, classifier_C: float = 1.0,
                 classifier_text_weight: float = 0.0, classifier_ngrams: str = "word",
                 classifier_top: int = 0, word_floor: float = 0.0,
                 training_chats: str | Path | None = None) -> None:
        self.topics = tuple(topics)
        self.problem_threshold = problem_threshold
        self.prototype_threshold = prototype_threshold
        self.prototype_margin = prototype_margin
        self.classifier_threshold = classifier_threshold
        self.classifier_C = classifier_C
        self.classifier_text_weight = classifier_text_weight
        self.classifier_ngrams = classifier_ngrams
        self.classifier_top = classifier_top
        self.word_floor = word_floor
        self.training_chats = None if training_chats is None else Path(training_chats)
        self._prototypes: tuple[Any, list[int]] | None = None
        self._classifier: TopicClassifier | None = None

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> TopicTaxonomy:
        """The taxonomy in a topics file (the package's own without ``path``); a wrong file is a
        Swedish ``ValueError`` that names the setting and the values it allows."""
        source = Path(path) if path is not None else DEFAULT_TOPICS
        data = read_validated(source, TopicsFile, kind="Ämnesfilen")
        if not data.topic:
            raise ValueError(f"Ämnesfilen '{source}' har inga ämnen ([[topic]]).")
        training = None
        if data.training_chats:
            training = Path(data.training_chats)
            if not training.is_absolute():  # next to the file, else the package's own
                nearby = source.parent / training
                training = nearby if nearby.exists() else DEFAULT_TOPICS.parent / training
            if not training.exists():
                raise ValueError(f"Ämnesexemplen '{data.training_chats}' i '{source}' finns "
                                 "inte.")
        return cls([entry.topic() for entry in data.topic], training_chats=training,
                   **data.settings())

    @property
    def ids(self) -> list[str]:
        return [topic.id for topic in self.topics]

    def similarities(self, embeddings: Any) -> np.ndarray[Any, Any]:
        """Each text's closest-prototype cosine per topic (texts × topics; −1 without
        prototypes). The prototypes are embedded once per taxonomy."""
        if self._prototypes is None:
            owners = [i for i, topic in enumerate(self.topics) for _ in topic.prototypes]
            texts = [p for topic in self.topics for p in topic.prototypes]
            self._prototypes = (embed(texts), owners)
        vectors, owners = self._prototypes
        rows = np.atleast_2d(np.asarray(embeddings, dtype=np.float32))
        best = np.full((rows.shape[0], len(self.topics)), -1.0)
        if owners:
            cosine = rows @ np.asarray(vectors).T
            for column, owner in enumerate(owners):
                best[:, owner] = np.maximum(best[:, owner], cosine[:, column])
        return best

    def training_data(self) -> tuple[list[str], np.ndarray[Any, Any], list[str]]:
        """The classifier's examples: each labelled chat's opening words and each prototype
        sentence, with a texts × topics 0/1 matrix and the text the n-grams read (all the
        seeker's words; the sentence itself for a prototype). A label the taxonomy does not
        have is an error: a misspelt topic would otherwise never be learnt, without a word."""
        index = {topic.id: k for k, topic in enumerate(self.topics)}
        texts: list[str] = []
        seekers: list[str] = []
        rows: list[list[int]] = []
        if self.training_chats is not None:
            chats, labels = read_topic_chats(self.training_chats)
            unknown = sorted({label for row in labels for label in row} - set(index))
            if unknown:
                raise ValueError(f"Ämnesexemplen '{self.training_chats}' har ämnen som taxonomin "
                                 f"inte har: {', '.join(unknown)}. Kända: {', '.join(index)}.")
            for chat, topics in zip(chats, labels, strict=True):
                texts.append(start_slice(chat, START_WORDS))
                seekers.append(" ".join(chat.texts("seeker")))
                rows.append([int(topic.id in topics) for topic in self.topics])
        for k, topic in enumerate(self.topics):
            for prototype in topic.prototypes:
                texts.append(prototype)
                seekers.append(prototype)
                rows.append([int(j == k) for j in range(len(index))])
        return texts, np.asarray(rows, dtype=int).reshape(len(rows), len(self.topics)), seekers

    def classifier(self) -> TopicClassifier | None:
        """The fitted topic classifier (fitted once per taxonomy; ``None`` when off)."""
        if self.classifier_threshold > 1.0:
            return None
        if self._classifier is None:
            source = self.training_chats
            if source is not None and not source.is_file():
                raise ValueError(f"Ämnesexemplen '{source}' finns inte.")
            stamp: tuple[str, int, int] | None = None
            if source is not None:
                status = source.stat()
                stamp = (str(source.resolve()), status.st_mtime_ns, status.st_size)
            key = (stamp, self.classifier_C, self.classifier_text_weight, self.classifier_ngrams,
                   tuple((topic.id, topic.prototypes) for topic in self.topics))
            if key not in _FITTED:
                texts, y, seekers = self.training_data()
                _FITTED[key] = TopicClassifier(
                    C=self.classifier_C, text_weight=self.classifier_text_weight,
                    ngrams=self.classifier_ngrams).fit(
                    embed(texts), y, texts=seekers)
            self._classifier = _FITTED[key]
        return self._classifier

    def classifier_scores(self, embeddings: Any, texts: Sequence[str] | None = None
                          ) -> np.ndarray[Any, Any] | None:
        """Texts × topics probabilities from the topic classifier (``None`` when off);
        ``texts`` (all the seeker's words, one per embedding) when it reads n-grams too."""
        classifier = self.classifier()
        return None if classifier is None else classifier.predict_proba(embeddings, texts)

    def assign(self, text: str, problem_probabilities: dict[str, float] | None = None,
               similarities: Any = None, scores: Any = None) -> list[str]:
        """The taxonomy's topics in this text: by its words, by the problem model's
        probabilities (if given), by meaning (``similarities``: one row of
        :meth:`similarities` for the text's embedding) and by the topic classifier
        (``scores``: one row of :meth:`classifier_scores`; where given, a word match counts
        only at a score of at least ``word_floor``)."""
        found = []
        learnt: set[int] = set()
        vetoed: set[int] = set()
        if scores is not None:
            row = np.asarray(scores, dtype=float).ravel()
            learnt = {int(i) for i in np.flatnonzero(row >= self.classifier_threshold)}
            if self.classifier_top > 0:  # only the k most likely (ties: the first topic)
                learnt &= {int(i) for i in np.argsort(-row, kind="stable")[:self.classifier_top]}
            vetoed = {int(i) for i in np.flatnonzero(row < self.word_floor)}
        likely = {problem for problem, p in (problem_probabilities or {}).items()
                  if p >= self.problem_threshold}
        close: set[int] = set()
        if similarities is not None:
            row = np.asarray(similarities, dtype=float).ravel()
            if row.size and row.max() >= self.prototype_threshold:
                close = {int(i) for i in np.flatnonzero(
                    (row >= self.prototype_threshold)
                    & (row >= row.max() - self.prototype_margin))}
        for index, topic in enumerate(self.topics):
            if index in close or index in learnt or likely.intersection(topic.problem_types) or (
                    index not in vetoed and any(pattern.search(text)
                                                for pattern in topic.patterns)):
                found.append(topic.id)
        return found


def discover_topics(texts: Sequence[str], embeddings: Any, *, n_topics: int = 8,
                    seed: int = 0, words: int = 3) -> tuple[list[int], list[DiscoveredTopic]]:
    """Group texts the taxonomy missed; returns each text's group and the groups' names.

    Groups are named by the words most over-represented in them against the other texts
    (class-based TF-IDF, as BERTopic does). Fewer than five texts per group makes no group.
    """
    count = min(n_topics, len(texts) // 5)
    if count < 2:
        return [-1] * len(texts), []
    groups = KMeans(n_clusters=count, n_init=10, random_state=seed).fit_predict(
        np.asarray(embeddings, dtype=np.float64))
    vectorizer = CountVectorizer(token_pattern=r"(?u)\b[^\W\d_]{3,}\b",  # noqa: S106
                                 stop_words=sorted(_STOP), lowercase=True)
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # only stop words
        return [-1] * len(texts), []
    vocabulary = np.asarray(vectorizer.get_feature_names_out())
    per_group = np.vstack([np.asarray(counts[groups == g].sum(axis=0)).ravel()
                           for g in range(count)]).astype(float)
    frequency = per_group / np.maximum(per_group.sum(axis=1, keepdims=True), 1.0)
    idf = np.log(1.0 + per_group.sum(axis=1).mean() / np.maximum(per_group.sum(axis=0), 1.0))
    scores = frequency * idf
    discovered = []
    for group in range(count):
        top = tuple(str(vocabulary[i]) for i in np.argsort(-scores[group], kind="stable")[:words]
                    if scores[group, i] > 0)
        discovered.append(DiscoveredTopic(label=f"upptäckt {group + 1}: {' '.join(top)}",
                                          words=top, size=int((groups == group).sum())))
    return [int(g) for g in groups], discovered
