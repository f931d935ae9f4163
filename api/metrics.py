"""Prometheus metrics of one app, in its own registry (several apps can live in one process).

Exposed at ``GET /metrics``: requests by route and status, request latency, answer latency per
stage (from ``Answer.timings_ms``), answers by kind and front door, abstentions, feedback and
uploads. Route labels are route templates (``/documents/{document_id}``), never raw paths, so
the number of series stays bounded.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.models import Answer

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The app's counters and histograms, registered in a private :class:`CollectorRegistry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("reportqa_http_requests", "HTTP requests by route and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("reportqa_http_request_duration_seconds",
                                 "Time from request to the end of the response (streams "
                                 "included).", ["method", "route"], buckets=_LATENCY_BUCKETS,
                                 registry=self.registry)
        self.stage = Histogram("reportqa_answer_stage_seconds",
                               "Time spent per answering stage (understand, retrieval, answer, "
                               "total).", ["stage"], buckets=_LATENCY_BUCKETS,
                               registry=self.registry)
        self.answers = Counter("reportqa_answers", "Answers given, by front door and kind.",
                               ["endpoint", "kind"], registry=self.registry)
        self.abstentions = Counter("reportqa_abstentions",
                                   "Answers where the letters did not answer the question.",
                                   ["endpoint"], registry=self.registry)
        self.feedback = Counter("reportqa_feedback", "Feedback received, by rating.", ["rating"],
                                registry=self.registry)
        self.uploads = Counter("reportqa_uploaded_files", "Files uploaded, by ingest status.",
                               ["status"], registry=self.registry)

    def observe_answer(self, answer: Answer, endpoint: str) -> None:
        """Count one answer and record its stage timings."""
        self.answers.labels(endpoint=endpoint, kind=answer.kind or "unknown").inc()
        if answer.abstained:
            self.abstentions.labels(endpoint=endpoint).inc()
        for stage, ms in answer.timings_ms.items():
            if isinstance(ms, int | float) and ms >= 0:
                self.stage.labels(stage=stage).observe(ms / 1000.0)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)


class MetricsMiddleware:
    """ASGI middleware counting every HTTP request and timing it to the last byte sent."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = _route_label(scope)
            method = str(scope.get("method", "GET"))
            self.metrics.requests.labels(method=method, route=route,
                                         status=str(status["code"])).inc()
            self.metrics.latency.labels(method=method, route=route).observe(
                time.perf_counter() - started)


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return "unmatched"
