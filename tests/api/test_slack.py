"""The Slack bot over real HTTP: a FastAPI app with ``mount_slack`` served by uvicorn on loopback,
a real assistant over the real Portsmouth letter, and a fake Slack Web API that records the calls.

Requests are signed as Slack signs them (or forged, or stale); the assertions look at what the bot
posted: blocks, thread, citations, follow-up answers, acknowledgements and feedback.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest
import uvicorn
import yaml
from fastapi import FastAPI
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from api.conversations import ConversationStore
from api.feedback import FeedbackStore
from api.settings import ApiSettings, SlackSettings
from api.slack import (
    SLACK_EVENTS_PATH,
    SlackConfigError,
    build_slack_app,
    clean_text,
    mount_slack,
    run_socket_mode,
)
from api.slack_blocks import FEEDBACK_DOWN, FEEDBACK_UP, parse_feedback_value
from assistant.chain import Assistant
from ingest.pipeline import IngestPipeline
from tests.api.fake_slack import BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack
from tests.servers import free_port
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LETTER = ROOT / "data/sample/letters/portsmouth-2009-ucra-letter.txt"
BOT_TOKEN = "xoxb-test-0000-secret-bot-token"
SIGNING_SECRET = "test-signing-secret-4c0ffee"
PUBLIC_URL = "https://reportqa.example.org"
USER = "UALICE"
CHANNEL = "CGENERAL"
QUESTION = "What was the area for priority action in Portsmouth in 2009?"


class Failing:
    """An assistant that breaks, to check the polite error message."""

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the store fell over")


class Bot:
    """The running app and what the tests need to drive and inspect it."""

    def __init__(self, url: str, slack: FakeSlack, assistant: Assistant, feedback: FeedbackStore,
                 conversations: ConversationStore) -> None:
        self.url = url
        self.slack = slack
        self.assistant = assistant
        self.feedback = feedback
        self.conversations = conversations
        self.failing = False
        self.http = httpx.Client(base_url=url, timeout=30)

    # ---- signed requests --------------------------------------------------------------------
    def send(self, body: str, content_type: str, *, timestamp: int | None = None,
             secret: str = SIGNING_SECRET, headers: dict[str, str] | None = None
             ) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        all_headers: dict[str, str] = {"Content-Type": content_type,
                                       "X-Slack-Request-Timestamp": ts,
                                       "X-Slack-Signature": str(signature), **(headers or {})}
        return self.http.post("/slack/events", content=body.encode(), headers=all_headers)

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              **kwargs: Any) -> httpx.Response:
        body = {"token": "unused", "team_id": TEAM_ID, "api_app_id": "A0TEST",
                "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
                "event_time": int(time.time()), "event": event,
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}
        return self.send(json.dumps(body), "application/json", **kwargs)

    def command(self, text: str, response_url: str, **kwargs: Any) -> httpx.Response:
        form = {"token": "unused", "team_id": TEAM_ID, "channel_id": CHANNEL, "user_id": USER,
                "user_name": "alice", "command": "/reports", "text": text,
                "response_url": response_url, "trigger_id": uuid.uuid4().hex,
                "api_app_id": "A0TEST"}
        return self.send(urlencode(form), "application/x-www-form-urlencoded", **kwargs)

    def action(self, payload: dict[str, Any]) -> httpx.Response:
        return self.send(urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded")

    def mention(self, text: str, channel: str = CHANNEL, thread_ts: str | None = None
                ) -> tuple[str, httpx.Response]:
        ts = new_ts()
        event = {"type": "app_mention", "user": USER, "text": f"<@{BOT_USER_ID}> {text}",
                 "ts": ts, "channel": channel, "event_ts": ts}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return ts, self.event(event)


def new_ts() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 1_000_000:06d}"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Bot]:
    """One app (uvicorn on loopback) and one fake Slack for the whole module."""
    folder = tmp_path_factory.mktemp("slack")
    store_settings = StoreSettings(_env_file=None, data_dir=folder / "store",  # type: ignore[call-arg]
                                   collection_prefix="slacktest")
    client = make_client(store_settings)
    store = LetterStore(client, dimension=embedder.dimension, prefix="slacktest")
    report = IngestPipeline(store, embedder).ingest([LETTER])
    assert report.ok, report.to_dict()
    assistant = Assistant(store, embedder)
    feedback = FeedbackStore(folder / "feedback.sqlite3")
    conversations = ConversationStore(folder / "conversations.sqlite3")
    with FakeSlack() as slack:
        settings = SlackSettings(_env_file=None,  # type: ignore[call-arg]
                                 bot_token=SecretStr(BOT_TOKEN),
                                 signing_secret=SecretStr(SIGNING_SECRET),
                                 slack_api_url=slack.api_url)
        api_settings = ApiSettings(_env_file=None, public_url=PUBLIC_URL)  # type: ignore[call-arg]
        holder: dict[str, Bot] = {}

        def assistant_getter() -> Any:
            return Failing() if holder["bot"].failing else assistant

        app = FastAPI()
        mount_slack(app, assistant_getter=assistant_getter, feedback_store=feedback,
                    settings=settings, conversations=conversations,
                    history_turns=api_settings.history_turns,
                    letter_url=api_settings.letter_url)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        holder["bot"] = Bot(f"http://127.0.0.1:{port}", slack, assistant, feedback,
                            conversations)
        try:
            yield holder["bot"]
        finally:
            holder["bot"].http.close()
            server.should_exit = True
            thread.join(timeout=15)
            client_close = getattr(client, "close", None)
            if client_close is not None:
                client_close()


def in_thread(channel: str, thread_ts: str | None) -> Any:
    def match(call: Call) -> bool:
        return call.body.get("channel") == channel and call.body.get("thread_ts") == thread_ts
    return match


def citation_links(call: Call) -> list[tuple[str, int, int]]:
    """``(document_id, start, end)`` of every passage link in a message."""
    links = []
    for url in re.findall(r"<(https://reportqa\.example\.org/#[^|>]+)\|", call.block_text()):
        query = parse_qs(urlparse(url).fragment)
        links.append((query["letter"][0], int(query["start"][0]), int(query["end"][0])))
    return links


def quotes(call: Call) -> list[str]:
    """The quoted passages shown in a message (blockquote lines joined, entities undone)."""
    found = []
    for block in call.blocks():
        text = (block.get("text") or {}).get("text", "")
        lines = [line[2:] for line in text.split("\n") if line.startswith("> ")]
        if lines:
            found.append(clean_text(" ".join(lines)))
    return found


def settle(seconds: float = 1.0) -> None:
    """Give background listeners time to (wrongly) act before asserting that nothing happened."""
    time.sleep(seconds)


# ---- answering ---------------------------------------------------------------------------------
def test_mention_is_answered_in_its_thread_with_a_verified_citation(bot: Bot) -> None:
    ts, response = bot.mention(QUESTION)
    assert response.status_code == 200
    [call] = bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    text = call.block_text()
    assert "Portsmouth City Council" in text
    assert "Area for priority action" in text
    assert "Not found in the letters" not in text
    links = citation_links(call)
    shown = quotes(call)
    assert links and len(links) == len(shown)
    letter_text = {x.document_id: x.text for x in bot.assistant.catalog.all()}
    for (doc, start, end), quote in zip(links, shown, strict=True):
        assert clean_text(letter_text[doc][start:end]) == quote
    assert any("closed without the children being seen" in q for q in shown)
    actions = [b for b in call.blocks() if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == [FEEDBACK_UP, FEEDBACK_DOWN]
    assert len(call.blocks()) <= 50
    assert all(len((b.get("text") or {}).get("text", "")) <= 3000 for b in call.blocks())


def test_thread_reply_is_a_follow_up_in_the_same_conversation(bot: Bot) -> None:
    ts, _ = bot.mention(QUESTION)
    bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
    reply_ts = new_ts()
    response = bot.event({"type": "message", "channel": CHANNEL, "channel_type": "channel",
                          "user": USER, "text": "And who signed it?", "ts": reply_ts,
                          "thread_ts": ts, "event_ts": reply_ts})
    assert response.status_code == 200
    calls = bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts), count=2)
    follow_up = calls[1]
    assert "Heather Brown" in follow_up.block_text()
    first_value = [b for b in calls[0].blocks() if b["type"] == "actions"][0]["elements"][0]
    second_value = [b for b in follow_up.blocks() if b["type"] == "actions"][0]["elements"][0]
    conversation_1, answer_1 = parse_feedback_value(first_value["value"])
    conversation_2, answer_2 = parse_feedback_value(second_value["value"])
    assert conversation_1 == conversation_2 and answer_1 != answer_2
    assert [t.question for t in bot.conversations.turns(conversation_1)] == [
        QUESTION, "And who signed it?"]


def test_reply_in_a_thread_the_bot_is_not_part_of_is_ignored(bot: Bot) -> None:
    with bot.slack.mark() as calls:
        reply_ts = new_ts()
        response = bot.event({"type": "message", "channel": CHANNEL, "channel_type": "channel",
                              "user": USER, "text": "Lunch at one?", "ts": reply_ts,
                              "thread_ts": new_ts()})
        assert response.status_code == 200
        settle()
    assert [c for c in calls if c.method == "chat.postMessage"] == []


def test_mention_inside_a_thread_is_answered_once(bot: Bot) -> None:
    """Slack sends both app_mention and message for a mention in a thread: one answer."""
    ts, _ = bot.mention(QUESTION)
    bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
    reply_ts = new_ts()
    text = f"<@{BOT_USER_ID}> who signed it?"
    bot.event({"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": USER,
               "text": text, "ts": reply_ts, "thread_ts": ts})
    bot.event({"type": "app_mention", "channel": CHANNEL, "user": USER, "text": text,
               "ts": reply_ts, "thread_ts": ts})
    calls = bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts), count=2)
    settle()
    assert len(bot.slack.find("chat.postMessage", in_thread(CHANNEL, ts))) == 2
    assert "Heather Brown" in calls[1].block_text()


def test_direct_message_is_answered_in_the_dm(bot: Bot) -> None:
    dm, ts = "DALICE", new_ts()
    response = bot.event({"type": "message", "channel": dm, "channel_type": "im", "user": USER,
                          "text": "Who signed the Portsmouth letter?", "ts": ts})
    assert response.status_code == 200
    [call] = bot.slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == dm)
    assert call.body.get("thread_ts") is None
    assert "Heather Brown" in call.block_text()


def test_question_outside_the_letters_says_not_found(bot: Bot) -> None:
    ts, _ = bot.mention("What did the inspection of Leeds in 2011 find?")
    [call] = bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
    assert "Not found in the letters" in call.block_text()
    assert citation_links(call) == []


def test_empty_mention_gets_help(bot: Bot) -> None:
    ts, _ = bot.mention("help")
    [call] = bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
    assert "/reports" in call.block_text()
    assert "mention me" in call.block_text()


# ---- security and robustness -------------------------------------------------------------------
def test_forged_signature_gets_401_and_no_action(bot: Bot) -> None:
    with bot.slack.mark() as calls:
        ts = new_ts()
        response = bot.event({"type": "app_mention", "user": USER, "ts": ts, "channel": CHANNEL,
                              "text": f"<@{BOT_USER_ID}> {QUESTION}"},
                             secret="not-the-signing-secret")
        assert response.status_code == 401
        unsigned = bot.http.post("/slack/events", json={"type": "url_verification",
                                                        "challenge": "abc"})
        assert unsigned.status_code == 401
        assert "abc" not in unsigned.text
        settle()
    assert calls == []


def test_stale_timestamp_gets_401_and_no_action(bot: Bot) -> None:
    with bot.slack.mark() as calls:
        ts = new_ts()
        response = bot.event({"type": "app_mention", "user": USER, "ts": ts, "channel": CHANNEL,
                              "text": f"<@{BOT_USER_ID}> {QUESTION}"},
                             timestamp=int(time.time()) - 10 * 60)
        assert response.status_code == 401
        settle()
    assert calls == []


def test_url_verification_challenge_is_answered(bot: Bot) -> None:
    body = json.dumps({"token": "unused", "type": "url_verification", "challenge": "c-123"})
    response = bot.send(body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "c-123"}


def test_retried_event_is_answered_once(bot: Bot) -> None:
    ts = new_ts()
    event = {"type": "app_mention", "user": USER, "ts": ts, "channel": CHANNEL,
             "text": f"<@{BOT_USER_ID}> {QUESTION}"}
    event_id = f"Ev{uuid.uuid4().hex[:10]}"
    assert bot.event(event, event_id=event_id).status_code == 200
    retry = bot.event(event, event_id=event_id,
                      headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status_code == 200
    bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
    settle()
    assert len(bot.slack.find("chat.postMessage", in_thread(CHANNEL, ts))) == 1


@pytest.mark.parametrize("event", [
    {"type": "message", "channel_type": "im", "subtype": "bot_message", "bot_id": "BOTHER",
     "text": "Who signed the Portsmouth letter?"},
    {"type": "message", "channel_type": "im", "bot_id": "BOTHER", "user": "UOTHERBOT",
     "text": "Who signed the Portsmouth letter?"},
    {"type": "message", "channel_type": "im", "bot_id": BOT_ID, "user": BOT_USER_ID,
     "text": "Who signed the Portsmouth letter?"},
    {"type": "message", "channel_type": "im", "subtype": "message_changed",
     "message": {"text": "Who signed the Portsmouth letter?", "user": USER}},
], ids=["bot-message", "other-bot", "own-message", "edit"])
def test_bots_own_messages_and_edits_are_ignored(bot: Bot, event: dict[str, Any]) -> None:
    dm = f"D{uuid.uuid4().hex[:8].upper()}"
    with bot.slack.mark() as calls:
        response = bot.event({**event, "channel": dm, "ts": new_ts()})
        assert response.status_code == 200
        settle()
    assert [c for c in calls if c.body.get("channel") == dm] == []


def test_internal_error_becomes_a_polite_message(bot: Bot) -> None:
    bot.failing = True
    try:
        ts, response = bot.mention(QUESTION)
        assert response.status_code == 200
        [call] = bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
    finally:
        bot.failing = False
    text = call.block_text()
    assert "Sorry, something went wrong" in text
    assert "store fell over" not in text
    assert re.search(r"reference `[0-9a-f]{8}`", text)


def test_tokens_never_appear_in_logs(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        ts, _ = bot.mention(QUESTION)
        bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
        bot.event({"type": "app_mention", "user": USER, "ts": new_ts(), "channel": CHANNEL,
                   "text": "forged"}, secret="wrong")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged  # debug logging really was captured
    assert BOT_TOKEN not in logged and SIGNING_SECRET not in logged


# ---- slash command -----------------------------------------------------------------------------
def test_slash_command_is_acked_within_3_seconds_and_answered_via_response_url(bot: Bot) -> None:
    name = f"cmd-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    response = bot.command(QUESTION, bot.slack.response_url(name))
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 3.0
    ack = response.json()
    assert ack["response_type"] == "ephemeral" and "Looking that up" in ack["text"]
    [call] = bot.slack.wait_for("response_url", lambda c: c.path.endswith(name))
    assert call.at - started > 0  # posted after the ack, to the command's response_url
    assert call.body["response_type"] == "in_channel"
    text = call.block_text()
    assert f"<@{USER}> asked" in text
    assert "Area for priority action" in text and citation_links(call)


def test_slash_command_follow_up_keeps_the_conversation(bot: Bot) -> None:
    channel_name = f"cmd-{uuid.uuid4().hex[:8]}"
    bot.command(QUESTION, bot.slack.response_url(channel_name + "-1"))
    bot.slack.wait_for("response_url", lambda c: c.path.endswith(channel_name + "-1"))
    bot.command("and who signed it?", bot.slack.response_url(channel_name + "-2"))
    [call] = bot.slack.wait_for("response_url", lambda c: c.path.endswith(channel_name + "-2"))
    assert "Heather Brown" in call.block_text()


def test_slash_help_is_the_acknowledgement(bot: Bot) -> None:
    name = f"help-{uuid.uuid4().hex[:8]}"
    response = bot.command("help", bot.slack.response_url(name))
    assert response.status_code == 200
    ack = response.json()
    assert ack["response_type"] == "ephemeral"
    assert "/reports" in json.dumps(ack["blocks"])
    settle()
    assert bot.slack.find("response_url", lambda c: c.path.endswith(name)) == []


# ---- feedback ----------------------------------------------------------------------------------
@pytest.mark.parametrize("action_id,rating", [(FEEDBACK_UP, "up"), (FEEDBACK_DOWN, "down")])
def test_feedback_button_is_recorded_with_source_slack(bot: Bot, action_id: str,
                                                       rating: str) -> None:
    ts, _ = bot.mention(QUESTION)
    [answer] = bot.slack.wait_for("chat.postMessage", in_thread(CHANNEL, ts))
    actions = [b for b in answer.blocks() if b["type"] == "actions"][0]
    button = next(e for e in actions["elements"] if e["action_id"] == action_id)
    conversation_id, answer_id = parse_feedback_value(button["value"])
    name = f"fb-{uuid.uuid4().hex[:8]}"
    message_ts = new_ts()
    payload = {
        "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": USER},
        "api_app_id": "A0TEST", "trigger_id": uuid.uuid4().hex,
        "container": {"type": "message", "message_ts": message_ts, "channel_id": CHANNEL,
                      "is_ephemeral": False, "thread_ts": ts},
        "channel": {"id": CHANNEL}, "response_url": bot.slack.response_url(name),
        "message": {"type": "message", "ts": message_ts, "thread_ts": ts, "bot_id": BOT_ID,
                    "blocks": answer.blocks()},
        "actions": [{"action_id": action_id, "block_id": actions["block_id"],
                     "value": button["value"], "type": "button", "action_ts": new_ts()}],
    }
    response = bot.action(payload)
    assert response.status_code == 200
    [thanks] = bot.slack.wait_for("response_url", lambda c: c.path.endswith(name))
    assert thanks.body["response_type"] == "ephemeral"
    assert "recorded" in thanks.body["text"]
    stored = [f for f in bot.feedback.list(50) if f.answer_id == answer_id]
    assert [(f.rating, f.source, f.conversation_id) for f in stored] == [
        (rating, "slack", conversation_id)]
    turn = bot.conversations.get_turn(answer_id)
    assert turn is not None and turn.question == QUESTION


# ---- configuration -----------------------------------------------------------------------------
def test_settings_read_slack_variables_without_prefix(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret-from-env")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-from-env")
    monkeypatch.setenv("REPORTQA_SLACK_COMMAND", "/letters")
    settings = SlackSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.bot_token is not None and settings.app_token is not None
    assert settings.bot_token.get_secret_value() == "xoxb-from-env"
    assert settings.app_token.get_secret_value() == "xapp-from-env"
    assert settings.command == "/letters"
    assert "xoxb-from-env" not in repr(settings) and "secret-from-env" not in repr(settings)


@pytest.mark.parametrize("missing", ["bot_token", "signing_secret"])
def test_missing_credentials_are_refused_with_a_fix(tmp_path: Path, missing: str) -> None:
    values = {"bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET, missing: ""}
    settings = SlackSettings.model_validate(values)
    with pytest.raises(SlackConfigError, match=missing.upper()):
        build_slack_app(assistant_getter=lambda: None,
                        feedback_store=FeedbackStore(tmp_path / "f.sqlite3"), settings=settings,
                        conversations=ConversationStore(tmp_path / "c.sqlite3"), history_turns=10)


def test_manifest_matches_the_bot() -> None:
    manifest = yaml.safe_load((ROOT / "slack/manifest.yaml").read_text(encoding="utf-8"))
    settings = SlackSettings.model_validate({})
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == settings.command
    urls = [command["url"], manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"]]
    assert all(urlparse(url).path == SLACK_EVENTS_PATH for url in urls)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "commands", "im:history",
            "channels:history"} <= scopes


def test_socket_mode_needs_the_app_token_but_no_signing_secret(tmp_path: Path) -> None:
    parts: dict[str, Any] = {"assistant_getter": lambda: None,
                             "feedback_store": FeedbackStore(tmp_path / "f.sqlite3"),
                             "conversations": ConversationStore(tmp_path / "c.sqlite3"),
                             "history_turns": 10}
    settings = SlackSettings.model_validate({"bot_token": BOT_TOKEN})
    with pytest.raises(SlackConfigError, match="SLACK_APP_TOKEN"):
        run_socket_mode(settings=settings, **parts)
    app = build_slack_app(settings=settings, socket_mode=True, **parts)
    assert app.client.token == BOT_TOKEN
