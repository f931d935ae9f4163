"""The FastAPI application: chat (JSON, SSE), the OpenAI-compatible endpoint, letters, feedback,
health, metrics and the chat page.

``reportqa serve`` calls :func:`serve`, which is :func:`create_app` plus uvicorn on the host that
:meth:`api.settings.ApiSettings.bind_host` allows. Tests call :func:`create_app` and run it with
uvicorn on a free loopback port. The expensive parts (embedding model, Chroma store, assistant) are
built once in ``lifespan`` and kept on ``app.state``; routes receive them through the
``Depends`` aliases of :mod:`api.deps`.

Every error response is ``{"error": {"code", "message", "field"?}}``: the handlers of
:mod:`api.errors` render :class:`api.errors.ApiError`, request validation failures, unknown routes
and methods, and the other packages' errors (one table: store unreachable 503, unsupported file
415, ...). Anything else is a bug: :class:`UnhandledErrorMiddleware` logs it with its traceback
and answers 500.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.components import Components, build_components
from api.conversations import ConversationStore
from api.database import Database, DatabaseUnavailable
from api.deps import RateLimiter
from api.errors import INTERNAL_ERROR_MESSAGE, error_body, install_error_handlers, json_error
from api.feedback import FeedbackStore
from api.metrics import Metrics, MetricsMiddleware
from api.settings import ApiSettings, ServiceSettings, SlackSettings
from assistant.chain import Assistant
from assistant.settings import AssistantSettings
from vectorstore.settings import StoreSettings

logger = logging.getLogger(__name__)

UPLOAD_PATH = "/documents"


def create_app(settings: ApiSettings | None = None, components: Components | None = None, *,
               store_settings: StoreSettings | None = None,
               assistant_settings: AssistantSettings | None = None,
               assistant: Assistant | None = None,
               slack_settings: SlackSettings | None = None) -> FastAPI:
    """Build the service.

    Entry points read the settings once (:meth:`api.settings.ServiceSettings.from_env`) and hand
    them in; a group left out is read from ``REPORTQA_*`` here, except Slack's.

    Args:
        settings: HTTP settings.
        components: Embedder and store to use (shared, e.g. with the CLI or tests); built from
            ``store_settings`` in ``lifespan`` when omitted.
        store_settings: Where the letters live (and the default database: ``data_dir``); taken
            from ``components`` when those are given.
        assistant_settings: How questions are answered (answerer, LLM endpoint, top_k).
        assistant: A ready assistant (otherwise built in ``lifespan`` from the components).
        slack_settings: The Slack bot's; ``POST /slack/events`` is mounted when they hold a bot
            token and a signing secret. Omitted: no Slack endpoint.

    Returns:
        The FastAPI app; run it with uvicorn (``lifespan`` must run).
    """
    settings = settings or ApiSettings()
    if store_settings is None:
        store_settings = components.settings if components is not None else StoreSettings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        parts = components
        if parts is None:
            parts = await run_in_threadpool(build_components, store_settings)
        await run_in_threadpool(parts.embedder.load)  # load the model now
        answerer = assistant
        if answerer is None:
            answerer = await run_in_threadpool(_build_assistant, parts, assistant_settings)
        await run_in_threadpool(answerer.refresh)
        from ingest.pipeline import IngestPipeline

        app.state.components = parts
        app.state.pipeline = IngestPipeline(parts.store, parts.embedder)
        app.state.assistant = answerer
        logger.info("api ready letters=%d store=%s auth=%s seconds=%.1f", len(answerer.catalog),
                    parts.location(), "keys" if settings.auth_enabled else "none (loopback)",
                    time.perf_counter() - started)
        try:
            yield
        finally:
            for name in ("assistant", "pipeline", "components"):
                setattr(app.state, name, None)
            logger.info("api stopped")

    app = FastAPI(
        title="reportqa",
        summary="Answers questions about Ofsted inspection letters with verified, cited quotes.",
        description=(
            "Send `Authorization: Bearer KEY` or `X-API-Key: KEY` when the server has keys "
            "(REPORTQA_API_KEYS for reading, REPORTQA_ADMIN_KEYS for writing). Errors are "
            '`{"error": {"code", "message", "field"?}}`.'),
        version=_version(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.write_lock = threading.Lock()
    app.state.started_at = int(time.time())
    # The database stores are cheap and exist from the start, so other front doors (the Slack
    # bot) can be handed them when they are mounted. One engine serves them all; an unreachable
    # database is created on first use and answered 503 until then.
    app.state.database = Database(settings.database_url_for(store_settings.data_dir))
    try:
        app.state.database.create_schema()
    except DatabaseUnavailable:
        logger.warning("database not reachable at start url=%s; requests needing it answer 503 "
                       "until it is", app.state.database.safe_url)
    app.state.conversations = ConversationStore(app.state.database)
    app.state.feedback = FeedbackStore(app.state.database)
    for name in ("assistant", "pipeline", "components"):
        setattr(app.state, name, None)

    install_error_handlers(app)
    _include_routes(app)
    if slack_settings is not None:
        _mount_slack_when_configured(app, settings, slack_settings)

    # Outermost last: metrics see every response, CORS headers reach 413s and 500s too.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(BodyLimitMiddleware, default_limit=settings.max_body_bytes,
                       upload_limit=settings.max_upload_bytes * settings.max_upload_files
                       + 64 * 1024)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type"],
                           max_age=600)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


def _mount_slack_when_configured(app: FastAPI, settings: ApiSettings,
                                 slack_settings: SlackSettings) -> None:
    """Add ``POST /slack/events`` when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set."""
    from api.slack import mount_slack

    if not (slack_settings.bot_token and slack_settings.signing_secret):
        logger.info("slack endpoint not mounted reason=SLACK_BOT_TOKEN/SLACK_SIGNING_SECRET unset")
        return
    mount_slack(app, assistant_getter=lambda: app.state.assistant,
                feedback_store=app.state.feedback, settings=slack_settings,
                conversations=app.state.conversations, history_turns=settings.history_turns,
                letter_url=settings.letter_url, metrics=app.state.metrics)


def serve(settings: ApiSettings | None = None, host: str | None = None, port: int | None = None,
          *, app: FastAPI | None = None, log_level: str = "info",
          announce: Callable[[str], None] | None = None) -> None:
    """Run the service with uvicorn until interrupted (``reportqa serve``).

    Args:
        settings: HTTP settings; read from ``REPORTQA_*`` when omitted.
        host: Address to bind (default ``settings.host``). Without API keys configured, a
            non-loopback host is replaced by 127.0.0.1 with a warning
            (:meth:`ApiSettings.bind_host`).
        port: Port (default ``settings.port``).
        app: The app to run; when omitted, :func:`create_service_app` of the settings read from
            the environment (with ``settings`` in place of the HTTP ones when given).
        log_level: uvicorn's log level.
        announce: Called once with the chat page's URL before the server starts (the CLI
            prints it).
    """
    import uvicorn

    settings = settings or ApiSettings()
    bind = settings.bind_host(host)
    port = port or settings.port
    if announce is not None:
        shown = f"[{bind}]" if ":" in bind else bind
        announce(f"http://{shown}:{port}/")
    if app is None:
        app = create_service_app(replace(ServiceSettings.from_env(), api=settings))
    uvicorn.run(app, host=bind, port=port, log_level=log_level, proxy_headers=False)


def create_service_app(config: ServiceSettings) -> FastAPI:
    """:func:`create_app` with every settings group of ``config`` (what ``reportqa serve`` runs)."""
    return create_app(config.api, store_settings=config.store,
                      assistant_settings=config.assistant, slack_settings=config.slack)


def _build_assistant(parts: Components, assistant_settings: AssistantSettings | None) -> Assistant:
    from assistant.builder import build_assistant

    return build_assistant(parts.store, parts.embedder, assistant_settings or AssistantSettings())


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("reportqa")
    except Exception:  # not installed (running from a checkout)
        return "0"


def _include_routes(app: FastAPI) -> None:
    from api.routes import chat, completions, documents, feedback, health, page, themes

    for module in (chat, completions, documents, feedback, health, page, themes):
        app.include_router(module.router)
    page.mount_static(app)


# ---- errors ----------------------------------------------------------------------------------

class UnhandledErrorMiddleware:
    """Answer a bug (an exception no handler maps) with a logged 500 JSON error.

    Done here rather than with an ``Exception`` handler, which Starlette runs and then re-raises
    to the server, which drops the connection. A stream that has already started cannot be
    answered again: the error is re-raised and the server closes it (the SSE routes report their
    own errors in-band first).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        except Exception as exc:
            if started:
                raise
            logger.error("unhandled error path=%s type=%s", scope.get("path"),
                         type(exc).__name__, exc_info=exc)
            response = json_error(500, error_body("internal_error", INTERNAL_ERROR_MESSAGE))
            await response(scope, receive, send)


# ---- body size -------------------------------------------------------------------------------

class BodyLimitMiddleware:
    """Refuse request bodies over the limit with 413 (``POST /documents`` has its own limit).

    A declared ``Content-Length`` over the limit is refused before reading; a body that turns out
    longer while being read stops with the same error.

    Not FastAPI's own ``max_body_size``: its limiter (Starlette's ``RequestBodyLimitMiddleware``)
    replaces whatever response an over-declared body gets with a plain-text "Content Too Large",
    which breaks the JSON error shape every client of this API relies on.
    """

    def __init__(self, app: ASGIApp, default_limit: int, upload_limit: int) -> None:
        self.app = app
        self.default_limit = default_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        upload = scope.get("path") == UPLOAD_PATH
        limit = self.upload_limit if upload else self.default_limit
        what = "upload request" if upload else "request body"
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            response = json_error(413, error_body(
                "payload_too_large", f"the {what} is {declared} bytes; the limit is {limit} "
                "bytes", "body"))
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise StarletteHTTPException(
                        413, f"the {what} is over the limit of {limit} bytes; send less")
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
