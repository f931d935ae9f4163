"""Comparisons: two (or more) councils' letters side by side, section by section, each cited."""

from __future__ import annotations

import logging
import re
from typing import Any

from assistant.catalog import CatalogLetter
from assistant.citations import Draft
from assistant.criteria import _I, _WHICH_FIRST, _WHICH_OF, Criteria
from assistant.evidence import (
    CrossLetterAnswerer,
    _clip,
    _count_words,
    _finding_passage,
    _inspected,
    _key,
    _quote_dict,
    _who,
)
from assistant.formatting import join_names
from assistant.gazetteer import place_of
from assistant.passages import Passage
from assistant.query import (
    COMPARE,
    LIST,
    Query,
)
from assistant.topics import (
    FindingRow,
)
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    PRIORITY_ACTION,
    STRENGTHS,
)

logger = logging.getLogger(__name__)


# Letters shown side by side at most in a comparison.
MAX_COMPARED = 4


class CompareAnswers:
    """The comparison answers of :class:`assistant.aggregate.AggregateAnswerer`."""

    # ---- comparisons ----------------------------------------------------------------------
    def _compare(self: CrossLetterAnswerer, query: Query, letters: list[CatalogLetter]
                 ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        if len(query.known_places) == 1:
            return self._timeline(query, letters)  # one council's letters: what changed
        chosen, notes = _compared_letters(query, self._council_letters(query, letters))
        if len(chosen) < 2:
            return None, COMPARE, []
        crit = self._criteria(query)
        if _WHICH_FIRST.search(query.read_text):
            return self._which_first(query, chosen)
        if _WHICH_OF.search(query.read_text) and (crit.section or crit.topic or crit.signatory):
            draft, _, listed = self._list(query, chosen, LIST)
            return draft, COMPARE, listed
        sections = ([crit.section] if crit.section else
                    list(crit.topic.sections()) if crit.topic and crit.topic.polarity else
                    [STRENGTHS, AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION])
        topic_rows = self._topic_rows(crit, chosen, sections)
        passages: list[Passage] = []
        names = [_who(x) for x in chosen]
        head = "Comparison of " + join_names([f"{_who(x)} ({x.dated()})" for x in chosen])
        if crit.topic is not None:
            head += f", on “{crit.topic.text}”"
        blocks = [head + ":"]
        summary = []
        items: list[dict[str, Any]] = []
        rows_of = {x.document_id: self._rows(x, sections, topic_rows) for x in chosen}
        for letter in chosen:
            counts = {s: len(rows_of[letter.document_id].get(s, [])) for s in sections}
            summary.append(f"{_who(letter)}: " + ", ".join(
                f"{_count_words(n, s)}" for s, n in counts.items()))
        blocks.append("In numbers — " + "; ".join(summary) + ".")
        shared: set[tuple[str, str, int]] = set()
        if len(chosen) == 2:
            a, b = chosen
            for s in sections:
                for ra in rows_of[a.document_id].get(s, []):
                    for rb in rows_of[b.document_id].get(s, []):
                        if self.index.same_finding(ra, rb):
                            shared.add(_key(ra))
                            shared.add(_key(rb))
        for s in sections:
            lines = [f"{s}:"]
            for letter, name in zip(chosen, names, strict=True):
                rows = rows_of[letter.document_id].get(s, [])
                if not rows:
                    section = letter.parsed.section(s)
                    if crit.topic is None and s == PRIORITY_ACTION:
                        passages.append(self._none_passage(letter, s, section))
                        lines.append(f"- {name}: none identified [{len(passages)}]")
                    else:
                        what = "on this topic" if crit.topic is not None else "in this section"
                        lines.append(f"- {name}: no finding {what}")
                    continue
                for row in rows:
                    passages.append(_finding_passage(letter, row))
                    tag = " (similar finding in both)" if _key(row) in shared else ""
                    lines.append(f"- {name}: “{_clip(row.finding.text)}”{tag} [{len(passages)}]")
            blocks.append("\n".join(lines))
        for letter in chosen:
            by_section = rows_of[letter.document_id]
            meta = letter.parsed.metadata
            items.append({
                "authority": letter.authority, "document_id": letter.document_id,
                "source": letter.source, "letter_date": meta.letter_date,
                "inspection_date": meta.inspection_start,
                "counts": {s: len(by_section.get(s, [])) for s in sections},
                "sections": {s: [{**_quote_dict(_finding_passage(letter, r)),
                                  "in_both": _key(r) in shared} for r in by_section.get(s, [])]
                             for s in sections}})
        text = "\n\n".join(blocks) + (f"\n\n{' '.join(notes)}" if notes else "")
        return Draft(text=text, passages=passages), COMPARE, items

    def _council_letters(self: CrossLetterAnswerer, query: Query, letters: list[CatalogLetter]
                         ) -> list[CatalogLetter]:
        """The letters of each council the question names: those of the asked years when the
        council has some, else all of its letters ("Leeds in 2009 or Bradford?" gives Bradford's
        letters of any year)."""
        pool = {x.document_id: x for x in letters}
        for letter in self.catalog.all():
            pool.setdefault(letter.document_id, letter)
        out: list[CatalogLetter] = []
        for place in query.known_places:
            own = [x for x in pool.values() if x.authority and place_of(x.authority) == place]
            in_years = [x for x in own if x.years & set(query.years)] if query.years else own
            out.extend(in_years or own)
        return sorted(out, key=lambda x: (x.date, x.source))

    def _which_first(self: CrossLetterAnswerer, query: Query, chosen: list[CatalogLetter]
                     ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """ "Which was inspected first, Leeds or Bradford?": the dates of each, cited."""
        latest = bool(re.search(r"\b(?:last|later|latest|most\s+recently|more\s+recently)\b",
                                query.read_text, _I))
        dated = [x for x in chosen if x.date]
        if len(dated) < 2:
            return None, COMPARE, []
        ordered = sorted(dated, key=lambda x: x.date, reverse=latest)
        pick = ordered[0]
        passages = [self._dates_passage(x) for x in ordered]
        lines = [f"- {_who(x)}: inspected {_inspected(x)} [{i}]"
                 for i, x in enumerate(ordered, 1)]
        verb = "most recently" if latest else "first"
        text = f"{_who(pick)} was inspected {verb}:\n" + "\n".join(lines)
        meta = pick.parsed.metadata
        item = {"authority": pick.authority, "document_id": pick.document_id,
                "source": pick.source, "letter_date": meta.letter_date,
                "inspection_date": meta.inspection_start, "quotes": [_quote_dict(passages[0])]}
        return Draft(text=text, passages=passages), COMPARE, [item]

    def _topic_rows(self: CrossLetterAnswerer, crit: Criteria, letters: list[CatalogLetter],
                    sections: list[str]
                    ) -> set[tuple[str, str, int]] | None:
        """Findings of ``letters`` that match the criteria's topic (None: no topic, keep all)."""
        if crit.topic is None:
            return None
        if crit.topic.reading is not None:
            return {_key(m.row) for m in self._theme_rows(crit, letters, sections)}
        matches = self.index.match(crit.topic, [x.document_id for x in letters], sections)
        return {_key(m.row) for m in matches if m.score >= self.threshold}

    @staticmethod
    def _rows(letter: CatalogLetter, sections: list[str],
              keep: set[tuple[str, str, int]] | None) -> dict[str, list[FindingRow]]:
        out: dict[str, list[FindingRow]] = {}
        for section in letter.parsed.sections:
            if section.name not in sections:
                continue
            for i, finding in enumerate(section.findings):
                row = FindingRow(letter.document_id, section.name, i, finding)
                if keep is None or _key(row) in keep:
                    out.setdefault(section.name, []).append(row)
        return out


def _compared_letters(query: Query, letters: list[CatalogLetter]
                      ) -> tuple[list[CatalogLetter], list[str]]:
    """One letter per named council (its letter in the asked years, else its latest/earliest);
    with a single council named, its letters (up to :data:`MAX_COMPARED`)."""
    notes: list[str] = []
    places = query.known_places
    if len(places) == 1:
        own = [x for x in letters if x.authority and place_of(x.authority) == places[0]]
        return sorted(own, key=lambda x: (x.date, x.source))[:MAX_COMPARED], notes
    chosen: list[CatalogLetter] = []
    for place in places[:MAX_COMPARED]:
        own = sorted((x for x in letters if x.authority and place_of(x.authority) == place),
                     key=lambda x: (x.date, x.source))
        if not own:
            continue
        pick = own[0] if query.prefer == "earliest" else own[-1]
        chosen.append(pick)
        if len(own) > 1:
            others = join_names([x.dated() for x in own if x is not pick])
            notes.append(f"({_who(pick)} has {len(own)} letters; compared: the {pick.dated()}; "
                         f"also held: the {others}.)")
    return chosen, notes
