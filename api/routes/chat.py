"""``POST /chat`` (JSON) and ``POST /chat/stream`` (Server-Sent Events)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.conversations import ConversationStore
from api.deps import AssistantDep, ConversationsDep, MetricsDep, ReaderDep, SettingsDep
from api.errors import NotFound, check_text, stream_error_body
from api.openai_compat import ChatFilters
from api.settings import ApiSettings
from api.sse import SSE_HEADERS, EventSourceResponse, sse
from assistant.models import Answer, Turn

logger = logging.getLogger(__name__)

router = APIRouter(tags=["chat"])

MAX_MESSAGE_CHARS = 2000
ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"


class ChatRequest(BaseModel):
    """A question, optionally in an existing conversation."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS,
                         description="The question, e.g. 'What was the area for priority action "
                         "in Portsmouth in 2009?'")
    conversation_id: str | None = Field(
        default=None, pattern=ID_PATTERN,
        description="Continue this conversation (from an earlier response); omit to start one.")
    history: list[Turn] | None = Field(
        default=None, max_length=50,
        description="Earlier turns sent by the client; when given they are used instead of the "
        "server-side conversation's.")
    filters: ChatFilters | None = Field(default=None, description="Optional council/year.")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not check_text(value, "the message").strip():
            raise ValueError("the message is blank; type a question")
        return value.strip()

    @field_validator("history")
    @classmethod
    def _history_text(cls, turns: list[Turn] | None) -> list[Turn] | None:
        for index, turn in enumerate(turns or []):
            check_text(turn.question, f"history turn {index} question")
            check_text(turn.answer, f"history turn {index} answer")
        return turns


class ChatResponse(Answer):
    """The answer object plus where it lives on the server."""

    conversation_id: str = Field(description="Send it back to continue the conversation.")
    answer_id: str = Field(description="Identifies this answer (for POST /feedback).")


def start_turn(body: ChatRequest, conversations: ConversationStore,
               settings: ApiSettings) -> tuple[str, list[Turn]]:
    """The conversation to use (existing or new) and the history to answer with."""
    if body.conversation_id is not None:
        if not conversations.exists(body.conversation_id):
            raise NotFound(f"no conversation {body.conversation_id!r}; omit conversation_id to "
                           "start a new one", field="conversation_id")
        conversation_id = body.conversation_id
    else:
        conversation_id = conversations.create()
    if body.history is not None:
        history = body.history
    else:
        history = conversations.history(conversation_id, settings.history_turns)
    return conversation_id, history


def response_body(answer: Answer, conversation_id: str, answer_id: str) -> dict[str, Any]:
    return {**answer.to_contract(), "conversation_id": conversation_id, "answer_id": answer_id}


@router.post("/chat", responses={200: {"model": ChatResponse}})
def chat(body: ChatRequest, _: ReaderDep, assistant: AssistantDep,
         conversations: ConversationsDep, metrics: MetricsDep,
         settings: SettingsDep) -> JSONResponse:
    """Answer a question from the letters, with citations that quote them exactly.

    Returns the answer object (`answer`, `abstained`, `citations`, `timings_ms`, ...) plus
    `conversation_id` and `answer_id`. Conversations are kept on the server: send the
    `conversation_id` back with the next message for follow-up questions.
    """
    conversation_id, history = start_turn(body, conversations, settings)
    answer = assistant.ask(body.message, history, body.filters)
    answer_id = conversations.append(conversation_id, body.message, answer)
    metrics.observe_answer(answer, "chat")
    return JSONResponse(response_body(answer, conversation_id, answer_id))


@router.post("/chat/stream", response_class=StreamingResponse, responses={200: {
    "content": {"text/event-stream": {}},
    "description": "Events `token` ({\"text\"}), then `citations` ({\"citations\": [...]}), "
                   "then `answer` (the /chat response object), then `done`. `reset` ({}) means: "
                   "discard the text of the tokens so far, the verified answer differs from it "
                   "and follows as new tokens. A failure after "
                   "the stream started arrives as an `error` event ({\"error\": {...}})."}})
def chat_stream(body: ChatRequest, _: ReaderDep, assistant: AssistantDep,
                conversations: ConversationsDep, metrics: MetricsDep,
                settings: SettingsDep) -> EventSourceResponse:
    """Answer like POST /chat, streamed as Server-Sent Events as the answer is produced."""
    conversation_id, history = start_turn(body, conversations, settings)

    def events() -> Iterator[bytes]:
        try:
            for event in assistant.answer_events(body.message, history, body.filters):
                if event.type == "token":
                    yield sse("token", {"text": event.text})
                elif event.type == "reset":
                    yield sse("reset", {})
                elif event.type == "citations":
                    yield sse("citations",
                              {"citations": [c.model_dump() for c in event.citations]})
                elif event.type == "answer" and event.answer is not None:
                    answer = event.answer
                    answer_id = conversations.append(conversation_id, body.message, answer)
                    metrics.observe_answer(answer, "chat_stream")
                    yield sse("answer", response_body(answer, conversation_id, answer_id))
            yield sse("done", {})
        except Exception as exc:  # the response has started: report in-band
            logger.error("stream failed type=%s", type(exc).__name__, exc_info=exc)
            yield sse("error", stream_error_body(exc))

    return EventSourceResponse(events(), headers=SSE_HEADERS)
