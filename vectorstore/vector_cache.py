"""Vectors of fixed texts (exemplar banks, theme examples) cached on disk.

The key is the hash of the model name and the texts, so a changed bank or model is embedded
afresh and an unchanged one never twice. The folder is ``$REPORTQA_CACHE_DIR`` or
``reportqa-cache`` in the system's temporary folder; a read-only disk only costs the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

_PROBE = "children's social care contact, referral and assessment"
_PRINT_DIMS = 16  # leading dimensions of the probe vector in the key, to two decimals


def cache_dir(folder: Path | None = None) -> Path:
    """The folder vectors are cached in."""
    return folder or Path(os.environ.get("REPORTQA_CACHE_DIR")
                          or Path(tempfile.gettempdir()) / "reportqa-cache")


def cached_vectors(texts: list[str], embed: Callable[[list[str]], list[list[float]]],
                   model_name: str, prefix: str, folder: Path | None = None) -> np.ndarray:
    """The vectors of ``texts`` (one row each), from the cache or embedded once and stored.

    The key holds, beside the model name and the texts, a coarse print of the vector ``embed``
    gives one probe text: an embedder that reports the same model name but gives other vectors
    (the benchmarks' hash stand-in, :class:`evals.standin.HashEmbedder`) never reads or
    overwrites the real model's vectors. Reading the cache costs that one embedding.
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    probe = np.asarray(embed([_PROBE])[0], dtype=np.float32)
    print_ = np.round(probe[:_PRINT_DIMS], 2).tolist()
    key = hashlib.sha256(json.dumps([model_name, print_, texts]).encode()).hexdigest()[:20]
    path = cache_dir(folder) / f"{prefix}-{key}.npy"
    try:
        cached = np.load(path)
        if cached.shape[0] == len(texts):
            return cached
    except (OSError, ValueError):
        pass
    vectors = np.asarray(embed(texts), dtype=np.float32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, vectors)
        os.replace(tmp, path)
    except OSError as exc:
        logger.info("vector cache not written path=%s error=%s", path, exc)
    return vectors
