"""The OpenAI-compatible endpoint, driven by the official ``openai`` client over real HTTP, and
the request/response conversions of :mod:`api.openai_compat`."""

from __future__ import annotations

import httpx
import openai
import pytest
from pydantic import ValidationError

from api.openai_compat import FOOTNOTES_MARK, ChatCompletionRequest, footnotes, strip_footnotes
from assistant.models import Citation
from tests.api.conftest import (
    PORTSMOUTH_PRIORITY,
    PRIORITY_QUOTE_START,
    PUBLIC_URL,
    READ_KEY,
    RunningServer,
)


@pytest.fixture
def client(server: RunningServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=READ_KEY, max_retries=0,
                         timeout=120)


# ---- conversions (no server) ----------------------------------------------------------------

def test_last_user_message_is_the_question_and_earlier_pairs_the_history() -> None:
    answer = "The area was X [1]." + FOOTNOTES_MARK + '[1] Portsmouth: "X"'
    request = ChatCompletionRequest.model_validate({"messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What was the priority action in Portsmouth?"},
        {"role": "assistant", "content": answer},
        {"role": "user", "content": [{"type": "text", "text": "And its strengths?"},
                                     {"type": "image_url", "image_url": {"url": "x"}}]},
    ]})
    assert request.question() == "And its strengths?"
    [turn] = request.history()
    assert turn.question == "What was the priority action in Portsmouth?"
    assert turn.answer == "The area was X [1]."


@pytest.mark.parametrize("messages", [
    [],
    [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
    [{"role": "user", "content": "   "}],
    [{"role": "user", "content": None}],
])
def test_requests_without_a_final_user_question_are_refused(messages: list[object]) -> None:
    with pytest.raises(ValidationError):
        ChatCompletionRequest.model_validate({"messages": messages})


def test_footnotes_quote_each_citation_and_strip_back_off() -> None:
    citation = Citation(marker=1, document_id="d1", source="p.txt", authority="Portsmouth City "
                        "Council", inspection_date="2009-11-10", section="Strengths",
                        quote="Case records are\nup to date.", char_start=5, char_end=33)
    notes = footnotes([citation], lambda c: f"{PUBLIC_URL}/#letter={c.document_id}")
    assert notes.startswith(FOOTNOTES_MARK)
    assert '[1] Portsmouth City Council · inspected 10 November 2009 · Strengths: "Case records ' \
           'are up to date."' in notes
    assert f"({PUBLIC_URL}/#letter=d1)" in notes
    assert strip_footnotes("Answer [1]." + notes) == "Answer [1]."
    assert footnotes([]) == ""


# ---- the official client against the running server ----------------------------------------

slow = pytest.mark.slow


@slow
def test_models_lists_reportqa(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["reportqa"]
    assert client.models.retrieve("reportqa").id == "reportqa"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4")


@slow
def test_completion_carries_footnotes_and_citations(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="reportqa", messages=[{"role": "user", "content": PORTSMOUTH_PRIORITY}])
    assert completion.object == "chat.completion"
    [choice] = completion.choices
    assert choice.finish_reason == "stop"
    text = choice.message.content or ""
    answer, _, notes = text.partition(FOOTNOTES_MARK)
    assert "[1]" in answer
    assert notes.startswith("[1] Portsmouth City Council")
    assert PRIORITY_QUOTE_START in notes
    assert f"{PUBLIC_URL}/#letter=" in notes
    citations = (completion.model_extra or {})["citations"]
    assert citations[0]["quote"].startswith(PRIORITY_QUOTE_START)
    assert completion.usage is not None and completion.usage.completion_tokens > 0


@slow
def test_streaming_sends_chunks_then_citations(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="reportqa", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": PORTSMOUTH_PRIORITY}])
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    with_choices = [c for c in chunks if c.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in with_choices)
    finals = [c for c in with_choices if c.choices[0].finish_reason == "stop"]
    assert len(finals) == 1 and finals[0] is with_choices[-1]
    citations = (finals[0].model_extra or {})["citations"]
    assert citations and citations[0]["quote"].startswith(PRIORITY_QUOTE_START)
    answer, _, notes = text.partition(FOOTNOTES_MARK)
    assert "[1]" in answer and PRIORITY_QUOTE_START in notes
    assert chunks[-1].usage is not None and not chunks[-1].choices
    # the same answer as without streaming
    whole = client.chat.completions.create(
        model="reportqa", messages=[{"role": "user", "content": PORTSMOUTH_PRIORITY}])
    assert whole.choices[0].message.content == text


@slow
def test_earlier_messages_are_the_conversation(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(
        model="reportqa", messages=[{"role": "user", "content": PORTSMOUTH_PRIORITY}])
    follow = client.chat.completions.create(model="reportqa", messages=[
        {"role": "user", "content": PORTSMOUTH_PRIORITY},
        {"role": "assistant", "content": first.choices[0].message.content or ""},
        {"role": "user", "content": "And what were its strengths?"},
    ])
    citations = (follow.model_extra or {})["citations"]
    assert citations
    assert {c["authority"] for c in citations} == {"Portsmouth City Council"}
    assert {c["section"] for c in citations} == {"Strengths"}


@slow
def test_filters_ride_in_extra_body(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="reportqa", messages=[{"role": "user", "content": "Who signed the letter?"}],
        extra_body={"filters": {"authority": "Leeds"}})
    citations = (completion.model_extra or {})["citations"]
    assert citations and {c["authority"] for c in citations} == {"Leeds City Council"}
    assert "Peter Green" in (completion.choices[0].message.content or "")


@slow
def test_abstention_is_an_ordinary_completion(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="reportqa", messages=[
        {"role": "user", "content": "What did the letter to Barnsley say in 2010?"}])
    assert (completion.model_extra or {})["citations"] == []
    assert (completion.model_extra or {})["reportqa"]["abstained"] is True
    assert FOOTNOTES_MARK not in (completion.choices[0].message.content or "")


@slow
def test_wrong_key_and_bad_requests_raise_the_clients_errors(server: RunningServer,
                                                             client: openai.OpenAI) -> None:
    wrong = openai.OpenAI(base_url=f"{server.url}/v1", api_key="nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        wrong.chat.completions.create(model="reportqa",
                                      messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.chat.completions.create(model="reportqa", messages=[
            {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    assert "last message" in str(caught.value)
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="reportqa", n=2,
                                       messages=[{"role": "user", "content": "hi"}])


@slow
def test_raw_stream_ends_with_done(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {READ_KEY}"},
                      timeout=120) as http, http.stream(
            "POST", "/v1/chat/completions",
            json={"model": "reportqa", "stream": True,
                  "messages": [{"role": "user", "content": "Who signed the Leeds letter?"}]}
    ) as response:
        assert response.status_code == 200
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
