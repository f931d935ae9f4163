"""Structure-aware chunking: a chunk never mixes sections and always fits the embedding model.

Findings (bullets) become one chunk each, so a citation can point at exactly the finding that
answers a question. Other sections are packed paragraph by paragraph. The text that is embedded
for prose and fields carries a short context header (council, letter date, section) because every
letter shares the same template and headings; the stored span stays verbatim. A finding is embedded
as its own words alone: its vector then says what the finding is about (the theme tagger reads it,
``ingest.themes``) rather than which council it belongs to, which the chunk's metadata already says.

Every field the letter states (addressee, signatory, dates, copy list, inspection type, legal basis,
evidence base, "no area for priority action", the number of findings of each section) also becomes
a *field chunk* (:data:`FIELD_NAMES`): its text is the verbatim span that states the field, and its
embedded text adds a short label in plain words (``Chunk.label``), so a question phrased in words
no classifier knows still reaches the field through dense and lexical retrieval. Field chunks
duplicate spans of ordinary chunks on purpose; they come after the ordinary chunks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    FINDING_SECTIONS,
    HEADER,
    INTRODUCTION,
    OTHER,
    PRIORITY_ACTION,
    SATISFACTORY,
    STRENGTHS,
    ParsedLetter,
    Section,
)

TokenCounter = Callable[[str], int]

_PARAGRAPH = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z(\"'‘“])")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    """A span of the canonical letter text and the text that is embedded for it."""

    section: str
    char_start: int
    char_end: int
    text: str
    embed_text: str
    finding_index: int  # index of the finding within its section, -1 for prose and field chunks
    field: str | None = None  # one of FIELD_NAMES for a field chunk, None for ordinary chunks
    label: str = ""  # field chunks: the plain-words label embedded between header and text


def context_header(letter: ParsedLetter, section: str) -> str:
    """The short header prepended to the embedded text of every chunk of ``letter``."""
    meta = letter.metadata
    parts = [meta.authority or "Unknown council"]
    if meta.letter_date:
        parts.append(meta.letter_date)
    parts.append(section)
    return " | ".join(parts) + ": "


def chunk_letter(letter: ParsedLetter, count_tokens: TokenCounter, max_tokens: int) -> list[Chunk]:
    """Split ``letter`` into chunks whose embedded text has at most ``max_tokens`` word-pieces.

    Args:
        letter: the parsed letter; spans point into ``letter.text``.
        count_tokens: the embedding model's tokenizer count, special tokens included.
        max_tokens: the model's maximum sequence length.
    """
    chunks: list[Chunk] = []
    for section in letter.sections:
        header = context_header(letter, section.name)
        budget = _Budget(count_tokens, header, max_tokens)
        if section.findings:
            chunks.extend(_finding_chunks(letter, section, budget))
            chunks.extend(_prose_chunks(letter, section, budget, skip_findings=True))
        else:
            chunks.extend(_prose_chunks(letter, section, budget, skip_findings=False))
    chunks.extend(field_chunks(letter, count_tokens, max_tokens))
    return chunks


@dataclass
class _Budget:
    count_tokens: TokenCounter
    header: str
    max_tokens: int

    def fits(self, text: str) -> bool:
        return self.count_tokens(self.header + text) <= self.max_tokens


def _finding_chunks(letter: ParsedLetter, section: Section, budget: _Budget) -> list[Chunk]:
    out: list[Chunk] = []
    bare = _Budget(budget.count_tokens, "", budget.max_tokens)  # a finding: its words alone
    for index, finding in enumerate(section.findings):
        for start, end in _fit_span(letter.text, finding.char_start, finding.char_end, bare):
            out.append(_make_chunk(letter, section.name, start, end, "", index))
    return out


def _prose_chunks(
    letter: ParsedLetter, section: Section, budget: _Budget, *, skip_findings: bool
) -> list[Chunk]:
    """Pack the section's paragraphs (lines) into chunks, leaving out finding lines if asked."""
    covered = [(f.char_start, f.char_end) for f in section.findings] if skip_findings else []
    covered += [(g.char_start, g.char_end) for g in letter.flags]  # flagged text is never chunked
    paragraphs: list[tuple[int, int]] = []
    for match in _PARAGRAPH.finditer(letter.text, section.char_start, section.char_end):
        start, end = _strip_span(letter.text, match.start(), match.end())
        if end <= start or _overlaps(start, end, covered):
            continue
        if _is_bullet_marker_only(letter.text[start:end]):
            continue
        paragraphs.append((start, end))

    out: list[Chunk] = []
    group: tuple[int, int] | None = None
    for start, end in paragraphs:
        for piece in _fit_span(letter.text, start, end, budget):
            mergeable = section.name == HEADER or _short(letter.text, group) if group else False
            if group is not None and mergeable and budget.fits(letter.text[group[0]:piece[1]]):
                group = (group[0], piece[1])
                continue
            if group is not None:
                out.append(_make_chunk(letter, section.name, *group, budget.header, -1))
            group = piece
    if group is not None:
        out.append(_make_chunk(letter, section.name, *group, budget.header, -1))
    return out


def _short(text: str, span: tuple[int, int]) -> bool:
    """Short prose (a date line, a name, a heading) is merged with what follows it."""
    return span[1] - span[0] < 200


def _fit_span(text: str, start: int, end: int, budget: _Budget) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at sentence, then word boundaries until every piece fits."""
    if budget.fits(text[start:end]):
        return [(start, end)]
    cuts = [start + m.start() for m in _SENTENCE_END.finditer(text[start:end])]
    pieces = _pack(text, start, end, cuts, budget)
    if pieces is not None:
        return pieces
    words = [start + m.start() for m in _WORD.finditer(text[start:end])][1:]
    pieces = _pack(text, start, end, words, budget)
    if pieces is None:  # a single "word" longer than the model's limit: cut by characters
        return _cut_by_characters(text, start, end, budget)
    return pieces


def _pack(
    text: str, start: int, end: int, cuts: list[int], budget: _Budget
) -> list[tuple[int, int]] | None:
    """Greedily pack boundary-delimited units; None when some unit alone does not fit."""
    bounds = [start, *cuts, end]
    units = [_strip_span(text, a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    units = [u for u in units if u[1] > u[0]]
    pieces: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for unit in units:
        if not budget.fits(text[unit[0]:unit[1]]):
            return None
        if current is not None and budget.fits(text[current[0]:unit[1]]):
            current = (current[0], unit[1])
        else:
            if current is not None:
                pieces.append(current)
            current = unit
    if current is not None:
        pieces.append(current)
    return pieces


def _cut_by_characters(text: str, start: int, end: int, budget: _Budget) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    while start < end:
        size = end - start
        while size > 1 and not budget.fits(text[start:start + size]):
            size //= 2
        pieces.append((start, start + size))
        start += size
    return pieces


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in spans)


def _is_bullet_marker_only(line: str) -> bool:
    return line.strip() in {"-", "•", "o", "–", "*"}


def _make_chunk(
    letter: ParsedLetter, section: str, start: int, end: int, header: str, finding_index: int
) -> Chunk:
    text = letter.text[start:end]
    return Chunk(section=section, char_start=start, char_end=end, text=text,
                 embed_text=header + text, finding_index=finding_index)


# ============================================================================================
# Field chunks

ADDRESSEE = "addressee"
SIGNATORY = "signatory"
INSPECTION_DATES = "inspection_dates"
LETTER_DATE = "letter_date"
COPY_LIST = "copy_list"
INSPECTION_TYPE = "inspection_type"
LEGAL_BASIS = "legal_basis"
EVIDENCE_BASE = "evidence_base"
NO_PRIORITY_ACTION = "no_priority_action"
FINDING_COUNT = "finding_count"  # one per finding section; the chunk's section says which

# The stable names of the fields that become passages (stored as the chunk's ``field``).
FIELD_NAMES = (ADDRESSEE, SIGNATORY, INSPECTION_DATES, LETTER_DATE, COPY_LIST, INSPECTION_TYPE,
               LEGAL_BASIS, EVIDENCE_BASE, NO_PRIORITY_ACTION, FINDING_COUNT)

# Fields whose span the parser records in ``letter.metadata.spans`` (same key), and their labels.
_SPAN_FIELDS = {
    ADDRESSEE: "addressee, addressed to, who the letter was sent to, its recipient",
    SIGNATORY: "signatory, signed by, signature, who wrote and signed the letter, its author",
    INSPECTION_DATES: "inspection dates, when the inspection took place, when the inspectors "
                      "visited and were on site",
    LETTER_DATE: "letter date, dated, the date the letter was written and received",
    COPY_LIST: "copy list, copied to, cc, who else received a copy of the letter",
    INSPECTION_TYPE: "inspection type, the kind of inspection, the subject of the letter",
}
_LABELS = {
    **_SPAN_FIELDS,
    LEGAL_BASIS: "legal basis, the Act and section of law the inspection was carried out under",
    EVIDENCE_BASE: "evidence base, what the inspectors looked at, examined and considered",
    NO_PRIORITY_ACTION: "no area for priority action, none identified, no priority actions",
}
# (singular, plural) of what each finding section lists.
_FINDING_NOUNS = {
    SATISFACTORY: ("area carried out satisfactorily", "areas carried out satisfactorily"),
    STRENGTHS: ("strength", "strengths"),
    AREAS_FOR_DEVELOPMENT: ("area for development", "areas for development"),
    PRIORITY_ACTION: ("area for priority action", "areas for priority action"),
}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")

# The template's sentences (one paragraph is one line of the canonical text).
_FIELD_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+(?=\s|$)|(?=\n)|$)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "... under section 138 of the Education and Inspections Act 2006"
_LEGAL_BASIS = re.compile(r"\b[Ss]ections?\s+\d+[A-Z]?\b.*\bAct\b"
                          r"|\bunder\b.*\bAct\s+(?:19|20)\d\d\b")
# What inspectors looked at: case records, supervision files, observation, interviews ...
_EVIDENCE = re.compile(
    r"\bcase\s+(?:records?|files?|notes)\b|\bsupervision\s+(?:files?|notes|records)\b"
    r"|\bobserv(?:ation|ed|ing)\b|\binterviews?\b|\bdiscussions?\s+with\b"
    r"|\bspoke\s+(?:to|with)\b|\brange\s+of\s+evidence\b|\bevidence\s+was\b"
    r"|\blooked\s+at\b|\bexamined\b|\bsampled\b", re.I)
_PROSE_SECTIONS = (INTRODUCTION, OTHER, HEADER)  # where legal basis and evidence are stated


def field_label(field: str, section: str | None = None, count: int | None = None) -> str:
    """The plain-words label embedded (and lexically indexed) before a field chunk's text."""
    if field == FINDING_COUNT:
        singular, plural = _FINDING_NOUNS.get(section or "", ("finding", "findings"))
        n = count or 0
        spelled = f"{n} ({_NUMBER_WORDS[n]})" if 0 < n < len(_NUMBER_WORDS) else str(n)
        noun = singular if n == 1 else plural
        return f"number of {plural}, how many {plural}: the letter lists {spelled} {noun}"
    return _LABELS[field]


def field_chunks(letter: ParsedLetter, count_tokens: TokenCounter, max_tokens: int) -> list[Chunk]:
    """One chunk per field the letter states (more if a span must be split to fit the model).

    The chunk's text is the verbatim span that states the field; its section is the section
    that span starts in; its embedded text is the context header, the field's label, then the text.
    """
    out: list[Chunk] = []
    for name, (start, end) in _field_spans(letter):
        section = _section_of(letter, start)
        if section is None:
            continue
        count = len(section.findings) if name == FINDING_COUNT else None
        label = field_label(name, section.name, count)
        header = context_header(letter, section.name) + label + ": "
        budget = _Budget(count_tokens, header, max_tokens)
        for part in _unflagged(letter, start, end):
            for piece_start, piece_end in _fit_span(letter.text, *part, budget):
                text = letter.text[piece_start:piece_end]
                out.append(Chunk(section=section.name, char_start=piece_start,
                                 char_end=piece_end, text=text, embed_text=header + text,
                                 finding_index=-1, field=name, label=label))
    return out


def _unflagged(letter: ParsedLetter, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` without the flagged spans in it (flagged text is never chunked)."""
    parts: list[tuple[int, int]] = []
    for flag in sorted(letter.flags, key=lambda f: f.char_start):
        if flag.char_end <= start or flag.char_start >= end:
            continue
        parts.append(_strip_span(letter.text, start, max(start, flag.char_start)))
        start = max(start, flag.char_end)
    parts.append(_strip_span(letter.text, start, end))
    return [part for part in parts if part[1] > part[0]]


def _field_spans(letter: ParsedLetter) -> list[tuple[str, tuple[int, int]]]:
    """``(field, span)`` for every field the letter states, in :data:`FIELD_NAMES` order."""
    text, spans = letter.text, letter.metadata.spans
    found: list[tuple[str, tuple[int, int]]] = []
    for name in _SPAN_FIELDS:
        if name in spans:
            start, end = spans[name]
            if name == INSPECTION_DATES:  # the sentence that gives the dates, not the paragraph
                start, end = _sentence_matching(text, start, end, _YEAR) or (start, end)
            found.append((name, (start, end)))
    prose = [s for kind in _PROSE_SECTIONS for s in letter.sections if s.name == kind]
    for section in prose:
        legal = _sentence_matching(text, section.char_start, section.char_end, _LEGAL_BASIS)
        if legal is not None:
            found.append((LEGAL_BASIS, legal))
            break
    for section in prose:
        evidence = _evidence_span(text, section.char_start, section.char_end)
        if evidence is not None:
            found.append((EVIDENCE_BASE, evidence))
            break
    for section in letter.sections:
        if section.name == PRIORITY_ACTION and section.none_identified and not section.findings:
            found.append((NO_PRIORITY_ACTION, _strip_span(text, section.char_start,
                                                          section.char_end)))
            break
    for section in letter.sections:
        if section.name in FINDING_SECTIONS and section.findings:
            found.append((FINDING_COUNT, _count_span(letter, section)))
    return [(name, span) for name, span in found if span[1] > span[0]]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for match in _FIELD_SENTENCE.finditer(text, start, end):
        span = _strip_span(text, match.start(), match.end())
        if span[1] > span[0]:
            out.append(span)
    return out


def _sentence_matching(text: str, start: int, end: int,
                       pattern: re.Pattern[str]) -> tuple[int, int] | None:
    return next((s for s in _sentences(text, start, end) if pattern.search(text[s[0]:s[1]])),
                None)


def _evidence_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The longest run of consecutive evidence sentences within one paragraph."""
    best: tuple[int, int] | None = None
    best_size = 0
    for paragraph in _PARAGRAPH.finditer(text, start, end):
        run: list[tuple[int, int]] = []
        for sentence in [*_sentences(text, paragraph.start(), paragraph.end()), None]:
            if sentence is not None and _EVIDENCE.search(text[sentence[0]:sentence[1]]):
                run.append(sentence)
                continue
            if len(run) > best_size:
                best, best_size = (run[0][0], run[-1][1]), len(run)
            run = []
    return best


def _count_span(letter: ParsedLetter, section: Section) -> tuple[int, int]:
    """Where a section's finding count is cited: its heading, else its lead-in line.

    A section without a heading (the satisfactory findings) is cited by its first line ("... in
    particular:") rather than by the whole section, which would compete with its own findings
    for every question about them (and rarely fits the model anyway).
    """
    text = letter.text
    if section.heading:
        at = text.find(section.heading, section.char_start, section.char_end)
        if at >= 0:
            return at, at + len(section.heading)
    first = section.findings[0].char_start if section.findings else section.char_end
    for line in _PARAGRAPH.finditer(text, section.char_start, first):
        start, end = _strip_span(text, line.start(), line.end())
        if end > start and not _is_bullet_marker_only(text[start:end]):
            return start, end
    return _strip_span(text, section.char_start, section.char_end)


def _section_of(letter: ParsedLetter, offset: int) -> Section | None:
    return next((s for s in letter.sections if s.char_start <= offset < s.char_end), None)


def content_hash(model_name: str, embed_text: str) -> str:
    """Hash of what is embedded (and by which model), used to never embed the same text twice."""
    return hashlib.sha256(f"{model_name}\0{embed_text}".encode()).hexdigest()[:32]
