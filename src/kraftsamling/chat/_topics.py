"""What the seeker wants to talk about: a taxonomy from a file, and discovery for the rest.

The taxonomy (``data/topics.toml``) is the coordinators' own list, matched by word patterns in
Swedish and English, by the problem model, and by meaning: each topic's prototype sentences
are embedded once, and a conversation whose opening words' embedding lies close to one of
them gets the topic even when none of the words is on the list ("han bestämmer vem jag får
träffa" is violence/abuse without the word). What it misses goes to topic discovery:
k-means on the conversations' embeddings with a fixed seed, each group named by its most
distinctive words, so the same data always gives the same new topics.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer

from kraftsamling._config_files import read_entries
from kraftsamling._textfeatures import embed

__all__ = ["DEFAULT_TOPICS", "DiscoveredTopic", "Topic", "TopicTaxonomy", "discover_topics"]

DEFAULT_TOPICS = Path(__file__).parent / "data" / "topics.toml"

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


def _topic(entry: dict[str, Any]) -> Topic:
    """A topic from its ``[[topic]]`` entry (``KeyError``/``re.error`` when it is wrong)."""
    return Topic(id=str(entry["id"]), en=str(entry.get("en", entry["id"])),
                 patterns=tuple(re.compile(r"\b" + p, re.IGNORECASE)
                                for p in entry.get("patterns", [])),
                 problem_types=tuple(str(p) for p in entry.get("problem_types", [])),
                 prototypes=tuple(str(p) for p in entry.get("prototypes", [])))


class TopicTaxonomy:
    """Topics and how to recognise them; load your own with :meth:`from_toml`."""

    def __init__(self, topics: Sequence[Topic], *, problem_threshold: float = 0.5,
                 prototype_threshold: float = 0.88, prototype_margin: float = 0.0) -> None:
        self.topics = tuple(topics)
        self.problem_threshold = problem_threshold
        self.prototype_threshold = prototype_threshold
        self.prototype_margin = prototype_margin
        self._prototypes: tuple[Any, list[int]] | None = None

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> TopicTaxonomy:
        source, data, topics = read_entries(
            path, DEFAULT_TOPICS, kind="Ämnesfilen", table="topic", build=_topic,
            errors=(KeyError, re.error), problem="Ämnet '{id}' i '{source}' är felaktigt: "
                                                 "{error}")
        if not topics:
            raise ValueError(f"Ämnesfilen '{source}' har inga ämnen ([[topic]]).")
        return cls(topics, problem_threshold=float(data.get("problem_threshold", 0.5)),
                   prototype_threshold=float(data.get("prototype_threshold", 0.88)),
                   prototype_margin=float(data.get("prototype_margin", 0.0)))

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

    def assign(self, text: str, problem_probabilities: dict[str, float] | None = None,
               similarities: Any = None) -> list[str]:
        """The taxonomy's topics in this text: by its words, by the problem model's
        probabilities (if given), and by meaning (``similarities``: one row of
        :meth:`similarities` for the text's embedding)."""
        found = []
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
            if index in close or likely.intersection(topic.problem_types) or any(
                    pattern.search(text) for pattern in topic.patterns):
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
