"""The catalogue of stored letters: each letter's text and parse, queryable without vector search.

Built from the store's letters collection (so it works against a Chroma server shared by several
processes) and reloaded whenever the store's fingerprint changes.
"""

from __future__ import annotations

import logging
import threading
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
        self._fingerprint: str | None = None
        self._lock = threading.Lock()
        self.version = 0  # bumped on every reload; dependants rebuild when it changes

    def refresh(self, force: bool = False, fingerprint: str | None = None) -> bool:
        """Reload when the store changed; returns True when a reload happened."""
        fingerprint = fingerprint or self.store.fingerprint()
        if not force and fingerprint == self._fingerprint:
            return False
        with self._lock:
            letters: dict[str, CatalogLetter] = {}
            for stored in self.store.list_letters(include_text=True):
                try:
                    parsed = letter_from_record(stored.text, str(stored.metadata.get("record_json",
                                                                                   "{}")))
                except (ValueError, KeyError, TypeError) as exc:
                    logger.warning("unreadable letter record document_id=%s error=%s",
                                   stored.document_id, exc)
                    continue
                letters[stored.document_id] = CatalogLetter(
                    document_id=stored.document_id, source=stored.source, parsed=parsed,
                    metadata=dict(stored.metadata))
            self._letters = letters
            self._fingerprint = fingerprint
            self.version += 1
        logger.info("catalog reloaded letters=%d", len(letters))
        return True

    def get(self, document_id: str) -> CatalogLetter | None:
        return self._letters.get(document_id)

    def all(self) -> list[CatalogLetter]:
        """Every letter, oldest first."""
        return sorted(self._letters.values(), key=lambda x: (x.date, x.source))

    def __len__(self) -> int:
        return len(self._letters)

    def years(self) -> list[int]:
        return sorted({y for letter in self._letters.values() for y in letter.years})
