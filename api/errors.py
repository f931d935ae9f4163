"""Errors of the HTTP service, each carrying its status and a JSON body that says what to do.

Every error response of the API has the shape ``{"error": {"code", "message", "field"?}}``.
:class:`ApiError` is the one base class. The other packages' errors map to a status, code and
field through one table, :data:`DOMAIN_ERRORS` (store unreachable -> 503, unsupported file -> 415,
...), used both by the HTTP exception handlers (:func:`install_error_handlers`) and by the error
event of a stream that has already started (:func:`stream_error_body`). Request validation
failures are 422 (malformed JSON 400, a body that is not JSON 415); unknown routes and methods
are 404 and 405.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import AssistantError, LLMUnavailable
from ingest.errors import IngestError, UnsupportedFileType
from vectorstore.errors import EmbedderError, StoreError, StoreUnavailable

logger = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "internal error; it has been logged for the maintainers"


class ApiError(Exception):
    """A failure to answer a request, rendered as ``{"error": {...}}`` with ``status``.

    Args:
        message: What was wrong and how to fix it (shown to the client as is).
        field: The request field at fault (``"message"``, ``"filters.year"``, ``"files"``).
        code: Machine-readable code; defaults to the class's.
        headers: Extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return error_body(self.code, self.message, self.field)


def error_body(code: str, message: str, field: str | None = None,
               **extra: Any) -> dict[str, Any]:
    """Build ``{"error": {"code", "message", "field"?}}`` (plus any ``extra`` keys)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    error.update(extra)
    return {"error": error}


class Unauthorized(ApiError):
    """No API key, or an unknown one, where keys are configured."""

    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    """The key (or the client address) may not do this (writes need an admin key)."""

    status = 403
    code = "forbidden"


class NotFound(ApiError):
    """An unknown letter, conversation, answer or path."""

    status = 404
    code = "not_found"


class PayloadTooLarge(ApiError):
    """The request body, or one uploaded file, is over the configured limit."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    """An uploaded file of a type the loaders do not read, or a body that is not JSON."""

    status = 415
    code = "unsupported_media_type"


class InvalidInput(ApiError):
    """A field has a value that cannot be used (validation)."""

    status = 422
    code = "invalid_input"


class RateLimited(ApiError):
    """The key (or client) sent more requests than its rate limit allows."""

    status = 429
    code = "rate_limited"


class ServiceUnavailable(ApiError):
    """The store, the model or the language model is not reachable right now."""

    status = 503
    code = "unavailable"


def check_text(value: str, what: str) -> str:
    """Return ``value`` if it is encodable text; raise ``ValueError`` naming ``what`` if not.

    JSON may carry lone UTF-16 surrogates (``"\\ud800"``) that no UTF-8 encoder, tokenizer or
    SQLite accepts; request models call this in their validators so such input is a 422.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"{what} contains an invalid character at position {e.start} (a lone "
                         "UTF-16 surrogate); send valid Unicode text") from e
    return value


# ---- the other packages' errors -------------------------------------------------------------

class ErrorMapping(NamedTuple):
    """How one kind of domain error is answered."""

    status: int
    code: str
    field: str | None = None
    retry_after_s: int | None = None


DOMAIN_ERRORS: tuple[tuple[type[Exception], ErrorMapping], ...] = (
    # Subclasses before their base classes: the first match wins.
    (UnsupportedFileType, ErrorMapping(415, "unsupported_media_type", "files")),
    (IngestError, ErrorMapping(422, "ingest_failed", "files")),
    (StoreUnavailable, ErrorMapping(503, "store_unavailable", retry_after_s=5)),
    (EmbedderError, ErrorMapping(503, "model_unavailable")),
    (StoreError, ErrorMapping(500, "store_error")),
    (LLMUnavailable, ErrorMapping(503, "llm_unavailable")),
    (AssistantError, ErrorMapping(500, "assistant_error")),
)
"""Domain error type -> (status, code, field); the one place these are decided."""


def mapping_for(exc: BaseException) -> ErrorMapping | None:
    """The row of :data:`DOMAIN_ERRORS` for ``exc``, or ``None`` for an unmapped error (a bug)."""
    for kind, mapping in DOMAIN_ERRORS:
        if isinstance(exc, kind):
            return mapping
    return None


def stream_error_body(exc: BaseException) -> dict[str, Any]:
    """The error object sent inside an already-started stream (SSE ``error`` event)."""
    if isinstance(exc, ApiError):
        return exc.body()
    mapping = mapping_for(exc)
    if mapping is None:
        return error_body("internal_error", INTERNAL_ERROR_MESSAGE)
    return error_body(mapping.code, str(exc), mapping.field)


# ---- HTTP handlers ---------------------------------------------------------------------------

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
                 415: "unsupported_media_type", 422: "invalid_input", 429: "rate_limited"}


def json_error(status: int, body: dict[str, Any],
               headers: dict[str, str] | None = None) -> JSONResponse:
    """An error response with ``body`` (from :func:`error_body`)."""
    return JSONResponse(body, status_code=status, headers=headers)


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts)


def _is_json_request(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return not content_type or content_type == "application/json" or content_type.endswith(
        "+json")


def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Render request validation failures; never echoes the input (it may be large or binary)."""
    errors = list(exc.errors())
    first = errors[0] if errors else {"type": "invalid", "loc": ("body",), "msg": "invalid"}
    loc = tuple(first.get("loc") or ())
    if first.get("type") == "json_invalid":
        ctx = first.get("ctx")
        reason = ctx.get("error", "JSON decode error") if isinstance(ctx, dict) else "JSON error"
        position = loc[1] if len(loc) > 1 else "?"
        return json_error(400, error_body(
            "invalid_json", f"the request body is not valid JSON ({reason} at character "
            f"{position}); send a JSON object", "body"))
    if loc == ("body",) and not _is_json_request(request):
        return json_error(415, error_body(
            "unsupported_media_type", "the request body must be JSON; send it with "
            "'Content-Type: application/json'", "body"))
    if loc == ("body",) and first.get("type") == "missing":
        return json_error(422, error_body(
            "invalid_input", "the request needs a JSON body; see /docs for its fields", "body"))
    details = []
    for error in errors[:20]:
        field = _field_of(error.get("loc") or ()) or "body"
        message = str(error.get("msg", "invalid value"))
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        details.append({"field": field, "message": message, "type": error.get("type")})
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    return json_error(422, error_body("invalid_input", f"invalid request: {summary}",
                                      details[0]["field"], errors=details))


async def domain_error_response(request: Request, exc: Exception) -> JSONResponse:
    """Answer a domain error as :data:`DOMAIN_ERRORS` says (logged when it is the server's)."""
    mapping = mapping_for(exc) or ErrorMapping(500, "internal_error")
    if mapping.status == 500:
        logger.error("request failed code=%s path=%s", mapping.code, request.url.path,
                     exc_info=exc)
    elif mapping.status >= 500:
        logger.warning("request failed code=%s path=%s error=%s", mapping.code,
                       request.url.path, exc)
    headers = ({"Retry-After": str(mapping.retry_after_s)}
               if mapping.retry_after_s is not None else None)
    return json_error(mapping.status, error_body(mapping.code, str(exc), mapping.field), headers)


def install_error_handlers(app: FastAPI) -> None:
    """Render :class:`ApiError`, validation failures, HTTP errors and :data:`DOMAIN_ERRORS`."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        if exc.status >= 500:
            logger.warning("request failed status=%s code=%s path=%s", exc.status, exc.code,
                           request.url.path)
        return json_error(exc.status, exc.body(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"no such endpoint {request.method} {request.url.path}; see /docs"
        elif exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            message = "the request body could not be parsed; send a JSON object (see /docs)"
        elif exc.status_code == 405:
            message = (f"{request.method} is not allowed on {request.url.path}; see /docs for "
                       "its methods")
        else:
            message = str(exc.detail)
        return json_error(exc.status_code, error_body(code, message),
                          dict(exc.headers or {}))

    for kind, _ in DOMAIN_ERRORS:
        app.add_exception_handler(kind, domain_error_response)  # type: ignore[arg-type]
