"""Tests of ingest.normalize: the one canonical text per letter, whatever the extraction did."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ingest.loaders import load_letter
from ingest.models import AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION, SATISFACTORY, STRENGTHS
from ingest.normalize import match_heading, normalize_text, split_bullet
from tests.ingest.test_loaders import (
    letter_blocks,
    real_letter_text,
    render_docx,
    render_html,
    render_pdf,
    render_text,
    swap_priority_and_development,
)

PAGE_HEADER = "Ofsted Piccadilly Gate Store Street Manchester M1 2WD"


@pytest.fixture(scope="module")
def canonical() -> str:
    return normalize_text(real_letter_text())


def _words(text: str) -> list[str]:
    """The words of a text, bullet markers left out."""
    return [w for w in text.split() if w not in {"-", "•", "o", "–", "*", "\uf0b7"}]


# ---------------------------------------------------------------------------------------------
# The real letter


def test_real_letter_canonical_form(canonical: str) -> None:
    assert "\r" not in canonical and "\n\n\n" not in canonical
    assert canonical == canonical.strip()
    for line in canonical.split("\n"):
        assert line == line.strip() and "  " not in line
    assert _words(canonical) == _words(real_letter_text())


def test_real_letter_bullets_all_start_with_a_dash(canonical: str) -> None:
    lines = canonical.split("\n")
    assert ("- Processes for receiving and prioritising information and referrals of children "
            "and young people are robust and timely.") in lines
    assert ("- Some cases referred to the Initial Assessment Team, have been inappropriately "
            "closed without the children being seen and therefore their needs are not fully "
            "investigated.") in lines
    raw_bullets = [line for line in real_letter_text().split("\n")
                   if line.startswith("- ") or line.startswith(" ")]
    assert sum(line.startswith("- ") for line in lines) == len(raw_bullets) == 18


@pytest.mark.parametrize("line", [
    "9 December 2009", "Dear Mr Wooster", "Strengths", "Areas for development",
    "Area for priority action", "Yours sincerely", "Heather Brown",
    "Divisional Manager, Social Care Safeguarding",
    "The following strengths and areas for development were also identified:",
])
def test_short_lines_keep_their_own_line(canonical: str, line: str) -> None:
    assert line in canonical.split("\n")


def test_blocks_separated_by_one_blank_line_lists_and_copy_list_together(canonical: str) -> None:
    assert "Strengths\n\n- There is an efficient" in canonical
    assert "retention.\n- Staff report that morale" in canonical
    assert "workloads.\n- Staff are provided" in canonical
    assert canonical.endswith(
        "Copy: David Williams, Chief Executive, Portsmouth Council\n"
        "Julian Wooster, Acting Chair of Portsmouth Safeguarding Children Board\n"
        "Cllr John Ireland, Cabinet Member for Education, Portsmouth Council\n"
        "Andrew Spencer, Department for Children, Schools and Families")


def test_normalisation_is_stable(canonical: str) -> None:
    assert normalize_text(canonical) == canonical


# ---------------------------------------------------------------------------------------------
# Renderings of the same letter give the same canonical text

VARIANTS: dict[str, dict[str, Any]] = {
    "dash bullets": {},
    "bullet glyph": {"glyph": "• "},
    "symbol glyph": {"glyph": "\uf0b7 "},
    "lone space": {"glyph": " "},
    "o bullets": {"glyph": "o "},
    "en dash": {"glyph": "– ", "blank_between_bullets": True},
    "asterisks": {"glyph": "* "},
    "wrapped": {"width": 72},
    "wrapped and hyphenated": {"width": 70, "hyphenate": True},
    "wide wrap": {"width": 96, "glyph": "• ", "hyphenate": True},
    "crlf": {"newline": "\r\n", "width": 80},
    "pages": {"width": 76, "page_lines": 28, "page_header": PAGE_HEADER},
    "numbered pages": {"width": 84, "page_lines": 33, "footer": "{n}",
                       "page_header": "www.ofsted.gov.uk"},
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_text_variants_normalise_to_the_same_text(variant: str, canonical: str) -> None:
    raw = render_text(letter_blocks(), **VARIANTS[variant])
    assert normalize_text(raw) == canonical
    assert normalize_text(normalize_text(raw)) == normalize_text(raw)


def test_the_hyphenated_variant_really_breaks_words() -> None:
    raw = render_text(letter_blocks(), width=70, hyphenate=True)
    assert len(re.findall(r"[a-z]-\n[a-z]", raw)) >= 5


@pytest.mark.parametrize("fmt", ["pdf", "pdf-o", "html", "docx"])
def test_file_renderings_normalise_to_the_same_text(tmp_path: Path, fmt: str,
                                                    canonical: str) -> None:
    blocks = letter_blocks()
    if fmt == "pdf":
        path = render_pdf(blocks, tmp_path / "letter.pdf", page_header=PAGE_HEADER)
    elif fmt == "pdf-o":
        path = render_pdf(blocks, tmp_path / "letter.pdf", bullet="o",
                          page_header="www.ofsted.gov.uk")
    elif fmt == "html":
        path = render_html(blocks, tmp_path / "letter.html")
    else:
        path = render_docx(blocks, tmp_path / "letter.docx")
    assert normalize_text(load_letter(path)) == canonical


def test_section_order_is_kept() -> None:
    swapped = normalize_text(render_text(swap_priority_and_development(letter_blocks()),
                                         width=75))
    assert swapped.index("Area for priority action") < swapped.index("Areas for development")
    assert normalize_text(swapped) == swapped


# ---------------------------------------------------------------------------------------------
# Characters


def test_line_endings_spaces_and_invisible_characters() -> None:
    raw = ("9\u00a0December\u20092009\r\n\r\nDear\tMr Wooster\r"
           "\rThe assess\u00ad\nment was\u200b timely.\x07\x0bIt was \ufb01ne.  ")
    assert normalize_text(raw) == ("9 December 2009\n\nDear Mr Wooster\n\n"
                                   "The assessment was timely.\n\nIt was fine.")


def test_curly_quotes_and_dashes_are_kept() -> None:
    raw = "Ofsted’s “annual” review – of the authority’s services."
    assert normalize_text(raw) == raw


def test_blank_input() -> None:
    assert normalize_text("") == ""
    assert normalize_text(" \n\f\n\t\r\n") == ""


# ---------------------------------------------------------------------------------------------
# Wrapped lines, hyphenation


def test_wrapped_lines_are_joined_but_short_lines_are_not() -> None:
    raw = ("Mr Julian Wooster\nStrategic Director, Children, Families and Learning\n"
           "Portsmouth City Council\nGuildhall Square\n\nDear Mr Wooster\n\n"
           "The inspection was carried out under section 138 of the Education and\n"
           "Inspections Act 2006. It will contribute to Ofsted's annual review of the\n"
           "performance of the authority.\n\nYours sincerely\n\nHeather Brown\n"
           "Divisional Manager, Social Care Safeguarding")
    assert normalize_text(raw).split("\n\n") == [
        "Mr Julian Wooster", "Strategic Director, Children, Families and Learning",
        "Portsmouth City Council", "Guildhall Square", "Dear Mr Wooster",
        "The inspection was carried out under section 138 of the Education and Inspections Act "
        "2006. It will contribute to Ofsted's annual review of the performance of the authority.",
        "Yours sincerely", "Heather Brown", "Divisional Manager, Social Care Safeguarding"]


def test_a_heading_after_a_full_line_stays_a_heading() -> None:
    long_line = "- Clear thresholds for access to referral and assessment services are in place"
    raw = "\n".join([long_line, long_line, "STRENGTHS:", "- Case records are up to date."])
    assert normalize_text(raw).split("\n") == [long_line, long_line, "", "STRENGTHS:", "",
                                               "- Case records are up to date."]


def test_paragraph_carries_on_across_a_blank_line_when_it_stops_mid_sentence() -> None:
    raw = "Decisions that take place outside of\n\nformal supervision are not recorded."
    assert normalize_text(raw) == ("Decisions that take place outside of formal supervision "
                                   "are not recorded.")


@pytest.mark.parametrize(("raw", "expected"), [
    ("the assess-\nment of risk", "the assessment of risk"),
    ("work with child-\nren and families", "work with children and families"),
    ("The Anglo-\nSaxon name", "The Anglo-Saxon name"),
    ("a well-\nestablished team", "a well-established team"),
    ("a self-\nassessment was made", "a self-assessment was made"),
    ("multi-agency work. Strong multi-\nagency meetings", "multi-agency work. Strong multi-agency "
                                                          "meetings"),
    ("a wellbeing plan and a well-\nbeing plan", "a wellbeing plan and a wellbeing plan"),
    ("services for 16-\n17 year olds", "services for 16-17 year olds"),
])
def test_hyphenated_line_breaks(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


# ---------------------------------------------------------------------------------------------
# Bullets


@pytest.mark.parametrize("glyph", ["•", "• ", "o ", "– ", "- ", "* ", "\uf0b7 ", "\uf0a7\t", "▪ ",
                                   "●", " ", "\u2022\u00a0"])
def test_every_bullet_glyph_becomes_a_dash(glyph: str) -> None:
    raw = f"in particular:\n{glyph}Processes are robust.\n{glyph}Thresholds are clear."
    assert normalize_text(raw) == ("in particular:\n\n- Processes are robust.\n"
                                   "- Thresholds are clear.")


def test_glyph_alone_on_its_line_and_inline_glyphs() -> None:
    raw = "Strengths\n•\nCase records are good.\n•\n\nStaff are supported. • Morale is high."
    assert normalize_text(raw) == ("Strengths\n\n- Case records are good.\n"
                                   "- Staff are supported.\n- Morale is high.")


def test_wrapped_bullet_item_keeps_its_continuation() -> None:
    raw = ("Strengths\n• There is an efficient out of hours service, which is well integrated\n"
           "  with the assessment teams. The Emergency Duty Team provides a well\n"
           "  resourced service.\n• Case records are up to date.")
    assert normalize_text(raw) == (
        "Strengths\n\n- There is an efficient out of hours service, which is well integrated "
        "with the assessment teams. The Emergency Duty Team provides a well resourced service.\n"
        "- Case records are up to date.")


def test_a_dash_starting_a_wrapped_line_is_not_a_bullet() -> None:
    raw = ("Managers have agreed a protocol with the police and health services\n"
           "– for example on strategy discussions – which is used well.")
    assert normalize_text(raw).count("\n") == 0


def test_split_bullet_offsets() -> None:
    assert split_bullet("- Case records") == (2, "Case records")
    assert split_bullet("  \uf0b7 Case records") == (4, "Case records")
    assert split_bullet("Case records") is None
    assert split_bullet("-") is None


# ---------------------------------------------------------------------------------------------
# Headings


@pytest.mark.parametrize(("line", "section", "inline"), [
    ("Strengths", STRENGTHS, None), ("STRENGTHS", STRENGTHS, None),
    ("1. Strengths:", STRENGTHS, None), ("Key strengths", STRENGTHS, None),
    ("Areas for development", AREAS_FOR_DEVELOPMENT, None),
    ("2) AREAS FOR IMPROVEMENT", AREAS_FOR_DEVELOPMENT, None),
    ("Area for priority action", PRIORITY_ACTION, None),
    ("Areas for Priority Action:", PRIORITY_ACTION, None),
    ("## Priority actions", PRIORITY_ACTION, None),
    ("Areas for priority action: None identified.", PRIORITY_ACTION, 27),
    ("Satisfactory practice", SATISFACTORY, None),
])
def test_headings(line: str, section: str, inline: int | None) -> None:
    found = match_heading(line)
    assert found is not None and found.section == section and found.content_start == inline


@pytest.mark.parametrize("line", [
    "for development.", "priority action.", "strengths and weaknesses were considered in turn",
    "The inspection identified one area for priority action and some areas for development.",
    "Staff have good opportunities for personal development.",
])
def test_not_headings(line: str) -> None:
    assert match_heading(line) is None


# ---------------------------------------------------------------------------------------------
# Page furniture


def test_pdf_pages_lose_headers_footers_and_page_numbers() -> None:
    letterhead = "Ofsted\nPiccadilly Gate\nManchester M1 2WD"
    pages = [
        f"{letterhead}\n9 December 2009\nDear Mr Wooster\nThe inspection was carried out under\n"
        "Page 1 of 3",
        f"{letterhead}\nsection 138 of the Education and Inspections Act 2006.\n2",
        f"{letterhead}\nYours sincerely\nHeather Brown\n- 3 -",
    ]
    assert normalize_text("\f".join(pages)) == (
        "Ofsted\n\nPiccadilly Gate\n\nManchester M1 2WD\n\n9 December 2009\n\nDear Mr Wooster\n\n"
        "The inspection was carried out under section 138 of the Education and Inspections Act "
        "2006.\n\nYours sincerely\n\nHeather Brown")


def test_text_page_headers_without_page_breaks() -> None:
    raw = ("Ofsted Piccadilly Gate Manchester M1 2WD\n\n9 December 2009\n\n"
           "The inspection sampled the quality of the arrangements and their impact on\n\n"
           "Page 1 of 2\n\nOfsted Piccadilly Gate Manchester M1 2WD\n\n"
           "minimising the incidence of child abuse and neglect.\n\n"
           "Strengths\n\n- Case records are up to date.\n\nPage 2 of 2\n")
    assert normalize_text(raw) == (
        "Ofsted Piccadilly Gate Manchester M1 2WD\n\n9 December 2009\n\n"
        "The inspection sampled the quality of the arrangements and their impact on minimising "
        "the incidence of child abuse and neglect.\n\nStrengths\n\n- Case records are up to date.")


def test_a_body_line_at_a_page_edge_is_kept() -> None:
    raw = ("Ofsted\n\n9 December 2009\n\nThe findings were shared with\n\n3\n\n"
           "It will contribute to Ofsted's annual review of the performance of the\n"
           "authority.")
    assert "It will contribute to Ofsted's annual review" in normalize_text(raw)
