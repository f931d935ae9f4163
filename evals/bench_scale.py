"""Scale benchmark: query latency, memory, start-up and incremental refresh over many letters.

``python -m evals.bench_scale [--letters 1000] [--chroma-url http://127.0.0.1:8000]``

Generates ``--letters`` synthetic letters (TXT), ingests them into a fresh store (embedded Chroma
in a temporary folder, or a Chroma server with ``--chroma-url``, under a fresh collection prefix
that is deleted afterwards) and measures, in the same run:

* the full index build (catalogue + lexical BM25 + finding index, from nothing) against the
  incremental refresh after one letter is added, replaced and deleted (target: the refresh after
  one new letter costs at most 5% of the full build at 1,000 letters);
* time to first answer of a fresh process (imports, store, assistant, indexes, one answer);
* p50/p95 latency of single-letter questions and of list questions (warm, extractive answerer);
* resident memory of the process (embedded mode: Chroma included) after loading and after the
  questions.

Several sizes in one run (``--letters 1000,10000``) also report each size's p95 against the
first's (targets: single-letter p95 at 10,000 within 2x that at 1,000; list questions at 10,000
under 1 s).

Stored vectors come from :class:`evals.standin.HashEmbedder` (the real model embeds ~40
passages/s here: 1,000 letters would take over 5 minutes), and say so in the output. Questions
are embedded with the real model unless ``--query-embedder hash``, so timings include the real
question embedding; answer accuracy over hash vectors means nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from evals.metrics import percentile  # noqa: E402
from evals.standin import STANDIN_NOTE, HashEmbedder  # noqa: E402

logger = logging.getLogger(__name__)

REFRESH_TARGET = 0.05
LIST_TARGET_MS = 1000.0
SINGLE_GROWTH_TARGET = 2.0

LIST_QUESTIONS = (
    "Which councils inspected in {year} had no area for priority action?",
    "Which councils had social work vacancies raised as a concern?",
    "How many letters in {year} raised cases closed without the child being seen?",
    "Which authorities had the out of hours service identified as a strength?",
    "Which councils inspected in {year} had weak management oversight raised as a concern?",
)
SINGLE_QUESTIONS = (
    "Who signed the {year} letter to {council}?",
    "What was the area for priority action in {council} in {year}?",
    "What strengths did Ofsted find in {council} in {year}?",
    "When was {council} inspected in {year}?",
    "What were the areas for development in {council} in {year}?",
)


def rss_mib() -> float:
    """Resident memory of this process now (MiB)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _store(data_dir: Path, chroma_url: str | None, prefix: str) -> Any:
    from vectorstore.settings import StoreSettings
    from vectorstore.store import LetterStore, make_client

    settings = StoreSettings(_env_file=None, data_dir=data_dir,  # type: ignore[call-arg]
                             chroma_url=chroma_url, collection_prefix=prefix)
    return LetterStore(make_client(settings), 384, prefix)


def _drop(store: Any, prefix: str) -> None:
    from vectorstore.store import CHUNKS_SUFFIX, LETTERS_SUFFIX

    for suffix in (CHUNKS_SUFFIX, LETTERS_SUFFIX):
        try:
            store.client.delete_collection(f"{prefix}{suffix}")
        except Exception as e:  # best effort: the run's figures are already measured
            logger.warning("could not delete collection %s%s: %s", prefix, suffix, e)


def _questions(facts: list[Any], seed: int, n: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    years = sorted({f.year for f in facts})
    single, lists = [], []
    for i in range(n):
        f = rng.choice(facts)
        single.append(SINGLE_QUESTIONS[i % len(SINGLE_QUESTIONS)].format(
            council=f.council.formal_name, year=f.year))
        lists.append(LIST_QUESTIONS[i % len(LIST_QUESTIONS)].format(year=rng.choice(years)))
    return single, lists


def _full_build(store: Any, embedder: Any) -> tuple[Any, dict[str, float]]:
    """A new Assistant brought in step with the store from nothing, timed per part."""
    from assistant.chain import Assistant

    assistant = Assistant(store, embedder)
    times: dict[str, float] = {}
    t = time.perf_counter()
    revisions = store.letter_revisions()
    times["letter_revisions_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assistant.catalog.refresh(revisions=revisions)
    times["catalogue_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assistant.lexical.refresh(revisions=revisions)
    times["lexical_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assistant.refresh(force=True)  # nothing left to load: the gazetteer and vocabulary
    times["gazetteer_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assistant.aggregates.index.sync(assistant.catalog.all(), assistant.catalog.version)
    times["finding_index_s"] = time.perf_counter() - t
    times["total_s"] = sum(times.values())
    return assistant, {k: round(v, 3) for k, v in times.items()}


def _refresh(assistant: Any) -> dict[str, float]:
    """The live assistant's refresh after a change, timed per part (same parts as a build)."""
    store = assistant.store
    times: dict[str, float] = {}
    t = time.perf_counter()
    revisions = store.letter_revisions()
    times["letter_revisions_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assistant.catalog.refresh(revisions=revisions)
    times["catalogue_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assistant.lexical.refresh(revisions=revisions)
    times["lexical_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assistant.refresh(force=True)
    times["gazetteer_s"] = time.perf_counter() - t
    t = time.perf_counter()
    assistant.aggregates.index.sync(assistant.catalog.all(), assistant.catalog.version)
    times["finding_index_s"] = time.perf_counter() - t
    times["total_s"] = sum(times.values())
    return {k: round(v, 3) for k, v in times.items()}


def _time_questions(assistant: Any, questions: list[str]) -> dict[str, Any]:
    times = []
    for q in questions:
        t = time.perf_counter()
        assistant.ask(q)
        times.append((time.perf_counter() - t) * 1000)
    return {"n": len(times), "p50_ms": round(percentile(times, 50) or 0.0, 1),
            "p95_ms": round(percentile(times, 95) or 0.0, 1), "max_ms": round(max(times), 1)}


def _first_answer(data_dir: Path, chroma_url: str | None, prefix: str, query_embedder: str,
                  question: str) -> dict[str, Any]:
    """Start a fresh Python process that opens the store, builds the assistant, answers once."""
    code = (
        "import time, json, sys; t0 = time.perf_counter()\n"
        "from evals.bench_scale import _child_first_answer\n"
        "print(json.dumps(_child_first_answer(t0, *sys.argv[1:])))\n"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, str(data_dir), chroma_url or "", prefix, query_embedder,
         question], capture_output=True, text=True, check=True, env={**os.environ})
    wall = time.perf_counter() - started
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = round(wall, 2)
    return result


def _child_first_answer(t0: float, data_dir: str, chroma_url: str, prefix: str,
                        query_embedder: str, question: str) -> dict[str, Any]:
    from assistant.chain import Assistant
    from vectorstore.embedder import Embedder

    imported = time.perf_counter()
    store = _store(Path(data_dir), chroma_url or None, prefix)
    embedder = HashEmbedder() if query_embedder == "hash" else Embedder()
    assistant = Assistant(store, embedder)
    answer = assistant.ask(question)
    done = time.perf_counter()
    return {"imports_s": round(imported - t0, 2), "first_answer_s": round(done - t0, 2),
            "after_imports_s": round(done - imported, 2), "abstained": answer.abstained,
            "rss_mib": rss_mib()}


def run_size(n_letters: int, seed: int, chroma_url: str | None, query_embedder: str,
             n_questions: int, work: Path) -> dict[str, Any]:
    """Everything for one corpus size."""
    from evals.generator import generate_corpus
    from evals.renderers import write_corpus
    from ingest.pipeline import IngestPipeline
    from vectorstore.embedder import Embedder

    prefix = f"scale{n_letters}_{uuid.uuid4().hex[:8]}"
    data_dir = work / f"store-{n_letters}"
    letters_dir = work / f"letters-{n_letters}"
    t = time.perf_counter()
    facts = generate_corpus(n_letters + 1, seed)
    extra, facts = facts[-1], facts[:-1]
    sources = write_corpus(facts, letters_dir, {"txt": 1.0})
    extra_dir = work / f"extra-{n_letters}"
    extra_source = write_corpus([extra], extra_dir, {"txt": 1.0})[0]
    generate_s = time.perf_counter() - t
    store = _store(data_dir, chroma_url, prefix)
    writer = HashEmbedder()
    pipeline = IngestPipeline(store, writer)
    t = time.perf_counter()
    report = pipeline.ingest([letters_dir])
    ingest_s = time.perf_counter() - t
    if not report.ok:
        raise SystemExit(f"ingest failed: {report.to_dict()}")
    embedder: Any = writer if query_embedder == "hash" else Embedder()
    result: dict[str, Any] = {
        "letters": len(sources), "mode": "server" if chroma_url else "embedded",
        "generate_s": round(generate_s, 1), "ingest_s": round(ingest_s, 1),
        "chunks": store.count_chunks()}
    try:
        rss_before = rss_mib()
        assistant, full = _full_build(store, embedder)
        result["full_build"] = full
        result["findings"] = len(assistant.aggregates.index)
        result["rss_after_load_mib"] = rss_mib()
        result["rss_before_load_mib"] = rss_before
        # Incremental refresh after one new letter, one replaced letter, one deleted letter.
        assert pipeline.ingest([extra_dir / extra_source]).ok
        result["refresh_add"] = _refresh(assistant)
        text = (extra_dir / extra_source).read_text(encoding="utf-8")
        (extra_dir / extra_source).write_text(text.replace("Ofsted", "OFSTED", 1),
                                              encoding="utf-8")
        assert pipeline.ingest([extra_dir / extra_source]).ok
        result["refresh_replace"] = _refresh(assistant)
        assert pipeline.delete(extra_source) is not None
        result["refresh_delete"] = _refresh(assistant)
        result["refresh_add_ratio"] = round(
            result["refresh_add"]["total_s"] / max(full["total_s"], 1e-9), 4)
        indexes = ("letter_revisions_s", "catalogue_s", "lexical_s", "finding_index_s")
        result["refresh_add_ratio_indexes"] = round(
            sum(result["refresh_add"][k] for k in indexes)
            / max(sum(full[k] for k in indexes), 1e-9), 4)
        single, lists = _questions(facts, seed, n_questions)
        for q in ("Who signed the letter?", "Which councils had no areas for priority action?"):
            assistant.ask(q)  # warm-up: model loaded, topic vectors, caches
        result["single_letter"] = _time_questions(assistant, single)
        result["list"] = _time_questions(assistant, lists)
        result["rss_after_questions_mib"] = rss_mib()
        del assistant
        result["first_answer"] = _first_answer(data_dir, chroma_url, prefix, query_embedder,
                                               single[0])
    finally:
        if chroma_url:
            _drop(store, prefix)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run each size and print the figures (JSON with ``--json``)."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_scale",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", default="1000",
                        help="corpus size, or several separated by commas (e.g. 1000,10000)")
    parser.add_argument("--chroma-url", default=None, help="a Chroma server instead of embedded")
    parser.add_argument("--seed", type=int, default=13, help="generator seed")
    parser.add_argument("--questions", type=int, default=60, help="timed questions per kind")
    parser.add_argument("--query-embedder", choices=("real", "hash"), default="real",
                        help="embed questions with the packaged model (real) or hash vectors")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(x) for x in str(args.letters).split(",") if x.strip()]
    work = Path(tempfile.mkdtemp(prefix="reportqa-scale-"))
    try:
        runs = []
        for n in sizes:
            runs.append(run_size(n, args.seed, args.chroma_url, args.query_embedder,
                                 args.questions, work))
            # each size's figures as soon as they exist: a long run that fails later keeps them
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = {"note": STANDIN_NOTE, "query_embedder": args.query_embedder,
                              "runs": runs}
    if len(runs) > 1:
        base = runs[0]
        result["growth"] = [{
            "letters": r["letters"],
            "single_letter_p95_ratio": round(r["single_letter"]["p95_ms"]
                                             / max(base["single_letter"]["p95_ms"], 1e-9), 2),
            "list_p95_ms": r["list"]["p95_ms"]} for r in runs[1:]]
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"NOTE: {STANDIN_NOTE}; questions embedded with "
          f"{'the packaged model' if args.query_embedder == 'real' else 'hash vectors'}")
    for r in runs:
        full, add = r["full_build"], r["refresh_add"]
        print(f"\n{r['letters']} letters ({r['mode']} Chroma), {r['chunks']} chunks, "
              f"{r['findings']} findings; generated in {r['generate_s']} s, ingested in "
              f"{r['ingest_s']} s")
        print("  full index build: " + ", ".join(f"{k} {v}" for k, v in full.items()))
        for name in ("refresh_add", "refresh_replace", "refresh_delete"):
            print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in r[name].items()))
        verdict = "met" if r["refresh_add_ratio_indexes"] <= REFRESH_TARGET else "NOT met"
        print("  refresh after one new letter / full build, catalogue + lexical + finding "
              f"index: {r['refresh_add_ratio_indexes']:.1%} (target <= 5%: {verdict}); the "
              f"whole Assistant refresh (with gazetteer and spelling vocabulary, rebuilt from "
              f"every letter): {add['total_s']} s / {full['total_s']} s = "
              f"{r['refresh_add_ratio']:.1%}")
        for kind in ("single_letter", "list"):
            s = r[kind]
            print(f"  {kind}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, max {s['max_ms']} ms "
                  f"({s['n']} questions)")
        f = r["first_answer"]
        print(f"  first answer of a fresh process: {f['first_answer_s']} s "
              f"(imports {f['imports_s']} s; process wall {f['process_wall_s']} s; "
              f"RSS {f['rss_mib']} MiB)")
        print(f"  memory (RSS): {r['rss_before_load_mib']} MiB before loading, "
              f"{r['rss_after_load_mib']} MiB loaded, {r['rss_after_questions_mib']} MiB after "
              "the questions")
    for g in result.get("growth", []):
        ok1 = "met" if g["single_letter_p95_ratio"] <= SINGLE_GROWTH_TARGET else "NOT met"
        ok2 = "met" if g["list_p95_ms"] < LIST_TARGET_MS else "NOT met"
        print(f"\n{g['letters']} vs {runs[0]['letters']} letters: single-letter p95 ratio "
              f"{g['single_letter_p95_ratio']} (target <= 2: {ok1}); list p95 "
              f"{g['list_p95_ms']} ms (target < 1 s: {ok2})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
