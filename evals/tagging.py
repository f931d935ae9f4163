"""How well findings are tagged with themes: precision and recall per theme on hand-labelled
findings the tagger was not trained or calibrated on.

The labelled sample is the themes suite's findings (``evals/suites/themes/labels.jsonl``, 419
findings of 36 synthetic letters written by someone who had not read the code) and the real
Portsmouth letter's (``labelled_real.jsonl``). Findings are tagged the way ingest tags them: the
letter is parsed and chunked, and the tagger reads the vector of each finding's chunk(s).

    python -m evals.tagging [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ingest.chunking import chunk_letter
from ingest.loaders import load_letter
from ingest.models import FINDING_SECTIONS
from ingest.normalize import normalize_text
from ingest.parsing import parse_letter
from ingest.themes import ThemeTagger, load_taxonomy, mask_of

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "evals" / "suites" / "themes"
REAL = ROOT / "data" / "sample" / "letters"
SAMPLES = ((SUITE / "labels.jsonl", SUITE / "letters"), (SUITE / "labelled_real.jsonl", REAL))


def _squash(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split()).lower()


def labelled_findings(embedder: Any) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Every labelled finding found in its parsed letter, with its tagging vector."""
    rows: list[dict[str, Any]] = []
    wanted: list[list[str]] = []  # the embedded texts of each finding's chunks
    for labels_file, letters_dir in SAMPLES:
        by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in labels_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                by_source[item["source"]].append(item)
        for source, items in sorted(by_source.items()):
            letter = parse_letter(normalize_text(load_letter(letters_dir / source)))
            chunks = [c for c in chunk_letter(letter, embedder.count_tokens,
                                              embedder.max_seq_length)
                      if c.finding_index >= 0 and c.field is None]
            for item in items:
                want = _squash(item["text"])
                match = next(((s.name, i) for s in letter.sections if s.name in FINDING_SECTIONS
                              for i, f in enumerate(s.findings)
                              if want in _squash(letter.text[f.char_start:f.char_end])), None)
                pieces = [c.embed_text for c in chunks if (c.section, c.finding_index) == match]
                if match is None or not pieces:
                    continue  # the parse split or merged it: not a tagging question
                wanted.append(pieces)
                rows.append({**item, "sample": labels_file.name})
    texts = list(dict.fromkeys(t for pieces in wanted for t in pieces))
    at = {t: i for i, t in enumerate(texts)}
    embedded = np.asarray(embedder.embed_documents(texts), dtype=np.float32) if texts else None
    vectors: list[np.ndarray] = []
    for row, pieces in zip(rows, wanted, strict=True):
        row["embedded_text"] = " ".join(pieces)
        assert embedded is not None
        mean = embedded[[at[t] for t in pieces]].mean(axis=0)
        vectors.append(mean / max(float(np.linalg.norm(mean)), 1e-9))
    return rows, np.stack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)


def evaluate(embedder: Any) -> dict[str, Any]:
    """Micro and per-theme precision / recall of the tagger on the labelled sample."""
    tagger = ThemeTagger(load_taxonomy(), embedder.embed_documents, embedder.model_name)
    rows, vectors = labelled_findings(embedder)
    predicted = mask_of(tagger.probabilities(vectors, [r["embedded_text"] for r in rows]))
    gold = np.zeros_like(predicted)
    for i, row in enumerate(rows):
        for theme in row["themes"]:
            if theme in tagger.ids:
                gold[i, tagger.ids.index(theme)] = True
    per_theme = {}
    for j, theme in enumerate(tagger.ids):
        tp = int((predicted[:, j] & gold[:, j]).sum())
        n_pred, n_gold = int(predicted[:, j].sum()), int(gold[:, j].sum())
        if n_pred or n_gold:
            per_theme[theme] = {"labelled": n_gold, "tagged": n_pred, "correct": tp,
                                "precision": round(tp / n_pred, 3) if n_pred else None,
                                "recall": round(tp / n_gold, 3) if n_gold else None}
    tp = int((predicted & gold).sum())
    return {"findings": len(rows), "samples": sorted({r["sample"] for r in rows}),
            "real_letter_findings": sum(r["sample"] == "labelled_real.jsonl" for r in rows),
            "precision": round(tp / max(int(predicted.sum()), 1), 3),
            "recall": round(tp / max(int(gold.sum()), 1), 3),
            "exact_sets": round(float((predicted == gold).all(axis=1).mean()), 3),
            "tagger": tagger.version, "themes": per_theme}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.tagging", description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    from vectorstore.embedder import Embedder
    from vectorstore.settings import StoreSettings

    settings = StoreSettings()
    report = evaluate(Embedder(settings.embedding_model, batch_size=settings.embed_batch_size))
    print(f"tagging on {report['findings']} hand-labelled findings "
          f"({report['real_letter_findings']} of the real letter): precision "
          f"{report['precision']:.3f}, recall {report['recall']:.3f}, exact theme sets "
          f"{report['exact_sets']:.3f}")
    for theme, row in sorted(report["themes"].items()):
        print(f"  {theme:<32} labelled {row['labelled']:>3}  tagged {row['tagged']:>3}  "
              f"P {row['precision'] if row['precision'] is not None else '-':<5}  "
              f"R {row['recall'] if row['recall'] is not None else '-'}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
