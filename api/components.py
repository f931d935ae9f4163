"""Build the expensive parts once (embedder, Chroma client, store) from settings.

Entry points (the CLI, the FastAPI lifespan, the Slack socket runner) call these; nothing else
constructs settings or clients.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@dataclass
class Components:
    """The shared parts handed down to the ingest pipeline and the assistant."""

    settings: StoreSettings
    embedder: Embedder
    store: LetterStore

    def location(self) -> str:
        """Where the letters live, for messages: the server URL or the embedded folder."""
        if self.settings.chroma_url:
            return f"Chroma server {self.settings.chroma_url}"
        return f"embedded Chroma store {self.settings.data_dir.resolve()}"


def build_components(settings: StoreSettings | None = None) -> Components:
    """Create the embedder (loaded lazily) and the store described by ``settings``."""
    settings = settings or StoreSettings()
    embedder = Embedder(settings.embedding_model, batch_size=settings.embed_batch_size)
    client = make_client(settings)
    store = LetterStore(client, dimension=embedder.dimension, prefix=settings.collection_prefix)
    return Components(settings=settings, embedder=embedder, store=store)
