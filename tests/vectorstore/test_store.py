"""Tests of vectorstore.store against a real Chroma, embedded and server (see tests/conftest.py).

Chunk vectors are random unit vectors of the real dimension, derived from the chunk text, so the
store is tested without running the model; one test searches with real embeddings.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from typing import Any

import chromadb.utils.embedding_functions as chroma_embedding_functions
import numpy as np
import pytest
from chromadb.api import ClientAPI

from tests.servers import free_port
from vectorstore.embedder import Embedder
from vectorstore.errors import StoreError, StoreUnavailable
from vectorstore.records import StoredChunk, StoredLetter
from vectorstore.settings import StoreSettings
from vectorstore.store import _GENERATION_ID, LetterStore, letter_revision, make_client

pytestmark = pytest.mark.slow

PORTSMOUTH = [
    "9 December 2009",
    "Dear Mr Wooster",
    "Annual unannounced inspection of contact, referral and assessment arrangements within "
    "Portsmouth Council children's services",
    "Strengths",
    "Management oversight of referrals is robust and decisions are recorded.",
    "Area for priority action",
    "Some cases referred to the initial assessment team have been closed without the children "
    "being seen.",
    "Yours sincerely",
]
LEEDS = [
    "2 February 2011",
    "Dear Ms Hart",
    "Annual unannounced inspection of contact, referral and assessment arrangements within Leeds "
    "City Council children's services",
    "Areas for development",
    "Ensure that assessments are completed within timescales.",
    "Area for priority action",
    "None identified.",
    "Yours sincerely",
]
HEADINGS = {"Strengths", "Areas for development", "Area for priority action"}


def unit_vector(text: str, dimension: int) -> list[float]:
    """A deterministic random unit vector for ``text``."""
    rng = random.Random(hashlib.sha256(text.encode()).digest())
    values = [rng.gauss(0.0, 1.0) for _ in range(dimension)]
    norm = sum(v * v for v in values) ** 0.5
    return [v / norm for v in values]


def make_letter(
    source: str,
    paragraphs: list[str],
    *,
    extra: str = "",
    document_id: str | None = None,
    authority: str = "Portsmouth City Council",
) -> tuple[StoredLetter, list[StoredChunk]]:
    """A letter whose paragraphs are its chunks, each tagged with the heading above it."""
    text = "\n\n".join(paragraphs) + extra
    document_id = document_id or hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()[:24]
    letter = StoredLetter(
        document_id=document_id,
        source=source,
        text=text,
        metadata={"authority": authority, "year": 2009, "record_json": '{"sections": []}'},
    )
    chunks: list[StoredChunk] = []
    section, start = "Preamble", 0
    for index, paragraph in enumerate(paragraphs):
        start = text.index(paragraph, start)
        end = start + len(paragraph)
        section = paragraph if paragraph in HEADINGS else section
        chunks.append(
            StoredChunk(
                chunk_id=hashlib.sha256(f"{document_id}\0{index}".encode()).hexdigest()[:32],
                document_id=document_id,
                text=paragraph,
                metadata={
                    "document_id": document_id,
                    "source": source,
                    "section": section,
                    "char_start": start,
                    "char_end": end,
                    "content_hash": hashlib.sha256(paragraph.encode()).hexdigest(),
                    "authority": authority,
                    "chunk_index": index,
                },
            )
        )
        start = end
    return letter, chunks


def vectors_for(store: LetterStore, chunks: list[StoredChunk]) -> list[list[float]]:
    return [unit_vector(chunk.text, store.dimension) for chunk in chunks]


def put(store: LetterStore, letter: StoredLetter, chunks: list[StoredChunk]) -> StoredLetter | None:
    return store.replace_letter(letter, chunks, vectors_for(store, chunks))


@pytest.fixture(autouse=True)
def no_default_embedding_function(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test in which Chroma's default embedding function computes anything."""

    def forbidden(self: Any, input: Any) -> Any:  # Chroma checks this exact signature
        raise AssertionError("Chroma's default embedding function was invoked")

    for name in ("DefaultEmbeddingFunction", "ONNXMiniLM_L6_V2"):
        cls = getattr(chroma_embedding_functions, name, None)
        if cls is not None:
            monkeypatch.setattr(cls, "__call__", forbidden)
    yield


# ------------------------------------------------------------------ collections


def test_collections_have_no_embedding_function(
    store: LetterStore, chroma_client: ClientAPI
) -> None:
    reopened = LetterStore(chroma_client, store.dimension, store.prefix)
    for candidate in (store, reopened):
        for collection in (candidate._chunks, candidate._letters):
            assert collection._embedding_function is None
            with pytest.raises(ValueError, match="embedding function"):
                collection.query(query_texts=["area for priority action"], n_results=1)
    assert store._chunks.configuration_json["hnsw"]["space"] == "cosine"
    assert {store.chunks_name, store.letters_name} == {
        f"{store.prefix}_chunks",
        f"{store.prefix}_letters",
    }


def test_reopening_with_another_dimension_is_refused(
    store: LetterStore, chroma_client: ClientAPI
) -> None:
    with pytest.raises(StoreError, match="384-dimension vectors but the embedder gives 768"):
        LetterStore(chroma_client, 768, store.prefix)


@pytest.mark.parametrize("prefix", ["", "-bad", "a b", "x" * 600])
def test_invalid_prefix_is_refused(chroma_client: ClientAPI, prefix: str) -> None:
    with pytest.raises(StoreError, match="REPORTQA_COLLECTION_PREFIX"):
        LetterStore(chroma_client, 384, prefix)


# ------------------------------------------------------------------ letters


def test_replace_get_list_delete_round_trip(store: LetterStore) -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    assert store.replace_letter(letter, chunks, vectors_for(store, chunks)) is None

    assert store.get_letter(letter.document_id) == letter
    assert store.find_letter_by_source("portsmouth-2009.txt") == letter
    assert store.find_letter_by_source("leeds-2011.txt") is None
    assert store.get_letter("no-such-id") is None
    assert store.list_letters() == [letter]
    (listed,) = store.list_letters(include_text=False)
    assert (listed.document_id, listed.source, listed.text) == (
        letter.document_id,
        letter.source,
        "",
    )
    assert listed.metadata == letter.metadata
    assert store.letter_ids() == {letter.document_id}
    assert store.get_chunks() == sorted(chunks, key=lambda c: c.char_start)
    for chunk in store.get_chunks():
        assert letter.text[chunk.char_start : chunk.char_end] == chunk.text
    assert store.count_chunks() == len(chunks)

    assert store.delete_letter(letter.document_id) is True
    assert store.get_letter(letter.document_id) is None
    assert store.list_letters() == []
    assert store.get_chunks() == []
    assert store.count_chunks() == 0
    assert store.delete_letter(letter.document_id) is False


def test_replacing_a_letter_with_the_same_source_leaves_no_old_chunk(store: LetterStore) -> None:
    old, old_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    new, new_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH[:-1] + ["Yours faithfully"])
    other, other_chunks = make_letter("leeds-2011.txt", LEEDS, authority="Leeds City Council")
    put(store, old, old_chunks)
    put(store, other, other_chunks)

    assert put(store, new, new_chunks) == old

    assert store.letter_ids() == {new.document_id, other.document_id}
    assert store.get_letter(old.document_id) is None
    assert store.find_letter_by_source("portsmouth-2009.txt") == new
    assert store.count_chunks() == len(new_chunks) + len(other_chunks)
    assert {c.document_id for c in store.get_chunks()} == {new.document_id, other.document_id}
    old_ids = {c.chunk_id for c in old_chunks}
    for chunk in old_chunks:
        hits = store.search(unit_vector(chunk.text, store.dimension), k=len(old_chunks))
        assert not {h.chunk.chunk_id for h in hits} & old_ids


def test_storing_an_identical_letter_again_changes_nothing(store: LetterStore) -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, letter, chunks)
    fingerprint = store.fingerprint()
    assert put(store, letter, chunks) == letter
    assert store.fingerprint() == fingerprint
    assert store.count_chunks() == len(chunks)
    assert store.get_chunks() == sorted(chunks, key=lambda c: c.char_start)


def test_new_chunking_of_the_same_letter_replaces_the_old_chunks(store: LetterStore) -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, letter, chunks)
    fingerprint = store.fingerprint()
    merged = StoredChunk(
        chunk_id="merged-0",
        document_id=letter.document_id,
        text=letter.text[: chunks[1].char_end],
        metadata={**chunks[0].metadata, "char_end": chunks[1].char_end, "content_hash": "m0"},
    )
    rechunked = [merged, *chunks[2:]]
    assert put(store, letter, rechunked) == letter
    assert store.fingerprint() != fingerprint
    assert store.get_chunks() == rechunked
    assert store.count_chunks() == len(rechunked)


def test_the_same_text_under_another_source_moves_the_letter(store: LetterStore) -> None:
    letter, chunks = make_letter("a.txt", PORTSMOUTH, document_id="shared-id")
    moved, moved_chunks = make_letter("b.txt", PORTSMOUTH, document_id="shared-id")
    put(store, letter, chunks)
    assert put(store, moved, moved_chunks) == letter
    assert store.find_letter_by_source("a.txt") is None
    assert store.find_letter_by_source("b.txt") == moved
    assert {c.metadata["source"] for c in store.get_chunks()} == {"b.txt"}
    assert store.count_chunks() == len(moved_chunks)


def test_inconsistent_input_is_refused_before_anything_is_written(store: LetterStore) -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    vectors = vectors_for(store, chunks)
    shifted = StoredChunk(chunks[0].chunk_id, letter.document_id, "9 December", chunks[1].metadata)
    foreign = StoredChunk("x", "another-letter", chunks[0].text, chunks[0].metadata)
    reserved = StoredChunk(
        "y", letter.document_id, chunks[0].text, {**chunks[0].metadata, "store_revision": "mine"}
    )
    nested_metadata: dict[str, Any] = {**chunks[0].metadata, "findings": ["a", "b"]}
    nested = StoredChunk("z", letter.document_id, chunks[0].text, nested_metadata)
    cases: list[tuple[list[StoredChunk], list[list[float]], str]] = [
        (chunks, vectors[:-1], "8 chunks but 7 embeddings"),
        (chunks, [v[:10] for v in vectors], "10-dimension embedding"),
        ([shifted], vectors[:1], "not the letter text"),
        ([foreign], vectors[:1], "belongs to letter 'another-letter'"),
        ([reserved], vectors[:1], "reserved for the store"),
        ([nested], vectors[:1], "'findings' of type list"),
        ([chunks[0], chunks[0]], vectors[:2], "appears twice"),
    ]
    for bad_chunks, bad_vectors, message in cases:
        with pytest.raises(StoreError, match=message):
            store.replace_letter(letter, bad_chunks, bad_vectors)
    assert store.letter_ids() == set()
    assert store.count_chunks() == 0


# ------------------------------------------------------------------ crashes


def test_crash_after_upserting_new_chunks_shows_only_the_old_letter(
    store: LetterStore, chroma_client: ClientAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, old_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    new, new_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH, extra="\n\nCopy: Ofsted")
    put(store, old, old_chunks)
    fingerprint = store.fingerprint()

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("simulated crash before the letter record is written")

    monkeypatch.setattr(store._letters, "upsert", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        put(store, new, new_chunks)
    monkeypatch.undo()

    assert store.count_chunks() == len(old_chunks) + len(new_chunks)  # the new ones are there
    assert store.letter_ids() == {old.document_id}
    assert store.find_letter_by_source("portsmouth-2009.txt") == old
    assert store.fingerprint() == fingerprint
    assert {c.document_id for c in store.get_chunks()} == {old.document_id}
    assert store.get_chunks(document_ids=[new.document_id]) == []
    # Each new chunk is the exact nearest neighbour of its own vector, yet never shows up, and
    # the search still fills k with the old letter's chunks.
    for chunk in new_chunks:
        hits = store.search(unit_vector(chunk.text, store.dimension), k=len(old_chunks))
        assert len(hits) == len(old_chunks)
        assert {h.chunk.document_id for h in hits} == {old.document_id}

    # Young orphans may belong to a writer in another process: the default grace keeps them.
    assert store.collect_garbage() == 0
    assert store.count_chunks() == len(old_chunks) + len(new_chunks)

    # The next replacement of that source cleans up (no grace period here).
    eager = LetterStore(chroma_client, store.dimension, store.prefix, orphan_grace_s=0)
    newer, newer_chunks = make_letter("portsmouth-2009.txt", LEEDS)
    assert put(eager, newer, newer_chunks) == old
    assert eager.count_chunks() == len(newer_chunks)
    assert store.get_chunks() == sorted(newer_chunks, key=lambda c: c.char_start)


@pytest.mark.parametrize("step", ["delete old record", "delete old chunks"])
def test_crash_after_writing_the_new_record_shows_only_the_new_letter(
    store: LetterStore, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    old, old_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    new, new_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH, extra="\n\nCopy: Ofsted")
    put(store, old, old_chunks)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("simulated crash")

    target = store._letters if step == "delete old record" else store._chunks
    monkeypatch.setattr(target, "delete", crash)
    with pytest.raises(RuntimeError):
        put(store, new, new_chunks)
    monkeypatch.undo()

    records = [i for i in store._letters.get(include=[])["ids"] if i != _GENERATION_ID]
    assert len(records) == (2 if step == "delete old record" else 1)
    assert store.count_chunks() == len(old_chunks) + len(new_chunks)
    assert store.letter_ids() == {new.document_id}
    assert store.get_letter(old.document_id) is None
    assert store.get_letter(new.document_id) == new
    assert store.find_letter_by_source("portsmouth-2009.txt") == new
    assert [letter.document_id for letter in store.list_letters()] == [new.document_id]
    assert {c.document_id for c in store.get_chunks()} == {new.document_id}
    hits = store.search(unit_vector(old_chunks[-2].text, store.dimension), k=3)
    assert hits and {h.chunk.document_id for h in hits} == {new.document_id}

    assert store.collect_garbage(min_age_s=0) == len(old_chunks)
    assert [i for i in store._letters.get(include=[])["ids"] if i != _GENERATION_ID] == [
        new.document_id]
    assert store.count_chunks() == len(new_chunks)


def test_crash_while_deleting_leaves_no_visible_chunk(
    store: LetterStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, letter, chunks)
    monkeypatch.setattr(store._chunks, "delete", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    with pytest.raises(StoreError):
        store.delete_letter(letter.document_id)
    monkeypatch.undo()
    assert store.letter_ids() == set()
    assert store.search(unit_vector(chunks[0].text, store.dimension), k=5) == []
    assert store.count_chunks() == len(chunks)
    assert store.collect_garbage(min_age_s=0) == len(chunks)
    assert store.count_chunks() == 0


# ------------------------------------------------------------------ reads


def test_search_scores_and_where_filters(store: LetterStore) -> None:
    portsmouth, p_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    leeds, l_chunks = make_letter("leeds-2011.txt", LEEDS, authority="Leeds City Council")
    put(store, portsmouth, p_chunks)
    put(store, leeds, l_chunks)
    target = p_chunks[6]  # the priority action finding
    query = unit_vector(target.text, store.dimension)

    hits = store.search(query, k=4)
    assert len(hits) == 4
    assert hits[0].chunk == target
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score < 0.5 for h in hits[1:])  # random vectors are near-orthogonal

    only_leeds = store.search(query, k=20, where={"source": "leeds-2011.txt"})
    assert [h.chunk.document_id for h in only_leeds] == [leeds.document_id] * len(l_chunks)
    priority = store.search(query, k=20, where={"section": "Area for priority action"})
    assert {h.chunk.text for h in priority} == {
        "Area for priority action",
        p_chunks[6].text,
        "None identified.",
        "Yours sincerely",
    }
    both = store.search(
        query, k=20, where={"$and": [{"authority": "Leeds City Council"}, {"chunk_index": 4}]}
    )
    assert [h.chunk.text for h in both] == [
        "Ensure that assessments are completed within timescales."
    ]
    by_ids = store.search(query, k=3, where={"document_id": {"$in": [portsmouth.document_id]}})
    assert by_ids[0].chunk == target and len(by_ids) == 3
    assert store.search(query, k=0) == []
    assert store.search(query, k=5, where={"source": "nowhere.txt"}) == []
    with pytest.raises(StoreError, match="query embedding has 3 dimensions"):
        store.search([1.0, 0.0, 0.0], k=1)


def test_search_with_real_embeddings(store: LetterStore, embedder: Embedder) -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    store.replace_letter(letter, chunks, embedder.embed_documents([c.text for c in chunks]))
    query = embedder.embed_query("Were any cases closed without seeing the children?")
    (best,) = store.search(query, k=1)
    assert best.chunk.text.startswith("Some cases referred")
    assert 0.3 < best.score <= 1.0


def test_get_chunks_filters(store: LetterStore) -> None:
    portsmouth, p_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    leeds, l_chunks = make_letter("leeds-2011.txt", LEEDS, authority="Leeds City Council")
    put(store, portsmouth, p_chunks)
    put(store, leeds, l_chunks)
    assert len(store.get_chunks()) == len(p_chunks) + len(l_chunks)
    assert store.get_chunks(document_ids=[leeds.document_id]) == l_chunks
    assert store.get_chunks(document_ids=[]) == []
    assert store.get_chunks(document_ids=["unknown"]) == []
    strengths = store.get_chunks(where={"section": "Strengths"})
    assert [c.text for c in strengths] == PORTSMOUTH[3:5]
    assert store.get_chunks(where={"section": "Strengths"}, document_ids=[leeds.document_id]) == []


def test_fingerprint_follows_the_set_of_letters(store: LetterStore) -> None:
    empty = store.fingerprint()
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, letter, chunks)
    one = store.fingerprint()
    assert one != empty
    leeds, l_chunks = make_letter("leeds-2011.txt", LEEDS)
    put(store, leeds, l_chunks)
    two = store.fingerprint()
    assert two not in {empty, one}
    relabelled = [
        StoredChunk(c.chunk_id, c.document_id, c.text, {**c.metadata, "section": "Other"})
        for c in l_chunks
    ]
    put(store, leeds, relabelled)  # same letter id, new chunk metadata
    assert store.fingerprint() not in {empty, one, two}
    store.delete_letter(leeds.document_id)
    assert store.fingerprint() == one
    store.delete_letter(letter.document_id)
    assert store.fingerprint() == empty


def test_generation_changes_with_every_visible_change_and_is_no_letter(
        store: LetterStore) -> None:
    other = LetterStore(store.client, store.dimension, store.prefix)  # another process's view
    seen = [store.generation()]
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, letter, chunks)
    seen.append(other.generation())
    assert other.generation() == store.generation()  # stable while nothing is written
    leeds, l_chunks = make_letter("leeds-2011.txt", LEEDS)
    put(store, leeds, l_chunks)
    seen.append(other.generation())
    relabelled = [
        StoredChunk(c.chunk_id, c.document_id, c.text, {**c.metadata, "section": "Other"})
        for c in l_chunks
    ]
    put(store, leeds, relabelled)  # same letter id: only a revision changes
    seen.append(other.generation())
    store.delete_letter(leeds.document_id)
    seen.append(other.generation())
    assert len(set(seen)) == len(seen)
    # the marker record is bookkeeping: never listed, counted or collected as a letter
    assert [x.source for x in store.list_letters()] == ["portsmouth-2009.txt"]
    assert store.letter_ids() == {letter.document_id}
    store.collect_garbage(min_age_s=0)
    assert store.generation() == seen[-1]


def test_embeddings_for_hashes(store: LetterStore) -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, letter, chunks)
    hashes = [str(c.metadata["content_hash"]) for c in chunks]
    found = store.embeddings_for_hashes([*hashes, "unknown-hash", hashes[0]])
    assert set(found) == set(hashes)
    for chunk in chunks:
        expected = unit_vector(chunk.text, store.dimension)
        got = found[str(chunk.metadata["content_hash"])]
        assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) < 1e-6
    assert store.embeddings_for_hashes([]) == {}
    assert store.embeddings_for_hashes(["unknown-hash"]) == {}


def test_a_chunk_stored_many_times_is_found_a_page_at_a_time(
        store: LetterStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # A boilerplate chunk in thousands of letters once matched more rows than SQLite takes
    # variables; rows now come a page at a time (a page of 3 here stands for 2,000).
    import vectorstore.store

    monkeypatch.setattr(vectorstore.store, "_HASH_PAGE", 3)
    boilerplate = "Yours sincerely"
    hashes: set[str] = set()
    for i in range(7):
        letter, chunks = make_letter(f"letter-{i}.txt", [boilerplate, f"Finding number {i}."])
        put(store, letter, chunks)
        hashes |= {str(c.metadata["content_hash"]) for c in chunks}
    assert len(hashes) == 8  # the shared sign-off and seven findings
    calls: list[int] = []
    real_get = store._chunks.get  # type: ignore[attr-defined]

    def counting_get(**kwargs: object) -> object:
        calls.append(int(kwargs.get("limit") or 0))  # type: ignore[call-overload]
        return real_get(**kwargs)

    monkeypatch.setattr(store._chunks, "get", counting_get)  # type: ignore[attr-defined]
    found = store.embeddings_for_hashes(sorted(hashes))
    assert set(found) == hashes
    assert len(calls) > 1 and all(limit == 3 for limit in calls)
    assert found[hashlib.sha256(boilerplate.encode()).hexdigest()] == pytest.approx(
        unit_vector(boilerplate, store.dimension), abs=1e-6)


def test_a_letter_larger_than_chromas_batch_limit(store: LetterStore) -> None:
    limit = store.client.get_max_batch_size()
    lines = [f"Finding {i:05d}." for i in range(limit + 25)]
    letter, chunks = make_letter("huge.txt", lines)
    raw = np.random.default_rng(7).standard_normal((len(chunks), store.dimension))
    vectors = (raw / np.linalg.norm(raw, axis=1, keepdims=True)).tolist()
    store.replace_letter(letter, chunks, vectors)
    assert store.count_chunks() == len(chunks) > limit
    assert len(store.get_chunks()) == len(chunks)
    (hit,) = store.search(vectors[-1], k=1)
    assert hit.chunk == chunks[-1]
    assert store.delete_letter(letter.document_id)
    assert store.count_chunks() == 0


def test_state_is_shared_through_chroma(store: LetterStore, store_settings: StoreSettings) -> None:
    other_client = make_client(store_settings)
    try:
        other = LetterStore(other_client, store.dimension, store.prefix)
        letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
        put(store, letter, chunks)
        assert other.find_letter_by_source("portsmouth-2009.txt") == letter
        assert other.fingerprint() == store.fingerprint()
        other.delete_letter(letter.document_id)
        assert store.letter_ids() == set()
    finally:
        other_client.close()  # type: ignore[attr-defined]


def test_reset_empties_the_store(store: LetterStore) -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, letter, chunks)
    store.reset()
    assert store.letter_ids() == set()
    assert store.count_chunks() == 0
    put(store, letter, chunks)
    assert store.letter_ids() == {letter.document_id}


def test_letter_revision_is_deterministic() -> None:
    letter, chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    assert letter_revision(letter, chunks) == letter_revision(letter, list(reversed(chunks)))
    assert letter_revision(letter, chunks) != letter_revision(letter, chunks[:-1])


# ------------------------------------------------------------------ make_client and settings


def test_make_client_reports_an_unreachable_server() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = StoreSettings(_env_file=None, chroma_url=url)  # type: ignore[call-arg]
    with pytest.raises(StoreUnavailable) as info:
        make_client(settings)
    assert url in str(info.value)
    assert "chroma run" in str(info.value)


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://host:1", "http://host:8000/api"])
def test_make_client_refuses_malformed_urls(url: str) -> None:
    settings = StoreSettings(_env_file=None, chroma_url=url)  # type: ignore[call-arg]
    with pytest.raises(StoreError, match="REPORTQA_CHROMA_URL"):
        make_client(settings)


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTQA_CHROMA_URL", "")
    monkeypatch.setenv("REPORTQA_EMBED_BATCH_SIZE", "8")
    monkeypatch.setenv("REPORTQA_DATA_DIR", "/tmp/letters")
    settings = StoreSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.chroma_url is None
    assert settings.embedding_model is None
    assert settings.embed_batch_size == 8
    assert str(settings.data_dir) == "/tmp/letters"
    assert settings.collection_prefix == "reportqa"
    for name, field in StoreSettings.model_fields.items():
        assert field.description, name


# ------------------------------------------------------------------ batches


def test_a_batch_of_letters_is_stored_in_one_go_and_replaces_by_source(
    store: LetterStore,
) -> None:
    old, old_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, old, old_chunks)
    new, new_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH, extra="\n\nCopy: Ofsted")
    other, other_chunks = make_letter("leeds-2010.txt", PORTSMOUTH, authority="Leeds City Council")
    replaced = store.replace_letters([(new, new_chunks, vectors_for(store, new_chunks)),
                                      (other, other_chunks, vectors_for(store, other_chunks))])
    assert replaced == [old, None]
    assert store.letter_ids() == {new.document_id, other.document_id}
    assert {c.document_id for c in store.get_chunks()} == {new.document_id, other.document_id}
    assert store.count_chunks() == len(new_chunks) + len(other_chunks)


def test_a_batch_crash_before_the_records_shows_no_new_letter(
    store: LetterStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, old_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    put(store, old, old_chunks)
    new, new_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH, extra="\n\nCopy: Ofsted")
    other, other_chunks = make_letter("leeds-2010.txt", PORTSMOUTH, authority="Leeds City Council")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("simulated crash before the letter records are written")

    monkeypatch.setattr(store._letters, "upsert", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        store.replace_letters([(new, new_chunks, vectors_for(store, new_chunks)),
                               (other, other_chunks, vectors_for(store, other_chunks))])
    monkeypatch.undo()
    assert store.letter_ids() == {old.document_id}
    assert {c.document_id for c in store.get_chunks()} == {old.document_id}


def test_a_batch_with_one_source_twice_is_refused_before_writing(store: LetterStore) -> None:
    first, first_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH)
    second, second_chunks = make_letter("portsmouth-2009.txt", PORTSMOUTH, extra="\n\nCopy: x")
    with pytest.raises(StoreError, match="same source twice"):
        store.replace_letters([(first, first_chunks, vectors_for(store, first_chunks)),
                               (second, second_chunks, vectors_for(store, second_chunks))])
    assert store.letter_ids() == set() and store.count_chunks() == 0
