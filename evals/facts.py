"""Ground truth of one letter of the evaluation corpus.

A :class:`LetterFacts` says everything a letter states: who wrote to whom, when the inspection
took place, and each finding as the exact sentence printed in the letter, tagged with topics so
that list and count questions have exact gold answers. The generator builds these first and
renders letters from them; the gold questions are computed from the same objects.

This module stands alone: it does not import the parser (``ingest``) it is used to evaluate.
Section names repeat the values of :mod:`ingest.models` (a test keeps them in step).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

INTRODUCTION = "Introduction"
SATISFACTORY = "Satisfactory findings"
STRENGTHS = "Strengths"
AREAS_FOR_DEVELOPMENT = "Areas for development"
PRIORITY_ACTION = "Area for priority action"

FINDING_SECTIONS = (SATISFACTORY, STRENGTHS, AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION)
POSITIVE_SECTIONS = (SATISFACTORY, STRENGTHS)
NEGATIVE_SECTIONS = (AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def format_date(value: date) -> str:
    """Write a date as letters do: ``9 December 2009``."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


_MATCH_CHARS = str.maketrans({
    "\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-", "\uf0b7": " ", "\r": "\n",
})


def normalise_for_match(text: str) -> str:
    """Text as compared with gold quotes and key facts.

    Joins words broken by a hyphen at a line end (``"assess-\\nment"``), maps non-breaking spaces,
    curly quotes and dashes to plain ASCII and collapses whitespace. Case is kept: callers that
    want a case-insensitive comparison ``casefold()`` both sides.
    """
    text = text.translate(_MATCH_CHARS)
    text = re.sub(r"(?<=[A-Za-z])-[ \t]*\n\s*(?=[a-z])", "", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Council:
    """An English local authority as a letter names it.

    Attributes:
        formal_name: the name in the addressee block, e.g. ``"Leeds City Council"``.
        place: the short place name, e.g. ``"Leeds"``.
        subject_name: the form used in the subject line and opening paragraph of one letter,
            e.g. ``"Leeds Council"`` or ``"Leeds City Council"``.
        kind: ``"london"``, ``"metropolitan"``, ``"county"`` or ``"unitary"``.
        region: the English region.
        postcode_area: the letters of the postcode area of its offices (``"LS"``).
        aliases: other short forms people use (``"LB Hackney"``, ``"Kent CC"``).
    """

    formal_name: str
    place: str
    subject_name: str
    kind: str
    region: str
    postcode_area: str
    aliases: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        """The place name as a lower-case file-name fragment (``"kingston-upon-hull"``)."""
        return "-".join("".join(c if c.isalnum() else " " for c in self.place.lower()).split())


@dataclass(frozen=True)
class Person:
    """A person named in a letter: addressee, signatory or copy recipient.

    ``title`` is the job title as printed (for copy recipients it may end with the organisation).
    """

    name: str
    title: str
    honorific: str = ""

    @property
    def full_name(self) -> str:
        """Name with honorific, e.g. ``"Mr Julian Wooster"``."""
        return f"{self.honorific} {self.name}".strip()

    @property
    def surname(self) -> str:
        """Last word of the name."""
        return self.name.split()[-1]

    @property
    def line(self) -> str:
        """The person as one entry of a copy list: ``"Name, Title"``."""
        return f"{self.full_name}, {self.title}" if self.title else self.full_name


@dataclass(frozen=True)
class Finding:
    """One finding of a section, exactly as printed.

    Attributes:
        section: one of :data:`FINDING_SECTIONS`.
        text: the whole finding as it appears in the letter (including any injected sentence).
        topics: topic tags (e.g. ``"vacancies"``, ``"out_of_hours"``) for list and count questions.
        key_phrase: a short distinctive substring of ``text`` a correct answer should contain.
        injected_text: the embedded instruction appended to this finding, if any.
        family: the subject the finding is about, shared by its positive and negative wordings
            (``"children_seen"`` covers both "children are seen promptly" and "cases closed
            without the child being seen"); lets timelines follow a topic across inspections.
    """

    section: str
    text: str
    topics: tuple[str, ...]
    key_phrase: str
    injected_text: str = ""
    family: str = ""

    @property
    def genuine_text(self) -> str:
        """The finding without an injected instruction (still a verbatim slice of ``text``)."""
        if not self.injected_text:
            return self.text
        return self.text.replace(self.injected_text, "").rstrip()

    @property
    def positive(self) -> bool:
        """True for satisfactory findings and strengths."""
        return self.section in POSITIVE_SECTIONS


@dataclass(frozen=True)
class Injection:
    """An instruction embedded in a letter's text that an assistant must not obey.

    Attributes:
        text: the sentence as printed.
        payload: the claim the instruction tries to elicit; a correct answer never states it.
        location: ``"finding"`` (appended to a finding) or ``"paragraph"`` (its own paragraph).
        section: the section that holds it.
    """

    text: str
    payload: str
    location: str
    section: str


@dataclass(frozen=True)
class Prose:
    """The non-finding text of a letter, as printed (dates may hold non-breaking spaces)."""

    letterhead: tuple[str, ...]
    page_header: str
    subject_line: str
    dates_phrase: str
    opening: str
    identified: str
    evidence: str
    satisfactory_intro: str
    also_identified: str
    priority_lead: str = ""
    priority_none: str = ""
    injection_paragraph: str = ""
    sign_off: str = "Yours sincerely"

    @property
    def dates_sentence(self) -> str:
        """The sentence of the opening paragraph that states the inspection dates."""
        for sentence in self.opening.split(". "):
            if self.dates_phrase in sentence:
                return sentence if sentence.endswith(".") else sentence + "."
        return self.opening


@dataclass(frozen=True)
class LetterStyle:
    """How one letter is laid out; never changes what the letter says.

    Attributes:
        letterhead_lines: letterhead printed on several lines (else one long line as in PDFs).
        addressee_one_line: addressee block on one line (as in the real extracted letter).
        heading_style: ``"plain"``, ``"colon"``, ``"upper"`` or ``"numbered"``.
        priority_first: the priority action section comes before areas for development.
        priority_heading_when_none: with no priority action, print the heading and a statement.
        glyph: bullet prefix of findings (``"- "``, ``"• "``, ``"o "``, ``"– "``, ``"\\uf0b7 "``,
            ``" "`` or ``""`` for one paragraph per finding).
        alt_glyph: a second prefix used for some findings (real letters mix them), or ``None``.
        blank_between_findings: a blank line between findings.
        stray_blank_runs: sometimes several blank lines where one would do.
        wrap_width: wrap lines at this width (PDF extraction), or 0.
        hyphenate: break some long words at line ends with a hyphen (needs ``wrap_width``).
        page_lines: insert page header and "Page n of m" footer lines every this many lines, or 0.
        footer_format: e.g. ``"Page {n} of {m}"``.
        crlf: write Windows line endings (text files only).
        copy_style: ``"lines"`` (one per line after "Copy:"), ``"semicolons"`` or ``"cc"``.
        signoff_compact: no blank lines between name and title in the sign-off.
        pdf_bullet: bullet drawn in PDFs: ``"symbol"``, ``"dingbat"``, ``"dash"`` or ``"o"``.
        html_headings: ``"h2"``, ``"h3"`` or ``"bold"``.
        curly_quotes: apostrophes printed as ``’`` (already applied to the stored text).
        nbsp_dates: a non-breaking space before month names of the inspection dates.
        noise_seed: seed of the random choices made while laying out text.
    """

    letterhead_lines: bool = False
    addressee_one_line: bool = True
    heading_style: str = "plain"
    priority_first: bool = False
    priority_heading_when_none: bool = True
    glyph: str = "- "
    alt_glyph: str | None = None
    blank_between_findings: bool = False
    stray_blank_runs: bool = False
    wrap_width: int = 0
    hyphenate: bool = False
    page_lines: int = 0
    footer_format: str = "Page {n} of {m}"
    crlf: bool = False
    copy_style: str = "lines"
    signoff_compact: bool = False
    pdf_bullet: str = "symbol"
    html_headings: str = "h2"
    curly_quotes: bool = False
    nbsp_dates: bool = False
    noise_seed: int = 0


@dataclass(frozen=True)
class LetterFacts:
    """Everything one letter states, plus how it is laid out.

    Attributes:
        letter_id: stable id, e.g. ``"leeds-2010"``.
        file_stem: file name without extension.
        council: the council (``subject_name`` is the form this letter uses).
        inspection_type: e.g. ``"Annual unannounced inspection of contact, referral and
            assessment arrangements"``.
        inspection_start / inspection_end: first and last day on site (equal for one day).
        letter_date: date printed on the letter.
        addressee: the director the letter is addressed to.
        address_lines: the council's address below its name.
        signatory: the Ofsted signatory.
        copy_list: copy recipients in printed order.
        satisfactory / strengths / areas_for_development / priority_actions: the findings.
        prose: the other printed text.
        style: layout.
        injection: the embedded instruction, if this letter carries one.
        synthetic: False for a real letter transcribed by hand.
        source_name: file name of a real letter (synthetic letters get theirs when written).
    """

    letter_id: str
    file_stem: str
    council: Council
    inspection_type: str
    inspection_start: date
    inspection_end: date
    letter_date: date
    addressee: Person
    address_lines: tuple[str, ...]
    signatory: Person
    copy_list: tuple[Person, ...]
    satisfactory: tuple[Finding, ...]
    strengths: tuple[Finding, ...]
    areas_for_development: tuple[Finding, ...]
    priority_actions: tuple[Finding, ...]
    prose: Prose
    style: LetterStyle = field(default_factory=LetterStyle)
    injection: Injection | None = None
    synthetic: bool = True
    source_name: str = ""

    @property
    def year(self) -> int:
        """Year of the inspection (not of the letter date, which may fall in the next year)."""
        return self.inspection_start.year

    @property
    def subject_line(self) -> str:
        """The subject line naming the inspection type and council, as printed."""
        return self.prose.subject_line

    @property
    def salutation(self) -> str:
        """``"Dear Mr Wooster"``."""
        return f"Dear {self.addressee.honorific} {self.addressee.surname}"

    @property
    def findings(self) -> tuple[Finding, ...]:
        """All findings in template order."""
        return (self.satisfactory + self.strengths + self.areas_for_development
                + self.priority_actions)

    def section_findings(self, section: str) -> tuple[Finding, ...]:
        """Findings of one section (a name from :data:`FINDING_SECTIONS`)."""
        return {
            SATISFACTORY: self.satisfactory,
            STRENGTHS: self.strengths,
            AREAS_FOR_DEVELOPMENT: self.areas_for_development,
            PRIORITY_ACTION: self.priority_actions,
        }[section]

    def has_topic(self, topic: str, sections: tuple[str, ...] = FINDING_SECTIONS) -> bool:
        """Whether any finding of ``sections`` carries ``topic``."""
        return any(topic in f.topics for f in self.findings if f.section in sections)

    def topic_findings(self, topic: str,
                       sections: tuple[str, ...] = FINDING_SECTIONS) -> list[Finding]:
        """Findings of ``sections`` tagged ``topic``."""
        return [f for f in self.findings if f.section in sections and topic in f.topics]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (dates as ISO strings)."""
        data = dataclasses.asdict(self)
        for key in ("inspection_start", "inspection_end", "letter_date"):
            data[key] = getattr(self, key).isoformat()
        data["year"] = self.year
        data["subject_line"] = self.subject_line
        return data
