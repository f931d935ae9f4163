"""The ``reportqa`` command line against a real embedded store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"

pytestmark = pytest.mark.slow


@pytest.fixture()
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("REPORTQA_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("REPORTQA_CHROMA_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return CliRunner()


@pytest.fixture()
def ingested(runner: CliRunner, tmp_path: Path) -> CliRunner:
    result = runner.invoke(main, ["ingest", str(REAL)])
    assert result.exit_code == 0, result.output
    return runner


def test_ingest_reports_failures_and_exit_code(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    shutil.copy(REAL, folder)
    (folder / "broken.pdf").write_bytes(b"not a pdf")
    result = runner.invoke(main, ["ingest", str(folder)])
    assert result.exit_code == 1
    assert "added 1, replaced 0, unchanged 0, failed 1" in result.output
    assert "broken.pdf" in result.output
    again = runner.invoke(main, ["ingest", str(folder / REAL.name)])
    assert again.exit_code == 0
    assert "nothing to do" in again.output


def test_documents_json_and_delete(ingested: CliRunner) -> None:
    result = ingested.invoke(main, ["documents", "--json"])
    rows = json.loads(result.output)
    assert len(rows) == 1 and rows[0]["authority"] == "Portsmouth City Council"
    assert rows[0]["inspection_start"] == "2009-11-10"
    assert "Strengths" in rows[0]["sections"] and rows[0]["chunks"] > 5
    deleted = ingested.invoke(main, ["delete", rows[0]["source"]])
    assert deleted.exit_code == 0
    missing = ingested.invoke(main, ["delete", rows[0]["source"]])
    assert missing.exit_code == 1 and "no letter" in missing.output


def test_themes_lists_the_taxonomy_with_counts(ingested: CliRunner) -> None:
    result = ingested.invoke(main, ["themes", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert len(rows) >= 30
    # Portsmouth: "There is an efficient out of hours service ..." among its strengths
    ooh = rows["out_of_hours"]
    assert ooh["letters"] == 1 and ooh["sections"]["Strengths"]["findings"] >= 1
    table = ingested.invoke(main, ["themes"])
    assert table.exit_code == 0 and "out_of_hours" in table.output and "themes;" in table.output


def test_ask_json_follows_the_contract(ingested: CliRunner, tmp_path: Path) -> None:
    result = ingested.invoke(main, ["ask", "Who signed the Portsmouth letter?", "--json"])
    data = json.loads(result.output)
    assert "Heather Brown" in data["answer"] and data["abstained"] is False
    assert data["citations"][0]["source"] == REAL.name

    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"question": "What were Portsmouth's strengths?",
                                    "answer": "..."}]), encoding="utf-8")
    followup = ingested.invoke(main, ["ask", "And who signed it?", "--history", str(history)])
    assert "Heather Brown" in followup.output


def test_ask_batch_writes_one_answer_per_line(ingested: CliRunner, tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": "a", "question": "When was Portsmouth inspected?"}),
        json.dumps({"id": "b", "question": "And who signed it?",
                    "history": [{"question": "Portsmouth strengths?", "answer": "..."}]}),
        json.dumps({"id": "c", "question": "What did the Leeds letter say?"}),
        json.dumps({"id": "d"}),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = ingested.invoke(main, ["ask", "--batch", str(batch), "--out", str(out)])
    assert result.exit_code == 1  # line 4 lacks its question
    assert "in.jsonl:4" in result.output and "question" in result.output
    answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in answers] == ["a", "b", "c"]
    assert "10 and 11 November 2009" in answers[0]["answer"]
    assert "Heather Brown" in answers[1]["answer"]
    assert answers[2]["abstained"] is True


def test_chat_is_multi_turn_with_reset(ingested: CliRunner) -> None:
    session = "What was the area for priority action in Portsmouth?\nAnd who signed it?\n" \
              "/reset\nAnd who signed it?\n/quit\n"
    result = ingested.invoke(main, ["chat"], input=session)
    assert result.exit_code == 0
    assert "closed without the children being seen" in result.output
    assert result.output.count("Heather Brown") >= 1
    assert "(new conversation)" in result.output
    assert "[1]" in result.output


def test_ask_without_question_is_a_usage_error(ingested: CliRunner) -> None:
    result = ingested.invoke(main, ["ask"])
    assert result.exit_code == 2 and "QUESTION" in result.output


def test_eval_passes_its_arguments_to_the_runner(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["eval", "--suite", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "missing.json" in result.output
