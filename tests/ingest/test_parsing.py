"""Tests of ingest.parsing (and of the authorities list it uses) on the real letter and variants."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ingest.authorities import (
    AUTHORITIES,
    find_authorities,
    find_authority,
    get_authority,
    match_authority,
)
from ingest.loaders import load_letter
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    FINDING_SECTIONS,
    HEADER,
    INTRODUCTION,
    OTHER,
    PRIORITY_ACTION,
    SATISFACTORY,
    SIGN_OFF,
    STRENGTHS,
    ParsedLetter,
    Section,
)
from ingest.normalize import normalize_text
from ingest.parsing import parse_letter
from tests.ingest.test_loaders import (
    Block,
    expected_findings,
    letter_blocks,
    real_letter_text,
    render_docx,
    render_html,
    render_pdf,
    render_text,
    swap_priority_and_development,
)

PAGE_HEADER = "Ofsted Piccadilly Gate Store Street Manchester M1 2WD"
COPY_LIST = [
    "David Williams, Chief Executive, Portsmouth Council",
    "Julian Wooster, Acting Chair of Portsmouth Safeguarding Children Board",
    "Cllr John Ireland, Cabinet Member for Education, Portsmouth Council",
    "Andrew Spencer, Department for Children, Schools and Families",
]


def assert_well_formed(letter: ParsedLetter) -> None:
    """Sections cover the text in order without gaps; findings are verbatim slices."""
    text = letter.text
    if not text.strip():
        assert letter.sections == []
        return
    assert letter.sections[0].char_start == 0
    assert letter.sections[-1].char_end == len(text)
    for before, after in zip(letter.sections, letter.sections[1:], strict=False):
        assert before.char_end == after.char_start
    for section in letter.sections:
        assert section.char_start < section.char_end
        for finding in section.findings:
            assert section.name in FINDING_SECTIONS and finding.section == section.name
            assert text[finding.char_start:finding.char_end] == finding.text
            assert section.char_start <= finding.char_start < finding.char_end <= section.char_end
            assert finding.text == finding.text.strip() and not finding.text.startswith("- ")
    for start, end in letter.metadata.spans.values():
        assert 0 <= start < end <= len(text)


def metadata_values(letter: ParsedLetter) -> dict[str, object]:
    values = dict(vars(letter.metadata))
    values.pop("spans")
    return values


def findings_by_section(letter: ParsedLetter) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in letter.findings:
        found.setdefault(finding.section, []).append(finding.text)
    return found


@pytest.fixture(scope="module")
def real() -> ParsedLetter:
    return parse_letter(normalize_text(real_letter_text()))


# ---------------------------------------------------------------------------------------------
# The real letter


def test_real_letter_metadata(real: ParsedLetter) -> None:
    meta = real.metadata
    assert meta.authority == "Portsmouth City Council"
    assert (meta.inspection_start, meta.inspection_end) == ("2009-11-10", "2009-11-11")
    assert meta.letter_date == "2009-12-09"
    assert meta.inspection_type == ("Annual unannounced inspection of contact, referral and "
                                    "assessment arrangements")
    assert meta.addressee_name == "Mr Julian Wooster"
    assert meta.addressee_title == "Strategic Director, Children, Families and Learning"
    assert meta.signatory_name == "Heather Brown"
    assert meta.signatory_title == "Divisional Manager, Social Care Safeguarding"
    assert meta.copy_list == COPY_LIST


def test_real_letter_spans(real: ParsedLetter) -> None:
    text, spans = real.text, real.metadata.spans

    def span(key: str) -> str:
        start, end = spans[key]
        return text[start:end]

    assert span("letter_date") == "9 December 2009"
    assert span("inspection_type").startswith("Annual unannounced inspection of contact")
    assert span("inspection_type").endswith("within Portsmouth Council children's services")
    assert "conducted on 10 and 11 November 2009" in span("inspection_dates")
    assert span("inspection_start") == span("inspection_end") == span("inspection_dates")
    assert span("addressee").startswith("Mr Julian Wooster Strategic Director")
    assert "Portsmouth City Council" in span("authority")
    assert span("signatory") == "Heather Brown\n\nDivisional Manager, Social Care Safeguarding"
    assert span("signatory_name") == "Heather Brown"
    assert span("signatory_title") == "Divisional Manager, Social Care Safeguarding"
    assert span("copy_list") == "Copy: " + "\n".join(COPY_LIST)


def test_real_letter_sections(real: ParsedLetter) -> None:
    assert_well_formed(real)
    assert [s.name for s in real.sections] == [HEADER, INTRODUCTION, SATISFACTORY, STRENGTHS,
                                               AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION, SIGN_OFF]
    assert [s.heading for s in real.sections] == [None, None, None, "Strengths",
                                                  "Areas for development",
                                                  "Area for priority action", None]
    starts = {s.name: real.text[s.char_start:s.char_end] for s in real.sections}
    assert starts[HEADER].startswith("Freshford House")
    assert starts[HEADER].rstrip().endswith("Portsmouth Council children's services")
    assert starts[INTRODUCTION].startswith("This letter contains the findings")
    assert starts[SATISFACTORY].startswith("From the evidence gathered")
    assert starts[STRENGTHS].startswith("The following strengths and areas for development")
    assert starts[PRIORITY_ACTION].startswith("This visit has identified the following area")
    assert starts[SIGN_OFF].startswith("Yours sincerely")
    assert not any(s.none_identified for s in real.sections)


def test_real_letter_findings_verbatim(real: ParsedLetter) -> None:
    found = findings_by_section(real)
    assert {name: len(texts) for name, texts in found.items()} == {
        SATISFACTORY: 6, STRENGTHS: 7, AREAS_FOR_DEVELOPMENT: 4, PRIORITY_ACTION: 1}
    assert found == expected_findings(letter_blocks())
    assert found[PRIORITY_ACTION] == [
        "Some cases referred to the Initial Assessment Team, have been inappropriately closed "
        "without the children being seen and therefore their needs are not fully investigated."]
    assert found[SATISFACTORY][1].endswith("have recently been updated, are in place")
    assert found[STRENGTHS][4].startswith("Staff report that morale is high")


def test_raw_text_is_parsed_as_it_is(real: ParsedLetter) -> None:
    raw = real_letter_text()
    letter = parse_letter(raw)
    assert letter.text is raw
    assert_well_formed(letter)
    assert metadata_values(letter) == metadata_values(real)
    assert findings_by_section(letter) == findings_by_section(real)


# ---------------------------------------------------------------------------------------------
# Variants of the real letter give the same metadata and findings


def _numbered(text: str) -> str:
    return {"Strengths": "1. Strengths", "Areas for development": "2. Areas for development",
            "Area for priority action": "3. Area for priority action"}[text]


VARIANTS: dict[str, dict[str, Any]] = {
    "upper-case headings": {"heading": str.upper, "glyph": "• "},
    "headings with colons": {"heading": lambda h: h + ":", "glyph": "o "},
    "numbered headings": {"heading": _numbered, "glyph": "\uf0b7 "},
    "lone-space bullets": {"glyph": " "},
    "en dash bullets": {"glyph": "– ", "blank_between_bullets": True},
    "asterisk bullets, wrapped": {"glyph": "* ", "width": 78},
    "wrapped and hyphenated": {"width": 70, "hyphenate": True},
    "page headers and footers": {"width": 80, "page_lines": 26, "page_header": PAGE_HEADER},
    "page numbers only": {"width": 90, "page_lines": 35, "footer": "{n}"},
    "windows line endings": {"newline": "\r\n", "width": 74, "hyphenate": True},
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_text_variants(variant: str, real: ParsedLetter) -> None:
    letter = parse_letter(normalize_text(render_text(letter_blocks(), **VARIANTS[variant])))
    assert_well_formed(letter)
    assert metadata_values(letter) == metadata_values(real)
    assert findings_by_section(letter) == findings_by_section(real)


@pytest.mark.parametrize("wrap", [0, 82])
def test_priority_action_before_areas_for_development(wrap: int, real: ParsedLetter) -> None:
    blocks = swap_priority_and_development(letter_blocks())
    letter = parse_letter(normalize_text(render_text(blocks, width=wrap, glyph="• ")))
    assert_well_formed(letter)
    names = [s.name for s in letter.sections]
    assert names.index(PRIORITY_ACTION) < names.index(AREAS_FOR_DEVELOPMENT)
    assert metadata_values(letter) == metadata_values(real)
    assert findings_by_section(letter) == findings_by_section(real)
    development = letter.section(AREAS_FOR_DEVELOPMENT)
    assert development is not None and development.heading == "Areas for development"


@pytest.mark.parametrize("fmt", ["pdf", "pdf with o bullets", "html", "docx"])
def test_file_renderings(tmp_path: Path, fmt: str, real: ParsedLetter) -> None:
    blocks = letter_blocks()
    if fmt == "pdf":
        path = render_pdf(blocks, tmp_path / "portsmouth.pdf", page_header=PAGE_HEADER)
    elif fmt == "pdf with o bullets":
        path = render_pdf(blocks, tmp_path / "portsmouth.pdf", bullet="o",
                          page_header="www.ofsted.gov.uk")
    elif fmt == "html":
        path = render_html(blocks, tmp_path / "portsmouth.html")
    else:
        path = render_docx(blocks, tmp_path / "portsmouth.docx")
    letter = parse_letter(normalize_text(load_letter(path)))
    assert_well_formed(letter)
    assert metadata_values(letter) == metadata_values(real)
    assert findings_by_section(letter) == findings_by_section(real)


# ---------------------------------------------------------------------------------------------
# Small letters for one feature at a time


def make_letter(*, dates: str = "on 10 and 11 November 2009", date_line: str = "9 December 2009",
                addressee: str = "Mr Julian Wooster\nDirector of Children's Services\n"
                                 "Leeds City Council\nCivic Hall\nLeeds LS1 1UR",
                salutation: str = "Dear Mr Wooster",
                subject: str = "Annual unannounced inspection of contact, referral and "
                               "assessment arrangements within Leeds City Council children's "
                               "services",
                identified: str = "The inspection identified one area for priority action and "
                                  "some areas for development which are detailed below.",
                body: str | None = None,
                sign_off: str = "Yours sincerely\n\nHeather Brown\n\nDivisional Manager, Social "
                                "Care Safeguarding",
                copy: str = "Copy: David Williams, Chief Executive, Leeds City Council") -> str:
    """A letter of the genre, small enough to read in a test."""
    if body is None:
        body = ("From the evidence gathered, the inspection identified a number of areas where "
                "the services were satisfactorily carrying out their responsibilities, in "
                "particular:\n\n- Referrals are timely.\n- Thresholds are clear.\n\n"
                "The following strengths and areas for development were also identified:\n\n"
                "Strengths\n\n- Case records are up to date.\n\nAreas for development\n\n"
                "- Assessments are late.\n\nArea for priority action\n\n"
                "- Some cases were closed without the children being seen.")
    parts = ["Ofsted\nPiccadilly Gate\nManchester M1 2WD", date_line, addressee, salutation,
             subject,
             f"This letter contains the findings of the recent unannounced inspection which was "
             f"conducted {dates}. The inspection was carried out under section 138 of the "
             f"Education and Inspections Act 2006.",
             identified, body, sign_off, copy]
    return normalize_text("\n\n".join(part for part in parts if part))


def parse(text: str) -> ParsedLetter:
    letter = parse_letter(text)
    assert_well_formed(letter)
    return letter


@pytest.mark.parametrize(("phrase", "start", "end"), [
    ("on 10 and 11 November 2009", "2009-11-10", "2009-11-11"),
    ("on 30 November and 1 December 2010", "2010-11-30", "2010-12-01"),
    ("on 2 and 3 February 2011", "2011-02-02", "2011-02-03"),
    ("between 14 and 15 June 2010", "2010-06-14", "2010-06-15"),
    ("on 9 June 2010", "2010-06-09", "2010-06-09"),
    ("from 30 December 2010 to 2 January 2011", "2010-12-30", "2011-01-02"),
    ("between 30 December and 2 January 2011", "2010-12-30", "2011-01-02"),
    ("on 14-15 June 2010", "2010-06-14", "2010-06-15"),
    ("on 14 – 16 June 2010", "2010-06-14", "2010-06-16"),
    ("on 10th and 11th November 2009", "2009-11-10", "2009-11-11"),
    ("on 10, 11 and 12 November 2009", "2009-11-10", "2009-11-12"),
    ("on 10\u00a0and 11\u00a0November\u00a02009", "2009-11-10", "2009-11-11"),
    ("on November 10 and 11, 2009", "2009-11-10", "2009-11-11"),
    ("on 10 and 11 November", "2009-11-10", "2009-11-11"),
])
def test_inspection_dates(phrase: str, start: str, end: str) -> None:
    meta = parse(make_letter(dates=phrase)).metadata
    assert (meta.inspection_start, meta.inspection_end) == (start, end)
    assert meta.letter_date == "2009-12-09"


def test_missing_year_before_the_letter_date_is_last_year() -> None:
    meta = parse(make_letter(dates="on 14 and 15 December", date_line="20 January 2011")).metadata
    assert (meta.inspection_start, meta.inspection_end) == ("2010-12-14", "2010-12-15")


@pytest.mark.parametrize("date_line", ["9 December 2009", "Date: 9th December 2009",
                                       "Wednesday 9 December 2009", "December 9, 2009"])
def test_letter_date_forms(date_line: str) -> None:
    assert parse(make_letter(date_line=date_line)).metadata.letter_date == "2009-12-09"


@pytest.mark.parametrize(("addressee", "authority"), [
    ("Ms Jane Smith\nDirector of Children's Services\nLondon Borough of Hackney\nHackney E8 1EA",
     "London Borough of Hackney"),
    ("Mr Julian Wooster Director Royal Borough of Kensington and Chelsea The Town Hall W8 7NX",
     "Royal Borough of Kensington and Chelsea"),
    ("Mr Julian Wooster\nStrategic Director\nCity of Bradford Metropolitan District Council",
     "City of Bradford Metropolitan District Council"),
    ("Mr Julian Wooster, Corporate Director, Kent County Council, Sessions House, Maidstone",
     "Kent County Council"),
    ("Mr Julian Wooster\nDirector of Children's Services\nNewtown Borough Council\nNewtown",
     "Newtown Borough Council"),
])
def test_authority_as_written_in_the_addressee_block(addressee: str, authority: str) -> None:
    assert parse(make_letter(addressee=addressee)).metadata.authority == authority


def test_portsmouth_council_in_the_subject_resolves_to_the_formal_name() -> None:
    subject = ("Annual unannounced inspection of contact, referral and assessment arrangements "
               "within Portsmouth Council children's services")
    with_block = make_letter(subject=subject, addressee="Mr Julian Wooster\nDirector\n"
                                                        "Portsmouth City Council\nGuildhall")
    without_block = make_letter(subject=subject, addressee="")
    assert parse(with_block).metadata.authority == "Portsmouth City Council"
    letter = parse(without_block)
    assert letter.metadata.authority == "Portsmouth City Council"
    start, end = letter.metadata.spans["authority"]
    assert letter.text[start:end] == subject


def test_authority_from_the_text_when_block_and_subject_say_nothing() -> None:
    text = make_letter(addressee="", subject="Annual unannounced inspection of contact, referral "
                                             "and assessment arrangements")
    text = text.replace("recent unannounced inspection", "recent unannounced inspection in Wigan")
    assert parse(text).metadata.authority == "Wigan Metropolitan Borough Council"


def test_multi_line_addressee_and_first_name_salutation() -> None:
    letter = parse(make_letter(
        addressee="Julian Wooster\nStrategic Director\nChildren, Families and Learning\n"
                  "Leeds City Council\nCivic Hall", salutation="Dear Julian,"))
    meta = letter.metadata
    assert meta.addressee_name == "Julian Wooster"
    assert meta.addressee_title == "Strategic Director, Children, Families and Learning"
    assert meta.authority == "Leeds City Council"
    start, end = meta.spans["addressee"]
    assert letter.text[start:end].startswith("Julian Wooster\n\nStrategic Director")


def test_date_after_the_addressee_block() -> None:
    text = make_letter(date_line="")
    text = text.replace("Dear Mr Wooster", "9 December 2009\n\nDear Mr Wooster")
    meta = parse(text).metadata
    assert meta.letter_date == "2009-12-09" and meta.addressee_name == "Mr Julian Wooster"
    assert meta.addressee_title == "Director of Children's Services"


@pytest.mark.parametrize(("subject", "expected"), [
    ("Re: Unannounced inspection of contact, referral and assessment arrangements within Leeds "
     "City Council children's services.",
     "Unannounced inspection of contact, referral and assessment arrangements"),
    ("Annual unannounced inspection of contact, referral and assessment arrangements – London "
     "Borough of Hackney", "Annual unannounced inspection of contact, referral and assessment "
                           "arrangements"),
    ("Leeds City Council: annual unannounced inspection of contact, referral and assessment "
     "arrangements", "Annual unannounced inspection of contact, referral and assessment "
                     "arrangements"),
    ("Inspection of safeguarding and looked after children services in Leeds",
     "Inspection of safeguarding and looked after children services"),
])
def test_inspection_type(subject: str, expected: str) -> None:
    assert parse(make_letter(subject=subject)).metadata.inspection_type == expected


@pytest.mark.parametrize("copy", [
    "Copy: Tom Riordan, Chief Executive; Cllr Judith Blake, Executive Member; Jane Doe, DfE",
    "cc:\nTom Riordan, Chief Executive\nCllr Judith Blake, Executive Member\nJane Doe, DfE",
    "Copy\n\nTom Riordan, Chief Executive\n\nCllr Judith Blake, Executive Member\n\nJane Doe, DfE",
])
def test_copy_list_styles(copy: str) -> None:
    assert parse(make_letter(copy=copy)).metadata.copy_list == [
        "Tom Riordan, Chief Executive", "Cllr Judith Blake, Executive Member", "Jane Doe, DfE"]


@pytest.mark.parametrize(("sign_off", "name", "title"), [
    ("Yours sincerely,\n\nJudith Haworth\nHer Majesty's Inspector", "Judith Haworth",
     "Her Majesty's Inspector"),
    ("Yours faithfully\n\nHeather Brown, Divisional Manager, Social Care Safeguarding",
     "Heather Brown", "Divisional Manager, Social Care Safeguarding"),
    ("Yours sincerely\n\n[signature]\n\nPeter Lindsay\n\nDivisional Manager\n\nSocial Care",
     "Peter Lindsay", "Divisional Manager, Social Care"),
])
def test_signatory(sign_off: str, name: str, title: str) -> None:
    meta = parse(make_letter(sign_off=sign_off)).metadata
    assert (meta.signatory_name, meta.signatory_title) == (name, title)


# ---------------------------------------------------------------------------------------------
# Sections: none identified, headings, findings without bullets


def section_of(letter: ParsedLetter, name: str) -> Section:
    section = letter.section(name)
    assert section is not None, name
    return section


def _section_text(letter: ParsedLetter, name: str) -> str:
    section = section_of(letter, name)
    return letter.text[section.char_start:section.char_end]


@pytest.mark.parametrize("statement", ["None identified.",
                                       "There are no areas for priority action.",
                                       "No areas for priority action were identified.",
                                       "- None"])
def test_priority_heading_with_none_statement(statement: str) -> None:
    body = ("Strengths\n\n- Case records are up to date.\n\nAreas for development\n\n"
            f"- Assessments are late.\n\nAreas for priority action\n\n{statement}")
    letter = parse(make_letter(body=body))
    priority = section_of(letter, PRIORITY_ACTION)
    assert priority is not None and priority.none_identified and priority.findings == []
    assert priority.heading == "Areas for priority action"
    assert section_of(letter, AREAS_FOR_DEVELOPMENT).findings[0].text == "Assessments are late."


def test_inline_heading_statement() -> None:
    body = ("Strengths: Case records are up to date.\n\nAREA FOR PRIORITY ACTION: None identified."
            "\n\nAreas for development\n\n- Assessments are late.")
    letter = parse(make_letter(body=body))
    assert [f.text for f in section_of(letter, STRENGTHS).findings] == [
        "Case records are up to date."]
    priority = section_of(letter, PRIORITY_ACTION)
    assert priority.none_identified and priority.heading == "AREA FOR PRIORITY ACTION:"
    names = [s.name for s in letter.sections]
    assert names.index(PRIORITY_ACTION) < names.index(AREAS_FOR_DEVELOPMENT)


def test_no_priority_action_stated_only_in_the_introduction() -> None:
    identified = ("The inspection identified no areas for priority action. A number of strengths "
                  "and some areas for development are detailed below.")
    body = ("Strengths\n\n- Case records are up to date.\n\nAreas for development\n\n"
            "- Assessments are late.")
    letter = parse(make_letter(identified=identified, body=body))
    priority = section_of(letter, PRIORITY_ACTION)
    assert priority is not None and priority.none_identified and priority.findings == []
    assert (letter.text[priority.char_start:priority.char_end]
            == "The inspection identified no areas for priority action.")
    names = [s.name for s in letter.sections]
    assert names == [HEADER, INTRODUCTION, PRIORITY_ACTION, INTRODUCTION, STRENGTHS,
                     AREAS_FOR_DEVELOPMENT, SIGN_OFF]


def test_bare_none_statement_after_the_findings() -> None:
    body = ("Strengths\n\n- Case records are up to date.\n\nAreas for development\n\n"
            "- Assessments are late.\n- Plans are vague.\n\n"
            "No areas for priority action were identified.")
    letter = parse(make_letter(body=body, identified="The inspection identified some areas for "
                                                     "development."))
    development = section_of(letter, AREAS_FOR_DEVELOPMENT)
    assert [f.text for f in development.findings] == ["Assessments are late.", "Plans are vague."]
    assert not development.none_identified
    priority = section_of(letter, PRIORITY_ACTION)
    assert priority.none_identified and priority.heading is None
    assert _section_text(letter, PRIORITY_ACTION).startswith("No areas for priority action")


def test_findings_as_paragraphs_without_bullets() -> None:
    body = ("From the evidence gathered, the inspection identified a number of areas where the "
            "services were satisfactorily carrying out their responsibilities, in particular:\n\n"
            "Referrals are timely.\n\nThresholds are clear.\n\n"
            "The following strengths and areas for development were also identified:\n\n"
            "STRENGTHS\n\nCase records are up to date. Managers audit them.\n\n"
            "Areas for development:\n\nAssessments are late.\n\n"
            "This visit has identified the following area for priority action.\n\n"
            "Area for priority action\n\nSome cases were closed without the children being seen.")
    found = findings_by_section(parse(make_letter(body=body)))
    assert found == {SATISFACTORY: ["Referrals are timely.", "Thresholds are clear."],
                     STRENGTHS: ["Case records are up to date. Managers audit them."],
                     AREAS_FOR_DEVELOPMENT: ["Assessments are late."],
                     PRIORITY_ACTION: ["Some cases were closed without the children being seen."]}


def test_numbered_findings_and_plural_headings() -> None:
    body = ("Key strengths\n\n1. Case records are up to date.\n2. Staff are supported.\n\n"
            "Areas for improvement\n\n(a) Assessments are late.\n(b) Plans are vague.\n\n"
            "Areas for priority action\n\ni) Unallocated cases.\nii) Children not seen.")
    found = findings_by_section(parse(make_letter(body=body)))
    assert found[STRENGTHS] == ["Case records are up to date.", "Staff are supported."]
    assert found[AREAS_FOR_DEVELOPMENT] == ["Assessments are late.", "Plans are vague."]
    assert found[PRIORITY_ACTION] == ["Unallocated cases.", "Children not seen."]


def test_prose_around_a_list_is_not_a_finding() -> None:
    body = ("Strengths\n\n- Case records are up to date.\n- Staff are supported.\n\n"
            "Inspectors also noted the commitment of staff.\n\nAreas for development\n\n"
            "- Assessments are late.\n\nI am grateful to you and your staff for your help.")
    letter = parse(make_letter(body=body))
    assert [f.text for f in section_of(letter, STRENGTHS).findings] == [
        "Case records are up to date.", "Staff are supported."]
    assert [f.text for f in section_of(letter, AREAS_FOR_DEVELOPMENT).findings] == [
        "Assessments are late."]
    assert letter.sections[-2].name == OTHER
    assert _section_text(letter, OTHER).startswith("I am grateful")


def test_a_lost_bullet_glyph_between_items_is_still_a_finding() -> None:
    body = ("Strengths\n\n- Case records are up to date.\n\nStaff are supported.\n\n"
            "- Morale is high.")
    assert [f.text for f in section_of(parse(make_letter(body=body)), STRENGTHS).findings] == [
        "Case records are up to date.", "Staff are supported.", "Morale is high."]


# ---------------------------------------------------------------------------------------------
# Off-template text and odd input


def test_text_following_no_template() -> None:
    text = normalize_text("Notes from a meeting held in Leeds on 3 March 2010.\n\n"
                          "We talked about the weather.\n\n- Nothing was decided.")
    letter = parse(text)
    assert [s.name for s in letter.sections] == [OTHER]
    assert letter.findings == []
    assert letter.metadata.authority == "Leeds City Council"
    assert letter.metadata.letter_date is None and letter.metadata.signatory_name is None


def test_empty_text() -> None:
    letter = parse("")
    assert letter.sections == [] and letter.metadata.authority is None


ODD_INPUTS = [
    "", "\n\n\n", " ", "- ", "-", "•", "Strengths", "Strengths:", "Yours sincerely",
    "Dear", "Dear Mr", "Copy:", "cc", "Area for priority action: ", "1.", "(a)",
    "99 Smarch 20099", "31 February 2010", "on 45 and 46 November 2009", "Mr",
    "Dear Mr Wooster\nYours sincerely", "Yours sincerely\n\nCopy: a; ; b;",
    "x" * 20000, "\uf0b7\n\uf0b7\n\uf0b7", "\x00\x01\x02", "Strengths\nStrengths\nStrengths",
    "Areas for priority action\n\nNone identified.\n\nAreas for priority action",
    "The inspection identified no areas for priority action",
    "Dear Mr Wooster\n\nAnnual unannounced inspection within\n\nYours sincerely\n\nCopy:",
]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_odd_input_never_raises(text: str) -> None:
    parse(text)
    parse(normalize_text(text))


def test_mangled_letters_never_raise() -> None:
    rng = random.Random(20091209)
    lines = normalize_text(real_letter_text()).split("\n")
    for _ in range(150):
        mangled = list(lines)
        for _ in range(rng.randint(1, 12)):
            action = rng.random()
            i = rng.randrange(len(mangled))
            if action < 0.4:
                del mangled[i]
            elif action < 0.6:
                mangled.insert(rng.randrange(len(mangled)), mangled[i])
            elif action < 0.8:
                mangled[i] = mangled[i][: rng.randrange(len(mangled[i]) + 1)]
            else:
                j = rng.randrange(len(mangled))
                mangled[i], mangled[j] = mangled[j], mangled[i]
        text = "\n".join(mangled)
        parse(text)
        parse(normalize_text(text))


# ---------------------------------------------------------------------------------------------
# The authorities list


def test_authorities_list_is_complete_and_unique() -> None:
    assert len(AUTHORITIES) == 152
    assert len({a.name for a in AUTHORITIES}) == len({a.place for a in AUTHORITIES}) == 152
    assert Counter(a.kind for a in AUTHORITIES) == {
        "county": 27, "metropolitan borough": 36, "london borough": 33, "unitary authority": 56}
    by_place = {a.place: a.name for a in AUTHORITIES}
    assert by_place["Portsmouth"] == "Portsmouth City Council"
    assert by_place["Leeds"] == "Leeds City Council"
    assert by_place["Hackney"] == "London Borough of Hackney"
    assert by_place["Kent"] == "Kent County Council"
    assert by_place["Kensington and Chelsea"] == "Royal Borough of Kensington and Chelsea"
    assert by_place["Bradford"] == "Bradford Metropolitan District Council"
    assert by_place["Isles of Scilly"] == "Council of the Isles of Scilly"


@pytest.mark.parametrize(("text", "name"), [
    ("within Portsmouth Council children's services", "Portsmouth City Council"),
    ("the London Borough of Hackney", "London Borough of Hackney"),
    ("Bath & North East Somerset Council", "Bath and North East Somerset Council"),
    ("North East Lincolnshire Council", "North East Lincolnshire Council"),
    ("services in North Lincolnshire", "North Lincolnshire Council"),
    ("Stoke on Trent City Council", "Stoke-on-Trent City Council"),
    ("St. Helens Council", "St Helens Metropolitan Borough Council"),
    ("WITHIN READING BOROUGH COUNCIL CHILDREN'S SERVICES", "Reading Borough Council"),
    ("Leeds and Bradford", "Leeds City Council"),
    ("Kingston upon Hull", "Hull City Council"),
    ("County Durham", "Durham County Council"),
    ("Reading records in Bury St Edmunds", None),
    ("Newcastle-under-Lyme", None),
    ("Nothing to see here", None),
])
def test_match_authority(text: str, name: str | None) -> None:
    assert match_authority(text) == name


def test_every_listed_name_and_alias_finds_its_authority() -> None:
    for authority in AUTHORITIES:
        for name in (authority.name, *[a for a in authority.aliases if "Council" in a]):
            found = find_authority(f"A letter to {name} about its services.")
            assert found is not None and found.authority is authority, name
            assert found.formal and found.text == name
        for name in (authority.place, *authority.aliases):
            assert get_authority(name.upper()) is authority, name


def test_find_authorities_reports_where_and_how() -> None:
    text = "Mr Julian Wooster Director Portsmouth City Council Guildhall Square Portsmouth"
    matches = find_authorities(text)
    assert [(m.text, m.formal) for m in matches] == [("Portsmouth City Council", True),
                                                     ("Portsmouth", False)]
    assert text[matches[0].start:matches[0].end] == "Portsmouth City Council"
    assert find_authorities(text, formal_only=True) == matches[:1]


def test_block_helper_agrees_with_the_letter() -> None:
    """The test helpers' reading of the letter (used for expectations) sees 18 bullets."""
    blocks = letter_blocks()
    assert sum(b.kind == "bullet" for b in blocks) == 18
    assert Block("heading", "Strengths") in blocks
