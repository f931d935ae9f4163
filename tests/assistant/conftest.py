"""A small real corpus (the Portsmouth letter and three genre letters) behind a real Assistant."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest

from assistant.chain import Assistant
from ingest.pipeline import IngestPipeline
from vectorstore.embedder import Embedder
from vectorstore.store import LetterStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).with_name("fixtures")
REAL_LETTER = ROOT / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(REAL_LETTER, folder / REAL_LETTER.name)
    for letter in FIXTURES.glob("*.txt"):
        shutil.copy(letter, folder / letter.name)
    return folder


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder,
                 corpus_dir: Path) -> Iterator[LetterStore]:
    """An embedded store holding the four sample letters (ingested once per session)."""
    client = chromadb.PersistentClient(path=str(tmp_path_factory.mktemp("assistant-store")))
    store = LetterStore(client, dimension=embedder.dimension, prefix="asst")
    report = IngestPipeline(store, embedder).ingest([corpus_dir])
    assert report.ok, report.to_dict()
    yield store


@pytest.fixture(scope="session")
def assistant(corpus_store: LetterStore, embedder: Embedder) -> Assistant:
    return Assistant(corpus_store, embedder)
