"""Structure-aware chunking: a chunk never mixes sections and always fits the embedding model.

Findings (bullets) become one chunk each, so a citation can point at exactly the finding that
answers a question. Other sections are packed paragraph by paragraph. The text that is embedded
carries a short context header (council, letter date, section) because every letter shares the same
template and headings; the stored span stays verbatim.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.models import HEADER, ParsedLetter, Section

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
    finding_index: int  # index of the finding within its section, -1 for prose chunks


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
    for index, finding in enumerate(section.findings):
        for start, end in _fit_span(letter.text, finding.char_start, finding.char_end, budget):
            out.append(_make_chunk(letter, section.name, start, end, budget.header, index))
    return out


def _prose_chunks(
    letter: ParsedLetter, section: Section, budget: _Budget, *, skip_findings: bool
) -> list[Chunk]:
    """Pack the section's paragraphs (lines) into chunks, leaving out finding lines if asked."""
    covered = [(f.char_start, f.char_end) for f in section.findings] if skip_findings else []
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


def content_hash(model_name: str, embed_text: str) -> str:
    """Hash of what is embedded (and by which model), used to never embed the same text twice."""
    return hashlib.sha256(f"{model_name}\0{embed_text}".encode()).hexdigest()[:32]
