"""Command-line start-up benchmark: commands that embed nothing must not load the model.

``python -m evals.bench_cli [--repeat N] [--out FILE]`` ingests the sample letters and the small
suite's letters into a fresh embedded store (once, untimed), then times, each as a subprocess
the way a user runs it:

* ``reportqa --help``: the floor, Python plus the command line's imports;
* ``reportqa documents --json``: list the stored letters;
* ``reportqa ingest ...`` over the same, unchanged files (nothing to embed).

Each command runs once untimed (disk cache), then ``--repeat`` times; the median is reported with
its ratio to ``--help`` (target <= 2 for both). It prints a table and writes the figures as JSON
(default ``reports/bench_cli.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = (REPO / "data" / "sample" / "letters",
                   REPO / "evals" / "suites" / "small" / "letters")
TARGET_RATIO = 2.0


def reportqa_command() -> list[str]:
    """How to start ``reportqa``: the console script beside this Python, else ``-m api.cli``."""
    script = Path(sys.executable).with_name("reportqa")
    if script.is_file():
        return [str(script)]
    found = shutil.which("reportqa")
    return [found] if found else [sys.executable, "-m", "api.cli"]


def _environment(store: Path) -> dict[str, str]:
    # Only where the store lives is decided here; other REPORTQA_* settings pass through.
    env = {k: v for k, v in os.environ.items()
           if k not in ("REPORTQA_CHROMA_URL", "REPORTQA_COLLECTION_PREFIX")}
    env.update(REPORTQA_DATA_DIR=str(store), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def run(args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    """Run ``reportqa ARGS``; its wall time in seconds and its stdout (fails loudly)."""
    started = time.perf_counter()
    done = subprocess.run([*reportqa_command(), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=600, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"reportqa {' '.join(args)} exited {done.returncode}: "
                           f"{done.stderr.strip()[-2000:]}")
    return seconds, done.stdout


def ingest_once(sources: Sequence[Path], store_dir: Path) -> tuple[float, dict[str, int]]:
    """Ingest ``sources`` into an embedded store at ``store_dir`` in this process (the setup).

    The model is loaded before the ingest starts, so no letter is billed for it.
    """
    from ingest.pipeline import IngestPipeline
    from vectorstore.embedder import Embedder
    from vectorstore.settings import StoreSettings
    from vectorstore.store import LetterStore, make_client

    settings = StoreSettings(data_dir=store_dir, chroma_url=None, collection_prefix="reportqa")
    embedder = Embedder(settings.embedding_model, batch_size=settings.embed_batch_size)
    started = time.perf_counter()
    embedder.load()
    store = LetterStore(make_client(settings), embedder.dimension, settings.collection_prefix)
    report = IngestPipeline(store, embedder).ingest(list(sources))
    if not report.ok:
        failed = "; ".join(f"{r.source}: {r.error}" for r in report.by_status("failed"))
        raise RuntimeError(f"the setup ingest failed for some letters ({failed})")
    return time.perf_counter() - started, report.counts()


def run_benchmark(sources: Sequence[Path], work_dir: Path, repeat: int = 5) -> dict[str, Any]:
    """Build the store in ``work_dir`` and time the three commands; returns the figures."""
    env = _environment(work_dir / "store")
    paths = [str(p) for p in sources]
    setup_s, first = ingest_once(sources, work_dir / "store")
    commands = {"help": ["--help"], "documents": ["documents", "--json"],
                "reingest": ["ingest", "--json", *paths]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    outputs: dict[str, str] = {}
    for _ in range(repeat + 1):  # the first round warms the disk cache and is dropped
        for name, args in commands.items():
            seconds, outputs[name] = run(args, env, work_dir)
            times[name].append(seconds)
    medians = {name: statistics.median(values[1:]) for name, values in times.items()}
    floor = medians["help"]
    again = json.loads(outputs["reingest"])["counts"]
    return {
        "letters": first["added"] + first["replaced"] + first["unchanged"],
        "letters_listed": len(json.loads(outputs["documents"])),
        "setup_ingest_s": round(setup_s, 3),
        "setup_counts": first,
        "reingest_counts": again,
        "repeat": repeat,
        "median_s": {name: round(value, 3) for name, value in medians.items()},
        "runs_s": {name: [round(x, 3) for x in values[1:]] for name, values in times.items()},
        "ratio_to_help": {name: round(value / floor, 2) for name, value in medians.items()
                          if name != "help"},
        "targets": {"ratio_to_help": TARGET_RATIO},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
    }


def table(r: dict[str, Any]) -> str:
    """The figures as a small text table with the targets."""
    def verdict(ratio: float) -> str:
        return "  ok" if ratio <= TARGET_RATIO else "  MISSED"

    median, ratio = r["median_s"], r["ratio_to_help"]
    rows = [
        ("letters stored", f"{r['letters']} (listed {r['letters_listed']})"),
        ("first ingest (untimed setup)", f"{r['setup_ingest_s']:.2f} s"),
        ("reportqa --help", f"{median['help']:.2f} s"),
        ("reportqa documents --json", f"{median['documents']:.2f} s = {ratio['documents']}x "
         f"--help (target <= {TARGET_RATIO:g}x)" + verdict(ratio["documents"])),
        ("unchanged re-ingest", f"{median['reingest']:.2f} s = {ratio['reingest']}x --help "
         f"(target <= {TARGET_RATIO:g}x)" + verdict(ratio["reingest"])),
        ("re-ingest counts", ", ".join(f"{k} {v}" for k, v in r["reingest_counts"].items())),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Benchmark the start-up of commands that embed nothing; prints a table and writes JSON."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_cli", description=main.__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command (median)")
    parser.add_argument("--source", type=Path, action="append",
                        help="letter folder or file (repeatable; default: the sample letters "
                             "and the small suite's letters)")
    parser.add_argument("--out", type=Path, default=Path("reports/bench_cli.json"))
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sources = [p.resolve() for p in (args.source or list(DEFAULT_SOURCES)) if p.exists()]
    if not sources:
        print("error: no letters found; generate the small suite or pass --source FOLDER",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="reportqa-bench-cli-") as tmp:
        try:
            result = run_benchmark(sources, Path(tmp), args.repeat)
        except RuntimeError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
    result["command"] = "python -m evals.bench_cli" + (
        f" --repeat {args.repeat}" if args.repeat != 5 else "")
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
