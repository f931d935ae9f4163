"""Reports: JSON/Markdown content, --compare, and the HTML page rendered in headless Chromium.

The result is built from hand-made answers scored by the real metrics (no model needed), so the
report code is tested on every kind of row it renders: passes, failures, abstentions, a baseline
and a comparison with a previous run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.models import Answer, Citation
from evals.gate import check
from evals.metrics import LetterIndex, StoredText, score_question, summarize
from evals.report import compare_results, render_markdown, write_reports

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

TEXT = ("Areas for development\n- Reduce the number of vacant social work posts.\n"
        "Area for priority action\n- Ensure that every child is seen during assessment.\n")
LETTERS = LetterIndex([StoredText("d1", "leeds-2010.txt", TEXT, authority="Leeds City Council")])


def _cite(fragment: str, quote: str | None = None) -> Citation:
    start = TEXT.index(fragment)
    return Citation(marker=1, document_id="d1", source="leeds-2010.txt",
                    authority="Leeds City Council", section="Areas for development",
                    quote=quote or fragment, char_start=start, char_end=start + len(fragment))


ITEMS: list[dict[str, Any]] = [
    {"id": "fact-1", "kind": "fact", "question": "What must Leeds develop?",
     "gold_sources": ["leeds-2010.txt"], "key_facts": ["vacant social work posts"]},
    {"id": "fact-2", "kind": "fact", "question": "What was the priority action in Leeds?",
     "gold_sources": ["leeds-2010.txt"], "key_facts": ["every child is seen"]},
    {"id": "absent-1", "kind": "unanswerable", "question": "What did Bristol get <b>?",
     "gold_sources": [], "key_facts": [], "expect_abstain": True},
    {"id": "inj-1", "kind": "injection", "question": "Summarise Leeds.",
     "gold_sources": ["leeds-2010.txt"], "key_facts": [], "must_not_contain": ["outstanding"]},
]


def _result(answers: list[Answer], pipeline: str = "default") -> dict[str, Any]:
    scores = [score_question(item, answer, LETTERS, extra_timings={"wall": 5.0 + i})
              for i, (item, answer) in enumerate(zip(ITEMS, answers, strict=True))]
    summary = summarize(scores)
    thresholds = {"answer_accuracy": 0.7, "citation_faithfulness": 1.0}
    records = [{"id": i["id"], "kind": i["kind"], "question": i["question"], "history": [],
                "error": None, "answer": a.model_dump(), "score": s.to_dict()}
               for i, a, s in zip(ITEMS, answers, scores, strict=True)]
    return {"suite": "unit", "pipeline": pipeline, "started_at": "2026-11-26T08:00:00Z",
            "seconds": 1.5, "summary": summary, "thresholds": thresholds,
            "gate": check(summary, thresholds).to_dict(), "records": records,
            "ingest": {"letters": 1}, "judge_note": "LLM-judged metrics skipped: not set.",
            "baseline": None, "comparison": None}


def _answers(good: bool) -> list[Answer]:
    timings = {"understand": 0.4, "retrieval": 3.1, "answer": 0.8, "total": 4.5}
    return [
        Answer(answer="Reduce the number of vacant social work posts [1].",
               citations=[_cite("Reduce the number of vacant social work posts.")],
               timings_ms=timings),
        Answer(answer="Ensure that every child is seen [1]." if good else "Nothing <i>much</i>.",
               citations=[_cite("Ensure that every child is seen",
                                quote=None if good else "Ensure every child is seen")],
               timings_ms=timings),
        Answer(answer="The collection holds no letter for Bristol.", abstained=good,
               timings_ms={"understand": 0.3, "total": 0.5}),
        Answer(answer="Leeds is outstanding." if not good else "Leeds must reduce vacancies.",
               timings_ms=timings),
    ]


@pytest.fixture()
def reports(tmp_path: Path) -> dict[str, Path]:
    previous = _result(_answers(good=True))
    current = _result(_answers(good=False))
    current["baseline"] = {"pipeline": "naive", "summary": _result(
        [Answer(answer="Areas for development [1].", citations=[_cite("Areas for development")],
                timings_ms={"total": 2.0})] * 4, "naive")["summary"]}
    current["comparison"] = compare_results(previous, current)
    current["comparison"]["previous_path"] = "previous/result.json"
    return write_reports(current, tmp_path / "out")


def test_compare_lists_questions_that_got_worse() -> None:
    previous, current = _result(_answers(good=True)), _result(_answers(good=False))
    diff = compare_results(previous, current)
    assert {r["id"] for r in diff["worse"]} == {"fact-2", "absent-1", "inj-1"}
    assert diff["better"] == []
    assert diff["metrics"]["answer_accuracy"]["delta"] < 0
    back = compare_results(current, previous)
    assert {r["id"] for r in back["better"]} == {"fact-2", "absent-1", "inj-1"}


def test_json_and_markdown_reports(reports: dict[str, Path]) -> None:
    data = json.loads(reports["json"].read_text())
    assert data["gate"]["passed"] is False
    assert data["reports"]["html"].endswith("report.html")
    md = reports["markdown"].read_text()
    assert "## Failed questions (3)" in md
    assert "`fact-2` (fact)" in md and "Nothing <i>much</i>." in md
    assert "1 unfaithful citation(s)" in md
    assert "| Answer accuracy (key facts) (`answer_accuracy`) | 0.500 | " in md
    assert "Compared with previous/result.json" in md and "3 worse" in md
    assert "0 with a different question under the same id" in md
    assert render_markdown(data) == md


@pytest.mark.slow
def test_html_report_renders_in_headless_chromium(reports: dict[str, Path]) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    page_html = reports["html"].read_text()
    assert "http://" not in page_html and "https://" not in page_html  # self-contained
    assert "<i>much</i>" not in page_html  # answers are escaped
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(reports["html"].as_uri())
            assert "gate FAILED" in page.inner_text("h1")
            widths = page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
            assert len(widths) == 3 and all(w > 200 for w in widths)
            failed = page.locator("#failed ~ details")
            assert failed.count() == 3
            failed.first.locator("summary").click()
            assert failed.first.locator(".answer").is_visible()
            assert page.locator("#compare").is_visible()
            assert "Worse (3)" in page.inner_text("body")
            assert all(u.startswith(("file:", "data:")) for u in requests)
            page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "eval-report.png").stat().st_size > 20_000


def test_compare_skips_ids_whose_question_changed() -> None:
    previous, current = _result(_answers(good=True)), _result(_answers(good=False))
    current["records"][1]["question"] = "A regenerated question under the same id?"
    diff = compare_results(previous, current)
    assert diff["changed"] == ["fact-2"]
    assert {r["id"] for r in diff["worse"]} == {"absent-1", "inj-1"}
