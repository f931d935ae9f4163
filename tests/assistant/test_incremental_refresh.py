"""Catalogue, lexical index and finding index update incrementally (add, replace, delete).

After each change the incrementally refreshed components must equal ones built from scratch, and
only the letters that changed may be fetched from the store. Hash vectors keep this fast; both
Chroma modes run (the server one where a `chroma` program is installed).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from assistant.catalog import LetterCatalog
from assistant.lexical import LexicalIndex
from assistant.topics import FindingIndex, StoreVectors
from evals.standin import HashEmbedder
from ingest.pipeline import IngestPipeline
from ingest.themes import ThemeTagger, load_taxonomy
from vectorstore.store import LetterStore

FIXTURES = Path(__file__).with_name("fixtures")
QUERIES = ("caseloads high duty teams", "vacancies child protection", "signed by", "strengths")


class _Spy:
    """Records the letter ids the store is asked to load."""

    def __init__(self, store: LetterStore) -> None:
        self.letters: list[set[str]] = []
        self.chunks: list[set[str] | None] = []
        get_letters, get_chunks = store.get_letters, store.get_chunks

        def letters(document_ids: Any) -> Any:
            ids = set(document_ids)
            self.letters.append(ids)
            return get_letters(ids)

        def chunks(where: Any = None, document_ids: Any = None, revisions: Any = None) -> Any:
            ids = None if document_ids is None else set(document_ids)
            self.chunks.append(ids)
            return get_chunks(where=where, document_ids=ids, revisions=revisions)

        store.get_letters = letters  # type: ignore[method-assign]
        store.get_chunks = chunks  # type: ignore[method-assign]

    def loaded(self) -> set[str]:
        ids: set[str] = set()
        for group in [*self.letters, *self.chunks]:
            assert group is not None, "a refresh fetched every letter's chunks"
            ids |= group
        self.letters.clear()
        self.chunks.clear()
        return ids


class _Components:
    def __init__(self, store: LetterStore, embedder: HashEmbedder) -> None:
        self.catalog = LetterCatalog(store)
        self.lexical = LexicalIndex(store)
        tagger = ThemeTagger(load_taxonomy(), embedder.embed_documents, embedder.model_name)
        self.findings = FindingIndex(StoreVectors(store, embedder), embedder.embed_query, tagger)

    def refresh(self, store: LetterStore) -> None:
        revisions = store.letter_revisions()
        self.catalog.refresh(revisions=revisions)
        self.lexical.refresh(revisions=revisions)
        self.findings.sync(self.catalog.all(), self.catalog.version)


def _assert_same(incremental: _Components, fresh: _Components) -> None:
    a, b = incremental.catalog.all(), fresh.catalog.all()
    assert [(x.document_id, x.revision, x.text) for x in a] == \
        [(x.document_id, x.revision, x.text) for x in b]
    assert [c.chunk_id for c in incremental.lexical._chunks] == \
        [c.chunk_id for c in fresh.lexical._chunks]
    for query in QUERIES:
        got = [(c.chunk_id, round(s, 6)) for c, s in incremental.lexical.search(query, k=10)]
        want = [(c.chunk_id, round(s, 6)) for c, s in fresh.lexical.search(query, k=10)]
        assert got == want
        assert incremental.lexical.idf("caseload") == fresh.lexical.idf("caseload")
    assert incremental.findings.rows == fresh.findings.rows
    np.testing.assert_allclose(incremental.findings.matrix, fresh.findings.matrix, atol=1e-6)
    assert incremental.findings._words == fresh.findings._words
    # theme probabilities: kept rows keep theirs, new rows are decoded; the same as a build
    np.testing.assert_array_equal(incremental.findings.theme_probs, fresh.findings.theme_probs)
    np.testing.assert_array_equal(incremental.findings.theme_mask, fresh.findings.theme_mask)
    assert incremental.findings._postings.keys() == fresh.findings._postings.keys()
    for word, rows in fresh.findings._postings.items():
        assert incremental.findings._postings[word].tolist() == rows.tolist()
    for name, mask in incremental.findings._concept_hits.items():
        assert mask.tolist() == fresh.findings._concept_mask(
            next(c for c in _concepts() if c.name == name)).tolist()


def _concepts() -> Any:
    from assistant.topics import CONCEPTS

    return CONCEPTS


def test_add_replace_delete_refresh_only_what_changed(store: LetterStore, tmp_path: Path) -> None:
    embedder = HashEmbedder()
    folder = tmp_path / "letters"
    folder.mkdir()
    for name in ("hackney-2010.txt", "leeds-2010.txt"):
        shutil.copy(FIXTURES / name, folder / name)
    pipeline = IngestPipeline(store, embedder)
    assert pipeline.ingest([folder]).ok
    live = _Components(store, embedder)
    live.refresh(store)
    live.findings.match(next(iter([_topic("caseloads")])))  # fills a concept-hit cache
    spy = _Spy(store)

    def fresh() -> _Components:
        built = _Components(store, embedder)
        built.refresh(store)
        spy.letters.clear()
        spy.chunks.clear()
        return built

    # Add one letter: only it is loaded.
    shutil.copy(FIXTURES / "leeds-2011.txt", folder / "leeds-2011.txt")
    assert pipeline.ingest([folder / "leeds-2011.txt"]).ok
    added = store.find_letter_by_source("leeds-2011.txt")
    assert added is not None
    live.refresh(store)
    assert spy.loaded() == {added.document_id}
    _assert_same(live, fresh())
    assert len(live.catalog) == 3

    # Nothing changed: nothing is loaded, the catalogue version stays.
    version = live.catalog.version
    live.refresh(store)
    assert spy.loaded() == set() and live.catalog.version == version

    # Replace one letter (same source, new text): only the new version is loaded.
    old = store.find_letter_by_source("hackney-2010.txt")
    assert old is not None
    text = (folder / "hackney-2010.txt").read_text(encoding="utf-8")
    (folder / "hackney-2010.txt").write_text(
        text.replace("Amanda Brooks", "Amanda Brookes"), encoding="utf-8")
    assert pipeline.ingest([folder / "hackney-2010.txt"]).ok
    new = store.find_letter_by_source("hackney-2010.txt")
    assert new is not None and new.document_id != old.document_id
    live.refresh(store)
    assert spy.loaded() == {new.document_id}
    assert live.catalog.get(old.document_id) is None
    assert "Amanda Brookes" in (live.catalog.get(new.document_id) or old).text
    _assert_same(live, fresh())

    # Delete one letter: nothing is loaded, its rows are gone everywhere.
    assert pipeline.delete("leeds-2010.txt") is not None
    live.refresh(store)
    assert spy.loaded() == set()
    assert {x.source for x in live.catalog.all()} == {"hackney-2010.txt", "leeds-2011.txt"}
    assert all(c.metadata.get("source") != "leeds-2010.txt" for c in live.lexical._chunks)
    _assert_same(live, fresh())

    # Delete everything: empty components, like fresh ones.
    for name in ("hackney-2010.txt", "leeds-2011.txt"):
        assert pipeline.delete(name) is not None
    live.refresh(store)
    assert len(live.catalog) == 0 and live.lexical.search("caseloads", k=5) == []
    assert len(live.findings) == 0
    _assert_same(live, fresh())


def _topic(text: str) -> Any:
    from assistant.topics import parse_topic

    return parse_topic(text)


def test_force_reloads_every_letter(store: LetterStore) -> None:
    embedder = HashEmbedder()
    pipeline = IngestPipeline(store, embedder)
    assert pipeline.ingest([FIXTURES / "leeds-2010.txt"]).ok
    catalog = LetterCatalog(store)
    assert catalog.refresh() is True
    first = catalog.all()[0]
    assert catalog.refresh() is False
    assert catalog.refresh(force=True) is True
    assert catalog.all()[0] is not first and catalog.all()[0].text == first.text


def test_letters_of_authorities_follow_the_catalogue(store: LetterStore, tmp_path: Path) -> None:
    # The per-authority lookup (one council's question at any size) is the scan it replaces,
    # before and after letters are added and deleted.
    pipeline = IngestPipeline(store, HashEmbedder())
    folder = tmp_path / "letters"
    folder.mkdir()
    for name in ("hackney-2010.txt", "leeds-2010.txt"):
        shutil.copy(FIXTURES / name, folder / name)
    assert pipeline.ingest([folder]).ok
    catalog = LetterCatalog(store)

    def check() -> None:
        catalog.refresh()
        names = {x.authority for x in catalog.all() if x.authority}
        for wanted in [*({n} for n in names), names, {"Nowhere Council"}]:
            assert catalog.of_authorities(wanted) == [x for x in catalog.all()
                                                     if x.authority in wanted]

    check()
    shutil.copy(FIXTURES / "leeds-2011.txt", folder / "leeds-2011.txt")
    assert pipeline.ingest([folder / "leeds-2011.txt"]).ok
    check()
    assert len(catalog.of_authorities({"Leeds City Council"})) == 2
    assert pipeline.delete("leeds-2010.txt") is not None
    check()
    assert len(catalog.of_authorities({"Leeds City Council"})) == 1
