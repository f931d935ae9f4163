"""The naive baseline: the LangChain tutorial pipeline, run on the same letters as reportqa.

Fixed-size chunks (``RecursiveCharacterTextSplitter``, 1,000 characters, 200 overlap) of the very
texts reportqa stored, embedded by the same :class:`~vectorstore.embedder.Embedder` into their own
``langchain_chroma.Chroma`` collection, dense top-4 search, and for "answer" the first sentences
of the best chunk, cited with that chunk. It never abstains and ignores conversation history.
Every report shows its numbers so that the gap to it stays visible.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from typing import Any

from assistant.models import Answer, Citation, LetterRef, Turn
from vectorstore.embedder import Embedder
from vectorstore.store import LetterStore

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
ANSWER_SENTENCES = 2

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“‘(])")


def first_sentences(text: str, n: int = ANSWER_SENTENCES) -> str:
    """The first ``n`` sentences of ``text`` with whitespace collapsed."""
    flat = " ".join(text.split())
    parts = _SENTENCE_END.split(flat)
    return " ".join(parts[:n]).strip()


class NaivePipeline:
    """Tutorial RAG over the store's letter texts.

    Args:
        store: The reportqa store; its letter texts (and document ids) are reused, so citations
            can be checked against the same stored text.
        embedder: The same embedder reportqa uses (passed to Chroma as ``embedding_function``, so
            Chroma's own default embedding function is never used).
        collection_name: Chroma collection of the baseline's chunks (in the store's client).
    """

    def __init__(self, store: LetterStore, embedder: Embedder,
                 collection_name: str = "naive_baseline") -> None:
        from langchain_chroma import Chroma

        self.store = store
        self.embedder = embedder
        self.vectorstore = Chroma(collection_name=collection_name, embedding_function=embedder,
                                  client=store.client,
                                  collection_configuration={"hnsw": {"space": "cosine"}})
        self._letters: dict[str, Any] = {}

    def build(self) -> int:
        """Split and index every stored letter (skipped when the collection already holds them).

        Returns:
            The number of chunks in the collection.
        """
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        letters = self.store.list_letters()
        self._letters = {x.document_id: x for x in letters}
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE,
                                                  chunk_overlap=CHUNK_OVERLAP,
                                                  add_start_index=True)
        docs = splitter.create_documents(
            [x.text for x in letters],
            metadatas=[{"document_id": x.document_id, "source": x.source,
                        "authority": str(x.metadata.get("authority") or "")} for x in letters])
        ids = [hashlib.sha256(f"{d.metadata['document_id']}\0{d.metadata['start_index']}\0"
                              f"{d.page_content}".encode()).hexdigest()[:32] for d in docs]
        collection = self.vectorstore._collection
        have = set(collection.get(include=[])["ids"]) if collection.count() else set()
        if have != set(ids):
            if have:
                collection.delete(ids=sorted(have))
            batch = max(1, self.store.client.get_max_batch_size())
            for start in range(0, len(docs), batch):
                self.vectorstore.add_documents(docs[start:start + batch],
                                               ids=ids[start:start + batch])
            logger.info("naive baseline indexed chunks=%d letters=%d", len(docs), len(letters))
        return len(docs)

    def ask(self, question: str, history: list[Turn] | None = None,
            filters: Any = None, id: str | None = None) -> Answer:
        """Answer like the tutorial: the top chunk's first sentences, cited with that chunk."""
        if not self._letters:
            self.build()
        t0 = time.perf_counter()
        hits = self.vectorstore.similarity_search_with_score(question, k=TOP_K)
        t1 = time.perf_counter()
        letters: list[LetterRef] = []
        for doc, _ in hits:
            if all(x.document_id != doc.metadata["document_id"] for x in letters):
                letters.append(LetterRef(document_id=doc.metadata["document_id"],
                                         source=doc.metadata["source"],
                                         authority=doc.metadata.get("authority") or None))
        citations: list[Citation] = []
        text = "No passages found."
        if hits:
            doc, distance = hits[0]
            start = int(doc.metadata["start_index"])
            letter = self._letters.get(doc.metadata["document_id"])
            citations.append(Citation(
                marker=1, document_id=doc.metadata["document_id"], source=doc.metadata["source"],
                authority=doc.metadata.get("authority") or None,
                inspection_date=None if letter is None else
                str(letter.metadata.get("inspection_start") or "") or None,
                section="chunk", quote=doc.page_content, char_start=start,
                char_end=start + len(doc.page_content), score=round(1.0 - float(distance), 4)))
            text = f"{first_sentences(doc.page_content)} [1]"
        t2 = time.perf_counter()
        return Answer(id=id, answer=text, abstained=False, citations=citations, kind="naive",
                      letters=letters,
                      timings_ms={"retrieval": round((t1 - t0) * 1000, 2),
                                  "answer": round((t2 - t1) * 1000, 2),
                                  "total": round((t2 - t0) * 1000, 2)})
