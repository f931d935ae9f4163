"""API fuzzing: schemathesis sends requests generated from the app's own OpenAPI schema to a live
uvicorn server over a small corpus (admin key, so the checks reach past authentication).

Checked for every response: no 5xx, and a documented status's body and content type match the
schema. A bounded number of examples per operation keeps the run near a minute
(``REPORTQA_FUZZ_EXAMPLES``, default 12).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api.app import create_app
from api.components import Components
from api.settings import ApiSettings
from ingest.pipeline import IngestPipeline
from tests.api.conftest import LEEDS_2010, REAL_LETTER, RunningServer, start_server
from tests.api.databases import sqlite_in
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

pytestmark = pytest.mark.slow

FUZZ_KEY = "fuzz-admin-key-3e8a11"
EXAMPLES = int(os.environ.get("REPORTQA_FUZZ_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory,
                embedder: Embedder) -> Iterator[RunningServer]:
    """A server of its own (fuzzed uploads and deletions must not touch the shared corpus)."""
    folder = tmp_path_factory.mktemp("fuzz")
    letters = folder / "letters"
    letters.mkdir()
    shutil.copy(REAL_LETTER, letters / REAL_LETTER.name)
    (letters / "leeds-2010.txt").write_text(LEEDS_2010, encoding="utf-8")
    store_settings = StoreSettings(_env_file=None, data_dir=folder / "store",  # type: ignore[call-arg]
                                   chroma_url=None, collection_prefix="fuzztest")
    client = make_client(store_settings)
    store = LetterStore(client, dimension=embedder.dimension, prefix="fuzztest")
    assert IngestPipeline(store, embedder).ingest([letters]).ok
    parts = Components(settings=store_settings, embedder=embedder, store=store)
    settings_ = ApiSettings(_env_file=None, database_url=sqlite_in(folder / "api"),  # type: ignore[call-arg]
                            admin_keys=[SecretStr(FUZZ_KEY)], rate_limit_per_minute=0)
    running = start_server(create_app(settings_, parts))
    try:
        yield running
    finally:
        running.stop()
        close = getattr(client, "close", None)
        if close is not None:
            close()


def test_api_answers_every_generated_request_without_5xx_and_as_documented(
        fuzz_server: RunningServer) -> None:
    # The schema's operations are driven with hypothesis directly: schemathesis's own pytest
    # integration (`from_fixture`) relies on a pytest internal that pytest 9 removed.
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    headers = {"Authorization": f"Bearer {FUZZ_KEY}"}
    failures: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit,
                                                                   Phase.generate])
        def call(case: Any) -> None:
            calls.append(1)
            case.call_and_validate(headers=headers, timeout=60,
                                   checks=[not_a_server_error, response_schema_conformance,
                                           content_type_conformance])

        try:
            call()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
    assert len(calls) >= 3 * len(operations), f"only {len(calls)} requests were generated"


def test_fuzzing_left_the_service_ready(fuzz_server: RunningServer) -> None:
    with fuzz_server.client(FUZZ_KEY) as client:
        assert client.get("/readyz").status_code == 200
        assert client.get("/documents").status_code == 200
