"""What a support chat is about, and how the seeker feels at its start and end.

Trained on ESConv (English) through multilingual embeddings, so the same models read Swedish
chats; and a Swedish sentiment model trained on Swedish social-media text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegression, Ridge

from kraftsamling._textfeatures import FloatArray, TextFeatures
from kraftsamling.chat._io import Conversation

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
    """The seeker's problem (ESConv's problem types) from what the seeker wrote."""

    def __init__(self, *, C: float = 2.0, embedding_weight: float = 2.0) -> None:
        self.C = C
        self.embedding_weight = embedding_weight

    def fit(self, X: Sequence[str], y: Sequence[str], embeddings: FloatArray | None = None
            ) -> ProblemTypeClassifier:
        features = self._fit_features(list(X), embeddings)
        self.model_ = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        self.model_.fit(features, list(y))
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Sequence[str], embeddings: FloatArray | None = None
                      ) -> npt.NDArray[np.float64]:
        return np.asarray(self.model_.predict_proba(self._features(X, embeddings)))

    def predict(self, X: Sequence[str], embeddings: FloatArray | None = None
                ) -> npt.NDArray[Any]:
        return np.asarray(self.model_.predict(self._features(X, embeddings)))


class MoodEstimator(RegressorMixin, _TextModel):  # type: ignore[misc]
    """Emotion intensity (ESConv's 1–5, 5 = strongest) from a slice of the seeker's words."""

    def __init__(self, *, alpha: float = 10.0, embedding_weight: float = 2.0) -> None:
        self.alpha = alpha
        self.embedding_weight = embedding_weight

    def fit(self, X: Sequence[str], y: Sequence[float], embeddings: FloatArray | None = None
            ) -> MoodEstimator:
        features = self._fit_features(list(X), embeddings)
        self.model_ = Ridge(alpha=self.alpha).fit(features, np.asarray(y, dtype=float))
        return self

    def predict(self, X: Sequence[str], embeddings: FloatArray | None = None
                ) -> npt.NDArray[np.float64]:
        raw = np.asarray(self.model_.predict(self._features(X, embeddings)))
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


