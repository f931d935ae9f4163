"""FastAPI dependencies: the parts built in ``lifespan`` and the access checks.

Routes ask for what they need through the ``Annotated`` aliases (``AssistantDep``, ``ReaderDep``,
...); nothing is built per request. Access rules are described in :mod:`api.settings`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.components import Components
from api.conversations import ConversationStore
from api.errors import Forbidden, RateLimited, ServiceUnavailable, Unauthorized
from api.feedback import FeedbackStore
from api.metrics import Metrics
from api.settings import ApiSettings, is_loopback
from assistant.chain import Assistant
from ingest.pipeline import IngestPipeline


@dataclass(frozen=True)
class Principal:
    """Who is calling: the rate-limit identity and whether they may write."""

    identity: str
    admin: bool
    authenticated: bool


class RateLimiter:
    """Token buckets in memory, one per identity: ``burst`` at once, ``per_minute`` sustained."""

    def __init__(self, per_minute: float, burst: int, max_identities: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_identities = max_identities
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def check(self, identity: str) -> float:
        """Take one token; returns 0 when allowed, else the seconds to wait for a token."""
        if not self.enabled:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(identity, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[identity] = (tokens - 1.0, now)
                self._prune(now)
                return 0.0
            self._buckets[identity] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        if len(self._buckets) <= self.max_identities:
            return
        full_after = self.burst / self.rate
        for key, (_, last) in list(self._buckets.items()):
            if now - last > full_after:
                del self._buckets[key]


# ---- the parts built in lifespan -------------------------------------------------------------

def _state(request: Request, name: str) -> object:
    value = getattr(request.app.state, name, None)
    if value is None:
        raise ServiceUnavailable(f"the service is still starting ({name} not ready); retry in a "
                                 "few seconds", code="starting")
    return value


def get_settings(request: Request) -> ApiSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_components(request: Request) -> Components:
    return _state(request, "components")  # type: ignore[return-value]


def get_assistant(request: Request) -> Assistant:
    return _state(request, "assistant")  # type: ignore[return-value]


def get_pipeline(request: Request) -> IngestPipeline:
    return _state(request, "pipeline")  # type: ignore[return-value]


def get_conversations(request: Request) -> ConversationStore:
    return _state(request, "conversations")  # type: ignore[return-value]


def get_feedback_store(request: Request) -> FeedbackStore:
    return _state(request, "feedback")  # type: ignore[return-value]


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics  # type: ignore[no-any-return]


# ---- access --------------------------------------------------------------------------------

# FastAPI's security schemes read the headers (and list them in the OpenAPI schema, so /docs
# can send a key); ``auto_error=False`` leaves the refusal and its message to :func:`authenticate`.
_BEARER = HTTPBearer(auto_error=False, description="`Authorization: Bearer KEY`")
_API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: KEY`")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]
ApiKeyHeaderDep = Annotated[str | None, Depends(_API_KEY)]


def presented_key(bearer: HTTPAuthorizationCredentials | None,
                  api_key: str | None) -> str | None:
    """The key sent as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``, if any."""
    if bearer is not None and bearer.credentials.strip():
        return bearer.credentials.strip()
    return api_key.strip() if api_key and api_key.strip() else None


def _matches(key: str, candidates: list[str]) -> bool:
    found = False
    for candidate in candidates:  # compare with every key, in constant time each
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def _client_host(request: Request) -> str:
    return request.client.host if request.client else ""


def authenticate(request: Request, key: str | None) -> Principal:
    """Identify the caller from its key (when keys are configured) or its address."""
    settings = get_settings(request)
    host = _client_host(request)
    if not settings.auth_enabled:
        return Principal(identity=f"client:{host}", admin=is_loopback(host), authenticated=False)
    if key is None:
        raise Unauthorized("this server needs an API key: send 'Authorization: Bearer KEY' or "
                           "'X-API-Key: KEY'", headers={"WWW-Authenticate": "Bearer"})
    if not _matches(key, settings.read_keys()):
        raise Unauthorized("the API key is not valid; check the key you were given",
                           headers={"WWW-Authenticate": "Bearer"})
    admin = _matches(key, settings.write_keys()) if settings.admin_keys else is_loopback(host)
    identity = "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return Principal(identity=identity, admin=admin, authenticated=True)


def _rate_limit(request: Request, principal: Principal) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.check(principal.identity)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise RateLimited(f"too many requests for this key; retry in {seconds} s",
                          headers={"Retry-After": str(seconds)})


def require_reader(request: Request, bearer: BearerDep, api_key: ApiKeyHeaderDep) -> Principal:
    """Allow any valid key (or anyone, without keys), within the rate limit."""
    principal = authenticate(request, presented_key(bearer, api_key))
    _rate_limit(request, principal)
    return principal


def require_admin(request: Request, bearer: BearerDep, api_key: ApiKeyHeaderDep) -> Principal:
    """Allow admin keys only (or, without admin keys, loopback clients), within the rate limit."""
    principal = authenticate(request, presented_key(bearer, api_key))
    if not principal.admin:
        settings = get_settings(request)
        if settings.admin_keys:
            raise Forbidden("this needs an admin key (REPORTQA_ADMIN_KEYS); the key sent may "
                            "only read")
        raise Forbidden("no admin keys are configured, so letters can be changed and feedback "
                        "read only from the server itself (loopback); set REPORTQA_ADMIN_KEYS "
                        "to allow it remotely")
    _rate_limit(request, principal)
    return principal


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
ComponentsDep = Annotated[Components, Depends(get_components)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
PipelineDep = Annotated[IngestPipeline, Depends(get_pipeline)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
FeedbackStoreDep = Annotated[FeedbackStore, Depends(get_feedback_store)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
ReaderDep = Annotated[Principal, Depends(require_reader)]
AdminDep = Annotated[Principal, Depends(require_admin)]
