"""The extractive answerer: the offline default, needing no model.

It answers with the finding(s) or sentence(s) of the letter that answer the question, quoted
exactly and marked [1], [2] ...; metadata questions (dates, signatory, addressee, copy list,
inspection type, "was there any priority action?") get one plain sentence from the parsed fields,
citing the line of the letter that states them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.catalog import CatalogLetter
from assistant.citations import Draft
from assistant.formatting import human_date, human_date_range, join_names
from assistant.lexical import LexicalIndex, tokenize
from assistant.passages import Passage, line_span, sentence_spans
from assistant.query import (
    ADDRESSEE,
    COPY_LIST,
    EVIDENCE_BASE,
    INSPECTION_DATES,
    INSPECTION_TYPE,
    LEGAL_BASIS,
    LETTER_DATE,
    PRIORITY_EXISTS,
    SIGNATORY,
    STOPWORDS,
    Query,
)
from assistant.retrieval import Candidate
from assistant.understanding.answer_types import asked_type
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    HEADER,
    INTRODUCTION,
    PRIORITY_ACTION,
    SATISFACTORY,
    SIGN_OFF,
    STRENGTHS,
)
from vectorstore.records import StoredChunk

# Words every letter of the genre uses: they say nothing about whether a passage answers.
GENRE_WORDS = frozenset(
    tokenize("""children child childrens young people person services service
social care council councils local authority authorities letter letters inspection inspections
inspected inspectors ofsted families family department""")
)


@dataclass
class Evidence:
    """How well the best passage supports a topic answer (for abstention).

    When the question asks for a type of answer (a figure, a grade ...) that no passage holds,
    ``missing`` names it and ``untyped`` is what the best passage does say.
    """

    dense: float
    coverage: float
    missing: str | None = None
    untyped: Draft | None = None

    @property
    def score(self) -> float:
        return 0.5 * self.dense + 0.5 * self.coverage


class ExtractiveAnswerer:
    """Builds drafts (text with [n] markers + passages) from letters and retrieved candidates."""

    name = "extractive"

    def __init__(self, lexical: LexicalIndex) -> None:
        self.lexical = lexical

    # ---- metadata -------------------------------------------------------------------------
    def metadata(self, query: Query, letter: CatalogLetter) -> Draft | None:
        """One plain sentence from the parsed fields; None when the letter does not state it."""
        meta = letter.parsed.metadata
        who = letter.authority or "the council"
        intent = query.intent
        if intent in (INSPECTION_DATES, LETTER_DATE):
            return self._dates(letter, first=intent)
        if intent == SIGNATORY and meta.signatory_name:
            title = f", {meta.signatory_title}" if meta.signatory_title else ""
            passage = self._field_passage(letter, "signatory", SIGN_OFF)
            return _draft(
                f"The letter to {who} ({letter.dated()}) was signed by "
                f"{meta.signatory_name}{title}",
                passage,
            )
        if intent == ADDRESSEE and meta.addressee_name:
            title = f", {meta.addressee_title}" if meta.addressee_title else ""
            passage = self._field_passage(letter, "addressee", HEADER)
            return _draft(
                f"The {letter.dated()} was addressed to {meta.addressee_name}{title}, {who}",
                passage,
            )
        if intent == COPY_LIST and meta.copy_list:
            passage = self._field_passage(letter, "copy_list", SIGN_OFF)
            people = "\n".join(f"- {person}" for person in meta.copy_list)
            return Draft(
                text=f"The letter to {who} ({letter.dated()}) was copied to "
                f"{len(meta.copy_list)} people [1]:\n{people}",
                passages=[passage],
            )
        if intent == INSPECTION_TYPE and meta.inspection_type:
            passage = self._field_passage(letter, "inspection_type", HEADER)
            return _draft(
                f"The letter to {who} ({letter.dated()}) reports on the "
                f"{_lower_first(meta.inspection_type)}",
                passage,
            )
        if intent == PRIORITY_EXISTS:
            return self.priority_exists(letter)
        if intent == LEGAL_BASIS:
            basis = self._template_sentence(letter, _LEGAL_BASIS)
            if basis is not None:
                return Draft(text=f"The letter to {who} ({letter.dated()}) says the inspection "
                             f"was carried out under {_legal_basis(basis.text)} [1].",
                             passages=[basis])
        if intent == EVIDENCE_BASE:
            looked = self._template_sentence(letter, _EVIDENCE, run=True)
            if looked is not None:
                return Draft(text=f"What the inspectors looked at, in the letter to {who} "
                             f"({letter.dated()}): {_strip_end(looked.text)} [1].",
                             passages=[looked])
        return None

    def _dates(self, letter: CatalogLetter, first: str) -> Draft | None:
        """The inspection dates and the letter date, the one asked for first, each cited."""
        meta = letter.parsed.metadata
        who = letter.authority or "the council"
        visit = letter_date = None
        if meta.inspection_start:
            when = human_date_range(meta.inspection_start, meta.inspection_end)
            visit = (f"the inspection of {who} took place on {when}", self._field_passage(
                letter, "inspection_dates", INTRODUCTION,
                prefer=_month_names(meta.inspection_start)))
        if meta.letter_date:
            letter_date = (f"the letter to {who} is dated {human_date(meta.letter_date)}",
                           self._field_passage(letter, "letter_date", HEADER))
        parts = [p for p in ((visit, letter_date) if first == INSPECTION_DATES
                             else (letter_date, visit)) if p is not None]
        if not parts or (parts[0] is not (visit if first == INSPECTION_DATES else letter_date)):
            return None  # the date asked for is not stated
        if len(parts) == 2 and parts[0][1].char_start == parts[1][1].char_start:
            parts = parts[:1]
        text = "; ".join(f"{sentence} [{i}]" for i, (sentence, _) in enumerate(parts, 1))
        return Draft(text=text[:1].upper() + text[1:] + ".", passages=[p for _, p in parts])

    def typed_line(self, letter: CatalogLetter, rx: re.Pattern[str], letterhead: bool = True,
                   not_ofsted: bool = False, label: re.Pattern[str] | None = None
                   ) -> Draft | None:
        """The first line of the letter holding a typed answer (a phone number, an address):
        the letterhead and address block first (unless ``letterhead`` is false: they give
        Ofsted's and the addressee's details, not a team's), then the sign-off, then the rest.
        With ``not_ofsted`` (a question about a person) Ofsted's own lines never answer: those
        naming Ofsted and the letterhead above the letter's date. With ``label``, only lines
        that also match it ("Direct" for "Ofsted's direct line")."""
        dated = letter.parsed.metadata.spans.get("letter_date")
        first = dated[0] if not_ofsted and dated else 0
        order = {HEADER: 0, SIGN_OFF: 1}
        sections = sorted((x for x in letter.parsed.sections if letterhead or x.name != HEADER),
                          key=lambda x: order.get(x.name, 2))
        for section in sections:
            for match in re.finditer(r"[^\n]+", letter.text[section.char_start:section.char_end]):
                line = match.group(0)
                start = section.char_start + match.start()
                if start < first or not_ofsted and OFSTED.search(line):
                    continue
                if rx.search(line) and line.strip() and (label is None or label.search(line)):
                    passage = Passage.of(letter, section.name, start, start + len(line))
                    who = letter.authority or "the council"
                    return Draft(text=f"The letter to {who} ({letter.dated()}) gives: "
                                 f"{_strip_end(passage.text)} [1].", passages=[passage])
        return None

    def rating_sentence(self, letter: CatalogLetter) -> Passage | None:
        """A sentence of the letter that speaks of a rating or grade, if any."""
        return self._template_sentence(letter, _RATING)

    def no_grade(self, letter: CatalogLetter) -> Draft | None:
        """What a letter gives instead of a grade: its findings, counted, the first cited."""
        summary = self.summary(letter)
        if summary is None:
            return None
        counts = []
        for name in (PRIORITY_ACTION, AREAS_FOR_DEVELOPMENT, STRENGTHS):
            section = letter.parsed.section(name)
            n = len(section.findings) if section else 0
            noun = _plural(name).lower() if n != 1 else _singular(name).lower()
            counts.append(f"{n if n else 'no'} {noun}")
        who = letter.authority or "the council"
        rating = self.rating_sentence(letter)
        said = (f" On ratings it says: {_strip_end(rating.text)} [{len(summary.passages) + 1}]."
                if rating is not None else "")
        return Draft(text=f"The letter to {who} ({letter.dated()}) gives no grade or rating: "
                     f"these letters report findings, not judgements.{said} It lists "
                     f"{join_names(counts)}:\n" + summary.text.split("\n", 1)[-1],
                     passages=summary.passages + ([rating] if rating is not None else []))

    def count_findings(self, section_name: str, letter: CatalogLetter) -> Draft | None:
        """How many findings one letter lists in a section, each cited."""
        section = letter.parsed.section(section_name)
        who = letter.authority or "the council"
        if section is None or not section.findings:
            if section is not None and section.none_identified or \
                    section_name == PRIORITY_ACTION:
                draft = self.section_findings(section_name, letter) \
                    if section is not None else self.priority_exists(letter)
                if draft is not None:
                    return Draft(text=f"None. {draft.text}", passages=draft.passages)
            return None
        passages = [Passage.of(letter, section.name, f.char_start, f.char_end)
                    for f in section.findings]
        # the number in digits: "how many" is answered by a figure a reader can scan for; and
        # in the letter's own words where its opening counts them ("identified two areas for
        # priority action"), cited first
        head = f"The letter to {who} ({letter.dated()}) lists " \
            f"{_counted(len(passages), section.name, digits=True)}"
        stated = self._template_sentence(letter, _stated_count(section.name))
        if stated is not None:
            head += f"; it says: {_strip_end(stated.text)} [1]"
        first = 1 if stated is None else 2  # the marker of the first finding
        bullets = "\n".join(f"- {_strip_end(p.text)} [{i}]" for i, p in enumerate(passages, first))
        return Draft(text=f"{head}.\n{bullets}",
                     passages=passages if stated is None else [stated, *passages])

    def _template_sentence(self, letter: CatalogLetter, rx: re.Pattern[str],
                           run: bool = False) -> Passage | None:
        """The first sentence of the letter's opening that matches a template pattern (with
        ``run``, also the matching sentences that directly follow it in the same paragraph)."""
        for section in letter.parsed.sections:
            if section.name not in (INTRODUCTION, HEADER):
                continue
            spans = sentence_spans(letter.text, section.char_start, section.char_end)
            for i, (start, end) in enumerate(spans):
                if not rx.search(letter.text[start:end]):
                    continue
                for next_start, next_end in spans[i + 1:] if run else []:
                    between = letter.text[end:next_start]
                    if "\n\n" in between or not rx.search(letter.text[next_start:next_end]):
                        break
                    end = next_end
                return Passage.of(letter, section.name, start, end)
        for start, end in sentence_spans(letter.text, 0, len(letter.text)):
            if rx.search(letter.text[start:end]):
                return Passage.of(letter, _section_at(letter, start), start, end)
        return None

    def priority_exists(self, letter: CatalogLetter) -> Draft | None:
        section = letter.parsed.section(PRIORITY_ACTION)
        who = letter.authority or "the council"
        if section is None:
            return None
        if section.findings:
            passages = [
                Passage.of(letter, PRIORITY_ACTION, f.char_start, f.char_end)
                for f in section.findings
            ]
            n = len(passages)
            head = (
                f"Yes. The letter to {who} ({letter.dated()}) identified "
                f"{'one area' if n == 1 else f'{n} areas'} for priority action"
            )
            if n == 1:
                return Draft(
                    text=f"{head}: {_strip_end(passages[0].text)} [1].", passages=passages
                )
            bullets = "\n".join(f"- {_strip_end(p.text)} [{i}]" for i, p in enumerate(passages, 1))
            return Draft(text=f"{head}:\n{bullets}", passages=passages)
        if section.none_identified:
            # the letter's own words: its opening ("identified no areas for priority action")
            # and what its priority-action heading says ("None identified.", "No areas for
            # priority action were identified."), each quoted once
            own = self._narrow(letter, Passage.of(letter, PRIORITY_ACTION, section.char_start,
                                                  section.char_end), r"\bno\b|\bnone\b|\bnot\b")
            opening = self._template_sentence(letter, _stated_count(PRIORITY_ACTION, "no"))
            head = f"No. The letter to {who} ({letter.dated()}) says: "
            if opening is None or opening.char_start == own.char_start:
                return _draft(head + _strip_end(own.text), own)
            return Draft(text=f"{head}{_strip_end(opening.text)} [1]; under its priority action "
                              f"heading: {_strip_end(own.text)} [2].", passages=[opening, own])
        return None

    def person(self, name: str, letters: list[CatalogLetter]) -> Draft | None:
        """Where a person appears in the letters: as signatory, addressee or copied in (a name
        typed with a slip, "Jluian Woster", is read as the closest name the letters give)."""
        name = _closest_person(name, letters)
        wanted = name.lower()
        lines: list[str] = []
        passages: list[Passage] = []
        for letter in letters:
            meta = letter.parsed.metadata
            who = letter.authority or letter.source
            roles: list[tuple[str, str]] = []
            if meta.signatory_name and wanted in meta.signatory_name.lower():
                title = f" as {meta.signatory_title}" if meta.signatory_title else ""
                roles.append(("signatory", f"signed the {letter.dated()} to {who}{title}"))
            if meta.addressee_name and wanted in meta.addressee_name.lower():
                title = f" ({meta.addressee_title})" if meta.addressee_title else ""
                roles.append(("addressee", f"received the {letter.dated()} to {who}{title}"))
            for person in meta.copy_list:
                if wanted in person.lower():
                    roles.append(("copy_list", f"was copied into the {letter.dated()} to {who} "
                                               f"as {person}"))
            for field, role in roles:
                passage = self._field_passage(letter, field, SIGN_OFF)
                passage = self._narrow(letter, passage, re.escape(name))
                passages.append(passage)
                lines.append(f"- {name} {role} [{len(passages)}]")
        if not passages:
            return None
        if len(lines) == 1:
            return Draft(text=lines[0][2:] + ".", passages=passages)
        return Draft(text=f"{name} appears in {len(lines)} places in the letters:\n"
                          + "\n".join(lines), passages=passages)

    # ---- sections -------------------------------------------------------------------------
    def section_findings(self, section_name: str, letter: CatalogLetter) -> Draft | None:
        """The findings of a section as cited bullets (or the 'none' statement)."""
        section = letter.parsed.section(section_name)
        who = letter.authority or "the council"
        if section is None:
            return None
        if not section.findings:
            if section.none_identified:
                passage = Passage.of(letter, section.name, section.char_start, section.char_end)
                passage = self._narrow(letter, passage, r"\bno\b|\bnone\b|\bnot\b")
                return _draft(
                    f"The letter to {who} ({letter.dated()}) identified no "
                    f"{_plural(section.name).lower()}",
                    passage,
                )
            return None
        passages = [
            Passage.of(letter, section.name, f.char_start, f.char_end) for f in section.findings
        ]
        if len(passages) == 1:
            return Draft(
                text=f"The {_singular(section.name).lower()} in the letter to {who} "
                f"({letter.dated()}): {_strip_end(passages[0].text)} [1].",
                passages=passages,
            )
        bullets = "\n".join(f"- {_strip_end(p.text)} [{i}]" for i, p in enumerate(passages, 1))
        return Draft(
            text=f"{_plural(section.name)} in the letter to {who} ({letter.dated()}), "
            f"{len(passages)} in all:\n{bullets}",
            passages=passages,
        )

    def summary(self, letter: CatalogLetter,
                sections: tuple[str, ...] = (PRIORITY_ACTION, AREAS_FOR_DEVELOPMENT, STRENGTHS)
                ) -> Draft | None:
        """The letter's findings in brief: priority action first (or that there was none), then
        areas for development and strengths (or the ``sections`` asked for, in that order)."""
        passages: list[Passage] = []
        blocks: list[str] = []
        order = (PRIORITY_ACTION, AREAS_FOR_DEVELOPMENT, STRENGTHS, SATISFACTORY)
        for name in sorted(sections, key=order.index):
            section = letter.parsed.section(name)
            if section is None:
                continue
            if not section.findings:
                if section.none_identified:
                    passages.append(Passage.of(letter, name, section.char_start,
                                               section.char_end))
                    passages[-1] = self._narrow(letter, passages[-1], r"\bno\b|\bnone\b|\bnot\b")
                    blocks.append(f"No {_plural(name).lower()} were identified "
                                  f"[{len(passages)}].")
                continue
            lines = [f"{_counted(len(section.findings), name)}:"]
            for finding in section.findings:
                passages.append(Passage.of(letter, name, finding.char_start, finding.char_end))
                lines.append(f"- {_strip_end(finding.text)} [{len(passages)}]")
            blocks.append("\n".join(lines))
        if not passages:
            return None
        who = letter.authority or "the council"
        head = f"The letter to {who} ({letter.dated()}) reported:"
        return Draft(text=head + "\n" + "\n".join(blocks), passages=passages)

    # ---- topics ---------------------------------------------------------------------------
    def topic(
        self,
        query: Query,
        letters: dict[str, CatalogLetter],
        candidates: list[Candidate],
        max_sentences: int = 3,
        min_ratio: float = 0.85,
    ) -> tuple[Draft | None, Evidence]:
        """The best sentence(s) among the candidates for the question's topic."""
        words = set(tokenize(query.topic or query.read_text)) - GENRE_WORDS
        weights = {w: max(self.lexical.idf(w), 0.1) for w in words}
        total = sum(weights.values()) or 1.0
        asked, required = _required_answer_type(query.read_text)
        scored: list[tuple[float, float, float, Passage]] = []
        untyped: list[tuple[float, float, float, Passage]] = []
        for cand in candidates:
            chunk = cand.chunk
            letter = letters.get(chunk.document_id)
            field = chunk.metadata.get("field")
            if letter is None or chunk.section in (HEADER, SIGN_OFF) and not field:
                continue
            spans = [(chunk.char_start, chunk.char_end)] if field else \
                sentence_spans(letter.text, chunk.char_start, chunk.char_end)
            for start, end in spans:
                sentence = letter.text[start:end]
                if _is_lead_in(sentence) and not field:
                    continue
                typed = required is None or bool(required.search(sentence))
                coverage = sum(weights[w] for w in words & set(tokenize(sentence))) / total
                score = 0.5 * cand.dense + 0.5 * coverage
                if query.section and chunk.section == query.section:
                    score += 0.1
                if chunk.section == INTRODUCTION:
                    score -= INTRODUCTION_PENALTY  # boilerplate: dates, legal basis, evidence
                passage = _whole_finding(letter, chunk, start, end, score)
                (scored if typed else untyped).append((score, cand.dense, coverage, passage))
        if not scored:
            if untyped and asked is not None:
                best = max(untyped, key=lambda item: item[0])
                return None, Evidence(best[1], best[2], missing=asked,
                                      untyped=_topic_draft([best[3]], False))
            return None, Evidence(0.0, 0.0)
        scored.sort(key=lambda item: item[0], reverse=True)
        best_score, best_dense, best_cov, _ = scored[0]
        chosen: list[Passage] = []
        for score, _dense, coverage, passage in scored:
            if len(chosen) >= max_sentences or score < min_ratio * best_score:
                break
            if chosen and coverage == 0:
                continue
            if any(p.document_id == passage.document_id and p.char_start <= passage.char_start
                   < p.char_end for p in chosen):
                continue
            chosen.append(passage)
        evidence = Evidence(dense=best_dense, coverage=best_cov)
        return self.passages_draft(chosen), evidence

    # ---- helpers --------------------------------------------------------------------------
    def passages_draft(self, passages: list[Passage]) -> Draft | None:
        """A topic answer quoting these passages, each with its letter and section."""
        return _topic_draft(passages, len({p.document_id for p in passages}) > 1)

    def _field_passage(
        self, letter: CatalogLetter, field: str, section: str, prefer: str | None = None
    ) -> Passage:
        spans = letter.parsed.metadata.spans
        if field in spans:
            start, end = spans[field]
        else:  # parsed without a span: cite the section the field lives in
            sec = letter.parsed.section(section)
            start, end = (sec.char_start, sec.char_end) if sec else line_span(letter.text, 0, 0)
        passage = Passage.of(letter, _section_at(letter, start), start, end)
        return self._narrow(letter, passage, prefer) if prefer else passage

    def _narrow(self, letter: CatalogLetter, passage: Passage, pattern: str | None) -> Passage:
        """The sentence of the passage matching ``pattern`` (the whole passage if none does)."""
        if not pattern:
            return passage
        rx = re.compile(pattern, re.IGNORECASE)
        for start, end in sentence_spans(letter.text, passage.char_start, passage.char_end):
            if rx.search(letter.text[start:end]):
                return Passage.of(letter, passage.section, start, end)
        return passage


_LEGAL_BASIS = re.compile(r"\b(?:section|s\.)\s*\d+\w*\s+of\s+the\s+[A-Z][\w ]*?Act\b|"
                          r"\b[A-Z][a-z]+(?:\s+(?:and\s+)?[A-Z][a-z]+)*\s+Act\s+(?:19|20)\d\d\b")
_EVIDENCE = re.compile(r"\b(?:case\s+(?:files|records|notes)|records\s+of|interview\w*|"
                       r"discussions?\s+with|observ\w+|scrutin\w+|sampl\w+|spoke\s+(?:to|with)|"
                       r"met\s+with|evidence)\b", re.IGNORECASE)


_RATING = re.compile(r"\b(?:rating|rated|grade|graded|judgement|judgment)\b", re.IGNORECASE)


def _legal_basis(sentence: str) -> str:
    found = _LEGAL_BASIS.search(sentence)
    return found.group(0) if found else _strip_end(sentence)


INTRODUCTION_PENALTY = 0.15
MAX_FINDING_WORDS = 70
OFSTED = re.compile(r"\bofsted\b", re.IGNORECASE)  # Ofsted named: its own letterhead lines
_LEAD_IN = re.compile(r":\s*$|\bthe\s+following\b", re.IGNORECASE)
_NUMBER_WORDS = (r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                 r"forty|fifty|hundred)")
_HOW_MANY = re.compile(r"\bhow\s+many\s+([a-z]{3,})(?:\s+([a-z]{3,}))?", re.IGNORECASE)


def _required_answer_type(question: str) -> tuple[str | None, re.Pattern[str] | None]:
    """The type of answer a question asks for (``assistant/data/answer_types.yaml``) and the
    pattern its evidence must match.

    "How many social workers ...?" needs a number right before "social workers" (a stray
    "section 47" elsewhere in the sentence does not answer it).
    """
    asked = asked_type(question)
    if asked is None:
        return None, None
    many = _HOW_MANY.search(question)
    if asked.name == "figure" and many:
        words = [w for w in many.groups() if w and w.lower() not in STOPWORDS]
        nouns = "|".join(re.escape(w.rstrip("s")) for w in words)
        if nouns:
            return asked.says, re.compile(
                rf"(?:\d[\d,.]*%?|{_NUMBER_WORDS})\s+(?:\w+\s+){{0,3}}(?:{nouns})",
                re.IGNORECASE)
    return asked.says, asked.evidence


def _is_lead_in(sentence: str) -> bool:
    """Template lead-ins ("... were also identified:") and headings never answer anything."""
    words = len(sentence.split())
    heading = words <= 6 and not sentence.rstrip().endswith((".", "!", "?"))
    return words < 4 or heading or (bool(_LEAD_IN.search(sentence)) and words <= 25)


def _whole_finding(letter: CatalogLetter, chunk: StoredChunk, start: int, end: int,
                   score: float) -> Passage:
    """A sentence of a short finding stands for the whole finding (its context matters)."""
    is_finding = int(chunk.metadata.get("finding_index", -1)) >= 0
    if is_finding and len(chunk.text.split()) <= MAX_FINDING_WORDS:
        start, end = chunk.char_start, chunk.char_end
    return Passage.of(letter, chunk.section, start, end, score=score)


def _closest_person(name: str, letters: list[CatalogLetter]) -> str:
    """``name`` itself when a letter gives it, else the letters' closest name (if close)."""
    from rapidfuzz import fuzz, process

    known = {person for letter in letters for person in letter.people()}
    lowered = name.lower()
    if any(lowered in k.lower() for k in known):
        return name
    best = process.extractOne(lowered, {k: k.lower() for k in known}, scorer=fuzz.ratio,
                              score_cutoff=PERSON_SIMILARITY)
    return str(best[2]) if best else name


PERSON_SIMILARITY = 85  # rapidfuzz ratio from which a typed name is a letter's name


def _section_at(letter: CatalogLetter, offset: int) -> str:
    for section in letter.parsed.sections:
        if section.char_start <= offset < section.char_end:
            return section.name
    return HEADER


def _month_names(iso: str | None) -> str:
    from assistant.formatting import _MONTHS

    month = _MONTHS[int(iso[5:7]) - 1] if iso else "January"
    return rf"\b{month}\b|\bconducted\b|\bcarried out\b"


def _draft(sentence: str, passage: Passage) -> Draft:
    return Draft(text=f"{sentence} [1].", passages=[passage])


def _strip_end(text: str) -> str:
    return text.rstrip().rstrip(".;,").rstrip()


def _lower_first(text: str) -> str:
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _stated_count(section: str, number: str | None = None) -> re.Pattern[str]:
    """A sentence of the opening that gives how many findings a section has ("identified two
    areas for priority action", "one strength"; only ``number`` when given: "no")."""
    noun = {PRIORITY_ACTION: r"areas?\s+for\s+priority\s+action",
            AREAS_FOR_DEVELOPMENT: r"areas?\s+for\s+(?:further\s+)?development",
            STRENGTHS: r"strengths?"}.get(section, re.escape(section.lower()))
    numbers = number or r"no|one|two|three|four|five|six|seven|eight|nine|ten|\d+"
    return re.compile(rf"\b(?:{numbers})\s+(?:{noun})\b", re.IGNORECASE)


_COUNT_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine",
                "Ten", "Eleven", "Twelve")


def _counted(n: int, section: str, digits: bool = False) -> str:
    """``Two areas for priority action``, ``One strength`` (``2 areas ...`` with ``digits``)."""
    word = str(n) if digits or n >= len(_COUNT_WORDS) else _COUNT_WORDS[n]
    noun = _plural(section).lower() if n != 1 else _singular(section).lower()
    return f"{word} {noun}"


def _plural(section: str) -> str:
    return "Areas for priority action" if section == PRIORITY_ACTION else section


def _singular(section: str) -> str:
    return {
        "Strengths": "Strength",
        "Areas for development": "Area for development",
        "Satisfactory findings": "Satisfactory finding",
    }.get(section, section)


def _topic_draft(passages: list[Passage], several_letters: bool) -> Draft | None:
    if not passages:
        return None
    if len(passages) == 1:
        p = passages[0]
        return Draft(text=f"{_source_phrase(p)}: {_strip_end(p.text)} [1].", passages=passages)
    lines = []
    for i, p in enumerate(passages, 1):
        prefix = f"{_source_phrase(p)}: " if several_letters else f"{p.section}: "
        lines.append(f"- {prefix}{_strip_end(p.text)} [{i}]")
    head = "" if several_letters else f"{_source_phrase(passages[0], with_section=False)}:\n"
    return Draft(text=head + "\n".join(lines), passages=passages)


def _source_phrase(p: Passage, with_section: bool = True) -> str:
    who = p.authority or p.source
    when = f" ({human_date(p.letter_date)})" if p.letter_date else ""
    section = f", {p.section}" if with_section else ""
    return f"{who}{when}{section}"


__all__ = ["ExtractiveAnswerer", "Evidence", "join_names"]
