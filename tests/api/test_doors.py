"""Every front door shows the same verified answer with the same citations.

The same questions (a section, a metadata question, a list, an abstention and a follow-up) go
through ``reportqa ask --json``, ``POST /chat``, ``POST /chat/stream``, ``/v1/chat/completions``
(plain and streaming, with the official ``openai`` client), the Slack endpoint (signed slash
commands against the fake Slack Web API) and the chat page (Chromium). Each door's answer is
reduced to its text, its cited spans ``(source, char_start, char_end)`` and its citation labels,
and every door must agree with ``POST /chat``.

The corpus is the real Portsmouth letter and two letters of the small evaluation suite, ingested
once for the module.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest
from click.testing import CliRunner
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

import api.cli
from api.app import create_app
from api.components import Components
from api.openai_compat import FOOTNOTES_MARK
from api.settings import ApiSettings, SlackSettings
from api.slack import SLACK_EVENTS_PATH, mount_slack
from ingest.pipeline import IngestPipeline
from tests.api.conftest import PUBLIC_URL, RunningServer, start_server
from tests.api.databases import sqlite_in
from tests.api.fake_slack import TEAM_ID, FakeSlack
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LETTERS = [ROOT / "data/sample/letters/portsmouth-2009-ucra-letter.txt",
           ROOT / "evals/suites/small/letters/hartlepool-2010-ucra-letter.txt",
           ROOT / "evals/suites/small/letters/bournemouth-2010-ucra-letter.txt"]
SIGNING_SECRET = "doors-signing-secret-9f1e"
BOT_TOKEN = "xoxb-doors-0000-bot-token"
CHROMIUM = Path(os.environ.get("REPORTQA_CHROMIUM", "/usr/bin/chromium"))

SECTION = "What was the area for priority action in Portsmouth in 2009?"
METADATA = "Who signed the Hartlepool letter?"
LIST = "Which councils had an area for priority action?"
ABSTAIN = "What was the area for priority action in Leeds in 2015?"
FOLLOW_UP = "And who signed it?"
QUESTIONS = [SECTION, METADATA, LIST, ABSTAIN]
"""Asked one by one, each in a new conversation; then FOLLOW_UP after SECTION in one."""


@dataclass(frozen=True)
class Shown:
    """What a door showed: the answer text, the cited spans and the citation labels."""

    text: str
    spans: tuple[tuple[str, int, int], ...]
    labels: tuple[str, ...]
    abstained: bool


def from_contract(body: dict[str, Any]) -> Shown:
    """A door's answer object (or OpenAI ``citations``) reduced to what is compared."""
    return Shown(text=body["answer"],
                 spans=tuple((c["source"], c["char_start"], c["char_end"])
                             for c in body["citations"]),
                 labels=tuple(c["label"] for c in body["citations"]),
                 abstained=bool(body["abstained"]))


# ---- the running doors -------------------------------------------------------------------------
@dataclass
class Doors:
    server: RunningServer
    components: Components
    slack: FakeSlack
    sources: dict[str, str]  # document id -> source file name

    def http(self) -> httpx.Client:
        return self.server.client()


@pytest.fixture(scope="module")
def doors(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Doors]:
    folder = tmp_path_factory.mktemp("doors")
    (folder / "letters").mkdir()
    for letter in LETTERS:
        shutil.copy(letter, folder / "letters" / letter.name)
    store_settings = StoreSettings(_env_file=None, data_dir=folder / "store",  # type: ignore[call-arg]
                                   chroma_url=None, collection_prefix="doorstest")
    store = LetterStore(make_client(store_settings), dimension=embedder.dimension,
                        prefix=store_settings.collection_prefix)
    components = Components(settings=store_settings, embedder=embedder, store=store)
    report = IngestPipeline(store, embedder).ingest([folder / "letters"])
    assert report.ok and report.counts()["added"] == len(LETTERS), report.to_dict()
    settings = ApiSettings(_env_file=None,  # type: ignore[call-arg]
                           database_url=sqlite_in(folder / "api"), public_url=PUBLIC_URL,
                           rate_limit_per_minute=0)
    with FakeSlack() as slack:
        app = create_app(settings, components)
        slack_settings = SlackSettings(_env_file=None,  # type: ignore[call-arg]
                                       bot_token=SecretStr(BOT_TOKEN),
                                       signing_secret=SecretStr(SIGNING_SECRET),
                                       slack_api_url=slack.api_url,
                                       command_response="in_channel")
        mount_slack(app, assistant_getter=lambda: app.state.assistant,
                    feedback_store=app.state.feedback, settings=slack_settings,
                    conversations=app.state.conversations, history_turns=settings.history_turns,
                    letter_url=settings.letter_url, metrics=app.state.metrics)
        running = start_server(app)
        try:
            sources = {letter.document_id: letter.source
                       for letter in store.list_letters(include_text=False)}
            yield Doors(running, components, slack, sources)
        finally:
            running.stop()


# ---- one function per door: questions in, what it showed out -----------------------------------
Door = Callable[[Doors, list[str]], list[Shown]]
"""Ask the questions in one conversation (each after the previous); what was shown for each."""


def ask_chat(doors: Doors, questions: list[str]) -> list[Shown]:
    shown, conversation = [], None
    with doors.http() as http:
        for question in questions:
            body: dict[str, Any] = {"message": question}
            if conversation:
                body["conversation_id"] = conversation
            answer = http.post("/chat", json=body)
            assert answer.status_code == 200, answer.text
            conversation = answer.json()["conversation_id"]
            shown.append(from_contract(answer.json()))
    return shown


def ask_cli(doors: Doors, questions: list[str], tmp: Path) -> list[Shown]:
    shown: list[Shown] = []
    history: list[dict[str, str]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api.cli, "build_components", lambda *a, **k: doors.components)
        for question in questions:
            args = ["ask", question, "--json"]
            if history:
                path = tmp / f"history-{uuid.uuid4().hex}.json"
                path.write_text(json.dumps(history), encoding="utf-8")
                args += ["--history", str(path)]
            result = CliRunner().invoke(api.cli.main, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            body = json.loads(result.stdout)
            history.append({"question": question, "answer": body["answer"]})
            shown.append(from_contract(body))
    return shown


def sse_events(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "data" in fields:
            events.append((fields.get("event", "message"), json.loads(fields["data"])))
    return events


def ask_stream(doors: Doors, questions: list[str]) -> list[Shown]:
    shown, conversation = [], None
    with doors.http() as http:
        for question in questions:
            body: dict[str, Any] = {"message": question}
            if conversation:
                body["conversation_id"] = conversation
            response = http.post("/chat/stream", json=body)
            assert response.status_code == 200, response.text
            events = sse_events(response.text)
            text = ""
            for event, data in events:
                text = "" if event == "reset" else text + (data["text"] if event == "token"
                                                           else "")
            [answer] = [data for event, data in events if event == "answer"]
            assert text == answer["answer"], "the streamed text is not the verified answer"
            conversation = answer["conversation_id"]
            shown.append(from_contract(answer))
    return shown


def _openai_shown(content: str, extra: dict[str, Any]) -> Shown:
    text = content.split(FOOTNOTES_MARK, 1)[0]
    citations = extra["citations"]
    for citation in citations:  # the footnote shows the same label
        assert f"[{citation['marker']}] {citation['label']}: " in content
    return from_contract({"answer": text, "citations": citations,
                          "abstained": extra["reportqa"]["abstained"]})


def ask_openai(doors: Doors, questions: list[str], stream: bool) -> list[Shown]:
    from openai import OpenAI

    client = OpenAI(base_url=doors.server.url + "/v1", api_key="unused", max_retries=0,
                    timeout=120)
    shown: list[Shown] = []
    messages: list[Any] = []
    for question in questions:
        messages.append({"role": "user", "content": question})
        if stream:
            content, extra = "", {}
            for chunk in client.chat.completions.create(model="reportqa", messages=messages,
                                                        stream=True):
                if chunk.choices and chunk.choices[0].delta.content:
                    content += chunk.choices[0].delta.content
                if chunk.choices and chunk.choices[0].finish_reason:
                    extra = chunk.model_extra or {}
        else:
            completion = client.chat.completions.create(model="reportqa", messages=messages)
            content = completion.choices[0].message.content or ""
            extra = completion.model_extra or {}
        assert extra.get("answer_id"), "the completion has no answer_id"
        messages.append({"role": "assistant", "content": content})
        shown.append(_openai_shown(content, extra))
    return shown


def _signed(body: str, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": str(signature)}


def ask_slack(doors: Doors, questions: list[str]) -> list[Shown]:
    shown = []
    user, channel = f"U{uuid.uuid4().hex[:8].upper()}", "CDOORS"
    with doors.http() as http:
        for question in questions:
            name = f"doors-{uuid.uuid4().hex[:8]}"
            form = urlencode({"token": "unused", "team_id": TEAM_ID, "channel_id": channel,
                              "user_id": user, "user_name": "alice", "command": "/reports",
                              "text": question, "response_url": doors.slack.response_url(name),
                              "trigger_id": uuid.uuid4().hex, "api_app_id": "A0TEST"})
            ack = http.post(SLACK_EVENTS_PATH, content=form.encode(),
                            headers=_signed(form, "application/x-www-form-urlencoded"))
            assert ack.status_code == 200, ack.text
            calls = doors.slack.wait_for("response_url", ending_with(name))
            shown.append(_slack_shown(doors, calls))
    return shown


def ending_with(name: str) -> Callable[[Any], bool]:
    return lambda call: bool(call.path.endswith(name))


def _slack_shown(doors: Doors, calls: list[Any]) -> Shown:
    text = html.unescape(calls[0].body["text"])  # the message text: the whole answer
    abstained = text.startswith("Not found in the letters. ")
    text = text.removeprefix("Not found in the letters. ")
    spans, labels = [], []
    for call in calls:
        blocks = call.block_text()
        for title, url in re.findall(r"^\*\[\d+\]\* (.+)$\n(?:>.*\n)*<([^|>]+)\|", blocks,
                                     re.MULTILINE):
            query = parse_qs(urlparse(html.unescape(url)).fragment)
            spans.append((doors.sources[query["letter"][0]], int(query["start"][0]),
                          int(query["end"][0])))
            labels.append(html.unescape(title))
        if abstained:
            assert "Not found in the letters" in blocks
    return Shown(text=text, spans=tuple(spans), labels=tuple(labels), abstained=abstained)


# ---- the tests ---------------------------------------------------------------------------------
def conversations() -> list[list[str]]:
    return [[question] for question in QUESTIONS] + [[SECTION, FOLLOW_UP]]


@pytest.fixture(scope="module")
def expected(doors: Doors) -> list[list[Shown]]:
    """What ``POST /chat`` shows: the reference every other door must match."""
    result = [ask_chat(doors, questions) for questions in conversations()]
    section, metadata, listed, abstained = (r[0] for r in result[:4])
    assert not section.abstained and "Initial Assessment Team" in section.text
    assert section.labels == ("Portsmouth City Council · letter of 9 December 2009 · "
                              "Area for priority action",)
    assert "Alan Crowther" in metadata.text and metadata.spans
    assert len(listed.spans) == 3 and not listed.abstained
    assert abstained.abstained and not abstained.spans
    follow_up = result[4][1]
    assert "Heather Brown" in follow_up.text and follow_up.spans
    for shown in (r for conversation in result for r in conversation):
        for (source, start, end) in shown.spans:
            letter = doors.components.store.find_letter_by_source(source)
            assert letter is not None and 0 <= start < end <= len(letter.text)
    return result


@pytest.mark.parametrize("door", ["cli", "chat_stream", "openai", "openai_stream", "slack"])
def test_every_door_shows_the_same_answer_and_citations(
        door: str, doors: Doors, expected: list[list[Shown]], tmp_path: Path) -> None:
    ask: dict[str, Callable[[list[str]], list[Shown]]] = {
        "cli": lambda q: ask_cli(doors, q, tmp_path),
        "chat_stream": lambda q: ask_stream(doors, q),
        "openai": lambda q: ask_openai(doors, q, stream=False),
        "openai_stream": lambda q: ask_openai(doors, q, stream=True),
        "slack": lambda q: ask_slack(doors, q),
    }
    for questions, reference in zip(conversations(), expected, strict=True):
        got = ask[door](questions)
        assert got == reference, f"{door} differs on {questions[-1]!r}"


def test_the_chat_page_shows_the_same_answer_and_citations(
        doors: Doors, expected: list[list[Shown]]) -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`, as "
                    "root) to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.api.test_chat_page import CHROMIUM_ARGS

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for questions, reference in zip(conversations(), expected, strict=True):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.set_default_timeout(60_000)
                page.goto(doors.server.url + "/")
                got = [_page_shown(sync_api, page, doors, q) for q in questions]
                page.close()
                assert got == [as_chips(r) for r in reference], \
                    f"the page differs on {questions[-1]!r}"
        finally:
            browser.close()


def _page_shown(sync_api: Any, page: Any, doors: Doors, question: str) -> Shown:
    answers = page.locator(".message.answer")
    before = answers.count()
    box = page.locator("#question")
    box.fill(question)
    box.press("Enter")
    bubble = answers.nth(before)
    sync_api.expect(bubble).to_have_attribute("data-state", "done", timeout=120_000)
    # Markers are rendered as chips showing their number: "[1]" reads "1".
    text = bubble.locator(".answer-text").text_content()
    items = bubble.locator(".sources li")
    spans, labels = [], []
    for i in range(items.count()):
        item = items.nth(i)
        spans.append((item.get_attribute("data-source"), int(item.get_attribute("data-start")),
                      int(item.get_attribute("data-end"))))
        labels.append(item.locator(".source-label").text_content())
    abstained = "abstained" in (bubble.get_attribute("class") or "")
    return Shown(text=text, spans=tuple(spans), labels=tuple(labels), abstained=abstained)


def as_chips(shown: Shown) -> Shown:
    """``shown`` as the page renders its text: each cited marker ``[n]`` is a chip reading n."""
    cited = range(1, len(shown.spans) + 1)
    text = re.sub(r"\[(\d+)\]", lambda m: m.group(1) if int(m.group(1)) in cited else m.group(0),
                  shown.text)
    return Shown(text=text, spans=shown.spans, labels=shown.labels, abstained=shown.abstained)


def test_slack_passes_council_and_year_filters_and_counts_its_answers(doors: Doors) -> None:
    [hartlepool] = ask_slack(doors, ["council:Hartlepool year:2010 Who signed the letter?"])
    assert "Alan Crowther" in hartlepool.text and hartlepool.spans
    [bournemouth] = ask_slack(doors, ['council:"Bournemouth Borough Council" Who signed the '
                                      "letter?"])
    assert "Peter Lindsay" in bournemouth.text
    [none] = ask_slack(doors, ["council:Hartlepool year:2012 Who signed the letter?"])
    assert none.abstained and not none.spans
    # a follow-up in the same conversation keeps its council:/year: options
    first, follow = ask_slack(doors, ["council:Hartlepool year:2010 Who signed the letter?",
                                      "what were the areas for development?"])
    assert "Alan Crowther" in first.text
    assert follow.spans and not follow.abstained
    assert {source for source, _, _ in follow.spans} == {first.spans[0][0]}
    with doors.http() as http:
        metrics = http.get("/metrics").text
    assert re.search(r'reportqa_answers_total\{endpoint="slack",kind="metadata"\} [1-9]', metrics)
