"""Structure-aware chunking: one section per chunk, verbatim spans, the model's token limit."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ingest.chunking import (
    FIELD_NAMES,
    Chunk,
    chunk_letter,
    content_hash,
    context_header,
    field_chunks,
)
from ingest.loaders import load_letter
from ingest.models import FINDING_SECTIONS, INSTRUCTION, Flag
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
        if chunk.finding_index >= 0 and chunk.field is None:
            # a finding is embedded as its own words: its vector says what it is about
            assert chunk.embed_text == chunk.text
        else:  # prose and fields carry the council, date and section
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


# ----------------------------------------------------------------------------------------------
# Field chunks: every parsed field is a passage whose text is its verbatim span.

SMALL = ROOT / "evals" / "suites" / "small" / "letters"
# One letter of each layout of the small suite: heading style (upper, plain, colon, numbered),
# file format (txt, docx, html, pdf), wrapped and hyphenated lines, CRLF, page furniture, a bare
# or headed "no areas for priority action" statement, priority action first.
LAYOUTS = [
    "warwickshire_20090811.txt",  # UPPER headings, headed none statement
    "letter-025.txt",  # plain headings, bare none statement, page footer in the sign-off
    "leicestershire-2009-ucra-letter.txt",  # "Heading:" style, wrapped + hyphenated, CRLF
    "ealing-2010-ucra-letter.docx",  # "1. Numbered" headings
    "calderdale-2010-ucra-letter.html",
    "kingston-upon-thames_20091228.pdf",  # private-use bullets, compact sign-off
    "rutland_20110404.txt",  # numbered, priority action first, no bullet glyph
    "bournemouth-2012-ucra-letter.docx",  # none statement only in the introduction
]
_SPAN_FIELD_NAMES = ("addressee", "signatory", "inspection_dates", "letter_date", "copy_list",
                     "inspection_type")


def _parse(path: Path):  # type: ignore[no-untyped-def]
    return parse_letter(normalize_text(load_letter(path)))


def _check_field_chunks(letter, embedder: Embedder) -> list[Chunk]:  # type: ignore[no-untyped-def]
    """The field chunks of ``letter``, after checking what holds for every letter."""
    chunks = chunk_letter(letter, embedder.count_tokens, embedder.max_seq_length)
    first = next(i for i, c in enumerate(chunks) if c.field is not None)
    assert all(c.field is not None for c in chunks[first:]), "field chunks come last"
    fields = chunks[first:]
    assert fields == field_chunks(letter, embedder.count_tokens, embedder.max_seq_length)
    for chunk in fields:
        assert chunk.field in FIELD_NAMES
        assert chunk.finding_index == -1
        assert chunk.text == letter.text[chunk.char_start:chunk.char_end]
        assert chunk.text and chunk.text == chunk.text.strip()
        section = next(s for s in letter.sections if s.name == chunk.section
                       and s.char_start <= chunk.char_start < s.char_end)
        assert chunk.char_end <= section.char_end
        assert chunk.label and chunk.embed_text == (
            context_header(letter, chunk.section) + chunk.label + ": " + chunk.text)
        assert embedder.count_tokens(chunk.embed_text) <= embedder.max_seq_length
    assert all(c.field is None and c.label == "" for c in chunks[:first])

    by_field = {c.field for c in fields}
    spans = letter.metadata.spans
    for name in _SPAN_FIELD_NAMES:  # each field the parse knows yields a chunk within its span
        assert (name in by_field) == (name in spans), name
        if name in spans:
            start, end = spans[name]
            chunk = next(c for c in fields if c.field == name)
            assert start <= chunk.char_start < chunk.char_end <= end
    none_sections = [s for s in letter.sections if s.none_identified]
    assert ("no_priority_action" in by_field) == bool(none_sections)
    counted = {c.section: c for c in fields if c.field == "finding_count"}
    for section in letter.sections:
        if section.name in FINDING_SECTIONS and section.findings:
            n = len(section.findings)
            assert f"the letter lists {n} " in counted[section.name].embed_text
            if section.heading:
                assert counted[section.name].text == section.heading
    assert set(counted) == {s.name for s in letter.sections if s.findings}
    return fields


def test_field_chunks_of_the_real_letter(letter, embedder: Embedder) -> None:  # type: ignore[no-untyped-def]
    fields = _check_field_chunks(letter, embedder)
    text_of = {c.field: c.text for c in fields if c.field != "finding_count"}
    assert text_of == {
        "addressee": ("Mr Julian Wooster Strategic Director, Children, Families and Learning "
                      "Portsmouth City Council 3rd Floor, Civic Offices Guildhall Square "
                      "Portsmouth Hampshire, PO1 2BG"),
        "signatory": "Heather Brown\n\nDivisional Manager, Social Care Safeguarding",
        "inspection_dates": (
            "This letter contains the findings of the recent unannounced inspection of contact, "
            "referral and assessment arrangements within local authority children's services "
            "in Portsmouth Council which was conducted on 10 and 11 November 2009."),
        "letter_date": "9 December 2009",
        "copy_list": text_of["copy_list"],
        "inspection_type": ("Annual unannounced inspection of contact, referral and assessment "
                            "arrangements within Portsmouth Council children's services"),
        "legal_basis": ("The inspection was carried out under section 138 of the Education and "
                        "Inspections Act 2006."),
        "evidence_base": text_of["evidence_base"],
    }
    assert text_of["copy_list"].startswith("Copy: David Williams, Chief Executive")
    assert text_of["copy_list"].endswith("Andrew Spencer, Department for Children, Schools and "
                                         "Families")
    assert text_of["evidence_base"].startswith("The inspection sampled the quality")
    assert "electronic case records" in text_of["evidence_base"]
    assert text_of["evidence_base"].endswith("other practitioners and administrative staff.")
    signatory = next(c for c in fields if c.field == "signatory")
    assert signatory.embed_text == ("Portsmouth City Council | 2009-12-09 | Sign-off: "
                                    + signatory.label + ": " + signatory.text)
    assert "signed by" in signatory.label
    counts = {c.section: c.embed_text for c in fields if c.field == "finding_count"}
    assert "the letter lists 6 (six) areas carried out satisfactorily" in counts[
        "Satisfactory findings"]
    assert "the letter lists 7 (seven) strengths" in counts["Strengths"]
    assert "the letter lists 4 (four) areas for development" in counts["Areas for development"]
    assert "the letter lists 1 (one) area for priority action" in counts[
        "Area for priority action"]
    assert next(c for c in fields if c.section == "Satisfactory findings").text.endswith(
        "in accordance with national guidance, in particular:")


@pytest.mark.parametrize("name", LAYOUTS)
def test_field_chunks_of_every_layout(name: str, embedder: Embedder) -> None:
    letter = _parse(SMALL / name)
    fields = _check_field_chunks(letter, embedder)
    by_field = {c.field: c for c in fields}
    assert set(_SPAN_FIELD_NAMES) <= letter.metadata.spans.keys()  # the template was parsed
    assert "section 138 of the Education and Inspections Act 2006" in by_field["legal_basis"].text
    assert by_field["legal_basis"].section == "Introduction"
    evidence = by_field["evidence_base"].text
    assert by_field["evidence_base"].section == "Introduction"
    assert "case records" in evidence or "case files" in evidence
    if "no_priority_action" in by_field:
        assert "priority action" in by_field["no_priority_action"].text.lower()


def test_field_names_are_stable() -> None:
    assert FIELD_NAMES == ("addressee", "signatory", "inspection_dates", "letter_date",
                           "copy_list", "inspection_type", "legal_basis", "evidence_base",
                           "no_priority_action", "finding_count")


def test_long_field_span_is_split_to_fit(letter, embedder: Embedder) -> None:  # type: ignore[no-untyped-def]
    chunks = field_chunks(letter, embedder.count_tokens, 64)
    evidence = [c for c in chunks if c.field == "evidence_base"]
    assert len(evidence) > 1
    for chunk in chunks:
        assert chunk.text == letter.text[chunk.char_start:chunk.char_end]
        assert embedder.count_tokens(chunk.embed_text) <= 64


def test_flagged_text_is_cut_out_of_field_chunks(letter, embedder: Embedder) -> None:  # type: ignore[no-untyped-def]
    start, end = letter.metadata.spans["copy_list"]
    inside = letter.text.index("Julian Wooster, Acting Chair", start, end)
    flagged = (inside, letter.text.index("\n", inside))
    flag = Flag(kind=INSTRUCTION, char_start=flagged[0], char_end=flagged[1], reason="test")
    chunks = field_chunks(replace(letter, flags=[flag]), embedder.count_tokens,
                          embedder.max_seq_length)
    copies = [c for c in chunks if c.field == "copy_list"]
    assert [c.text for c in copies] == [
        letter.text[start:flagged[0]].strip(), letter.text[flagged[1]:end].strip()]
    assert not any(c.char_start < flagged[1] and flagged[0] < c.char_end for c in chunks)
