"""How every front door shows a citation: its label and the link to its passage.

The label is :func:`assistant.models.citation_label` (also the ``label`` field of each citation in
the answer JSON, which the chat page shows); the link opens the chat page on the quoted span.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from assistant.models import Citation, citation_label

LetterUrl = Callable[[str, int, int], "str | None"]
"""``(document_id, char_start, char_end) -> url`` such as :meth:`ApiSettings.letter_url`."""

__all__ = ["LetterUrl", "citation_label", "citation_link", "letter_link"]


def letter_link(public_url: str | None, document_id: str, char_start: int | None = None,
                char_end: int | None = None) -> str | None:
    """The chat page's link to a letter, ``/#letter=ID&start=N&end=M``; None without a URL."""
    if not public_url:
        return None
    url = f"{public_url.rstrip('/')}/#letter={quote(document_id, safe='')}"
    if char_start is not None and char_end is not None:
        url += f"&start={int(char_start)}&end={int(char_end)}"
    return url


def citation_link(citation: Citation, letter_url: LetterUrl | None) -> str | None:
    """The link opening the cited passage (None when the server has no public URL)."""
    if letter_url is None:
        return None
    return letter_url(citation.document_id, citation.char_start, citation.char_end)
