"""The catalogue of stored letters: each letter's text and parse, queryable without vector search.

Built from the store's letters collection (so it works against a Chroma server shared by several
processes) and kept in step incrementally: each refresh compares the store's current letter
revisions with those loaded and fetches only the letters added or replaced since.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.formatting import human_date
from ingest.models import ParsedLetter
from ingest.serialization import letter_from_record
from vectorstore.store import LetterStore

logger = logging.getLogger(__name__)


@dataclass
class CatalogLetter:
    """One stored letter with its parse."""

    document_id: str
    source: str
    parsed: ParsedLetter
    metadata: dict[str, object] = field(default_factory=dict)
    revision: str = ""  # the store's revision of the record this was loaded from

    @property
    def text(self) -> str:
        return self.parsed.text

    @property
    def authority(self) -> str | None:
        return self.parsed.metadata.authority

    @property
    def date(self) -> str:
        """Sort key: inspection start, else letter date, else empty."""
        meta = self.parsed.metadata
        return meta.inspection_start or meta.letter_date or ""

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def inspection_years(self) -> set[int]:
        """Years in which the inspection took place (the letter's year if they are unknown)."""
        meta = self.parsed.metadata
        dates = [d for d in (meta.inspection_start, meta.inspection_end) if d]
        return {int(d[:4]) for d in dates} or self.years

    @property
    def years(self) -> set[int]:
        """Years the letter can be asked about: inspection years and the letter's year."""
        meta = self.parsed.metadata
        dates = [meta.inspection_start, meta.inspection_end, meta.letter_date]
        return {int(d[:4]) for d in dates if d}

    def people(self) -> list[str]:
        """The names the letter gives: signatory, addressee and the people copied in."""
        meta = self.parsed.metadata
        names = [meta.signatory_name or "", meta.addressee_name or ""]
        names += [entry.split(",")[0].strip() for entry in meta.copy_list]
        return [n for n in names if n]

    def dated(self) -> str:
        """``letter of 9 December 2009`` (or the inspection date, or the source file)."""
        meta = self.parsed.metadata
        if meta.letter_date:
            return f"letter of {human_date(meta.letter_date)}"
        if meta.inspection_start:
            return f"inspection of {human_date(meta.inspection_start)}"
        return f"letter {self.source}"

    def label(self) -> str:
        """Human label, e.g. "Portsmouth City Council, letter of 9 December 2009"."""
        who = self.authority or self.source
        when = self.parsed.metadata.letter_date or self.parsed.metadata.inspection_start
        return f"{who}, letter of {human_date(when)}" if when else who


class LetterCatalog:
    """All stored letters, kept in step with the store."""

    def __init__(self, store: LetterStore) -> None:
        self.store = store
        self._letters: dict[str, CatalogLetter] = {}
        self._revisions: dict[str, str] | None = None  # as loaded (unreadable records included)
        self._lock = threading.Lock()
        # Bumped on every change; dependants then update. Letters that did not change keep the
        # same CatalogLetter object, so dependants can tell what changed by identity.
        self.version = 0
        self._sorted: tuple[int, list[CatalogLetter]] | None = None  # all(), by version
        self._by_authority: tuple[int, dict[str, list[CatalogLetter]]] | None = None

    def refresh(self, force: bool = False, fingerprint: str | None = None,
                revisions: dict[str, str] | None = None) -> bool:
        """Load what changed in the store; returns True when anything did.

        Args:
            force: reload every letter.
            fingerprint: accepted for compatibility; the letter revisions decide.
            revisions: :meth:`LetterStore.letter_revisions`, when the caller already read it.
        """
        if revisions is None:
            revisions = self.store.letter_revisions()
        with self._lock:
            known = {} if force or self._revisions is None else self._revisions
            if not force and self._revisions is not None and revisions == known:
                return False
            changed = {d for d, r in revisions.items() if known.get(d) != r}
            letters = {d: x for d, x in self._letters.items()
                       if d in revisions and d not in changed}
            fetched = self.store.get_letters(changed)
            for stored in fetched:
                revision = revisions[stored.document_id]
                try:
                    parsed = letter_from_record(stored.text, str(stored.metadata.get("record_json",
                                                                                   "{}")))
                except (ValueError, KeyError, TypeError) as exc:
                    logger.warning("unreadable letter record document_id=%s error=%s",
                                   stored.document_id, exc)
                    continue
                letters[stored.document_id] = CatalogLetter(
                    document_id=stored.document_id, source=stored.source, parsed=parsed,
                    metadata=dict(stored.metadata), revision=revision)
            removed = len(self._letters.keys() - letters.keys())
            self._letters = letters
            # A letter that vanished between the two reads is looked for again next time.
            loaded = {x.document_id for x in fetched} | letters.keys()
            self._revisions = {d: r for d, r in revisions.items() if d in loaded}
            self.version += 1
        logger.info("catalog refreshed letters=%d loaded=%d removed=%d", len(letters),
                    len(changed), removed)
        return True

    def get(self, document_id: str) -> CatalogLetter | None:
        return self._letters.get(document_id)

    def all(self) -> list[CatalogLetter]:
        """Every letter, oldest first (a new list; sorted once per catalogue version)."""
        cached = self._sorted
        if cached is None or cached[0] != self.version:
            # the version first: a refresh swaps the dict, then counts up, so a snapshot taken
            # in between is filed under the old version and sorted again next time
            version = self.version
            letters = self._letters
            cached = (version, sorted(letters.values(), key=lambda x: (x.date, x.source)))
            self._sorted = cached
        return list(cached[1])

    def of_authorities(self, names: Iterable[str]) -> list[CatalogLetter]:
        """The letters to these authorities, oldest first (looked up, not scanned: one
        council's question costs the same at any collection size)."""
        index = self._by_authority
        if index is None or index[0] != self.version:
            version = self.version
            by: dict[str, list[CatalogLetter]] = {}
            for letter in self.all():
                if letter.authority:
                    by.setdefault(letter.authority, []).append(letter)
            index = self._by_authority = (version, by)
        wanted = set(names)
        if len(wanted) == 1:
            return list(index[1].get(next(iter(wanted)), []))
        return sorted((x for name in wanted for x in index[1].get(name, [])),
                      key=lambda x: (x.date, x.source))

    def __len__(self) -> int:
        return len(self._letters)

    def years(self) -> list[int]:
        return sorted({y for letter in self._letters.values() for y in letter.years})
