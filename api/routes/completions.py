"""The OpenAI-compatible endpoint: ``POST /v1/chat/completions`` and ``GET /v1/models``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.citations import citation_link
from api.deps import AssistantDep, ConversationsDep, MetricsDep, ReaderDep, SettingsDep
from api.errors import NotFound, stream_error_body
from api.openai_compat import (
    ChatCompletionRequest,
    ChunkWriter,
    completion,
    completion_id,
    footnotes,
    model_card,
    models_list,
)
from api.sse import SSE_HEADERS, EventSourceResponse
from assistant.models import Answer, Citation

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["openai"])


@router.get("/models")
def list_models(_: ReaderDep, settings: SettingsDep) -> dict[str, Any]:
    """The one model this server offers (`reportqa`), in OpenAI's format."""
    return models_list(settings.model_id, 0)


@router.get("/models/{model_id}")
def get_model(model_id: str, _: ReaderDep, settings: SettingsDep) -> dict[str, Any]:
    """One model by id (only `reportqa` exists)."""
    if model_id != settings.model_id:
        raise NotFound(f"no model {model_id!r}; this server offers {settings.model_id!r}",
                       field="model")
    return model_card(settings.model_id, 0)


@router.post("/chat/completions", response_model=None, responses={200: {
    "description": "A chat.completion, or with `stream: true` chat.completion.chunk events "
                   "ending with `data: [DONE]`. Citations are appended to the text as footnotes "
                   "and given in a `citations` field. `answer_id` (the completion's `id`) and "
                   "`conversation_id` say where the answer is kept: rate it with POST /feedback "
                   "{\"answer_id\": id}. When streaming, the text is sent once it is verified, "
                   "never before."}})
def chat_completions(body: ChatCompletionRequest, _: ReaderDep, assistant: AssistantDep,
                     conversations: ConversationsDep, metrics: MetricsDep,
                     settings: SettingsDep) -> JSONResponse | EventSourceResponse:
    """Answer the last user message, OpenAI style (earlier messages are the conversation).

    The answer is stored like those of POST /chat, under the completion's id, so that clients
    such as Open WebUI or LibreChat can send feedback on it.
    """
    question, history = body.question(), body.history()
    if body.conversation_id is not None and not conversations.exists(body.conversation_id):
        raise NotFound(f"no conversation {body.conversation_id!r}; omit conversation_id to "
                       "start a new one", field="conversation_id")

    def link(citation: Citation) -> str | None:
        return citation_link(citation, settings.letter_url)

    def store(answer: Answer, answer_id: str) -> dict[str, str]:
        conversation_id = body.conversation_id or conversations.create()
        conversations.append(conversation_id, question, answer, answer_id=answer_id)
        metrics.observe_answer(answer, "openai")
        return {"answer_id": answer_id, "conversation_id": conversation_id}

    if not body.stream:
        answer = assistant.ask(question, history, body.filters)
        answer_id = completion_id()
        ids = store(answer, answer_id)
        return JSONResponse(completion(answer, question, settings.model_id,
                                       footnotes(answer.citations, link), id=answer_id, **ids))

    writer = ChunkWriter(settings.model_id)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)

    def chunks() -> Iterator[bytes]:
        # Tokens are not forwarded: the model's text may still be replaced (a ``reset``) when
        # verification drops a marker or a quote. Only the verified answer text is sent.
        text: list[str] = []
        try:
            yield writer.chunk({"role": "assistant", "content": ""})
            for event in assistant.answer_events(question, history, body.filters):
                if event.type != "answer" or event.answer is None:
                    continue
                answer = event.answer
                ids = store(answer, writer.id)
                text.append(answer.answer)
                yield writer.chunk({"content": answer.answer})
                notes = footnotes(answer.citations, link)
                if notes:
                    text.append(notes)
                    yield writer.chunk({"content": notes})
                yield writer.final(answer, **ids)
            if include_usage:
                yield writer.usage(question, "".join(text))
        except Exception as exc:  # the response has started: report in-band
            logger.error("completion stream failed type=%s", type(exc).__name__, exc_info=exc)
            yield writer.error(stream_error_body(exc))
        yield writer.done()

    return EventSourceResponse(chunks(), headers=SSE_HEADERS)
