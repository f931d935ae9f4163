"""The Chroma store: whole letters and their embedded chunks.

Two collections per prefix hold all state, so several processes can share one Chroma server:

* ``{prefix}_chunks`` — one record per chunk: its embedding (cosine space), its verbatim text and
  flat metadata (``document_id``, ``source``, ``section``, ``char_start``, ``char_end``,
  ``content_hash``, ...).
* ``{prefix}_letters`` — one record per letter, keyed by ``document_id``: the canonical text as
  the document, flat metadata, and a fixed unit vector (Chroma needs an embedding per record).

Chroma's default embedding function is never used: collections are opened with
``embedding_function=None`` and every write and query passes vectors explicitly.

Crash safety. Chroma has no transactions, so :meth:`LetterStore.replace_letter` writes in an order
that keeps readers consistent at every step: (1) upsert the new chunks, tagged with the new
letter's *revision* (a hash of everything written); (2) upsert the letter record, which makes
the new revision current, then delete older records of the same source; (3) delete the chunks of
the old revision. Readers accept a chunk only when its ``document_id`` and revision match a
current letter record, and when two records share a source (a crash inside step 2) only the most
recently written one is current. A crash at any point therefore shows either the old letter or
the new one, never a mix; the leftovers are invisible and :meth:`LetterStore.collect_garbage`
removes them. Concurrent replacement of the *same* source from two processes is not supported.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError

from vectorstore.errors import StoreError, StoreUnavailable
from vectorstore.records import Metadata, ScoredChunk, StoredChunk, StoredLetter
from vectorstore.settings import StoreSettings

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

CHUNKS_SUFFIX = "_chunks"
LETTERS_SUFFIX = "_letters"

RESERVED_PREFIX = "store_"
"""Metadata keys starting with this are the store's own and are stripped on read."""
_REVISION = "store_revision"
_WRITTEN_NS = "store_written_ns"
_SOURCE = "store_source"
_DIMENSION = "reportqa_dimension"

_PAGE_SIZE = 1000
_IN_BATCH = 500
_GENERATION_ID = "store_generation"  # the marker record in the letters collection
_GENERATION = "store_generation"  # its metadata key: a fresh token on every visible change
_HASH_PAGE = 2000  # rows per page when looking up stored vectors by content hash
_NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$")
_CHUNK_REQUIRED = ("document_id", "source", "char_start", "char_end")


def _chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False)


def _parse_url(url: str) -> tuple[str, int, bool]:
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreError(
            f"Chroma URL {url!r} is not of the form http://HOST:PORT; fix REPORTQA_CHROMA_URL"
        )
    if parsed.path not in ("", "/") or parsed.query or parsed.fragment:
        raise StoreError(
            f"Chroma URL {url!r} has a path; give only scheme, host and port in REPORTQA_CHROMA_URL"
        )
    try:
        port = parsed.port
    except ValueError as e:
        raise StoreError(f"Chroma URL {url!r} has a bad port; fix REPORTQA_CHROMA_URL") from e
    ssl = parsed.scheme == "https"
    return parsed.hostname, port or (443 if ssl else 8000), ssl


def make_client(settings: StoreSettings) -> ClientAPI:
    """Open the Chroma client the settings ask for, with telemetry off.

    ``HttpClient`` when ``settings.chroma_url`` is set (checked with a heartbeat), otherwise a
    ``PersistentClient`` in ``settings.data_dir`` (created if missing).

    Raises:
        StoreUnavailable: if the server does not answer or the data folder cannot be used.
        StoreError: if the URL is malformed.
    """
    if settings.chroma_url:
        url = settings.chroma_url
        host, port, ssl = _parse_url(url)
        try:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=_chroma_settings())
            client.heartbeat()
        except Exception as e:  # chromadb raises ValueError, httpx errors, ...
            raise StoreUnavailable(
                f"cannot reach the Chroma server at {url} ({e}); start one with "
                f"`chroma run --path DIR --host {host} --port {port}` or unset "
                "REPORTQA_CHROMA_URL to use the embedded store in REPORTQA_DATA_DIR"
            ) from e
        logger.info("chroma client mode=server url=%s", url)
        return client
    data_dir = settings.data_dir.expanduser()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(data_dir), settings=_chroma_settings())
    except Exception as e:
        raise StoreUnavailable(
            f"cannot open the embedded Chroma store in {data_dir} ({e}); set "
            "REPORTQA_DATA_DIR to a writable folder"
        ) from e
    logger.info("chroma client mode=embedded path=%s", data_dir)
    return client


def _translate_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn Chroma and transport failures into this package's errors."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except StoreError:
            raise
        except (ConnectionError, TimeoutError, OSError) as e:
            raise StoreUnavailable(
                f"the Chroma store failed during {func.__name__} ({e}); check that the Chroma "
                "server (REPORTQA_CHROMA_URL) is running or the data folder is readable"
            ) from e
        except (ChromaError, ValueError) as e:
            raise StoreError(f"Chroma rejected {func.__name__}: {e}") from e
        except Exception as e:
            if type(e).__module__.startswith(("httpx", "httpcore")):
                raise StoreUnavailable(
                    f"the Chroma server did not answer during {func.__name__} ({e}); check that "
                    "it is running at REPORTQA_CHROMA_URL"
                ) from e
            raise

    return wrapper


@dataclass(frozen=True)
class _LetterRef:
    """The bookkeeping part of a letter record."""

    document_id: str
    source: str
    revision: str
    written_ns: int

    @property
    def order(self) -> tuple[int, str]:
        return (self.written_ns, self.document_id)


def _ref_from(record_id: str, metadata: Any) -> _LetterRef | None:
    md = metadata or {}
    source, revision, written = md.get(_SOURCE), md.get(_REVISION), md.get(_WRITTEN_NS)
    if not isinstance(source, str) or not isinstance(revision, str):
        return None
    return _LetterRef(record_id, source, revision, int(written) if written is not None else 0)


def _current_by_source(refs: Iterable[_LetterRef]) -> dict[str, _LetterRef]:
    """Keep, for every source, the most recently written record."""
    best: dict[str, _LetterRef] = {}
    for ref in refs:
        known = best.get(ref.source)
        if known is None or ref.order > known.order:
            best[ref.source] = ref
    return best


def fingerprint_of(revisions: dict[str, str]) -> str:
    """:meth:`LetterStore.fingerprint` of a :meth:`LetterStore.letter_revisions` map."""
    refs = sorted(f"{d}:{r}" for d, r in revisions.items())
    return hashlib.sha256("\n".join(refs).encode("utf-8")).hexdigest()[:32]


def _public_metadata(metadata: Any) -> Metadata:
    return {k: v for k, v in (metadata or {}).items() if not k.startswith(RESERVED_PREFIX)}


def _check_metadata(metadata: Metadata, what: str) -> None:
    for key, value in metadata.items():
        if not isinstance(key, str) or not key:
            raise StoreError(f"{what} has a metadata key {key!r}; keys must be non-empty strings")
        if key.startswith(RESERVED_PREFIX):
            raise StoreError(
                f"{what} uses metadata key {key!r}; keys starting with {RESERVED_PREFIX!r} "
                "are reserved for the store, rename it"
            )
        if not isinstance(value, str | int | float | bool):
            raise StoreError(
                f"{what} has metadata {key!r} of type {type(value).__name__}; Chroma takes only "
                "str, int, float or bool (store structures as JSON strings)"
            )


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _and(*clauses: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [c for c in clauses if c]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}


def letter_revision(letter: StoredLetter, chunks: Sequence[StoredChunk]) -> str:
    """Hash of everything :meth:`LetterStore.replace_letter` writes, except the embeddings."""
    payload = {
        "document_id": letter.document_id,
        "source": letter.source,
        "text": letter.text,
        "metadata": sorted(letter.metadata.items()),
        "chunks": sorted(
            [c.chunk_id, c.text, sorted((k, repr(v)) for k, v in c.metadata.items())]
            for c in chunks
        ),
    }
    encoded = json.dumps(payload, ensure_ascii=False, default=repr).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:32]


class LetterStore:
    """Letters and their chunks in two Chroma collections (see the module docstring).

    Args:
        client: A Chroma client from :func:`make_client` (embedded or server).
        dimension: Length of the chunk embeddings (``embedder.dimension``).
        prefix: Collection name prefix; several stores can share one server with different ones.
        orphan_grace_s: Garbage collection leaves orphan chunks younger than this alone, since
            they may belong to a replacement another process is writing right now.

    Raises:
        StoreError: if the prefix makes an invalid collection name, or existing collections hold
            vectors of another dimension or another distance.
    """

    def __init__(
        self,
        client: ClientAPI,
        dimension: int,
        prefix: str = "reportqa",
        orphan_grace_s: float = 60.0,
    ) -> None:
        if dimension < 1:
            raise StoreError(f"embedding dimension {dimension} must be positive")
        self.client = client
        self.dimension = dimension
        self.prefix = prefix
        self.orphan_grace_s = orphan_grace_s
        self.chunks_name = f"{prefix}{CHUNKS_SUFFIX}"
        self.letters_name = f"{prefix}{LETTERS_SUFFIX}"
        for name in (self.chunks_name, self.letters_name):
            if not _NAME_RE.match(name) or len(name) > 512:
                raise StoreError(
                    f"collection prefix {prefix!r} gives the invalid Chroma name {name!r}; use "
                    "letters, digits, '.', '_' or '-', starting with a letter or digit "
                    "(REPORTQA_COLLECTION_PREFIX)"
                )
        self._unit = [1.0] + [0.0] * (dimension - 1)
        self._max_batch = self._open_max_batch()
        # Typed Any: Chroma's TypedDict signatures reject plain dicts and lists of floats; the
        # store validates what it writes itself.
        self._chunks: Any
        self._letters: Any
        self._chunks, self._letters = self._open_collections()

    def __repr__(self) -> str:
        return f"LetterStore(prefix={self.prefix!r}, dimension={self.dimension})"

    # ------------------------------------------------------------------ collections

    @_translate_errors
    def _open_max_batch(self) -> int:
        return max(1, int(self.client.get_max_batch_size()))

    @_translate_errors
    def _open_collections(self) -> tuple[Collection, Collection]:
        chunks = self._open(self.chunks_name, "chunks")
        letters = self._open(self.letters_name, "letters")
        return chunks, letters

    def _open(self, name: str, kind: str) -> Collection:
        collection = self.client.get_or_create_collection(
            name=name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={_DIMENSION: self.dimension, "reportqa_kind": kind},
            embedding_function=None,
        )
        stored = (collection.metadata or {}).get(_DIMENSION)
        if stored is not None and int(stored) != self.dimension:
            raise StoreError(
                f"collection {name!r} holds {stored}-dimension vectors but the embedder gives "
                f"{self.dimension}; use another REPORTQA_COLLECTION_PREFIX or re-ingest into an "
                "empty store"
            )
        space = ((collection.configuration_json or {}).get("hnsw") or {}).get("space")
        if kind == "chunks" and space not in (None, "cosine"):
            raise StoreError(
                f"collection {name!r} uses {space!r} distance, not cosine; use another "
                "REPORTQA_COLLECTION_PREFIX or delete that collection"
            )
        return collection

    @_translate_errors
    def reset(self) -> None:
        """Delete both collections and recreate them empty (tests, ``reportqa`` admin)."""
        for name in (self.chunks_name, self.letters_name):
            with contextlib.suppress(NotFoundError, ValueError):
                self.client.delete_collection(name)
        self._chunks, self._letters = self._open_collections()
        logger.info("store reset prefix=%s", self.prefix)

    # ------------------------------------------------------------------ low-level reads

    def _get_all(
        self,
        collection: Any,
        *,
        where: dict[str, Any] | None = None,
        include: list[str],
    ) -> Iterator[tuple[str, str | None, dict[str, Any] | None, Any]]:
        """Yield ``(id, document, metadata, embedding)`` for every matching record, page by page."""
        offset = 0
        while True:
            page = collection.get(where=where, include=include, limit=_PAGE_SIZE, offset=offset)
            ids = page["ids"]
            documents = page.get("documents")
            metadatas = page.get("metadatas")
            embeddings = page.get("embeddings")
            for i, record_id in enumerate(ids):
                yield (
                    record_id,
                    documents[i] if documents is not None else None,
                    metadatas[i] if metadatas is not None else None,
                    embeddings[i] if embeddings is not None else None,
                )
            if len(ids) < _PAGE_SIZE:
                return
            offset += _PAGE_SIZE

    def _all_refs(self) -> list[_LetterRef]:
        refs = []
        for record_id, _, metadata, _ in self._get_all(self._letters, include=["metadatas"]):
            ref = _ref_from(record_id, metadata)
            if ref is not None:
                refs.append(ref)
        return refs

    def _refs_where(self, where: dict[str, Any]) -> list[_LetterRef]:
        page = self._letters.get(where=where, include=["metadatas"])
        metadatas = page.get("metadatas") or []
        refs = [_ref_from(i, m) for i, m in zip(page["ids"], metadatas, strict=True)]
        return [r for r in refs if r is not None]

    def _current_refs(self) -> dict[str, _LetterRef]:
        """Current letters by document id."""
        return {r.document_id: r for r in _current_by_source(self._all_refs()).values()}

    def _current_among(self, document_ids: Iterable[str]) -> dict[str, _LetterRef]:
        """Which of ``document_ids`` are current letters (two small reads at any store size)."""
        ids = sorted(set(document_ids))
        if not ids:
            return {}
        refs: list[_LetterRef] = []
        for batch in _batches(ids, _IN_BATCH):
            page = self._letters.get(ids=list(batch), include=["metadatas"])
            for record_id, metadata in zip(page["ids"], page.get("metadatas") or [], strict=True):
                ref = _ref_from(record_id, metadata)
                if ref is not None:
                    refs.append(ref)
        sources = sorted({r.source for r in refs})
        rivals: list[_LetterRef] = []
        for batch in _batches(sources, _IN_BATCH):
            rivals.extend(self._refs_where({_SOURCE: {"$in": list(batch)}}))
        current = _current_by_source([*refs, *rivals])
        return {r.document_id: r for r in current.values() if r.document_id in set(ids)}

    def _letter_from(self, record_id: str, text: str | None, metadata: Any) -> StoredLetter:
        md = metadata or {}
        return StoredLetter(
            document_id=record_id,
            source=str(md.get(_SOURCE, "")),
            text=text or "",
            metadata=_public_metadata(md),
        )

    @staticmethod
    def _chunk_from(record_id: str, text: str | None, metadata: Any) -> StoredChunk:
        md = metadata or {}
        return StoredChunk(
            chunk_id=record_id,
            document_id=str(md.get("document_id", "")),
            text=text or "",
            metadata=_public_metadata(md),
        )

    @staticmethod
    def _chunk_is_current(metadata: Any, current: dict[str, _LetterRef]) -> bool:
        md = metadata or {}
        ref = current.get(str(md.get("document_id", "")))
        return ref is not None and md.get(_REVISION) == ref.revision

    # ------------------------------------------------------------------ letters

    @_translate_errors
    def get_letter(self, document_id: str) -> StoredLetter | None:
        """Return the current letter with this id, or ``None``."""
        page = self._letters.get(ids=[document_id], include=["documents", "metadatas"])
        if not page["ids"]:
            return None
        if document_id not in self._current_among([document_id]):
            return None
        documents = page.get("documents") or [None]
        metadatas = page.get("metadatas") or [None]
        return self._letter_from(page["ids"][0], documents[0], metadatas[0])

    @_translate_errors
    def find_letter_by_source(self, source: str) -> StoredLetter | None:
        """Return the current letter ingested from ``source`` (a file name), or ``None``."""
        page = self._letters.get(where={_SOURCE: source}, include=["documents", "metadatas"])
        records = list(
            zip(page["ids"], page.get("documents") or [], page.get("metadatas") or [], strict=True)
        )
        refs = [_ref_from(i, m) for i, _, m in records]
        current = _current_by_source(r for r in refs if r is not None).get(source)
        if current is None:
            return None
        for record_id, text, metadata in records:
            if record_id == current.document_id:
                return self._letter_from(record_id, text, metadata)
        return None

    @_translate_errors
    def list_letters(self, include_text: bool = True) -> list[StoredLetter]:
        """Return every current letter, sorted by source.

        Args:
            include_text: ``False`` skips the letter texts (``text`` is then ``""``); faster for
                listings.
        """
        include = ["documents", "metadatas"] if include_text else ["metadatas"]
        records = list(self._get_all(self._letters, include=include))
        refs = [_ref_from(i, m) for i, _, m, _ in records]
        current = {
            r.document_id for r in _current_by_source(r for r in refs if r is not None).values()
        }
        letters = [self._letter_from(i, d, m) for i, d, m, _ in records if i in current]
        return sorted(letters, key=lambda letter: (letter.source, letter.document_id))

    @_translate_errors
    def letter_ids(self) -> set[str]:
        """Return the ids of the current letters."""
        return set(self._current_refs())

    @_translate_errors
    def letter_revisions(self) -> dict[str, str]:
        """The current letters: document id -> revision (a hash of everything written for it).

        One scan of the letters' metadata. Dependants (catalogue, lexical index) compare two of
        these maps to learn which letters were added, replaced or deleted, and load only those.
        """
        return {d: r.revision for d, r in self._current_refs().items()}

    @_translate_errors
    def generation(self) -> str:
        """A cheap token (two small reads at any store size) that changes whenever the current
        letters may have changed: a write that adds, replaces or deletes a letter changes it,
        from this process or another one on the same Chroma server.

        It holds the number of letter records and a marker rewritten with every letter-record
        upsert (in the same write). Deletes alone lower the count; any sequence of changes with
        an upsert in it changes the marker. Dependants read it often and scan
        :meth:`letter_revisions` (slow at 10,000 letters) only when it differs.
        """
        page = self._letters.get(ids=[_GENERATION_ID], include=["metadatas"])
        metadatas = page.get("metadatas") or [None]
        token = (metadatas[0] or {}).get(_GENERATION, "") if page["ids"] else ""
        return f"{self._letters.count()}:{token}"

    @staticmethod
    def _generation_marker() -> dict[str, Any]:
        return {_GENERATION: f"{time.time_ns()}-{uuid.uuid4().hex[:12]}"}

    @_translate_errors
    def fingerprint(self) -> str:
        """A short value that changes whenever a letter is added, replaced or deleted.

        Other processes compare it to know when to rebuild what they derive from the store (a
        lexical index). It covers chunk texts and metadata, not only the letter ids.
        """
        return fingerprint_of(self.letter_revisions())

    @_translate_errors
    def get_letters(self, document_ids: Iterable[str]) -> list[StoredLetter]:
        """The letter records with these ids (texts included), in id order; absent ids skipped.

        Unlike :meth:`list_letters` this does not check which records are current: callers
        pass ids from :meth:`letter_revisions`.
        """
        ids = sorted(set(document_ids))
        letters: list[StoredLetter] = []
        for batch in _batches(ids, _IN_BATCH):
            page = self._letters.get(ids=list(batch), include=["documents", "metadatas"])
            letters.extend(
                self._letter_from(i, d, m)
                for i, d, m in zip(page["ids"], page.get("documents") or [],
                                   page.get("metadatas") or [], strict=True))
        return sorted(letters, key=lambda letter: letter.document_id)

    # ------------------------------------------------------------------ writes

    def _prepare_chunks(
        self,
        letter: StoredLetter,
        chunks: Sequence[StoredChunk],
        embeddings: Sequence[Sequence[float]],
    ) -> list[Metadata]:
        if not letter.document_id or not letter.source:
            raise StoreError(
                f"letter {letter.document_id!r} from {letter.source!r} needs both a document_id "
                "and a source"
            )
        _check_metadata(letter.metadata, f"letter {letter.source}")
        if len(chunks) != len(embeddings):
            raise StoreError(
                f"letter {letter.source}: {len(chunks)} chunks but {len(embeddings)} embeddings; "
                "pass one embedding per chunk"
            )
        seen: set[str] = set()
        metadatas: list[Metadata] = []
        for chunk, vector in zip(chunks, embeddings, strict=True):
            what = f"chunk {chunk.chunk_id} of {letter.source}"
            if chunk.chunk_id in seen:
                raise StoreError(f"{what} appears twice; chunk ids must be unique")
            seen.add(chunk.chunk_id)
            if len(vector) != self.dimension:
                raise StoreError(
                    f"{what} has a {len(vector)}-dimension embedding; the store holds "
                    f"{self.dimension}-dimension vectors"
                )
            _check_metadata(chunk.metadata, what)
            md: Metadata = dict(chunk.metadata)
            md.setdefault("document_id", chunk.document_id)
            md.setdefault("source", letter.source)
            missing = [k for k in _CHUNK_REQUIRED if k not in md]
            if missing:
                raise StoreError(f"{what} lacks metadata {', '.join(missing)}")
            if chunk.document_id != letter.document_id or md["document_id"] != letter.document_id:
                raise StoreError(
                    f"{what} belongs to letter {chunk.document_id!r}, not "
                    f"{letter.document_id!r}; replace one letter at a time"
                )
            if md["source"] != letter.source:
                raise StoreError(f"{what} names source {md['source']!r}, not {letter.source!r}")
            try:
                start, end = int(md["char_start"]), int(md["char_end"])
            except (TypeError, ValueError) as e:
                raise StoreError(f"{what} has non-integer char_start/char_end") from e
            if letter.text[start:end] != chunk.text or not 0 <= start <= end <= len(letter.text):
                raise StoreError(
                    f"{what}: its text is not the letter text [{start}:{end}]; chunks must be "
                    "verbatim slices of the stored letter"
                )
            metadatas.append(md)
        return metadatas

    def replace_letter(
        self,
        letter: StoredLetter,
        chunks: list[StoredChunk],
        embeddings: list[list[float]],
    ) -> StoredLetter | None:
        """Store ``letter`` and its chunks, replacing whatever letter has the same source.

        Crash-safe (see the module docstring): readers see the old letter until the new record
        is written, then only the new one. Re-storing an identical letter changes nothing
        visible (same revision, same fingerprint).

        Args:
            letter: The letter; its ``source`` identifies what it replaces.
            chunks: Its chunks, verbatim slices of ``letter.text``.
            embeddings: One vector per chunk, in order.

        Returns:
            The letter that was replaced (same source, else same document id), or ``None``.

        Raises:
            StoreError: if the input is inconsistent (nothing is written then).
        """
        return self.replace_letters([(letter, chunks, embeddings)])[0]

    @_translate_errors
    def replace_letters(
        self,
        items: Sequence[tuple[StoredLetter, list[StoredChunk], list[list[float]]]],
    ) -> list[StoredLetter | None]:
        """:meth:`replace_letter` for several letters (distinct sources) in few round trips.

        The write order is the same for the whole batch: every new chunk, then every letter
        record, then the old chunks; so a crash shows each letter either old or new.

        Returns:
            For each item, the letter it replaced or ``None``.
        """
        sources = [letter.source for letter, _, _ in items]
        if len(set(sources)) != len(sources):
            raise StoreError("replace_letters got the same source twice in one batch; store "
                             "the versions one after the other")
        plans = []
        for letter, chunks, embeddings in items:  # check everything before writing anything
            metadatas = self._prepare_chunks(letter, chunks, embeddings)
            plans.append((letter, chunks, embeddings, metadatas, letter_revision(letter, chunks)))
        ids = [letter.document_id for letter, *_ in plans]
        existing_ids = set(self._letters.get(ids=ids, include=[])["ids"]) if ids else set()
        replaced_list: list[StoredLetter | None] = []
        stale_records: list[str] = []
        old_chunk_owners: list[tuple[str, str]] = []  # (document_id, revision to keep)
        for letter, _, _, _, revision in plans:
            self._collect_garbage_for_source(letter.source)
            old_refs = self._refs_where({_SOURCE: letter.source})
            replaced = self._replaced_by(letter, old_refs)
            replaced_list.append(replaced)
            stale = [r.document_id for r in old_refs if r.document_id != letter.document_id]
            stale_records.extend(stale)
            existed = [letter.document_id] if letter.document_id in existing_ids else []
            old_chunk_owners.extend((d, revision) for d in {*stale, *existed})

        now = time.time_ns()
        # Step 1: the new chunks, invisible until the letter records name their revisions.
        rows = [(chunk, embedding, {**metadata, _REVISION: revision, _WRITTEN_NS: now})
                for _, chunks, embeddings, metadatas, revision in plans
                for chunk, embedding, metadata in zip(chunks, embeddings, metadatas, strict=True)]
        for batch in _batches(rows, self._max_batch):
            self._chunks.upsert(
                ids=[chunk.chunk_id for chunk, _, _ in batch],
                embeddings=[list(map(float, embedding)) for _, embedding, _ in batch],
                documents=[chunk.text for chunk, _, _ in batch],
                metadatas=[metadata for _, _, metadata in batch],
            )
        # Step 2: the letter records; from here on readers see the new letters only. The
        # generation marker changes in the same write, so a reader's cheap check sees it.
        for batch in _batches(plans, max(1, self._max_batch - 1)):
            self._letters.upsert(
                ids=[*(letter.document_id for letter, *_ in batch), _GENERATION_ID],
                embeddings=[self._unit for _ in range(len(batch) + 1)],
                documents=[*(letter.text for letter, *_ in batch), ""],
                metadatas=[
                    *({**letter.metadata, _SOURCE: letter.source, _REVISION: revision,
                       _WRITTEN_NS: time.time_ns()}
                      for letter, _, _, _, revision in batch),
                    self._generation_marker(),
                ],
            )
        if stale_records:
            self._letters.delete(ids=stale_records)
        # Step 3: the old chunks.
        for document_id, revision in old_chunk_owners:
            self._chunks.delete(
                where={"$and": [{"document_id": document_id}, {_REVISION: {"$ne": revision}}]}
            )
        for (letter, chunks, *_), replaced in zip(plans, replaced_list, strict=True):
            logger.info(
                "letter stored document_id=%s source=%s chunks=%d replaced=%s",
                letter.document_id,
                letter.source,
                len(chunks),
                replaced.document_id if replaced else None,
            )
        return replaced_list

    def _replaced_by(self, letter: StoredLetter, old_refs: list[_LetterRef]
                     ) -> StoredLetter | None:
        """The letter that storing ``letter`` replaces: same source, else same document id."""
        if _current_by_source(old_refs).get(letter.source) is not None:
            return self.find_letter_by_source(letter.source)
        same_id = self._letters.get(ids=[letter.document_id], include=["documents", "metadatas"])
        if not same_id["ids"]:
            return None
        replaced = self._letter_from(
            same_id["ids"][0],
            (same_id.get("documents") or [None])[0],
            (same_id.get("metadatas") or [None])[0],
        )
        logger.warning(
            "letter stored again under another source document_id=%s old_source=%s "
            "new_source=%s",
            letter.document_id,
            replaced.source,
            letter.source,
        )
        return replaced

    @_translate_errors
    def delete_letter(self, document_id: str) -> bool:
        """Delete a letter record and its chunks; returns whether the letter existed."""
        existed = bool(self._letters.get(ids=[document_id], include=[])["ids"])
        if existed:
            self._letters.delete(ids=[document_id])  # lowers the count: a new generation()
        # The record goes first: once it is gone its chunks are invisible even if we stop here.
        self._chunks.delete(where={"document_id": document_id})
        logger.info("letter deleted document_id=%s existed=%s", document_id, existed)
        return existed

    def _orphan_cutoff(self, min_age_s: float | None) -> int:
        grace = self.orphan_grace_s if min_age_s is None else min_age_s
        return time.time_ns() - int(grace * 1e9)

    def _collect_garbage_for_source(self, source: str, min_age_s: float | None = None) -> int:
        refs = self._refs_where({_SOURCE: source})
        current = _current_by_source(refs).get(source)
        superseded = [r.document_id for r in refs if current is not None and r != current]
        if superseded:
            self._letters.delete(ids=superseded)
        cutoff = self._orphan_cutoff(min_age_s)
        current_map = {current.document_id: current} if current else {}
        orphans = [
            record_id
            for record_id, _, metadata, _ in self._get_all(
                self._chunks, where={"source": source}, include=["metadatas"]
            )
            if not self._chunk_is_current(metadata, current_map)
            and int((metadata or {}).get(_WRITTEN_NS, 0)) <= cutoff
        ]
        for batch in _batches(orphans, self._max_batch):
            self._chunks.delete(ids=list(batch))
        if orphans or superseded:
            logger.info(
                "garbage collected source=%s chunks=%d records=%d",
                source,
                len(orphans),
                len(superseded),
            )
        return len(orphans)

    @_translate_errors
    def collect_garbage(self, min_age_s: float | None = None) -> int:
        """Delete chunks of no current letter and superseded letter records.

        Such leftovers come from an interrupted :meth:`replace_letter` or :meth:`delete_letter`;
        readers never see them. Orphan chunks younger than ``min_age_s`` (default
        ``orphan_grace_s``) are kept, as another process may be writing them right now.

        Returns:
            The number of chunks deleted.
        """
        refs = self._all_refs()
        current = {r.document_id: r for r in _current_by_source(refs).values()}
        superseded = [r.document_id for r in refs if r.document_id not in current]
        for batch in _batches(superseded, self._max_batch):
            self._letters.delete(ids=list(batch))
        cutoff = self._orphan_cutoff(min_age_s)
        orphans = [
            record_id
            for record_id, _, metadata, _ in self._get_all(self._chunks, include=["metadatas"])
            if not self._chunk_is_current(metadata, current)
            and int((metadata or {}).get(_WRITTEN_NS, 0)) <= cutoff
        ]
        for batch in _batches(orphans, self._max_batch):
            self._chunks.delete(ids=list(batch))
        logger.info(
            "garbage collected chunks=%d records=%d prefix=%s",
            len(orphans),
            len(superseded),
            self.prefix,
        )
        return len(orphans)

    # ------------------------------------------------------------------ chunks

    @_translate_errors
    def chunk_embeddings(self, chunk_ids: Iterable[str]) -> dict[str, list[float]]:
        """Return the stored embeddings of these chunk records, by chunk id (a read by id: its
        cost does not grow with the store). Unknown ids are absent from the result."""
        wanted = sorted(set(chunk_ids))
        found: dict[str, list[float]] = {}
        for batch in _batches(wanted, _IN_BATCH):
            page = self._chunks.get(ids=list(batch), include=["embeddings"])
            embeddings = page.get("embeddings")
            if embeddings is None:
                continue
            for record_id, vector in zip(page["ids"], embeddings, strict=True):
                found[record_id] = [float(x) for x in vector]
        return found

    @_translate_errors
    def embeddings_for_hashes(self, content_hashes: list[str]) -> dict[str, list[float]]:
        """Return stored embeddings by chunk ``content_hash``, so no text is embedded twice.

        Hashes with no stored chunk are absent from the result.
        """
        wanted = sorted({h for h in content_hashes if h})
        found: dict[str, list[float]] = {}
        for batch in _batches(wanted, _IN_BATCH):
            # One row per hash is enough, but a boilerplate chunk ("Yours sincerely") may be
            # stored thousands of times: unbounded, one batch matched more rows than SQLite
            # takes variables (10,000 generated letters). Rows come a page at a time, and the
            # hashes already found leave the next page's filter.
            remaining = list(batch)
            while remaining:
                page = self._chunks.get(
                    where={"content_hash": {"$in": remaining}},
                    include=["embeddings", "metadatas"], limit=_HASH_PAGE,
                )
                embeddings = page.get("embeddings")
                metadatas = page.get("metadatas") or []
                if embeddings is None or not len(metadatas):
                    break
                for metadata, vector in zip(metadatas, embeddings, strict=True):
                    content_hash = (metadata or {}).get("content_hash")
                    if isinstance(content_hash, str) and content_hash not in found:
                        found[content_hash] = [float(x) for x in vector]
                if len(metadatas) < _HASH_PAGE:
                    break
                remaining = [h for h in remaining if h not in found]
        return found

    @_translate_errors
    def search(
        self, query_embedding: list[float], k: int, where: dict[str, Any] | None = None
    ) -> list[ScoredChunk]:
        """Return the ``k`` chunks of current letters nearest to ``query_embedding``.

        Args:
            query_embedding: A normalised query vector of the store's dimension.
            k: How many chunks to return at most.
            where: A Chroma metadata filter on chunk metadata, e.g.
                ``{"section": "Strengths"}`` or ``{"document_id": {"$in": [...]}}``.

        Returns:
            Chunks best first, ``score`` = 1 - cosine distance.
        """
        if k <= 0:
            return []
        if len(query_embedding) != self.dimension:
            raise StoreError(
                f"query embedding has {len(query_embedding)} dimensions; the store holds "
                f"{self.dimension}-dimension vectors"
            )
        vector = [float(x) for x in query_embedding]
        n = k + 8
        while True:
            result = self._chunks.query(
                query_embeddings=[vector],
                n_results=n,
                where=where or None,
                include=["documents", "metadatas", "distances"],
            )
            ids = result["ids"][0]
            documents = (result.get("documents") or [[]])[0]
            metadatas = (result.get("metadatas") or [[]])[0]
            distances = (result.get("distances") or [[]])[0]
            current = self._current_among(str((m or {}).get("document_id", "")) for m in metadatas)
            hits = [
                ScoredChunk(self._chunk_from(i, d, m), 1.0 - float(dist))
                for i, d, m, dist in zip(ids, documents, metadatas, distances, strict=True)
                if self._chunk_is_current(m, current)
            ]
            if len(hits) >= k or len(ids) < n:
                return hits[:k]
            n *= 2  # chunks of replaced letters took places: look further

    @_translate_errors
    def get_chunks(
        self,
        where: dict[str, Any] | None = None,
        document_ids: Iterable[str] | None = None,
        revisions: dict[str, str] | None = None,
    ) -> list[StoredChunk]:
        """Return the chunks of current letters, sorted by letter and position.

        Args:
            where: A Chroma metadata filter on chunk metadata.
            document_ids: Only these letters (``None``: all).
            revisions: The current letters as :meth:`letter_revisions` gave them, to skip
                scanning the letters collection again; only chunks of these revisions are
                returned.
        """
        if revisions is None:
            current = self._current_refs()
        else:
            current = {d: _LetterRef(d, "", r, 0) for d, r in revisions.items()}
        if document_ids is None:
            filters: list[dict[str, Any] | None] = [where or None]
        else:
            ids = sorted(set(document_ids) & set(current))
            if not ids:
                return []
            filters = [
                _and(where, {"document_id": {"$in": list(batch)}})
                for batch in _batches(ids, _IN_BATCH)
            ]
        chunks = [
            self._chunk_from(record_id, text, metadata)
            for clause in filters
            for record_id, text, metadata, _ in self._get_all(
                self._chunks, where=clause, include=["documents", "metadatas"]
            )
            if self._chunk_is_current(metadata, current)
        ]
        return sorted(chunks, key=lambda c: (c.document_id, c.char_start, c.char_end, c.chunk_id))

    @_translate_errors
    def count_chunks(self) -> int:
        """Number of chunk records, including any not yet garbage-collected."""
        return self._chunks.count()
