"""Ingest benchmark: throughput, overhead over bare ``model.encode``, and no-change re-ingest.

``python -m evals.bench_ingest [--letters N] [--out FILE]`` ingests the sample letters and the
small suite's letters (or the first N of them) into a fresh embedded store and reports:

* throughput in chunks per second of the whole pipeline (load, parse, chunk, embed, store);
* ``overhead``: the pipeline's time divided by the time of ``model.encode`` alone on the same
  chunk texts, measured in the same process with the model already warm, once before and once
  after the pipeline (averaged) (target <= 1.15). The baseline is one ``encode`` call over every
  distinct text; ``overhead_per_letter`` divides by ``encode`` called once per letter, as the
  pipeline must;
* ``reingest_share``: a second ingest of the unchanged files as a share of the first (target
  <= 3%);
* ``tagging_share``: the time ingest spends tagging findings with themes, as a share of the rest
  of the ingest in the same run (target <= 10%; findings are tagged from the vectors their chunks
  were embedded with, so tagging embeds nothing).

It prints a table and writes the figures as JSON (default ``reports/bench_ingest.json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = (REPO / "data" / "sample" / "letters",
                   REPO / "evals" / "suites" / "small" / "letters")
TARGET_OVERHEAD = 1.15
TARGET_REINGEST = 0.03
TARGET_TAGGING = 0.10


def letter_files(folders: Sequence[Path], limit: int | None = None) -> list[Path]:
    """Letter files under ``folders`` (sorted, no hidden files or READMEs), the first ``limit``."""
    from ingest.loaders import SUPPORTED_SUFFIXES

    files = []
    for folder in folders:
        if folder.is_file():
            files.append(folder)
        elif folder.is_dir():
            files.extend(sorted(
                p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in
                SUPPORTED_SUFFIXES and not p.name.startswith(".")
                and p.name.lower() not in {"readme.md", "readme.txt"}))
    return files[:limit] if limit else files


def chunk_texts(files: Sequence[Path], embedder: Any) -> list[list[str]]:
    """The texts the pipeline embeds, per letter (loaded, parsed and chunked the same way)."""
    from ingest.chunking import chunk_letter
    from ingest.loaders import load_letter
    from ingest.normalize import normalize_text
    from ingest.parsing import parse_letter

    per_letter = []
    for path in files:
        try:
            letter = parse_letter(normalize_text(load_letter(path)))
        except Exception as e:  # broken files are skipped by the pipeline too
            logger.warning("bench skips file=%s reason=%s", path, e)
            continue
        chunks = chunk_letter(letter, embedder.count_tokens, embedder.max_seq_length)
        per_letter.append(list(dict.fromkeys(c.embed_text for c in chunks)))
    return per_letter


def run_benchmark(files: Sequence[Path], embedder: Any, work_dir: Path) -> dict[str, Any]:
    """Measure ingest on ``files`` into a fresh store in ``work_dir``; returns the figures."""
    from ingest.pipeline import IngestPipeline
    from vectorstore.settings import StoreSettings
    from vectorstore.store import LetterStore, make_client

    model = embedder.load()  # warm: loading the model is not part of ingest throughput
    t = time.perf_counter()
    embedder.embed_documents(["warm-up passage about contact, referral and assessment"] * 4)
    warm_s = time.perf_counter() - t

    per_letter = chunk_texts(files, embedder)
    seen: dict[str, None] = {}
    for texts in per_letter:
        seen.update(dict.fromkeys(texts))
    distinct = list(seen)

    def encode(texts: list[str]) -> None:
        if texts:
            model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True,
                         convert_to_numpy=True, show_progress_bar=False)

    def encode_runs() -> tuple[float, float]:
        t = time.perf_counter()
        encode(distinct)
        one_call = time.perf_counter() - t
        t = time.perf_counter()
        done: set[str] = set()
        for texts in per_letter:
            todo = [x for x in texts if x not in done]
            encode(todo)
            done.update(todo)
        return one_call, time.perf_counter() - t

    # The baseline is measured before and after the pipeline and averaged, so that a change
    # of machine load during the run does not bias the ratio either way.
    before = encode_runs()
    client = make_client(StoreSettings(data_dir=work_dir / "store", chroma_url=None))
    store = LetterStore(client, dimension=embedder.dimension, prefix="bench")
    pipeline = IngestPipeline(store, embedder)
    t = time.perf_counter()
    pipeline.tagger.fit()  # once per process, like the model's warm-up (examples cached on disk)
    tagger_fit_s = time.perf_counter() - t
    tagging = [0.0]
    read = pipeline.tagger.probabilities

    def timed_read(vectors: Any, texts: Any) -> Any:  # the time ingest spends tagging findings
        started = time.perf_counter()
        try:
            return read(vectors, texts)
        finally:
            tagging[0] += time.perf_counter() - started

    pipeline.tagger.probabilities = timed_read  # type: ignore[method-assign]
    t = time.perf_counter()
    first = pipeline.ingest(list(files))
    first_s = time.perf_counter() - t
    t = time.perf_counter()
    again = pipeline.ingest(list(files))
    again_s = time.perf_counter() - t
    after = encode_runs()
    encode_all_s = (before[0] + after[0]) / 2
    encode_per_letter_s = (before[1] + after[1]) / 2
    chunks = sum(r.chunks for r in first.results)
    embedded = sum(r.embedded for r in first.results)
    return {
        "letters": len(files),
        "letters_ingested": len(first.results) - len(first.by_status("failed")),
        "failed": [{"source": r.source, "error": r.error} for r in first.by_status("failed")],
        "chunks": chunks,
        "texts_embedded": embedded,
        "distinct_texts": len(distinct),
        "model_warmup_s": round(warm_s, 3),
        "ingest_s": round(first_s, 3),
        "chunks_per_s": round(chunks / first_s, 2) if first_s else None,
        "encode_all_s": round(encode_all_s, 3),
        "encode_per_letter_s": round(encode_per_letter_s, 3),
        "encode_runs_s": {"before": [round(x, 3) for x in before],
                          "after": [round(x, 3) for x in after]},
        "overhead": round(first_s / encode_all_s, 3) if encode_all_s else None,
        "overhead_per_letter": round(first_s / encode_per_letter_s, 3)
        if encode_per_letter_s else None,
        "reingest_s": round(again_s, 3),
        "reingest_counts": again.counts(),
        "reingest_share": round(again_s / first_s, 4) if first_s else None,
        "tagger_fit_s": round(tagger_fit_s, 3),
        "tagging_s": round(tagging[0], 4),
        "tagging_share": round(tagging[0] / (first_s - tagging[0]), 4) if first_s else None,
        "targets": {"overhead": TARGET_OVERHEAD, "reingest_share": TARGET_REINGEST,
                    "tagging_share": TARGET_TAGGING},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform(), "model": embedder.model_name,
                    "batch_size": embedder.batch_size},
    }


def table(r: dict[str, Any]) -> str:
    """The figures as a small text table with the targets."""
    def verdict(value: float | None, target: float) -> str:
        return "" if value is None else ("  ok" if value <= target else "  MISSED")

    rows = [
        ("letters ingested", f"{r['letters_ingested']} of {r['letters']}"),
        ("chunks (texts embedded)", f"{r['chunks']} ({r['texts_embedded']})"),
        ("ingest time", f"{r['ingest_s']:.2f} s"),
        ("throughput", f"{r['chunks_per_s']} chunks/s"),
        ("model.encode alone, one call", f"{r['encode_all_s']:.2f} s"),
        ("model.encode alone, per letter", f"{r['encode_per_letter_s']:.2f} s"),
        ("pipeline / encode", f"{r['overhead']}  (target <= {TARGET_OVERHEAD})"
         + verdict(r["overhead"], TARGET_OVERHEAD)),
        ("pipeline / encode per letter", f"{r['overhead_per_letter']}"),
        ("no-change re-ingest", f"{r['reingest_s']:.3f} s = {100 * r['reingest_share']:.2f}% "
         f"of the first (target <= {100 * TARGET_REINGEST:g}%)"
         + verdict(r["reingest_share"], TARGET_REINGEST)),
        ("theme tagging", f"{r['tagging_s']:.3f} s = {100 * r['tagging_share']:.2f}% added to "
         f"ingest (target <= {100 * TARGET_TAGGING:g}%)"
         + verdict(r["tagging_share"], TARGET_TAGGING)
         + f"; the tagger trained once in {r['tagger_fit_s']:.2f} s"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Benchmark ingest on the sample letters; prints a table and writes JSON."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_ingest", description=main.__doc__)
    parser.add_argument("--letters", type=int, default=None, help="use only the first N letters")
    parser.add_argument("--source", type=Path, action="append",
                        help="letter folder or file (repeatable; default: the sample letters "
                             "and the small suite's letters)")
    parser.add_argument("--out", type=Path, default=Path("reports/bench_ingest.json"))
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from vectorstore.embedder import Embedder
    from vectorstore.settings import StoreSettings

    files = letter_files(args.source or list(DEFAULT_SOURCES), args.letters)
    if not files:
        print("error: no letters found; generate the small suite or pass --source FOLDER",
              file=sys.stderr)
        return 2
    settings = StoreSettings()
    embedder = Embedder(settings.embedding_model, batch_size=settings.embed_batch_size)
    with tempfile.TemporaryDirectory(prefix="reportqa-bench-") as tmp:
        result = run_benchmark(files, embedder, Path(tmp))
    result["command"] = "python -m evals.bench_ingest" + (
        f" --letters {args.letters}" if args.letters else "")
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
