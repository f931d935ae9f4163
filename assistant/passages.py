"""Passages: the verbatim spans of letters an answer may quote, and how sentences are found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.catalog import CatalogLetter

# A sentence ends at . ! ? followed by space and a capital/quote/bullet, or at a line end.
_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=\s+[A-Z0-9\"'‘“(•-])|[.!?]?(?=\n|$))")


@dataclass(frozen=True)
class Passage:
    """A span ``letter.text[char_start:char_end]`` that an answer may cite."""

    document_id: str
    source: str
    authority: str | None
    letter_date: str | None
    inspection_date: str | None
    section: str
    char_start: int
    char_end: int
    text: str
    score: float = 0.0

    @classmethod
    def of(cls, letter: CatalogLetter, section: str, start: int, end: int,
           score: float = 0.0) -> Passage:
        """The passage of ``letter`` covering ``[start, end)`` (whitespace trimmed)."""
        text = letter.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        meta = letter.parsed.metadata
        return cls(document_id=letter.document_id, source=letter.source,
                   authority=meta.authority, letter_date=meta.letter_date,
                   inspection_date=meta.inspection_start, section=section, char_start=start,
                   char_end=end, text=text[start:end], score=score)


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (absolute offsets, whitespace trimmed)."""
    spans = []
    for match in _SENTENCE.finditer(text, start, end):
        a, b = match.start(), match.end()
        while a < b and (text[a].isspace() or text[a] in "-•"):
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 3:
            spans.append((a, b))
    return spans or [(start, end)]


def line_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to the full line(s) it touches."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end == -1 else line_end
