"""The trained part of autolarm: sentence embeddings plus character n-grams
(``kraftsamling._textfeatures``). Probabilities are calibrated, so a threshold means what it
says."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from kraftsamling._textfeatures import FloatArray, TextFeatures, embed
from kraftsamling.autolarm._taxonomy import Category, Level

__all__ = ["AutolarmClassifier", "E5Embedder", "FloatArray", "embed", "quick_level_model"]


class E5Embedder(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """A stateless transformer: texts in, 384-dimensional embeddings out."""

    def fit(self, X: Sequence[str], y: Any = None) -> E5Embedder:
        return self

    def transform(self, X: Sequence[str]) -> FloatArray:
        return embed(list(X))


class AutolarmClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Level (urgent, concern, none) and categories of free-text answers.

    Parameters
    ----------
    C:
        Inverse regularisation of the logistic regressions.
    embedding_weight:
        Scale of the embedding block against the (unit-length) n-gram block.
    ngram_range:
        Character n-gram lengths, within word boundaries.
    calibration_cv:
        Folds for sigmoid calibration of the level probabilities.
    random_state:
        Seed for the solvers that use one.
    n_jobs:
        Processes for the calibration folds and the category models (-1: every core). The
        result does not depend on it; training time on two cores halves.
    """

    def __init__(self, *, C: float = 4.0, embedding_weight: float = 1.5,
                 ngram_range: tuple[int, int] = (2, 5), calibration_cv: int = 5,
                 random_state: int = 0, n_jobs: int | None = -1) -> None:
        self.C, self.embedding_weight, self.ngram_range = C, embedding_weight, ngram_range
        self.calibration_cv, self.random_state, self.n_jobs = calibration_cv, random_state, n_jobs

    def _features(self, texts: Sequence[str], embeddings: FloatArray | None = None
                  ) -> sparse.csr_matrix:
        return self.features_.transform(texts, embeddings)

    def fit(self, X: Sequence[str], y: Sequence[str] | npt.NDArray[Any],
            categories: Sequence[Sequence[str]] | None = None,
            embeddings: FloatArray | None = None,
            sample_weight: npt.NDArray[np.float64] | None = None) -> AutolarmClassifier:
        texts = list(X)
        levels = [Level(v).value for v in y]
        if len(set(levels)) < 2:
            raise ValueError("Träningsdata måste innehålla minst två nivåer.")
        self.features_ = TextFeatures(embedding_weight=self.embedding_weight,
                                      ngram_range=self.ngram_range).fit(texts)
        features = self._features(texts, embeddings)
        base = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        folds = min(self.calibration_cv, min(levels.count(v) for v in set(levels)))
        self.level_model_ = CalibratedClassifierCV(base, method="sigmoid", cv=max(folds, 2),
                                                   n_jobs=self.n_jobs)
        self.level_model_.fit(features, levels, sample_weight=sample_weight)
        self.classes_ = np.asarray(self.level_model_.classes_)
        labels = [[Category(c).value for c in cats] for cats in (categories or [[]] * len(texts))]
        self.categories_ = MultiLabelBinarizer(classes=[c.value for c in Category])
        targets = self.categories_.fit_transform(labels)
        present = targets.sum(axis=0) > 0
        self.category_columns_ = np.flatnonzero(present)
        if self.category_columns_.size:
            self.category_model_: OneVsRestClassifier | None = OneVsRestClassifier(
                LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced"),
                n_jobs=self.n_jobs)
            # Unweighted: the weights are for the level, which decides who waits.
            self.category_model_.fit(features, targets[:, self.category_columns_])
        else:
            self.category_model_ = None
        return self

    def predict_proba(self, X: Sequence[str], embeddings: FloatArray | None = None
                      ) -> npt.NDArray[np.float64]:
        return np.asarray(self.level_model_.predict_proba(self._features(list(X), embeddings)))

    def predict(self, X: Sequence[str]) -> npt.NDArray[np.str_]:
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])

    def level_and_category_proba(self, X: Sequence[str], embeddings: FloatArray | None = None
                                 ) -> tuple[dict[str, npt.NDArray[np.float64]],
                                            dict[str, npt.NDArray[np.float64]]]:
        """Per-level and per-category probabilities, from one pass over the features."""
        features = self._features(list(X), embeddings)
        level = np.asarray(self.level_model_.predict_proba(features))
        levels = {str(name): level[:, i] for i, name in enumerate(self.classes_)}
        categories: dict[str, npt.NDArray[np.float64]] = {}
        if self.category_model_ is not None:
            raw = np.asarray(self.category_model_.predict_proba(features))
            names = self.categories_.classes_[self.category_columns_]
            categories = {str(name): raw[:, i] for i, name in enumerate(names)}
        return levels, categories


def quick_level_model(C: float = 4.0) -> Pipeline:
    """Character n-grams only: cheap enough to screen every answer before the embeddings."""
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                        lowercase=True),
        LogisticRegression(C=C, max_iter=3000, class_weight="balanced"),
    )
