"""The Slack bot: mentions, direct messages, thread follow-ups, ``/reports`` and 👍/👎 feedback.

Built on Slack Bolt (sync ``App``), shared by the two ways of connecting to Slack:

* HTTP: :func:`mount_slack` adds ``POST /slack/events`` to the FastAPI app (Events API,
  interactivity and slash commands all use that one URL). Bolt verifies every request's signature
  and timestamp first (forged or stale -> 401, nothing else runs).
* Socket Mode: :func:`run_socket_mode` (``reportqa slack --socket``) for workspaces that cannot
  expose a URL.

Behaviour: a mention in a channel is answered in a thread; a reply in that thread is a follow-up
in the same conversation (thread -> conversation id, turns kept in the service's database); a
direct message is answered in the DM. ``/reports <question>`` is acknowledged at once and
answered through the command's ``response_url``. Retried events (same ``event_id``) are answered
once, also when several hosts receive them; the bot ignores itself and other bots; a failure
becomes a polite message with a reference to quote.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import FastAPI, Request, Response
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from sqlalchemy import delete, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from api.database import (
    Database,
    DatabaseUnavailable,
    as_database,
    slack_events_table,
    slack_threads_table,
)
from api.errors import ApiError
from api.settings import SlackSettings
from api.slack_blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    LetterUrl,
    SlackMessage,
    error_message,
    help_message,
    parse_feedback_value,
    render_answer,
)
from assistant.models import Answer, Filters, Turn

if TYPE_CHECKING:
    from api.metrics import Metrics

logger = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
_HELP_WORDS = {"help", "?", "-h", "--help", "usage"}


class SlackConfigError(ApiError):
    """The Slack bot cannot start because a variable is missing or wrong."""

    status = 503
    code = "slack_not_configured"


class FeedbackSink(Protocol):
    """What the bot needs of the feedback store (:class:`api.feedback.FeedbackStore`)."""

    def add(self, conversation_id: str | None, answer_id: str, rating: str,
            comment: str | None = None, source: str = "api") -> Any: ...


class ConversationLog(Protocol):
    """What the bot needs of the conversation store (``api.conversations.ConversationStore``)."""

    def create(self) -> str: ...

    def exists(self, conversation_id: str) -> bool: ...

    def turns(self, conversation_id: str, limit: int | None = None) -> list[Any]: ...

    def history(self, conversation_id: str, limit: int | None = None) -> list[Turn]: ...

    def append(self, conversation_id: str, question: str, answer: Answer) -> str: ...


class SlackState:
    """The bot's state in the service's database: which conversation each Slack thread is, and
    the event ids already handled (so Slack's retries are answered once).

    Claiming an event is one INSERT in its own transaction; the event id is the table's primary
    key, so when several processes or hosts receive the same delivery exactly one insert
    succeeds and the others see an IntegrityError, read as "already seen".

    Args:
        database: The shared :class:`api.database.Database` (the one the conversations use), or
            a URL or SQLite file path.
        event_ttl_s: How long an event id is remembered (Slack retries within minutes).
    """

    def __init__(self, database: Database | Path | str, event_ttl_s: float = 24 * 3600) -> None:
        self.database = as_database(database)  # tables are created on first use
        self.event_ttl_s = event_ttl_s
        self._lock = threading.Lock()
        self._claims = 0

    def claim_event(self, event_id: str) -> bool:
        """True the first time ``event_id`` is seen (so it is handled once), False afterwards.

        Raises:
            DatabaseUnavailable: the database cannot be reached.
        """
        now = time.time()
        try:
            with self.database.begin() as db:
                db.execute(insert(slack_events_table).values(event_id=event_id, seen=now))
            claimed = True
        except IntegrityError:
            claimed = False
        with self._lock:
            self._claims += 1
            purge = self._claims % 500 == 0
        if purge:
            with self.database.begin() as db:
                db.execute(delete(slack_events_table)
                           .where(slack_events_table.c.seen < now - self.event_ttl_s))
        return claimed

    def conversation_for(self, thread_key: str) -> str | None:
        """The conversation id bound to a Slack thread key, or None."""
        with self.database.connect() as db:
            row = db.execute(select(slack_threads_table.c.conversation_id)
                             .where(slack_threads_table.c.thread_key == thread_key)).first()
        return None if row is None else str(row[0])

    def bind(self, thread_key: str, conversation_id: str, replace: bool = False) -> str:
        """Bind a thread key to a conversation; returns the binding in force (first one wins
        unless ``replace``, also across hosts)."""
        try:
            with self.database.begin() as db:
                db.execute(insert(slack_threads_table).values(
                    thread_key=thread_key, conversation_id=conversation_id, created=time.time()))
        except IntegrityError:
            if replace:
                with self.database.begin() as db:
                    db.execute(sql_update(slack_threads_table)
                               .where(slack_threads_table.c.thread_key == thread_key)
                               .values(conversation_id=conversation_id, created=time.time()))
        bound = self.conversation_for(thread_key)
        return bound if bound is not None else conversation_id

    def close(self) -> None:
        """Close the pooled connections (the state may still be used; it reconnects)."""
        self.database.dispose()


# ---- text from Slack ---------------------------------------------------------------------------
_USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def clean_text(text: str | None, bot_user_id: str | None = None) -> str:
    """The question in a Slack message: mentions of the bot removed, markup turned into text."""
    if not text:
        return ""

    def user(match: re.Match[str]) -> str:
        if bot_user_id and match.group(1) == bot_user_id:
            return " "
        return f"@{match.group(2)}" if match.group(2) else " "

    text = _USER_MENTION.sub(user, text)
    text = _CHANNEL_REF.sub(lambda m: f"#{m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: m.group(2) or " ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


def mentions(text: str | None, user_id: str | None) -> bool:
    """Whether ``text`` mentions ``user_id``."""
    return bool(text and user_id and f"<@{user_id}" in text)


_FILTER = re.compile(r'^\s*(council|year):(?:"([^"]*)"|(\S+))\s*', re.IGNORECASE)


def parse_filters(text: str) -> tuple[str, Filters | None]:
    """Leading ``council:NAME`` / ``year:YYYY`` options of a question, as in the API's filters.

    ``/reports council:Portsmouth year:2009 What was the area for priority action?`` asks with
    council Portsmouth and year 2009; a name with spaces is quoted: ``council:"Leeds City"``.
    Options that do not parse (``year:soon``) stay in the question.
    """
    authority: str | None = None
    year: int | None = None
    rest = text
    while match := _FILTER.match(rest):
        key, value = match.group(1).lower(), (match.group(2) or match.group(3) or "").strip()
        if key == "year":
            if not (value.isdigit() and 2000 <= int(value) <= 2100):
                break
            year = int(value)
        elif value:
            authority = value
        rest = rest[match.end():]
    if (authority is None and year is None) or not rest.strip():
        return text, None
    return rest.strip(), Filters(authority=authority, year=year)


def is_help(question: str) -> bool:
    return not question or question.strip().lower() in _HELP_WORDS


# ---- the bot -----------------------------------------------------------------------------------
class SlackBot:
    """Answers Slack questions with the assistant and renders them as Block Kit messages.

    Args:
        assistant_getter: Returns the :class:`assistant.chain.Assistant` (called per question, so
            the app may build it lazily).
        feedback_store: Records 👍/👎 (:class:`api.feedback.FeedbackStore`).
        settings: The Slack settings.
        conversations: The API's conversation store (turns and answer ids), so answers given in
            Slack are stored, rated and read back like the API's.
        history_turns: Earlier turns handed to the assistant
            (:attr:`api.settings.ApiSettings.history_turns`, the same for every door).
        letter_url: ``(document_id, char_start, char_end) -> url | None`` for citation links
            (:meth:`api.settings.ApiSettings.letter_url`); no links without it.
        state: The bot's thread bindings and seen events; default in the conversation store's
            database, so every host running the bot shares them (required when the store keeps
            no database, e.g. a stand-in log).
        metrics: The API's :class:`api.metrics.Metrics`: answers and ratings are counted under
            the front door ``slack``; none are recorded without it.
    """

    def __init__(self, *, assistant_getter: Callable[[], Any], feedback_store: FeedbackSink,
                 settings: SlackSettings, conversations: ConversationLog, history_turns: int,
                 letter_url: LetterUrl | None = None, state: SlackState | None = None,
                 metrics: Metrics | None = None) -> None:
        if state is None:
            database = getattr(conversations, "database", None)
            if not isinstance(database, Database):
                raise ValueError("SlackBot needs state= when its conversation log keeps no "
                                 "database")
            state = SlackState(database)
        self.assistant_getter = assistant_getter
        self.feedback_store = feedback_store
        self.settings = settings
        self.conversations = conversations
        self.history_turns = history_turns
        self.letter_url = letter_url
        self.state = state
        self.metrics = metrics

    # ---- conversations ----------------------------------------------------------------------
    @staticmethod
    def thread_key(team: str | None, channel: str, thread_ts: str | None = None,
                   user: str | None = None) -> str:
        """``TEAM:CHANNEL[:THREAD_TS][:USER]``: one Slack conversation (a thread, a DM, or one
        user's slash commands in a channel)."""
        parts = [team or "-", channel]
        if thread_ts:
            parts.append(thread_ts)
        if user:
            parts.append(user)
        return ":".join(parts)

    def conversation(self, thread_key: str, *, create: bool = True,
                     threaded: bool = True) -> str | None:
        """The conversation id of a Slack thread key (created when ``create``).

        Outside threads (``threaded=False``) a conversation quiet for longer than
        ``session_minutes`` is closed and a new one started, so an old DM does not colour a new
        question.
        """
        conversation_id = self.state.conversation_for(thread_key)
        stale = False
        if conversation_id is not None:
            if not self.conversations.exists(conversation_id):
                stale = True  # deleted through the API
            elif not threaded:
                last = self.conversations.turns(conversation_id, 1)
                cutoff = time.time() - self.settings.session_minutes * 60
                stale = bool(last) and float(getattr(last[-1], "created_at", 0.0)) < cutoff
        if conversation_id is not None and not stale:
            return conversation_id
        if not create:
            return None
        return self.state.bind(thread_key, self.conversations.create(), replace=stale)

    # ---- answering --------------------------------------------------------------------------
    def answer(self, question: str, thread_key: str, *, threaded: bool,
               asked_by: str | None = None, show_question: bool = False) -> list[SlackMessage]:
        """Ask the assistant and render the answer (raises whatever the assistant raises)."""
        conversation_id = self.conversation(thread_key, threaded=threaded)
        if conversation_id is None:  # cannot happen with create=True; keeps the type exact
            raise RuntimeError(f"no conversation for Slack thread {thread_key}")
        history = self.conversations.history(conversation_id, self.history_turns)
        assistant = self.assistant_getter()
        started = time.perf_counter()
        asked = question  # kept as typed, so the thread remembers its council:/year: options
        question, filters = parse_filters(question)
        earlier = [parse_filters(turn.question) for turn in history]
        if filters is None:  # a follow-up in the thread keeps the thread's filters
            filters = next((f for _, f in reversed(earlier) if f is not None), None)
        history = [Turn(question=text, answer=turn.answer)
                   for (text, _), turn in zip(earlier, history, strict=True)]
        result: Answer = assistant.ask(question, history, filters)
        answer_id = self.conversations.append(conversation_id, asked, result)
        if self.metrics is not None:
            self.metrics.observe_answer(result, "slack")
        logger.info("slack answered conversation=%s answer=%s abstained=%s citations=%d ms=%.0f",
                    conversation_id, answer_id, result.abstained, len(result.citations),
                    (time.perf_counter() - started) * 1000)
        return render_answer(result, conversation_id=conversation_id, answer_id=answer_id,
                             letter_url=self.letter_url,
                             asked_by=asked_by if show_question else None,
                             question=question if show_question else None)

    def safe_answer(self, question: str, thread_key: str, *, threaded: bool,
                    asked_by: str | None = None,
                    show_question: bool = False) -> list[SlackMessage]:
        """Like :meth:`answer`, but a failure becomes a polite message with a reference."""
        if is_help(question):
            return [help_message(self.settings.command)]
        try:
            return self.answer(question, thread_key, threaded=threaded, asked_by=asked_by,
                               show_question=show_question)
        except Exception:
            reference = uuid.uuid4().hex[:8]
            logger.exception("slack answer failed ref=%s thread=%s", reference, thread_key)
            return [error_message(reference)]

    def post(self, client: WebClient, channel: str, messages: list[SlackMessage],
             thread_ts: str | None) -> None:
        """Post messages (in a thread when ``thread_ts`` is given), one after the other."""
        for message in messages:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=message.text,
                                    blocks=message.blocks, unfurl_links=False,
                                    unfurl_media=False)

    # ---- listeners --------------------------------------------------------------------------
    def on_mention(self, event: dict[str, Any], body: dict[str, Any], client: WebClient,
                   context: Any) -> None:
        """``@reportqa question`` in a channel: answer in the message's thread."""
        if _from_bot(event):
            return
        channel = event["channel"]
        thread_ts = event.get("thread_ts") or event["ts"]
        team = body.get("team_id") or event.get("team")
        question = clean_text(event.get("text"), context.bot_user_id)
        key = self.thread_key(team, channel, thread_ts)
        messages = self.safe_answer(question, key, threaded=True)
        self._post_or_log(client, channel, messages, thread_ts)

    def on_message(self, event: dict[str, Any], body: dict[str, Any], client: WebClient,
                   context: Any) -> None:
        """A DM, or a reply in a thread the bot is answering in."""
        if _from_bot(event) or event.get("user") == context.bot_user_id:
            return
        channel = event.get("channel")
        if not channel:
            return
        team = body.get("team_id") or event.get("team")
        thread_ts = event.get("thread_ts")
        text = event.get("text")
        if event.get("channel_type") == "im":
            question = clean_text(text, context.bot_user_id)
            key = self.thread_key(team, channel, thread_ts)
            messages = self.safe_answer(question, key, threaded=bool(thread_ts))
            self._post_or_log(client, channel, messages, thread_ts)
            return
        # In channels a mention arrives as app_mention too: answer it there, not twice.
        if not thread_ts or mentions(text, context.bot_user_id):
            return
        key = self.thread_key(team, channel, thread_ts)
        if self.conversation(key, create=False) is None:
            return  # a thread the bot is not part of
        question = clean_text(text, context.bot_user_id)
        if not question:
            return
        messages = self.safe_answer(question, key, threaded=True)
        self._post_or_log(client, channel, messages, thread_ts)

    def ack_command(self, ack: Callable[..., Any], command: dict[str, Any]) -> None:
        """Acknowledge ``/reports`` at once (help is the acknowledgement itself)."""
        question = clean_text(command.get("text"))
        if is_help(question):
            message = help_message(self.settings.command)
            ack(response_type="ephemeral", text=message.text, blocks=message.blocks)
            return
        ack(response_type="ephemeral",
            text=f":hourglass_flowing_sand: Looking that up in the letters: _{_short(question)}_")

    def answer_command(self, command: dict[str, Any], respond: Callable[..., Any]) -> None:
        """After the acknowledgement: answer and send it through the command's response_url."""
        question = clean_text(command.get("text"))
        if is_help(question):
            return
        user = command.get("user_id")
        key = self.thread_key(command.get("team_id"), command.get("channel_id") or "-", None,
                              user=user)
        messages = self.safe_answer(question, key, threaded=False, asked_by=user,
                                    show_question=self.settings.command_response == "in_channel")
        for message in messages:
            try:
                respond(text=message.text, blocks=message.blocks,
                        response_type=self.settings.command_response, replace_original=False)
            except Exception:
                logger.exception("slack response_url post failed thread=%s", key)
                return

    def on_feedback(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any],
                    client: WebClient, respond: Callable[..., Any]) -> None:
        """👍/👎: record the rating with source "slack" and thank the user (only them)."""
        ack()
        rating = "up" if action.get("action_id") == FEEDBACK_UP else "down"
        user = (body.get("user") or {}).get("id")
        try:
            conversation_id, answer_id = parse_feedback_value(str(action.get("value", "")))
            self.feedback_store.add(conversation_id, answer_id, rating, comment=None,
                                    source="slack")
            if self.metrics is not None:
                self.metrics.feedback.labels(rating=rating).inc()
            text = (f"Thanks, your {'👍' if rating == 'up' else '👎'} was recorded; it helps "
                    "us see which answers work.")
            logger.info("slack feedback conversation=%s answer=%s rating=%s", conversation_id,
                        answer_id, rating)
        except Exception:
            reference = uuid.uuid4().hex[:8]
            logger.exception("slack feedback failed ref=%s", reference)
            text = (f"Sorry, your feedback could not be recorded (reference `{reference}`). "
                    "Please try again later.")
        self._tell_user(body, client, respond, user, text)

    # ---- helpers ----------------------------------------------------------------------------
    def _post_or_log(self, client: WebClient, channel: str, messages: list[SlackMessage],
                     thread_ts: str | None) -> None:
        try:
            self.post(client, channel, messages, thread_ts)
        except Exception:
            reference = uuid.uuid4().hex[:8]
            logger.exception("slack post failed ref=%s channel=%s", reference, channel)
            try:
                self.post(client, channel, [error_message(reference)], thread_ts)
            except Exception:
                logger.error("slack error message could not be posted ref=%s", reference)

    @staticmethod
    def _tell_user(body: dict[str, Any], client: WebClient, respond: Callable[..., Any],
                   user: str | None, text: str) -> None:
        try:
            if body.get("response_url"):
                respond(text=text, response_type="ephemeral", replace_original=False)
                return
            channel = (body.get("channel") or body.get("container") or {}).get("id") or (
                body.get("container") or {}).get("channel_id")
            if channel and user:
                thread_ts = ((body.get("message") or {}).get("thread_ts")
                             or (body.get("container") or {}).get("thread_ts"))
                client.chat_postEphemeral(channel=channel, user=user, text=text,
                                          thread_ts=thread_ts)
        except Exception:
            logger.exception("slack feedback acknowledgement failed")


_QUESTION_SUBTYPES = {None, "thread_broadcast", "file_share"}


def _from_bot(event: dict[str, Any]) -> bool:
    """Messages from bots (this one included) and edits/joins/deletions are not questions."""
    return bool(event.get("bot_id") or event.get("bot_profile")
                or event.get("subtype") not in _QUESTION_SUBTYPES)


def _short(text: str, limit: int = 200) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- the Bolt app ------------------------------------------------------------------------------
def build_slack_app(*, assistant_getter: Callable[[], Any], feedback_store: FeedbackSink,
                    settings: SlackSettings, conversations: ConversationLog, history_turns: int,
                    letter_url: LetterUrl | None = None, socket_mode: bool = False,
                    metrics: Metrics | None = None) -> App:
    """Build the Bolt app with every listener (shared by HTTP and Socket Mode).

    Raises:
        SlackConfigError: SLACK_BOT_TOKEN is missing, or SLACK_SIGNING_SECRET for HTTP mode.
    """
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise SlackConfigError(
            "SLACK_BOT_TOKEN is not set: install the app to your workspace and copy the Bot User "
            "OAuth Token (xoxb-...) from 'OAuth & Permissions' (see docs/slack.md).")
    secret = settings.signing_secret.get_secret_value().strip() if settings.signing_secret else ""
    if not socket_mode and not secret:
        raise SlackConfigError(
            "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from the app's 'Basic "
            "Information' page; without it requests from Slack cannot be verified (see "
            "docs/slack.md).")
    token = settings.bot_token.get_secret_value().strip()
    client = WebClient(token=token, base_url=settings.slack_api_url)
    app = App(
        client=client,
        signing_secret=secret or "socket-mode-does-not-sign-requests",
        request_verification_enabled=not socket_mode,
        # auth.test is called on the first request instead, so startup needs no network.
        token_verification_enabled=False,
        ignoring_self_events_enabled=True,
        process_before_response=False,
        logger=logging.getLogger("api.slack.bolt"),
    )
    bot = SlackBot(assistant_getter=assistant_getter, feedback_store=feedback_store,
                   settings=settings, conversations=conversations, history_turns=history_turns,
                   letter_url=letter_url, metrics=metrics)
    app.middleware(_dedupe_events(bot.state))
    app.event("app_mention")(bot.on_mention)
    app.event("message")(bot.on_message)
    app.command(settings.command)(ack=bot.ack_command, lazy=[bot.answer_command])
    app.action(FEEDBACK_UP)(bot.on_feedback)
    app.action(FEEDBACK_DOWN)(bot.on_feedback)
    app.error(_log_error)
    return app


def _dedupe_events(state: SlackState) -> Callable[..., Any]:
    """Middleware: an Events API delivery whose event_id was handled before is only acked."""

    def dedupe_events(body: dict[str, Any], request: Any,
                      next: Callable[[], Any]) -> Any:  # noqa: A002 (Bolt's argument name)
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if body.get("type") == "event_callback" and event_id:
            try:
                claimed = state.claim_event(event_id)
            except DatabaseUnavailable:
                # Not acknowledged, so Slack delivers the event again a little later.
                logger.warning("slack event deferred event_id=%s reason=database unavailable",
                               event_id)
                return BoltResponse(status=503, body="")
            if not claimed:
                retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
                logger.info("slack duplicate event ignored event_id=%s retry=%s", event_id,
                            retry)
                return BoltResponse(status=200, body="")
        return next()

    return dedupe_events


def _log_error(error: Exception) -> None:
    logger.error("slack listener error type=%s", type(error).__name__, exc_info=error)


def mount_slack(app: FastAPI, *, assistant_getter: Callable[[], Any],
                feedback_store: FeedbackSink, settings: SlackSettings,
                conversations: ConversationLog, history_turns: int,
                letter_url: LetterUrl | None = None, metrics: Metrics | None = None) -> None:
    """Add ``POST /slack/events`` (events, interactivity, slash commands) to ``app``.

    The Bolt app is kept at ``app.state.slack_app``. Bolt's dispatch (signature check, auth.test
    on first use, ack) runs in a worker thread so it never blocks the event loop; listeners keep
    working after the 3-second acknowledgement in Bolt's thread pool.

    Raises:
        SlackConfigError: SLACK_BOT_TOKEN or SLACK_SIGNING_SECRET is missing.
    """
    bolt = build_slack_app(assistant_getter=assistant_getter, feedback_store=feedback_store,
                           settings=settings, conversations=conversations,
                           history_turns=history_turns, letter_url=letter_url, metrics=metrics)
    app.state.slack_app = bolt

    @app.post(SLACK_EVENTS_PATH, tags=["slack"], summary="Slack Events API, interactivity and "
              "slash commands", response_class=Response)
    async def slack_events(request: Request) -> Response:
        """Requests from Slack, verified by their signature (forged or stale: 401)."""
        body = await request.body()
        bolt_request = to_bolt_request(request, body)
        bolt_response = await run_in_threadpool(bolt.dispatch, bolt_request)
        return to_starlette_response(bolt_response)


def run_socket_mode(*, assistant_getter: Callable[[], Any], feedback_store: FeedbackSink,
                    settings: SlackSettings, conversations: ConversationLog, history_turns: int,
                    letter_url: LetterUrl | None = None) -> None:
    """Connect to Slack over Socket Mode and answer until interrupted (blocks).

    Raises:
        SlackConfigError: SLACK_APP_TOKEN or SLACK_BOT_TOKEN is missing.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if settings.app_token is None or not settings.app_token.get_secret_value().strip():
        raise SlackConfigError(
            "SLACK_APP_TOKEN is not set: Socket Mode needs an App-Level Token (xapp-...) with the "
            "connections:write scope, from the app's 'Basic Information' page (see "
            "docs/slack.md).")
    bolt = build_slack_app(assistant_getter=assistant_getter, feedback_store=feedback_store,
                           settings=settings, conversations=conversations,
                           history_turns=history_turns, letter_url=letter_url, socket_mode=True)
    logger.info("slack socket mode starting")
    SocketModeHandler(bolt, app_token=settings.app_token.get_secret_value().strip()).start()
