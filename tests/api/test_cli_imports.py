"""Commands that embed nothing never import torch or sentence-transformers (issue 12).

Importing sentence-transformers costs seconds; listing, deleting or re-ingesting unchanged letters
must not pay it. Each command runs in a fresh interpreter against a store that holds two letters
(ingested once, in this process, with the session's embedder), and reports which heavy modules
ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import IngestPipeline
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

ROOT = Path(__file__).resolve().parents[2]
LETTERS = [ROOT / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt",
           ROOT / "evals" / "suites" / "small" / "letters" / "hartlepool_20091110.txt"]
HEAVY = ("torch", "sentence_transformers")

pytestmark = pytest.mark.slow

_PROBE = """
import json, sys
from click.testing import CliRunner
from api.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
print(json.dumps({"exit_code": result.exit_code, "output": result.output,
                  "exception": repr(result.exception) if result.exception else None,
                  "heavy": [m for m in HEAVY_NAMES if m in sys.modules]}))
""".replace("HEAVY_NAMES", repr(HEAVY))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A folder with ``letters/`` and ``store/``, the letters ingested once."""
    root = tmp_path_factory.mktemp("cli-imports")
    letters = root / "letters"
    letters.mkdir()
    for letter in LETTERS:
        shutil.copy(letter, letters)
    settings = StoreSettings(_env_file=None, data_dir=root / "store",  # type: ignore[call-arg]
                             chroma_url=None, collection_prefix="reportqa")
    store = LetterStore(make_client(settings), embedder.dimension, settings.collection_prefix)
    report = IngestPipeline(store, embedder).ingest([letters])
    assert report.counts()["added"] == len(LETTERS), report.to_dict()
    return root


def run_command(workdir: Path, *args: str, store: Path | None = None) -> dict[str, object]:
    """Run ``reportqa ARGS`` in a fresh interpreter; its exit code, output and heavy imports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env.update(REPORTQA_DATA_DIR=str(store or workdir / "store"), HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("args", [["--help"], ["eval", "--help"]], ids=" ".join)
def test_help_loads_no_model(workdir: Path, args: list[str]) -> None:
    result = run_command(workdir, *args)
    assert result["exit_code"] == 0, result
    assert "Usage" in str(result["output"]) or "usage" in str(result["output"])
    assert result["heavy"] == []


@pytest.mark.parametrize("args", [["documents"], ["documents", "--json"]], ids=" ".join)
def test_documents_loads_no_model(workdir: Path, args: list[str]) -> None:
    result = run_command(workdir, *args)
    assert result["exit_code"] == 0, result
    assert "Portsmouth City Council" in str(result["output"])
    if "--json" in args:
        assert len(json.loads(str(result["output"]))) == len(LETTERS)
    assert result["heavy"] == []


def test_unchanged_reingest_loads_no_model(workdir: Path) -> None:
    result = run_command(workdir, "ingest", str(workdir / "letters"))
    assert result["exit_code"] == 0, result
    assert f"unchanged {len(LETTERS)}" in str(result["output"]), result["output"]
    assert result["heavy"] == []


def test_delete_loads_no_model(workdir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(workdir / "store", store)  # leave the shared store as it is
    result = run_command(workdir, "delete", LETTERS[0].name, store=store)
    assert result["exit_code"] == 0, result
    assert f"deleted {LETTERS[0].name}" in str(result["output"])
    assert result["heavy"] == []
