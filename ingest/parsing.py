"""Letter parsing: canonical letter text -> metadata, sections and findings with character spans.

:func:`parse_letter` reads the text as given (normally ``normalize_text`` output) and never
changes it, so every span is an offset into the text that is stored: ``ParsedLetter.text`` is the
input. It never raises; whatever it cannot recognise ends up in an ``OTHER`` section.

Sections
    Sections cover the whole text, in order, without gaps or overlaps: the first starts at 0,
    each ends where the next starts (so a section's span includes the blank lines after it), the
    last ends at ``len(text)``. A text that is blank has no sections.

    - ``HEADER``: from the start to the subject line (or the "Dear ..." line when there is no
      subject line). Without either, there is no header and the opening text is ``OTHER``.
    - ``INTRODUCTION``: what follows the header up to the first finding section.
    - ``SATISFACTORY``: starts at the lead-in paragraph ("... satisfactorily ... in particular:");
      its findings are the bullets after it.
    - ``STRENGTHS`` / ``AREAS_FOR_DEVELOPMENT`` / ``PRIORITY_ACTION``: start at their heading
      ("Strengths", "2. AREAS FOR DEVELOPMENT:", "Areas for priority action" ...), or at the
      lead-in paragraph just before the heading that introduces it ("The following strengths and
      areas for development were also identified:", "This visit has identified the following area
      for priority action."). A lead-in naming one section and followed by bullets starts that
      section even without a heading. Any order is accepted.
    - ``SIGN_OFF``: from "Yours sincerely" (or the copy list) to the end.
    - ``OTHER``: off-template text, and closing remarks ("I am grateful ...", "Please ...") after
      the last finding.

Findings
    In a finding section, each bullet item (any glyph, a lone leading space, or "1." / "(a)"
    numbering) is a finding whose span excludes the marker, and so is a plain paragraph between
    two items (a bullet whose glyph was lost); paragraphs before or after the list are prose. A
    section without items (one paragraph per finding) has each paragraph as a finding, except
    lead-ins (ending with ":"), sub-headings and closing remarks ("I", "you", "please" ...).
    ``Finding.text`` is always ``text[char_start:char_end]``.

"None identified"
    A statement that a section has no findings ("None identified.", "There are no areas for
    priority action.") sets ``none_identified`` and is not a finding. After the findings, such a
    statement naming a section that has no heading ("No areas for priority action were
    identified." closing the last list) starts that section on its own line. When the letter has no
    priority-action section but says so elsewhere ("The inspection identified no areas for priority
    action" in the introduction), the sentence that says so becomes a ``PRIORITY_ACTION`` section
    of its own, with no findings and ``none_identified=True``; the section it was in is split around
    it (so a letter can have two ``INTRODUCTION`` sections, before and after that sentence).

Flags
    Instruction-like text ("Ignore all previous instructions ...", "SYSTEM: ...") is flagged by
    :func:`ingest.screening.find_instructions` into ``ParsedLetter.flags`` and cut out of the
    findings (a finding that is only such text is dropped); the chunker leaves it out too.

Metadata
    ``authority`` is the council as named in the addressee block ("Portsmouth City Council", a
    council missing from the list too: "Newtown Borough Council"); when the block names only a
    place, or there is no block, the canonical name from :mod:`ingest.authorities` found in the
    subject line ("Portsmouth Council" -> "Portsmouth City Council"), else in the body of the
    letter. The addressee block is the lines before "Dear ..." from the last one starting with an
    honorific; the name ends at the surname of the salutation. Dates are ISO.
    The inspection dates come from the first sentence that gives a date (range) and mentions the
    inspection being conducted / carried out / taking place; a missing year is taken from the
    letter date. ``spans`` maps ``letter_date``, ``inspection_dates`` (also ``inspection_start`` /
    ``inspection_end``), ``inspection_type``, ``addressee`` (and ``addressee_name`` /
    ``addressee_title``), ``authority``, ``signatory`` (and ``signatory_name`` /
    ``signatory_title``) and ``copy_list`` to the span of the line(s) stating them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from ingest.authorities import AuthorityMatch, find_authorities
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    FINDING_SECTIONS,
    HEADER,
    INTRODUCTION,
    OTHER,
    PRIORITY_ACTION,
    SATISFACTORY,
    SIGN_OFF,
    STRENGTHS,
    Finding,
    LetterMetadata,
    ParsedLetter,
    Section,
)
from ingest.normalize import (
    COPY_LABEL_RE,
    SALUTATION_RE,
    SIGN_OFF_RE,
    lone_space_bullet,
    match_heading,
    split_bullet,
)
from ingest.screening import drop_flagged_findings, find_instructions

logger = logging.getLogger(__name__)

# ============================================================================================
# Lines


@dataclass
class _Line:
    """A non-blank line: ``text == letter[start:end]`` (surrounding spaces excluded)."""

    index: int
    start: int
    end: int
    text: str
    raw: str  # the line as written, leading spaces included
    content_start: int = -1  # where a bullet / numbered item's text starts; -1 if not an item

    @property
    def is_item(self) -> bool:
        return self.content_start >= 0


# A numbered item: "1. ...", "2) ...", "(a) ...", "iv. ..." (a heading is recognised first).
_NUMBERED_ITEM = re.compile(r"^[ ]*(?:\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)|(?:\d{1,2}|[a-z]|[ivx]{1,4})"
                            r"[.)])[ ]+(?=\S)")


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        line_start, pos = pos, pos + len(raw) + 1
        stripped = raw.strip()
        if not stripped:
            continue
        start = line_start + (len(raw) - len(raw.lstrip()))
        end = start + len(stripped)
        line = _Line(len(lines), start, end, stripped, raw.rstrip())
        line.content_start = _item_content_start(line)
        lines.append(line)
    return lines


def _item_content_start(line: _Line) -> int:
    """Absolute offset where a bullet or numbered item's text starts, or -1."""
    if match_heading(line.text) is not None:
        return -1
    split = split_bullet(line.raw)
    if split is not None:
        offset = split[0]
    elif lone_space_bullet(line.raw):
        offset = len(line.raw) - len(line.raw.lstrip())
    else:
        numbered = _NUMBERED_ITEM.match(line.raw)
        if numbered is None:
            return -1
        offset = numbered.end()
    return line.start + offset - (len(line.raw) - len(line.raw.lstrip()))


# ============================================================================================
# Dates

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
# One date, possibly partial: "10", "10th November", "30 November 2010", "November 10, 2010".
_DATE_POINT = (rf"(?:{_DAY}(?:[ ]+(?:of[ ]+)?{_MONTH})?(?:,?[ ]+{_YEAR})?"
               rf"|{_MONTH}[ ]+{_DAY}(?:,?[ ]+{_YEAR})?)")
# What joins the days of a range: "10 and 11", "30 November to 1 December", "14-15", "14 – 15".
_DATE_JOIN = (r"(?:[ ]*(?:,|-|–|—|/)[ ]*(?:and[ ]+)?|[ ]+(?:and|to|until|till|through|&)[ ]+"
              r"(?:the[ ]+)?)")
_DATE_EXPRESSION = re.compile(rf"(?<![\w/]){_DATE_POINT}(?:{_DATE_JOIN}{_DATE_POINT})*(?![\w/])",
                              re.I)
_DATE_TOKEN = re.compile(
    rf"(?P<year>{_YEAR})|(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|(?P<month>{_MONTH})", re.I)
# A line that is only a date, maybe with a weekday or a "Date:" label.
_DATE_ONLY_LINE = re.compile(rf"^(?:date[ ]*:?[ ]*)?(?:[a-z]+day,?[ ]+)?{_DATE_POINT}[ .]*$", re.I)
# Words of the sentence that gives the inspection dates.
_INSPECTION_DATE_CUES = re.compile(
    r"\b(?:conduct\w*|carried[ ]+out|took[ ]+place|taking[ ]+place|undertaken|held|inspect\w*"
    r"|visit\w*|fieldwork|on[ ]+site)\b", re.I)
# A sentence within a line (abbreviations such as "e.g." may split one; harmless here).
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+(?=\s|$)|(?=\n)|$)")


def _month_number(word: str) -> int:
    prefix = word.lower().rstrip(".")[:3]
    return next(i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(prefix))


@dataclass
class _PartialDate:
    day: int
    month: int | None = None
    year: int | None = None
    year_carried: bool = False  # the year was written after a later day ("30 Dec and 2 Jan 2011")


def _dates_in(expression: str, letter_date: dt.date | None = None) -> list[dt.date]:
    """The dates of a date expression; months and years are carried back ("10 and 11 Nov 2009").

    A date without any year takes the letter's year (the year before if that would put the
    inspection after the letter).
    """
    partials: list[_PartialDate] = []
    pending_month: int | None = None  # "November 10 and 11, 2009": the month comes first
    for token in _DATE_TOKEN.finditer(expression):
        if token.group("day"):
            partials.append(_PartialDate(int(token.group("day")), pending_month))
        elif token.group("month"):
            month = _month_number(token.group("month"))
            open_days = [p for p in partials if p.month is None]
            for partial in open_days:
                partial.month = month
            if not open_days:
                pending_month = month
        elif token.group("year"):
            for partial in partials:
                if partial.year is None:
                    partial.year = int(token.group("year"))
                    partial.year_carried = partial is not partials[-1]
    dated: list[tuple[dt.date, _PartialDate]] = []
    for partial in partials:
        year = partial.year or (letter_date.year if letter_date else None)
        if partial.month is None or year is None:
            continue
        try:
            day = dt.date(year, partial.month, partial.day)
        except ValueError:
            continue
        if partial.year is None and letter_date is not None and day > letter_date:
            day, partial.year_carried = day.replace(year=year - 1), False
        dated.append((day, partial))
    dates = [day for day, _ in dated]
    for i in range(len(dates) - 2, -1, -1):
        if dates[i] > dates[i + 1] and dated[i][1].year_carried:
            dates[i] = dates[i].replace(year=dates[i].year - 1)
    return dates


def _has_month(expression: str) -> bool:
    return any(token.group("month") for token in _DATE_TOKEN.finditer(expression))


def _single_date(text: str) -> dt.date | None:
    for match in _DATE_EXPRESSION.finditer(text):
        if _has_month(match.group(0)) and re.search(_YEAR, match.group(0)):
            dates = _dates_in(match.group(0))
            if dates:
                return dates[0]
    return None


# ============================================================================================
# Header: letter date, addressee, subject, authority

_HONORIFIC = (r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Prof|Professor|Sir|Dame|Lady|Lord|Cllr|Councillor"
              r"|Rev|Reverend)\.?")
_HONORIFIC_START = re.compile(rf"^{_HONORIFIC}[ ]+[A-Z]")
# "Dear Mr Wooster", "Dear Julian,", "Dear Ms Smith-Jones"
_SALUTATION_NAME = re.compile(
    rf"^dear[ ]+(?:(?P<hon>{_HONORIFIC})[ ]+)?(?P<name>[^,;:]+?)[ ,;:.]*$", re.I)
# Letterhead and reference lines that are not part of the addressee block.
_NOT_ADDRESS = re.compile(r"^(?:(?:our|your)[ ]+ref|ref(?:erence)?\b|t[ ]|tel\b|telephone|f[ ]|fax"
                          r"|e[ ]|email|e-mail|direct\b|www\.|https?:|minicom|textphone)", re.I)
# Words that start a job title, ending the name in a one-line addressee block.
_TITLE_WORDS = frozenset({
    "strategic", "director", "executive", "corporate", "interim", "acting", "chief", "deputy",
    "assistant", "head", "cabinet", "lead", "service", "services", "children's", "childrens",
    "children", "joint", "senior", "group", "divisional", "managing", "programme", "portfolio",
    "council", "county", "city", "member", "commissioner", "officer", "manager", "the", "chair",
    "leader", "principal", "associate", "her", "his", "hmi",
})
# Post-nominal letters kept with the name: "Jane Smith OBE".
_POST_NOMINAL = re.compile(r"^(?:[A-Z]{2,5}|\([A-Z][A-Za-z]+\))$")
# Generic council name for councils missing from the authorities list.
_GENERIC_COUNCIL = re.compile(
    r"(?:(?:London|Royal|Metropolitan)[ ]+)?Borough[ ]+of[ ]+(?:[A-Z][\w'&-]*[ ]?){1,4}"
    r"|(?:[A-Z][\w'&-]*[ ]+){1,4}?(?:(?:City|County|Borough|Metropolitan[ ]+Borough"
    r"|Metropolitan[ ]+District|District)[ ]+)?Council\b")
_SUBJECT_CUES = re.compile(r"\b(?:inspection|inspecting|visit|review|evaluation|monitoring)\b",
                           re.I)
_NOT_SUBJECT_START = re.compile(r"^(?:this|i|we|thank|following|as|the[ ]+inspection|it|please)\b",
                                re.I)
# Without "Dear ..." to go by, a subject line must read like one.
_SUBJECT_WORDING = re.compile(r"\binspection[ ]+(?:of|within|in)\b|\bunannounced\b"
                              r"|\bmonitoring[ ]+visit\b", re.I)
_SUBJECT_LABEL = re.compile(r"^(?:re|subject|ref)[ ]*:[ ]*", re.I)
_MAX_SUBJECT_CHARS = 300
_MAX_DATED_LINE_CHARS = 40
_HEADER_SEARCH_LINES = 25


@dataclass
class _Anchors:
    """Line indices of the template's fixed points (None when absent)."""

    salutation: int | None = None
    subject: int | None = None
    sign_off: int | None = None
    copy_label: int | None = None

    @property
    def header_end(self) -> int | None:
        return self.subject if self.subject is not None else self.salutation


def _find_salutation(lines: list[_Line]) -> int | None:
    return next((line.index for line in lines[:60] if SALUTATION_RE.match(line.text)), None)


def _looks_like_subject(line: _Line) -> bool:
    return (len(line.text) <= _MAX_SUBJECT_CHARS and _SUBJECT_CUES.search(line.text) is not None
            and not _NOT_SUBJECT_START.match(line.text) and not line.is_item
            and match_heading(line.text) is None and not SIGN_OFF_RE.match(line.text))


def _find_subject(lines: list[_Line], salutation: int | None) -> int | None:
    """The subject line: right after "Dear ...", else a labelled or inspection line near the top."""
    if salutation is not None:
        following = lines[salutation + 1:salutation + 2]
        if following and _looks_like_subject(following[0]):
            return following[0].index
    limit = salutation if salutation is not None else _HEADER_SEARCH_LINES
    for line in lines[:limit]:
        if _SUBJECT_LABEL.match(line.text) or (
                _looks_like_subject(line) and _SUBJECT_WORDING.search(line.text)
                and not line.text.endswith(".")):
            return line.index
    return None


def _find_sign_off(lines: list[_Line]) -> tuple[int | None, int | None]:
    sign_off = next((line.index for line in reversed(lines) if SIGN_OFF_RE.match(line.text)), None)
    after = sign_off if sign_off is not None else len(lines) // 2
    copy_label = next((line.index for line in lines[after:] if COPY_LABEL_RE.match(line.text)),
                      None)
    return sign_off, copy_label


def _find_letter_date(lines: list[_Line], anchors: _Anchors) -> tuple[dt.date, _Line] | None:
    limit = anchors.salutation if anchors.salutation is not None else _HEADER_SEARCH_LINES
    zone = lines[:limit] or lines[:_HEADER_SEARCH_LINES]
    for line in zone:
        if _DATE_ONLY_LINE.match(line.text):
            found = _single_date(line.text)
            if found is not None:
                return found, line
    for line in zone:  # a line that is mostly a date: "Ref ABC/123 9 December 2009"
        if _SUBJECT_CUES.search(line.text) or len(line.text) > _MAX_DATED_LINE_CHARS:
            continue
        found = _single_date(line.text)
        if found is not None:
            return found, line
    return None


def _salutation_name(line: _Line | None) -> tuple[str | None, str | None]:
    """("Mr", "Wooster") from "Dear Mr Wooster"; (None, "Julian") from "Dear Julian"."""
    if line is None:
        return None, None
    match = _SALUTATION_NAME.match(line.text)
    if match is None:
        return None, None
    name = match.group("name").strip()
    if name.lower() in {"sir", "madam", "sir/madam", "sir or madam", "colleague", "colleagues"}:
        return None, None
    return match.group("hon"), name


def _addressee_lines(lines: list[_Line], anchors: _Anchors,
                     date_line: _Line | None) -> list[_Line]:
    """The lines of the addressee block before "Dear ...", the person's name first.

    The block starts at the last line before "Dear ..." that starts with an honorific (else the
    first line after the letter date naming the person in the salutation, else the line after the
    date) and leaves out the date, reference, phone and e-mail lines.
    """
    if anchors.salutation is None:
        return []
    before = [line for line in lines[:anchors.salutation]
              if not _NOT_ADDRESS.match(line.text) and not _DATE_ONLY_LINE.match(line.text)
              and "@" not in line.text]
    after_date = [line for line in before if date_line is None or line.index > date_line.index]
    _, surname = _salutation_name(lines[anchors.salutation])
    start: _Line | None = next((line for line in reversed(before)
                                if _HONORIFIC_START.match(line.text)), None)
    if start is None and surname:
        pattern = re.compile(rf"\b{re.escape(surname)}\b")
        start = next((line for line in after_date if pattern.search(line.text)), None)
    if start is None:
        return after_date if date_line is not None else []
    block = [line for line in before if line.index >= start.index]
    if date_line is not None and start.index < date_line.index:
        block = [line for line in block if line.index < date_line.index]
    return block


def _split_name(text: str, surname: str | None) -> int:
    """Where the person's name ends in the first addressee line."""
    tokens = list(re.finditer(r"\S+", text))
    if not tokens:
        return 0
    end_token: int | None = None
    if surname:
        last = surname.split()[-1]
        end_token = next((i for i, tok in enumerate(tokens)
                          if tok.group(0).strip(",;:") == last), None)
    if end_token is None:
        start = 1 if _HONORIFIC_START.match(text) else 0
        end_token = start
        for i in range(start, min(len(tokens), start + 4)):
            word = tokens[i].group(0)
            if word.strip(",").lower() in _TITLE_WORDS or not word[:1].isupper():
                break
            end_token = i
            if word.endswith(","):
                break
    while end_token + 1 < len(tokens) and _POST_NOMINAL.match(tokens[end_token + 1].group(0)
                                                              .strip(",")):
        end_token += 1
    return tokens[end_token].end()


def _authority_in(text: str) -> AuthorityMatch | None:
    matches = find_authorities(text)
    formal = [m for m in matches if m.formal]
    return (formal or matches)[0] if matches else None


def _clean_field(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip(" ,;:-–")


def _generic_council(text: str) -> tuple[int, int, str] | None:
    """A council name that is not in the authorities list ("Newtown Borough Council")."""
    for match in _GENERIC_COUNCIL.finditer(text):
        words = match.group(0).split()
        while len(words) > 1 and words[0].strip(",").lower() in _TITLE_WORDS | {
                "learning", "families", "education", "care", "skills", "and", "people", "young",
                "health", "wellbeing", "schools", "safeguarding", "social"}:
            words = words[1:]
        name = " ".join(words)
        if len(words) >= 2:
            start = match.start() + match.group(0).index(words[0])
            return start, start + len(name), name
    return None


@dataclass
class _Addressee:
    name: str | None = None
    title: str | None = None
    authority: str | None = None
    authority_line: _Line | None = None
    lines: list[_Line] = field(default_factory=list)


def _parse_addressee(lines: list[_Line], anchors: _Anchors, date_line: _Line | None) -> _Addressee:
    block = _addressee_lines(lines, anchors, date_line)
    if not block:
        return _Addressee()
    salutation = lines[anchors.salutation] if anchors.salutation is not None else None
    honorific, surname = _salutation_name(salutation)
    if honorific is None and surname and not _HONORIFIC_START.match(block[0].text):
        surname = None  # "Dear Julian": a first name, not where the name ends
    first = block[0].text
    name_end = _split_name(first, surname)
    result = _Addressee(name=_clean_field(first[:name_end]) or None, lines=block)
    # Everything after the name up to the council is the title.
    pieces: list[str] = [first[name_end:]] + [line.text for line in block[1:]]
    title_parts: list[str] = []
    for piece, line in zip(pieces, block, strict=True):
        found = _authority_in(piece)
        generic = _generic_council(piece) if found is None or not found.formal else None
        if found is not None and (found.formal or generic is None):
            title_parts.append(piece[:found.start])
            result.authority = found.text if found.formal else found.authority.name
            result.authority_line = line
            break
        if generic is not None:
            title_parts.append(piece[:generic[0]])
            result.authority, result.authority_line = generic[2], line
            break
        title_parts.append(piece)
    if result.authority is None:
        title_parts = pieces[:1] if pieces[0].strip() else pieces[1:2]
    title = ", ".join(_clean_field(p) for p in title_parts if _clean_field(p))
    result.title = title or None
    return result


_WITHIN_TAIL = re.compile(r"[ ,]+within\b.*$", re.I)
_CONNECTOR_BEFORE = re.compile(r"(?:[ ]*[,:;–—-][ ]*|[ ]+(?:in|for|at|of|by|across|from)[ ]+"
                               r"(?:the[ ]+)?)$", re.I)


def _inspection_type(subject: str) -> str:
    """The subject without its label and without the council it names ("... within X")."""
    text = _SUBJECT_LABEL.sub("", subject).strip().rstrip(".;:")
    cut = _WITHIN_TAIL.search(text)
    if cut is not None and cut.start() > 0:
        return _clean_field(text[:cut.start()])
    found = _authority_in(text)
    if found is not None:
        if found.start == 0:
            rest = _clean_field(text[found.end:])
            return rest[:1].upper() + rest[1:] if rest else _clean_field(text)
        head = text[:found.start]
        connector = _CONNECTOR_BEFORE.search(head)
        return _clean_field(head[:connector.start()] if connector else head)
    return _clean_field(text)


# ============================================================================================
# Inspection dates


def _find_inspection_dates(lines: list[_Line], first: int, exclude: _Line | None,
                           letter_date: dt.date | None) -> tuple[list[dt.date], _Line] | None:
    """The first date (range) stated in a sentence about the inspection taking place."""
    fallback: tuple[list[dt.date], _Line] | None = None
    for line in lines[first:]:
        if exclude is not None and line.index == exclude.index:
            continue
        for sentence in _SENTENCE.finditer(line.text):
            for match in _DATE_EXPRESSION.finditer(sentence.group(0)):
                if not _has_month(match.group(0)):
                    continue
                dates = _dates_in(match.group(0), letter_date)
                if not dates:
                    continue
                if _INSPECTION_DATE_CUES.search(sentence.group(0)):
                    return dates, line
                fallback = fallback or (dates, line)
    return fallback


# ============================================================================================
# Sign-off and copy list

_NOT_A_NAME = re.compile(r"^(?:\[.*\]|\(.*\)|signed|signature|pp\.?)$", re.I)
_PP_PREFIX = re.compile(r"^(?:pp\.?|p\.p\.)[ ]+", re.I)
_CONTACT_LINE = re.compile(r"@|www\.|^\+?[\d ()]{7,}$|^(?:ofsted|enc(?:l|losure)?s?\b)", re.I)
_PROSE_LINE = re.compile(r"^(?:\S+\s+){11,}.*[.!?]$")
_MAX_TITLE_CHARS = 120


@dataclass
class _Signatory:
    name: str | None = None
    title: str | None = None
    lines: list[_Line] = field(default_factory=list)


def _parse_signatory(lines: list[_Line], anchors: _Anchors) -> _Signatory:
    if anchors.sign_off is None:
        return _Signatory()
    stop = anchors.copy_label if anchors.copy_label is not None else len(lines)
    following = [line for line in lines[anchors.sign_off + 1:stop]
                 if not _NOT_A_NAME.match(line.text)][:3]
    if not following or _PROSE_LINE.match(following[0].text):
        return _Signatory()
    name_line = following[0]
    name = _PP_PREFIX.sub("", name_line.text)
    result = _Signatory(lines=[name_line])
    if "," in name:
        name, title = name.split(",", 1)
        result.name, result.title = _clean_field(name), _clean_field(title) or None
        return result
    result.name = _clean_field(name) or None
    titles: list[_Line] = []
    for line in following[1:3]:
        if (len(line.text) > _MAX_TITLE_CHARS or _CONTACT_LINE.search(line.text)
                or _PROSE_LINE.match(line.text) or not line.text[:1].isupper()):
            break
        if titles and ("," in titles[0].text or len(line.text) > 60
                       or line.text.endswith((".", "!", "?"))):
            break
        titles.append(line)
    if titles:
        result.title = ", ".join(_clean_field(line.text) for line in titles)
        result.lines.extend(titles)
    return result


def _parse_copy_list(lines: list[_Line], anchors: _Anchors) -> tuple[list[str], list[_Line]]:
    if anchors.copy_label is None:
        return [], []
    label_line = lines[anchors.copy_label]
    label = COPY_LABEL_RE.match(label_line.text)
    first_entry = label_line.text[label.end():] if label else label_line.text
    used = [label_line]
    pieces = [first_entry] if first_entry.strip() else []
    for line in lines[anchors.copy_label + 1:]:
        if _PROSE_LINE.match(line.text) or match_heading(line.text) or SIGN_OFF_RE.match(line.text):
            break
        used.append(line)
        pieces.append(line.text[line.content_start - line.start:] if line.is_item else line.text)
    entries: list[str] = []
    for piece in pieces:
        for part in piece.split(";"):
            entry = re.sub(r"^and[ ]+", "", _clean_field(part).rstrip("."))
            if entry:
                entries.append(entry)
    return entries, used


# ============================================================================================
# Sections

# The topic words of each finding section, to recognise lead-in paragraphs.
_TOPICS: dict[str, re.Pattern[str]] = {
    SATISFACTORY: re.compile(r"\bsatisfactor(?:y|ily)\b", re.I),
    STRENGTHS: re.compile(r"\bstrengths?\b", re.I),
    AREAS_FOR_DEVELOPMENT: re.compile(
        r"\b(?:areas?|aspects?)[ ]+(?:for|of|requiring)[ ]+(?:further[ ]+)?(?:development"
        r"|improvement)\b|\bdevelopment[ ]+areas?\b", re.I),
    PRIORITY_ACTION: re.compile(r"\bpriority[ ]+action", re.I),
}
# "..., in particular:", "the following ...", "as follows:" — a paragraph that introduces a list.
_INTRODUCES_LIST = re.compile(r"(?::|\b(?:in[ ]+particular|the[ ]+following|as[ ]+follows|below"
                              r"|including)\b[^.]*[.:]?)$", re.I)
_LEAD_IN_CUES = re.compile(r"\b(?:following|below|identified|as[ ]+follows|were|was|include)\b",
                           re.I)
# A statement that a section has nothing: "None identified.", "There are no areas for ...".
_NONE_SHORT = re.compile(r"^(?:none|nil|n/?a|not[ ]+applicable|no)(?:[ ]+(?:were|was|have[ ]+been"
                         r"|has[ ]+been|are))?(?:[ ]+(?:identified|found|noted|recorded|required"
                         r"|to[ ]+report))?[ ]*[.!]?$", re.I)
_NONE_SENTENCE = re.compile(
    r"\b(?:no|not[ ]+(?:identify|find|identified|found)[ ]+any|none[ ]+of[ ]+the|were[ ]+not"
    r"[ ]+any)[ ]+(?:further[ ]+|specific[ ]+|significant[ ]+|other[ ]+)?(?:(?:areas?|aspects?)"
    r"(?:[ ]+(?:for|of|requiring)[ ]+(?:further[ ]+)?(?:priority[ ]+action|immediate[ ]+action"
    r"|development|improvement))?\b|priority[ ]+actions?\b|strengths\b|development[ ]+areas?\b"
    r"|improvements?\b)", re.I)
_NO_PRIORITY_ACTION = re.compile(
    r"\b(?:no|not[ ]+(?:identify|find|identified|found)[ ]+any|were[ ]+not[ ]+any)[ ]+"
    r"(?:(?:areas?|aspects?|issues?|matters?)[ ]+(?:for|of|requiring|needing)[ ]+)?"
    r"(?:immediate[ ]+|urgent[ ]+)?priority[ ]+actions?\b", re.I)
_MAX_NONE_CHARS = 200
# Letter talk after the findings: "I am grateful ...", "Please ...", "will be published".
_CLOSING = re.compile(r"\b(?:I|we|We|you|You|your|Your|please|Please|this[ ]+letter|This[ ]+letter"
                      r"|will[ ]+be[ ]+published)\b")
_MAX_SUBHEADING_WORDS = 8


@dataclass
class _Start:
    """Where a section starts: the first line of its region, and its heading line if any."""

    line: int
    name: str
    heading: int | None = None


def _is_none_statement(text: str) -> bool:
    text = text.strip()
    return len(text) <= _MAX_NONE_CHARS and bool(
        _NONE_SHORT.match(text) or _NONE_SENTENCE.search(text))


def _topics_of(text: str) -> list[str]:
    return [name for name, pattern in _TOPICS.items() if pattern.search(text)]


def _next_line(lines: list[_Line], index: int, stop: int) -> _Line | None:
    return lines[index + 1] if index + 1 < stop else None


def _section_starts(lines: list[_Line], first: int, stop: int) -> list[_Start]:
    """Section starts in the body: headings (with their lead-ins) and heading-less lead-ins."""
    starts: list[_Start] = []
    for line in lines[first:stop]:
        heading = match_heading(line.text)
        if heading is not None:
            starts.append(_Start(line.index, heading.section, line.index))
    taken = {start.line for start in starts}
    # A lead-in just before a heading belongs to the section it introduces.
    for start in starts:
        previous = start.line - 1
        if previous < first or previous in taken:
            continue
        line = lines[previous]
        if line.is_item or _is_none_statement(line.text):
            continue
        if line.text.endswith(":") or (start.name in _topics_of(line.text)
                                       and _LEAD_IN_CUES.search(line.text)):
            start.line = previous
    # Lead-ins without a heading: "..., in particular:" + bullets (satisfactory findings) and
    # "The following strengths were identified:" + bullets.
    satisfactory_found = any(start.name == SATISFACTORY for start in starts)
    for line in lines[first:stop]:
        if line.is_item or line.index in taken or any(s.line == line.index for s in starts):
            continue
        following = _next_line(lines, line.index, stop)
        topics = _topics_of(line.text)
        if (not satisfactory_found and SATISFACTORY in topics and _INTRODUCES_LIST.search(line.text)
                and (line.text.endswith(":") or (following is not None and following.is_item))
                and (following is None or match_heading(following.text) is None)):
            starts.append(_Start(line.index, SATISFACTORY))
            satisfactory_found = True
        elif (len(topics) == 1 and topics[0] != SATISFACTORY and following is not None
              and following.is_item and _LEAD_IN_CUES.search(line.text)
              and re.search(r"\b(?:following|below|as[ ]+follows)\b|:$", line.text, re.I)):
            starts.append(_Start(line.index, topics[0]))
    # "No areas for priority action were identified." after the findings, without a heading.
    first_finding = min((start.line for start in starts), default=stop)
    named = {start.name for start in starts}
    for line in lines[first_finding:stop]:
        topics = _topics_of(line.text)
        if (not line.is_item and len(topics) == 1 and topics[0] not in named
                and _is_none_statement(line.text)
                and not any(start.line <= line.index <= (start.heading or start.line) + 1
                            and start.name == topics[0] for start in starts)):
            starts.append(_Start(line.index, topics[0]))
            named.add(topics[0])
    return sorted(starts, key=lambda start: start.line)


def _is_subheading(lines: list[_Line], line: _Line, stop: int) -> bool:
    following = _next_line(lines, line.index, stop)
    return (len(line.text.split()) <= _MAX_SUBHEADING_WORDS
            and not line.text.endswith((".", "!", "?", ";"))
            and following is not None and following.is_item)


def _collect_findings(text: str, lines: list[_Line], section: Section, body_first: int,
                      stop: int, inline: int | None) -> None:
    """Fill ``section.findings`` / ``none_identified`` from its lines ``body_first:stop``.

    With bullet items, the items are the findings, and so is a plain paragraph between two items
    (a bullet whose glyph was lost); paragraphs before or after the list are prose. Without items,
    each paragraph is a finding except lead-ins (ending with ":"), sub-headings and closing
    remarks. Statements that there is nothing to report set ``none_identified`` instead.
    """
    body = lines[body_first:stop]
    candidates: list[tuple[int, int]] = []
    if inline is not None:
        heading_line = lines[body_first - 1]
        candidates.append((heading_line.start + inline, heading_line.end))
    items = [line.index for line in body if line.is_item]
    for line in body:
        if line.is_item:
            candidates.append((line.content_start, line.end))
        elif _is_none_statement(line.text):
            section.none_identified = True
        elif line.text.endswith(":") or _is_subheading(lines, line, stop):
            continue
        elif ((items and items[0] < line.index < items[-1])
              or (not items and not _CLOSING.search(line.text))):
            candidates.append((line.start, line.end))
    for start, end in candidates:
        if _is_none_statement(text[start:end]):
            section.none_identified = True
        else:
            section.findings.append(Finding(section.name, text[start:end], start, end))


def _trailing_closing(lines: list[_Line], first: int, stop: int) -> int:
    """Index from which the last lines of a region are closing remarks (``stop`` if none)."""
    cut = stop
    for line in reversed(lines[first:stop]):
        if line.is_item or not _CLOSING.search(line.text) or _is_none_statement(line.text):
            break
        cut = line.index
    return cut


@dataclass
class _Region:
    """A run of lines that becomes one section: its first line, name and start (if any)."""

    first: int
    name: str
    start: _Start | None = None


def _regions(lines: list[_Line], anchors: _Anchors) -> list[_Region]:
    """The letter cut into regions: header, introduction, finding sections, closing, sign-off."""
    header_end = anchors.header_end
    body_first = header_end + 1 if header_end is not None else 0
    tail = anchors.sign_off if anchors.sign_off is not None else anchors.copy_label
    body_stop = tail if tail is not None and tail >= body_first else len(lines)
    starts = _section_starts(lines, body_first, body_stop)
    regions: list[_Region] = []
    if header_end is not None:
        regions.append(_Region(0, HEADER))
    if body_first < body_stop and (not starts or starts[0].line > body_first):
        regions.append(_Region(body_first, INTRODUCTION if header_end is not None else OTHER))
    regions.extend(_Region(start.line, start.name, start) for start in starts)
    if starts:
        last = starts[-1]
        cut = _trailing_closing(lines, (last.heading if last.heading is not None
                                        else last.line) + 1, body_stop)
        if cut < body_stop:
            regions.append(_Region(cut, OTHER))
    if body_stop < len(lines):
        regions.append(_Region(body_stop, SIGN_OFF))
    return regions


def _make_section(text: str, lines: list[_Line], region: _Region, stop: int,
                  char_start: int) -> Section:
    """The section of ``region`` (lines ``region.first:stop``), findings collected."""
    char_end = lines[stop].start if stop < len(lines) else len(text)
    start = region.start
    heading_text: str | None = None
    inline: int | None = None
    if start is not None and start.heading is not None:
        heading_line = lines[start.heading]
        found = match_heading(heading_line.text)
        inline = found.content_start if found is not None else None
        heading_text = heading_line.text[:inline].rstrip() if inline else heading_line.text
    section = Section(region.name, heading_text, char_start, char_end)
    if region.name in FINDING_SECTIONS and start is not None:
        if start.heading is None and _is_none_statement(lines[start.line].text):
            section.none_identified = True  # "No areas for priority action were identified."
        items_first = (start.heading if start.heading is not None else start.line) + 1
        _collect_findings(text, lines, section, items_first, stop, inline)
    return section


def _build_sections(text: str, lines: list[_Line], anchors: _Anchors) -> list[Section]:
    """Contiguous sections from 0 to ``len(text)`` (see the module docstring)."""
    if not lines:
        return []
    regions = _regions(lines, anchors)
    sections: list[Section] = []
    for position, region in enumerate(regions):
        stop = regions[position + 1].first if position + 1 < len(regions) else len(lines)
        if stop > region.first:
            char_start = lines[region.first].start if sections else 0
            sections.append(_make_section(text, lines, region, stop, char_start))
    if sections:
        sections[-1].char_end = len(text)
    return sections


def _carve_priority_statement(text: str, sections: list[Section]) -> list[Section]:
    """Make "no areas for priority action" stated outside a section a PRIORITY_ACTION section."""
    if any(section.name == PRIORITY_ACTION for section in sections):
        return sections
    for position, section in enumerate(sections):
        if section.name in (SIGN_OFF, HEADER) or section.findings:
            continue
        for sentence in _SENTENCE.finditer(text, section.char_start, section.char_end):
            if not _NO_PRIORITY_ACTION.search(sentence.group(0)):
                continue
            raw = sentence.group(0)
            start = sentence.start() + (len(raw) - len(raw.lstrip()))
            end = sentence.start() + len(raw.rstrip())
            pieces = [Section(section.name, section.heading, section.char_start, start),
                      Section(PRIORITY_ACTION, None, start, end, none_identified=True),
                      Section(section.name, None, end, section.char_end)]
            kept = [piece for piece in pieces if piece.char_end > piece.char_start]
            return sections[:position] + kept + sections[position + 1:]
    return sections


# ============================================================================================
# Entry point


def _span(line: _Line | None) -> tuple[int, int] | None:
    return (line.start, line.end) if line is not None else None


def _block_span(lines: list[_Line]) -> tuple[int, int] | None:
    return (lines[0].start, lines[-1].end) if lines else None


def _extract_metadata(lines: list[_Line], anchors: _Anchors) -> LetterMetadata:
    meta = LetterMetadata()
    spans: dict[str, tuple[int, int] | None] = {}
    letter_date = _find_letter_date(lines, anchors)
    date_line = letter_date[1] if letter_date else None
    if letter_date is not None:
        meta.letter_date = letter_date[0].isoformat()
        spans["letter_date"] = _span(date_line)

    subject = lines[anchors.subject] if anchors.subject is not None else None
    if subject is not None:
        meta.inspection_type = _inspection_type(subject.text) or None
        spans["inspection_type"] = _span(subject)

    addressee = _parse_addressee(lines, anchors, date_line)
    meta.addressee_name, meta.addressee_title = addressee.name, addressee.title
    if addressee.lines:
        spans["addressee"] = _block_span(addressee.lines)
        spans["addressee_name"] = _span(addressee.lines[0])
        spans["addressee_title"] = _block_span(
            addressee.lines[:addressee.lines.index(addressee.authority_line) + 1]
            if addressee.authority_line is not None else addressee.lines[:2])
    meta.authority, authority_line = addressee.authority, addressee.authority_line
    if meta.authority is None and subject is not None:
        found = _authority_in(subject.text)
        if found is not None:
            meta.authority, authority_line = found.authority.name, subject
    if meta.authority is None:  # the body first: the letterhead names Ofsted's own town
        body = anchors.header_end + 1 if anchors.header_end is not None else 0
        for line in lines[body:] + lines[:body]:
            found = _authority_in(line.text)
            if found is not None:
                meta.authority, authority_line = found.authority.name, line
                break
    spans["authority"] = _span(authority_line)

    body_first = anchors.header_end + 1 if anchors.header_end is not None else 0
    written = letter_date[0] if letter_date else None
    inspection = _find_inspection_dates(lines, body_first, date_line, written)
    if inspection is None and body_first:
        inspection = _find_inspection_dates(lines, 0, date_line, written)
    if inspection is not None:
        dates, line = inspection
        meta.inspection_start, meta.inspection_end = min(dates).isoformat(), max(dates).isoformat()
        for key in ("inspection_dates", "inspection_start", "inspection_end"):
            spans[key] = _span(line)

    signatory = _parse_signatory(lines, anchors)
    meta.signatory_name, meta.signatory_title = signatory.name, signatory.title
    if signatory.lines:
        spans["signatory"] = _block_span(signatory.lines)
        spans["signatory_name"] = _span(signatory.lines[0])
        spans["signatory_title"] = _span(signatory.lines[-1]) if signatory.title else None

    meta.copy_list, copy_lines = _parse_copy_list(lines, anchors)
    spans["copy_list"] = _block_span(copy_lines)
    meta.spans = {key: value for key, value in spans.items() if value is not None}
    return meta


def _find_anchors(lines: list[_Line]) -> _Anchors:
    anchors = _Anchors()
    anchors.salutation = _find_salutation(lines)
    anchors.subject = _find_subject(lines, anchors.salutation)
    anchors.sign_off, anchors.copy_label = _find_sign_off(lines)
    header_end = anchors.header_end
    if header_end is not None and anchors.sign_off is not None and anchors.sign_off <= header_end:
        anchors.sign_off = None
    return anchors


def parse_letter(text: str) -> ParsedLetter:
    """Parse a letter's canonical text into metadata, sections and findings.

    Args:
        text: the canonical text (``normalize_text`` output); other text is parsed line by line
            as it is. It is never modified: ``ParsedLetter.text is text``.

    Returns:
        The parsed letter; spans are offsets into ``text``. Never raises: text that follows no
        template gives an ``OTHER`` section and whatever metadata could be found.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    lines = _split_lines(text)
    try:
        anchors = _find_anchors(lines)
    except Exception:  # never fail a letter: fall back to no template at all
        logger.warning("letter anchors not found chars=%d", len(text), exc_info=True)
        anchors = _Anchors()
    try:
        metadata = _extract_metadata(lines, anchors)
    except Exception:
        logger.warning("letter metadata not parsed chars=%d", len(text), exc_info=True)
        metadata = LetterMetadata()
    try:
        sections = _carve_priority_statement(text, _build_sections(text, lines, anchors))
    except Exception:
        logger.warning("letter sections not parsed chars=%d", len(text), exc_info=True)
        sections = [Section(OTHER, None, 0, len(text))] if text.strip() else []
    letter = ParsedLetter(text=text, metadata=metadata, sections=sections)
    try:
        letter.flags = find_instructions(text)
        drop_flagged_findings(letter)
    except Exception:
        logger.warning("letter not screened for instructions chars=%d", len(text), exc_info=True)
    logger.debug("letter parsed sections=%d findings=%d flags=%d authority=%s", len(sections),
                 sum(len(s.findings) for s in sections), len(letter.flags), metadata.authority)
    return letter
