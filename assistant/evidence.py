"""What the cross-letter answers share: a qualifying letter with its evidence, the passages
quoting a finding, and the wording of their lines."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from assistant.catalog import CatalogLetter
from assistant.formatting import human_date
from assistant.gazetteer import place_of
from assistant.passages import Passage
from assistant.topics import FindingRow
from ingest.models import AREAS_FOR_DEVELOPMENT, INTRODUCTION, PRIORITY_ACTION, STRENGTHS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from assistant.catalog import LetterCatalog
    from assistant.citations import Draft
    from assistant.criteria import Criteria
    from assistant.query import Query
    from assistant.topics import FindingIndex, TopicMatch
    from ingest.models import Section

logger = logging.getLogger(__name__)

# ---- results --------------------------------------------------------------------------------

@dataclass
class _Hit:
    """A letter that qualifies, with the passages that show it (best first)."""

    letter: CatalogLetter
    passages: list[Passage]
    note: str = ""  # e.g. "no finding on this topic among its 14 findings"
    score: float | None = None


def _inspection_days(letter: CatalogLetter) -> int | None:
    """How many days the inspection lasted (from its first and last dates)."""
    import datetime as dt

    meta = letter.parsed.metadata
    if not meta.inspection_start:
        return None
    try:
        start = dt.date.fromisoformat(meta.inspection_start)
        end = dt.date.fromisoformat(meta.inspection_end or meta.inspection_start)
    except ValueError:
        return None
    return (end - start).days + 1


def _n_findings(letter: CatalogLetter, name: str) -> int:
    section = letter.parsed.section(name)
    return len(section.findings) if section else 0


def _compare(n: int, op: str, k: int) -> bool:
    return {">": n > k, ">=": n >= k, "<": n < k, "==": n == k, "!=": n != k}[op]


def _same_person(asked: str, name: str | None) -> bool:
    """Whether the name asked about is this signatory ("Ellison", "Margaret Ellison")."""
    if not name:
        return False
    want = re.findall(r"[a-z]+", asked.lower())
    have = set(re.findall(r"[a-z]+", name.lower()))
    if want and all(w in have for w in want):
        return True
    from rapidfuzz import fuzz

    return fuzz.token_sort_ratio(asked.lower(), name.lower()) >= 88


def _group(hits: list[_Hit], by_council: bool) -> list[list[_Hit]]:
    """Hits as lines: one per letter, or one per council (letters in date order)."""
    if not by_council:
        return [[h] for h in hits]
    groups: dict[str, list[_Hit]] = {}
    for hit in hits:
        key = place_of(hit.letter.authority) if hit.letter.authority else hit.letter.document_id
        groups.setdefault(key, []).append(hit)
    return list(groups.values())


def _finding_passage(letter: CatalogLetter, row: FindingRow, score: float = 0.0) -> Passage:
    return Passage.of(letter, row.section, row.finding.char_start, row.finding.char_end,
                      score=score)


def _quote_dict(passage: Passage) -> dict[str, Any]:
    return {"section": passage.section, "quote": passage.text,
            "char_start": passage.char_start, "char_end": passage.char_end}


def _key(row: FindingRow) -> tuple[str, str, int]:
    return (row.document_id, row.section, row.index)


def _section_at(letter: CatalogLetter, offset: int) -> str:
    for section in letter.parsed.sections:
        if section.char_start <= offset < section.char_end:
            return section.name
    return INTRODUCTION


def _who(letter: CatalogLetter) -> str:
    return letter.authority or letter.source


def _inspected(letter: CatalogLetter) -> str:
    from assistant.formatting import human_date_range

    meta = letter.parsed.metadata
    return human_date_range(meta.inspection_start, meta.inspection_end) if meta.inspection_start \
        else f"(letter of {human_date(meta.letter_date)})"


def _count_words(n: int, section: str) -> str:
    if n == 0:
        return f"no {_section_words(section, plural=False)}"
    word = "one" if n == 1 else str(n)
    return f"{word} {_section_words(section, plural=n != 1)}"


def _clip(text: str, limit: int = 240) -> str:
    """The quote as shown inline (the citation carries it whole)."""
    text = " ".join(text.split()).rstrip(".;, ")
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(",;: ") + "…"


def _s(n: int) -> str:
    return "" if n == 1 else "s"




def _section_words(section: str, plural: bool = True) -> str:
    if section == PRIORITY_ACTION:
        return "areas for priority action" if plural else "area for priority action"
    if section == AREAS_FOR_DEVELOPMENT:
        return "areas for development" if plural else "area for development"
    if section == STRENGTHS:
        return "strengths" if plural else "strength"
    return "satisfactory findings" if plural else "satisfactory finding"


class CrossLetterAnswerer(Protocol):
    """What the comparison and timeline answers use of
    :class:`assistant.aggregate.AggregateAnswerer` (their ``self``), so each concept lives in a
    module of its own and is still type-checked against the whole."""

    catalog: LetterCatalog
    index: FindingIndex
    threshold: float

    def _council_letters(self, query: Query,
                         letters: list[CatalogLetter]) -> list[CatalogLetter]: ...
    def _criteria(self, query: Query) -> Criteria: ...
    def _dates_passage(self, letter: CatalogLetter) -> Passage: ...
    def _list(self, query: Query, letters: list[CatalogLetter], kind: str) -> tuple[Draft | None,
              str, list[dict[str, Any]]]: ...
    def _none_passage(self, letter: CatalogLetter, name: str,
                      section: Section | None) -> Passage: ...
    @staticmethod
    def _rows(letter: CatalogLetter, sections: list[str], keep: set[tuple[str, str,
              int]] | None) -> dict[str, list[FindingRow]]: ...
    def _theme_rows(self, crit: Criteria, letters: list[CatalogLetter],
                    sections: Sequence[str]) -> list[TopicMatch]: ...
    def _timeline(self, query: Query, letters: list[CatalogLetter]) -> tuple[Draft | None, str,
                  list[dict[str, Any]]]: ...
    def _topic_rows(self, crit: Criteria, letters: list[CatalogLetter],
                    sections: list[str]) -> set[tuple[str, str, int]] | None: ...
    def _which_first(self, query: Query, chosen: list[CatalogLetter]) -> tuple[Draft | None, str,
                     list[dict[str, Any]]]: ...
    def _follow(self, row: FindingRow, candidates: list[FindingRow]) -> FindingRow | None: ...
    def _item(self, group: list[_Hit], crit: Criteria) -> dict[str, Any]: ...
    def _still(self, query: Query, crit: Criteria,
               letters: list[CatalogLetter]) -> tuple[Draft | None, str, list[dict[str, Any]]]: ...
    def _structural_hit(self, crit: Criteria, letter: CatalogLetter) -> _Hit | None: ...
    def _topic_hits(self, crit: Criteria, searched: list[CatalogLetter]) -> list[_Hit]: ...
    def _trend(self, query: Query, crit: Criteria,
               letters: list[CatalogLetter]) -> tuple[Draft | None, str, list[dict[str, Any]]]: ...
