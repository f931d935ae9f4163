"""The assistant follows ingest/delete done by another process (embedded and server modes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromadb.api import ClientAPI

from assistant.chain import Assistant
from ingest.pipeline import IngestPipeline
from vectorstore.embedder import Embedder
from vectorstore.store import LetterStore

FIXTURES = Path(__file__).with_name("fixtures")

pytestmark = pytest.mark.slow


def test_assistant_sees_letters_written_by_another_writer(
    store: LetterStore, chroma_client: ClientAPI, collection_prefix: str, embedder: Embedder
) -> None:
    assistant = Assistant(store, embedder, refresh_interval_s=0)
    empty = assistant.ask("Who signed the Hackney letter?")
    assert empty.abstained and "No letters are stored" in empty.answer

    # Another "process": its own store object on the same Chroma collections.
    writer = IngestPipeline(LetterStore(chroma_client, embedder.dimension, collection_prefix),
                            embedder)
    assert writer.ingest([FIXTURES / "hackney-2010.txt"]).ok
    signed = assistant.ask("Who signed the Hackney letter?")
    assert "Amanda Brooks" in signed.answer
    vacancies = assistant.ask("Were there vacancies in Hackney's child protection teams?")
    assert "vacancies in the child protection teams" in vacancies.answer

    assert writer.delete("hackney-2010.txt") is not None
    gone = assistant.ask("Who signed the Hackney letter?")
    assert gone.abstained


def test_the_letters_are_scanned_again_only_when_the_store_changed(
    store: LetterStore, chroma_client: ClientAPI, collection_prefix: str, embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = IngestPipeline(LetterStore(chroma_client, embedder.dimension, collection_prefix),
                            embedder)
    assert writer.ingest([FIXTURES / "hackney-2010.txt"]).ok
    assistant = Assistant(store, embedder, refresh_interval_s=0)
    scans = []
    scan = store.letter_revisions
    monkeypatch.setattr(store, "letter_revisions", lambda: scans.append(1) or scan())
    assert "Amanda Brooks" in assistant.ask("Who signed the Hackney letter?").answer
    first = len(scans)
    assistant.ask("When was Hackney inspected?")
    assistant.ask("Who signed the Hackney letter?")
    assert len(scans) == first  # nothing written: the cheap generation check sufficed

    assert writer.delete("hackney-2010.txt") is not None  # another process's write
    assert assistant.ask("Who signed the Hackney letter?").abstained
    assert len(scans) == first + 1
