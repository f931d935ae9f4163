"""assistant.builder: every door builds the assistant the same way from REPORTQA_* settings.

``REPORTQA_TOP_K`` and ``REPORTQA_MIN_EVIDENCE`` set in the environment must reach the assistant
built by the command line, by the API's lifespan and by the evaluation runner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.components import Components
from api.settings import ApiSettings
from assistant.builder import build_assistant
from assistant.settings import AssistantSettings
from evals.metrics import LetterIndex
from tests.api.databases import sqlite_in
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

TOP_K, MIN_EVIDENCE = 3, 0.42


@pytest.fixture()
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings under test in the environment; no stray .env or answerer settings."""
    monkeypatch.chdir(tmp_path)
    for name in ("REPORTQA_ANSWERER", "REPORTQA_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPORTQA_TOP_K", str(TOP_K))
    monkeypatch.setenv("REPORTQA_MIN_EVIDENCE", str(MIN_EVIDENCE))


@pytest.fixture()
def parts(tmp_path: Path, embedder: Embedder) -> Components:
    settings = StoreSettings(_env_file=None, data_dir=tmp_path / "store",  # type: ignore[call-arg]
                             chroma_url=None, collection_prefix="builder")
    store = LetterStore(make_client(settings), embedder.dimension, settings.collection_prefix)
    return Components(settings=settings, embedder=embedder, store=store)


def _assert_configured(assistant: Any) -> None:
    assert assistant.top_k == TOP_K
    assert assistant.min_evidence == pytest.approx(MIN_EVIDENCE)
    assert assistant.llm is None  # the extractive answerer (no endpoint configured)


def test_build_assistant_uses_the_settings(parts: Components) -> None:
    settings = AssistantSettings(_env_file=None, top_k=TOP_K,  # type: ignore[call-arg]
                                 min_evidence=MIN_EVIDENCE)
    _assert_configured(build_assistant(parts.store, parts.embedder, settings))
    override = object()
    built = build_assistant(parts.store, parts.embedder, settings, llm=override)  # type: ignore[arg-type]
    assert built.llm is override and built.top_k == TOP_K


def test_cli_builder_reads_the_environment(environment: None, parts: Components) -> None:
    from api.cli import _build_assistant

    _assert_configured(_build_assistant(parts))


@pytest.mark.slow
def test_app_lifespan_reads_the_environment(environment: None, parts: Components,
                                            tmp_path: Path) -> None:
    from api.app import create_app

    settings = ApiSettings(_env_file=None, database_url=sqlite_in(tmp_path / "api"))  # type: ignore[call-arg]
    app = create_app(settings, parts)
    with TestClient(app):
        _assert_configured(app.state.assistant)


def test_eval_runner_passes_the_environment_to_make_pipeline(
        environment: None, parts: Components, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from evals import runner

    seen: dict[str, Any] = {}

    def fake_run_eval(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise runner.EvalError("stop here")

    monkeypatch.setattr(runner, "run_eval", fake_run_eval)
    assert runner.main(["--suite", "small"]) == 2
    settings = seen["assistant_settings"]
    env = runner.EvalStore(store=parts.store, embedder=parts.embedder, folder=tmp_path,
                           ingest={}, letters=LetterIndex([]))
    _assert_configured(runner.make_pipeline("default", env, assistant_settings=settings))
    override = object()
    built = runner.make_pipeline("default", env, llm=override, assistant_settings=settings)
    assert built.llm is override and built.top_k == TOP_K
    # Without settings: the defaults, whatever the environment says.
    assert runner.make_pipeline("default", env).top_k == AssistantSettings.model_fields[
        "top_k"].default
