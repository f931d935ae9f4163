"""The idempotent ingest pipeline: file -> canonical text -> parse -> chunks -> embeddings -> store.

Ids come from content hashes. Re-ingesting an unchanged file does nothing; a changed file with the
same source replaces its old letter completely (the store makes the swap crash-safe); a broken file
is reported with its reason and never stops the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

from ingest.chunking import Chunk, chunk_letter, content_hash
from ingest.errors import IngestError, UnreadableLetter
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    Deadline,
    check_letter_file,
    display_name,
    is_supported,
    load_letter,
)
from ingest.models import ParsedLetter
from ingest.normalize import normalize_text
from ingest.parsing import parse_letter
from ingest.screening import check_is_letter
from ingest.serialization import letter_to_record
from ingest.settings import IngestSettings
from ingest.themes import ThemeTagger, load_taxonomy, themes_field
from vectorstore.embedder import Embedder
from vectorstore.errors import StoreError
from vectorstore.records import Metadata, StoredChunk, StoredLetter
from vectorstore.store import LetterStore

logger = logging.getLogger(__name__)

def _pipeline_version() -> str:
    """Hash of the code that turns a file into text, parse and chunks.

    Part of every letter id, so re-ingesting after the parser or chunker changed replaces letters
    parsed the old way (chunks whose text did not change keep their embeddings).
    """
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("loaders.py", "normalize.py", "parsing.py", "screening.py", "chunking.py",
                 "models.py", "serialization.py", "pipeline.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


PIPELINE_VERSION = _pipeline_version()

ADDED, REPLACED, UNCHANGED, FAILED = "added", "replaced", "unchanged", "failed"
_T = TypeVar("_T")


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
    that folder (odd bytes of a name escaped, see :func:`ingest.loaders.display_name`). Hidden
    files are skipped and links to folders are not followed (no loops). Links to files, broken or
    looping links, pipes and the like are listed, so that loading reports what is wrong with
    each; a missing path, an unreadable folder and a folder named like a letter file
    (``x.pdf/``) with no letter inside are reported as failures.
    """
    found: list[tuple[Path, str]] = []
    failed: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            _walk(path, path, found, failed)
        elif os.path.lexists(path):
            found.append((path, display_name(path)))
        else:
            failed.append(FileResult(source=display_name(path), path=_shown(path), status=FAILED,
                                     error=f"{_shown(path)}: no such file or folder; check the "
                                           "path"))
    return found, failed


def _shown(path: Path) -> str:
    """A path as it can be shown and stored (undecodable bytes escaped)."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _walk(root: Path, folder: Path, found: list[tuple[Path, str]],
          failed: list[FileResult]) -> None:
    rel = folder.relative_to(root)
    shown = "/".join(display_name(part) for part in rel.parts) or display_name(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: os.fsencode(entry.name))
    except OSError as exc:
        failed.append(FileResult(source=shown, path=_shown(folder), status=FAILED,
                                 error=f"{shown}: the folder cannot be read ({exc.strerror}); "
                                       "check its permissions"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        source = "/".join(display_name(part) for part in child.relative_to(root).parts)
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
            linked_folder = entry.is_symlink() and child.is_dir()
        except OSError:
            is_folder = linked_folder = False
        if linked_folder:
            logger.info("link to a folder not followed source=%s", source)
        elif is_folder:
            before = len(found)
            _walk(root, child, found, failed)
            if is_supported(child) and len(found) == before:
                failed.append(FileResult(
                    source=source, path=_shown(child), status=FAILED,
                    error=f"{source}: is a folder named like a letter file, with no letter "
                          "inside; give the letter file itself, or rename the folder"))
        else:
            found.append((child, source))


def document_id_for(source: str, text: str, model_name: str) -> str:
    """Content-hash id of a letter: same file content, source, pipeline and model -> same id."""
    key = f"{PIPELINE_VERSION}\0{model_name}\0{source}\0{text}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


@dataclass
class _Prepared:
    """A parsed, chunked letter waiting for its embeddings."""

    path: Path
    source: str
    document_id: str
    text: str
    letter: ParsedLetter
    chunks: list[Chunk]
    hashes: list[str]
    replaces: bool
    file_hash: str


@dataclass
class _Staged:
    """A group of files between preparation (parse, embed) and storage."""

    results: dict[str, FileResult] = field(default_factory=dict)
    prepared: list[_Prepared] = field(default_factory=list)
    vectors: dict[str, list[float]] = field(default_factory=dict)
    fresh: set[str] = field(default_factory=set)


class IngestPipeline:
    """Ingests letters into a :class:`LetterStore` using an :class:`Embedder`.

    Files are prepared (loaded, parsed, chunked) in groups of ``group_size`` letters whose new
    chunk texts are embedded in one call, so the model sees full, length-sorted batches.
    """

    def __init__(self, store: LetterStore, embedder: Embedder, group_size: int = 64,
                 settings: IngestSettings | None = None, tagger: ThemeTagger | None = None
                 ) -> None:
        self.store = store
        self.embedder = embedder
        self.group_size = group_size
        self.settings = settings or IngestSettings.model_construct()
        self.tagger = tagger or ThemeTagger(load_taxonomy(), embedder.embed_documents,
                                            embedder.model_name)

    def ingest(
        self, paths: Sequence[Path], on_file: Callable[[FileResult], None] | None = None
    ) -> IngestReport:
        """Ingest every file under ``paths``; ``on_file`` is called after each file (progress)."""
        started = time.perf_counter()
        files, report_missing = discover_files(paths)
        report = IngestReport(results=list(report_missing))
        self.store.collect_garbage()
        stored = {x.source: x for x in self.store.list_letters(include_text=False)}

        for first in range(0, len(files), self.group_size):
            group = files[first:first + self.group_size]
            for result in self._store_group(group, self._prepare_group(group, stored)):
                report.results.append(result)
                if on_file is not None:
                    on_file(result)
        report.seconds = time.perf_counter() - started
        logger.info("ingest finished counts=%s seconds=%.2f", report.counts(), report.seconds)
        return report

    def ingest_file(self, path: Path, source: str | None = None) -> FileResult:
        """Ingest one file; never raises for a bad file (the reason is in the result)."""
        source = source or path.name
        previous = self.store.find_letter_by_source(source)
        files = [(path, source)]
        staged = self._prepare_group(files, {source: previous} if previous else {})
        return self._store_group(files, staged)[0]

    def _prepare_group(self, files: list[tuple[Path, str]],
                       stored: dict[str, StoredLetter]) -> _Staged:
        """Load, parse and chunk a group of files, then embed their new chunk texts at once."""
        staged = _Staged()
        for path, source in files:
            step = partial(self._prepare, path, source, stored.get(source))
            outcome = _guarded(path, source, step)
            if isinstance(outcome, FileResult):
                staged.results[source] = outcome
            else:
                staged.prepared.append(outcome)
        staged.vectors, staged.fresh = self._embed_new(staged.prepared)
        return staged

    def _store_group(self, files: list[tuple[Path, str]], staged: _Staged) -> list[FileResult]:
        """Write the group's letters in one batch; if that fails, letter by letter."""
        records = [self._records(item, staged.vectors) for item in staged.prepared]
        try:
            self.store.replace_letters(records)
        except StoreError as exc:
            logger.warning("batch write failed, storing letters one by one error=%s", exc)
            for item, record in zip(staged.prepared, records, strict=True):
                stored = _guarded(item.path, item.source,
                                  partial(self.store.replace_letter, *record))
                if isinstance(stored, FileResult):
                    staged.results[item.source] = stored
        for item in staged.prepared:
            staged.results.setdefault(item.source, self._result(item, staged.fresh))
        return [staged.results[source] for _, source in files]

    def _prepare(self, path: Path, source: str,
                 previous: StoredLetter | None) -> _Prepared | FileResult:
        deadline = Deadline(self.settings.file_time_limit_s, source)
        check_letter_file(path, self.settings)  # name, kind and size before anything is read
        file_hash = _file_hash(path)
        if previous is not None and self._same_file(previous, file_hash):
            return _unchanged_result(path, source, previous)
        text = normalize_text(load_letter(path, self.settings, deadline))
        deadline.check("normalising the text")
        document_id = document_id_for(source, text, self.embedder.model_name)
        if previous is not None and previous.document_id == document_id:
            return _unchanged_result(path, source, previous)
        letter = parse_letter(text)
        deadline.check("parsing the letter")
        check_is_letter(letter, source)
        chunks = chunk_letter(letter, self.embedder.count_tokens, self.embedder.max_seq_length)
        deadline.check("chunking the letter")
        hashes = [content_hash(self.embedder.model_name, c.embed_text) for c in chunks]
        return _Prepared(path=path, source=source, document_id=document_id, text=text,
                         letter=letter, chunks=chunks, hashes=hashes,
                         replaces=previous is not None, file_hash=file_hash)

    def _same_file(self, previous: StoredLetter, file_hash: str) -> bool:
        """Same bytes, parsed by the same pipeline for the same model: nothing to do."""
        meta = previous.metadata
        return (meta.get("file_sha256") == file_hash
                and meta.get("pipeline_version") == PIPELINE_VERSION
                and meta.get("embedding_model") == self.embedder.model_name)

    def _embed_new(self, prepared: list[_Prepared]
                   ) -> tuple[dict[str, list[float]], set[str]]:
        """Embed every distinct chunk text of the group once, reusing what the store holds.

        Returns the vectors by content hash and the hashes embedded now.
        """
        texts: dict[str, str] = {}
        for item in prepared:
            for digest, chunk in zip(item.hashes, item.chunks, strict=True):
                texts.setdefault(digest, chunk.embed_text)
        if not texts:
            return {}, set()
        vectors = self.store.embeddings_for_hashes(sorted(texts))
        todo = [digest for digest in texts if digest not in vectors]
        if todo:
            encoded = self.embedder.embed_documents([texts[d] for d in todo])
            vectors.update(zip(todo, encoded, strict=True))
        return vectors, set(todo)

    def _records(self, item: _Prepared, vectors: dict[str, list[float]]
                 ) -> tuple[StoredLetter, list[StoredChunk], list[list[float]]]:
        """The store records of one prepared letter."""
        base = chunk_base_metadata(item.letter, item.document_id, item.source)
        themes = self._finding_themes(item, vectors)
        stored = []
        for index, (chunk, digest) in enumerate(zip(item.chunks, item.hashes, strict=True)):
            chunk_id = hashlib.sha256(f"{item.document_id}\0{index}\0{digest}".encode()
                                      ).hexdigest()[:32]
            meta: Metadata = {**base, "section": chunk.section, "char_start": chunk.char_start,
                              "char_end": chunk.char_end, "content_hash": digest,
                              "finding_index": chunk.finding_index, "chunk_index": index}
            if chunk.field is not None:  # a field passage; lexical search indexes its label too
                meta.update(field=chunk.field, label=chunk.label)
            found = themes.get((chunk.section, chunk.finding_index))
            if found is not None:  # a finding: its themes, one flag each for `where` queries
                ids, probs = found
                meta.update(themes=themes_field(ids), theme_probs=probs,
                            themes_version=self.tagger.version,
                            **{f"theme_{t}": True for t in ids})
            stored.append(StoredChunk(chunk_id=chunk_id, document_id=item.document_id,
                                      text=chunk.text, metadata=meta))
        metadata = {**letter_metadata(item.letter, item.source, len(item.chunks)),
                    "file_sha256": item.file_hash, "pipeline_version": PIPELINE_VERSION,
                    "embedding_model": self.embedder.model_name}
        if themes:
            metadata.update(themes_version=self.tagger.version, finding_themes=json.dumps(
                [[section, index, ids] for (section, index), (ids, _) in themes.items()]))
        letter = StoredLetter(document_id=item.document_id, source=item.source, text=item.text,
                              metadata=metadata)
        return letter, stored, [vectors[h] for h in item.hashes]

    def _finding_themes(self, item: _Prepared, vectors: dict[str, list[float]]
                        ) -> dict[tuple[str, int], tuple[list[str], str]]:
        """The themes of each finding of the letter (and their probabilities as metadata), read
        from the vectors its chunks were embedded with (a finding is embedded as its own words;
        a long finding's chunks are averaged): tagging embeds nothing more. A tagger that fails
        costs the tags, not the letter."""
        parts: dict[tuple[str, int], list[list[float]]] = {}
        words: dict[tuple[str, int], list[str]] = {}
        for chunk, digest in zip(item.chunks, item.hashes, strict=True):
            if chunk.finding_index >= 0 and chunk.field is None:
                key = (chunk.section, chunk.finding_index)
                parts.setdefault(key, []).append(vectors[digest])
                words.setdefault(key, []).append(chunk.embed_text)
        if not parts:
            return {}
        rows = [np.mean(np.asarray(v, dtype=np.float32), axis=0) for v in parts.values()]
        matrix = np.stack([r / max(float(np.linalg.norm(r)), 1e-9) for r in rows])
        try:
            probs = self.tagger.probabilities(matrix, [" ".join(words[k]) for k in parts])
        except Exception as exc:  # noqa: BLE001 - tagging is an extra; the letter still lands
            logger.warning("theme tagging failed source=%s error=%s", item.source, exc)
            return {}
        return {key: (ids, self.tagger.encode(row)) for key, ids, row in
                zip(parts, self.tagger.tags_of(probs), probs, strict=True)}

    def _result(self, item: _Prepared, fresh: set[str]) -> FileResult:
        embedded = len(set(item.hashes) & fresh)
        fresh -= set(item.hashes)  # a text shared by two letters is counted once
        return FileResult(source=item.source, path=str(item.path),
                          status=REPLACED if item.replaces else ADDED,
                          document_id=item.document_id, authority=item.letter.metadata.authority,
                          chunks=len(item.chunks), embedded=embedded)

    def delete(self, ref: str) -> StoredLetter | None:
        """Delete a letter by document id or source; returns the deleted letter or None."""
        letter = self.store.get_letter(ref) or self.store.find_letter_by_source(ref)
        if letter is None:
            return None
        self.store.delete_letter(letter.document_id)
        return letter


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise UnreadableLetter(f"{display_name(path)}: cannot be read ({exc.strerror}); check "
                               "the file and its permissions", path=path) from exc
    return digest.hexdigest()


def _unchanged_result(path: Path, source: str, previous: StoredLetter) -> FileResult:
    return FileResult(source=source, path=str(path), status=UNCHANGED,
                      document_id=previous.document_id,
                      authority=_str_or_none(previous.metadata.get("authority")),
                      chunks=int(previous.metadata.get("chunks", 0)))


def _guarded(path: Path, source: str, step: Callable[[], _T]) -> _T | FileResult:
    """Run one file's step; a bad file becomes a failed result, never an exception."""
    try:
        return step()
    except IngestError as exc:
        logger.warning("ingest failed source=%s reason=%s", source, exc)
        return FileResult(source=source, path=_shown(path), status=FAILED, error=str(exc))
    except Exception as exc:  # one broken letter never stops a run
        logger.exception("ingest crashed source=%s", source)
        return FileResult(source=source, path=_shown(path), status=FAILED,
                          error=f"{source}: unexpected error ({type(exc).__name__}: {exc}); "
                                "please report this letter")


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
    """The letter record's metadata: the parse as ``record_json`` (its one representation, read
    through :func:`ingest.serialization.letter_from_record`), plus the few scalar keys the store
    filters and sorts letters by (council, dates, year, source) and what only the store knows."""
    meta = letter.metadata
    base: dict[str, object] = {
        "source": source, "authority": meta.authority, "inspection_start": meta.inspection_start,
        "inspection_end": meta.inspection_end, "letter_date": meta.letter_date,
        "year": _year(letter), "chunks": n_chunks,
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
