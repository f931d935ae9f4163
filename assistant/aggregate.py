"""Cross-letter questions: lists, counts, comparisons and timelines, each item cited.

Top-k retrieval under-counts these by design (a top-8 search cannot list 30 councils), so this path
scans every candidate letter's structured record in the catalogue instead: the sections and
findings parsed at ingest, with their spans into the stored text. Topics are matched against
findings by meaning and words (:mod:`assistant.topics`).

* list: one line per letter (or council) with its date and a verbatim, cited quote of the finding
  that qualifies it; long lists are complete in ``items`` and summarised in the text.
* count: the number, the criteria it was counted under, and the cited list behind it.
* compare: two (or more) councils' letters side by side, section by section.
* timeline: one council's letters in date order, with what changed between them.

"No letters match" is an answer, not an abstention: it says what was searched.

The concepts live in modules of their own: what the question asks for (:mod:`assistant.criteria`,
read once per answer), lists and counts (here), comparisons (:mod:`assistant.compare`),
timelines (:mod:`assistant.timeline`), and what they share: qualifying letters, finding passages
and the wording of lines (:mod:`assistant.evidence`).
"""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.catalog import CatalogLetter, LetterCatalog
from assistant.citations import Draft
from assistant.compare import CompareAnswers
from assistant.criteria import (
    _FIELD_OF_INTENT,
    _I,
    _NONE_SENTENCE,
    Criteria,
    criteria_of,
)
from assistant.evidence import (
    _clip,
    _compare,
    _finding_passage,
    _group,
    _Hit,
    _key,
    _n_findings,
    _quote_dict,
    _s,
    _same_person,
    _section_at,
    _section_words,
    _who,
)
from assistant.formatting import human_date, join_names
from assistant.gazetteer import place_of
from assistant.passages import Passage, sentence_spans
from assistant.query import (
    COMPARE,
    COUNT,
    LIST,
    TIMELINE,
    Query,
)
from assistant.timeline import TimelineAnswers
from assistant.topics import (
    MATCH_THRESHOLD,
    THEME_LIST_PROBABILITY,
    FindingIndex,
    StoreVectors,
    TopicMatch,
    VectorSource,
)
from assistant.understanding.themes import ThemeReader, term_pattern
from ingest.models import (
    FINDING_SECTIONS,
    Section,
)
from vectorstore.embedder import Embedder

if TYPE_CHECKING:
    from ingest.themes import ThemeTagger

logger = logging.getLogger(__name__)

# Lines written out in the text of a list before it says "and N more" (items stay complete).
MAX_LINES = 25
# A finding the tagger did not tag with the asked theme still qualifies when it matches the topic's
# words and the tagger gives the theme at least this share of its likeliest theme's probability
# (calibrated on the themes dev split).
THEME_SUPPORT = 0.5
# A finding holding the term the question named the theme by qualifies at this probability.
THEME_WORDS_PROBABILITY = 0.1
# Quotes shown per letter in a list line (the items hold them all).
MAX_QUOTES = 3


class AggregateAnswerer(CompareAnswers, TimelineAnswers):
    """Answers list / count / compare / timeline questions over the catalogue.

    Args:
        catalog: the letters with their parses.
        embedder: embeds topics (and findings the store holds no vector for).
        vectors: where finding vectors come from (default: the store's chunk embeddings).
        threshold: score at which a finding matches a topic (default: the calibrated value).
    """

    def __init__(self, catalog: LetterCatalog, embedder: Embedder,
                 vectors: VectorSource | None = None, threshold: float | None = None,
                 tagger: ThemeTagger | None = None) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self.threshold = MATCH_THRESHOLD if threshold is None else threshold
        source = vectors if vectors is not None else StoreVectors(catalog.store, embedder)
        self.tagger = tagger
        self.index = FindingIndex(source, embedder.embed_query, tagger)
        self.theme_reader = ThemeReader(tagger.taxonomy, tagger, embedder.embed_query) \
            if tagger is not None else None
        # The last question's criteria: each answer reads its question once, though a comparison
        # may fall back to a list or a timeline (each path then gets its own copy to narrow).
        self._read: tuple[Query, Criteria] | None = None

    def answer(self, query: Query, letters: list[CatalogLetter]
               ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """A draft (text with [n] markers), the kind, and the complete structured items."""
        self.index.sync(self.catalog.all(), self.catalog.version)
        kind = query.aggregate or LIST
        if kind == COMPARE:
            return self._compare(query, letters)
        if kind == TIMELINE:
            return self._timeline(query, letters)
        return self._list(query, letters, kind)

    def _criteria(self, query: Query) -> Criteria:
        """The question's criteria, its topic read as the taxonomy's theme(s) where one fits.

        Read once per question (:func:`assistant.criteria.criteria_of` and the theme reading);
        every call returns a copy, which the caller may narrow.
        """
        read = self._read
        if read is None or read[0] is not query:
            crit = criteria_of(query)
            if crit.topic is not None and self.theme_reader is not None:
                crit.topic.reading = self.theme_reader.read(crit.topic.text)
                aside = self.theme_reader.read(crit.set_aside) if crit.set_aside else None
                if aside is not None and crit.topic.reading is not None:
                    crit.aside_themes = tuple(t for t in aside.ids
                                              if t not in crit.topic.reading.ids)
            read = self._read = (query, crit)
        return copy.deepcopy(read[1])

    def _theme_rows(self, crit: Criteria, letters: list[CatalogLetter],
                    sections: Sequence[str]) -> list[TopicMatch]:
        """Findings of ``letters`` in ``sections`` about the topic's theme(s), best first."""
        assert crit.topic is not None and crit.topic.reading is not None
        reading = crit.topic.reading
        by_id = [x.document_id for x in letters]
        matches = self.index.theme_match(reading.ids, by_id, sections)
        if len(reading.ids) > 1 and not reading.any_of:
            # "vacancies in the child protection teams": every theme named must show, by its
            # tag or in the words the question used for it
            named = dict(zip(reading.ids, (term_pattern(t) for t in reading.matched),
                             strict=False))
            matches = [m for m in matches if all(
                self.index.theme_probability(m.row, [t], relative=False)
                >= THEME_LIST_PROBABILITY or bool(t in named and named[t].search(
                    m.row.finding.text)) for t in reading.ids)]
        tagged = {_key(m.row) for m in matches}
        # only findings the tagger gave the theme some weight can join below: score just those
        rows = self.index.candidate_rows(by_id, sections)
        weighted = (self.index.theme_probabilities(reading.ids, rows) >= THEME_SUPPORT) | (
            self.index.theme_probabilities(reading.ids, rows, relative=False)
            >= THEME_WORDS_PROBABILITY)
        similar = [m for m in self.index.match(crit.topic, rows=rows[weighted])
                   if _key(m.row) not in tagged]
        # findings that match the words asked and that the tagger half-saw as the theme ...
        supported = [m for m in similar if m.score >= self.threshold
                     and self.index.theme_probability(m.row, reading.ids) >= THEME_SUPPORT]
        # ... and findings in the very words the question used for the theme ("vacancies"),
        # which the tagger reads as mostly about a neighbour ("... so cases remain unallocated")
        said = [term_pattern(t) for t in reading.matched]
        taken = {_key(m.row) for m in supported}
        worded = [m for m in similar if _key(m.row) not in taken
                  and any(rx.search(m.row.finding.text) for rx in said)
                  and self.index.theme_probability(m.row, reading.ids, relative=False)
                  >= THEME_WORDS_PROBABILITY]
        found = matches + supported + worded
        if crit.aside_themes:  # "leaving aside the police notifications": mostly about those
            found = [m for m in found
                     if (self.index.themes_of(m.row) or [""])[0] not in crit.aside_themes]
        return found

    def themes(self) -> list[dict[str, Any]]:
        """Every theme of the taxonomy with how many findings and letters hold it, per section
        (``reportqa themes``, ``GET /themes``)."""
        if self.tagger is None:
            return []
        self.index.sync(self.catalog.all(), self.catalog.version)
        rows = self.index.rows
        mask = self.index.theme_mask
        out: list[dict[str, Any]] = []
        for j, theme in enumerate(self.tagger.taxonomy.themes):
            tagged = [rows[i] for i in np.flatnonzero(mask[:, j])] if mask.size else []
            by_section: dict[str, dict[str, int]] = {}
            for name in FINDING_SECTIONS:
                here = [r for r in tagged if r.section == name]
                by_section[name] = {"findings": len(here),
                                    "letters": len({r.document_id for r in here})}
            out.append({**theme.as_dict(), "findings": len(tagged),
                        "letters": len({r.document_id for r in tagged}), "sections": by_section})
        return out

    def finding_themes(self, document_id: str) -> dict[tuple[str, int], list[str]]:
        """The theme ids of each finding of one stored letter, by (section, index)."""
        self.index.sync(self.catalog.all(), self.catalog.version)
        return {(r.section, r.index): self.index.themes_of(r)
                for r in self.index.rows_of(document_id)}

    # ---- lists and counts -----------------------------------------------------------------
    def select(self, query: Query, letters: list[CatalogLetter]
               ) -> tuple[Criteria, list[CatalogLetter], list[_Hit]]:
        """The criteria, the letters searched and the letters that qualify (with evidence)."""
        crit = self._criteria(query)
        searched = [x for x in letters if crit.in_dates(x)]
        if crit.twice or crit.once:  # councils with more than one letter (or just one) in all
            per_place = Counter(place_of(x.authority) for x in self.catalog.all() if x.authority)
            searched = [x for x in searched if x.authority
                        and (per_place[place_of(x.authority)] > 1) == crit.twice]
        if crit.structure is not None:
            name, op, k = crit.structure
            searched = [x for x in searched if _compare(_n_findings(x, name), op, k)]
        if crit.signatory and crit.signatory[:1].islower():
            # "of the two team's letters": nobody who signs letters; else the name as signed
            names = [x.parsed.metadata.signatory_name for x in self.catalog.all()]
            crit.signatory = next((name for name in names
                                   if name and _same_person(crit.signatory, name)), None)
        if crit.signatory:
            signed = [x for x in searched
                      if _same_person(crit.signatory, x.parsed.metadata.signatory_name)]
            if crit.topic is None and crit.section is None:
                return crit, searched, [_Hit(x, [self._field_passage(x, "signatory")])
                                        for x in signed]
            searched = signed
        if crit.topic is None and crit.section is None and (crit.twice or crit.once or crit.days
                                                            or crit.month):
            return crit, searched, [_Hit(x, [self._dates_passage(x)]) for x in searched]
        field = _FIELD_OF_INTENT.get(query.intent or "")
        if field and crit.section is None:
            # "Who signed the 2010 letters?": each letter with the line that states it.
            crit.topic = None
            return crit, searched, [_Hit(x, [self._field_passage(x, field)]) for x in searched]
        if crit.topic is not None:
            hits = self._topic_hits(crit, searched)
        else:
            hits = [h for h in (self._structural_hit(crit, x) for x in searched) if h is not None]
        return crit, searched, hits

    def _list(self, query: Query, letters: list[CatalogLetter], kind: str
              ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        crit, searched, hits = self.select(query, letters)
        if kind == COUNT and crit.count_findings and not crit.negated and not crit.comparator \
                and crit.topic is None and searched:
            return self._count_findings(crit, searched)
        what = crit.describe()
        read_as = self._read_as(crit)
        scope = f"the {len(searched)} letter{_s(len(searched))}" + (f" {crit._when()}"
                                                                       if crit._when() else "")
        if not hits:
            wanted = crit.describe(with_dates=False)
            none = "0 letters match" if kind == COUNT else "No letters match"
            text = (f"{none}. I searched {scope} in the collection for letters "
                    f"{wanted or 'of any kind'}, and none qualifies.{read_as}")
            return Draft(text=text, passages=[]), kind, [
                {"matches": 0, "searched": len(searched), "criteria": what}]
        groups = _group(hits, by_council=crit.unit == "councils")
        passages: list[Passage] = []
        lines: list[str] = []
        for group in groups[:MAX_LINES]:
            lines.append(self._line(group, passages))
        more = len(groups) - MAX_LINES
        n = len(groups)
        noun = ("council" if crit.unit == "councils" else "letter") + _s(n)
        if kind == COUNT:
            head = (f"{n} {noun} match{'es' if n == 1 else ''}"
                    f"{f' ({what})' if what else ''}; {len(searched)} letter"
                    f"{_s(len(searched))} searched:")
        else:
            head = (f"{n} {noun} match{'es' if n == 1 else ''}"
                    f"{f' ({what})' if what else ''}, out of {len(searched)} letter"
                    f"{_s(len(searched))} searched:")
        text = head + "\n" + "\n".join(lines) + (f"\n{read_as.strip()}" if read_as else "")
        if more > 0:
            text += f"\n…and {more} more (the complete list is in the answer's items)."
        items = [self._item(group, crit) for group in groups]
        return Draft(text=text, passages=passages), kind, items

    def _read_as(self, crit: Criteria) -> str:
        """Why these findings: the theme(s) the topic was read as, or that none covers it."""
        topic = crit.topic
        if topic is None or topic.empty or self.theme_reader is None:
            return ""
        if topic.reading is None:
            return (f" No theme of the taxonomy covers “{topic.text}”, so I matched findings "
                    "by similarity of wording.")
        return f" I read “{topic.text}” as the theme {topic.reading.describe()}."

    def _line(self, group: list[_Hit], passages: list[Passage]) -> str:
        first = group[0]
        who = first.letter.authority or first.letter.source
        dates = join_names([human_date(h.letter.parsed.metadata.letter_date or h.letter.date)
                            for h in group])
        quotes = []
        for hit in group:
            shown = []
            for passage in hit.passages[:MAX_QUOTES]:
                passages.append(passage)
                shown.append(f"“{_clip(passage.text)}” [{len(passages)}]")
            if not shown:
                continue
            more = len(hit.passages) - MAX_QUOTES
            quote = "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")
            quotes.append(f"{hit.note}: {quote}" if hit.note else quote)
        letters = "letters" if len(group) > 1 else "letter"
        return f"- {who} ({letters} of {dates}): " + "; ".join(quotes)

    def _item(self, group: list[_Hit], crit: Criteria) -> dict[str, Any]:
        records = []
        for hit in group:
            meta = hit.letter.parsed.metadata
            records.append({
                "document_id": hit.letter.document_id, "source": hit.letter.source,
                "authority": hit.letter.authority, "letter_date": meta.letter_date,
                "inspection_date": meta.inspection_start,
                "score": None if hit.score is None else round(hit.score, 4),
                "note": hit.note or None,
                "quotes": [_quote_dict(p) for p in hit.passages]})
        item = dict(records[0])
        if len(records) > 1:
            item["letters"] = records
        item["unit"] = crit.unit  # "councils": the item is a council, however many letters
        return item

    def _count_findings(self, crit: Criteria, searched: list[CatalogLetter]
                        ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """ "How many areas for development did Leeds have?": the findings, counted and cited."""
        assert crit.section is not None
        sections = crit.sections()
        passages: list[Passage] = []
        items: list[dict[str, Any]] = []
        lines: list[str] = []
        for letter in searched:
            for section in letter.parsed.sections:
                if section.name not in sections:
                    continue
                for finding in section.findings:
                    passage = Passage.of(letter, section.name, finding.char_start,
                                         finding.char_end)
                    passages.append(passage)
                    prefix = f"{_who(letter)}: " if len(searched) > 1 else ""
                    lines.append(f"- {prefix}“{_clip(passage.text)}” [{len(passages)}]")
                    meta = letter.parsed.metadata
                    items.append({"authority": letter.authority, "document_id": letter.document_id,
                                  "source": letter.source, "letter_date": meta.letter_date,
                                  "inspection_date": meta.inspection_start,
                                  **_quote_dict(passage)})
        n = len(items)
        what = join_names([_section_words(s, plural=n != 1) for s in sections])
        where = (f"the {searched[0].dated()} to {_who(searched[0])}" if len(searched) == 1
                 else f"the {len(searched)} letters searched ({crit._when() or 'all years'})")
        if n == 0:
            none = [self._none_passage(x, crit.section, x.parsed.section(crit.section))
                    for x in searched[:MAX_LINES]]
            cited = " ".join(f"[{i}]" for i in range(1, len(none) + 1))
            return (Draft(text=f"0 {what}: none were identified in {where} {cited}.",
                          passages=none), COUNT,
                    [{"matches": 0, "searched": len(searched), "criteria": what}])
        text = f"{n} {what} in {where}:\n" + "\n".join(lines)
        return Draft(text=text, passages=passages), COUNT, items

    def _topic_hits(self, crit: Criteria, searched: list[CatalogLetter]) -> list[_Hit]:
        assert crit.topic is not None
        by_id = {x.document_id: x for x in searched}
        if crit.topic.reading is not None:
            # the theme's tagged findings (an exact selection by tag), and findings the tagger
            # half-saw as the theme that also match the words asked
            matches = self._theme_rows(crit, searched, crit.sections())
            threshold = 0.0
        else:
            matches = self.index.match(crit.topic, by_id, crit.sections(),
                                       min_score=self.threshold)
            threshold = self.threshold
        best: dict[str, list[TopicMatch]] = {}
        for match in matches:
            if match.score >= threshold:
                best.setdefault(match.row.document_id, []).append(match)
        hits: list[_Hit] = []
        for letter in searched:
            found = best.get(letter.document_id)
            if crit.negated:
                if found:
                    continue
                n = sum(len(s.findings) for s in letter.parsed.sections
                        if s.name in crit.sections())
                hits.append(_Hit(letter, [self._identity_passage(letter)],
                                 note=f"no finding on this among its {n} "
                                      f"{'finding' if n == 1 else 'findings'} searched"))
                continue
            if not found:
                continue
            passages = [_finding_passage(letter, m.row, m.score) for m in found]
            hits.append(_Hit(letter, passages, score=found[0].score))
        return hits

    def _structural_hit(self, crit: Criteria, letter: CatalogLetter) -> _Hit | None:
        """Qualify a letter by the presence, absence or number of a section's findings."""
        if crit.section is None:
            # No topic and no section: every letter in the dates qualifies ("which councils were
            # inspected in 2010?"); the evidence is the sentence that states the dates.
            return _Hit(letter, [self._dates_passage(letter)])
        section = letter.parsed.section(crit.section)
        findings = section.findings if section else []
        n = len(findings)
        if crit.comparator:
            op, k = crit.comparator
            ok = {">": n > k, ">=": n >= k, "<": n < k, "==": n == k}[op]
            if not ok:
                return None
            if n == 0:
                return _Hit(letter, [self._none_passage(letter, crit.section, section)])
            return _Hit(letter, [Passage.of(letter, crit.section, f.char_start, f.char_end)
                                 for f in findings],
                        note=f"{n} {_section_words(crit.section, n != 1)}")
        if crit.negated:
            if n:
                return None
            return _Hit(letter, [self._none_passage(letter, crit.section, section)])
        if not n:
            return None
        return _Hit(letter, [Passage.of(letter, crit.section, f.char_start, f.char_end)
                             for f in findings])

    # ---- evidence passages ------------------------------------------------------------------
    def _none_passage(self, letter: CatalogLetter, name: str, section: Section | None) -> Passage:
        """The statement that a section has no findings ("No areas for priority action ...")."""
        text = letter.text
        if section is not None:
            for start, end in sentence_spans(text, section.char_start, section.char_end):
                if _NONE_SENTENCE.search(text[start:end]):
                    return Passage.of(letter, name, start, end)
        # The opening paragraph usually says it: "The inspection identified no areas for ...".
        words = _section_words(name, plural=True).split()[-2:]
        rx = re.compile(rf"\bno\s+(?:\w+\s+){{0,3}}{words[-2]}\s+{words[-1]}|\b"
                        rf"not\s+identify\s+any\s+(?:\w+\s+){{0,3}}{words[-1]}", _I)
        for start, end in sentence_spans(text, 0, len(text)):
            if rx.search(text[start:end]):
                return Passage.of(letter, _section_at(letter, start), start, end)
        if section is not None:
            return Passage.of(letter, name, section.char_start, section.char_end)
        return self._identity_passage(letter)

    def _field_passage(self, letter: CatalogLetter, key: str) -> Passage:
        spans = letter.parsed.metadata.spans
        if key in spans:
            start, end = spans[key]
            return Passage.of(letter, _section_at(letter, start), start, end)
        return self._identity_passage(letter)

    def _dates_passage(self, letter: CatalogLetter) -> Passage:
        spans = letter.parsed.metadata.spans
        for key in ("inspection_dates", "letter_date"):
            if key in spans:
                start, end = spans[key]
                for a, b in sentence_spans(letter.text, start, end):
                    if re.search(r"\b(?:19|20)\d\d\b", letter.text[a:b]):
                        return Passage.of(letter, _section_at(letter, a), a, b)
                return Passage.of(letter, _section_at(letter, start), start, end)
        return self._identity_passage(letter)

    def _identity_passage(self, letter: CatalogLetter) -> Passage:
        """A line that identifies the letter: its subject line, else its date, else line one."""
        spans = letter.parsed.metadata.spans
        for key in ("inspection_type", "authority", "letter_date", "inspection_dates"):
            if key in spans:
                start, end = spans[key]
                return Passage.of(letter, _section_at(letter, start), start, end)
        end = letter.text.find("\n")
        return Passage.of(letter, _section_at(letter, 0), 0, len(letter.text) if end < 0 else end)


__all__ = ["AggregateAnswerer"]
