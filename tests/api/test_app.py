"""The service over real HTTP: chat (JSON and SSE), conversations, feedback, health, metrics,
access rules, limits and the error format for malformed requests."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.components import Components
from api.settings import ApiSettings, is_loopback
from tests.api.conftest import (
    ADMIN_KEY,
    CORS_ORIGIN,
    PORTSMOUTH_PRIORITY,
    PRIORITY_QUOTE_START,
    READ_KEY,
    RunningServer,
    start_server,
)
from tests.api.databases import sqlite_in

pytestmark = pytest.mark.slow


def assert_error(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the JSON error shape (and names ``field`` if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and len(error["message"]) > 10
    if field is not None:
        assert error.get("field") == field, error
    return error  # type: ignore[no-any-return]


def parse_sse(text: str) -> list[tuple[str, Any]]:
    """``(event, data)`` pairs of a Server-Sent Events body with JSON data lines."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        events.append((name, json.loads("\n".join(data)) if data else None))
    return events


def letter_text(client: httpx.Client, document_id: str) -> str:
    response = client.get(f"/documents/{document_id}")
    assert response.status_code == 200, response.text
    return str(response.json()["text"])


# ---- health, metrics --------------------------------------------------------------------------

def test_healthz_and_readyz_report_the_store_and_model(server: RunningServer) -> None:
    with server.client() as anonymous:
        assert anonymous.get("/healthz").json() == {"status": "ok"}
        ready = anonymous.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"started": True, "model_loaded": True, "store": True}
    assert body["letters"] == 3


def test_info_says_a_key_is_needed(server: RunningServer, open_server: RunningServer) -> None:
    with server.client() as anonymous:
        assert anonymous.get("/info").json()["auth_required"] is True
    with open_server.client() as anonymous:
        assert anonymous.get("/info").json()["auth_required"] is False


# ---- chat -----------------------------------------------------------------------------------

def test_chat_answers_with_a_verified_citation_and_a_conversation(reader: httpx.Client) -> None:
    response = reader.post("/chat", json={"message": PORTSMOUTH_PRIORITY})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["abstained"] is False
    assert body["conversation_id"].startswith("conv_")
    assert body["answer_id"].startswith("ans_")
    assert "total" in body["timings_ms"]
    assert body["citations"], body
    citation = body["citations"][0]
    assert citation["authority"] == "Portsmouth City Council"
    assert citation["quote"].startswith(PRIORITY_QUOTE_START)
    assert f"[{citation['marker']}]" in body["answer"]
    text = letter_text(reader, citation["document_id"])
    assert text[citation["char_start"]:citation["char_end"]] == citation["quote"]


def test_follow_up_uses_the_server_side_conversation(reader: httpx.Client) -> None:
    first = reader.post("/chat", json={"message": PORTSMOUTH_PRIORITY}).json()
    follow = reader.post("/chat", json={"message": "And what about its areas for development?",
                                        "conversation_id": first["conversation_id"]})
    assert follow.status_code == 200, follow.text
    body = follow.json()
    assert body["conversation_id"] == first["conversation_id"]
    assert body["answer_id"] != first["answer_id"]
    assert body["abstained"] is False
    assert {c["authority"] for c in body["citations"]} == {"Portsmouth City Council"}
    assert {c["section"] for c in body["citations"]} == {"Areas for development"}


def test_history_in_the_body_is_used(reader: httpx.Client) -> None:
    history = [{"question": "Who signed the Leeds letter?", "answer": "Peter Green [1]."}]
    response = reader.post("/chat", json={"message": "What were its strengths?",
                                          "history": history})
    assert response.status_code == 200, response.text
    citations = response.json()["citations"]
    assert citations
    assert {c["authority"] for c in citations} == {"Leeds City Council"}
    assert {c["section"] for c in citations} == {"Strengths"}


def test_filters_restrict_the_answer_to_a_council(reader: httpx.Client) -> None:
    response = reader.post("/chat", json={"message": "What were the areas for development?",
                                          "filters": {"authority": "Cumbria", "year": 2011}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["citations"]
    assert {c["authority"] for c in body["citations"]} == {"Cumbria County Council"}
    assert any("Written agreements with parents" in c["quote"] for c in body["citations"])


def test_question_outside_the_letters_abstains(reader: httpx.Client) -> None:
    response = reader.post("/chat", json={
        "message": "What did the inspection of Barnsley find about supervision in 2010?"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["abstained"] is True
    assert body["citations"] == []
    assert "Barnsley" in body["answer"]


def test_unknown_conversation_is_404(reader: httpx.Client) -> None:
    response = reader.post("/chat", json={"message": PORTSMOUTH_PRIORITY,
                                          "conversation_id": "conv_doesnotexist"})
    assert_error(response, 404, "conversation_id")


def test_chat_stream_sends_tokens_citations_answer_done(reader: httpx.Client) -> None:
    with reader.stream("POST", "/chat/stream", json={"message": PORTSMOUTH_PRIORITY}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.read().decode("utf-8"))
    names = [name for name, _ in events]
    assert names[-3:] == ["citations", "answer", "done"], names
    assert set(names[:-3]) == {"token"} and len(names) > 5
    tokens = "".join(data["text"] for name, data in events if name == "token")
    answer = events[-2][1]
    assert tokens == answer["answer"]
    assert events[-3][1]["citations"] == answer["citations"]
    assert answer["conversation_id"].startswith("conv_") and answer["answer_id"].startswith("ans_")
    assert answer["citations"][0]["quote"].startswith(PRIORITY_QUOTE_START)
    # the streamed answer joined the conversation: a follow-up continues it
    follow = reader.post("/chat", json={"message": "And its strengths?",
                                        "conversation_id": answer["conversation_id"]}).json()
    assert {c["section"] for c in follow["citations"]} == {"Strengths"}
    assert {c["authority"] for c in follow["citations"]} == {"Portsmouth City Council"}


def test_chat_stream_validates_before_streaming(reader: httpx.Client) -> None:
    response = reader.post("/chat/stream", json={"message": "   "})
    assert_error(response, 422, "message")


# ---- feedback -------------------------------------------------------------------------------

def test_feedback_is_stored_and_visible_to_admins(reader: httpx.Client,
                                                  admin: httpx.Client) -> None:
    answer = reader.post("/chat", json={"message": PORTSMOUTH_PRIORITY}).json()
    posted = reader.post("/feedback", json={"answer_id": answer["answer_id"],
                                            "conversation_id": answer["conversation_id"],
                                            "rating": "down", "comment": "too short"})
    assert posted.status_code == 201, posted.text
    feedback_id = posted.json()["id"]
    assert_error(reader.get("/feedback"), 403)
    listed = admin.get("/feedback", params={"limit": 5})
    assert listed.status_code == 200, listed.text
    record = next(r for r in listed.json()["feedback"] if r["id"] == feedback_id)
    assert record["rating"] == "down" and record["comment"] == "too short"
    assert record["source"] == "api"
    assert record["question"] == PORTSMOUTH_PRIORITY
    assert record["answer"] == answer["answer"]
    assert listed.json()["counts"]["down"] >= 1


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"answer_id": "ans_unknown", "rating": "up"}, 404, "answer_id"),
    ({"answer_id": "ans_x", "rating": "meh"}, 422, "rating"),
    ({"rating": "up"}, 422, "answer_id"),
    ({"answer_id": "ans_x", "rating": "up", "comment": "x" * 2001}, 422, "comment"),
    ({"answer_id": "../etc", "rating": "up"}, 422, "answer_id"),
])
def test_bad_feedback_is_a_4xx(reader: httpx.Client, body: dict[str, Any], status: int,
                               field: str) -> None:
    assert_error(reader.post("/feedback", json=body), status, field)


def test_feedback_for_another_conversation_is_refused(reader: httpx.Client) -> None:
    answer = reader.post("/chat", json={"message": "Who signed the Leeds letter?"}).json()
    other = reader.post("/chat", json={"message": "Who signed the Leeds letter?"}).json()
    response = reader.post("/feedback", json={"answer_id": answer["answer_id"], "rating": "up",
                                              "conversation_id": other["conversation_id"]})
    assert_error(response, 422, "conversation_id")


def test_metrics_count_requests_stages_answers_and_abstentions(reader: httpx.Client) -> None:
    reader.post("/chat", json={"message": PORTSMOUTH_PRIORITY})
    reader.post("/chat", json={"message": "What did the letter to Barnsley say in 2010?"})
    response = reader.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'reportqa_http_requests_total{method="POST",route="/chat",status="200"}' in text
    assert 'reportqa_answer_stage_seconds_count{stage="total"}' in text
    assert 'reportqa_answer_stage_seconds_count{stage="understand"}' in text
    assert 'reportqa_abstentions_total{endpoint="chat"}' in text
    answers = [line for line in text.splitlines()
               if line.startswith('reportqa_answers_total{endpoint="chat"')]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in answers) >= 2


def test_metrics_need_a_key(server: RunningServer) -> None:
    with server.client() as anonymous:
        assert_error(anonymous.get("/metrics"), 401)


# ---- access ---------------------------------------------------------------------------------

def test_missing_or_wrong_key_is_401(server: RunningServer) -> None:
    with server.client() as anonymous:
        response = anonymous.post("/chat", json={"message": PORTSMOUTH_PRIORITY})
        assert_error(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    with server.client("not-a-key") as wrong:
        assert_error(wrong.get("/documents"), 401)


def test_x_api_key_header_is_accepted(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, headers={"X-API-Key": READ_KEY}) as client:
        assert client.get("/documents").status_code == 200


def test_read_key_cannot_write(reader: httpx.Client) -> None:
    error = assert_error(reader.delete("/documents/abc123"), 403)
    assert "admin" in error["message"]
    files = {"files": ("x.txt", b"Dear Sir", "text/plain")}
    assert_error(reader.post("/documents", files=files), 403)


def test_admin_key_can_read(admin: httpx.Client) -> None:
    assert admin.get("/documents").status_code == 200


def test_without_keys_writes_are_allowed_from_loopback(open_server: RunningServer) -> None:
    with open_server.client() as client:
        assert_error(client.delete("/documents/doesnotexist"), 404, "document_id")


def test_without_keys_writes_are_refused_from_other_hosts(components: Components,
                                                          tmp_path: Any) -> None:
    settings = ApiSettings(_env_file=None, database_url=sqlite_in(tmp_path))  # type: ignore[call-arg]
    # TestClient's requests come from the host "testclient", which is not loopback.
    with TestClient(create_app(settings, components)) as client:
        assert client.get("/documents").status_code == 200
        error = assert_error(client.delete("/documents/doesnotexist"), 403)
        assert "REPORTQA_ADMIN_KEYS" in error["message"]


def test_keys_are_never_logged(reader: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    reader.post("/chat", json={"message": PORTSMOUTH_PRIORITY})
    with httpx.Client(base_url=str(reader.base_url), headers={"X-API-Key": ADMIN_KEY}) as admin:
        admin.get("/feedback")
        admin.get("/documents/unknown-id")
    assert caplog.records, "expected some log records"
    assert READ_KEY not in caplog.text and ADMIN_KEY not in caplog.text


def test_settings_read_comma_lists_and_hide_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTQA_API_KEYS", " alpha-key, beta-key ,, ")
    monkeypatch.setenv("REPORTQA_ADMIN_KEYS", "gamma-key")
    monkeypatch.setenv("REPORTQA_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("REPORTQA_PUBLIC_URL", "https://reportqa.example.org/")
    settings = ApiSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.read_keys() == ["alpha-key", "beta-key", "gamma-key"]
    assert settings.write_keys() == ["gamma-key"]
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.public_url == "https://reportqa.example.org"
    assert settings.letter_url("abc", 3, 9) == "https://reportqa.example.org/#letter=abc&start=3&end=9"
    shown = repr(settings) + str(settings.model_dump())
    assert "alpha-key" not in shown and "gamma-key" not in shown


def test_bind_host_is_loopback_only_without_keys(caplog: pytest.LogCaptureFixture) -> None:
    open_settings = ApiSettings(_env_file=None)  # type: ignore[call-arg]
    with caplog.at_level(logging.WARNING, logger="api.settings"):
        assert open_settings.bind_host("0.0.0.0") == "127.0.0.1"
    assert "refusing to bind host=0.0.0.0" in caplog.text
    assert open_settings.bind_host("::1") == "::1"
    assert not open_settings.host_allowed("192.168.1.10")
    keyed = ApiSettings(_env_file=None, api_keys=["k"])  # type: ignore[call-arg]
    assert keyed.bind_host("0.0.0.0") == "0.0.0.0"
    assert keyed.host_allowed("192.168.1.10")
    assert is_loopback("127.0.0.2") and is_loopback("localhost") and not is_loopback("testclient")


def test_bad_public_url_is_refused() -> None:
    with pytest.raises(ValueError, match="REPORTQA_PUBLIC_URL"):
        ApiSettings(_env_file=None, public_url="reportqa.example.org")  # type: ignore[call-arg]


# ---- limits ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def limited_server(components: Components,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server over the shared components allowing a burst of 5 requests, then 6 a minute."""
    settings = ApiSettings(_env_file=None,  # type: ignore[call-arg]
                           database_url=sqlite_in(tmp_path_factory.mktemp("limited")),
                           api_keys=[READ_KEY],
                           rate_limit_per_minute=6, rate_limit_burst=5)
    running = start_server(create_app(settings, components))
    try:
        yield running
    finally:
        running.stop()


def test_rate_limit_gives_429_with_retry_after(limited_server: RunningServer) -> None:
    with limited_server.client(READ_KEY) as client:
        statuses = [client.get("/documents").status_code for _ in range(8)]
        assert statuses[0] == 200
        assert 429 in statuses, statuses
        limited = client.get("/documents")
        error = assert_error(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1
        assert "retry" in error["message"]
        assert client.get("/healthz").status_code == 200  # health is never limited
    with limited_server.client() as anonymous:  # refused keys do not spend the bucket
        assert_error(anonymous.get("/documents"), 401)


def test_body_over_the_limit_is_413(open_server: RunningServer) -> None:
    big = {"message": "x" * 5000}
    with open_server.client() as client:
        error = assert_error(client.post("/chat", json=big), 413)
        assert "2048" in error["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
            yield b'{"message": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}'

        response = client.post("/chat", content=chunks(),
                               headers={"Content-Type": "application/json"})
        assert_error(response, 413)


def test_cors_allows_the_configured_origin_only(open_server: RunningServer) -> None:
    with open_server.client() as client:
        allowed = client.options("/chat", headers={
            "Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == CORS_ORIGIN
        other = client.options("/chat", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in other.headers


def test_empty_store_abstains_and_says_how_to_ingest(open_server: RunningServer) -> None:
    with open_server.client() as client:
        response = client.post("/chat", json={"message": PORTSMOUTH_PRIORITY})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["abstained"] is True and "ingest" in body["answer"].lower()


# ---- malformed requests ---------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}

MALFORMED: list[tuple[str, str, dict[str, Any], int, str | None]] = [
    # (method, path, request kwargs, status, field)
    ("POST", "/chat", {"content": b'{"message": ', "headers": JSON}, 400, "body"),
    ("POST", "/chat", {"content": b"\xff\xfe\x00garbage", "headers": JSON}, 400, "body"),
    ("POST", "/chat", {"content": b'{"message": "hi"}',
                       "headers": {"Content-Type": "text/plain"}}, 415, "body"),
    ("POST", "/chat", {}, 422, "body"),
    ("POST", "/chat", {"json": [1, 2]}, 422, "body"),
    ("POST", "/chat", {"json": {"question": "hi"}}, 422, "message"),
    ("POST", "/chat", {"json": {"message": ""}}, 422, "message"),
    ("POST", "/chat", {"json": {"message": "   \n "}}, 422, "message"),
    ("POST", "/chat", {"json": {"message": 42}}, 422, "message"),
    ("POST", "/chat", {"json": {"message": "x" * 2001}}, 422, "message"),
    ("POST", "/chat", {"json": {"message": "hi", "filters": {"year": "soon"}}}, 422,
     "filters.year"),
    ("POST", "/chat", {"json": {"message": "hi", "filters": {"year": 1850}}}, 422,
     "filters.year"),
    ("POST", "/chat", {"json": {"message": "hi", "filters": {"council": "Leeds"}}}, 422,
     "filters.council"),
    ("POST", "/chat", {"json": {"message": "hi", "filters": "Leeds"}}, 422, "filters"),
    ("POST", "/chat", {"json": {"message": "hi", "history": [{"answer": "x"}]}}, 422,
     "history.0.question"),
    ("POST", "/chat", {"json": {"message": "hi", "history": "none"}}, 422, "history"),
    ("POST", "/chat", {"json": {"message": "hi", "conversation_id": "../../etc"}}, 422,
     "conversation_id"),
    ("POST", "/chat", {"json": {"message": "hi", "extra": True}}, 422, "extra"),
    ("POST", "/chat", {"json": {"message": "hi\u0000there", "filters": {"year": 2009.5}}}, 422,
     "filters.year"),
    ("POST", "/chat", {"content": b'{"message": "\\ud800 Portsmouth"}', "headers": JSON}, 422,
     "message"),
    ("POST", "/chat", {"content": b'{"message": "hi", "filters": {"authority": "\\udfff"}}',
                       "headers": JSON}, 422, "filters.authority"),
    ("POST", "/chat", {"content": b"[" * 50_000 + b"]" * 50_000, "headers": JSON}, 400, None),
    ("POST", "/chat", {"content": b'{"message": "hi", "filters": {"year": NaN}}',
                       "headers": JSON}, 422, "filters.year"),
    ("POST", "/feedback", {"content": b'{"answer_id": "a", "rating": "up", "comment": "\\ud800"}',
                           "headers": JSON}, 422, "comment"),
    ("POST", "/v1/chat/completions",
     {"content": b'{"messages": [{"role": "user", "content": "\\ud800"}]}', "headers": JSON},
     422, "messages"),
    ("GET", "/feedback", {"params": {"limit": "lots"}}, 422, "limit"),
    ("GET", "/no/such/endpoint", {}, 404, None),
    ("PUT", "/chat", {"json": {"message": "hi"}}, 405, None),
    ("GET", "/documents/%00%01", {}, 404, "document_id"),
    ("POST", "/v1/chat/completions", {"json": {"model": "reportqa", "messages": []}}, 422,
     "messages"),
    ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": 5}]}},
     422, None),
    ("POST", "/v1/chat/completions",
     {"json": {"messages": [{"role": "wizard", "content": "hi"}]}}, 422, None),
    ("POST", "/documents", {"json": {"files": ["a.txt"]}}, 415, "files"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "field"), MALFORMED,
                         ids=[f"{m} {p} {s}-{i}" for i, (m, p, _, s, _) in enumerate(MALFORMED)])
def test_malformed_requests_are_4xx_json_errors(admin: httpx.Client, method: str, path: str,
                                                kwargs: dict[str, Any], status: int,
                                                field: str | None) -> None:
    headers = {**admin.headers, **kwargs.pop("headers", {})}
    response = admin.request(method, path, headers=headers, **kwargs)
    assert_error(response, status, field)


@pytest.mark.parametrize("message", ["hi\u0000there", "\u202e\u0301" * 200, "🙂" * 500,
                                     "<script>alert(1)</script> Portsmouth"])
def test_odd_but_valid_messages_are_answered(reader: httpx.Client, message: str) -> None:
    for path in ("/chat", "/chat/stream"):
        response = reader.post(path, json={"message": message})
        assert response.status_code == 200, response.text
        if path == "/chat":
            assert isinstance(response.json()["abstained"], bool)
        else:
            assert parse_sse(response.text)[-1][0] == "done"


def test_validation_errors_list_every_field(admin: httpx.Client) -> None:
    response = admin.post("/chat", json={"message": "", "filters": {"year": "x"}})
    error = assert_error(response, 422)
    fields = {e["field"] for e in error["errors"]}
    assert fields == {"message", "filters.year"}
    assert "message" in error["message"] and "filters.year" in error["message"]


def test_openapi_page_documents_the_endpoints(server: RunningServer) -> None:
    with server.client() as anonymous:
        schema = anonymous.get("/openapi.json").json()
    paths = set(schema["paths"])
    for path in ("/chat", "/chat/stream", "/v1/chat/completions", "/v1/models", "/documents",
                 "/documents/{document_id}", "/feedback", "/healthz", "/readyz", "/metrics"):
        assert path in paths
    assert "multipart/form-data" in schema["paths"]["/documents"]["post"]["requestBody"]["content"]


def test_serve_binds_loopback_without_keys_and_announces_the_url(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import uvicorn

    from api.app import serve

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    announced: list[str] = []
    open_settings = ApiSettings(_env_file=None, database_url=sqlite_in(tmp_path))  # type: ignore[call-arg]
    serve(open_settings, host="0.0.0.0", port=8123, announce=announced.append)
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8123
    assert announced == ["http://127.0.0.1:8123/"]
    keyed = ApiSettings(_env_file=None, database_url=sqlite_in(tmp_path), admin_keys=["k"])  # type: ignore[call-arg]
    app = create_app(keyed)
    serve(keyed, host="::", port=8124, app=app, announce=announced.append)
    assert calls[1]["host"] == "::" and calls[1]["app"] is app
    assert announced[-1] == "http://[::]:8124/"


class BrokenAssistant:
    """An assistant with a bug: the catch-all must answer 500 JSON and log it."""

    catalog: list[object] = []

    def refresh(self, force: bool = False) -> None:
        return None

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the assistant")

    def answer_events(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        raise RuntimeError("a bug in the assistant")
        yield  # a generator


def test_a_real_bug_is_a_logged_500_json_error(components: Components, tmp_path: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    settings = ApiSettings(_env_file=None, database_url=sqlite_in(tmp_path))  # type: ignore[call-arg]
    running = start_server(create_app(settings, components,
                                      assistant=BrokenAssistant()))  # type: ignore[arg-type]
    try:
        with caplog.at_level(logging.ERROR), running.client() as client:
            response = client.post("/chat", json={"message": PORTSMOUTH_PRIORITY})
            error = assert_error(response, 500)
            assert error["code"] == "internal_error"
            assert "a bug in the assistant" not in response.text  # no internals leak out
            stream = client.post("/chat/stream", json={"message": PORTSMOUTH_PRIORITY})
            assert stream.status_code == 200
            events = parse_sse(stream.text)
            assert events[-1][0] == "error"
            assert events[-1][1]["error"]["code"] == "internal_error"
        assert "a bug in the assistant" in caplog.text
    finally:
        running.stop()
