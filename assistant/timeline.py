"""Timelines: one council's letters in date order, with what changed between them, each cited."""

from __future__ import annotations

import logging
from typing import Any

from assistant.catalog import CatalogLetter
from assistant.citations import Draft
from assistant.criteria import _STILL, NEGATIVE, Criteria
from assistant.evidence import (
    CrossLetterAnswerer,
    _clip,
    _count_words,
    _finding_passage,
    _key,
    _quote_dict,
    _s,
    _section_words,
    _who,
)
from assistant.gazetteer import place_of
from assistant.passages import Passage
from assistant.query import (
    TIMELINE,
    Query,
)
from assistant.topics import (
    FindingRow,
)
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    FINDING_SECTIONS,
    PRIORITY_ACTION,
    SATISFACTORY,
    STRENGTHS,
)

logger = logging.getLogger(__name__)


# A later finding "follows" an earlier one (same matter) at or above this dense + overlap / 2.
FOLLOW_THRESHOLD = 0.6
FOLLOW_THEME_BONUS = 0.2


class TimelineAnswers:
    """The timeline answers of :class:`assistant.aggregate.AggregateAnswerer`."""

    # ---- timelines ------------------------------------------------------------------------
    def _timeline(self: CrossLetterAnswerer, query: Query, letters: list[CatalogLetter]
                  ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        crit = self._criteria(query)
        if not query.known_places:
            return self._trend(query, crit, [x for x in letters if crit.in_dates(x)])
        letters = self._council_letters(query, letters)
        if _STILL.search(query.read_text):
            result = self._still(query, crit, letters)
            if result[0] is not None:
                return result
        themed = crit.topic is not None and crit.topic.reading is not None
        sections = ([crit.section] if crit.section else
                    list(crit.topic.sections()) if crit.topic and crit.topic.polarity
                    and not themed else  # a theme over time: how it was judged each time
                    [PRIORITY_ACTION, AREAS_FOR_DEVELOPMENT, STRENGTHS, SATISFACTORY])
        passages: list[Passage] = []
        blocks: list[str] = []
        items: list[dict[str, Any]] = []
        for place in query.known_places:
            own = sorted((x for x in letters if x.authority and place_of(x.authority) == place),
                         key=lambda x: (x.date, x.source))
            if not own:
                continue
            keep = self._topic_rows(crit, own, sections)
            rows_of = {x.document_id: self._rows(x, sections, keep) for x in own}
            name = _who(own[0])
            lines = [f"{name}: {len(own)} letter{_s(len(own))} in date order"
                     + (f", on {crit.topic.reading.describe()}" if crit.topic and
                        crit.topic.reading else f", on “{crit.topic.text}”" if crit.topic else "")
                     + "."]
            records = []
            for letter in own:
                rows = rows_of[letter.document_id]
                counts = {s: len(rows.get(s, [])) for s in sections}
                dated = letter.dated()
                lines.append(f"- {dated[:1].upper() + dated[1:]}: " + ", ".join(
                    _count_words(n, s) for s, n in counts.items()) + ".")
                meta = letter.parsed.metadata
                records.append({"document_id": letter.document_id, "source": letter.source,
                                "letter_date": meta.letter_date,
                                "inspection_date": meta.inspection_start, "counts": counts,
                                "sections": {s: [_quote_dict(_finding_passage(letter, r))
                                                 for r in rows.get(s, [])] for s in sections}})
            changes: list[dict[str, Any]] = []
            if len(own) == 1:
                letter = own[0]
                lines.append(f"The collection holds only this letter for {name}, so there is "
                             "nothing to compare it with. Its findings:")
                for s in sections:
                    for row in rows_of[letter.document_id].get(s, []):
                        passages.append(_finding_passage(letter, row))
                        lines.append(f"- {s}: “{_clip(row.finding.text)}” [{len(passages)}]")
            for before, after in zip(own, own[1:], strict=False):
                lines.append(f"What changed from the {before.dated()} to the {after.dated()}:")
                for s in sections:
                    old = rows_of[before.document_id].get(s, [])
                    new = rows_of[after.document_id].get(s, [])
                    kept_old = {_key(a) for a in old for b in new if self.index.same_finding(a, b)}
                    kept_new = {_key(b) for b in new for a in old if self.index.same_finding(a, b)}
                    groups: list[tuple[str, CatalogLetter, list[FindingRow], str]] = [
                        ("no longer raised", before,
                         [r for r in old if _key(r) not in kept_old],
                         "No longer raised" if s in NEGATIVE else "No longer listed"),
                        ("new", after, [r for r in new if _key(r) not in kept_new], "New"),
                        ("raised again", after, [r for r in new if _key(r) in kept_new],
                         "Raised again" if s in NEGATIVE else "Listed again")]
                    for status, source_letter, changed, label in groups:
                        for row in changed:
                            passage = _finding_passage(source_letter, row)
                            passages.append(passage)
                            lines.append(f"- {label} ({_section_words(s, plural=False)}): "
                                         f"“{_clip(row.finding.text)}” [{len(passages)}]")
                            changes.append({"from": before.document_id, "to": after.document_id,
                                            "section": s, "change": status,
                                            **_quote_dict(passage)})
                if not any(c["from"] == before.document_id and c["to"] == after.document_id
                           for c in changes):
                    lines.append("- No findings in these sections, in either letter.")
            blocks.append("\n".join(lines))
            items.append({"authority": own[0].authority, "letters": records, "changes": changes})
        if not items:
            return None, TIMELINE, []
        return Draft(text="\n\n".join(blocks), passages=passages), TIMELINE, items

    def _still(self: CrossLetterAnswerer, query: Query, crit: Criteria, letters: list[CatalogLetter]
               ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """ "Was the priority action of 2009 still a concern in 2010?": each earlier finding of
        the asked section, followed into the next letter (by meaning) and judged by the section
        it appears in there: still a concern, now a strength, or not mentioned."""
        themed = crit.topic is not None and crit.topic.reading is not None and not crit.section
        section = crit.section or PRIORITY_ACTION
        passages: list[Passage] = []
        blocks: list[str] = []
        items: list[dict[str, Any]] = []
        verdicts: list[bool] = []
        for place in query.known_places:
            own = sorted((x for x in letters if x.authority and place_of(x.authority) == place),
                         key=lambda x: (x.date, x.source))
            for before, after in zip(own, own[1:], strict=False):
                if themed:  # "still short of social workers?": the theme's concerns, followed
                    old = [m.row for m in self._theme_rows(crit, [before], NEGATIVE)]
                    candidates = [m.row for m in self._theme_rows(crit, [after],
                                                                  FINDING_SECTIONS)]
                else:
                    old = self._rows(before, [section], None).get(section, [])
                    later = self._rows(after, list(FINDING_SECTIONS), None)
                    candidates = [r for rows in later.values() for r in rows]
                if not old:
                    continue
                for row in old:
                    follow = _themed_follow(candidates) if themed else \
                        self._follow(row, candidates)
                    passages.append(_finding_passage(before, row))
                    was = len(passages)
                    if follow is None:
                        verdicts.append(False)
                        line = (f"- “{_clip(row.finding.text)}” [{was}] ({before.dated()}) is not "
                                f"mentioned in the {after.dated()}.")
                        change = "not mentioned"
                    else:
                        passages.append(_finding_passage(after, follow))
                        concern = follow.section in (AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION)
                        verdicts.append(concern)
                        status = ("still a concern, now as an "
                                  f"{_section_words(follow.section, plural=False)}"
                                  if concern else f"now among the "
                                  f"{_section_words(follow.section)}")
                        line = (f"- “{_clip(row.finding.text)}” [{was}] ({before.dated()}) is "
                                f"{status} in the {after.dated()}: “{_clip(follow.finding.text)}” "
                                f"[{len(passages)}]")
                        change = "still a concern" if concern else "improved"
                    blocks.append(line)
                    items.append({"authority": before.authority, "from": before.document_id,
                                  "to": after.document_id, "section": section, "change": change,
                                  "earlier": _quote_dict(_finding_passage(before, row)),
                                  "later": None if follow is None else
                                  _quote_dict(_finding_passage(after, follow))})
        if not items:
            return None, TIMELINE, []
        head = ("Yes." if any(verdicts) else "No.") + (
            " " if len(verdicts) == 1 else " Finding by finding:\n")
        text = head + ("\n".join(blocks) if len(verdicts) > 1 else blocks[0].removeprefix("- "))
        return Draft(text=text, passages=passages), TIMELINE, items

    def _follow(self: CrossLetterAnswerer, row: FindingRow,
                candidates: list[FindingRow]) -> FindingRow | None:
        """The finding of a later letter on the same matter as ``row``, if any."""
        best: tuple[float, FindingRow] | None = None
        themes = set(self.index.themes_of(row))
        for cand in candidates:
            dense, overlap = self.index.similarity(row, cand)
            score = dense + 0.5 * overlap
            if themes & set(self.index.themes_of(cand)):
                score += FOLLOW_THEME_BONUS  # tagged with the same theme: the same matter
            if best is None or score > best[0]:
                best = (score, cand)
        if best is None or best[0] < FOLLOW_THRESHOLD:
            return None
        return best[1]

    def _trend(self: CrossLetterAnswerer, query: Query, crit: Criteria, letters: list[CatalogLetter]
               ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """No council named: how many letters qualified, year by year, with cited examples."""
        if crit.topic is None and crit.section is None:
            return None, TIMELINE, []
        crit_list = Criteria(section=crit.section, topic=crit.topic, negated=crit.negated,
                             comparator=crit.comparator, unit="letters")
        hits = (self._topic_hits(crit_list, letters) if crit.topic is not None else
                [h for h in (self._structural_hit(crit_list, x) for x in letters) if h])
        what = crit_list.describe()
        by_year: dict[int, list[CatalogLetter]] = {}
        for letter in letters:
            if letter.year:
                by_year.setdefault(letter.year, []).append(letter)
        hit_of = {h.letter.document_id: h for h in hits}
        passages: list[Passage] = []
        lines = [f"Letters {what}, year by year (by year of inspection):"]
        items = []
        for year in sorted(by_year):
            year_hits = [hit_of[x.document_id] for x in by_year[year] if x.document_id in hit_of]
            total = len(by_year[year])
            examples = []
            for hit in year_hits[:3]:
                passages.append(hit.passages[0])
                examples.append(f"{_who(hit.letter)} [{len(passages)}]")
            more = f" and {len(year_hits) - 3} more" if len(year_hits) > 3 else ""
            lines.append(f"- {year}: {len(year_hits)} of {total} letter{_s(total)}"
                         + (f" ({', '.join(examples)}{more})" if examples else ""))
            items.append({"year": year, "letters": total, "matches": len(year_hits),
                          "matching": [self._item([h], crit_list) for h in year_hits]})
        return Draft(text="\n".join(lines), passages=passages), TIMELINE, items


def _themed_follow(candidates: list[FindingRow]) -> FindingRow | None:
    """The later letter's finding on the theme: a concern when there is one, else the first."""
    return next((r for r in candidates if r.section in NEGATIVE), None) or \
        (candidates[0] if candidates else None)
