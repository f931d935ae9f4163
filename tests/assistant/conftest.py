"""A small real corpus (the Portsmouth letter and three genre letters) behind a real Assistant."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.chain import Assistant
from assistant.understanding.reader import QuestionReader
from ingest.pipeline import IngestPipeline
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

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


def ingested_store(folder: Path, embedder: Embedder, letters: list[Path],
                   prefix: str = "asst") -> Iterator[LetterStore]:
    """An embedded store in ``folder`` holding ``letters`` (files or folders); closed after."""
    settings = StoreSettings(_env_file=None, data_dir=folder / "store",  # type: ignore[call-arg]
                             collection_prefix=prefix)
    client = make_client(settings)
    store = LetterStore(client, dimension=embedder.dimension, prefix=prefix)
    report = IngestPipeline(store, embedder).ingest(letters)
    assert report.ok, report.to_dict()
    try:
        yield store
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder,
                 corpus_dir: Path) -> Iterator[LetterStore]:
    """An embedded store holding the four sample letters (ingested once per session)."""
    yield from ingested_store(tmp_path_factory.mktemp("assistant-store"), embedder, [corpus_dir])


@pytest.fixture(scope="session")
def portsmouth_store(tmp_path_factory: pytest.TempPathFactory,
                     embedder: Embedder) -> Iterator[LetterStore]:
    """The real Portsmouth letter alone in an embedded store (abstention on other councils)."""
    yield from ingested_store(tmp_path_factory.mktemp("portsmouth-store"), embedder,
                              [REAL_LETTER])


@pytest.fixture(scope="session")
def assistant(corpus_store: LetterStore, embedder: Embedder) -> Assistant:
    return Assistant(corpus_store, embedder)


@pytest.fixture(scope="session")
def reader(embedder: Embedder) -> QuestionReader:
    """The question reader (exemplar bank + classifier) on the real model, built once."""
    built = QuestionReader(lambda texts: embedder.embed_documents(texts), embedder.model_name)
    built.classifier.fit()
    return built
