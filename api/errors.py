"""Errors of the HTTP service, each carrying its status and a JSON body that says what to do.

Every error response of the API has the shape ``{"error": {"code", "message", "field"?}}``.
:class:`ApiError` is the one base class; the handlers in :mod:`api.app` render it and map the other
packages' errors (store unreachable -> 503, unsupported file -> 415, ...) onto it.
"""

from __future__ import annotations

from typing import Any


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


class BadRequest(ApiError):
    """The request cannot be read (malformed JSON, wrong shape)."""

    status = 400
    code = "bad_request"


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
