"""Hybrid retrieval: BM25 and dense candidates fused by reciprocal rank, filtered and boosted.

:class:`HybridRetriever` is a LangChain ``BaseRetriever``; the assistant itself calls
:meth:`HybridRetriever.search`, which returns the package's own :class:`Candidate` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.lexical import LexicalIndex
from vectorstore.embedder import Embedder
from vectorstore.records import StoredChunk
from vectorstore.store import LetterStore

RRF_K = 60
SECTION_BOOST = 1.5


@dataclass
class Candidate:
    """A retrieved chunk with its dense cosine, BM25 score and fused score."""

    chunk: StoredChunk
    dense: float = 0.0
    lexical: float = 0.0
    fused: float = 0.0


class HybridRetriever(BaseRetriever):
    """Lexical + dense retrieval over the store, restricted to letters and boosted by section."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: LetterStore
    embedder: Embedder
    lexical: LexicalIndex
    k: int = 8

    def search(self, text: str, *, document_ids: set[str] | None = None,
               section: str | None = None, k: int | None = None,
               query_embedding: list[float] | None = None) -> list[Candidate]:
        """Fuse dense and lexical rankings of chunks for ``text``.

        Args:
            text: what to search for (the question, or its topic words).
            document_ids: only chunks of these letters (None: every letter).
            section: chunks of this section get a boost.
            k: how many candidates to return.
            query_embedding: a precomputed embedding of ``text``.
        """
        k = k or self.k
        pool = max(k * 4, 32)
        where: dict[str, Any] | None = None
        if document_ids is not None:
            if not document_ids:
                return []
            ids = sorted(document_ids)
            where = {"document_id": ids[0]} if len(ids) == 1 else {"document_id": {"$in": ids}}
        embedding = query_embedding or self.embedder.embed_query(text)
        dense = self.store.search(embedding, k=pool, where=where)
        lexical = self.lexical.search(text, k=pool, document_ids=document_ids)
        merged: dict[str, Candidate] = {}
        for rank, hit in enumerate(dense):
            cand = merged.setdefault(hit.chunk.chunk_id, Candidate(chunk=hit.chunk))
            cand.dense = hit.score
            cand.fused += 1.0 / (RRF_K + rank + 1)
        for rank, (chunk, score) in enumerate(lexical):
            cand = merged.setdefault(chunk.chunk_id, Candidate(chunk=chunk))
            cand.lexical = score
            cand.fused += 1.0 / (RRF_K + rank + 1)
        for cand in merged.values():
            if section and cand.chunk.section == section:
                cand.fused *= SECTION_BOOST
        ranked = sorted(merged.values(), key=lambda c: c.fused, reverse=True)
        return ranked[:k]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                **kwargs: Any) -> list[Document]:
        hits = self.search(query, document_ids=kwargs.get("document_ids"),
                           section=kwargs.get("section"), k=kwargs.get("k"))
        return [Document(page_content=c.chunk.text, id=c.chunk.chunk_id,
                         metadata={**c.chunk.metadata, "dense": c.dense, "lexical": c.lexical,
                                   "fused": c.fused}) for c in hits]
