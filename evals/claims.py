"""Claim-support probe suite: does :mod:`assistant.support` drop invented claims and keep true ones?

Each item of ``evals/suites/claims/{dev,dev2,dev3,test}.jsonl`` holds a question, the passages a
model was given (verbatim spans of real letters: the Portsmouth sample letter and synthetic letters
of the small and themes suites) and a scripted model answer as labelled sentences: supported ones
(paraphrases, quotations, short summaries) and unsupported ones of every kind (wrong grade, number,
date, council or name, flipped negation, invented finding or quotation, a claim cited to the wrong
passage).

``python -m evals.claims --split test`` prints the share of unsupported sentences removed and of
supported sentences kept, by kind, and exits 1 below the targets (99% removed, 90% kept).
``--calibrate`` (a dev split only) searches the similarity and overlap thresholds.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.passages import Passage
from assistant.support import (
    MIN_OVERLAP,
    MIN_SIMILARITY,
    Embed,
    SupportChecker,
    Verdict,
    threshold_reason,
)

ROOT = Path(__file__).resolve().parents[1]
SUITE = Path(__file__).with_name("suites") / "claims"
REMOVED_TARGET = 0.99
KEPT_TARGET = 0.90


@dataclass(frozen=True)
class Labelled:
    """One sentence of a scripted answer and whether its cited passages support it."""

    item: str
    text: str
    supported: bool
    kind: str


@dataclass(frozen=True)
class ClaimItem:
    """A question, the passages the model was given, and its labelled sentences."""

    id: str
    question: str
    passages: list[Passage]
    sentences: list[Labelled]


@dataclass(frozen=True)
class Scores:
    """Shares of unsupported sentences removed and supported sentences kept."""

    removed: float
    kept: float
    unsupported: int
    supported: int
    by_kind: dict[str, tuple[int, int]]  # kind -> (right, total)

    @property
    def passed(self) -> bool:
        return self.removed >= REMOVED_TARGET and self.kept >= KEPT_TARGET


def load_split(split: str, root: Path = ROOT) -> list[ClaimItem]:
    """The items of one split; every passage must be a verbatim span of its letter."""
    path = SUITE / f"{split}.jsonl"
    items: list[ClaimItem] = []
    texts: dict[str, str] = {}
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        passages = []
        for p in raw["passages"]:
            letter = p["letter"]
            if letter not in texts:
                texts[letter] = (root / letter).read_text(encoding="utf-8")
            start = texts[letter].find(p["text"])
            if start == -1:
                raise ValueError(f"{path}:{line_no}: a passage of item {raw['id']} is not a "
                                 f"verbatim span of {letter}; copy it from the letter exactly")
            passages.append(Passage(
                document_id=letter, source=Path(letter).name, authority=p.get("authority"),
                letter_date=p.get("letter_date"), inspection_date=p.get("inspection_date"),
                section=p["section"], char_start=start, char_end=start + len(p["text"]),
                text=p["text"]))
        sentences = [Labelled(raw["id"], s["text"], bool(s["supported"]), s["kind"])
                     for s in raw["sentences"]]
        items.append(ClaimItem(raw["id"], raw["question"], passages, sentences))
    return items


def judge_items(checker: SupportChecker, items: Sequence[ClaimItem]
                ) -> list[tuple[Labelled, Verdict]]:
    """Every labelled sentence with the checker's verdict."""
    pairs: list[tuple[Labelled, Verdict]] = []
    for item in items:
        verdicts = checker.judge([s.text for s in item.sentences], item.passages)
        pairs.extend(zip(item.sentences, verdicts, strict=True))
    return pairs


def score(pairs: Sequence[tuple[Labelled, Verdict]]) -> Scores:
    """Removed share of unsupported sentences, kept share of supported ones, by kind."""
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for label, verdict in pairs:
        right = verdict.supported == label.supported
        key = f"{'supported' if label.supported else 'unsupported'}:{label.kind}"
        by_kind[key][0] += int(right)
        by_kind[key][1] += 1
    unsupported = [v for lab, v in pairs if not lab.supported]
    supported = [v for lab, v in pairs if lab.supported]
    removed = sum(not v.supported for v in unsupported) / len(unsupported) if unsupported else 1.0
    kept = sum(v.supported for v in supported) / len(supported) if supported else 1.0
    return Scores(removed, kept, len(unsupported), len(supported),
                  {k: (v[0], v[1]) for k, v in sorted(by_kind.items())})


def calibrate(embed: Embed, items: Sequence[ClaimItem]) -> tuple[float, float, Scores]:
    """The thresholds that remove the most unsupported sentences while keeping the target share
    of supported ones (the rules before the thresholds catch most invented claims; the
    thresholds only trade what is left).

    Among threshold pairs keeping at least the target, the one removing the most wins; ties go
    to the stricter pair. When none keeps the target, the pair keeping the most wins.
    """
    open_pairs = judge_items(SupportChecker(embed, min_similarity=-1.0, min_overlap=0.0), items)
    best: tuple[tuple[float, float, float], float, float, Scores] | None = None
    for sim_step in range(20, 91, 2):
        min_similarity = sim_step / 100
        for overlap_step in range(0, 101, 5):
            min_overlap = overlap_step / 100
            pairs = [(lab, _rethreshold(v, min_similarity, min_overlap)) for lab, v in open_pairs]
            scores = score(pairs)
            key = (min(scores.kept, KEPT_TARGET), scores.removed, min_similarity + min_overlap)
            if best is None or key > best[0]:
                best = (key, min_similarity, min_overlap, scores)
    assert best is not None
    return best[1], best[2], best[3]


def _rethreshold(verdict: Verdict, min_similarity: float, min_overlap: float) -> Verdict:
    if not verdict.supported:
        return verdict
    reason = threshold_reason(verdict.similarity, verdict.overlap, min_similarity, min_overlap)
    return Verdict(verdict.sentence, verdict.markers, reason == "supported", reason,
                   verdict.similarity, verdict.overlap)


def _embed() -> Embed:
    from vectorstore.embedder import Embedder

    return Embedder().embed_documents


def main(argv: Sequence[str] | None = None) -> int:
    """Run one split through the real checker and the real embedding model."""
    parser = argparse.ArgumentParser(prog="python -m evals.claims", description=__doc__)
    parser.add_argument("--split", choices=["dev", "dev2", "dev3", "test"], default="test")
    parser.add_argument("--calibrate", action="store_true",
                        help="search the thresholds on the dev split (never on test)")
    parser.add_argument("--show", action="store_true", help="print every misjudged sentence")
    args = parser.parse_args(argv)
    if args.calibrate and args.split == "test":
        parser.error("calibrate on a dev split only: --split dev --calibrate")
    if args.show and args.split == "test":
        parser.error("--show lists misjudged sentences of the dev split only; test is held out")
    items = load_split(args.split)
    embed = _embed()
    if args.calibrate:
        min_similarity, min_overlap, scores = calibrate(embed, items)
        print(f"calibrated min_similarity={min_similarity:.2f} min_overlap={min_overlap:.2f}")
    else:
        min_similarity, min_overlap = MIN_SIMILARITY, MIN_OVERLAP
        pairs = judge_items(SupportChecker(embed), items)
        scores = score(pairs)
        if args.show:
            for label, verdict in pairs:
                if verdict.supported != label.supported:
                    print(f"  MISJUDGED {label.item} {label.kind} sim={verdict.similarity:.3f} "
                          f"overlap={verdict.overlap:.2f} reason={verdict.reason}: {label.text}")
    print(f"split={args.split} thresholds: similarity>={min_similarity:.2f} "
          f"overlap>={min_overlap:.2f}")
    for kind, (right, total) in scores.by_kind.items():
        print(f"  {kind:28} {right:3d}/{total:3d}")
    print(f"unsupported removed: {scores.removed:.1%} of {scores.unsupported} "
          f"(target {REMOVED_TARGET:.0%})")
    print(f"supported kept:      {scores.kept:.1%} of {scores.supported} "
          f"(target {KEPT_TARGET:.0%})")
    return 0 if scores.passed else 1


if __name__ == "__main__":
    sys.exit(main())
