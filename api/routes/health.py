"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import MetricsDep, ReaderDep
from api.metrics import CONTENT_TYPE

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up (no dependencies checked)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready: see `checks`."}})
async def readyz(request: Request) -> JSONResponse:
    """Ready to answer: the store answers and the embedding model is loaded."""
    state = request.app.state
    checks: dict[str, Any] = {"started": state.assistant is not None}
    letters = None
    if state.components is not None:
        checks["model_loaded"] = bool(state.components.embedder.is_loaded)
        try:
            letters = len(await run_in_threadpool(state.components.store.letter_ids))
            checks["store"] = True
        except Exception as exc:  # any failure of the store means "not ready"
            logger.warning("readiness: store check failed error=%s", exc)
            checks["store"] = False
    else:
        checks.update(model_loaded=False, store=False)
    ready = all(checks.values())
    body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": checks,
                            "letters": letters}
    if not ready:
        failing = ", ".join(k for k, v in checks.items() if not v)
        body["error"] = {"code": "not_ready", "message": f"not ready: {failing}"}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
def metrics(_: ReaderDep, collected: MetricsDep) -> Response:
    """Prometheus metrics: requests, latency per route and per answering stage, answers,
    abstentions, feedback, uploads."""
    return Response(collected.render(), media_type=CONTENT_TYPE)
