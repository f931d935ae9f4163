"""The BM25 index follows the store (ingest and delete), in both Chroma modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.lexical import LexicalIndex, stem, tokenize
from ingest.pipeline import IngestPipeline
from vectorstore.embedder import Embedder
from vectorstore.store import LetterStore

FIXTURES = Path(__file__).with_name("fixtures")


def test_stemming_joins_word_forms() -> None:
    assert stem("vacancies") == stem("vacancy") or stem("vacancies") == "vacanc"
    assert stem("timeliness") == stem("timely")
    assert stem("assessments") == stem("assessment") == stem("assessed")
    assert stem("reliance") == stem("relies") == stem("relied")  # "relies heavily on agency"
    assert "the" not in tokenize("The timeliness of the assessments")


@pytest.mark.slow
def test_index_follows_ingest_and_delete(store: LetterStore, embedder: Embedder) -> None:
    index = LexicalIndex(store)
    index.refresh()
    assert index.search("caseloads", k=5) == []
    pipeline = IngestPipeline(store, embedder)
    assert pipeline.ingest([FIXTURES / "leeds-2010.txt"]).ok
    assert index.refresh() is True
    hits = index.search("caseloads high duty teams", k=3)
    assert hits and "Caseloads" in hits[0][0].text
    assert index.refresh() is False  # nothing changed
    deleted = pipeline.delete("leeds-2010.txt")
    assert deleted is not None
    index.refresh()
    assert index.search("caseloads", k=5) == []


def test_a_search_within_a_few_letters_scores_exactly_as_over_all(
        corpus_store: LetterStore) -> None:
    # Scoring only the asked letters' rows (binary search in each term's postings) must give
    # the same chunks and the very same float scores as scoring every chunk and filtering.
    import numpy as np

    index = LexicalIndex(corpus_store)
    index.refresh()
    letters = sorted(index._doc_rows)
    assert len(letters) >= 3
    queries = ["caseloads high duty teams", "strategy discussions police police",
               "children seen alone", "out of hours emergency duty team", "zzz unknown"]
    for query in queries:
        full = index._bm25.get_scores(tokenize(query)) if tokenize(query) else None
        for chosen in ([letters[0]], letters[1:3]):
            rows = [index._doc_rows[d] for d in chosen]
            local = index._scores_of_rows(tokenize(query), rows)
            if full is None:
                continue
            assert np.array_equal(local, full[np.concatenate(rows)]), (query, chosen)
