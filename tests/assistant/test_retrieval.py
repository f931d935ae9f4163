"""Hybrid retrieval: fused ranking, letter filters, section boost, LangChain retriever."""

from __future__ import annotations

import pytest

from assistant.chain import Assistant

pytestmark = pytest.mark.slow


def test_finds_the_right_finding_and_filters_by_letter(assistant: Assistant) -> None:
    assistant.refresh()
    leeds = {x.document_id for x in assistant.catalog.all() if x.source.startswith("leeds")}
    hits = assistant.retriever.search("caseloads are too high", document_ids=leeds, k=4)
    assert hits and all(h.chunk.document_id in leeds for h in hits)
    assert "Caseloads" in hits[0].chunk.text
    assert assistant.retriever.search("anything", document_ids=set(), k=4) == []


def test_section_boost_prefers_the_asked_section(assistant: Assistant) -> None:
    assistant.refresh()
    portsmouth = {x.document_id for x in assistant.catalog.all()
                  if x.source.startswith("portsmouth")}
    def first_rank(hits: list) -> int:
        return next(i for i, h in enumerate(hits) if h.chunk.section == "Areas for development")

    plain = assistant.retriever.search("staff", document_ids=portsmouth, k=20)
    boosted = assistant.retriever.search("staff", document_ids=portsmouth, k=20,
                                         section="Areas for development")
    assert first_rank(plain) > 0, "the query must not already favour the section"
    assert first_rank(boosted) < first_rank(plain)


def test_is_a_langchain_retriever(assistant: Assistant) -> None:
    assistant.refresh()
    docs = assistant.retriever.invoke("out of hours service")
    assert docs and "out of hours" in docs[0].page_content
    assert {"document_id", "section", "char_start", "fused"} <= docs[0].metadata.keys()
