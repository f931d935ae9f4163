"""Deterministic keyboard slips for the noisy evaluation run."""

from __future__ import annotations

import copy
import random
import re

import pytest
from rapidfuzz.distance import DamerauLevenshtein

from evals.noise import NOISY_SUFFIX, QWERTY_NEIGHBOURS, noisy_items, with_typos

QUESTIONS = [
    "What was the area for priority action in Portsmouth in 2009?",
    "who sigend it / who's it from",
    "Leics - any red flags? see https://reports.ofsted.gov.uk/provider/44/80512 for the letter",
    "how many areas for developmnt did {council} get in {year}?",
    "Which LBTH team was short of social workers, and was the CHIEF EXECUTIVE copied in?",
    "Compare McDonald's findings: supervision, caseloads, out-of-hours cover.",
]
WORD = re.compile(r"\S+")


def changed_words(before: str, after: str) -> list[tuple[str, str]]:
    """(original, changed) word pairs; the slips never add or remove a word."""
    a, b = WORD.findall(before), WORD.findall(after)
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


@pytest.mark.parametrize("text", QUESTIONS)
def test_same_text_and_seed_same_result(text: str) -> None:
    for seed in ("a", 1, "item-7"):
        state = random.getstate()
        assert with_typos(text, seed) == with_typos(text, seed) == with_typos(text, f"{seed}")
        assert random.getstate() == state  # the global generator is never used
    assert len({with_typos(text, seed) for seed in range(30)}) > 5


@pytest.mark.parametrize("text", QUESTIONS)
@pytest.mark.parametrize("seed", range(40))
def test_one_or_two_words_each_one_edit_away(text: str, seed: int) -> None:
    noisy = with_typos(text, seed)
    changes = changed_words(text, noisy)
    assert 1 <= len(changes) <= 2
    for before, after in changes:
        word_before = re.sub(r"[^A-Za-z]", "", before)
        word_after = re.sub(r"[^A-Za-z]", "", after)
        assert DamerauLevenshtein.distance(word_before.lower(), word_after.lower()) == 1
        assert word_after.isalpha()
        assert word_after[0].isupper() == word_before[0].isupper()  # case kept
        if word_before.islower():
            assert word_after.islower()


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_n_slips(n: int) -> None:
    text = QUESTIONS[0]
    for seed in range(20):
        assert len(changed_words(text, with_typos(text, seed, n))) == n


def test_each_slip_in_a_different_word() -> None:
    text = "supervision caseloads"
    for seed in range(30):
        assert len(changed_words(text, with_typos(text, seed, 2))) == 2


def test_protected_tokens_untouched() -> None:
    text = ("In 2010 the LBTH and KCC letters (see https://www.ofsted.gov.uk/reports/abc and "
            "www.example.org/letters) named {council_name} and {year}; "
            "mail inspector@ofsted.gov.uk")
    kept = ["2010", "LBTH", "KCC", "https://www.ofsted.gov.uk/reports/abc",
            "www.example.org/letters", "{council_name}", "{year}", "inspector@ofsted.gov.uk"]
    for seed in range(50):
        noisy = with_typos(text, seed, 2)
        for token in kept:
            assert token in noisy
        assert noisy.count("(") == 1 and noisy.count(";") == 1 and noisy.count(")") == 1
        changed = {before for before, _ in changed_words(text, noisy)}
        assert changed <= {"letters", "named", "mail"}


@pytest.mark.parametrize("text", ["", "who? 2010", "LBTH CC MBC", "{council} {year}",
                                  "https://example.org/abcdef", "the it an of 12345 a-b"])
def test_unchanged_when_no_word_qualifies(text: str) -> None:
    for seed in range(10):
        assert with_typos(text, seed) == text


def test_substitutions_use_neighbouring_keys() -> None:
    for seed in range(200):
        noisy = with_typos("tttt", seed, 1)
        if len(noisy) == 4 and noisy != "tttt":
            [other] = {ch for ch in noisy if ch != "t"}
            assert other in QWERTY_NEIGHBOURS["t"]
    assert set(QWERTY_NEIGHBOURS["g"]) == set("tyfhvb")


def test_negative_n_is_an_error() -> None:
    with pytest.raises(ValueError):
        with_typos("supervision", 1, -1)


def test_noisy_items() -> None:
    items = [
        {"id": "q1", "kind": "fact", "question": QUESTIONS[0],
         "history": [{"question": "What did the Portsmouth letter say?"}],
         "gold_sources": ["a.pdf"]},
        {"id": "q2", "kind": "fact", "question": QUESTIONS[1]},
    ]
    original = copy.deepcopy(items)
    noisy = noisy_items(items)
    assert items == original  # input untouched
    assert [x["id"] for x in noisy] == [f"q1{NOISY_SUFFIX}", f"q2{NOISY_SUFFIX}"]
    assert all(x["noisy"] is True for x in noisy)
    for before, after in zip(items, noisy, strict=True):
        assert after["question"] != before["question"]
        assert 1 <= len(changed_words(before["question"], after["question"])) <= 2
        assert {k: v for k, v in after.items() if k not in ("id", "question", "noisy")} == \
            {k: v for k, v in before.items() if k not in ("id", "question")}
    assert noisy[0]["history"] is not items[0]["history"]  # a copy, not shared
    assert noisy_items(items) == noisy  # deterministic
    others = [noisy_items(items, seed=f"other-{i}") for i in range(5)]
    assert any(x[0]["question"] != noisy[0]["question"] for x in others)
    # seeded by the item id: the same question under another id may differ, the same id may not
    again = noisy_items([{"id": "q1", "question": QUESTIONS[0]}])
    assert again[0]["question"] == noisy[0]["question"]
