"""Ingest while serving: questions keep being answered correctly while letters are added, replaced
and deleted, through the API and by a second process (``reportqa ingest`` / ``reportqa delete``)
writing to the same Chroma server.

A background thread asks about Portsmouth (never touched) the whole time and checks every answer:
200, not abstained, the priority-action quote cited, every quote a verbatim slice of a stored
letter. Each change must also show in answers once the assistant refreshes (it rereads the
store's fingerprint every couple of seconds).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.components import Components
from api.settings import ApiSettings
from ingest.pipeline import IngestPipeline
from tests.api.conftest import (
    CUMBRIA_2011,
    LEEDS_2010,
    PORTSMOUTH_PRIORITY,
    PRIORITY_QUOTE_START,
    REAL_LETTER,
    RUTLAND_2012,
    RunningServer,
    start_server,
)
from tests.api.databases import sqlite_in
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HACKNEY = ROOT / "tests" / "assistant" / "fixtures" / "hackney-2010.txt"
REPORTQA = str(Path(sys.executable).with_name("reportqa"))
LEEDS_CHANGED = LEEDS_2010.replace("Peter Green", "Helen Marsh")
CUMBRIA_CHANGED = CUMBRIA_2011.replace("Sarah Jones", "Imran Patel")


class Asker:
    """Asks the Portsmouth question in a loop and records anything wrong."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=60)
        self.answered = 0
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Asker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        self.client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                response = self.client.post("/chat", json={"message": PORTSMOUTH_PRIORITY})
            except httpx.HTTPError as exc:
                self.problems.append(f"request failed: {exc}")
                continue
            if response.status_code != 200:
                self.problems.append(f"{response.status_code}: {response.text[:300]}")
                continue
            body = response.json()
            if body["abstained"] or not any(c["quote"].startswith(PRIORITY_QUOTE_START)
                                            for c in body["citations"]):
                self.problems.append(f"wrong answer: {body['answer'][:300]}")
            for citation in body["citations"]:
                letter = self.client.get(f"/documents/{citation['document_id']}")
                # A cited letter may have been replaced a moment later; then it is gone (404).
                if letter.status_code == 200:
                    text = letter.json()["text"]
                    if text[citation["char_start"]:citation["char_end"]] != citation["quote"]:
                        self.problems.append(f"quote not verbatim: {citation['quote'][:80]}")
            self.answered += 1


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def answer_text(client: httpx.Client, question: str) -> str:
    response = client.post("/chat", json={"message": question})
    assert response.status_code == 200, response.text
    return str(response.json()["answer"])


def sources(client: httpx.Client) -> set[str]:
    return {d["source"] for d in client.get("/documents").json()["documents"]}


@pytest.fixture
def live(chroma_server_url: str, collection_prefix: str, embedder: Embedder,
         tmp_path: Path) -> Iterator[tuple[RunningServer, StoreSettings]]:
    store_settings = StoreSettings(_env_file=None, data_dir=tmp_path / "unused",  # type: ignore[call-arg]
                                   chroma_url=chroma_server_url,
                                   collection_prefix=collection_prefix)
    client = make_client(store_settings)
    store = LetterStore(client, dimension=embedder.dimension, prefix=collection_prefix)
    letters = tmp_path / "start"
    letters.mkdir()
    (letters / REAL_LETTER.name).write_bytes(REAL_LETTER.read_bytes())
    (letters / "leeds-2010.txt").write_text(LEEDS_2010, encoding="utf-8")
    (letters / "cumbria-2011.txt").write_text(CUMBRIA_2011, encoding="utf-8")
    assert IngestPipeline(store, embedder).ingest([letters]).ok
    parts = Components(settings=store_settings, embedder=embedder, store=store)
    settings = ApiSettings(_env_file=None, database_url=sqlite_in(tmp_path / "api"),  # type: ignore[call-arg]
                           rate_limit_per_minute=0)
    running = start_server(create_app(settings, parts))
    try:
        yield running, store_settings
    finally:
        running.stop()
        try:
            for collection in client.list_collections():
                name = str(getattr(collection, "name", collection))
                if name.startswith(collection_prefix):
                    client.delete_collection(name)
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()


def _cli(store_settings: StoreSettings, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env.update(REPORTQA_CHROMA_URL=str(store_settings.chroma_url),
               REPORTQA_COLLECTION_PREFIX=store_settings.collection_prefix,
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    return subprocess.run([REPORTQA, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_questions_are_answered_while_letters_change(
        live: tuple[RunningServer, StoreSettings], tmp_path: Path) -> None:
    server, store_settings = live
    with Asker(server.url) as asker, server.client() as api:
        wait_for(lambda: asker.answered >= 2 or bool(asker.problems), "the first answers")
        assert not asker.problems, asker.problems[:5]
        # Through the API: add, replace, delete.
        added = api.post("/documents", files=[("files", ("rutland-2012.txt",
                                                         RUTLAND_2012.encode(), "text/plain"))])
        assert added.status_code == 200 and added.json()["counts"]["added"] == 1, added.text
        assert "Amanda Brooks" in answer_text(api, "Who signed the Rutland letter?")
        replaced = api.post("/documents", files=[("files", ("leeds-2010.txt",
                                                            LEEDS_CHANGED.encode(),
                                                            "text/plain"))])
        assert replaced.json()["counts"]["replaced"] == 1, replaced.text
        signed = answer_text(api, "Who signed the Leeds letter?")
        assert "Helen Marsh" in signed and "Peter Green" not in signed
        rutland_id = added.json()["results"][0]["document_id"]
        assert api.delete(f"/documents/{rutland_id}").status_code == 200
        assert "rutland-2012.txt" not in sources(api)
        # A second process on the same Chroma server: add, replace, delete.
        folder = tmp_path / "more"
        folder.mkdir()
        (folder / "cumbria-2011.txt").write_text(CUMBRIA_CHANGED, encoding="utf-8")
        (folder / "hackney-2010.txt").write_bytes(HACKNEY.read_bytes())
        ingested = _cli(store_settings, tmp_path, "ingest", "--json", str(folder))
        assert ingested.returncode == 0, ingested.stderr[-2000:]
        assert {"cumbria-2011.txt", "hackney-2010.txt"} <= sources(api)
        wait_for(lambda: "Imran Patel" in answer_text(api, "Who signed the Cumbria letter?"),
                 "the API to answer from the letter replaced by another process")
        assert "Sarah Jones" not in answer_text(api, "Who signed the Cumbria letter?")
        deleted = _cli(store_settings, tmp_path, "delete", "hackney-2010.txt")
        assert deleted.returncode == 0, deleted.stderr[-2000:]
        assert "hackney-2010.txt" not in sources(api)
        wait_for(lambda: "hackney" not in str(api.post("/chat", json={
            "message": "Who signed the Hackney letter?"}).json()["citations"]).lower(),
                 "the deleted letter to leave the answers")
        answered_before = asker.answered
        wait_for(lambda: asker.answered > answered_before, "answers after the changes")
    assert not asker.problems, asker.problems[:5]
    assert asker.answered >= 5
    print(f"live ingest answered={asker.answered}")
