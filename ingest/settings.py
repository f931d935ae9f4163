"""Settings for the ingest package (environment variables prefixed ``REPORTQA_INGEST_``).

The limits keep one bad file from taking the run down: every file is checked against them before
the heavy work (sizes, page counts, the declared uncompressed size of a DOCX, HTML nesting depth)
and a wall-clock deadline is checked inside the long loops.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IngestSettings(BaseSettings):
    """Per-file limits of the ingest pipeline. Only entry points build this from the environment;
    ``IngestSettings.model_construct()`` gives the defaults without reading it."""

    model_config = SettingsConfigDict(
        env_prefix="REPORTQA_INGEST_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    max_file_bytes: int = Field(
        default=25_000_000, ge=1,
        description="Largest file read, in bytes; a bigger file is refused before it is read.",
    )
    max_text_chars: int = Field(
        default=300_000, ge=1_000,
        description="Most characters of extracted text per file (a letter has ~5,000-20,000).",
    )
    max_line_chars: int = Field(
        default=50_000, ge=100,
        description="Longest line of extracted text, in characters (a letter's paragraph is "
                    "well under 5,000).",
    )
    max_pdf_pages: int = Field(
        default=200, ge=1,
        description="Most pages of a PDF, checked from its page tree before any text is read.",
    )
    max_unzipped_bytes: int = Field(
        default=100_000_000, ge=1_000,
        description="Most bytes a DOCX may declare once unzipped (all parts together); a zip "
                    "bomb is refused by its declared sizes before anything is decompressed.",
    )
    max_html_depth: int = Field(
        default=1_000, ge=10,
        description="Deepest nesting of HTML elements, checked before the page is parsed.",
    )
    file_time_limit_s: float = Field(
        default=10.0, gt=0,
        description="Processor seconds one file may take from reading to chunking (ten times "
                    "as long in wall-clock time at most); checked inside the long loops (pages, "
                    "paragraphs, elements).",
    )
