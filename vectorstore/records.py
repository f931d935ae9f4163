"""Records the store keeps: whole letters and their chunks.

These are plain, package-neutral shapes so that ``ingest`` and ``assistant`` can depend on
``vectorstore`` and never the other way round. Metadata values are flat scalars (str, int, float,
bool) as Chroma requires; nested structures travel as JSON strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MetadataValue = str | int | float | bool
Metadata = dict[str, MetadataValue]


@dataclass
class StoredLetter:
    """One letter: its canonical text and its flat metadata (``record_json`` holds the parse)."""

    document_id: str
    source: str
    text: str
    metadata: Metadata = field(default_factory=dict)


@dataclass
class StoredChunk:
    """One chunk. ``text`` is the verbatim span ``letter.text[char_start:char_end]``.

    ``metadata`` always holds ``document_id``, ``source``, ``section``, ``char_start``,
    ``char_end`` and ``content_hash`` (hash of the embedded text, used to reuse embeddings).
    """

    chunk_id: str
    document_id: str
    text: str
    metadata: Metadata = field(default_factory=dict)

    @property
    def char_start(self) -> int:
        return int(self.metadata["char_start"])

    @property
    def char_end(self) -> int:
        return int(self.metadata["char_end"])

    @property
    def section(self) -> str:
        return str(self.metadata.get("section", ""))


@dataclass
class ScoredChunk:
    """A chunk returned by a search, with cosine similarity (1 - distance) as ``score``."""

    chunk: StoredChunk
    score: float
