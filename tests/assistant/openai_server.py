"""A small OpenAI-compatible HTTP server for tests: scripted chat completions on loopback.

It speaks enough of the protocol for ``ChatOpenAI``/the ``openai`` client: ``GET /v1/models`` and
``POST /v1/chat/completions`` with and without ``"stream": true`` (server-sent
``chat.completion.chunk`` events, then ``data: [DONE]``). What it answers is chosen by the test:

* a queue of :class:`Reply` objects (``server.script(Reply("... [1]"), Reply(status=500))``),
  consumed one per completion request, then
* ``server.responder``, a function of the request body returning a :class:`Reply` (or a string),
  used when the queue is empty; by default it answers ``"The letters do not say."``.

A reply can fail with an HTTP status, hang (before answering or in the middle of a stream), or
send bytes that are not a chat completion. Every request is recorded in ``server.requests``.

Usage::

    with OpenAIServer() as server:
        server.script(Reply("Cases were closed [1]."))
        model = build_chat_model(server.base_url, "test-model", "key", timeout_s=5)
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server answers to one chat completion request.

    Args:
        text: The assistant message's content (streamed in ``chunk_size``-word pieces).
        status: HTTP status; anything but 200 sends an OpenAI-style error body.
        hang_s: Seconds to wait before answering (until the server stops, at most).
        stall_after: When streaming, hang for ``hang_s`` after this many content chunks instead.
        garbage: Send this body (with status 200) instead of a chat completion.
        chunk_size: Words per streamed chunk.
        chunk_delay_s: Pause before each streamed content chunk.
    """

    text: str = ""
    status: int = 200
    hang_s: float = 0.0
    stall_after: int | None = None
    garbage: bytes | None = None
    chunk_size: int = 1
    chunk_delay_s: float = 0.0


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict[str, Any] | None = None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages", []))

    def message(self, role: str) -> str:
        """The content of the first message with ``role`` ('' when none)."""
        for message in self.messages:
            if message.get("role") == role:
                content = message.get("content", "")
                if isinstance(content, list):
                    return "".join(p.get("text", "") for p in content if isinstance(p, dict))
                return str(content)
        return ""


@dataclass
class _State:
    queue: deque[Reply] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class OpenAIServer:
    """The server; a context manager that starts it on ``127.0.0.1`` (free port) in a thread.

    Args:
        model: The model id listed by ``GET /v1/models`` and echoed in completions.
        api_key: When set, requests without ``Authorization: Bearer <api_key>`` get HTTP 401.
        responder: Answers requests when no scripted reply is queued.
    """

    def __init__(self, model: str = "test-model", api_key: str | None = None,
                 responder: Callable[[dict[str, Any]], Reply | str] | None = None) -> None:
        self.model = model
        self.api_key = api_key
        self.responder: Callable[[dict[str, Any]], Reply | str] = (
            responder or (lambda body: Reply("The letters do not say.")))
        self._state = _State()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> OpenAIServer:
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name="fake-openai-server")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._state.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- test helpers --------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (ends in ``/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Queue replies for the next completion requests, in order."""
        with self._state.lock:
            for reply in replies:
                self._state.queue.append(Reply(reply) if isinstance(reply, str) else reply)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def completions(self) -> list[RecordedRequest]:
        """The chat completion requests received so far."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def pending(self) -> int:
        """Scripted replies not yet consumed."""
        with self._state.lock:
            return len(self._state.queue)

    # ---- used by the handler -------------------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._state.lock:
            self._state.requests.append(request)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._state.lock:
            if self._state.queue:
                return self._state.queue.popleft()
        reply = self.responder(body)
        return Reply(reply) if isinstance(reply, str) else reply

    def _wait(self, seconds: float) -> None:
        self._state.stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    server_ref: OpenAIServer
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection ends its handler thread

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def handle(self) -> None:
        # The client may give up first (a timeout under test).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
            super().handle()

    # ---- routes --------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server_ref._record(RecordedRequest("GET", self.path, _headers(self.headers)))
        if not self._authorised():
            return
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [
                {"id": self.server_ref.model, "object": "model", "created": 0,
                 "owned_by": "reportqa-tests"}]})
        else:
            self._error(404, f"no route GET {self.path}")

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = None
        self.server_ref._record(RecordedRequest("POST", self.path, _headers(self.headers), body))
        if not self._authorised():
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, f"no route POST {self.path}")
            return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._error(400, "body must be a JSON object with 'messages'")
            return
        reply = self.server_ref._next_reply(body)
        if reply.hang_s and reply.stall_after is None:
            self.server_ref._wait(reply.hang_s)
        if reply.status != 200:
            self._error(reply.status, f"scripted failure {reply.status}")
        elif reply.garbage is not None:
            self._send(200, "application/json", reply.garbage)
        elif body.get("stream"):
            self._stream(body, reply)
        else:
            self._json(200, _completion(self.server_ref.model, reply.text))

    # ---- helpers -------------------------------------------------------------------------
    def _authorised(self) -> bool:
        key = self.server_ref.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self._error(401, "Incorrect API key provided.", code="invalid_api_key")
        return False

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, "application/json", json.dumps(payload).encode())

    def _error(self, status: int, message: str, code: str | None = None) -> None:
        self._json(status, {"error": {"message": message, "type": "test_error", "param": None,
                                      "code": code}})

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        model = self.server_ref.model
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        created = int(time.time())

        def event(delta: dict[str, Any], finish: str | None = None) -> None:
            chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk",
                     "created": created, "model": model,
                     "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                  "finish_reason": finish}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        try:
            event({"role": "assistant", "content": ""})
            for i, piece in enumerate(_pieces(reply.text, reply.chunk_size)):
                if reply.stall_after is not None and i == reply.stall_after:
                    self.server_ref._wait(reply.hang_s)
                    return
                if reply.chunk_delay_s:
                    self.server_ref._wait(reply.chunk_delay_s)
                event({"content": piece})
            event({}, finish="stop")
            if (body.get("stream_options") or {}).get("include_usage"):
                usage = {"id": "chatcmpl-test", "object": "chat.completion.chunk",
                         "created": created, "model": model, "choices": [],
                         "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                                   "total_tokens": 2}}
                self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)


def _headers(message: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in message.items()}


def _completion(model: str, text: str) -> dict[str, Any]:
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": max(1, len(text.split())),
                      "total_tokens": 1 + max(1, len(text.split()))}}


def _pieces(text: str, words_per_piece: int) -> list[str]:
    """Split ``text`` into streamable pieces that join back to exactly ``text``."""
    tokens = re.findall(r"\s*\S+|\s+$", text)
    step = max(1, words_per_piece)
    return ["".join(tokens[i:i + step]) for i in range(0, len(tokens), step)]
