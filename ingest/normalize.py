"""Normalisation: raw extracted text -> the ONE canonical text per letter that is stored and cited.

Canonical form (``normalize_text`` returns it, and it is a fixed point:
``normalize_text(normalize_text(x)) == normalize_text(x)``):

- ``"\\n"`` line endings, no trailing spaces, no runs of spaces, no control characters; NBSP and
  the other odd spaces become a plain space; zero-width characters, soft hyphens and stray
  private-use glyphs are removed; ``fi``/``fl`` ligatures are spelled out. Letters' wording,
  curly quotes and dashes are kept as they are.
- Each paragraph is one line: lines wrapped mid-sentence are joined with a space.
- Each bullet item is one line starting with ``"- "``, whatever its glyph was (``•``, ``o``,
  ``–``, ``-``, ``*``, ``▪``, Symbol/Wingdings private-use glyphs such as U+F0B7, a glyph alone on
  its line, or a lone leading space left where the glyph was lost in extraction).
- Blocks are separated by exactly one blank line. A block is a paragraph, a short line that
  stands alone (date, heading, "Yours sincerely", a name, a title), a list (its items on
  consecutive lines) or the copy list ("Copy: ..." and the names after it, on consecutive lines).
- Page furniture is removed: "Page 2 of 3", "- 2 -" and lone page numbers anywhere. With pages
  separated by ``"\f"`` (the PDF loader does this), lines repeated at the top of several pages
  (the letterhead) are kept on the first page only, and lines repeated at the bottom of pages are
  removed. With or without page breaks, a line at a page edge (the first or last lines of a page,
  or next to a page label) that looks like a running header or footer (a UK postcode, a web or
  e-mail address, part of the letterhead, or repeated) is removed, as are later copies of the
  letterhead's lines. Removed lines leave no blank line, so a paragraph carries on across a page
  break.

When two lines are joined (a line is "wrapped"):

- the next line starts with a lower-case letter (across a blank line only when the previous line
  does not end a sentence or clause), or
- the previous line ends with a comma, "&", a dash or a word that cannot end a sentence ("the",
  "of", "and", ...), or
- the previous line is as long as the document's wrapped lines (75% of the 90th percentile of line
  lengths) and does not end with ``. ! ? : ;``, or
- the previous line is that long and ends a sentence with ``.``, and either blank lines separate
  the paragraphs of this text (so a line break without one is a wrap), or the line belongs to a
  bullet item and the next line does not introduce a section ("The following strengths ...").

Never joined: bullet items (each starts its own line), headings, "Dear ...", "Yours sincerely",
the copy label, date lines, numbered items after a finished sentence, and the line after any of
them. So short lines that do not end mid-sentence keep their own line. In the copy list, a line
starting with a name and a comma ("Andrew Spencer, ...") starts a new entry.

Hyphenated line breaks: ``"assess-\nment"`` becomes ``"assessment"``. The hyphen is kept when the
next part starts with a capital or digit ("16-\n17" -> "16-17"), when the hyphenated word occurs
elsewhere in the letter ("multi-agency"), or when the first part is a common compound element
("well", "self", "non", "co", "cross", "multi", "decision", "anti") and the joined word does not
occur elsewhere in the letter.

Line vocabulary (bullets, section headings, salutation, sign-off, copy label) lives here because
normalisation and :mod:`ingest.parsing` must agree on it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ingest.models import AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION, SATISFACTORY, STRENGTHS

logger = logging.getLogger(__name__)

PAGE_BREAK = "\f"
_MAX_PASSES = 4  # normalisation converges in one or two passes; this is a safety net

# ============================================================================================
# Line vocabulary shared with the parser

# Glyphs that are bullets wherever they start a line, with or without a space after them.
_GLYPHS = "•◦▪▫■□●○‣⁃∙⦁➢➤►▶▸✓✔❖◆◇→·\u2043"
_GLYPH = rf"[{_GLYPHS}\ue000-\uf8ff]"
# A bullet marker at the start of a line: a glyph, or a dash / asterisk / "o" followed by a space.
_BULLET_MARKER = re.compile(rf"^[ ]*(?:{_GLYPH}[ ]*|[-–—*][ ]+|o[ ]+(?=\S))")
# A bullet glyph alone on its line (the item's text is on the next line).
_GLYPH_ONLY = re.compile(rf"^[ ]*(?:{_GLYPH}|[-–—*o])[ ]*$")
# A bullet whose glyph was lost in extraction: one to three spaces, then a capital or digit.
_LONE_SPACE_BULLET = re.compile(r"^[ ]{1,3}(?=[A-Z0-9\"'‘“(])")
_DASH_MARKER = re.compile(r"^[ ]*[-–—][ ]+(?=[a-z])")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def split_bullet(line: str) -> tuple[int, str] | None:
    """Recognise a bullet item by its explicit marker.

    Returns:
        ``(offset, content)`` where ``offset`` is where the item's text starts in ``line``, or
        None when ``line`` has no bullet marker (a lone leading space does not count here).
    """
    match = _BULLET_MARKER.match(line)
    if match is None or not line[match.end():].strip():
        return None
    offset = match.end()
    content = line[offset:].rstrip()
    return offset, content


def lone_space_bullet(line: str) -> bool:
    """True for a line starting with a lone space and a capital (a bullet that lost its glyph)."""
    return _LONE_SPACE_BULLET.match(line) is not None


# Numbering before a heading: "1.", "2)", "(a)", "A.", "iv.", "Section 3:", "#" (Markdown).
_HEADING_PREFIX = (r"^[ ]*(?:\#{1,6}[ ]*)?(?:(?:section|part)[ ]+)?"
                   r"(?:(?:\d{1,2}(?:\.\d{1,2})*|[a-h]|[ivx]{1,4})[.)][ ]*"
                   r"|\((?:\d{1,2}|[a-h]|[ivx]{1,4})\)[ ]*|\d{1,2}[ ]+)?")
# The words of each section heading, singular and plural, with common variants.
_AREA_NOUN = r"(?:areas?|aspects?|points?|matters?|issues?)[ ]+"
_HEADING_WORDS: tuple[tuple[str, str], ...] = (
    (PRIORITY_ACTION,
     rf"{_AREA_NOUN}(?:for|of|requiring|needing)[ ]+(?:immediate[ ]+|urgent[ ]+)?priority[ ]+"
     r"(?:action|attention|improvement)s?(?:[ ]+identified)?"
     r"|priority[ ]+(?:actions?|areas?(?:[ ]+for[ ]+action)?)(?:[ ]+identified)?"
     rf"|{_AREA_NOUN}for[ ]+(?:immediate|urgent)[ ]+action"),
    (AREAS_FOR_DEVELOPMENT,
     rf"{_AREA_NOUN}(?:for|of|requiring|needing)[ ]+(?:further[ ]+)?(?:development|improvement)"
     r"(?:[ ]+identified)?|development[ ]+(?:areas?|points?)|areas?[ ]+to[ ]+(?:develop|improve)"),
    (STRENGTHS,
     r"(?:(?:key|main|particular|the|notable)[ ]+)?strengths?(?:[ ]+identified)?"
     r"|areas?[ ]+of[ ]+strength"),
    (SATISFACTORY,
     r"(?:areas?[ ]+(?:of|where)[ ]+)?satisfactory(?:[ ]+(?:practice|performance|findings?|areas?"
     r"|arrangements|work))?|what[ ]+(?:is|was)[ ]+(?:working|done)[ ]+satisfactorily"),
)
_HEADING_ALONE = tuple(
    (name, re.compile(_HEADING_PREFIX + rf"(?-i:(?=[A-Z]))({words})[ ]*[:.\-–—]?[ ]*$", re.I))
    for name, words in _HEADING_WORDS)
# A heading followed on the same line by its content: "Area for priority action: None."
_HEADING_INLINE = tuple(
    (name, re.compile(_HEADING_PREFIX + rf"(?-i:(?=[A-Z]))({words})[ ]*[:\-–—][ ]+(?=\S)", re.I))
    for name, words in _HEADING_WORDS)
_MAX_HEADING_CHARS = 80
_HEADING_HINT = re.compile(r"strength|develop|improv|priorit|satisfactor|immediate|urgent", re.I)


@dataclass(frozen=True)
class HeadingMatch:
    """A section heading found at the start of a line.

    ``content_start`` is the offset in the line where inline content begins ("Strengths: ...")
    or None when the heading stands alone.
    """

    section: str
    content_start: int | None


def match_heading(line: str) -> HeadingMatch | None:
    """Recognise a section heading line ("Strengths", "2. AREAS FOR DEVELOPMENT:", ...)."""
    if _HEADING_HINT.search(line, 0, _MAX_HEADING_CHARS + 20) is None:
        return None  # a cheap test first: most lines are not headings
    stripped = line.rstrip()
    if len(stripped) <= _MAX_HEADING_CHARS:
        for name, pattern in _HEADING_ALONE:
            if pattern.match(stripped):
                return HeadingMatch(name, None)
    for name, pattern in _HEADING_INLINE:
        match = pattern.match(stripped)
        if match is not None and len(match.group(1)) <= _MAX_HEADING_CHARS:
            return HeadingMatch(name, match.end())
    return None


# "Dear Mr Wooster" / "Dear Julian,"
SALUTATION_RE = re.compile(r"^[ ]*dear[ ]+\S.{0,80}$", re.I)
# "Yours sincerely", "Yours faithfully,", "Kind regards"
SIGN_OFF_RE = re.compile(
    r"^[ ]*(?:yours[ ]+(?:sincerely|faithfully|truly)|(?:with[ ]+)?(?:kind|best|warm)(?:est)?"
    r"[ ]+(?:regards|wishes)|regards)[ ]*[,.!]?[ ]*$", re.I)
# "Copy: ...", "Copies to:", "cc Mr Smith", "CC:" — the label is case-insensitive, but after a
# bare label without a colon a capital must follow ("Copy of the report" is not a copy list).
COPY_LABEL_RE = re.compile(
    r"^[ ]*(?i:copy|copies|cc|c\.c\.)(?:[ ]+(?i:to))?(?:[ ]*:[ ]*|[ ]*$|[ ]+(?=[A-Z]))")

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
           r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# A line that is only a date ("9 December 2009", "Date: 9th December 2009").
_DATE_LINE = re.compile(
    rf"^[ ]*(?:date[ ]*:?[ ]*)?(?:[a-z]+day,?[ ]+)?(?:\d{{1,2}}(?:st|nd|rd|th)?[ ]+{_MONTHS}"
    rf"|{_MONTHS}[ ]+\d{{1,2}}(?:st|nd|rd|th)?,?)[ ]+\d{{4}}[ ]*$", re.I)


def _is_structural(line: str) -> bool:
    """Lines that always stand alone: headings, salutation, sign-off, copy label, dates."""
    if SALUTATION_RE.match(line) or SIGN_OFF_RE.match(line) or _DATE_LINE.match(line):
        return True
    if COPY_LABEL_RE.match(line):
        return True
    heading = match_heading(line)
    return heading is not None and heading.content_start is None


# ============================================================================================
# Characters

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b]")
_ODD_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLES = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # keeps \n and the page break \f
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad[ \t]*\n[ \t]*")
_SPACE_RUN = re.compile(r"[ ]{2,}")
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
                            "\u2010": "-", "\u2011": "-"})
# A strong bullet glyph in the middle of a line: extraction lost the line break before it.
_INLINE_BULLET = re.compile(r"(?<=\S)[ ]+([•▪●◦\ue000-\uf8ff])[ ]+(?=\S)")


def _clean_characters(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw)
    text = _LINE_BREAKS.sub("\n", text)
    text = text.translate(_LIGATURES)
    text = _SOFT_HYPHEN_BREAK.sub("", text).replace("\u00ad", "")
    text = _INVISIBLES.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _CONTROLS.sub("", text)
    return _INLINE_BULLET.sub(r"\n\1 ", text)


# ============================================================================================
# Page furniture

# "Page 2 of 3", "Page 2", "2 of 3", "2/3", "- 2 -", "2" alone on a line.
_PAGE_LABEL = re.compile(r"^[ ]*(?:page[ ]*\d+(?:[ ]*(?:of|/)[ ]*\d+)?|-[ ]*\d{1,3}[ ]*-"
                         r"|\d{1,3}(?:[ ]*(?:of|/)[ ]*\d{1,3})?)[ ]*$", re.I)
# A footer line ending with "Page 2 of 3".
_PAGE_OF_TAIL = re.compile(r"\bpage[ ]+\d+[ ]+of[ ]+\d+[ ]*$", re.I)
_RULE_LINE = re.compile(r"^[ ]*[-_=*~.·•]{3,}[ ]*$")  # separator lines: "-----", "_____"
_TERMINAL_END = re.compile(r"[.!?][\"'’”)\]]*$")
_PAGE_TOP_LINES = 8
_PAGE_BOTTOM_LINES = 5
_HEADER_ZONE_LINES = 12
_MIN_REPEATED_CHARS = 10


def _is_page_label(line: str) -> bool:
    return bool(_PAGE_LABEL.match(line)) or (len(line) < 120
                                              and _PAGE_OF_TAIL.search(line) is not None)


def _furniture_key(line: str) -> str:
    """Compare page headers/footers ignoring spacing, case and page numbers."""
    return re.sub(r"\d+", "#", " ".join(line.split())).casefold()


def _edge_indices(lines: list[str], count: int, from_end: bool) -> list[int]:
    """The first ``count`` non-blank lines, or the last ones that are not among the first."""
    indices = [i for i, line in enumerate(lines) if line.strip()]
    if not from_end:
        return indices[:count]
    return indices[_PAGE_TOP_LINES:][-count:]


def _drop_repeated_page_edges(pages: list[list[str]]) -> list[list[str]]:
    """Remove lines repeated at the top (except on page 1) or bottom of several pages."""
    dropped: set[tuple[int, int]] = set()
    for from_end, count in ((False, _PAGE_TOP_LINES), (True, _PAGE_BOTTOM_LINES)):
        zones = [_edge_indices(lines, count, from_end) for lines in pages]
        counts: Counter[str] = Counter()
        for lines, zone in zip(pages, zones, strict=True):
            counts.update({_furniture_key(lines[i]) for i in zone})
        repeated = {key for key, n in counts.items() if n >= 2 and len(key) >= 3}
        for page_no, (lines, zone) in enumerate(zip(pages, zones, strict=True)):
            if page_no == 0 and not from_end:
                continue  # the letterhead stays on the first page
            dropped.update((page_no, i) for i in zone if _furniture_key(lines[i]) in repeated
                           and split_bullet(lines[i]) is None
                           and not _is_structural(lines[i].strip()))
    # Removed without leaving a blank line: a paragraph may go on across the page break.
    return [[line for i, line in enumerate(lines) if (page_no, i) not in dropped]
            for page_no, lines in enumerate(pages)]


def _drop_repeated_header_lines(lines: list[str]) -> list[str]:
    """Without page breaks: drop later copies of letterhead lines and repeated contact lines."""
    def key(line: str) -> str:
        return " ".join(line.split()).casefold()

    def candidate(line: str) -> bool:
        stripped = line.strip()
        return (len(stripped) >= _MIN_REPEATED_CHARS and not _TERMINAL_END.search(stripped)
                and split_bullet(line) is None and not lone_space_bullet(line)
                and not _is_structural(stripped))

    letterhead = set(_letterhead_indices(lines))
    letterhead_keys = {key(lines[i]) for i in letterhead if candidate(lines[i])}
    counts = Counter(key(line) for line in lines if candidate(line))
    out: list[str] = []
    for i, line in enumerate(lines):
        if i not in letterhead and candidate(line):
            k = key(line)
            contact = _POSTCODE.search(line) is not None or _CONTACT.search(line) is not None
            if k in letterhead_keys or (counts[k] >= 2 and contact):
                continue
        out.append(line)
    return out


# A copy-list entry starts with a name: "Cllr John Ireland," / "Andrew Spencer,".
_COPY_ENTRY_START = re.compile(r"^(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|Cllr|Councillor)"
                               r"\.?[ ]+)?[A-Z][\w'’.-]*(?:[ ]+[A-Z][\w'’.-]*){1,3}[ ]*,")
_HONORIFIC_LINE = re.compile(r"^[ ]*(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|Cllr|Councillor)"
                             r"\.?[ ]+[A-Z]")


def _letterhead_indices(lines: list[str]) -> list[int]:
    """The letterhead: non-blank lines before the date, the addressee or "Dear ..." (at most 12)."""
    head: list[int] = []
    for i, line in enumerate(lines):
        stripped = " ".join(line.split())
        if not stripped:
            continue
        if (_DATE_LINE.match(stripped) or SALUTATION_RE.match(stripped)
                or _HONORIFIC_LINE.match(stripped) or len(head) == _HEADER_ZONE_LINES):
            break
        head.append(i)
    return head


# Signs of a running header/footer line: a UK postcode, a web or e-mail address.
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?[ ]+\d[A-Z]{2}\b")
_CONTACT = re.compile(r"www\.|@|https?://", re.I)
_EDGE_LINES = 2


def _letterhead_text(lines: list[str]) -> str:
    return " ".join(" ".join(lines[i].split()) for i in _letterhead_indices(lines))


def _is_running_header(line: str, letterhead: str, counts: Counter[str]) -> bool:
    """A page header/footer line: repeated, part of the letterhead, or an address/contact line."""
    stripped = " ".join(line.split())
    if not stripped or len(stripped) > 150 or _TERMINAL_END.search(stripped):
        return False
    if split_bullet(line) is not None or lone_space_bullet(line) or _is_structural(stripped):
        return False
    return (counts[_furniture_key(stripped)] >= 2
            or (len(stripped) >= _MIN_REPEATED_CHARS and stripped in letterhead)
            or _POSTCODE.search(stripped) is not None or _CONTACT.search(stripped) is not None)


def _page_edges(pages: list[list[str]]) -> tuple[list[str], set[int]]:
    """All lines, and the indices of lines at page edges where running headers sit.

    Edges are the first lines of pages after the first and the last lines of every page (when
    pages are separated by form feeds), and the lines around a page label ("Page 2 of 3").
    """
    lines: list[str] = []
    edges: set[int] = set()
    for number, page in enumerate(pages):
        non_blank = [len(lines) + i for i, line in enumerate(page) if line.strip()]
        if len(pages) > 1:
            if number > 0:
                edges.update(non_blank[:_EDGE_LINES])
            edges.update(non_blank[-_EDGE_LINES:])
        lines.extend(page)
    non_blank = [i for i, line in enumerate(lines) if line.strip()]
    for k, i in enumerate(non_blank):
        if _is_page_label(lines[i]):
            edges.update(non_blank[max(0, k - 1):k] + non_blank[k + 1:k + 1 + _EDGE_LINES])
    return lines, edges


def _remove_page_furniture(text: str) -> str:
    pages = [page.split("\n") for page in text.split(PAGE_BREAK)]
    if len(pages) > 1:
        pages = _drop_repeated_page_edges(pages)
    lines, edges = _page_edges(pages)
    letterhead = _letterhead_text(lines)
    counts = Counter(_furniture_key(line) for line in lines if line.strip())
    kept = [line for i, line in enumerate(lines)
            if not _is_page_label(line)
            and not (i in edges and _is_running_header(line, letterhead, counts))]
    return "\n".join(_drop_repeated_header_lines(kept))


# ============================================================================================
# Lines, wrapping and joining

_SOFT_END = re.compile(r"[:;][\"'’”)\]]*$")
# A line ending that cannot end a sentence: a comma, "&", a dash or a function word.
_CONNECTOR_END = re.compile(
    r"(?:[,&+/–—]|(?<=\s)-|\b(?:a|an|the|and|or|nor|but|of|to|in|on|at|by|for|from|with|within"
    r"|into|onto|upon|between|including|than|that|which|who|whom|whose|where|when|as|is|are|was"
    r"|were|be|been|being|has|have|had|not|their|its|his|her|our|your|this|these|those|such|both"
    r"|either|neither|under|over|across|through|during|about|against|among|via|per|whether|if"
    r"|so|very|more|most|less|all|any|each|every|some|no|will|would|should|could|may|must"
    r"|can|shall|do|does|did))$", re.I)
# A line ending with a word broken by a hyphen: "assess-".
_HYPHEN_END = re.compile(r"\b([A-Za-z0-9]+)-$")
_WORD_START = re.compile(r"[A-Za-z0-9]+")
_WORD_FORMS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# First parts of compounds that keep their hyphen across a line break ("multi-\nagency").
_COMPOUND_FIRST_PARTS = frozenset({"well", "self", "non", "co", "cross", "multi", "decision",
                                   "anti"})
# A list item's number or letter: "ii)", "(b)", "c.".
_ENUMERATOR = re.compile(r"^(?:\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)|(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])"
                         r"[ ]+\S")
# Words of a paragraph that introduces a section rather than carrying on a bullet item.
_INTRODUCES_SECTION = re.compile(r"\bstrengths?\b|\b(?:areas?|aspects?)[ ]+for[ ]+(?:further[ ]+)?"
                                 r"(?:development|improvement)\b|\bpriority[ ]+action|"
                                 r"\bthe[ ]+following\b|:$", re.I)
_WRAP_QUANTILE = 0.9
_WRAP_SHARE = 0.75
_MIN_WRAP_CHARS = 40
_MAX_COPY_ENTRY_CHARS = 200
_BLANK_SEPARATED_SHARE = 0.1


@dataclass(frozen=True)
class _Layout:
    """What the join rules need to know about the whole text."""

    wrap_threshold: float  # a line at least this long reaches the right margin
    blank_separated: bool  # paragraphs are separated by blank lines (text files, not pypdf)


@dataclass
class _Line:
    """A physical line: its content (bullet marker removed), whether it is a bullet item."""

    content: str
    bullet: bool
    length: int
    blank_before: bool


@dataclass
class _Item:
    """A logical line of the output: a paragraph, a bullet item, a short line or a copy entry."""

    text: str
    bullet: bool
    last: _Line
    copy: bool = False
    structural: bool = False  # a heading, salutation, sign-off, date or copy label


def _collapse(line: str) -> str:
    return _SPACE_RUN.sub(" ", _PRIVATE_USE.sub("", line)).strip()


def _layout(lines: list[str]) -> _Layout:
    """Measure the text: where its lines wrap, and whether blank lines separate paragraphs."""
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if not lengths:
        return _Layout(float("inf"), False)
    quantile = lengths[int(_WRAP_QUANTILE * (len(lengths) - 1))]
    blank_runs = sum(1 for i, line in enumerate(lines)
                     if not line.strip() and i > 0 and lines[i - 1].strip())
    return _Layout(max(_MIN_WRAP_CHARS, _WRAP_SHARE * quantile),
                   blank_runs >= _BLANK_SEPARATED_SHARE * len(lengths))


def _continues(line: _Line, threshold: float) -> bool:
    """True when ``line`` ends mid-sentence (so the next line carries on its text)."""
    if _is_structural(line.content):
        return False
    if _CONNECTOR_END.search(line.content) or _HYPHEN_END.search(line.content):
        return True
    ends = _TERMINAL_END.search(line.content) or _SOFT_END.search(line.content)
    return not ends and line.length >= threshold


def _read_lines(text: str, threshold: float) -> list[_Line]:
    """Physical lines with bullets recognised; blank and separator lines become flags."""
    out: list[_Line] = []
    blank = False
    pending_bullet = False
    for raw in text.split("\n"):
        stripped = _collapse(raw)
        if not stripped or _RULE_LINE.match(stripped):
            blank = True
            continue
        if _GLYPH_ONLY.match(raw):
            pending_bullet = True
            continue
        prev = out[-1] if out else None
        bullet, content = False, stripped
        split = split_bullet(raw)
        if split is not None:
            bullet, content = True, _collapse(split[1])
            if (_DASH_MARKER.match(raw) and prev is not None and not blank
                    and prev.content[-1:].isalpha() and _continues(prev, threshold)):
                bullet, content = False, stripped  # "– for example" wrapped onto a new line
        elif pending_bullet:
            bullet = True
        elif lone_space_bullet(raw):
            bullet = blank or prev is None or not _continues(prev, threshold)
        pending_bullet = False
        out.append(_Line(content, bullet, len(stripped), blank))
        blank = False
    return out


def _word_forms(text: str) -> set[str]:
    """Lower-case words and hyphenated words of the text (evidence for de-hyphenation)."""
    return {word.lower() for word in _WORD_FORMS.findall(text)}


def _keep_hyphen(first: str, second: str, vocabulary: set[str]) -> bool:
    if not second[:1].islower():
        return True
    if f"{first}-{second}".lower() in vocabulary:
        return True
    if f"{first}{second}".lower() in vocabulary:
        return False
    return first.lower() in _COMPOUND_FIRST_PARTS


def _should_join(item: _Item, line: _Line, layout: _Layout) -> bool:
    """Decide whether ``line`` carries on the text of ``item`` (see the module docstring)."""
    prev, text = item.last.content, line.content
    full = item.last.length >= layout.wrap_threshold
    if _DATE_LINE.match(text) and _CONNECTOR_END.search(prev) and not line.blank_before:
        return True  # "conducted on 10 and" + "11 November 2009"
    if _is_structural(text):
        return False
    if item.copy:
        if line.blank_before:
            return bool(_CONNECTOR_END.search(prev))
        # Every entry is "Name, title": a full line followed by words without a comma is a wrap,
        # unless the entries are separated by semicolons (then the list is one paragraph).
        new_entry = _COPY_ENTRY_START.match(text) is not None and ";" not in item.text + text
        return (text[:1].islower() or bool(_CONNECTOR_END.search(prev))
                or (full and not _TERMINAL_END.search(prev) and not new_entry))
    if item.structural:
        return False
    if _HYPHEN_END.search(prev) and text[:1].isalnum():
        return not line.blank_before or text[:1].islower()
    ends_clause = bool(_TERMINAL_END.search(prev) or _SOFT_END.search(prev))
    if ends_clause and _ENUMERATOR.match(text):
        return False  # "ii) Children not seen." after "i) Unallocated cases."
    if text[:1].islower():
        return not line.blank_before or not ends_clause
    if line.blank_before:
        return bool(_CONNECTOR_END.search(prev)) and not prev.endswith(",")
    if _TERMINAL_END.search(prev):
        # A full line ending a sentence: the text goes on after the wrap when blank lines separate
        # paragraphs; without them (PDF text) only a bullet item goes on, unless what follows
        # introduces the next section ("The following strengths ...").
        if not (full and prev.endswith(".")):
            return False
        return layout.blank_separated or (item.bullet and not _INTRODUCES_SECTION.search(text))
    if _SOFT_END.search(prev):
        return False
    return bool(_CONNECTOR_END.search(prev)) or full


def _append(item: _Item, line: _Line, vocabulary: set[str]) -> None:
    hyphen = _HYPHEN_END.search(item.last.content)
    word = _WORD_START.match(line.content)
    if hyphen is not None and word is not None:
        if _keep_hyphen(hyphen.group(1), word.group(0), vocabulary):
            item.text += line.content
        else:
            item.text = item.text[:-1] + line.content
    else:
        item.text += " " + line.content
    item.last = line


def _join_lines(lines: list[_Line], layout: _Layout, vocabulary: set[str]) -> list[_Item]:
    items: list[_Item] = []
    in_copy_list = False
    for line in lines:
        current = items[-1] if items else None
        if current is not None and not line.bullet and _should_join(current, line, layout):
            _append(current, line, vocabulary)
            continue
        if COPY_LABEL_RE.match(line.content):
            in_copy_list = True
        elif in_copy_list and (len(line.content) > _MAX_COPY_ENTRY_CHARS
                               or _is_structural(line.content)):
            in_copy_list = False
        items.append(_Item(line.content, line.bullet, line, copy=in_copy_list,
                           structural=_is_structural(line.content)))
    return items


def _render(items: list[_Item]) -> str:
    parts: list[str] = []
    for index, item in enumerate(items):
        if index:
            prev = items[index - 1]
            same_block = (prev.bullet and item.bullet) or (prev.copy and item.copy)
            parts.append("\n" if same_block else "\n\n")
        parts.append("- " + item.text if item.bullet else item.text)
    return "".join(parts)


def _normalize_once(raw: str) -> str:
    text = _remove_page_furniture(_clean_characters(raw))
    layout = _layout(text.split("\n"))
    lines = _read_lines(text, layout.wrap_threshold)
    return _render(_join_lines(lines, layout, _word_forms(text)))


def normalize_text(raw: str) -> str:
    """Turn raw extracted letter text into the canonical text that is stored and cited.

    Args:
        raw: text from :func:`ingest.loaders.load_letter` (any line endings; pages may be
            separated by ``"\\f"``).

    Returns:
        The canonical text described in this module's docstring; ``""`` for blank input.
    """
    text = raw
    for _ in range(_MAX_PASSES):
        normalized = _normalize_once(text)
        if normalized == text:
            return normalized
        text = normalized
    logger.warning("normalisation did not settle passes=%d chars=%d", _MAX_PASSES, len(text))
    return text
