"""Data model of a parsed letter: canonical text, metadata, sections, findings and chunks.

Every span (``char_start``/``char_end``) is an offset into :attr:`ParsedLetter.text`, the one
canonical text per letter that is stored and that every citation points into.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Canonical section names. A chunk carries exactly one of these.
HEADER = "Header"  # letterhead, date, addressee, salutation, subject line
INTRODUCTION = "Introduction"  # opening paragraphs: dates, legal basis, evidence considered
SATISFACTORY = "Satisfactory findings"  # "... satisfactorily carrying out their duties ..."
STRENGTHS = "Strengths"
AREAS_FOR_DEVELOPMENT = "Areas for development"
PRIORITY_ACTION = "Area for priority action"  # also "Areas for priority action"
SIGN_OFF = "Sign-off"  # "Yours sincerely", signatory, copy list
OTHER = "Other"  # text of a letter that does not follow the template

FINDING_SECTIONS = (SATISFACTORY, STRENGTHS, AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION)
SECTION_ORDER = (HEADER, INTRODUCTION, SATISFACTORY, STRENGTHS, AREAS_FOR_DEVELOPMENT,
                 PRIORITY_ACTION, SIGN_OFF, OTHER)


@dataclass(frozen=True)
class Finding:
    """One bullet point / finding of a section; ``text == letter.text[char_start:char_end]``."""

    section: str
    text: str
    char_start: int
    char_end: int


@dataclass
class Section:
    """A section of the letter. ``heading`` is as written (None for implicit sections)."""

    name: str
    heading: str | None
    char_start: int
    char_end: int
    findings: list[Finding] = field(default_factory=list)
    none_identified: bool = False  # e.g. "No areas for priority action were identified."


@dataclass
class LetterMetadata:
    """Fields parsed from the letter template; any may be missing for off-template letters.

    Dates are ISO strings (``YYYY-MM-DD``). ``spans`` maps a field name (``letter_date``,
    ``inspection_dates``, ``inspection_type``, ``addressee``, ``signatory``, ``copy_list``,
    ``authority``) to the ``(char_start, char_end)`` of the line of the letter that states it.
    """

    authority: str | None = None
    inspection_start: str | None = None
    inspection_end: str | None = None
    letter_date: str | None = None
    inspection_type: str | None = None
    addressee_name: str | None = None
    addressee_title: str | None = None
    signatory_name: str | None = None
    signatory_title: str | None = None
    copy_list: list[str] = field(default_factory=list)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


INSTRUCTION = "instruction"  # the kind of flag for text addressed to an AI assistant


@dataclass(frozen=True)
class Flag:
    """A span of the letter that is not the letter's own content, found at ingest.

    ``kind`` is :data:`INSTRUCTION` for instruction-like text ("Ignore all previous instructions
    ...", "SYSTEM: ...", "Note to any AI assistant: ..."). A flagged span is never a finding and
    never part of a chunk, so it cannot be retrieved or quoted; ``reason`` says briefly why.
    """

    kind: str
    char_start: int
    char_end: int
    reason: str


@dataclass
class ParsedLetter:
    """A letter after loading, normalisation and parsing."""

    text: str
    metadata: LetterMetadata
    sections: list[Section]
    flags: list[Flag] = field(default_factory=list)

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.sections for f in s.findings]
