"""A cheap deterministic stand-in for the embedding model, for scale and load benchmarks.

Embedding 1,000 letters with all-MiniLM-L6-v2 takes ~40 passages/s on two CPU cores, so scale
runs store vectors from :class:`HashEmbedder`: a unit vector of the real dimension (384) seeded by
a hash of the text. Everything else is the real thing (the model folder's tokenizer counts
word-pieces for chunking, Chroma stores and searches the vectors), so such runs measure speed
and memory, not answer accuracy: the dense side of retrieval is noise.
"""

from __future__ import annotations

import hashlib

import numpy as np

from vectorstore.embedder import Embedder

STANDIN_NOTE = ("vectors from a deterministic hash stand-in embedder (dimension 384), not the "
                "model: timings and memory are meaningful, answer accuracy is not")


def hash_vector(text: str, dimension: int = 384) -> np.ndarray:
    """A unit vector seeded by the text's hash: same text, same vector."""
    seed = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:16], 16)
    vector = np.random.default_rng(seed).standard_normal(dimension).astype(np.float32)
    return vector / float(np.linalg.norm(vector))


class HashEmbedder(Embedder):
    """The packaged model's configuration and tokenizer, with hash vectors instead of the model.

    ``model_name`` stays the packaged model's, so a store written with it looks like a real one
    to the pipeline (an unchanged re-ingest embeds nothing); never mix it with real vectors in
    one store.
    """

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [hash_vector(t, self.dimension).tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return hash_vector(text, self.dimension).tolist()
