"""The claim-support probe suite (evals/claims.py) through the real checker and the real model.

The rules and thresholds were tuned on the dev split only; the test split (written afresh by a
helper that saw neither the checker nor the dev split) is scored with them. Both splits are below
the release targets today (see docs/evals.md): the strict xfail turns into a failure as soon as
test meets them, so the targets are then enforced, and the floor tests guard against any
regression meanwhile.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.support import SupportChecker
from evals.claims import KEPT_TARGET, REMOVED_TARGET, Scores, judge_items, load_split, score

# Measured with the dev-tuned rules and thresholds (2026-12-02, seventh session): dev 99.1%
# removed, 95.4% kept; dev2 (a later batch by another writer) 92.2% / 81.2%; dev3 (a third
# writer, first run 91.8% / 63.0%) 95.6% / 76.4%; test 93.0% / 90.3%.
DEV_FLOORS = {"dev": (0.98, 0.94), "dev2": (0.91, 0.79), "dev3": (0.93, 0.74)}
TEST_FLOOR = (0.92, 0.89)


def _scores(embedder: Any, split: str) -> Scores:
    return score(judge_items(SupportChecker(embedder.embed_documents), load_split(split)))


@pytest.fixture(scope="module")
def test_scores(embedder: Any) -> Scores:
    return _scores(embedder, "test")


def test_splits_are_large_labelled_and_apart() -> None:
    dev = [item for split in DEV_FLOORS for item in load_split(split)]
    test = load_split("test")
    for items in (dev, test):
        sentences = [s for item in items for s in item.sentences]
        assert len(sentences) >= 150
        assert {s.supported for s in sentences} == {True, False}
        kinds = {s.kind for s in sentences if not s.supported}
        assert {"grade", "number", "date", "council", "name", "negation", "invented",
                "wrong_passage", "fake_quote", "overclaim"} <= kinds
    dev_text = {s.text for item in dev for s in item.sentences}
    assert not dev_text & {s.text for item in test for s in item.sentences}


@pytest.mark.slow
@pytest.mark.parametrize("split", sorted(DEV_FLOORS))
def test_dev_splits_hold_their_measured_floors(embedder: Any, split: str) -> None:
    scores, (removed, kept) = _scores(embedder, split), DEV_FLOORS[split]
    assert scores.removed >= removed and scores.kept >= kept, scores


@pytest.mark.slow
def test_test_split_holds_its_measured_floor(test_scores: Scores) -> None:
    assert test_scores.removed >= TEST_FLOOR[0] and test_scores.kept >= TEST_FLOOR[1], test_scores


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="test split below target: 93.0% removed (kept 90.3% "
                   "meets its target)")
def test_test_split_meets_the_targets(test_scores: Scores) -> None:
    assert test_scores.removed >= REMOVED_TARGET, test_scores
    assert test_scores.kept >= KEPT_TARGET, test_scores
