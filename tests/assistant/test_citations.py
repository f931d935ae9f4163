"""Citation verification: verbatim quotes only, unresolvable markers removed, renumbering."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.chain import Assistant
from assistant.citations import Draft, verify
from assistant.passages import Passage

pytestmark = pytest.mark.slow


def _passage(assistant: Assistant, phrase: str) -> Passage:
    letter = next(x for x in assistant.catalog.all() if phrase in x.text)
    start = letter.text.index(phrase)
    return Passage.of(letter, "Strengths", start, start + len(phrase))


def test_valid_markers_are_kept_and_renumbered(assistant: Assistant) -> None:
    assistant.refresh()
    a = _passage(assistant, "Case records are up to date")
    b = _passage(assistant, "The Emergency Duty Team provides")
    text, citations = verify(Draft("First [2]. Second [1]. Again [2].", [a, b]),
                             assistant.catalog)
    assert text == "First [1]. Second [2]. Again [1]."
    assert [c.quote for c in citations] == [b.text, a.text]


def test_unresolvable_and_altered_quotes_are_dropped(assistant: Assistant) -> None:
    assistant.refresh()
    good = _passage(assistant, "Case records are up to date")
    altered = replace(good, text="Case records are excellent")
    unknown = replace(good, document_id="no-such-letter")
    out_of_range = replace(good, char_start=10**7, char_end=10**7 + 5)
    text, citations = verify(Draft("A [1]. B [2]. C [3]. D [4]. E [9].",
                                   [good, altered, unknown, out_of_range]), assistant.catalog)
    assert text == "A [1]. B. C. D. E."
    assert len(citations) == 1 and citations[0].quote == good.text
