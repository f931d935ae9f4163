"""Evaluation suites: a gold question set with its letters and thresholds, and how to load one.

A suite is a folder with ``suite.json`` (name, thresholds, where the letters and questions are),
``questions.jsonl`` and a ``letters/`` folder; ``load_suite("small")`` finds the suites shipped in
``evals/suites``. The runner evaluates a suite; the gate re-checks a result against its thresholds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.errors import BadSuite, SuiteNotFound
from evals.metrics import source_key

SUITES_DIR = Path(__file__).resolve().parent / "suites"


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
