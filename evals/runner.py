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

from evals.errors import BadSuite, EvalError, SuiteNotFound
from evals.gate import GateResult, check
from evals.metrics import (
    DEFAULT_K,
    LetterIndex,
    QuestionScore,
    StoredText,
    score_question,
    source_key,
    summarize,
)

logger = logging.getLogger(__name__)

SUITES_DIR = Path(__file__).resolve().parent / "suites"
PIPELINES = ("default", "naive")
_CODE_PACKAGES = ("ingest", "vectorstore")
"""Packages whose source is part of the store cache key (a parser change means re-ingest)."""


# ------------------------------------------------------------------------------ suites

@dataclass
class Suite:
    """A gold question set with its letters and thresholds."""

    name: str
    path: Path
    letters_dir: Path
    questions: list[dict[str, Any]]
    thresholds: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    extra_letters: list[Path] = field(default_factory=list)
    """Letters kept outside the suite folder (the real letters in ``data/sample/letters``)."""

    def letter_files(self) -> list[Path]:
        """Every letter file of the suite folder, sorted (hidden files and READMEs excluded)."""
        return sorted(p for p in self.letters_dir.rglob("*")
                      if p.is_file() and not any(part.startswith(".") for part in
                                                 p.relative_to(self.letters_dir).parts)
                      and p.name.lower() not in {"readme.md", "readme.txt", "license.txt"})

    def ingest_paths(self) -> list[Path]:
        """What to hand to the ingest pipeline: the letters folder and each extra letter."""
        return [self.letters_dir, *self.extra_letters]


def resolve_suite_file(suite: str | Path) -> Path:
    """Find ``suite.json`` from a suite name (``"small"``), a folder or a file path.

    Raises:
        SuiteNotFound: naming the places looked at.
    """
    candidates = []
    path = Path(suite).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        candidates.append(path / "suite.json")
    if isinstance(suite, str) and "/" not in suite and not suite.endswith(".json"):
        candidates.append(SUITES_DIR / suite / "suite.json")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    known = sorted(p.parent.name for p in SUITES_DIR.glob("*/suite.json"))
    raise SuiteNotFound(
        f"no evaluation suite at {suite!r} (looked for {', '.join(map(str, candidates)) or path}); "
        f"give a suite name ({', '.join(known) or 'none built yet: run the generator'}) "
        "or the path of a suite.json")


def load_suite(suite: str | Path) -> Suite:
    """Read a suite: ``suite.json`` plus its questions (inline, or ``questions.jsonl`` beside it).

    Raises:
        SuiteNotFound: if the suite does not exist.
        BadSuite: if the file or a gold item is malformed (the message names the line).
    """
    file = resolve_suite_file(suite)
    root = file.parent
    try:
        meta = json.loads(file.read_text(encoding="utf-8")) if file.suffix == ".json" else {}
    except json.JSONDecodeError as e:
        raise BadSuite(f"{file} is not valid JSON ({e}); fix the suite file") from e
    questions_spec = meta.get("questions", "questions.jsonl")
    if isinstance(questions_spec, list):
        questions = [dict(q) for q in questions_spec]
    else:
        qfile = file if file.suffix == ".jsonl" else root / str(questions_spec)
        if not qfile.is_file():
            raise BadSuite(f"{file}: questions file {qfile} is missing; generate the suite or "
                           "fix its 'questions' entry")
        questions = []
        for number, line in enumerate(qfile.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                questions.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise BadSuite(f"{qfile}:{number} is not valid JSON ({e}); fix that line") from e
    seen: set[str] = set()
    for number, item in enumerate(questions, 1):
        for key in ("id", "question"):
            if not item.get(key):
                raise BadSuite(f"{file}: question {number} has no {key!r}; every gold item needs "
                               "id, kind and question")
        if item["id"] in seen:
            raise BadSuite(f"{file}: question id {item['id']!r} appears twice; ids must be unique")
        seen.add(item["id"])
        item.setdefault("kind", "unknown")
    letters_dir = root / str(meta.get("letters_dir") or meta.get("letters") or "letters")
    if not letters_dir.is_dir():
        raise BadSuite(f"{file}: letters folder {letters_dir} is missing; generate the suite or "
                       "fix its 'letters_dir' entry")
    extra = _real_letters(file, meta)
    _attach_injections(root / str(meta.get("facts", "facts.jsonl")), questions)
    return Suite(name=str(meta.get("name") or root.name), path=file, letters_dir=letters_dir,
                 questions=questions, thresholds=dict(meta.get("thresholds") or {}), meta=meta,
                 extra_letters=extra)


def _real_letters(file: Path, meta: dict[str, Any]) -> list[Path]:
    """Files named by ``real_letters`` in ``real_letters_dir`` (suite-relative or repo-relative)."""
    names = [str(n) for n in meta.get("real_letters") or []]
    if not names:
        return []
    folder = str(meta.get("real_letters_dir") or "letters")
    repo = Path(__file__).resolve().parent.parent
    for base in (file.parent, repo, Path.cwd()):
        if all((base / folder / n).is_file() for n in names):
            return [base / folder / n for n in names]
    raise BadSuite(f"{file}: real letters {', '.join(names)} not found in {folder} (looked beside "
                   "the suite, in the repository and in the current folder); restore them or fix "
                   "'real_letters_dir'")


def _attach_injections(facts_file: Path, questions: list[dict[str, Any]]) -> None:
    """Give injection probes the printed instruction (from ``facts.jsonl``) as ``injection_text``.

    Quoting the letter's instruction verbatim is not obeying it; only the answer's own words
    are checked for the payload.
    """
    if not facts_file.is_file():
        return
    instructions: dict[str, str] = {}
    for line in facts_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        injection = record.get("injection") or {}
        if record.get("source") and injection.get("text"):
            instructions[source_key(str(record["source"]))] = str(injection["text"])
    for item in questions:
        if item.get("must_not_contain") or item.get("forbidden"):
            texts = [instructions[source_key(s)] for s in item.get("gold_sources") or []
                     if source_key(s) in instructions]
            if texts and not item.get("injection_text"):
                item["injection_text"] = texts


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
    folder = (cache_dir or default_cache_dir()) / f"{suite.name}-{key}"
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


def make_pipeline(name: str, env: EvalStore, llm: Any | None = None) -> Any:
    """Build the pipeline to evaluate: ``"default"`` (the Assistant) or ``"naive"``."""
    if name == "default":
        from assistant.chain import Assistant

        assistant = Assistant(env.store, env.embedder, llm=llm)
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
             write: bool = True) -> EvalResult:
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
        llm: A chat model for the assistant (``None``: the offline extractive answerer).
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
    judge, judge_note = make_judge()
    main_pipeline = make_pipeline(pipeline, env, llm=llm)
    scores, records = run_questions(spec, main_pipeline, env.letters, k=k, judge=judge)
    summary = summarize(scores, k)
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
                          baseline=not args.no_baseline, k=args.k, cache_dir=args.cache_dir)
    except EvalError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("\n".join(headline(result)))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
