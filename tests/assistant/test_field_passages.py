"""Fields as passages: a phrasing no classifier covers still reaches the field by retrieval.

The real Portsmouth letter alone is ingested into a temporary embedded store; the hybrid retriever
(BM25 over text and field label, dense over the embedded label and text), restricted to that
letter, must rank the field chunk that answers each phrasing first, and cite its verbatim span.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.lexical import LexicalIndex
from assistant.retrieval import HybridRetriever
from tests.assistant.conftest import REAL_LETTER, ingested_store
from vectorstore.embedder import Embedder
from vectorstore.store import LetterStore

pytestmark = pytest.mark.slow

# (phrasing, expected field, expected section or None)
PHRASINGS = [
    ("whose signature is on it", "signatory", None),
    ("which act was it done under", "legal_basis", None),
    ("what did the inspectors look at", "evidence_base", None),
    ("how many areas for development were there", "finding_count", "Areas for development"),
    ("when did they get the letter", "letter_date", None),
    ("who was it sent to", "addressee", None),
    ("who else got a copy", "copy_list", None),
    ("what kind of inspection was it", "inspection_type", None),
    ("how many strengths did they find", "finding_count", "Strengths"),
    ("what law allowed the inspection", "legal_basis", None),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[LetterStore]:
    yield from ingested_store(tmp_path_factory.mktemp("field-passages"), embedder, [REAL_LETTER],
                              prefix="fields")


@pytest.fixture(scope="module")
def retriever(store: LetterStore, embedder: Embedder) -> HybridRetriever:
    lexical = LexicalIndex(store)
    lexical.refresh()
    return HybridRetriever(store=store, embedder=embedder, lexical=lexical)


@pytest.fixture(scope="module")
def portsmouth(store: LetterStore) -> set[str]:
    ids = {x.document_id for x in store.list_letters(include_text=False)
           if x.source == Path(REAL_LETTER).name}
    assert len(ids) == 1
    return ids


def test_field_chunks_are_stored_with_field_and_label(store: LetterStore) -> None:
    letter = store.list_letters()[0]
    chunks = store.get_chunks()
    fields = [c for c in chunks if "field" in c.metadata]
    assert {c.metadata["field"] for c in fields} >= {
        "addressee", "signatory", "inspection_dates", "letter_date", "copy_list",
        "inspection_type", "legal_basis", "evidence_base", "finding_count"}
    for chunk in fields:
        assert chunk.metadata["finding_index"] == -1
        assert isinstance(chunk.metadata["label"], str) and chunk.metadata["label"]
        start, end = int(chunk.metadata["char_start"]), int(chunk.metadata["char_end"])
        assert chunk.text == letter.text[start:end]
    ordinary = [c for c in chunks if "field" not in c.metadata]
    assert ordinary and not any("label" in c.metadata for c in ordinary)


@pytest.mark.parametrize(("phrasing", "field", "section"), PHRASINGS,
                         ids=[p for p, _, _ in PHRASINGS])
def test_the_right_field_ranks_first(retriever: HybridRetriever, portsmouth: set[str],
                                     phrasing: str, field: str, section: str | None) -> None:
    hits = retriever.search(phrasing, document_ids=portsmouth, k=5)
    assert hits and all(h.chunk.document_id in portsmouth for h in hits)
    top = hits[0].chunk
    ranked = [(h.chunk.metadata.get("field"), h.chunk.section) for h in hits]
    assert top.metadata.get("field") == field, ranked
    if section is not None:
        assert top.section == section, ranked


def test_answers_cite_the_verbatim_span(retriever: HybridRetriever, portsmouth: set[str]) -> None:
    top = retriever.search("whose signature is on it", document_ids=portsmouth, k=1)[0].chunk
    assert top.text == "Heather Brown\n\nDivisional Manager, Social Care Safeguarding"
    top = retriever.search("which act was it done under", document_ids=portsmouth, k=1)[0].chunk
    assert top.text == ("The inspection was carried out under section 138 of the Education and "
                        "Inspections Act 2006.")
    top = retriever.search("when did they get the letter", document_ids=portsmouth, k=1)[0].chunk
    assert top.text == "9 December 2009"


def test_label_words_reach_the_lexical_side(retriever: HybridRetriever,
                                            portsmouth: set[str]) -> None:
    """"signature" is in no sentence of the letter, only in the signatory's label."""
    hits = retriever.lexical.search("signature", k=3, document_ids=portsmouth)
    assert hits and hits[0][0].metadata.get("field") == "signatory"
