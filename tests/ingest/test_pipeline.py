"""The ingest pipeline over a real store, in both Chroma modes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.pipeline import ADDED, FAILED, REPLACED, UNCHANGED, IngestPipeline
from vectorstore.embedder import Embedder
from vectorstore.store import LetterStore

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"
LEEDS = ROOT / "tests" / "assistant" / "fixtures" / "leeds-2010.txt"

pytestmark = pytest.mark.slow


@pytest.fixture()
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "letters"
    (folder / "2010").mkdir(parents=True)
    shutil.copy(REAL, folder / REAL.name)
    shutil.copy(LEEDS, folder / "2010" / LEEDS.name)
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "notes.xyz").write_text("not a letter", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (folder / ".hidden.txt").write_text("ignored", encoding="utf-8")
    return folder


def test_mixed_folder_ingests_good_letters_and_reports_broken(
    mixed_folder: Path, store: LetterStore, embedder: Embedder
) -> None:
    report = IngestPipeline(store, embedder).ingest([mixed_folder])
    by_source = {r.source: r for r in report.results}
    assert by_source[REAL.name].status == ADDED
    assert by_source["2010/leeds-2010.txt"].status == ADDED
    for broken in ("empty.txt", "junk.txt", "notes.xyz", "broken.pdf"):
        assert by_source[broken].status == FAILED
        assert broken in (by_source[broken].error or "")
    assert ".hidden.txt" not in by_source
    assert not report.ok and report.counts() == {ADDED: 2, REPLACED: 0, UNCHANGED: 0, FAILED: 4}

    stored = {x.source: x for x in store.list_letters()}
    assert set(stored) == {REAL.name, "2010/leeds-2010.txt"}
    meta = stored[REAL.name].metadata
    assert meta["authority"] == "Portsmouth City Council"
    assert meta["inspection_start"] == "2009-11-10" and meta["inspection_end"] == "2009-11-11"
    assert meta["letter_date"] == "2009-12-09"
    record = json.loads(str(meta["record_json"]))
    assert record["metadata"]["signatory_name"] == "Heather Brown"


def test_reingest_is_a_noop_and_change_replaces(
    tmp_path: Path, store: LetterStore, embedder: Embedder
) -> None:
    letter = tmp_path / "leeds.txt"
    shutil.copy(LEEDS, letter)
    pipeline = IngestPipeline(store, embedder)
    first = pipeline.ingest([letter])
    assert first.results[0].status == ADDED and first.results[0].embedded > 0
    fingerprint = store.fingerprint()

    again = pipeline.ingest([letter])
    assert again.results[0].status == UNCHANGED and again.results[0].embedded == 0
    assert store.fingerprint() == fingerprint

    text = letter.read_text(encoding="utf-8")
    letter.write_text(text.replace("more than thirty cases", "more than forty cases"),
                      encoding="utf-8")
    changed = pipeline.ingest([letter])
    result = changed.results[0]
    assert result.status == REPLACED
    assert result.embedded == 1  # only the changed finding is embedded again
    chunks = store.get_chunks()
    assert {c.document_id for c in chunks} == {result.document_id}
    assert any("forty cases" in c.text for c in chunks)
    assert not any("thirty cases" in c.text for c in chunks)
    assert len(store.list_letters()) == 1


def test_delete_by_source_and_by_id(tmp_path: Path, store: LetterStore, embedder: Embedder) -> None:
    pipeline = IngestPipeline(store, embedder)
    report = pipeline.ingest([REAL, LEEDS])
    assert report.ok
    assert pipeline.delete(REAL.name) is not None
    leeds_id = next(r.document_id for r in report.results if r.source == LEEDS.name)
    assert leeds_id is not None
    assert pipeline.delete(leeds_id) is not None
    assert store.list_letters() == [] and store.get_chunks() == []
    assert pipeline.delete("no-such-letter") is None


def test_missing_path_is_reported(tmp_path: Path, store: LetterStore, embedder: Embedder) -> None:
    report = IngestPipeline(store, embedder).ingest([tmp_path / "nope"])
    assert report.results[0].status == FAILED
    assert "no such file" in (report.results[0].error or "")
