"""Lexical (BM25) search over the stored chunks, kept in step with the store.

The index follows the store's letter revisions, so it stays consistent after ingest/delete, also
when another process wrote to a shared Chroma server. A refresh fetches and tokenizes only the
chunks of letters added or replaced since the last one, keeps every other letter's chunks and
tokens, and rebuilds the BM25 matrix from the tokens (fast: no text is read from Chroma again).
"""

from __future__ import annotations

import logging
import re
import threading

import bm25s
import numpy as np

from vectorstore.records import StoredChunk
from vectorstore.store import LetterStore

logger = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG when imported; let it inherit the application's level again.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s\b")
_LEX_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "which",
        "will",
        "with",
    ]
)


def stem(word: str) -> str:
    """A deliberately small English suffix stripper (vacancies -> vacanc, assessed -> assess)."""
    for suffix in (
        "ational",
        "ization",
        "iveness",
        "fulness",
        "ousness",
        "ements",
        "ement",
        "ments",
        "ment",
        "liness",
        "ance",
        "ence",
        "ities",
        "ity",
        "ings",
        "ing",
        "ies",
        "ied",
        "edly",
        "ness",
        "ions",
        "ion",
        "ers",
        "er",
        "ed",
        "ly",
        "es",
        "s",
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens without the commonest function words."""
    text = _POSSESSIVE.sub("", text.lower())
    return [stem(w) for w in _WORD.findall(text) if w not in _LEX_STOP and len(w) > 1]


def indexed_text(chunk: StoredChunk) -> str:
    """What BM25 indexes for a chunk: its text, after its label for a field passage.

    A field chunk (``field`` in its metadata) was embedded with a plain-words label ("signatory,
    signed by, signature ..."); indexing the label too lets the lexical side match the same
    words. The label lives in the chunk metadata, so nothing has to be embedded again.
    """
    label = chunk.metadata.get("label")
    if chunk.metadata.get("field") and isinstance(label, str) and label:
        return f"{label}: {chunk.text}"
    return chunk.text


class LexicalIndex:
    """BM25 over every current chunk of the store."""

    def __init__(self, store: LetterStore) -> None:
        self.store = store
        self._revisions: dict[str, str] | None = None
        # Per letter: its chunks (sorted by position) and their tokens, as loaded.
        self._by_doc: dict[str, tuple[list[StoredChunk], list[list[str]]]] = {}
        self._chunks: list[StoredChunk] = []
        self._doc_rows: dict[str, np.ndarray] = {}
        self._bm25: bm25s.BM25 | None = None
        self._lock = threading.Lock()

    def refresh(self, fingerprint: str | None = None, force: bool = False,
                revisions: dict[str, str] | None = None) -> bool:
        """Update when the store changed; returns True when it did.

        Args:
            fingerprint: accepted for compatibility; the letter revisions decide.
            force: fetch every letter's chunks again.
            revisions: :meth:`LetterStore.letter_revisions`, when the caller already read it.
        """
        if revisions is None:
            revisions = self.store.letter_revisions()
        with self._lock:
            known = {} if force or self._revisions is None else self._revisions
            if not force and self._revisions is not None and revisions == known:
                return False
            changed = sorted(d for d, r in revisions.items() if known.get(d) != r)
            by_doc = {d: v for d, v in self._by_doc.items()
                      if d in revisions and known.get(d) == revisions[d]}
            fresh: dict[str, list[StoredChunk]] = {}
            if changed:
                for chunk in self.store.get_chunks(document_ids=changed, revisions=revisions):
                    fresh.setdefault(chunk.document_id, []).append(chunk)
            for document_id, doc_chunks in fresh.items():
                by_doc[document_id] = (doc_chunks, [tokenize(indexed_text(c)) or ["__empty__"]
                                                    for c in doc_chunks])
            # The same row order as fetching every chunk at once: by letter id, then position.
            chunks: list[StoredChunk] = []
            tokens: list[list[str]] = []
            rows: dict[str, np.ndarray] = {}
            for document_id in sorted(by_doc):
                doc_chunks, doc_tokens = by_doc[document_id]
                rows[document_id] = np.arange(len(chunks), len(chunks) + len(doc_chunks))
                chunks.extend(doc_chunks)
                tokens.extend(doc_tokens)
            bm25 = bm25s.BM25()
            if chunks:
                bm25.index(tokens, show_progress=False)
            self._by_doc = by_doc
            self._chunks = chunks
            self._doc_rows = rows
            self._bm25 = bm25 if chunks else None
            self._revisions = dict(revisions)
        logger.info("lexical index refreshed chunks=%d letters_loaded=%d", len(chunks),
                    len(fresh))
        return True

    def search(
        self,
        text: str,
        k: int,
        document_ids: set[str] | None = None,
    ) -> list[tuple[StoredChunk, float]]:
        """The ``k`` best chunks for ``text``, optionally only from ``document_ids``."""
        tokens = tokenize(text)
        if self._bm25 is None or not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        if document_ids is not None:
            rows = [self._doc_rows[d] for d in document_ids if d in self._doc_rows]
            if not rows:
                return []
            candidates = np.concatenate(rows)
        else:
            candidates = np.arange(len(self._chunks))
        picked = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        return [(self._chunks[i], float(scores[i])) for i in picked if scores[i] > 0]

    def idf(self, token: str) -> float:
        """Inverse document frequency of a (stemmed) token over the chunks; 0 when unknown."""
        if self._bm25 is None:
            return 0.0
        vocab = self._bm25.vocab_dict
        if token not in vocab:
            return 0.0
        n = len(self._chunks)
        df = int(
            self._bm25.scores["indptr"][vocab[token] + 1]
            - self._bm25.scores["indptr"][vocab[token]]
        )
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
