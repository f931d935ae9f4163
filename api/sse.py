"""Server-Sent Events: the framing and headers shared by the streaming routes."""

from __future__ import annotations

import json
from typing import Any

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
"""Response headers of every event stream (no caching, no proxy buffering)."""


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event with a JSON ``data`` line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
