"""Fixtures shared by the whole test suite.

Real components, built once where they are expensive:

* ``embedder`` (session): the packaged all-MiniLM-L6-v2 :class:`vectorstore.Embedder`, loaded
  once per test session (importing sentence-transformers takes seconds).
* ``chroma_server_url`` (session): URL of a real Chroma server. ``REPORTQA_TEST_CHROMA_URL`` when
  set (CI starts ``chroma run`` itself); otherwise ``chroma run`` from the venv is started on a free
  loopback port with its data in a temporary folder, and stopped (SIGTERM) at the end of the
  session. Tests using it are skipped, with the reason, only if the ``chroma`` program is missing.
* ``chroma_mode`` / ``chroma_client``: parametrized over ``"embedded"`` (a ``PersistentClient`` in
  ``tmp_path``) and ``"server"`` (an ``HttpClient`` to ``chroma_server_url``), both built with
  :func:`vectorstore.make_client` and closed afterwards. Every test that uses them runs once per
  mode (test ids end in ``[embedded]`` / ``[server]``; select one with ``-k embedded``).
* ``collection_prefix``: a collection prefix unique to the test, so tests sharing the server never
  see each other's data; the server's collections with that prefix are deleted afterwards.
* ``store_settings``: :class:`vectorstore.StoreSettings` for the current mode (``data_dir`` in
  ``tmp_path`` or ``chroma_url`` set, ``collection_prefix`` unique), ignoring the environment and
  any ``.env`` file. Entry-point tests (CLI, API) can build their components from it.
* ``store``: an empty :class:`vectorstore.LetterStore` on ``chroma_client`` with the embedder's
  dimension and the test's prefix.

Tests that load the model or start servers are marked ``slow``; CI runs them anyway.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import shutil  # noqa: E402
import sys  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from chromadb.api import ClientAPI  # noqa: E402

from tests.servers import free_port, running_process  # noqa: E402
from vectorstore.embedder import Embedder  # noqa: E402
from vectorstore.settings import StoreSettings  # noqa: E402
from vectorstore.store import LetterStore, make_client  # noqa: E402

CHROMA_MODES = ["embedded", "server"]
_SERVER_START_TIMEOUT_S = 60.0


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``slow`` marker (harmless if pyproject registers it too)."""
    if not any(str(m).startswith("slow:") for m in config.getini("markers")):
        config.addinivalue_line(
            "markers", "slow: loads the embedding model or starts servers (CI runs them)"
        )


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2 embedder, loaded once for the session."""
    model = Embedder()
    model.load()  # now, so no test is billed for it
    return model


def _chroma_program() -> str | None:
    beside_python = Path(sys.executable).with_name("chroma")
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("chroma")


def _heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a running Chroma server (given by CI, or started here for the session)."""
    given = os.environ.get("REPORTQA_TEST_CHROMA_URL", "").strip()
    if given:
        url = given.rstrip("/")
        if not _heartbeat(url):
            pytest.fail(f"REPORTQA_TEST_CHROMA_URL={given} does not answer a Chroma heartbeat")
        yield url
        return
    program = _chroma_program()
    if program is None:
        pytest.skip("the `chroma` program is not installed (pip install chromadb into the venv)")
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [program, "run", "--path", str(folder / "data"), "--host", "127.0.0.1",
               "--port", str(port)]
    with running_process(command, folder / "chroma.log", lambda: _heartbeat(url),
                         what=f"`chroma run` on {url}", start_timeout_s=_SERVER_START_TIMEOUT_S):
        yield url


@pytest.fixture
def collection_prefix() -> str:
    """A collection prefix unique to this test."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=CHROMA_MODES)
def chroma_mode(request: pytest.FixtureRequest) -> str:
    """``"embedded"`` or ``"server"``: tests using Chroma run once per mode."""
    return str(request.param)


@pytest.fixture
def store_settings(
    request: pytest.FixtureRequest, chroma_mode: str, tmp_path: Path, collection_prefix: str
) -> StoreSettings:
    """Settings for the current Chroma mode, independent of the environment and ``.env``."""
    url = request.getfixturevalue("chroma_server_url") if chroma_mode == "server" else None
    return StoreSettings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "store",
        chroma_url=url,
        collection_prefix=collection_prefix,
    )


@pytest.fixture
def chroma_client(
    store_settings: StoreSettings, chroma_mode: str, collection_prefix: str
) -> Iterator[ClientAPI]:
    """A Chroma client for the current mode (embedded in ``tmp_path``, or the test server)."""
    client = make_client(store_settings)
    try:
        yield client
    finally:
        try:
            if chroma_mode == "server":
                for collection in client.list_collections():
                    name = str(getattr(collection, "name", collection))
                    if name.startswith(collection_prefix):
                        client.delete_collection(name)
        finally:
            # close() releases this client's share of Chroma's per-path system cache (refcounted),
            # unlike SharedSystemClient.clear_system_cache(), which would break live clients.
            close = getattr(client, "close", None)
            if close is not None:
                close()


@pytest.fixture
def store(chroma_client: ClientAPI, embedder: Embedder, collection_prefix: str) -> LetterStore:
    """An empty store in the current Chroma mode, sized for ``embedder``."""
    return LetterStore(chroma_client, dimension=embedder.dimension, prefix=collection_prefix)
