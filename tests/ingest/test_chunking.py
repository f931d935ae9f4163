"""Structure-aware chunking: one section per chunk, verbatim spans, the model's token limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import chunk_letter, content_hash
from ingest.normalize import normalize_text
from ingest.parsing import parse_letter
from vectorstore.embedder import Embedder

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def letter():  # type: ignore[no-untyped-def]
    return parse_letter(normalize_text(REAL.read_text(encoding="utf-8")))


def test_chunks_are_verbatim_single_section_and_fit(letter, embedder: Embedder) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_letter(letter, embedder.count_tokens, embedder.max_seq_length)
    assert chunks
    for chunk in chunks:
        assert chunk.text == letter.text[chunk.char_start:chunk.char_end]
        section = next(s for s in letter.sections if s.name == chunk.section)
        assert section.char_start <= chunk.char_start < chunk.char_end <= section.char_end
        assert embedder.count_tokens(chunk.embed_text) <= embedder.max_seq_length
        assert chunk.embed_text.endswith(chunk.text)
        assert "Portsmouth City Council" in chunk.embed_text


def test_every_finding_is_its_own_chunk(letter, embedder: Embedder) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_letter(letter, embedder.count_tokens, embedder.max_seq_length)
    spans = {(c.char_start, c.char_end) for c in chunks if c.finding_index >= 0}
    for finding in letter.findings:
        assert (finding.char_start, finding.char_end) in spans


def test_long_text_is_split_without_losing_words(embedder: Embedder) -> None:
    sentence = ("Managers reviewed the allocation of every referral and recorded the reasons "
                "for each decision on the electronic case file. ")
    raw = ("Strengths\n\n- " + sentence * 30 + "\n\nAreas for development\n\n- Short finding.\n")
    letter = parse_letter(normalize_text(raw))
    chunks = chunk_letter(letter, embedder.count_tokens, 64)
    strengths = [c for c in chunks if c.section == "Strengths" and c.finding_index == 0]
    assert len(strengths) > 1
    assert all(embedder.count_tokens(c.embed_text) <= 64 for c in chunks)
    joined = " ".join(c.text for c in strengths)
    assert joined.split() == letter.findings[0].text.split()


def test_content_hash_depends_on_model_and_text() -> None:
    assert content_hash("m1", "a") == content_hash("m1", "a")
    assert content_hash("m1", "a") != content_hash("m2", "a")
    assert content_hash("m1", "a") != content_hash("m1", "b")
