"""The one table of the genre's short forms, as its three readers see it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.shortforms import is_short_form, short_forms, short_forms_evidenced, spell_out
from assistant.understanding.spelling import SpellingCorrector


def test_questions_spell_out_short_forms_whole_words_only() -> None:
    assert spell_out("mgr sign off w/ sws, w/o IAs") == \
        "manager sign off with social workers, without initial assessments"
    # Not inside a word, and capitals-only forms stay as typed in lower case ("ia" is no IA).
    assert spell_out("swsx ia the nfa list") == "swsx ia the no further action list"
    assert spell_out("an email to swansea") == "an email to swansea"


def test_a_passage_evidences_a_short_form_by_its_long_form() -> None:
    found = short_forms_evidenced("The multi-agency safeguarding hub refers child protection "
                                  "enquiries to the emergency duty team.")
    assert {"mash", "s47", "edt", "cp"} <= found
    assert "lado" not in found
    assert "caf" in short_forms_evidenced("a Common Assessment Framework was completed")


def test_every_short_form_is_a_word_not_a_slip() -> None:
    assert all(is_short_form(f.short) for f in short_forms())
    corrector = SpellingCorrector(Counter(["meeting", "management", "probes", "act", "about"]))
    for word in ("abt", "probs", "mgmt", "nfa"):
        assert corrector.correct_word(word) is None, word


def test_a_malformed_table_names_the_file_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "short_forms.yaml"
    bad.write_text("- {short: mgr}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"short_forms\.yaml: entry 1 needs 'short' and 'long'"):
        short_forms(bad)
