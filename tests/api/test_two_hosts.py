"""Two real ``reportqa serve`` processes sharing one Chroma server and one PostgreSQL: a
conversation started on host A is continued on host B, and feedback given on B is listed on A.

Each host gets a data folder of its own, so nothing passes between them on disk. Needs
``REPORTQA_TEST_DATABASE_URL`` (``.ci/run`` sets it); skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from ingest.pipeline import IngestPipeline
from tests.api.conftest import PRIORITY_QUOTE_START, REAL_LETTER
from tests.api.databases import postgres_schema, require_postgres
from tests.servers import free_port
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

pytestmark = pytest.mark.slow

FIRST_QUESTION = "What was the area for priority action in Portsmouth?"
FOLLOW_UP = "And who signed it?"
SIGNATORY = "Heather Brown"  # the sign-off of data/sample/letters/portsmouth-2009-ucra-letter.txt
START_TIMEOUT_S = 240.0


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def shared_database() -> Iterator[str]:
    with postgres_schema(require_postgres()) as url:
        yield url


@pytest.fixture
def shared_letters(chroma_server_url: str, embedder: Embedder,
                   collection_prefix: str) -> Iterator[str]:
    """The Portsmouth letter, ingested once into the shared Chroma server; yields the prefix."""
    settings = StoreSettings(_env_file=None, chroma_url=chroma_server_url,  # type: ignore[call-arg]
                             collection_prefix=collection_prefix)
    client = make_client(settings)
    store = LetterStore(client, dimension=embedder.dimension, prefix=collection_prefix)
    report = IngestPipeline(store, embedder).ingest([REAL_LETTER])
    assert report.ok, report.to_dict()
    try:
        yield collection_prefix
    finally:
        for collection in client.list_collections():
            name = str(getattr(collection, "name", collection))
            if name.startswith(collection_prefix):
                client.delete_collection(name)


@contextmanager
def serving(name: str, folder: Path, env: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """``reportqa serve`` in ``folder`` (no ``.env`` of the checkout) with exactly ``env``;
    yields its URL and log once started, SIGTERMs it afterwards."""
    program = Path(sys.executable).with_name("reportqa")
    if not program.is_file():
        pytest.skip(f"the `reportqa` program is not installed beside {sys.executable} "
                    "(pip install -e . into the venv)")
    folder.mkdir(parents=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(program), "serve", "--host", "127.0.0.1", "--port",
                                    str(port)], stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, cwd=folder,
                                   env={**env, "REPORTQA_DATA_DIR": str(folder / "data")})
    try:
        yield url, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def wait_until_ready(hosts: list[tuple[str, Path]]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    waiting = list(hosts)
    while waiting:
        waiting = [(url, log) for url, log in waiting if not _ready(url)]
        if waiting and time.monotonic() > deadline:
            url, log = waiting[0]
            pytest.fail(f"`reportqa serve` on {url} did not become ready within "
                        f"{START_TIMEOUT_S:.0f} s; its log ends:\n"
                        f"{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


@pytest.fixture
def two_hosts(shared_database: str, tmp_path: Path, chroma_server_url: str,
              shared_letters: str) -> Iterator[list[tuple[str, Path]]]:
    """Hosts A and B: two ``reportqa serve`` processes on free loopback ports, sharing the
    Chroma server and the PostgreSQL schema; yields their URLs and logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTQA_", "SLACK_"))}
    env.update(REPORTQA_CHROMA_URL=chroma_server_url, REPORTQA_COLLECTION_PREFIX=shared_letters,
               REPORTQA_DATABASE_URL=shared_database, HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               TOKENIZERS_PARALLELISM="false")
    with ExitStack() as stack:
        hosts = [stack.enter_context(serving(name, tmp_path / f"host-{name}", env))
                 for name in ("a", "b")]
        wait_until_ready(hosts)  # both load their model at the same time
        yield hosts


def test_a_conversation_started_on_host_a_continues_on_host_b(
        shared_database: str, two_hosts: list[tuple[str, Path]]) -> None:
    (url_a, log_a), (url_b, log_b) = two_hosts
    with httpx.Client(base_url=url_a, timeout=120) as host_a, \
            httpx.Client(base_url=url_b, timeout=120) as host_b:
        first = host_a.post("/chat", json={"message": FIRST_QUESTION})
        assert first.status_code == 200, first.text
        started = first.json()
        assert not started["abstained"]
        assert any(c["quote"].startswith(PRIORITY_QUOTE_START) for c in started["citations"])

        follow_up = host_b.post("/chat", json={"message": FOLLOW_UP,
                                               "conversation_id": started["conversation_id"]})
        assert follow_up.status_code == 200, follow_up.text
        continued = follow_up.json()
        assert continued["conversation_id"] == started["conversation_id"]
        assert SIGNATORY in continued["answer"], continued["answer"]
        assert all("Portsmouth" in (c["authority"] or "") for c in continued["citations"])

        # Feedback on A's answer, given on B, is listed on A with its question.
        rated = host_b.post("/feedback", json={"answer_id": started["answer_id"],
                                               "rating": "up"})
        assert rated.status_code == 201, rated.text
        listed = host_a.get("/feedback").json()["feedback"]
        [row] = [r for r in listed if r["id"] == rated.json()["id"]]
        assert row["question"] == FIRST_QUESTION

    password = make_url(shared_database).password
    for log in (log_a, log_b):
        text = log.read_text(errors="replace")
        assert not password or str(password) not in text, f"{log} shows the database password"
