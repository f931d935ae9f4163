"""Lexical (BM25) search over the stored chunks, kept in step with the store.

The index is rebuilt from the store's chunks whenever the store's fingerprint changes, so it
stays consistent after ingest/delete, also when another process wrote to a shared Chroma server.
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


class LexicalIndex:
    """BM25 over every current chunk of the store."""

    def __init__(self, store: LetterStore) -> None:
        self.store = store
        self._fingerprint: str | None = None
        self._chunks: list[StoredChunk] = []
        self._doc_rows: dict[str, np.ndarray] = {}
        self._bm25: bm25s.BM25 | None = None
        self._lock = threading.Lock()

    def refresh(self, fingerprint: str | None = None, force: bool = False) -> bool:
        """Rebuild when the store changed; returns True when it did."""
        fingerprint = fingerprint or self.store.fingerprint()
        if not force and fingerprint == self._fingerprint:
            return False
        with self._lock:
            chunks = self.store.get_chunks()
            bm25 = bm25s.BM25()
            if chunks:
                bm25.index([tokenize(c.text) or ["__empty__"] for c in chunks], show_progress=False)
            rows: dict[str, list[int]] = {}
            for i, chunk in enumerate(chunks):
                rows.setdefault(chunk.document_id, []).append(i)
            self._chunks = chunks
            self._doc_rows = {k: np.array(v) for k, v in rows.items()}
            self._bm25 = bm25 if chunks else None
            self._fingerprint = fingerprint
        logger.info("lexical index rebuilt chunks=%d", len(chunks))
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
