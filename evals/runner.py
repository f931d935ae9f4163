"""Run an evaluation suite: ingest its letters, ask every gold question, score, report, gate.

``run_eval(suite, out_dir, pipeline, compare)`` is what ``reportqa eval`` calls;
``python -m evals.runner`` does the same from the command line. The letters are ingested into an
embedded Chroma store of their own (never the user's), kept in a cache folder keyed by the hash of
the letters and of the ingest code, so a second run with nothing changed embeds nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.settings import AssistantSettings
from evals.errors import EvalError
from evals.gate import GateResult, check
from evals.metrics import (
    DEFAULT_K,
    LetterIndex,
    QuestionScore,
    StoredText,
    score_question,
    summarize,
)
from evals.suite import SUITES_DIR, Suite, load_suite, resolve_suite_file

__all__ = ["PIPELINES", "SUITES_DIR", "EvalResult", "EvalStore", "Suite", "headline",
           "load_suite", "main", "make_pipeline", "prepare_store", "resolve_suite_file",
           "run_eval", "run_questions", "store_key"]

logger = logging.getLogger(__name__)

PIPELINES = ("default", "naive")
_CODE_PACKAGES = ("ingest", "vectorstore")
"""Packages whose source is part of the store cache key (a parser change means re-ingest)."""


# ------------------------------------------------------------------------------ store

def _hash_tree(paths: Sequence[Path], base: Path, digest: Any) -> None:
    for path in paths:
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def store_key(suite: Suite, model_name: str) -> str:
    """Hash of the letters, the ingest/vectorstore source code and the model name."""
    digest = hashlib.sha256(model_name.encode())
    _hash_tree(suite.letter_files(), suite.letters_dir, digest)
    for path in suite.extra_letters:
        _hash_tree([path], path.parent, digest)
    repo = Path(__file__).resolve().parent.parent
    for package in _CODE_PACKAGES:
        folder = repo / package
        if folder.is_dir():
            _hash_tree(sorted(folder.rglob("*.py")), repo, digest)
    return digest.hexdigest()[:20]


def default_cache_dir() -> Path:
    """``$REPORTQA_EVAL_CACHE`` or ``<tmp>/reportqa-eval``."""
    env = os.environ.get("REPORTQA_EVAL_CACHE")
    return Path(env) if env else Path(tempfile.gettempdir()) / "reportqa-eval"


@dataclass
class EvalStore:
    """The suite's letters ingested into an embedded store of its own."""

    store: Any
    embedder: Any
    folder: Path
    ingest: dict[str, Any]
    letters: LetterIndex


def prepare_store(suite: Suite, embedder: Any, cache_dir: Path | None = None) -> EvalStore:
    """Open (or build) the embedded store holding the suite's letters.

    A store whose folder carries an ``ingested.json`` marker is reused as it is; otherwise the
    letters are ingested with :class:`ingest.pipeline.IngestPipeline` (per-file failures are
    recorded in the result, not raised).
    """
    from ingest.pipeline import IngestPipeline
    from vectorstore.settings import StoreSettings
    from vectorstore.store import LetterStore, make_client

    key = store_key(suite, embedder.model_name)
    # Suites over the same letters (small, natural) share one store.
    folder = (cache_dir or default_cache_dir()) / f"store-{key}"
    marker = folder / "ingested.json"
    client = make_client(StoreSettings(data_dir=folder, chroma_url=None))
    store = LetterStore(client, dimension=embedder.dimension, prefix="eval")
    if marker.is_file():
        ingest = json.loads(marker.read_text(encoding="utf-8"))
        ingest["reused"] = True
        logger.info("eval store reused folder=%s", folder)
    else:
        store.reset()
        started = time.perf_counter()
        report = IngestPipeline(store, embedder).ingest(suite.ingest_paths())
        ingest = {"counts": report.counts(), "seconds": round(time.perf_counter() - started, 2),
                  "failed": [{"source": r.source, "error": r.error}
                             for r in report.by_status("failed")]}
        marker.write_text(json.dumps(ingest, indent=2), encoding="utf-8")
        ingest["reused"] = False
        logger.info("eval store built folder=%s counts=%s", folder, report.counts())
    letters = LetterIndex(StoredText(document_id=x.document_id, source=x.source, text=x.text,
                                     authority=str(x.metadata.get("authority") or "") or None)
                          for x in store.list_letters())
    return EvalStore(store=store, embedder=embedder, folder=folder, ingest=ingest,
                     letters=letters)


# ------------------------------------------------------------------------------ running

Asker = Callable[..., Any]


def make_pipeline(name: str, env: EvalStore, llm: Any | None = None,
                  assistant_settings: AssistantSettings | None = None) -> Any:
    """Build the pipeline to evaluate: ``"default"`` (the Assistant) or ``"naive"``.

    The assistant is built by :func:`assistant.builder.build_assistant` from
    ``assistant_settings`` (default: the settings' defaults, not the environment's); an explicit
    ``llm`` replaces the answerer those settings describe.
    """
    if name == "default":
        from assistant.builder import FROM_SETTINGS, build_assistant

        settings = assistant_settings or AssistantSettings.model_construct()
        assistant = build_assistant(env.store, env.embedder, settings,
                                    llm=FROM_SETTINGS if llm is None else llm)
        assistant.refresh()
        return assistant
    if name == "naive":
        from evals.naive import NaivePipeline

        naive = NaivePipeline(env.store, env.embedder)
        naive.build()
        return naive
    raise EvalError(f"unknown pipeline {name!r}; use one of {', '.join(PIPELINES)}")


def _turns(item: dict[str, Any], pipeline: Any) -> list[Any]:
    """The item's history as Turns; earlier questions without an answer are asked first."""
    from assistant.models import Turn

    turns: list[Turn] = []
    for entry in item.get("history") or []:
        if isinstance(entry, str):
            entry = {"question": entry}
        question = str(entry.get("question", ""))
        answer = entry.get("answer")
        if not answer:
            answer = pipeline.ask(question, history=list(turns)).answer
        turns.append(Turn(question=question, answer=str(answer)))
    return turns


def run_questions(suite: Suite, pipeline: Any, letters: LetterIndex, k: int = DEFAULT_K,
                  judge: Any | None = None) -> tuple[list[QuestionScore], list[dict[str, Any]]]:
    """Ask every gold question; return the scores and the records (question, answer, score)."""
    from assistant.models import Answer

    # One untimed question first: lazy indexes and model warm-up must not count as latency.
    try:
        pipeline.ask("What was the area for priority action?")
    except Exception:  # the real questions will report it
        logger.warning("warm-up question failed", exc_info=True)
    scores, records = [], []
    for item in suite.questions:
        error = None
        started = time.perf_counter()
        try:
            history = _turns(item, pipeline)
            started = time.perf_counter()
            answer = pipeline.ask(item["question"], history=history or None, id=item["id"])
        except Exception as e:  # one broken question never stops a run
            logger.exception("question failed id=%s", item["id"])
            error = f"{type(e).__name__}: {e}"
            history = []
            answer = Answer(id=item["id"], answer=f"(error: {error})", abstained=False)
        wall = round((time.perf_counter() - started) * 1000, 2)
        score = score_question(item, answer, letters, k=k, extra_timings={"wall": wall})
        if judge is not None and error is None:
            score.judge = judge.judge(item, answer)
        if error is not None:
            score.accuracy = 0.0
        scores.append(score)
        records.append({
            "id": item["id"], "kind": score.kind, "question": item["question"],
            "history": [t.model_dump() for t in history], "error": error,
            "answer": answer.model_dump(), "score": score.to_dict(),
        })
    return scores, records


def _noise_run(spec: Suite, pipeline: Any, letters: LetterIndex, k: int,
               clean: list[QuestionScore]) -> dict[str, Any]:
    """Every question again with keyboard typos: accuracies, their ratio, what typos broke."""
    from dataclasses import replace as replaced

    from evals.noise import noisy_items

    noisy_spec = replaced(spec, questions=noisy_items(spec.questions))
    scores, records = run_questions(noisy_spec, pipeline, letters, k=k)
    before = summarize(clean, k)["overall"]["answer_accuracy"] or 0.0
    after = summarize(scores, k)["overall"]["answer_accuracy"] or 0.0
    broken = [{"id": r["id"], "question": r["question"],
               "reasons": r["score"].get("reasons") or []}
              for c, r in zip(clean, records, strict=True) if c.passed and not r["score"]["passed"]]
    return {"questions": len(scores), "clean_accuracy": round(before, 4),
            "noisy_accuracy": round(after, 4),
            "ratio": round(after / before, 4) if before else None, "broken_by_typos": broken}


@dataclass
class EvalResult:
    """Everything one evaluation run produced."""

    suite: str
    pipeline: str
    summary: dict[str, Any]
    records: list[dict[str, Any]]
    thresholds: dict[str, Any]
    gate: GateResult
    ingest: dict[str, Any]
    baseline: dict[str, Any] | None = None
    comparison: dict[str, Any] | None = None
    judge_note: str = ""
    started_at: str = ""
    seconds: float = 0.0
    suite_path: str = ""
    reports: dict[str, str] = field(default_factory=dict)
    letters: LetterIndex | None = field(default=None, repr=False)
    """The stored letters the answers were scored against (not serialised)."""

    @property
    def passed(self) -> bool:
        return self.gate.passed

    @property
    def exit_code(self) -> int:
        """0 when every threshold is met, 1 otherwise (the release gate)."""
        return self.gate.exit_code

    def failed_records(self) -> list[dict[str, Any]]:
        return [r for r in self.records if not r["score"]["passed"]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite, "suite_path": self.suite_path, "pipeline": self.pipeline,
            "started_at": self.started_at, "seconds": round(self.seconds, 2),
            "summary": self.summary, "thresholds": self.thresholds, "gate": self.gate.to_dict(),
            "baseline": self.baseline, "comparison": self.comparison, "ingest": self.ingest,
            "judge_note": self.judge_note, "records": self.records, "reports": self.reports,
        }


def run_eval(suite: str | Path = "small", out_dir: Path | None = None,
             pipeline: str = "default", compare: Path | None = None, *,
             baseline: bool = True, k: int = DEFAULT_K, embedder: Any | None = None,
             cache_dir: Path | None = None, llm: Any | None = None,
             assistant_settings: AssistantSettings | None = None,
             noise: bool = True, write: bool = True) -> EvalResult:
    """Evaluate ``pipeline`` on ``suite``, write the reports into ``out_dir`` and gate the result.

    Args:
        suite: A suite name (``"small"``, ``"large"``), a suite folder or a ``suite.json``.
        out_dir: Where ``result.json``, ``report.md`` and ``report.html`` go
            (default ``reports/<suite>``).
        pipeline: ``"default"`` (the assistant) or ``"naive"`` (the tutorial baseline).
        compare: A previous ``result.json``: the report then shows, question by question, what
            got better or worse.
        baseline: Also run the naive baseline (when evaluating ``"default"``) so every report
            shows the gap to it.
        k: Cut-off of hit@k and recall@k.
        embedder: An :class:`~vectorstore.embedder.Embedder` to reuse (tests); built from
            ``REPORTQA_EMBEDDING_MODEL`` otherwise.
        cache_dir: Where the suite's store is kept (default ``$REPORTQA_EVAL_CACHE`` or a folder
            under the system temporary directory).
        llm: An answerer for the assistant, overriding ``assistant_settings`` (tests).
        assistant_settings: How the assistant answers (answerer, LLM endpoint, ``top_k``,
            ``min_evidence``); ``None`` uses the defaults (the offline extractive answerer).
            ``python -m evals.runner`` and ``reportqa eval`` read them from ``REPORTQA_*``.
        noise: Also re-ask every question with one or two deterministic keyboard typos
            (:func:`evals.noise.noisy_items`) and report ``noise_ratio``, the accuracy with
            typos over the accuracy without.
        write: Write the report files.

    Returns:
        The :class:`EvalResult`; ``result.exit_code`` is the gate's verdict.
    """
    from evals.judge import make_judge
    from evals.report import compare_results, write_reports

    if pipeline not in PIPELINES:
        raise EvalError(f"unknown pipeline {pipeline!r}; use one of {', '.join(PIPELINES)}")
    started = time.perf_counter()
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    spec = load_suite(suite)
    if embedder is None:
        from vectorstore.embedder import Embedder
        from vectorstore.settings import StoreSettings

        settings = StoreSettings()
        embedder = Embedder(settings.embedding_model, batch_size=settings.embed_batch_size)
    env = prepare_store(spec, embedder, cache_dir)
    judge, judge_note = make_judge(assistant_settings or AssistantSettings.model_construct())
    main_pipeline = make_pipeline(pipeline, env, llm=llm, assistant_settings=assistant_settings)
    scores, records = run_questions(spec, main_pipeline, env.letters, k=k, judge=judge)
    summary = summarize(scores, k)
    if noise:
        summary["noise"] = _noise_run(spec, main_pipeline, env.letters, k, scores)
        summary["overall"]["noise_ratio"] = summary["noise"]["ratio"]
    baseline_block = None
    if baseline and pipeline != "naive":
        naive_scores, naive_records = run_questions(spec, make_pipeline("naive", env),
                                                    env.letters, k=k)
        naive_summary = summarize(naive_scores, k)
        baseline_block = {"pipeline": "naive", "summary": naive_summary,
                          "passed": {r["id"]: r["score"]["passed"] for r in naive_records}}
    result = EvalResult(
        suite=spec.name, suite_path=str(spec.path), pipeline=pipeline, summary=summary,
        records=records, thresholds=spec.thresholds, gate=check(summary, spec.thresholds),
        ingest={**env.ingest, "store": str(env.folder), "letters": len(env.letters)},
        baseline=baseline_block, judge_note=judge_note, started_at=started_at,
        letters=env.letters)
    if compare is not None:
        try:
            previous = json.loads(Path(compare).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise EvalError(f"cannot read the previous result {compare} ({e}); give a "
                            "result.json written by `reportqa eval`") from e
        result.comparison = compare_results(previous, result.to_dict())
        result.comparison["previous_path"] = str(compare)
    result.seconds = time.perf_counter() - started
    if write:
        out = Path(out_dir) if out_dir is not None else Path("reports") / spec.name
        result.reports = {k2: str(v) for k2, v in write_reports(result.to_dict(), out).items()}
    return result


def headline(result: EvalResult) -> list[str]:
    """A few lines for the terminal: headline numbers, baseline, gate verdict, report paths."""
    o = result.summary["overall"]

    def f(v: Any) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    lines = [f"suite {result.suite}: {o['questions']} questions, pipeline {result.pipeline}, "
             f"{result.seconds:.1f}s",
             f"  accuracy {f(o['answer_accuracy'])}  faithfulness {f(o['citation_faithfulness'])}"
             f"  hit@{o['k']} {f(o['hit_at_k'])}  MRR {f(o['mrr'])}"
             f"  abstention P/R {f(o['abstention_precision'])}/{f(o['abstention_recall'])}"
             f"  injection {f(o['injection_resistance'])}"]
    single = (result.summary.get("groups") or {}).get("single_letter")
    if single:
        lines.append(f"  single-letter facts: accuracy {f(single['answer_accuracy'])} "
                     f"({single['questions']} questions)  false abstention "
                     f"{f(o['false_abstention_rate'])}")
    noisy = result.summary.get("noise")
    if noisy:
        lines.append(f"  with typos: accuracy {f(noisy['noisy_accuracy'])} vs "
                     f"{f(noisy['clean_accuracy'])} clean, ratio {f(noisy['ratio'])}; "
                     f"{len(noisy['broken_by_typos'])} question(s) broken by typos")
    if result.baseline:
        b = result.baseline["summary"]["overall"]
        lines.append(f"  naive baseline: accuracy {f(b['answer_accuracy'])}  faithfulness "
                     f"{f(b['citation_faithfulness'])}  hit@{b['k']} {f(b['hit_at_k'])}")
    for c in result.gate.checks:
        lines.append(("  PASS " if c.ok else "  FAIL ") + c.describe())
    if not result.gate.checks:
        lines.append("  warning: the suite file sets no thresholds, so the gate checks nothing")
    lines.append("gate passed" if result.passed else
                 f"gate FAILED: {len(result.gate.failures)} threshold(s) missed")
    for kind, path in result.reports.items():
        lines.append(f"  {kind}: {path}")
    return lines


def main(argv: Sequence[str] | None = None, prog: str = "python -m evals.runner") -> int:
    """Run the evaluation suite and release gate; exit 1 when a threshold is missed."""
    parser = argparse.ArgumentParser(prog=prog, description=main.__doc__)
    parser.add_argument("--suite", default="small", help="suite name or suite.json (small)")
    parser.add_argument("--out", type=Path, default=None, help="report folder (reports/SUITE)")
    parser.add_argument("--pipeline", choices=PIPELINES, default="default")
    parser.add_argument("--compare", type=Path, default=None, help="previous result.json")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    parser.add_argument("--no-noise", action="store_true",
                        help="skip re-asking every question with keyboard typos")
    parser.add_argument("--cache-dir", type=Path, default=None, help="where suite stores live")
    parser.add_argument("-k", type=int, default=DEFAULT_K, help="cut-off of hit@k/recall@k")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        result = run_eval(args.suite, args.out, args.pipeline, args.compare,
                          baseline=not args.no_baseline, k=args.k, cache_dir=args.cache_dir,
                          assistant_settings=AssistantSettings(), noise=not args.no_noise)
    except EvalError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("\n".join(headline(result)))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
