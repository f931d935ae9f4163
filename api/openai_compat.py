"""The OpenAI chat-completions dialect: requests in, answers out as completions and chunks.

So that Open WebUI, LibreChat or the official ``openai`` client can use reportqa as a model:

* the last ``user`` message is the question; earlier ``user``/``assistant`` pairs become the
  conversation history (``system`` and tool messages are ignored);
* the answer's citations ride along twice: as footnotes appended to the text (after
  :data:`FOOTNOTES_MARK`, which is stripped again when an answer comes back as history) and as a
  ``citations`` field of the completion (of the last chunk when streaming);
* sampling parameters (``temperature``, ``max_tokens`` ...) are accepted and ignored: answers are
  quoted from the letters.
* each answer is stored like ``POST /chat``'s: the completion's ``id`` is its ``answer_id`` (for
  ``POST /feedback``), and ``conversation_id`` (a reportqa extension, also accepted in the request)
  names the stored conversation;
* streams carry only verified text: the answer is sent once it has been verified, never the
  model's tokens before then (see :mod:`api.routes.completions`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.citations import citation_label
from api.errors import check_text
from api.sse import DONE, sse
from assistant.models import Answer, Citation, Filters, Turn

FOOTNOTES_MARK = "\n\n---\nSources:\n"
"""Separates the answer from its footnotes; everything after it is dropped from history."""

MAX_MESSAGES = 200
MAX_QUESTION_CHARS = 2000


class ChatFilters(Filters):
    """Restrict the answer to one council and/or one inspection year."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("authority", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = check_text(value, "the council name").strip()
            if not value:
                return None
            if len(value) > 200:
                raise ValueError("council name is longer than 200 characters")
        return value


class ContentPart(BaseModel):
    """One part of a multi-part message; only text parts are read."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="'text' (others, such as images, are ignored).")
    text: str | None = None


class ChatMessage(BaseModel):
    """An OpenAI chat message."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's text (text parts joined)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text or "" for p in self.content if p.type == "text")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The body of ``POST /v1/chat/completions`` (unknown fields are accepted and ignored)."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(default="reportqa", max_length=200,
                       description="Any name is accepted; answers come from 'reportqa'.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES,
                                        description="The conversation; the last message must "
                                        "be from the user.")
    stream: bool = Field(default=False, description="Send chat.completion.chunk events (SSE).")
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1, description="Only one choice is produced.")
    filters: ChatFilters | None = Field(default=None, description="reportqa extension (pass "
                                        "as extra_body): restrict to a council and/or year.")
    conversation_id: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{1,100}$",
        description="reportqa extension (extra_body): record the answer in this conversation "
        "(from an earlier completion's `conversation_id`); omit to start one. The history "
        "still comes from `messages`.")

    @field_validator("messages")
    @classmethod
    def _last_is_user(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        for index, message in enumerate(messages):
            check_text(message.text(), f"message {index}")
        last = messages[-1]
        if last.role != "user":
            raise ValueError(f"the last message is from {last.role!r}; it must be the user's "
                             "question")
        question = last.text().strip()
        if not question:
            raise ValueError("the last user message has no text; send the question as text")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"the question is {len(question)} characters; the limit is "
                             f"{MAX_QUESTION_CHARS}")
        return messages

    def question(self) -> str:
        return self.messages[-1].text().strip()

    def history(self) -> list[Turn]:
        """Earlier user/assistant exchanges, oldest first (footnotes removed)."""
        turns: list[Turn] = []
        pending: str | None = None
        for message in self.messages[:-1]:
            if message.role == "user":
                if pending is not None:
                    turns.append(Turn(question=pending, answer=""))
                pending = message.text().strip()
            elif message.role == "assistant" and pending is not None:
                turns.append(Turn(question=pending, answer=strip_footnotes(message.text())))
                pending = None
        if pending is not None:
            turns.append(Turn(question=pending, answer=""))
        return [t for t in turns if t.question][-50:]


def strip_footnotes(text: str) -> str:
    """Remove the footnotes this module appended to an answer."""
    return text.split(FOOTNOTES_MARK, 1)[0].strip()


def footnotes(citations: list[Citation],
              link: Callable[[Citation], str | None] | None = None) -> str:
    """The citations as footnotes, one per line: ``[1] label: "quote" (link)``, where the label
    is :func:`api.citations.citation_label` (``Council · letter of DATE · Section``)."""
    if not citations:
        return ""
    lines = []
    for c in citations:
        quote = " ".join(c.quote.split())
        line = f'[{c.marker}] {citation_label(c)}: "{quote}"'
        url = link(c) if link else None
        if url:
            line += f" ({url})"
        lines.append(line)
    return FOOTNOTES_MARK + "\n".join(lines)


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def _usage(question: str, text: str) -> dict[str, int]:
    prompt, completion = len(question.split()), len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def _extras(answer: Answer) -> dict[str, Any]:
    return {"citations": [c.model_dump() for c in answer.citations],
            "reportqa": {"abstained": answer.abstained, "kind": answer.kind,
                         "timings_ms": answer.timings_ms, "warnings": answer.warnings}}


def completion(answer: Answer, question: str, model: str, notes: str,
               id: str | None = None, **extra: Any) -> dict[str, Any]:
    """A ``chat.completion`` object for a finished answer (``notes``: the footnotes; ``extra``:
    more top-level fields, such as ``answer_id`` and ``conversation_id``)."""
    text = answer.answer + notes
    return {
        "id": id or completion_id(), "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": _usage(question, text),
        **_extras(answer),
        **extra,
    }


class ChunkWriter:
    """Formats ``chat.completion.chunk`` events as SSE ``data:`` lines of one completion."""

    def __init__(self, model: str) -> None:
        self.id = completion_id()
        self.created = int(time.time())
        self.model = model

    def _event(self, payload: dict[str, Any]) -> bytes:
        return sse(None, payload)

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None,
              **extra: Any) -> bytes:
        return self._event({"id": self.id, "object": "chat.completion.chunk",
                            "created": self.created, "model": self.model,
                            "choices": [{"index": 0, "delta": delta,
                                         "finish_reason": finish_reason, "logprobs": None}],
                            **extra})

    def final(self, answer: Answer, **extra: Any) -> bytes:
        """The closing chunk: empty delta, ``finish_reason`` stop, the citations and ``extra``
        top-level fields (``answer_id``, ``conversation_id``)."""
        return self.chunk({}, "stop", **_extras(answer), **extra)

    def usage(self, question: str, text: str) -> bytes:
        return self._event({"id": self.id, "object": "chat.completion.chunk",
                            "created": self.created, "model": self.model, "choices": [],
                            "usage": _usage(question, text)})

    def error(self, body: dict[str, Any]) -> bytes:
        return self._event(body)

    @staticmethod
    def done() -> bytes:
        return DONE


def models_list(model_id: str, created: int) -> dict[str, Any]:
    """The ``GET /v1/models`` body: one model."""
    return {"object": "list", "data": [model_card(model_id, created)]}


def model_card(model_id: str, created: int) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": created, "owned_by": "reportqa"}
