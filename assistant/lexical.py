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
from collections import Counter
from dataclasses import dataclass

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


@dataclass
class _DocTerms:
    """One letter's chunks for BM25: per chunk its length and (term id, count) pairs."""

    chunks: list[StoredChunk]
    lengths: np.ndarray  # tokens per chunk
    terms: np.ndarray  # term ids, chunk after chunk (each chunk's terms distinct)
    counts: np.ndarray  # how often each term occurs in its chunk
    sizes: np.ndarray  # distinct terms per chunk


def _bm25_from_terms(parts: list[_DocTerms], vocab: dict[str, int],
                     k1: float = 1.5, b: float = 0.75) -> bm25s.BM25:
    """A :class:`bm25s.BM25` (method "lucene", its defaults) built with numpy from term counts.

    The same numbers as ``bm25s.BM25().index(tokens)`` (same formulas and float types), without
    its per-chunk Python loops: rebuilding after one letter changed costs little. Terms no
    current chunk holds keep their id with no postings (document frequency 0).
    """
    lengths = np.concatenate([p.lengths for p in parts])
    terms = np.concatenate([p.terms for p in parts])
    counts = np.concatenate([p.counts for p in parts]).astype(np.float32)
    sizes = np.concatenate([p.sizes for p in parts])
    n_docs, n_vocab = len(lengths), len(vocab)
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int32), sizes)
    avg_doc_len = lengths.mean()
    df = np.bincount(terms, minlength=n_vocab)
    idf = np.zeros(n_vocab, dtype=np.float32)
    seen = df > 0
    idf[seen] = np.log(1 + (n_docs - df[seen] + 0.5) / (df[seen] + 0.5))
    norm = k1 * ((1 - b) + b * lengths / avg_doc_len)  # per chunk, float64 as in bm25s
    scores = (idf[terms] * (counts / (norm[doc_of] + counts))).astype(np.float32)
    order = np.argsort(terms, kind="stable")  # by term, then chunk (CSC)
    bm25 = bm25s.BM25()
    bm25.scores = {"data": scores[order], "indices": doc_of[order].astype(np.int32),
                   "indptr": np.concatenate([[0], np.cumsum(df)]).astype(np.int32),
                   "num_docs": n_docs}
    bm25.vocab_dict = dict(vocab)
    bm25.unique_token_ids_set = set(vocab.values())
    bm25.nonoccurrence_array = None
    return bm25


# Below this share of all chunks (1 in _FEW_ROWS), a search within some letters scores only
# their chunks.
_FEW_ROWS = 8


class LexicalIndex:
    """BM25 over every current chunk of the store."""

    def __init__(self, store: LetterStore) -> None:
        self.store = store
        self._revisions: dict[str, str] | None = None
        # Per letter: its chunks (sorted by position) and their term counts, as loaded.
        self._by_doc: dict[str, _DocTerms] = {}
        self._vocab: dict[str, int] = {}  # term -> id; only grows (ids stay stable)
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
                by_doc[document_id] = self._terms(doc_chunks)
            # The same row order as fetching every chunk at once: by letter id, then position.
            chunks: list[StoredChunk] = []
            parts: list[_DocTerms] = []
            rows: dict[str, np.ndarray] = {}
            for document_id in sorted(by_doc):
                part = by_doc[document_id]
                rows[document_id] = np.arange(len(chunks), len(chunks) + len(part.chunks))
                chunks.extend(part.chunks)
                parts.append(part)
            bm25 = _bm25_from_terms(parts, self._vocab) if chunks else bm25s.BM25()
            self._by_doc = by_doc
            self._chunks = chunks
            self._doc_rows = rows
            self._bm25 = bm25 if chunks else None
            self._revisions = dict(revisions)
        logger.info("lexical index refreshed chunks=%d letters_loaded=%d", len(chunks),
                    len(fresh))
        return True

    def _terms(self, chunks: list[StoredChunk]) -> _DocTerms:
        lengths, terms, counts, sizes = [], [], [], []
        for chunk in chunks:
            tokens = tokenize(indexed_text(chunk)) or ["__empty__"]
            tally = Counter(tokens)
            lengths.append(len(tokens))
            sizes.append(len(tally))
            for token, n in tally.items():
                terms.append(self._vocab.setdefault(token, len(self._vocab)))
                counts.append(n)
        return _DocTerms(chunks, np.array(lengths, dtype=np.int64),
                         np.array(terms, dtype=np.int64), np.array(counts, dtype=np.int64),
                         np.array(sizes, dtype=np.int64))

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
        if document_ids is not None:
            rows = [self._doc_rows[d] for d in sorted(document_ids) if d in self._doc_rows]
            if not rows:
                return []
            candidates = np.concatenate(rows)
            if len(candidates) * _FEW_ROWS < len(self._chunks):
                # a few letters of many: score only their rows (one letter's question costs
                # the same at 1,000 letters as at 10,000)
                local = self._scores_of_rows(tokens, rows)
                order = np.argsort(-local, kind="stable")[:k]
                return [(self._chunks[int(candidates[j])], float(local[j])) for j in order
                        if local[j] > 0]
        else:
            candidates = np.arange(len(self._chunks))
        scores = self._bm25.get_scores(tokens)
        picked = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        return [(self._chunks[i], float(scores[i])) for i in picked if scores[i] > 0]

    def _scores_of_rows(self, tokens: list[str], rows: list[np.ndarray]) -> np.ndarray:
        """BM25 scores of the chunks in ``rows`` (each a letter's contiguous run of rows), in
        that order: the same sums as ``get_scores`` (query tokens in order, repeats counted),
        read from each term's postings by binary search instead of over every chunk."""
        assert self._bm25 is not None
        matrix = self._bm25.scores
        data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
        out = np.zeros(sum(len(r) for r in rows), dtype=np.float32)
        starts = np.cumsum([0] + [len(r) for r in rows[:-1]])
        for term in self._bm25.get_tokens_ids(tokens):
            begin, end = int(indptr[term]), int(indptr[term + 1])
            postings = indices[begin:end]  # chunk rows holding the term, ascending
            for run, at in zip(rows, starts, strict=True):
                if not len(run):
                    continue
                lo, hi = np.searchsorted(postings, [run[0], run[-1] + 1])
                if lo < hi:  # a term occurs once per chunk: no repeated rows within a slice
                    out[postings[lo:hi] - run[0] + at] += data[begin + lo:begin + hi]
        return out

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
        if df == 0:  # a term of letters no longer stored
            return 0.0
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
