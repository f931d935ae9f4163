"""The on-disk cache of fixed texts' vectors (exemplar banks, theme examples)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vectorstore.vector_cache import cached_vectors


class _Counting:
    """An embedder giving each text a vector derived from its words and a seed, and counting
    the texts it embeds."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.embedded: list[str] = []

    def __call__(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        out = []
        for text in texts:
            rng = np.random.default_rng([self.seed, *map(ord, text[:40])])
            vector = rng.standard_normal(8)
            out.append((vector / np.linalg.norm(vector)).tolist())
        return out


def test_vectors_are_embedded_once_and_read_back(tmp_path: Path) -> None:
    texts = ["the out of hours service", "caseloads are high", "thresholds are clear"]
    embed = _Counting(seed=1)
    first = cached_vectors(texts, embed, "model-a", "themes", tmp_path)
    assert first.shape == (3, 8)
    assert len([t for t in embed.embedded if t in texts]) == 3
    embed.embedded.clear()
    again = cached_vectors(texts, embed, "model-a", "themes", tmp_path)
    assert np.array_equal(first, again)
    assert not [t for t in embed.embedded if t in texts]  # read from disk, only the probe embedded


def test_an_embedder_with_the_same_model_name_but_other_vectors_never_shares_the_cache(
        tmp_path: Path) -> None:
    # The benchmarks' hash stand-in keeps the real model's name: its vectors must not be read
    # (or written) as the real model's, or every later process trains on noise.
    texts = ["the out of hours service", "caseloads are high"]
    stand_in, real = _Counting(seed=1), _Counting(seed=2)
    hashed = cached_vectors(texts, stand_in, "all-MiniLM-L6-v2", "themes", tmp_path)
    vectors = cached_vectors(texts, real, "all-MiniLM-L6-v2", "themes", tmp_path)
    assert np.allclose(vectors, np.asarray(real(texts)))
    assert not np.allclose(vectors, hashed)
    assert np.array_equal(cached_vectors(texts, stand_in, "all-MiniLM-L6-v2", "themes", tmp_path),
                          hashed)
    assert len(list(tmp_path.glob("themes-*.npy"))) == 2


def test_no_texts_embed_nothing(tmp_path: Path) -> None:
    embed = _Counting(seed=1)
    assert cached_vectors([], embed, "model-a", "themes", tmp_path).shape[0] == 0
    assert embed.embedded == []
