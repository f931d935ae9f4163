"""Citation verification, for every answerer.

A draft answer refers to numbered passages with ``[n]`` markers. Verification keeps a marker only
when its passage resolves to a current letter and its quote is exactly
``letter_text[char_start:char_end]``; other markers are removed; markers are renumbered 1, 2, ...
in order of first appearance.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from assistant.catalog import LetterCatalog
from assistant.models import Citation
from assistant.passages import Passage

logger = logging.getLogger(__name__)

MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass
class Draft:
    """An answer before verification: text with ``[n]`` markers into ``passages`` (1-based)."""

    text: str
    passages: list[Passage]


def verify_quote(catalog: LetterCatalog, passage: Passage) -> bool:
    """True when the passage's text is exactly the stored letter's text at its span."""
    letter = catalog.get(passage.document_id)
    if letter is None:
        return False
    if not (0 <= passage.char_start < passage.char_end <= len(letter.text)):
        return False
    return letter.text[passage.char_start:passage.char_end] == passage.text


def verify(draft: Draft, catalog: LetterCatalog) -> tuple[str, list[Citation]]:
    """Return the answer text with valid, renumbered markers and its citations."""
    renumber: dict[int, int] = {}
    citations: list[Citation] = []

    def substitute(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n in renumber:
            return f"[{renumber[n]}]"
        if not 1 <= n <= len(draft.passages):
            logger.info("dropped citation marker=%d reason=no such passage", n)
            return ""
        passage = draft.passages[n - 1]
        if not verify_quote(catalog, passage):
            logger.warning("dropped citation marker=%d reason=quote does not match letter", n)
            return ""
        renumber[n] = len(citations) + 1
        citations.append(Citation(
            marker=renumber[n], document_id=passage.document_id, source=passage.source,
            authority=passage.authority, inspection_date=passage.inspection_date,
            letter_date=passage.letter_date, section=passage.section, quote=passage.text,
            char_start=passage.char_start, char_end=passage.char_end,
            score=round(passage.score, 4)))
        return f"[{renumber[n]}]"

    text = MARKER.sub(substitute, draft.text)
    text = re.sub(r"[ \t]+([.,;:])", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    return text, citations


def merge_drafts(drafts: list[Draft | None]) -> Draft | None:
    """One draft from several (one per letter): a bullet each, markers renumbered in order."""
    parts = [d for d in drafts if d is not None]
    if len(parts) <= 1:
        return parts[0] if parts else None
    passages: list[Passage] = []
    lines = []
    for draft in parts:
        offset = len(passages)
        passages.extend(draft.passages)
        text = MARKER.sub(lambda m, o=offset: f"[{int(m.group(1)) + o}]", draft.text)  # type: ignore[misc]
        lines.append("- " + text.replace("\n", "\n  "))
    return Draft(text="\n".join(lines), passages=passages)
