"""``POST /feedback`` (thumbs up/down on an answer) and ``GET /feedback`` (admin)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import AdminDep, ConversationsDep, FeedbackStoreDep, MetricsDep, ReaderDep
from api.errors import InvalidInput, NotFound, check_text
from api.feedback import MAX_COMMENT_CHARS
from api.routes.chat import ID_PATTERN

router = APIRouter(prefix="/feedback", tags=["feedback"])


class FeedbackRequest(BaseModel):
    """A rating of one answer."""

    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(pattern=ID_PATTERN, description="`answer_id` of the answer rated "
                           "(for /v1/chat/completions, the completion's `id`).")
    conversation_id: str | None = Field(default=None, pattern=ID_PATTERN,
                                        description="Its conversation (optional check).")
    rating: Literal["up", "down"] = Field(description="'up' (👍) or 'down' (👎).")
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS,
                                description="Optional: what was wrong or right.")

    @field_validator("comment")
    @classmethod
    def _comment_text(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value, "the comment")


@router.post("", status_code=201)
def post_feedback(body: FeedbackRequest, _: ReaderDep, conversations: ConversationsDep,
                  store: FeedbackStoreDep, metrics: MetricsDep) -> JSONResponse:
    """Rate an answer given by POST /chat, /chat/stream or /v1/chat/completions (whose
    `answer_id` is the completion's `id`)."""
    turn = conversations.get_turn(body.answer_id)
    if turn is None:
        raise NotFound(f"no answer {body.answer_id!r}; use the answer_id of a /chat response "
                       "or the id of a /v1/chat/completions response",
                       field="answer_id")
    if body.conversation_id is not None and body.conversation_id != turn.conversation_id:
        raise InvalidInput(f"answer {body.answer_id!r} belongs to another conversation than "
                           f"{body.conversation_id!r}; send its own conversation_id or none",
                           field="conversation_id")
    comment = body.comment.strip() if body.comment else None
    feedback_id = store.add(turn.conversation_id, body.answer_id, body.rating, comment, "api")
    metrics.feedback.labels(rating=body.rating).inc()
    return JSONResponse({"id": feedback_id}, status_code=201)


@router.get("")
async def list_feedback(_: AdminDep, store: FeedbackStoreDep,
                        limit: int = Query(default=100, ge=1, le=1000,
                                           description="Most recent first.")) -> dict[str, Any]:
    """Recent feedback with the question and answer it rates, when known (admin); answers given
    in Slack are joined too."""

    def collect() -> dict[str, Any]:
        rows = [record.to_dict() for record in store.list_rated(limit)]
        return {"feedback": rows, "counts": store.counts()}

    return await run_in_threadpool(collect)
