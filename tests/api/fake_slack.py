"""A fake Slack Web API on loopback that records every call, for the Slack bot's tests.

It answers ``POST /api/<method>`` the way Slack does (``{"ok": true, ...}``; ``auth.test`` names
the bot) and ``POST /response/<name>`` the way a slash command's ``response_url`` does. Point a
``WebClient`` at :attr:`FakeSlack.api_url` and hand out :meth:`FakeSlack.response_url` in payloads.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0TEST"


@dataclass
class Call:
    """One request the fake received."""

    path: str
    method: str  # the Web API method ("chat.postMessage"), or "response_url"
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)

    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.body.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    def block_text(self) -> str:
        """Every text of every block, joined (for assertions)."""
        texts: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("text"), str):
                    texts.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.blocks())
        return "\n".join(texts)


class FakeSlack:
    """The fake server; use as a context manager (``with FakeSlack() as slack:``)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                body = _parse(raw, self.headers.get("Content-Type", ""))
                if self.path.startswith("/api/"):
                    method = self.path[len("/api/"):].split("?")[0]
                    reply: Any = fake._api_reply(method, body)
                elif self.path.startswith("/response/"):
                    method = "response_url"
                    reply = None
                else:
                    self.send_error(404)
                    return
                fake._record(Call(path=self.path, method=method, body=body,
                                  headers={k.lower(): v for k, v in self.headers.items()}))
                if reply is None:
                    payload, kind = b"ok", "text/plain"
                else:
                    payload, kind = json.dumps(reply).encode(), "application/json; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}"

    # ---- lifecycle --------------------------------------------------------------------------
    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def api_url(self) -> str:
        """The ``WebClient`` base URL."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        """A ``response_url`` served (and recorded) by the fake."""
        return f"{self.base_url}/response/{name}"

    # ---- recording --------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _api_reply(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://test.slack.com/", "team": "Test",
                    "user": "reportqa", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            return {"ok": True, "channel": body.get("channel"), "ts": ts,
                    "message": {"text": body.get("text"), "ts": ts, "bot_id": BOT_ID}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{int(time.time())}.{next(self._ts):06d}"}
        return {"ok": True}

    def find(self, method: str | None = None,
             where: Callable[[Call], bool] | None = None) -> list[Call]:
        """The calls made so far (of ``method``, matching ``where``)."""
        with self._changed:
            calls = list(self.calls)
        return [c for c in calls if (method is None or c.method == method)
                and (where is None or where(c))]

    def wait_for(self, method: str, where: Callable[[Call], bool] | None = None,
                 count: int = 1, timeout: float = 60.0) -> list[Call]:
        """Wait until ``count`` matching calls were made; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method
                         and (where is None or where(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {count} {method} call(s) within {timeout}s; "
                                         f"calls: {[c.method for c in self.calls]}")
                self._changed.wait(left)

    @contextmanager
    def mark(self) -> Iterator[list[Call]]:
        """Collect the calls made inside the ``with`` block (into the yielded list, on exit)."""
        start = len(self.calls)
        collected: list[Call] = []
        try:
            yield collected
        finally:
            with self._changed:
                collected.extend(self.calls[start:])


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        data = json.loads(raw)
        return data if isinstance(data, dict) else {"_": data}
    return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw).items()}
