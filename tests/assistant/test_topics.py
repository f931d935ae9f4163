"""Topic matching: genre concepts, polarity, coverage and dense scores over a finding index."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.catalog import CatalogLetter
from assistant.topics import (
    NEGATIVE_SECTIONS,
    POSITIVE_SECTIONS,
    EmbeddedVectors,
    FindingIndex,
    PrecomputedVectors,
    parse_topic,
)
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    FINDING_SECTIONS,
    PRIORITY_ACTION,
    STRENGTHS,
    Finding,
    LetterMetadata,
    ParsedLetter,
    Section,
)

REAL_LETTER = (Path(__file__).resolve().parents[2] / "data" / "sample" / "letters"
               / "portsmouth-2009-ucra-letter.txt")


def _letter(document_id: str, authority: str, findings: dict[str, list[str]]) -> CatalogLetter:
    """A catalogue letter whose text is its findings, one per line, with exact spans."""
    text = ""
    sections = []
    for name, items in findings.items():
        start = len(text)
        text += name + "\n"
        section = Section(name=name, heading=name, char_start=start, char_end=start)
        for item in items:
            a = len(text)
            text += item + "\n"
            section.findings.append(Finding(section=name, text=item, char_start=a,
                                            char_end=a + len(item)))
        section.char_end = len(text)
        sections.append(section)
    parsed = ParsedLetter(text=text, metadata=LetterMetadata(authority=authority),
                          sections=sections)
    return CatalogLetter(document_id=document_id, source=f"{document_id}.txt", parsed=parsed)


def _hash_vector(text: str) -> np.ndarray:
    """A deterministic unit vector per text: dense scores carry no meaning, only coverage does."""
    seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    vector = np.random.default_rng(seed).normal(size=16).astype(np.float32)
    return vector / np.linalg.norm(vector)


LETTERS = [
    _letter("a", "Leeds City Council", {
        STRENGTHS: ["There is an efficient out of hours service, which is well integrated with "
                    "the assessment teams."],
        AREAS_FOR_DEVELOPMENT: ["There are vacancies not covered in social work posts within "
                                "the Child Protection and Court teams."],
        PRIORITY_ACTION: ["Some cases have been closed without the children being seen."],
    }),
    _letter("b", "Kent County Council", {
        STRENGTHS: ["Social workers report that their workloads are manageable."],
        AREAS_FOR_DEVELOPMENT: ["Information from the Emergency Duty Team is not always passed "
                                "promptly to the daytime teams.",
                                "Some social workers carry high caseloads."],
    }),
    _letter("c", "Sheffield City Council", {
        AREAS_FOR_DEVELOPMENT: ["A number of posts remain unfilled, and the service relies on "
                                "agency staff.",
                                "Supervision is not held regularly for all staff."],
    }),
]


@pytest.fixture(scope="module")
def index() -> FindingIndex:
    built = FindingIndex(PrecomputedVectors(_hash_vector), lambda text: list(_hash_vector(text)))
    built.sync(LETTERS, version=1)
    return built


def test_parse_topic_finds_genre_concepts_and_polarity() -> None:
    topic = parse_topic("vacancies in child protection teams")
    assert [c.name for c in topic.concepts] == ["vacancies"]
    assert "protect" in topic.words and "team" not in topic.words  # "teams" is generic
    assert topic.polarity == "negative" and topic.sections() == NEGATIVE_SECTIONS

    unseen = parse_topic("cases closed without the child being seen")
    assert {"unseen", "closed"} <= {c.name for c in unseen.concepts}
    assert unseen.polarity == "negative"

    assert parse_topic("out of hours service").polarity is None
    assert parse_topic("out of hours service").sections() == FINDING_SECTIONS
    assert parse_topic("effective partnership working").sections() == POSITIVE_SECTIONS
    # "high", "poor", "weak" set the polarity; they are not words a finding must repeat.
    assert parse_topic("high caseloads").words == []
    assert parse_topic("weak management oversight").words == []


@pytest.mark.parametrize("phrase,expected", [
    ("vacancies", {"There are vacancies not covered in social work posts within the Child "
                   "Protection and Court teams.",
                   "A number of posts remain unfilled, and the service relies on agency staff."}),
    ("out of hours service", {"There is an efficient out of hours service, which is well "
                              "integrated with the assessment teams.",
                              "Information from the Emergency Duty Team is not always passed "
                              "promptly to the daytime teams."}),
    ("caseloads", {"Social workers report that their workloads are manageable.",
                   "Some social workers carry high caseloads."}),
])
def test_synonyms_give_full_coverage(index: FindingIndex, phrase: str, expected: set[str]) -> None:
    matches = index.match(parse_topic(phrase))
    covered = {m.row.finding.text for m in matches if m.coverage == 1.0}
    assert covered == expected


def test_match_restricts_letters_and_sections(index: FindingIndex) -> None:
    topic = parse_topic("caseloads")
    only_negative = index.match(topic, ["b"], NEGATIVE_SECTIONS)
    assert {m.row.section for m in only_negative} == {AREAS_FOR_DEVELOPMENT}
    assert {m.row.document_id for m in only_negative} == {"b"}
    assert only_negative[0].row.finding.text == "Some social workers carry high caseloads."
    assert index.match(topic, ["nope"], None) == []


def test_index_rebuilds_only_on_a_new_version(index: FindingIndex) -> None:
    rows = index.rows
    index.sync(LETTERS[:1], version=1)  # same version: nothing changes
    assert index.rows is rows
    fresh = FindingIndex(PrecomputedVectors(_hash_vector), lambda t: list(_hash_vector(t)))
    fresh.sync(LETTERS[:1], version=2)
    assert {r.document_id for r in fresh.rows} == {"a"}


def test_same_finding_by_words(index: FindingIndex) -> None:
    a = next(r for r in index.rows if "unfilled" in r.finding.text)
    b = next(r for r in index.rows if "vacancies" in r.finding.text)
    assert index.same_finding(a, a)
    assert index.similarity(a, b)[1] < 0.5  # few shared words; random vectors: no dense link
    assert not index.same_finding(a, b)


@pytest.mark.slow
def test_real_embeddings_rank_meaning_above_unrelated(embedder: object) -> None:
    vectors = EmbeddedVectors(embedder)  # type: ignore[arg-type]
    index = FindingIndex(vectors, embedder.embed_query)  # type: ignore[attr-defined]
    index.sync(LETTERS, version="real")
    matches = index.match(parse_topic("staffing shortages in social work teams"))
    best = matches[0].row.finding.text
    assert "vacancies" in best or "unfilled" in best
    # Each distinct text is embedded once.
    assert len(vectors._cache) == len({r.finding.text for r in index.rows})


@pytest.mark.slow
def test_store_vectors_reuse_the_stored_chunk_embeddings(store: object, embedder: object,
                                                         tmp_path: Path) -> None:
    """Finding vectors come from the store (embedded or server), so nothing is embedded twice."""
    from assistant.catalog import LetterCatalog
    from assistant.topics import StoreVectors
    from ingest.pipeline import IngestPipeline

    folder = tmp_path / "letters"
    folder.mkdir()
    shutil.copy(REAL_LETTER, folder / REAL_LETTER.name)
    report = IngestPipeline(store, embedder).ingest([folder])  # type: ignore[arg-type]
    assert report.ok
    catalog = LetterCatalog(store)  # type: ignore[arg-type]
    catalog.refresh()
    vectors = StoreVectors(store, embedder)  # type: ignore[arg-type]
    index = FindingIndex(vectors, embedder.embed_query)  # type: ignore[attr-defined]
    index.sync(catalog.all(), catalog.version)
    letter = catalog.all()[0]
    assert len(index) == len(letter.parsed.findings) > 10
    assert vectors.fallback._cache == {}  # every finding had its chunk's stored embedding
    chunks = store.get_chunks(where={"finding_index": {"$gte": 0}})  # type: ignore[attr-defined]
    stored = store.embeddings_for_hashes(  # type: ignore[attr-defined]
        [str(c.metadata["content_hash"]) for c in chunks])
    first = next(c for c in chunks if c.section == index.rows[0].section
                 and int(c.metadata["finding_index"]) == index.rows[0].index)
    assert np.allclose(index.matrix[0], stored[str(first.metadata["content_hash"])], atol=1e-5)
    best = index.match(parse_topic("cases closed without the children being seen"))[0]
    assert best.row.section == PRIORITY_ACTION
