"""Streaming trust: what ``/chat/stream`` and the OpenAI stream send while an LLM answers.

The app runs the real assistant over the shared corpus with its chat model pointed at the scripted
OpenAI server (``tests/assistant/openai_server.py``). A model citing a passage that does not exist
has its text replaced by the verified (extractive) answer: ``/chat/stream`` says ``reset`` before
the verified text, and the OpenAI stream never carries the model's unverified text at all.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.components import Components
from api.openai_compat import FOOTNOTES_MARK
from api.settings import ApiSettings
from assistant.chain import Assistant
from assistant.llm import LLMAnswerer, build_chat_model
from tests.api.conftest import PORTSMOUTH_PRIORITY, PUBLIC_URL, RunningServer, start_server
from tests.api.databases import sqlite_in
from tests.assistant.openai_server import OpenAIServer, RecordedRequest, Reply

pytestmark = pytest.mark.slow

MODEL = "test-model"
KEY = "sk-test-stream-1a2b"
INVENTED = "Portsmouth was rated outstanding in every respect [42]."
PASSAGE_RE = re.compile(r'<passage n="(\d+)"([^>]*)>\n(.*?)\n</passage>', re.DOTALL)


def cite_first(body: dict[str, Any]) -> Reply:
    """A faithful model: the first sentence of passage 1, cited [1]."""
    request = RecordedRequest("POST", "/v1/chat/completions", {}, body)
    passages = [html.unescape(m.group(3)) for m in PASSAGE_RE.finditer(request.message("user"))]
    first = (passages[0] if passages else "").split(". ")[0].strip().rstrip(".")
    return Reply(f"{first} [1].", chunk_size=2)


def invent(body: dict[str, Any]) -> Reply:
    """An unfaithful model: a claim with a marker to a passage that was never sent."""
    return Reply(INVENTED, chunk_size=2)


@pytest.fixture(scope="module")
def llm_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(model=MODEL, api_key=KEY, responder=cite_first) as running:
        yield running


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory: pytest.TempPathFactory, components: Components,
            llm_server: OpenAIServer) -> Iterator[RunningServer]:
    settings = ApiSettings(_env_file=None,  # type: ignore[call-arg]
                           database_url=sqlite_in(tmp_path_factory.mktemp("stream-data")),
                           public_url=PUBLIC_URL,
                           rate_limit_per_minute=0)
    assistant = Assistant(components.store, components.embedder)
    assistant.llm = LLMAnswerer(build_chat_model(llm_server.base_url, MODEL, KEY, 10,
                                                 max_retries=0))
    running = start_server(create_app(settings, components, assistant=assistant))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(llm_app: RunningServer, llm_server: OpenAIServer) -> Iterator[httpx.Client]:
    llm_server.responder = cite_first
    with llm_app.client() as http:
        yield http


def sse_events(response: httpx.Response) -> list[tuple[str, Any]]:
    """``(event, data)`` of a Server-Sent Events body."""
    events = []
    for block in response.text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "data" in fields:
            data = fields["data"]
            events.append((fields.get("event", "message"),
                           data if data == "[DONE]" else json.loads(data)))
    return events


def shown_text(events: list[tuple[str, Any]]) -> str:
    """What a client honouring ``reset`` shows: the tokens after the last reset."""
    text = ""
    for event, data in events:
        if event == "reset":
            text = ""
        elif event == "token":
            text += data["text"]
    return text


def openai_stream(client: httpx.Client, question: str) -> tuple[str, list[dict[str, Any]]]:
    """The streamed completion's content and its chunks."""
    response = client.post("/v1/chat/completions", json={
        "model": "reportqa", "stream": True,
        "messages": [{"role": "user", "content": question}]})
    assert response.status_code == 200, response.text
    chunks = [data for _, data in sse_events(response) if data != "[DONE]"]
    content = "".join((c["choices"][0]["delta"].get("content") or "")
                      for c in chunks if c.get("choices"))
    return content, chunks


def test_chat_stream_resets_when_the_model_text_is_replaced(client: httpx.Client,
                                                           llm_server: OpenAIServer) -> None:
    llm_server.responder = invent
    response = client.post("/chat/stream", json={"message": PORTSMOUTH_PRIORITY})
    assert response.status_code == 200, response.text
    events = sse_events(response)
    kinds = [event for event, _ in events]
    assert "reset" in kinds
    before = "".join(d["text"] for e, d in events[:kinds.index("reset")] if e == "token")
    assert "outstanding" in before  # the model's text was streamed, then taken back
    [answer] = [d for e, d in events if e == "answer"]
    assert shown_text(events) == answer["answer"]
    assert "outstanding" not in answer["answer"] and "[42]" not in answer["answer"]
    assert answer["citations"] and not answer["abstained"]
    assert kinds.index("reset") < kinds.index("citations") < kinds.index("answer")


def test_openai_stream_never_carries_the_unverified_text(client: httpx.Client,
                                                         llm_server: OpenAIServer) -> None:
    llm_server.responder = invent
    content, chunks = openai_stream(client, PORTSMOUTH_PRIORITY)
    assert "outstanding" not in content and "[42]" not in content
    plain = client.post("/chat", json={"message": PORTSMOUTH_PRIORITY}).json()
    assert content.split(FOOTNOTES_MARK, 1)[0] == plain["answer"]
    final = [c for c in chunks if c.get("choices") and c["choices"][0]["finish_reason"]]
    assert [c["label"] for c in final[0]["citations"]] == [c["label"] for c in plain["citations"]]


def test_a_faithful_model_streams_its_verified_text(client: httpx.Client,
                                                    llm_server: OpenAIServer) -> None:
    response = client.post("/chat/stream", json={"message": PORTSMOUTH_PRIORITY})
    events = sse_events(response)
    [answer] = [d for e, d in events if e == "answer"]
    assert "[1]" in answer["answer"] and answer["citations"]
    assert not answer["warnings"], answer["warnings"]
    assert shown_text(events) == answer["answer"]
    content, _ = openai_stream(client, PORTSMOUTH_PRIORITY)
    assert content.split(FOOTNOTES_MARK, 1)[0] == answer["answer"]


def test_openai_answers_are_stored_and_take_feedback_by_completion_id(
        client: httpx.Client) -> None:
    body = client.post("/v1/chat/completions", json={
        "messages": [{"role": "user", "content": PORTSMOUTH_PRIORITY}]}).json()
    assert body["answer_id"] == body["id"] and body["id"].startswith("chatcmpl-")
    assert body["conversation_id"].startswith("conv_")
    rated = client.post("/feedback", json={"answer_id": body["id"], "rating": "up"})
    assert rated.status_code == 201, rated.text
    again = client.post("/v1/chat/completions", json={
        "conversation_id": body["conversation_id"],
        "messages": [{"role": "user", "content": PORTSMOUTH_PRIORITY}]}).json()
    assert again["conversation_id"] == body["conversation_id"]
    _, chunks = openai_stream(client, PORTSMOUTH_PRIORITY)
    [final] = [c for c in chunks if c.get("choices") and c["choices"][0]["finish_reason"]]
    assert final["answer_id"] == final["id"]
    rated = client.post("/feedback", json={"answer_id": final["answer_id"], "rating": "down",
                                           "conversation_id": final["conversation_id"]})
    assert rated.status_code == 201, rated.text
    missing = client.post("/v1/chat/completions", json={
        "conversation_id": "conv_missing", "messages": [{"role": "user", "content": "hi"}]})
    assert missing.status_code == 404


def test_the_chat_page_replaces_the_text_on_reset(llm_app: RunningServer, client: httpx.Client,
                                                  llm_server: OpenAIServer) -> None:
    chromium = Path(os.environ.get("REPORTQA_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.is_file():
        pytest.skip(f"{chromium} is missing: install Debian's chromium (`make browser`, as "
                    "root) to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.api.test_chat_page import CHROMIUM_ARGS

    llm_server.responder = invent
    verified = client.post("/chat", json={"message": PORTSMOUTH_PRIORITY}).json()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.goto(llm_app.url + "/")
            box = page.locator("#question")
            box.fill(PORTSMOUTH_PRIORITY)
            box.press("Enter")
            bubble = page.locator(".message.answer").first
            sync_api.expect(bubble).to_have_attribute("data-state", "done", timeout=120_000)
            assert bubble.get_attribute("data-resets") == "1"
            text = bubble.locator(".answer-text").text_content() or ""
            assert "outstanding" not in text
            assert text == re.sub(r"\[(\d+)\]", r"\1", verified["answer"])
        finally:
            browser.close()
