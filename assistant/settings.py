"""Settings the assistant uses (read by entry points, handed to the assistant as values)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AssistantSettings(BaseSettings):
    """How questions are answered. Environment variables are prefixed ``REPORTQA_``."""

    model_config = SettingsConfigDict(env_prefix="REPORTQA_", env_file=".env", extra="ignore")

    answerer: Literal["extractive", "openai"] = Field(
        default="extractive",
        description="'extractive' (offline default, quotes the letters) or 'openai' (any "
        "OpenAI-compatible chat endpoint, see REPORTQA_LLM_*).")
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field(default="gpt-4o-mini", description="Model name sent to the endpoint.")
    llm_api_key: SecretStr = Field(default=SecretStr("not-needed"),
                                   description="API key for the endpoint (never logged).")
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Timeout of one LLM call.")
    top_k: int = Field(default=8, ge=1, le=50, description="Passages retrieved per question.")
    min_evidence: float | None = Field(
        default=None, description="Override of the calibrated evidence threshold below which "
        "the assistant abstains (0..1); leave unset to use the calibrated value.")
