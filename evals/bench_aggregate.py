"""Latency of cross-letter (list / count) questions over a large catalogue.

``python -m evals.bench_aggregate --letters 1000`` builds a synthetic catalogue cheaply, without a
store: letters from the evaluation generator (two seeds when more letters are asked for than one
seed can make, so councils repeat), rendered, normalised and parsed with the real parser, then held
as :class:`assistant.catalog.CatalogLetter` objects. Finding vectors are either real
(``--vectors real``: all-MiniLM-L6-v2 embeddings of the finding texts, each distinct text embedded
once) or random (``--vectors random``: a hash-seeded unit vector per text, for machines without
the model). It then times, per question, the whole aggregate path (question understanding,
criteria, the scan of every letter's findings, the draft and the verification of every citation)
and prints the figures (also as JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.aggregate import AggregateAnswerer  # noqa: E402
from assistant.catalog import CatalogLetter  # noqa: E402
from assistant.citations import verify  # noqa: E402
from assistant.gazetteer import Gazetteer  # noqa: E402
from assistant.query import understand  # noqa: E402
from assistant.topics import EmbeddedVectors, PrecomputedVectors, VectorSource  # noqa: E402
from ingest.themes import ThemeTagger, load_taxonomy  # noqa: E402

logger = logging.getLogger(__name__)

QUESTIONS = (
    "Which councils had social work vacancies raised as a concern?",
    "Which councils inspected in 2010 had no area for priority action?",
    "How many letters in 2011 raised cases closed without the child being seen?",
    "Which authorities had the out of hours service identified as a strength?",
    "Which councils inspected in 2009 had weak management oversight raised as a concern?",
    "which councils were short of social workers",  # read as a theme: a selection by tag
    "how many councils were inspected twice",
)
MAX_PER_SEED = 600  # the generator's limit: councils x years


class _Catalog:
    """The part of :class:`assistant.catalog.LetterCatalog` the aggregate path uses."""

    def __init__(self, letters: list[CatalogLetter]) -> None:
        self._letters = {x.document_id: x for x in letters}
        self.version = 1
        self.store = None

    def all(self) -> list[CatalogLetter]:
        return sorted(self._letters.values(), key=lambda x: (x.date, x.source))

    def get(self, document_id: str) -> CatalogLetter | None:
        return self._letters.get(document_id)

    def __len__(self) -> int:
        return len(self._letters)


class _HashEmbedder:
    """Deterministic random unit vectors (no model); same text, same vector."""

    dimension = 384
    model_name = "hash-vectors"

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in _hash_vector(text)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]


def _hash_vector(text: str) -> np.ndarray:
    seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    vector = np.random.default_rng(seed).normal(size=384).astype(np.float32)
    return vector / np.linalg.norm(vector)


def build_letters(n: int, seed: int) -> list[CatalogLetter]:
    """``n`` synthetic letters, rendered and parsed as ingest would parse them."""
    from evals.generator import generate_corpus, render_letter_text
    from ingest.normalize import normalize_text
    from ingest.parsing import parse_letter

    facts: list[Any] = []
    batch = 0
    while len(facts) < n:
        take = min(MAX_PER_SEED, n - len(facts))
        facts.extend(generate_corpus(take, seed + batch))
        batch += 1
    letters = []
    for i, fact in enumerate(facts):
        parsed = parse_letter(normalize_text(render_letter_text(fact)))
        letters.append(CatalogLetter(document_id=f"bench{i:05d}", source=f"bench-{i:05d}.txt",
                                     parsed=parsed))
    return letters


def run(n_letters: int, vectors: str, repeats: int, seed: int) -> dict[str, Any]:
    """Build the catalogue, then time each question ``repeats`` times."""
    t0 = time.perf_counter()
    letters = build_letters(n_letters, seed)
    build_s = time.perf_counter() - t0
    embedder: Any
    source: VectorSource
    if vectors == "real":
        from vectorstore.embedder import Embedder

        embedder = Embedder()
        source = EmbeddedVectors(embedder)
    else:
        embedder = _HashEmbedder()
        source = PrecomputedVectors(_hash_vector)
    catalog = _Catalog(letters)
    tagger = ThemeTagger(load_taxonomy(), embedder.embed_documents, embedder.model_name)
    tagger.fit()  # once per process, before timing: the examples' vectors are cached on disk
    answerer = AggregateAnswerer(catalog, embedder, vectors=source,  # type: ignore[arg-type]
                                 tagger=tagger)
    t1 = time.perf_counter()
    answerer.index.sync(catalog.all(), catalog.version)
    index_s = time.perf_counter() - t1
    gazetteer = Gazetteer([x.authority or "" for x in letters])
    results = []
    for question in QUESTIONS:
        times = []
        matches = 0
        for _ in range(repeats):
            start = time.perf_counter()
            query = understand(question, gazetteer)
            chosen = [x for x in catalog.all() if not query.years or x.years & set(query.years)]
            draft, kind, items = answerer.answer(query, chosen)
            if draft is not None:
                verify(draft, catalog)  # type: ignore[arg-type]
            times.append((time.perf_counter() - start) * 1000)
            matches = len([i for i in items if i.get("authority")])
        results.append({"question": question, "kind": kind, "matches": matches,
                        "searched": len(chosen), "ms_median": round(statistics.median(times), 1),
                        "ms_max": round(max(times), 1), "ms_first": round(times[0], 1)})
    return {"letters": len(letters), "findings": len(answerer.index),
            "distinct_findings": len({r.finding.text for r in answerer.index.rows}),
            "vectors": vectors, "catalogue_build_s": round(build_s, 1),
            "index_build_s": round(index_s, 1), "repeats": repeats, "questions": results}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the latency of list/count questions over a synthetic catalogue."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_aggregate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000, help="letters in the catalogue")
    parser.add_argument("--vectors", choices=("real", "random"), default="real",
                        help="real: embed each distinct finding text with the packaged model; "
                             "random: hash-seeded unit vectors (no model needed)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per question")
    parser.add_argument("--seed", type=int, default=5, help="generator seed")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = run(args.letters, args.vectors, args.repeats, args.seed)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    vectors = ("real all-MiniLM-L6-v2 embeddings of each distinct finding text"
               if result["vectors"] == "real" else "random hash-seeded unit vectors")
    print(f"catalogue: {result['letters']} synthetic letters, {result['findings']} findings "
          f"({result['distinct_findings']} distinct texts), built and parsed in "
          f"{result['catalogue_build_s']} s")
    print(f"finding vectors: {vectors}; finding index built in {result['index_build_s']} s "
          "(once per catalogue version)")
    print(f"per question, {result['repeats']} runs (understand + scan + draft + verify):")
    for q in result["questions"]:
        print(f"  {q['ms_median']:8.1f} ms median, {q['ms_max']:8.1f} ms max "
              f"({q['ms_first']:.1f} ms first)  {q['kind']:5} {q['matches']:4} listed from "
              f"{q['searched']} letters  {q['question']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
