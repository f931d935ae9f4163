"""The embedder and the Chroma store that hold reportqa's letters.

Public API::

    from vectorstore import Embedder, LetterStore, StoreSettings, make_client

    settings = StoreSettings()
    embedder = Embedder(settings.embedding_model, batch_size=settings.embed_batch_size)
    store = LetterStore(make_client(settings), embedder.dimension, settings.collection_prefix)
"""

from vectorstore.embedder import PACKAGED_MODEL_NAME, Embedder
from vectorstore.errors import EmbedderError, StoreError, StoreUnavailable
from vectorstore.records import ScoredChunk, StoredChunk, StoredLetter
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, letter_revision, make_client

__all__ = [
    "PACKAGED_MODEL_NAME",
    "Embedder",
    "EmbedderError",
    "LetterStore",
    "ScoredChunk",
    "StoreError",
    "StoreSettings",
    "StoreUnavailable",
    "StoredChunk",
    "StoredLetter",
    "letter_revision",
    "make_client",
]
