"""The release gate: threshold parsing, and the small suite run end to end through the gate (CI).

The end-to-end part ingests the small suite's letters into a fresh store, asks every gold question
through the assistant and the naive baseline once (module scope), and requires the suite's own
thresholds to hold. It
then degrades copies of the real answers (wrong facts, altered quotes, no abstention) and checks
that the same gate fails, so a regression in any of them cannot pass CI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals.errors import EvalError
from evals.gate import check, parse_thresholds
from evals.metrics import score_question, summarize
from evals.runner import EvalResult, load_suite, run_eval

GATED = ("answer_accuracy", "citation_faithfulness", "abstention_recall")


def _summary(**overall: Any) -> dict[str, Any]:
    return {"overall": overall, "by_kind": {"list": {"list_recall": overall.get("lr")}}}


def test_thresholds_accept_numbers_and_min_max() -> None:
    parsed = parse_thresholds({"answer_accuracy": 0.8, "_comment": "ignored",
                               "latency_ms.total.p95": {"max": 250}, "mrr": {"min": 0.5}})
    assert parsed == [("answer_accuracy", "min", 0.8), ("latency_ms.total.p95", "max", 250.0),
                      ("mrr", "min", 0.5)]
    for bad in ({"a": True}, {"a": "high"}, {"a": {"above": 1}}):
        with pytest.raises(EvalError, match="threshold 'a'"):
            parse_thresholds(bad)


def test_gate_passes_fails_and_treats_missing_metrics_as_failures() -> None:
    summary = _summary(answer_accuracy=0.9, citation_faithfulness=1.0, lr=0.5,
                       latency_ms={"total": {"p95": 120.0}})
    ok = check(summary, {"answer_accuracy": 0.9, "citation_faithfulness": 1.0})
    assert ok.passed and ok.exit_code == 0
    bad = check(summary, {"answer_accuracy": 0.91, "list:list_recall": 0.4,
                          "latency_ms.total.p95": {"max": 100}, "abstention_recall": 0.5})
    assert not bad.passed and bad.exit_code == 1
    assert [c.metric for c in bad.failures] == ["answer_accuracy", "latency_ms.total.p95",
                                               "abstention_recall"]
    assert "missing" in bad.failures[-1].describe()


# ---------------------------------------------------------------------------------- end to end

@pytest.fixture(scope="module")
def eval_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store cache for the suites of this module (small and natural share their letters)."""
    return tmp_path_factory.mktemp("eval-cache")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory, embedder: Any, eval_cache: Path
              ) -> tuple[EvalResult, Path]:
    try:
        load_suite("small")
    except EvalError as e:
        pytest.fail(f"the small suite is missing or broken: {e}")
    out = tmp_path_factory.mktemp("eval-out")
    result = run_eval("small", out, "default", None, baseline=True, embedder=embedder,
                      cache_dir=eval_cache)
    return result, out


NATURAL = Path(__file__).resolve().parents[2] / "evals" / "suites" / "natural"


@pytest.mark.slow
def test_small_suite_passes_the_release_gate(small_run: tuple[EvalResult, Path]) -> None:
    result, out = small_run
    assert not result.ingest.get("failed"), f"letters failed to ingest: {result.ingest['failed']}"
    assert result.ingest["reused"] is False  # a fresh store, built for this run
    suite = load_suite("small")
    assert result.ingest["letters"] == len(suite.letter_files()) + len(suite.extra_letters)
    assert len(result.records) == len(suite.questions) >= 50
    for metric in GATED:
        assert metric in result.thresholds, f"suite.json must set a threshold for {metric}"
    failures = "; ".join(c.describe() for c in result.gate.failures)
    assert result.passed, f"release gate failed: {failures}"
    assert result.exit_code == 0
    assert {Path(p).name for p in result.reports.values()} == {"result.json", "report.md",
                                                               "report.html"}
    assert (out / "report.html").stat().st_size > 10_000
    # the naive baseline ran on the same questions, and the gap to it shows
    assert result.baseline is not None
    naive = result.baseline["summary"]["overall"]
    assert naive["questions"] == len(result.records)
    assert naive["abstention_recall"] == 0.0  # the tutorial pipeline never abstains
    assert result.summary["overall"]["answer_accuracy"] > naive["answer_accuracy"]
    # every question was asked again with typos, and the gate read the ratio
    noise = result.summary["noise"]
    assert noise["questions"] == len(result.records)
    assert "noise_ratio" in result.thresholds


@pytest.mark.slow
def test_natural_test_split_passes_the_release_gate(embedder: Any, eval_cache: Path,
                                                    tmp_path: Path) -> None:
    """The hand-written questions nobody tuned on (the ``test`` split) hold the thresholds of
    issue 10: single-letter facts, abstention, false abstentions, and the typo ratio."""
    suite = load_suite(NATURAL / "suite.json")
    assert suite.meta.get("split") == "test" and len(suite.questions) >= 200
    dev = load_suite(NATURAL / "dev.json")
    assert not {q["question"] for q in dev.questions} & {q["question"] for q in suite.questions}
    for metric in ("single_letter:answer_accuracy", "abstention_recall",
                   "false_abstention_rate", "noise_ratio"):
        assert metric in suite.thresholds, f"the natural suite must gate on {metric}"
    result = natural_run(embedder, eval_cache, tmp_path)
    assert result.summary["noise"]["questions"] == len(suite.questions)
    failures = "; ".join(c.describe() for c in result.gate.failures)
    assert result.passed, f"release gate failed on the natural test split: {failures}"


_GATED_RUNS: dict[Path, EvalResult] = {}


def gated_run(suite_file: Path, embedder: Any, cache: Path, out: Path, *,
              noise: bool = True) -> EvalResult:
    """A held-out split through the gate, once per session (its gate and targets share it)."""
    if suite_file not in _GATED_RUNS:
        _GATED_RUNS[suite_file] = run_eval(suite_file, out, "default", None, baseline=False,
                                           noise=noise, embedder=embedder, cache_dir=cache)
    return _GATED_RUNS[suite_file]


def assert_meets_targets(suite_file: Path, result: EvalResult) -> None:
    """The run passes the issue's targets, kept under ``targets`` in the suite file."""
    gate = check(result.summary, load_suite(suite_file).meta["targets"])
    assert gate.passed, "; ".join(c.describe() for c in gate.failures)


def natural_run(embedder: Any, cache: Path, out: Path) -> EvalResult:
    """The natural test split through the gate."""
    return gated_run(NATURAL / "suite.json", embedder, cache, out)


@pytest.mark.slow
def test_natural_test_split_meets_the_targets_of_issue_10(embedder: Any, eval_cache: Path,
                                                          tmp_path: Path) -> None:
    assert_meets_targets(NATURAL / "suite.json", natural_run(embedder, eval_cache, tmp_path))


THEMES = Path(__file__).resolve().parents[2] / "evals" / "suites" / "themes"


def themes_run(embedder: Any, cache: Path, out: Path) -> EvalResult:
    """The themes suite's test split through the gate (lists and counts: no typo re-run)."""
    return gated_run(THEMES / "suite.json", embedder, cache, out, noise=False)


@pytest.mark.slow
def test_themes_test_split_passes_the_release_gate(embedder: Any, eval_cache: Path,
                                                   tmp_path: Path) -> None:
    """Lists and counts by theme on questions and letters nobody tuned on hold their floors:
    recall, precision, exact counts, and every citation verbatim."""
    suite = load_suite(THEMES / "suite.json")
    dev = load_suite(THEMES / "dev.json")
    assert suite.meta.get("split") == "test" and len(suite.questions) >= 60
    assert not {q["question"] for q in dev.questions} & {q["question"] for q in suite.questions}
    for metric in ("list_recall", "list_precision", "count_exactness", "citation_faithfulness"):
        assert metric in suite.thresholds, f"the themes suite must gate on {metric}"
    result = themes_run(embedder, eval_cache, tmp_path)
    failures = "; ".join(c.describe() for c in result.gate.failures)
    assert result.passed, f"release gate failed on the themes test split: {failures}"


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 11's targets on the held-out themes split are not "
                   "met yet (list recall 0.90, precision 0.90, counts 0.76 of 0.95 each); strict, "
                   "so meeting them turns this red and the floors are raised to the targets")
def test_themes_test_split_meets_the_targets_of_issue_11(embedder: Any, eval_cache: Path,
                                                         tmp_path: Path) -> None:
    assert_meets_targets(THEMES / "suite.json", themes_run(embedder, eval_cache, tmp_path))


def _degraded(result: EvalResult, change: str) -> dict[str, Any]:
    suite = {q["id"]: q for q in load_suite("small").questions}
    scores = []
    for rec in result.records:
        answer = dict(rec["answer"])
        if change == "facts" and not answer["abstained"]:
            answer["answer"] = "The letter covers this."
            answer["citations"] = []
        elif change == "quotes":
            answer["citations"] = [{**c, "quote": c["quote"].upper() + " (paraphrased)"}
                                   for c in answer["citations"]]
        elif change == "abstention":
            answer["abstained"] = False
        assert result.letters is not None
        scores.append(score_question(suite[rec["id"]], answer, result.letters))
    return summarize(scores)


@pytest.mark.slow
@pytest.mark.parametrize("change,metric", [("facts", "answer_accuracy"),
                                           ("quotes", "citation_faithfulness"),
                                           ("abstention", "abstention_recall")])
def test_gate_fails_when_a_gated_metric_drops(small_run: tuple[EvalResult, Path],
                                              change: str, metric: str) -> None:
    result, _ = small_run
    gate = check(_degraded(result, change), result.thresholds)
    assert not gate.passed
    assert metric in {c.metric for c in gate.failures}


@pytest.mark.parametrize("name", ["dev.json", "dev2.json", "dev3.json", "dev4.json", "dev5.json",
                                  "suite.json"])
def test_themes_splits_load_with_verbatim_gold_and_no_shared_question(name: str) -> None:
    suite = load_suite(THEMES / name)
    letters = {p.name: p.read_text(encoding="utf-8") for p in (THEMES / "letters").iterdir()}
    for item in suite.questions:
        for quote in item["gold_quotes"]:
            assert quote["quote"] in letters[quote["source"]], (item["id"], quote)
    if name != "suite.json":  # no calibration question is also a held-out one
        held_out = {q["question"].lower().strip() for q in load_suite(THEMES / "suite.json")
                    .questions}
        assert not held_out & {q["question"].lower().strip() for q in suite.questions}
