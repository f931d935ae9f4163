"""The contract every answerer keeps: the same assertions for ``extractive`` and ``openai``.

Both run through the real :class:`assistant.chain.Assistant` over the real Portsmouth letter in an
embedded Chroma store. The ``openai`` answerer talks over HTTP to the scripted OpenAI-compatible
server of ``openai_server.py``, scripted to play a model that answers correctly: it reads the
fenced passages back out of the request and cites the one holding the expected evidence with its
marker.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.llm import NOT_SAID, LLMAnswerer, build_chat_model
from tests.assistant.openai_server import OpenAIServer, Reply

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
LETTER = REPO / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"
ANSWERERS = ["extractive", "openai"]

_PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)

# Questions the Portsmouth letter answers, with words the cited text must contain (any of them).
QUESTIONS = [
    ("What was the area for priority action in Portsmouth?", ["closed without the children"]),
    ("Who signed the Portsmouth letter?", ["Heather Brown"]),
    ("When was Portsmouth inspected?", ["10 and 11 November 2009"]),
    ("What did the letter say about the Emergency Duty Team in Portsmouth?",
     ["Emergency Duty Team"]),
]
ABSENT = "What did Leeds's letter say?"

CONTRACT_KEYS = {"answer", "abstained", "citations", "timings_ms"}
CITATION_KEYS = {"marker", "document_id", "source", "authority", "inspection_date", "section",
                 "quote", "char_start", "char_end", "score"}


def right_marker(evidence: list[str]) -> Callable[[dict[str, Any]], Reply]:
    """A model that answers correctly: it cites the fenced passage holding ``evidence``.

    It reads the passages back out of the request (so the fence must be parseable and the
    right passage must have been sent); without such a passage it says the letters do not say.
    """
    def respond(body: dict[str, Any]) -> Reply:
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        passages = [(int(n), html.unescape(t)) for n, t in _PASSAGE.findall(user)]
        for n, text in passages:
            if any(e in " ".join(text.split()) for e in evidence):
                sentence = " ".join(text.split()).split(". ")[0].rstrip(".")
                return Reply(f"According to the letter, {sentence} [{n}].", chunk_size=3)
        return Reply(NOT_SAID)
    return respond


@pytest.fixture(scope="module")
def store(portsmouth_store: Any) -> Any:
    """The real Portsmouth letter alone in an embedded store."""
    return portsmouth_store


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer(model="contract-model", api_key="sk-contract") as running:
        yield running


@pytest.fixture(params=ANSWERERS)
def answerer(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def assistant(answerer: str, store: Any, embedder: Any, server: OpenAIServer) -> Any:
    from assistant.chain import Assistant

    llm = None
    if answerer == "openai":
        llm = LLMAnswerer(build_chat_model(server.base_url, "contract-model", "sk-contract",
                                           5.0, max_retries=0))
    return Assistant(store, embedder, llm=llm)


def _check_shape(answer: Any) -> dict[str, Any]:
    data = answer.to_contract()
    assert set(data) >= CONTRACT_KEYS
    assert isinstance(data["answer"], str) and data["answer"].strip()
    assert isinstance(data["abstained"], bool)
    assert "total" in data["timings_ms"]
    assert all(isinstance(v, float | int) and v >= 0 for v in data["timings_ms"].values())
    for citation in data["citations"]:
        assert set(citation) >= CITATION_KEYS
        assert isinstance(citation["quote"], str) and citation["quote"]
        assert 0 <= citation["char_start"] < citation["char_end"]
    return data


def _check_quotes(answer: Any, store: Any) -> None:
    for citation in answer.citations:
        letter = store.get_letter(citation.document_id)
        assert letter is not None, f"citation {citation.marker} names no stored letter"
        assert citation.quote == letter.text[citation.char_start:citation.char_end]
        assert citation.source == LETTER.name


def _check_markers(answer: Any) -> None:
    markers = [c.marker for c in answer.citations]
    assert markers == list(range(1, len(markers) + 1))
    in_text = {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}
    assert in_text == set(markers)


@pytest.mark.parametrize(("question", "evidence"), QUESTIONS,
                         ids=["priority", "signatory", "dates", "edt"])
def test_answer_cites_the_letter_verbatim(assistant: Any, answerer: str, store: Any,
                                          server: OpenAIServer, question: str,
                                          evidence: list[str]) -> None:
    server.responder = right_marker(evidence)
    asked_before = len(server.completions)
    answer = assistant.ask(question)
    _check_shape(answer)
    assert not answer.abstained, answer.answer
    assert answer.citations, answer.answer
    _check_quotes(answer, store)
    _check_markers(answer)
    assert {c.authority for c in answer.citations} == {"Portsmouth City Council"}
    assert any(e in c.quote for c in answer.citations for e in evidence), \
        [c.quote for c in answer.citations]
    if answerer == "openai":
        assert len(server.completions) == asked_before + 1
        assert answer.warnings == [], answer.warnings
        assert answer.answer.startswith("According to the letter")
    else:
        assert len(server.completions) == asked_before


def test_streamed_answer_matches_the_contract(assistant: Any, store: Any,
                                              server: OpenAIServer) -> None:
    server.responder = right_marker(QUESTIONS[0][1])
    events = list(assistant.answer_events(QUESTIONS[0][0]))
    assert [e.type for e in events[-2:]] == ["citations", "answer"]
    assert {e.type for e in events[:-2]} == {"token"} and events[:-2]
    final = events[-1].answer
    assert final is not None
    _check_shape(final)
    _check_quotes(final, store)
    _check_markers(final)
    assert events[-2].citations == final.citations


def test_absent_council_abstains(assistant: Any, server: OpenAIServer) -> None:
    answer = assistant.ask(ABSENT)
    data = _check_shape(answer)
    assert data["abstained"] is True
    assert data["citations"] == []
    assert "Leeds" in answer.answer
    assert "Portsmouth" in answer.answer  # says what the collection does cover
