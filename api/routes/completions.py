"""The OpenAI-compatible endpoint: ``POST /v1/chat/completions`` and ``GET /v1/models``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse

from api.deps import AssistantDep, MetricsDep, ReaderDep, SettingsDep
from api.errors import NotFound
from api.openai_compat import (
    ChatCompletionRequest,
    ChunkWriter,
    completion,
    footnotes,
    model_card,
    models_list,
)
from api.routes.chat import SSE_HEADERS
from assistant.models import Citation

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
                   "and given in a `citations` field."}})
def chat_completions(body: ChatCompletionRequest, _: ReaderDep, assistant: AssistantDep,
                     metrics: MetricsDep, settings: SettingsDep
                     ) -> JSONResponse | StreamingResponse:
    """Answer the last user message, OpenAI style (earlier messages are the conversation)."""
    from api.app import stream_error_body

    question, history = body.question(), body.history()

    def link(citation: Citation) -> str | None:
        return settings.letter_url(citation.document_id, citation.char_start, citation.char_end)

    if not body.stream:
        answer = assistant.ask(question, history, body.filters)
        metrics.observe_answer(answer, "openai")
        return JSONResponse(completion(answer, question, settings.model_id,
                                       footnotes(answer.citations, link)))

    writer = ChunkWriter(settings.model_id)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)

    def chunks() -> Iterator[str]:
        text: list[str] = []
        try:
            yield writer.chunk({"role": "assistant", "content": ""})
            for event in assistant.answer_events(question, history, body.filters):
                if event.type == "token" and event.text:
                    text.append(event.text)
                    yield writer.chunk({"content": event.text})
                elif event.type == "answer" and event.answer is not None:
                    answer = event.answer
                    metrics.observe_answer(answer, "openai")
                    if not text:  # the assistant sent no tokens: send the whole text
                        text.append(answer.answer)
                        yield writer.chunk({"content": answer.answer})
                    notes = footnotes(answer.citations, link)
                    if notes:
                        text.append(notes)
                        yield writer.chunk({"content": notes})
                    yield writer.final(answer)
            if include_usage:
                yield writer.usage(question, "".join(text))
        except Exception as exc:  # the response has started: report in-band
            logger.error("completion stream failed type=%s", type(exc).__name__, exc_info=exc)
            yield writer.error(stream_error_body(exc))
        yield writer.done()

    return StreamingResponse(chunks(), media_type="text/event-stream", headers=SSE_HEADERS)
