"""What a support chat is about, and how the seeker feels at its start and end.

Trained on ESConv (English) through multilingual embeddings, so the same models read Swedish
chats; and a Swedish sentiment model trained on Swedish social-media text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import ComplementNB
from sklearn.utils.class_weight import compute_sample_weight

from kraftsamling._textfeatures import EMBEDDING_DIM, FloatArray, TextFeatures
from kraftsamling.chat._io import Conversation

Numbers = Sequence[float] | npt.NDArray[Any]

__all__ = ["MoodEstimator", "ProblemTypeClassifier", "SentimentClassifier", "seeker_text"]


def seeker_text(conversation: Conversation, *, part: str = "all", messages: int = 4) -> str:
    """The seeker's words: all of them, or the first or last few messages."""
    texts = conversation.texts("seeker")
    if part == "start":
        texts = texts[:messages]
    elif part == "end":
        texts = texts[-messages:]
    return " ".join(texts)


class _TextModel(BaseEstimator):  # type: ignore[misc]
    """Embeddings + word n-grams in front of a linear model."""

    def _fit_features(self, texts: Sequence[str], embeddings: FloatArray | None) -> Any:
        self.features_ = TextFeatures(embedding_weight=self.embedding_weight,
                                      ngram_range=(1, 2), analyzer="word",
                                      max_features=50_000).fit(texts)
        return self.features_.transform(texts, embeddings)

    def _features(self, texts: Sequence[str], embeddings: FloatArray | None) -> Any:
        return self.features_.transform(list(texts), embeddings)


class ProblemTypeClassifier(ClassifierMixin, _TextModel):  # type: ignore[misc]
    """The seeker's problem (ESConv's problem types) from the conversation's words.

    A logistic regression on embeddings and word n-grams, its log-probabilities added to
    ``naive_bayes_weight`` times those of a complement naive Bayes on the same n-grams:
    naive Bayes learns a rare problem's few telling words from a handful of examples
    (5-fold macro-F1 on ESConv train + valid 0.564 → 0.575). Defaults chosen by 5-fold
    cross-validation on ESConv train + valid (macro-F1).
    """

    def __init__(self, *, C: float = 1.0, embedding_weight: float = 3.0,
                 naive_bayes_weight: float = 1.0, naive_bayes_alpha: float = 0.3) -> None:
        self.C = C
        self.embedding_weight = embedding_weight
        self.naive_bayes_weight = naive_bayes_weight
        self.naive_bayes_alpha = naive_bayes_alpha

    def fit(self, X: Sequence[str], y: Sequence[str], embeddings: FloatArray | None = None
            ) -> ProblemTypeClassifier:
        labels = list(y)
        features = self._fit_features(list(X), embeddings)
        self.model_ = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        self.model_.fit(features, labels)
        self.classes_ = self.model_.classes_
        self.naive_bayes_ = ComplementNB(alpha=self.naive_bayes_alpha).fit(
            self._ngrams(features), labels,
            sample_weight=compute_sample_weight("balanced", labels))
        return self

    def _ngrams(self, features: Any) -> Any:
        """The n-gram columns (the embedding columns come first)."""
        return features[:, EMBEDDING_DIM:]

    def predict_proba(self, X: Sequence[str], embeddings: FloatArray | None = None
                      ) -> npt.NDArray[np.float64]:
        features = self._features(X, embeddings)
        scores = np.log(np.asarray(self.model_.predict_proba(features)) + 1e-12)
        if self.naive_bayes_weight:
            scores += self.naive_bayes_weight * self.naive_bayes_.predict_log_proba(
                self._ngrams(features))
        return np.asarray(softmax(scores, axis=1), dtype=np.float64)

    def predict(self, X: Sequence[str], embeddings: FloatArray | None = None
                ) -> npt.NDArray[Any]:
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X, embeddings), axis=1)])


class MoodEstimator(RegressorMixin, _TextModel):  # type: ignore[misc]
    """A 1–5 score (emotion intensity, experience) from a slice of the seeker's words.

    ``start`` — the intensity at the start, known or estimated — may be given as one more
    feature: then the model learns how far moods move back towards the middle on their own,
    so an estimated end mood is not mistaken for the chat's effect. ``extra`` adds a few dense
    columns (how the chat ended: :class:`~kraftsamling.chat.EndingCues`), scaled by
    ``extra_weight``. Defaults chosen by 5-fold cross-validation on ESConv train + valid.
    """

    def __init__(self, *, alpha: float = 3.0, embedding_weight: float = 0.5,
                 extra_weight: float = 1.0) -> None:
        self.alpha = alpha
        self.embedding_weight = embedding_weight
        self.extra_weight = extra_weight

    def _with_columns(self, features: Any, start: Numbers | None,
                      extra: npt.NDArray[Any] | None) -> Any:
        columns = [features]
        if start is not None:
            columns.append(sparse.csr_matrix(
                np.asarray(start, dtype=float).reshape(-1, 1) / 5.0))
        if extra is not None:
            columns.append(sparse.csr_matrix(np.asarray(extra, dtype=float) * self.extra_weight))
        return sparse.hstack(columns).tocsr() if len(columns) > 1 else features

    def fit(self, X: Sequence[str], y: Numbers, embeddings: FloatArray | None = None,
            start: Numbers | None = None, extra: npt.NDArray[Any] | None = None
            ) -> MoodEstimator:
        features = self._with_columns(self._fit_features(list(X), embeddings), start, extra)
        self.uses_start_ = start is not None
        self.n_extra_ = 0 if extra is None else int(np.asarray(extra).shape[1])
        self.model_ = Ridge(alpha=self.alpha).fit(features, np.asarray(y, dtype=float))
        return self

    def predict(self, X: Sequence[str], embeddings: FloatArray | None = None,
                start: Numbers | None = None, extra: npt.NDArray[Any] | None = None
                ) -> npt.NDArray[np.float64]:
        if self.uses_start_ and start is None:
            raise ValueError("Modellen tränades med startvärde; ange start=.")
        if self.n_extra_ and (extra is None or np.asarray(extra).shape[1] != self.n_extra_):
            raise ValueError(f"Modellen tränades med {self.n_extra_} extra kolumner; ange extra=.")
        features = self._with_columns(self._features(X, embeddings),
                                      start if self.uses_start_ else None,
                                      extra if self.n_extra_ else None)
        raw = np.asarray(self.model_.predict(features))
        return np.asarray(np.clip(raw, 1.0, 5.0), dtype=np.float64)


class SentimentClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Positive, neutral or negative, from embeddings and character n-grams.

    Defaults chosen on a validation part of the Swedish sentiment data's train split.
    """

    def __init__(self, *, C: float = 2.0, embedding_weight: float = 3.0) -> None:
        self.C = C
        self.embedding_weight = embedding_weight

    def fit(self, X: Sequence[str], y: Sequence[str], embeddings: FloatArray | None = None
            ) -> SentimentClassifier:
        texts = list(X)
        self.features_ = TextFeatures(embedding_weight=self.embedding_weight).fit(texts)
        self.model_ = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        self.model_.fit(self.features_.transform(texts, embeddings), list(y))
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X: Sequence[str], embeddings: FloatArray | None = None
                ) -> npt.NDArray[Any]:
        return np.asarray(self.model_.predict(self.features_.transform(list(X), embeddings)))


