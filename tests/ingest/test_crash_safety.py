"""Crash safety: a real ``reportqa ingest`` (and ``reportqa serve`` upload) killed with SIGKILL.

Each loop changes a few letter files (so the next run replaces them), deletes a few stored
letters (so it adds them again), starts the real command on an embedded store and kills it after
a random delay drawn, with a seeded RNG, between start-up and the time a full run takes. After
every kill the store must be consistent: every visible chunk has its letter, no source is stored
twice, no chunk twice, and every letter is one whole version of its file (all its chunks, each a
verbatim slice of its text). A final run must then finish the work.

``REPORTQA_CRASH_LOOPS`` sets the number of kills per test (default 3, as in CI; 20 on demand);
``REPORTQA_CRASH_SEED`` the RNG seed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import free_port
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LETTERS = ROOT / "evals" / "suites" / "small" / "letters"
LOOPS = int(os.environ.get("REPORTQA_CRASH_LOOPS", "3"))
SEED = int(os.environ.get("REPORTQA_CRASH_SEED", "1312"))
PREFIX = "crash"
N_LETTERS = 10
UPLOAD_LETTERS = 5
"""Letters per upload: fewer than the folder, as every loop restarts the server."""
REPORTQA = str(Path(sys.executable).with_name("reportqa"))


def _letter_files() -> list[Path]:
    """~10 letters of every kind the suite has, text ones first (those are the ones changed)."""
    files = sorted(p for p in LETTERS.iterdir() if p.is_file() and not p.name.startswith("."))
    texts = [p for p in files if p.suffix == ".txt"]
    others = [p for p in files if p.suffix != ".txt"]
    return texts[:N_LETTERS - 3] + others[:3]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env.update(REPORTQA_DATA_DIR=str(data_dir), REPORTQA_COLLECTION_PREFIX=PREFIX,
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               TOKENIZERS_PARALLELISM="false")
    return env


@contextmanager
def opened_store(data_dir: Path, dimension: int) -> Iterator[LetterStore]:
    """The embedded store, opened only while no other process uses it."""
    settings = StoreSettings(_env_file=None, data_dir=data_dir, chroma_url=None,  # type: ignore[call-arg]
                             collection_prefix=PREFIX)
    client = make_client(settings)
    try:
        yield LetterStore(client, dimension=dimension, prefix=PREFIX)
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()


def check_consistent(store: LetterStore, versions: dict[str, set[str]]) -> dict[str, str]:
    """Assert the store shows whole letters only; returns ``source -> file_sha256`` stored."""
    letters = store.list_letters()
    sources = [x.source for x in letters]
    assert len(sources) == len(set(sources)), f"a source is stored twice: {sorted(sources)}"
    by_id = {x.document_id: x for x in letters}
    chunks = store.get_chunks()
    grouped: dict[str, list[Any]] = defaultdict(list)
    for chunk in chunks:
        assert chunk.document_id in by_id, f"chunk {chunk.chunk_id} has no letter"
        grouped[chunk.document_id].append(chunk)
    assert len({c.chunk_id for c in chunks}) == len(chunks), "a chunk is listed twice"
    stored: dict[str, str] = {}
    for letter in letters:
        file_hash = str(letter.metadata.get("file_sha256"))
        assert file_hash in versions.get(letter.source, set()), (
            f"{letter.source}: stored from bytes that were never that file")
        own = grouped[letter.document_id]
        indexes = sorted(int(c.metadata["chunk_index"]) for c in own)
        assert indexes == list(range(int(letter.metadata["chunks"]))), (
            f"{letter.source}: chunks {indexes} of {letter.metadata['chunks']} (half replaced)")
        for chunk in own:
            assert chunk.metadata["source"] == letter.source
            start, end = int(chunk.metadata["char_start"]), int(chunk.metadata["char_end"])
            assert letter.text[start:end] == chunk.text, f"{letter.source}: chunk text differs"
        stored[letter.source] = file_hash
    assert store.letter_ids() == set(by_id)
    return stored


def change_letter(path: Path, loop: int) -> None:
    """A real edit of a text letter: one more name on its copy list."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\nCopy: Records Officer {loop}\n")


def run_ingest(folder: Path, data_dir: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([REPORTQA, "ingest", "--json", str(folder)], env=_env(data_dir),
                          cwd=data_dir.parent, capture_output=True, timeout=300)


def kill_after(process: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``process`` after ``delay`` s; returns whether it was still running then."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return True


@pytest.fixture
def letter_folder(tmp_path: Path) -> tuple[Path, dict[str, set[str]]]:
    folder = tmp_path / "letters"
    folder.mkdir()
    versions: dict[str, set[str]] = {}
    for path in _letter_files():
        shutil.copy(path, folder / path.name)
        versions[path.name] = {_sha256(folder / path.name)}
    return folder, versions


def _prepare_loop(rng: random.Random, folder: Path, versions: dict[str, set[str]],
                  data_dir: Path, dimension: int, loop: int) -> None:
    """Change three text letters and delete three stored letters (so the run re-adds them)."""
    texts = sorted(p for p in folder.iterdir() if p.suffix == ".txt")
    for path in rng.sample(texts, 3):
        change_letter(path, loop)
        versions[path.name].add(_sha256(path))
    with opened_store(data_dir, dimension) as store:
        letters = store.list_letters(include_text=False)
        for letter in rng.sample(letters, min(3, len(letters))):
            store.delete_letter(letter.document_id)


def check_complete(folder: Path, data_dir: Path, dimension: int,
                   versions: dict[str, set[str]]) -> None:
    """Every file stored in its current version, and no leftovers once garbage is collected."""
    with opened_store(data_dir, dimension) as store:
        stored = check_consistent(store, versions)
        assert stored == {p.name: _sha256(p) for p in folder.iterdir()}
        store.collect_garbage(min_age_s=0)
        assert store.count_chunks() == len(store.get_chunks())
        check_consistent(store, versions)


def test_killed_ingest_leaves_a_consistent_store_and_a_rerun_completes(
        letter_folder: tuple[Path, dict[str, set[str]]], tmp_path: Path,
        embedder: Embedder) -> None:
    folder, versions = letter_folder
    data_dir = tmp_path / "store"
    rng = random.Random(SEED)
    started = time.monotonic()
    first = run_ingest(folder, data_dir)
    full_run_s = time.monotonic() - started
    assert first.returncode == 0, first.stderr.decode(errors="replace")[-2000:]
    killed_running = 0
    for loop in range(LOOPS):
        _prepare_loop(rng, folder, versions, data_dir, embedder.dimension, loop)
        delay = rng.uniform(0, full_run_s)
        process = subprocess.Popen([REPORTQA, "ingest", str(folder)], env=_env(data_dir),
                                   cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        killed_running += kill_after(process, delay)
        with opened_store(data_dir, embedder.dimension) as store:
            check_consistent(store, versions)
    rerun = run_ingest(folder, data_dir)
    assert rerun.returncode == 0, rerun.stderr.decode(errors="replace")[-2000:]
    check_complete(folder, data_dir, embedder.dimension, versions)
    again = run_ingest(folder, data_dir)
    assert again.returncode == 0
    assert b'"unchanged": %d' % N_LETTERS in again.stdout, again.stdout[-500:]
    print(f"crash loops={LOOPS} killed_while_running={killed_running} "
          f"full_run_s={full_run_s:.1f}")


# ---- uploads through a killed `reportqa serve` ------------------------------------------------

def _ready(url: str) -> bool:
    # urllib, not httpx.get: a new httpx client per poll builds an SSL context (CPU-costly).
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_serve(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        process = subprocess.Popen([REPORTQA, "serve", "--host", "127.0.0.1", "--port",
                                    str(port)], env=_env(data_dir), cwd=data_dir.parent,
                                   stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not _ready(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"reportqa serve did not start: {log.read_text()[-2000:]}")
        time.sleep(0.3)
    return process, url


def upload(url: str, paths: list[Path]) -> httpx.Response:
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    return httpx.post(f"{url}/documents", files=files, timeout=300)


def test_killed_upload_leaves_a_consistent_store_and_a_restart_completes(
        letter_folder: tuple[Path, dict[str, set[str]]], tmp_path: Path,
        embedder: Embedder) -> None:
    folder, versions = letter_folder
    data_dir = tmp_path / "store"
    log = tmp_path / "serve.log"
    rng = random.Random(SEED + 1)
    paths = sorted(folder.iterdir())[:UPLOAD_LETTERS]
    for extra in sorted(folder.iterdir())[UPLOAD_LETTERS:]:
        extra.unlink()
    process, url = start_serve(data_dir, log)
    try:
        started = time.monotonic()
        response = upload(url, paths)
        upload_s = time.monotonic() - started
        assert response.status_code == 200 and response.json()["ok"], response.text[-1000:]
        for loop in range(LOOPS):
            texts = [p for p in paths if p.suffix == ".txt"]
            for path in rng.sample(texts, 3):
                change_letter(path, loop)
                versions[path.name].add(_sha256(path))
            stored = httpx.get(f"{url}/documents", timeout=60).json()["documents"]
            for row in rng.sample(stored, min(3, len(stored))):  # so the upload re-adds them
                httpx.delete(f"{url}/documents/{row['document_id']}", timeout=60)
            delay = rng.uniform(0, upload_s)
            sender = threading.Thread(target=_swallow, args=(upload, url, paths), daemon=True)
            sender.start()
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            sender.join(timeout=30)
            with opened_store(data_dir, embedder.dimension) as store:
                check_consistent(store, versions)
            process, url = start_serve(data_dir, log)
        response = upload(url, paths)
        assert response.status_code == 200 and response.json()["ok"], response.text[-1000:]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    check_complete(folder, data_dir, embedder.dimension, versions)


def _swallow(func: Any, *args: Any) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server was killed mid-request
        func(*args)


# ---- every write of a replacement, interrupted in-process ------------------------------------

class _Crash(BaseException):
    """Stands for the process dying: nothing in the code under test catches it."""


class _Faulty:
    """A Chroma collection whose ``n``-th write (upsert or delete) never happens."""

    def __init__(self, inner: Any, counter: list[int], crash_at: int) -> None:
        self._inner, self._counter, self._crash_at = inner, counter, crash_at

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in ("upsert", "add", "delete", "update"):
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            self._counter[0] += 1
            if self._counter[0] == self._crash_at:
                raise _Crash(f"crash before write {self._crash_at} ({name})")
            return attribute(*args, **kwargs)

        return write


def test_a_crash_before_any_write_of_an_ingest_leaves_whole_letters(
        letter_folder: tuple[Path, dict[str, set[str]]], tmp_path: Path,
        embedder: Embedder) -> None:
    from ingest.pipeline import IngestPipeline

    folder, versions = letter_folder
    for extra in sorted(p for p in folder.iterdir() if p.suffix != ".txt"):
        extra.unlink()
    for extra in sorted(folder.iterdir())[4:]:
        extra.unlink()
    data_dir = tmp_path / "store"
    with opened_store(data_dir, embedder.dimension) as store:
        assert IngestPipeline(store, embedder).ingest([folder]).ok
        chunks, letters = store._chunks, store._letters
        rng = random.Random(SEED)
        crash_at = 1
        while True:
            texts = sorted(folder.iterdir())
            for path in rng.sample(texts, 2):
                change_letter(path, crash_at)
                versions[path.name].add(_sha256(path))
            gone = rng.choice(store.list_letters(include_text=False))
            counter = [0]
            store._chunks = _Faulty(chunks, counter, crash_at)
            store._letters = _Faulty(letters, counter, crash_at)
            crashed = False
            try:
                store.delete_letter(gone.document_id)
                IngestPipeline(store, embedder).ingest([folder])
            except _Crash:
                crashed = True
            finally:
                store._chunks, store._letters = chunks, letters
            check_consistent(store, versions)
            if not crashed:
                break
            crash_at += 1
        assert crash_at > 4, "the writes were not all interrupted in turn"
        assert IngestPipeline(store, embedder).ingest([folder]).ok
    check_complete(folder, data_dir, embedder.dimension, versions)
