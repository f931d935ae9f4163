"""Cross-letter questions through the real chain: lists, counts, negation, years, comparisons and
timelines over a handful of letters in the genre, in an embedded Chroma store with the real model.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import aggregate as aggregate_module
from assistant.chain import Assistant
from assistant.criteria import criteria_of, topic_phrase
from assistant.gazetteer import Gazetteer
from assistant.models import Answer
from assistant.query import COUNT, TIMELINE, understand
from assistant.understanding.reader import QuestionReader
from ingest.models import AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION, STRENGTHS
from ingest.pipeline import IngestPipeline
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

REAL_LETTER = (Path(__file__).resolve().parents[2] / "data" / "sample" / "letters"
               / "portsmouth-2009-ucra-letter.txt")

_OPENING = ("This letter contains the findings of the recent unannounced inspection of contact, "
            "referral and assessment arrangements within local authority children's services in "
            "{subject} which was conducted {dates}. The inspection was carried out under section "
            "138 of the Education and Inspections Act 2006.")
_EVIDENCE = ("Inspectors considered a range of evidence, including electronic case records, "
             "supervision files and discussions with staff and managers.")


def _letter(*, date: str, addressee: str, title: str, council: str, subject: str, dates: str,
            identified: str, satisfactory: list[str], strengths: list[str],
            development: list[str], priority: list[str] | None, glyph: str = "- ",
            priority_first: bool = False) -> str:
    """A letter laid out as the extracted letters are (one-line addressee block, bullets)."""
    surname = addressee.split()[-1]
    honorific = addressee.split()[0]
    parts = [
        "Freshford House Redcliffe Way Bristol BS1 6NL T 08456 40 40 40 enquiries@ofsted.gov.uk",
        date,
        f"{addressee} {title} {council} Civic Centre Market Street",
        f"Dear {honorific} {surname}",
        "Annual unannounced inspection of contact, referral and assessment arrangements within "
        f"{subject} children's services",
        _OPENING.format(subject=subject, dates=dates),
        identified,
        _EVIDENCE,
        "From the evidence gathered, the inspection identified a number of areas where the "
        "contact, referral and assessment services were satisfactorily carrying out their "
        "responsibilities in accordance with national guidance, in particular:",
        "\n".join(glyph + s for s in satisfactory),
        "The following strengths and areas for development were also identified:",
    ]
    development_block = ["Areas for development", "\n".join(glyph + s for s in development)]
    if priority:
        priority_block = ["Area for priority action" if len(priority) == 1 else
                          "Areas for priority action", "\n".join(glyph + s for s in priority)]
    else:
        priority_block = ["Areas for priority action", "No areas for priority action were "
                          "identified."]
    parts += ["Strengths", "\n".join(glyph + s for s in strengths)]
    parts += (priority_block + development_block) if priority_first else (
        development_block + priority_block)
    parts += ["Yours sincerely", "Margaret Ellison",
              "Divisional Manager, Social Care Safeguarding",
              f"Copy: Chief Executive, {council}"]
    return "\n\n".join(parts) + "\n"


LETTERS = {
    "leeds-2009.txt": _letter(
        date="9 December 2009", addressee="Mr Julian Barker", title="Director of Children's "
        "Services", council="Leeds City Council", subject="Leeds City Council",
        dates="on 10 and 11 November 2009",
        identified="The inspection identified one area for priority action and some areas for "
                   "development which are detailed below.",
        satisfactory=["Child protection enquiries are timely and appropriately investigated."],
        strengths=["There is an efficient out of hours service, which is well integrated with "
                   "the assessment teams.",
                   "Case records are up to date and information on files is of good quality."],
        development=["There are vacancies not covered in social work posts within the Child "
                     "Protection and Court teams which results in high numbers of cases "
                     "remaining unallocated.",
                     "The timeliness of initial assessments is poor, leading to delays in "
                     "services for some children and their families."],
        priority=["Some cases referred to the Initial Assessment Team have been closed without "
                  "the children being seen, and their needs have not been fully assessed."]),
    "leeds-2011.txt": _letter(
        date="1 March 2011", addressee="Mr Julian Barker", title="Director of Children's "
        "Services", council="Leeds City Council", subject="Leeds City Council",
        dates="on 2 and 3 February 2011",
        identified="The inspection identified no areas for priority action. A number of "
                   "strengths and some areas for development are detailed below.",
        satisfactory=["Thresholds for access to social care are well understood by partner "
                      "agencies."],
        strengths=["Children are seen promptly, and seen alone where appropriate, during initial "
                   "assessments. This is an improvement since the last inspection.",
                   "The Emergency Duty Team provides an effective out of hours service."],
        development=["Some social workers carry high caseloads, which limits the time available "
                     "for direct work with children and families."],
        priority=None, glyph="• "),
    "bradford-2010.txt": _letter(
        date="5 January 2011", addressee="Ms Helen Ogden", title="Strategic Director, Children's "
        "Services", council="City of Bradford Metropolitan District Council",
        subject="Bradford Council", dates="on 30 November and 1 December 2010",
        identified="The inspection identified one area for priority action and some areas for "
                   "development.",
        satisfactory=["Referrals are prioritised appropriately according to risk."],
        strengths=["Thresholds for referral are clearly understood by partner agencies.",
                   "Staff morale is good, and social workers speak positively about their "
                   "managers."],
        development=["Information from the Emergency Duty Team is not always passed promptly to "
                     "the daytime teams."],
        priority=["A high number of vacant social work posts in the Referral and Assessment Team "
                  "has left some referrals unallocated, and the children concerned have not "
                  "been assessed."], priority_first=True),
    "sheffield-2010.txt": _letter(
        date="12 July 2010", addressee="Mrs Sally Crossley", title="Executive Director of "
        "Children's Services", council="Sheffield City Council", subject="Sheffield City Council",
        dates="between 14 and 15 June 2010",
        identified="The inspection identified no areas for priority action and some areas for "
                   "development.",
        satisfactory=["Strategy discussions are held promptly and involve the police."],
        strengths=["Staff receive regular formal supervision, which is recorded and up to date."],
        development=["Initial assessments are sometimes completed and cases closed without the "
                     "child being seen or spoken to alone."],
        priority=None),
    "sheffield-2011.txt": _letter(
        date="8 April 2011", addressee="Mrs Sally Crossley", title="Executive Director of "
        "Children's Services", council="Sheffield City Council", subject="Sheffield City Council",
        dates="on 8 and 9 March 2011",
        identified="The inspection identified one area for priority action and some areas for "
                   "development.",
        satisfactory=["Strategy discussions are held promptly and involve the police."],
        strengths=["Staff receive regular formal supervision, which is recorded and up to date."],
        development=["Initial assessments are sometimes completed and cases closed without the "
                     "child being seen or spoken to alone. This was also identified at the "
                     "previous inspection."],
        priority=["Caseloads for some social workers are unmanageably high, and this is leading "
                  "to delays in responding to referrals."]),
    "kent-2010.txt": _letter(
        date="20 October 2010", addressee="Mr Peter Gilroy", title="Corporate Director, Children, "
        "Families and Education", council="Kent County Council", subject="Kent County Council",
        dates="on 21 and 22 September 2010",
        identified="The inspection identified no areas for priority action.",
        satisfactory=["Decisions on new referrals are made within 24 hours."],
        strengths=["There is a well resourced out of hours service that is well integrated with "
                   "the assessment teams."],
        development=["Supervision is not held regularly for all staff and, when it takes place, "
                     "it is not consistently recorded."],
        priority=None),
    "hackney-2011.txt": _letter(
        date="14 November 2011", addressee="Mr Alan Wood", title="Corporate Director, Children "
        "and Young People's Services", council="London Borough of Hackney",
        subject="Hackney Council", dates="on 11 and 12 October 2011",
        identified="The inspection identified one area for priority action and some areas for "
                   "development.",
        satisfactory=["Child protection enquiries are undertaken promptly."],
        strengths=["Caseloads are manageable, and allocation takes account of the experience of "
                   "individual workers."],
        development=["Staff report that the electronic recording system is cumbersome and takes "
                     "time away from direct work with children."],
        priority=["Police notifications of domestic abuse incidents involving children have not "
                  "been screened, and the risks to these children have not been assessed."]),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
              ) -> Iterator[Assistant]:
    root = tmp_path_factory.mktemp("aggregate")
    folder = root / "letters"
    folder.mkdir()
    for name, text in LETTERS.items():
        (folder / name).write_text(text, encoding="utf-8")
    shutil.copy(REAL_LETTER, folder / REAL_LETTER.name)
    settings = StoreSettings(_env_file=None, data_dir=root / "store",  # type: ignore[call-arg]
                             collection_prefix="agg")
    client = make_client(settings)
    store = LetterStore(client, dimension=embedder.dimension, prefix="agg")
    report = IngestPipeline(store, embedder).ingest([folder])
    assert report.ok, report.to_dict()
    yield Assistant(store, embedder)
    close = getattr(client, "close", None)
    if close is not None:
        close()


def _councils(answer: Answer) -> set[str]:
    return {str(item["authority"]) for item in answer.items if item.get("authority")}


def _assert_verbatim(assistant: Assistant, answer: Answer) -> None:
    """Every citation, and every quote in the items, is a verbatim slice of its stored letter."""
    for citation in answer.citations:
        letter = assistant.catalog.get(citation.document_id)
        assert letter is not None
        assert letter.text[citation.char_start:citation.char_end] == citation.quote
    for item in answer.items:
        for record in [item, *item.get("letters", [])]:
            for quote in record.get("quotes", []):
                letter = assistant.catalog.get(record["document_id"])
                assert letter is not None
                assert letter.text[quote["char_start"]:quote["char_end"]] == quote["quote"]


def _assert_each_listed_council_cited(answer: Answer) -> None:
    cited = {c.authority for c in answer.citations}
    assert _councils(answer) <= cited


pytestmark = pytest.mark.slow


def test_no_priority_action_in_a_year(assistant: Assistant) -> None:
    answer = assistant.ask("Which councils inspected in 2010 had no area for priority action?")
    assert answer.kind == "list" and not answer.abstained
    assert _councils(answer) == {"Sheffield City Council", "Kent County Council"}
    _assert_verbatim(assistant, answer)
    _assert_each_listed_council_cited(answer)
    for citation in answer.citations:
        assert "no areas for priority action" in citation.quote.lower()


def test_count_is_exact_with_criteria_and_cited_list(assistant: Assistant) -> None:
    answer = assistant.ask("How many letters in 2009 raised cases closed without the child "
                           "being seen?")
    assert answer.kind == "count"
    assert answer.answer.startswith("2 letters match")
    assert "2009" in answer.answer and "without the child being seen" in answer.answer
    assert _councils(answer) == {"Leeds City Council", "Portsmouth City Council"}
    _assert_verbatim(assistant, answer)
    assert all("seen" in c.quote for c in answer.citations)


def test_topic_by_synonyms_and_polarity(assistant: Assistant) -> None:
    vacancies = assistant.ask("Which councils had social work vacancies?")
    assert _councils(vacancies) == {"Leeds City Council", "Portsmouth City Council",
                                    "City of Bradford Metropolitan District Council"}
    _assert_verbatim(assistant, vacancies)
    _assert_each_listed_council_cited(vacancies)
    # Bradford's vacant posts are in its Referral and Assessment Team.
    in_teams = assistant.ask("Which authorities had vacancies in their child protection teams?")
    assert _councils(in_teams) == {"Leeds City Council", "Portsmouth City Council"}

    caseloads = assistant.ask("Which councils had high caseloads raised as a concern?")
    assert _councils(caseloads) == {"Leeds City Council", "Sheffield City Council"}  # not Hackney

    praised = assistant.ask("Which councils were praised for their out of hours service?")
    assert _councils(praised) == {"Leeds City Council", "Portsmouth City Council",
                                  "Kent County Council"}  # Bradford's was a concern
    leeds = next(i for i in praised.items if i["authority"] == "Leeds City Council")
    assert len(leeds.get("letters", [leeds])) == 2  # one council, both its letters
    _assert_verbatim(assistant, praised)


def test_negated_topic_with_inspection_year(assistant: Assistant) -> None:
    answer = assistant.ask("Which councils inspected in 2011 did not have vacancies raised as a "
                           "concern?")
    # Bradford's letter is dated 2011 but the inspection took place in 2010.
    assert _councils(answer) == {"Leeds City Council", "Sheffield City Council",
                                 "London Borough of Hackney"}
    _assert_verbatim(assistant, answer)
    _assert_each_listed_council_cited(answer)


def test_priority_action_by_year(assistant: Assistant) -> None:
    answer = assistant.ask("Which councils inspected in 2009 had an area for priority action?")
    assert _councils(answer) == {"Leeds City Council", "Portsmouth City Council"}
    assert {c.section for c in answer.citations} == {PRIORITY_ACTION}
    _assert_verbatim(assistant, answer)


def test_no_letters_match_is_an_answer(assistant: Assistant) -> None:
    answer = assistant.ask("Which councils inspected in 2010 had unscreened domestic violence "
                           "notifications raised as a concern?")
    assert not answer.abstained and answer.kind == "list"
    assert answer.answer.startswith("No letters match")
    assert "3 letters inspected in 2010" in answer.answer  # Bradford, Sheffield, Kent
    assert answer.items == [{"matches": 0, "searched": 3, "criteria": answer.items[0]["criteria"]}]


def test_compare_two_councils_side_by_side(assistant: Assistant) -> None:
    answer = assistant.ask("Compare Leeds and Bradford's strengths")
    assert answer.kind == "compare"
    assert [i["authority"] for i in answer.items] == [
        "Leeds City Council", "City of Bradford Metropolitan District Council"]
    leeds, bradford = answer.items
    assert leeds["letter_date"] == "2011-03-01"  # the latest Leeds letter
    assert list(leeds["sections"]) == [STRENGTHS]
    assert len(leeds["sections"][STRENGTHS]) == 2 and len(bradford["sections"][STRENGTHS]) == 2
    assert {c.authority for c in answer.citations} == {
        "Leeds City Council", "City of Bradford Metropolitan District Council"}
    assert "Leeds City Council has 2 letters" in answer.answer
    _assert_verbatim(assistant, answer)


def test_timeline_of_one_council(assistant: Assistant) -> None:
    answer = assistant.ask("How did Sheffield's findings change between its two inspections?")
    assert answer.kind == "timeline"
    (item,) = answer.items
    dates = [x["letter_date"] for x in item["letters"]]
    assert dates == sorted(dates) and len(dates) == 2
    changes = {(c["section"], c["change"]) for c in item["changes"]}
    assert (PRIORITY_ACTION, "new") in changes
    assert (AREAS_FOR_DEVELOPMENT, "raised again") in changes
    new_priority = next(c for c in item["changes"] if c["section"] == PRIORITY_ACTION)
    assert "Caseloads" in new_priority["quote"]
    _assert_verbatim(assistant, answer)
    for change in item["changes"]:
        letter = assistant.catalog.get(change["to"] if change["change"] != "no longer raised"
                                       else change["from"])
        assert letter is not None
        assert letter.text[change["char_start"]:change["char_end"]] == change["quote"]


def test_priority_action_followed_into_the_next_letter(assistant: Assistant) -> None:
    query = understand("Was the priority action from Leeds's 2009 inspection still a concern in "
                       "2011?", assistant.gazetteer)
    query = dataclasses.replace(query, aggregate=TIMELINE)
    leeds = [x for x in assistant.catalog.all() if x.authority == "Leeds City Council"]
    draft, kind, items = assistant.aggregates.answer(query, leeds)
    assert draft is not None and kind == TIMELINE
    assert draft.text.startswith("No.")  # now a strength: children are seen promptly
    assert items[0]["change"] == "improved"
    assert items[0]["later"]["section"] == STRENGTHS


def test_count_of_findings_in_one_letter(assistant: Assistant) -> None:
    query = understand("How many areas for development were identified for Bradford?",
                       assistant.gazetteer)
    query = dataclasses.replace(query, aggregate=COUNT)
    bradford = [x for x in assistant.catalog.all() if x.authority and "Bradford" in x.authority]
    draft, kind, items = assistant.aggregates.answer(query, bradford)
    assert draft is not None and draft.text.startswith("1 area for development")
    assert len(items) == 1 and items[0]["section"] == AREAS_FOR_DEVELOPMENT


@pytest.mark.parametrize("question,expected", [
    ("Which councils were inspected since 2011?",
     {"Leeds City Council", "Sheffield City Council", "London Borough of Hackney"}),
    ("Which councils were inspected before 2010?",
     {"Leeds City Council", "Portsmouth City Council"}),
    ("Which councils were inspected between March and October 2010?",
     {"Sheffield City Council", "Kent County Council"}),
])
def test_date_windows(assistant: Assistant, question: str, expected: set[str]) -> None:
    query = understand(question, assistant.gazetteer)
    query = dataclasses.replace(query, years=[y for y in query.years if not
                                              re.search(rf"(?:since|before) {y}", question)])
    draft, _, items = assistant.aggregates.answer(query, assistant.catalog.all())
    assert draft is not None
    assert {i["authority"] for i in items} == expected


def test_metadata_across_letters(assistant: Assistant) -> None:
    answer = assistant.ask("Who signed the letters from 2010?")
    assert answer.kind == "list"
    assert len(answer.items) == 3  # Bradford (inspected 2010), Sheffield, Kent
    assert all("Margaret Ellison" in c.quote for c in answer.citations)
    _assert_verbatim(assistant, answer)

    signed = assistant.ask("How many of the letters were signed by Margaret Ellison?")
    assert signed.kind == "count" and signed.answer.startswith("7 letters match")


def test_long_lists_are_complete_in_items(assistant: Assistant,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aggregate_module, "MAX_LINES", 2)
    answer = assistant.ask("Which councils were inspected between 2009 and 2011?")
    assert len(answer.items) == 6  # Leeds, Bradford, Sheffield, Kent, Hackney, Portsmouth
    assert "and 4 more" in answer.answer
    assert len({c.authority for c in answer.citations}) == 2  # each line shown is cited
    _assert_verbatim(assistant, answer)


# ---- question reading (no model needed) -----------------------------------------------------

GAZETTEER = Gazetteer(["Leeds City Council", "City of Bradford Metropolitan District Council",
                       "Sheffield City Council"])


@pytest.mark.parametrize("question,topic", [
    ("Which authorities had vacancies in their child protection teams?",
     "vacancies in child protection teams"),
    ("How many letters in 2011 raised cases closed without the child being seen?",
     "cases closed without the child being seen"),
    ("Which councils inspected in 2010 had no area for priority action?", ""),
    ("Compare Leeds and Bradford's strengths", ""),
    ("How did Sheffield's findings change between its two inspections?", ""),
    ("List the councils where Ofsted was critical of weaknesses in the out of hours service.",
     "out of hours service"),
    ("Which councils had attention to equality and diversity identified as a strength?",
     "equality and diversity"),
])
def test_topic_phrase(question: str, topic: str, reader: QuestionReader) -> None:
    assert topic_phrase(understand(question, GAZETTEER, reader=reader)) == topic


def test_criteria_negation_sections_and_dates(reader: QuestionReader) -> None:
    crit = criteria_of(understand("Which councils inspected in 2010 had no area for priority "
                                  "action?", GAZETTEER, reader=reader))
    assert crit.negated and crit.section == PRIORITY_ACTION and crit.years == [2010]
    assert crit.topic is None and crit.unit == "councils"

    inside = criteria_of(understand("How many letters raised cases closed without the child "
                                    "being seen?", GAZETTEER, reader=reader))
    assert not inside.negated and inside.unit == "letters"  # "without" belongs to the topic

    both = criteria_of(understand("Which authorities had thresholds raised as an area for "
                                  "development or priority action?", GAZETTEER, reader=reader))
    assert set(both.sections()) == {AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION}

    two = criteria_of(understand("Which councils inspected in 2011 had two areas for priority "
                                 "action?", GAZETTEER, reader=reader))
    assert two.comparator == ("==", 2)
    more = criteria_of(understand("Which councils had more than one area for priority action?",
                                  GAZETTEER, reader=reader))
    assert more.comparator == (">", 1)

    month = criteria_of(understand("Which councils were inspected in May 2011?", GAZETTEER,
                                   reader=reader))
    assert month.window == ("2011-05-01", "2011-05-31") and month.topic is None
    spring = criteria_of(understand("Which letters between March and June 2010 raised "
                                    "supervision?", GAZETTEER, reader=reader))
    assert spring.window == ("2010-03-01", "2010-06-31")
    assert "between 1 March 2010 and 30 June 2010" in spring.describe()

    signed = criteria_of(understand("Which councils received a letter signed by Margaret "
                                    "Ellison?", GAZETTEER, reader=reader))
    assert signed.signatory == "Margaret Ellison" and signed.topic is None


@pytest.mark.parametrize("question", [
    "Compare Leeds and Bradford's strengths",  # a comparison
    "Which of Leeds or Bradford had an area for priority action?",  # a comparison as a list
    "How did Leeds change between its letters?",  # a comparison of one council: a timeline
    "Which councils had no area for priority action in 2010?",  # a list
])
def test_each_answer_reads_its_question_once(assistant: Assistant, question: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.aggregate as aggregate

    reads: list[str] = []
    real = aggregate.criteria_of
    monkeypatch.setattr(aggregate, "criteria_of",
                        lambda query: reads.append(query.text) or real(query))
    first = assistant.ask(question)
    assert len(reads) == 1 and first.kind in ("compare", "timeline", "list")
    monkeypatch.setattr(aggregate, "criteria_of", real)
    assert assistant.ask(question).answer == first.answer  # the copies leave the reading intact
