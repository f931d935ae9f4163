"""Server-Sent Events: FastAPI's framing (:mod:`fastapi.sse`) with JSON payloads, and the headers
shared by the streaming routes (``/chat/stream`` and the OpenAI-compatible stream)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.sse import EventSourceResponse, format_sse_event

__all__ = ["DONE", "SSE_HEADERS", "EventSourceResponse", "sse"]

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
"""Response headers of every event stream (no caching, no proxy buffering)."""


def sse(event: str | None, data: Any) -> bytes:
    """One event: an ``event:`` line (unless None) and ``data`` as JSON (non-ASCII kept)."""
    return format_sse_event(event=event, data_str=json.dumps(data, ensure_ascii=False))


DONE = format_sse_event(data_str="[DONE]")
"""The OpenAI stream's last event, ``data: [DONE]``."""
