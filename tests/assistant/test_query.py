"""Question understanding: councils, years, intents, aggregates and follow-ups."""

from __future__ import annotations

import pytest

from assistant.gazetteer import Gazetteer
from assistant.models import Filters, Turn
from assistant.query import (
    COMPARE,
    COPY_LIST,
    COUNT,
    INSPECTION_DATES,
    LETTER_DATE,
    LIST,
    OUTSIDE_LETTERS,
    PRIORITY_EXISTS,
    SIGNATORY,
    TIMELINE,
    understand,
)
from ingest.models import AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION, STRENGTHS

STORED = ["Portsmouth City Council", "Leeds City Council", "London Borough of Hackney",
          "Bradford Metropolitan District Council"]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(STORED, common_words={"reading", "cases", "children", "leads"})


@pytest.mark.parametrize("question, expected", [
    ("What was the priority action in Portsmouth?", "Portsmouth City Council"),
    ("Who signed the Portsmouth City Council letter?", "Portsmouth City Council"),
    ("what did LB Hackney's letter say?", "London Borough of Hackney"),
    ("strengths of london borough of hackney", "London Borough of Hackney"),
    ("leeds strengths", "Leeds City Council"),
    ("What were Portsmuth's strengths?", "Portsmouth City Council"),  # typo
    ("Bradford areas for development", "Bradford Metropolitan District Council"),
])
def test_recognises_stored_councils(gazetteer: Gazetteer, question: str, expected: str) -> None:
    query = understand(question, gazetteer)
    assert [c.authorities for c in query.councils] == [[expected]]
    assert query.councils[0].in_collection


def test_council_not_in_collection_is_recognised_as_unknown(gazetteer: Gazetteer) -> None:
    query = understand("What did the Sheffield letter say about caseloads?", gazetteer)
    assert [c.place for c in query.unknown_councils] == ["sheffield"]
    assert query.known_places == []


def test_no_council_in_ordinary_words(gazetteer: Gazetteer) -> None:
    query = understand("Which cases were closed without the children being seen?", gazetteer)
    assert query.councils == []


@pytest.mark.parametrize("question, intent", [
    ("When was Portsmouth inspected?", INSPECTION_DATES),
    ("What were the dates of the inspection?", INSPECTION_DATES),
    ("When was the letter to Leeds written?", LETTER_DATE),
    ("Who signed the letter?", SIGNATORY),
    ("Who was the letter copied to?", COPY_LIST),
    ("Was there any priority action in Hackney?", PRIORITY_EXISTS),
    ("Were there any areas for priority action?", PRIORITY_EXISTS),
])
def test_metadata_intents(gazetteer: Gazetteer, question: str, intent: str) -> None:
    assert understand(question, gazetteer).intent == intent


@pytest.mark.parametrize("question, section", [
    ("What was the area for priority action in Portsmouth in 2009?", PRIORITY_ACTION),
    ("What were Leeds's strengths?", STRENGTHS),
    ("List the areas for development for Hackney", AREAS_FOR_DEVELOPMENT),
    ("What weaknesses did inspectors find in Bradford?", AREAS_FOR_DEVELOPMENT),
])
def test_section_intents(gazetteer: Gazetteer, question: str, section: str) -> None:
    query = understand(question, gazetteer)
    assert query.section == section
    assert query.aggregate is None


@pytest.mark.parametrize("question, aggregate", [
    ("Which councils inspected in 2010 had no area for priority action?", LIST),
    ("How many letters in 2011 raised cases closed without the child being seen?", COUNT),
    ("Compare Leeds and Bradford's strengths", COMPARE),
    ("How did Leeds's findings change between its two inspections?", TIMELINE),
])
def test_aggregate_intents(gazetteer: Gazetteer, question: str, aggregate: str) -> None:
    assert understand(question, gazetteer).aggregate == aggregate


def test_years_and_ranges(gazetteer: Gazetteer) -> None:
    assert understand("Portsmouth in 2009", gazetteer).years == [2009]
    assert understand("letters between 2009 and 2011", gazetteer).years == [2009, 2010, 2011]


def test_followup_inherits_council_year_and_topic(gazetteer: Gazetteer) -> None:
    history = [Turn(question="What was the priority action for Leeds in 2010?", answer="...")]
    signed = understand("And who signed it?", gazetteer, history)
    assert signed.is_followup and signed.intent == SIGNATORY
    assert [c.place for c in signed.councils] == ["leeds"] and signed.years == [2010]
    assert "councils" in signed.inherited

    again = understand("what about its areas for development?", gazetteer, history)
    assert again.section == AREAS_FOR_DEVELOPMENT
    assert [c.place for c in again.councils] == ["leeds"]

    other = understand("And Hackney?", gazetteer, history)
    assert [c.place for c in other.councils] == ["hackney"]
    assert other.section == PRIORITY_ACTION  # the topic carries over, the council does not
    assert other.years == []


def test_new_question_with_a_council_does_not_inherit(gazetteer: Gazetteer) -> None:
    history = [Turn(question="Who signed the Leeds letter in 2010?", answer="...")]
    query = understand("What were Portsmouth's strengths?", gazetteer, history)
    assert [c.place for c in query.councils] == ["portsmouth"]
    assert query.years == [] and not query.inherited


def test_filters_apply_when_question_is_silent(gazetteer: Gazetteer) -> None:
    query = understand("Who signed the letter?", gazetteer, filters=Filters(authority="Leeds",
                                                                               year=2011))
    assert [c.place for c in query.councils] == ["leeds"] and query.years == [2011]


def test_abbreviated_council_names(gazetteer: Gazetteer) -> None:
    query = understand("Which responsibilities were carried out satisfactorily in Bradford MDC?",
                       gazetteer)
    assert query.known_places == ["bradford"] and query.intent is None
    assert understand("What kind of inspection was carried out in Leeds CC?",
                      gazetteer).intent != COPY_LIST


def test_council_outside_the_gazetteer_is_unknown(gazetteer: Gazetteer) -> None:
    query = understand("what did ofsted find in glasgow city council's children's services",
                       gazetteer)
    assert [c.place for c in query.unknown_councils] == ["glasgow"]
    assert understand("Which council had the most strengths?", gazetteer).councils == []


def test_residual_separates_section_questions_from_topics(gazetteer: Gazetteer) -> None:
    assert understand("What strengths did the inspectors find in Leeds?", gazetteer).residual == []
    assert understand("And what went well?", gazetteer).residual == []
    narrowed = understand("What strengths did Leeds have in supervision?", gazetteer)
    assert narrowed.section == STRENGTHS and narrowed.residual == ["supervision"]


def test_open_ended_years_are_not_year_filters(gazetteer: Gazetteer) -> None:
    assert understand("Which councils had vacancies since 2010?", gazetteer).years == []
    assert understand("Letters between 2009 and 2010", gazetteer).years == [2009, 2010]


@pytest.mark.parametrize("question", [
    "When is Leeds's next inspection due?",
    "How did Bradford respond to the inspection findings?",
    "What was in Hackney's action plan?",
])
def test_questions_about_what_came_after_the_letter(gazetteer: Gazetteer, question: str) -> None:
    assert understand(question, gazetteer).intent == OUTSIDE_LETTERS


def test_typos_in_multi_word_names(gazetteer: Gazetteer) -> None:
    places = Gazetteer(["Central Bedfordshire Council"], common_words={"central"})
    assert understand("When was Central Bedofrdshire inspected?", places).known_places == [
        "central bedfordshire"]
