"""Command line that (re)generates an evaluation suite: letters, questions, facts, suite.json.

::

    python -m evals.generate --suite small --seed 20091209 --letters 30 --out evals/suites/small

The letters come from :mod:`evals.generator`, their files from :mod:`evals.renderers` and the
gold questions from :mod:`evals.questions`; the same seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from evals.generator import DEFAULT_FORMATS_MIX, generate_corpus
from evals.questions import build_questions, default_counts, write_questions
from evals.renderers import write_corpus


def _parse_mix(value: str) -> dict[str, float]:
    mix: dict[str, float] = {}
    for part in value.split(","):
        fmt, _, weight = part.partition("=")
        try:
            mix[fmt.strip()] = float(weight)
        except ValueError as e:
            raise argparse.ArgumentTypeError(
                f"--formats: {part!r} is not FORMAT=WEIGHT (e.g. txt=0.7,pdf=0.1)") from e
    return mix


def main(argv: Sequence[str] | None = None) -> int:
    """(Re)generate a suite: letters, questions.jsonl, facts.jsonl and suite.json."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.generate",
        description="Generate a synthetic Ofsted letter corpus with gold questions.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--suite", default="small", help="suite name written to suite.json")
    parser.add_argument("--seed", type=int, default=20091209, help="random seed")
    parser.add_argument("--letters", type=int, default=30, help="number of synthetic letters")
    parser.add_argument("--out", type=Path, required=True, help="suite directory to (re)write")
    parser.add_argument("--formats", type=_parse_mix, default=DEFAULT_FORMATS_MIX,
                        help="format weights, e.g. txt=0.7,pdf=0.1,html=0.1,docx=0.1")
    parser.add_argument("--questions", type=float, default=1.0,
                        help="scale of the number of questions per kind")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s %(message)s")
    out: Path = args.out
    previous_suite = out / "suite.json"
    thresholds: dict[str, object] = {}
    if previous_suite.is_file():
        # Thresholds are set by hand (the release gate); regenerating keeps them.
        try:
            old = json.loads(previous_suite.read_text(encoding="utf-8"))
            thresholds = dict(old.get("thresholds") or {})
        except (json.JSONDecodeError, AttributeError) as e:
            parser.error(f"{previous_suite} is not valid JSON ({e}); fix or delete it")
    letters_dir = out / "letters"
    letters_dir.mkdir(parents=True, exist_ok=True)
    for old in letters_dir.iterdir():
        if old.is_file() and old.suffix in (".txt", ".pdf", ".html", ".docx"):
            old.unlink()
    facts = generate_corpus(args.letters, args.seed)
    sources = write_corpus(facts, letters_dir, args.formats)
    counts = {k: max(1, round(v * args.questions)) for k, v in default_counts(len(facts)).items()}
    questions = build_questions(facts, sources, seed=args.seed, counts=counts)
    write_questions(questions, out / "questions.jsonl")
    with (out / "facts.jsonl").open("w", encoding="utf-8") as fh:
        for f, source in zip(facts, sources, strict=True):
            record = {"source": source, **f.to_dict()}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for q in questions:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    formats: dict[str, int] = {}
    for name in sources:
        ext = name.rsplit(".", 1)[-1]
        formats[ext] = formats.get(ext, 0) + 1
    suite = {
        "name": args.suite,
        "description": (f"{len(facts)} SYNTHETIC Ofsted contact, referral and assessment letters "
                        "(real English council names; invented people and findings) plus the real "
                        "Portsmouth 2009 letter, with gold questions."),
        "letters_dir": "letters",
        "real_letters": ["portsmouth-2009-ucra-letter.txt"],
        "real_letters_dir": "data/sample/letters",
        "questions": "questions.jsonl",
        "facts": "facts.jsonl",
        "thresholds": thresholds,
        "synthetic": True,
        "seed": args.seed,
        "n_letters": len(facts),
        "formats": dict(sorted(formats.items())),
        "question_kinds": dict(sorted(kinds.items())),
        "regenerate": (f"python -m evals.generate --suite {args.suite} --seed {args.seed} "
                       f"--letters {args.letters} --out {out.as_posix()}"),
    }
    (out / "suite.json").write_text(json.dumps(suite, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    print(f"wrote {len(sources)} letters and {len(questions)} questions to {out}")
    print("formats: " + ", ".join(f"{k}={v}" for k, v in sorted(formats.items())))
    print("questions: " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
