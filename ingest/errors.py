"""Errors raised while loading a letter file.

Every message names the file and says what to do, so the pipeline can report it per file as is.
"""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """Base class of every error the ingest package raises on purpose.

    Args:
        message: the full message (file name, what is wrong, what to do).
        path: the file concerned, when there is one.
    """

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None


class UnsupportedFileType(IngestError):
    """The file's suffix is not one the loaders read (see ``ingest.loaders.SUPPORTED_SUFFIXES``)."""


class EmptyLetter(IngestError):
    """The file holds no text at all, or only whitespace."""


class UnreadableLetter(IngestError):
    """The file cannot be read as a letter: missing, corrupt, binary junk, encrypted, image-only."""


class LetterTooLarge(UnreadableLetter):
    """The file is over one of the per-file limits (size, pages, unzipped size, depth, time).

    A kind of :class:`UnreadableLetter`: the file is refused before (or while) it is read.
    """


class NotALetter(IngestError):
    """The file reads as text but holds no inspection letter (a cookie page, a cover sheet ...)."""
