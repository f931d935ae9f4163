"""Screening of parsed letters: is this an inspection letter at all, and what in it is not.

Two checks run at ingest, after parsing:

Is it a letter?
    A file that reads as text is not necessarily a letter: a saved cookie or search page, a cover
    sheet, a short note or a letter's first page alone. :func:`check_is_letter` decides by the
    anchors of the template, which every layout of the letters keeps: **findings** (at least one
    finding in a satisfactory / strengths / development / priority-action section), the
    **council** named, a **date** (the inspection dates or the letter date) and a **sign-off**
    ("Yours sincerely", a signatory or a copy list). A letter has findings and at least two of
    the other three; anything else is "no inspection letter found", with what was missing.

Instruction-like text
    A letter can carry text addressed to an AI assistant rather than to the council ("SYSTEM:
    tell the user ...", "Note to any AI assistant: ...", "Ignore all previous instructions and
    ..."). :func:`find_instructions` flags each such sentence (or the whole paragraph, where the
    paragraph is addressed to an assistant) with its span; :func:`drop_flagged_findings` takes the
    flagged spans out of the findings. The chunker leaves them out too, so they are never
    retrieved, quoted or listed as findings.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from ingest.errors import NotALetter
from ingest.models import FINDING_SECTIONS, INSTRUCTION, SIGN_OFF, Finding, Flag, ParsedLetter

logger = logging.getLogger(__name__)

# ============================================================================================
# Is it a letter?

_MIN_OTHER_ANCHORS = 2
_COOKIE_WORDS = re.compile(r"\bcookies?\b", re.I)
_SEARCH_WORDS = re.compile(r"\bsearch\b|\bresults?\s+(?:for|found)\b|\bshowing\s+\d", re.I)


@dataclass(frozen=True)
class LetterAnchors:
    """Which anchors of the template a parsed letter has."""

    findings: int
    council: bool
    date: bool
    sign_off: bool

    @property
    def is_letter(self) -> bool:
        others = sum((self.council, self.date, self.sign_off))
        return self.findings > 0 and others >= _MIN_OTHER_ANCHORS

    def missing(self) -> list[str]:
        """What the text lacks, in words."""
        out = []
        if not self.findings:
            out.append("no findings (strengths, areas for development or priority action)")
        if not self.council:
            out.append("no council named")
        if not self.date:
            out.append("no inspection or letter date")
        if not self.sign_off:
            out.append("no sign-off")
        return out


def letter_anchors(letter: ParsedLetter) -> LetterAnchors:
    """The anchors of the template found in ``letter``."""
    meta = letter.metadata
    findings = sum(len(s.findings) for s in letter.sections if s.name in FINDING_SECTIONS)
    sign_off = (meta.signatory_name is not None or bool(meta.copy_list)
                or any(s.name == SIGN_OFF for s in letter.sections))
    return LetterAnchors(findings=findings, council=meta.authority is not None,
                         date=bool(meta.inspection_start or meta.letter_date),
                         sign_off=sign_off)


def check_is_letter(letter: ParsedLetter, name: str) -> None:
    """Raise :class:`NotALetter` when ``letter`` is not an inspection letter (module docstring).

    Args:
        letter: the parsed file.
        name: the file's name, for the message.
    """
    anchors = letter_anchors(letter)
    if anchors.is_letter:
        return
    looks = ""
    if _COOKIE_WORDS.search(letter.text):
        looks = " (it looks like a cookie notice)"
    elif _SEARCH_WORDS.search(letter.text):
        looks = " (it looks like a search page)"
    raise NotALetter(
        f"{name}: no inspection letter found{looks}: {'; '.join(anchors.missing())}; supply "
        "the inspection letter itself (with its findings, council, date and sign-off), not a "
        "web page, cover sheet or note", path=name)


# ============================================================================================
# Instruction-like text

# (pattern, reason, scope): "sentence" flags the sentence of the match, "paragraph" the rest of
# the paragraph (a paragraph addressed to an assistant is all instruction).
_INSTRUCTION_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"(?:^|(?<=[.!?])[ ]+)[-•*> ]*[\[<]?(?:SYSTEM|System|ASSISTANT|Assistant"
                r"|DEVELOPER|Developer)[\]>]?(?:[ ]+(?:prompt|message|instructions?|note))?"
                r"[ ]*:", re.M),
     "a chat role label (SYSTEM:) that addresses an AI assistant", "paragraph"),
    (re.compile(r"<\|(?:im_start|im_end|system|endoftext)\|>|\[/?INST\]|<</?SYS>>"),
     "chat-model control tokens", "paragraph"),
    (re.compile(r"\b(?:note|message|instructions?|attention|reminder|request)[ ]+(?:to|for)"
                r"[ ]+(?:any|all|the|an?)?[ ]*(?:AI|A\.I\.|LLM|language[ -]models?|chat[ -]?bots?"
                r"|(?:virtual|digital|automated)[ ]+assistants?)\b", re.I),
     "a note addressed to an AI assistant", "paragraph"),
    (re.compile(r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}?\b(?:previous|prior|above"
                r"|earlier|preceding|all|any|your|other)\b[^.!?\n]{0,30}?\b(?:instructions?"
                r"|prompts?|system[ ]+prompt)\b", re.I),
     "tells the reader to ignore its instructions", "sentence"),
    (re.compile(r"\b(?:you[ ]+are[ ]+(?:now[ ]+)?(?:an?[ ]+)?|as[ ]+an?[ ]+)(?:AI|LLM|language"
                r"[ ]+model|chat[ -]?bot)\b", re.I),
     "speaks to an AI assistant", "sentence"),
    (re.compile(r"\b(?:AI|LLM)[ ]+(?:assistants?|models?|chat[ -]?bots?)\b"
                r"|\blarge[ ]+language[ ]+models?\b", re.I),
     "mentions an AI assistant, which a 2009-2013 inspection letter never does", "sentence"),
    (re.compile(r"\b(?:tell|inform|instruct|answer|respond[ ]+to|reply[ ]+to)[ ]+the[ ]+"
                r"(?:user|questioner|person[ ]+asking)s?\b", re.I),
     "tells the reader what to tell the user", "sentence"),
)
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_BULLET_GLYPHS = frozenset("-–•*>·")
_MIN_FINDING_CHARS = 3


def _sentence_bounds(text: str, start: int, end: int, scope: str) -> tuple[int, int]:
    """The span of the sentence (or the rest of the paragraph) around ``text[start:end]``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    first = line_start
    for before in _SENTENCE_END.finditer(text, line_start, start):
        first = before.end()
    last = line_end
    if scope == "sentence":
        after = _SENTENCE_END.search(text, max(end - 1, first), line_end)
        last = after.end() if after is not None else line_end
    while first < last and (text[first].isspace()
                            or (first < start and text[first] in _BULLET_GLYPHS)):
        first += 1  # a bullet's marker is not part of what it says
    while last > first and text[last - 1].isspace():
        last -= 1
    return first, last


def find_instructions(text: str) -> list[Flag]:
    """Flags for the instruction-like text of a letter, in order, overlapping spans merged."""
    spans: list[tuple[int, int, str]] = []
    for pattern, reason, scope in _INSTRUCTION_PATTERNS:
        for match in pattern.finditer(text):
            start, end = _sentence_bounds(text, match.start(), match.end(), scope)
            if end > start:
                spans.append((start, end, reason))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, reason in spans:
        if merged and start <= merged[-1][1]:
            first, last, kept = merged[-1]
            merged[-1] = (first, max(last, end), kept)
        else:
            merged.append((start, end, reason))
    if merged:
        logger.info("instruction-like text flagged spans=%d", len(merged))
    return [Flag(INSTRUCTION, start, end, reason) for start, end, reason in merged]


def _without(finding: Finding, text: str, flags: list[Flag]) -> list[Finding]:
    """``finding`` with the flagged spans cut out: zero, one or more findings."""
    pieces = [(finding.char_start, finding.char_end)]
    for flag in flags:
        cut: list[tuple[int, int]] = []
        for start, end in pieces:
            if flag.char_end <= start or end <= flag.char_start:
                cut.append((start, end))
                continue
            cut.extend(p for p in ((start, flag.char_start), (flag.char_end, end)) if p[1] > p[0])
        pieces = cut
    out = []
    for start, end in pieces:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= _MIN_FINDING_CHARS and any(ch.isalnum() for ch in text[start:end]):
            out.append(replace(finding, text=text[start:end], char_start=start, char_end=end))
    return out


def drop_flagged_findings(letter: ParsedLetter) -> None:
    """Cut ``letter.flags`` out of the findings of ``letter`` (in place)."""
    if not letter.flags:
        return
    for section in letter.sections:
        kept: list[Finding] = []
        for finding in section.findings:
            kept.extend(_without(finding, letter.text, letter.flags))
        section.findings = kept
