"""The idempotent ingest pipeline: file -> canonical text -> parse -> chunks -> embeddings -> store.

Ids come from content hashes. Re-ingesting an unchanged file does nothing; a changed file with the
same source replaces its old letter completely (the store makes the swap crash-safe); a broken file
is reported with its reason and never stops the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.chunking import Chunk, chunk_letter, content_hash
from ingest.errors import IngestError
from ingest.loaders import SUPPORTED_SUFFIXES, load_letter
from ingest.models import ParsedLetter
from ingest.normalize import normalize_text
from ingest.parsing import parse_letter
from ingest.serialization import letter_to_record
from vectorstore.embedder import Embedder
from vectorstore.records import Metadata, StoredChunk, StoredLetter
from vectorstore.store import LetterStore

logger = logging.getLogger(__name__)

# Bump when parsing or chunking changes, so that re-ingest replaces letters parsed the old way.
PIPELINE_VERSION = "1"

ADDED, REPLACED, UNCHANGED, FAILED = "added", "replaced", "unchanged", "failed"


@dataclass
class FileResult:
    """What happened to one file."""

    source: str
    path: str
    status: str
    document_id: str | None = None
    authority: str | None = None
    chunks: int = 0
    embedded: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    """The outcome of one ingest run."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def by_status(self, status: str) -> list[FileResult]:
        return [r for r in self.results if r.status == status]

    @property
    def ok(self) -> bool:
        """True when every file was ingested (added, replaced or unchanged)."""
        return not self.by_status(FAILED)

    def counts(self) -> dict[str, int]:
        return {s: len(self.by_status(s)) for s in (ADDED, REPLACED, UNCHANGED, FAILED)}

    def to_dict(self) -> dict[str, object]:
        return {"counts": self.counts(), "seconds": round(self.seconds, 3),
                "results": [asdict(r) for r in self.results]}


def discover_files(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[FileResult]]:
    """Expand files and folders (recursively) into ``(path, source)`` pairs.

    The source of a file given directly is its name; inside a folder it is the path relative to
    that folder. Hidden files are skipped; a missing path is reported as a failure.
    """
    found: list[tuple[Path, str]] = []
    missing: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                found.append((child, rel.as_posix()))
        elif path.is_file():
            found.append((path, path.name))
        else:
            missing.append(FileResult(source=path.name, path=str(path), status=FAILED,
                                      error=f"{path}: no such file or folder; check the path"))
    return found, missing


def document_id_for(source: str, text: str, model_name: str) -> str:
    """Content-hash id of a letter: same file content, source, pipeline and model -> same id."""
    key = f"{PIPELINE_VERSION}\0{model_name}\0{source}\0{text}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


class IngestPipeline:
    """Ingests letters into a :class:`LetterStore` using an :class:`Embedder`."""

    def __init__(self, store: LetterStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def ingest(
        self, paths: Sequence[Path], on_file: Callable[[FileResult], None] | None = None
    ) -> IngestReport:
        """Ingest every file under ``paths``; ``on_file`` is called after each file (progress)."""
        started = time.perf_counter()
        files, report_missing = discover_files(paths)
        report = IngestReport(results=list(report_missing))
        self.store.collect_garbage()
        for path, source in files:
            result = self.ingest_file(path, source)
            report.results.append(result)
            if on_file is not None:
                on_file(result)
        report.seconds = time.perf_counter() - started
        logger.info("ingest finished counts=%s seconds=%.2f", report.counts(), report.seconds)
        return report

    def ingest_file(self, path: Path, source: str | None = None) -> FileResult:
        """Ingest one file; never raises for a bad file (the reason is in the result)."""
        source = source or path.name
        try:
            return self._ingest(path, source)
        except IngestError as exc:
            logger.warning("ingest failed source=%s reason=%s", source, exc)
            return FileResult(source=source, path=str(path), status=FAILED, error=str(exc))
        except Exception as exc:  # one broken letter never stops a run
            logger.exception("ingest crashed source=%s", source)
            return FileResult(source=source, path=str(path), status=FAILED,
                              error=f"{source}: unexpected error ({type(exc).__name__}: {exc}); "
                                    "please report this letter")

    def _ingest(self, path: Path, source: str) -> FileResult:
        text = normalize_text(load_letter(path))
        document_id = document_id_for(source, text, self.embedder.model_name)
        previous = self.store.find_letter_by_source(source)
        if previous is not None and previous.document_id == document_id:
            return FileResult(source=source, path=str(path), status=UNCHANGED,
                              document_id=document_id,
                              authority=_str_or_none(previous.metadata.get("authority")),
                              chunks=int(previous.metadata.get("chunks", 0)))
        letter = parse_letter(text)
        chunks = chunk_letter(letter, self.embedder.count_tokens, self.embedder.max_seq_length)
        stored_chunks, embeddings, embedded = self._embed(letter, chunks, document_id, source)
        stored_letter = StoredLetter(document_id=document_id, source=source, text=text,
                                     metadata=letter_metadata(letter, source, len(chunks)))
        self.store.replace_letter(stored_letter, stored_chunks, embeddings)
        return FileResult(source=source, path=str(path),
                          status=REPLACED if previous is not None else ADDED,
                          document_id=document_id, authority=letter.metadata.authority,
                          chunks=len(chunks), embedded=embedded)

    def _embed(
        self, letter: ParsedLetter, chunks: list[Chunk], document_id: str, source: str
    ) -> tuple[list[StoredChunk], list[list[float]], int]:
        """Embed each distinct chunk text once, reusing embeddings the store already holds."""
        hashes = [content_hash(self.embedder.model_name, c.embed_text) for c in chunks]
        known = self.store.embeddings_for_hashes(sorted(set(hashes)))
        todo = {h: c.embed_text for h, c in zip(hashes, chunks, strict=True) if h not in known}
        if todo:
            vectors = self.embedder.embed_documents(list(todo.values()))
            known.update(zip(todo.keys(), vectors, strict=True))
        base = chunk_base_metadata(letter, document_id, source)
        stored = []
        for index, (chunk, digest) in enumerate(zip(chunks, hashes, strict=True)):
            chunk_id = hashlib.sha256(f"{document_id}\0{index}\0{digest}".encode()).hexdigest()[:32]
            meta: Metadata = {**base, "section": chunk.section, "char_start": chunk.char_start,
                              "char_end": chunk.char_end, "content_hash": digest,
                              "finding_index": chunk.finding_index, "chunk_index": index}
            stored.append(StoredChunk(chunk_id=chunk_id, document_id=document_id,
                                      text=chunk.text, metadata=meta))
        return stored, [known[h] for h in hashes], len(todo)

    def delete(self, ref: str) -> StoredLetter | None:
        """Delete a letter by document id or source; returns the deleted letter or None."""
        letter = self.store.get_letter(ref) or self.store.find_letter_by_source(ref)
        if letter is None:
            return None
        self.store.delete_letter(letter.document_id)
        return letter


def chunk_base_metadata(letter: ParsedLetter, document_id: str, source: str) -> Metadata:
    """Letter-level metadata carried by every chunk (only fields that are known)."""
    meta = letter.metadata
    values: dict[str, object] = {
        "document_id": document_id, "source": source, "authority": meta.authority,
        "inspection_start": meta.inspection_start, "inspection_end": meta.inspection_end,
        "letter_date": meta.letter_date, "year": _year(letter),
    }
    return {k: v for k, v in values.items() if v is not None}  # type: ignore[misc]


def letter_metadata(letter: ParsedLetter, source: str, n_chunks: int) -> Metadata:
    """Flat metadata of the letter record; the full parse travels as ``record_json``."""
    meta = letter.metadata
    base: dict[str, object] = {
        "source": source, "authority": meta.authority, "inspection_start": meta.inspection_start,
        "inspection_end": meta.inspection_end, "letter_date": meta.letter_date,
        "inspection_type": meta.inspection_type, "signatory_name": meta.signatory_name,
        "year": _year(letter), "chunks": n_chunks,
        "sections": ", ".join(s.name for s in letter.sections),
        "record_json": json.dumps(letter_to_record(letter)),
        "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return {k: v for k, v in base.items() if v is not None}  # type: ignore[misc]


def _year(letter: ParsedLetter) -> int | None:
    date = letter.metadata.inspection_start or letter.metadata.letter_date
    return int(date[:4]) if date else None


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


__all__ = ["ADDED", "FAILED", "REPLACED", "SUPPORTED_SUFFIXES", "UNCHANGED", "FileResult",
           "IngestPipeline", "IngestReport", "discover_files", "document_id_for"]
