"""Question understanding: councils, years, intents, aggregates and follow-ups."""

from __future__ import annotations

from collections.abc import Callable

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
    Query,
    understand,
)
from assistant.understanding.reader import QuestionReader
from ingest.models import AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION, STRENGTHS

STORED = ["Portsmouth City Council", "Leeds City Council", "London Borough of Hackney",
          "Bradford Metropolitan District Council"]


Ask = Callable[..., Query]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(STORED, common_words={"reading", "cases", "children", "leads"})


@pytest.fixture(scope="module")
def ask(gazetteer: Gazetteer, reader: QuestionReader) -> Ask:
    """``understand`` with the real reader (spelling, intents by meaning)."""
    def run(question: str, history: list[Turn] | None = None, filters: Filters | None = None,
            gaz: Gazetteer | None = None) -> Query:
        return understand(question, gaz or gazetteer, history, filters, reader)
    return run


@pytest.mark.parametrize("question, expected", [
    ("What was the priority action in Portsmouth?", "Portsmouth City Council"),
    ("Who signed the Portsmouth City Council letter?", "Portsmouth City Council"),
    ("what did LB Hackney's letter say?", "London Borough of Hackney"),
    ("strengths of london borough of hackney", "London Borough of Hackney"),
    ("leeds strengths", "Leeds City Council"),
    ("What were Portsmuth's strengths?", "Portsmouth City Council"),  # typo
    ("Bradford areas for development", "Bradford Metropolitan District Council"),
])
def test_recognises_stored_councils(ask: Ask, question: str, expected: str) -> None:
    query = ask(question)
    assert [c.authorities for c in query.councils] == [[expected]]
    assert query.councils[0].in_collection


def test_council_not_in_collection_is_recognised_as_unknown(ask: Ask) -> None:
    query = ask("What did the Sheffield letter say about caseloads?")
    assert [c.place for c in query.unknown_councils] == ["sheffield"]
    assert query.known_places == []


def test_no_council_in_ordinary_words(ask: Ask) -> None:
    query = ask("Which cases were closed without the children being seen?")
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
def test_metadata_intents(ask: Ask, question: str, intent: str) -> None:
    assert ask(question).intent == intent


@pytest.mark.parametrize("question, section", [
    ("What was the area for priority action in Portsmouth in 2009?", PRIORITY_ACTION),
    ("What were Leeds's strengths?", STRENGTHS),
    ("List the areas for development for Hackney", AREAS_FOR_DEVELOPMENT),
    ("What weaknesses did inspectors find in Bradford?", AREAS_FOR_DEVELOPMENT),
])
def test_section_intents(ask: Ask, question: str, section: str) -> None:
    query = ask(question)
    assert section in query.sections  # "weaknesses": every concern, development and priority
    assert query.aggregate is None


@pytest.mark.parametrize("question, aggregate", [
    ("Which councils inspected in 2010 had no area for priority action?", LIST),
    ("How many letters in 2011 raised cases closed without the child being seen?", COUNT),
    ("Compare Leeds and Bradford's strengths", COMPARE),
    ("How did Leeds's findings change between its two inspections?", TIMELINE),
])
def test_aggregate_intents(ask: Ask, question: str, aggregate: str) -> None:
    assert ask(question).aggregate == aggregate


def test_years_and_ranges(ask: Ask) -> None:
    assert ask("Portsmouth in 2009").years == [2009]
    assert ask("letters between 2009 and 2011").years == [2009, 2010, 2011]


def test_followup_inherits_council_year_and_topic(ask: Ask) -> None:
    history = [Turn(question="What was the priority action for Leeds in 2010?", answer="...")]
    signed = ask("And who signed it?", history)
    assert signed.is_followup and signed.intent == SIGNATORY
    assert [c.place for c in signed.councils] == ["leeds"] and signed.years == [2010]
    assert "councils" in signed.inherited

    again = ask("what about its areas for development?", history)
    assert again.section == AREAS_FOR_DEVELOPMENT
    assert [c.place for c in again.councils] == ["leeds"]

    other = ask("And Hackney?", history)
    assert [c.place for c in other.councils] == ["hackney"]
    assert other.section == PRIORITY_ACTION  # the topic carries over, the council does not
    assert other.years == []


def test_new_question_with_a_council_does_not_inherit(ask: Ask) -> None:
    history = [Turn(question="Who signed the Leeds letter in 2010?", answer="...")]
    query = ask("What were Portsmouth's strengths?", history)
    assert [c.place for c in query.councils] == ["portsmouth"]
    assert query.years == [] and not query.inherited


def test_filters_apply_when_question_is_silent(ask: Ask) -> None:
    query = ask("Who signed the letter?", filters=Filters(authority="Leeds",
                                                                               year=2011))
    assert [c.place for c in query.councils] == ["leeds"] and query.years == [2011]


def test_abbreviated_council_names(ask: Ask) -> None:
    query = ask("Which responsibilities were carried out satisfactorily in Bradford MDC?")
    assert query.known_places == ["bradford"] and query.intent is None
    assert ask("What kind of inspection was carried out in Leeds CC?").intent != COPY_LIST


def test_council_outside_the_gazetteer_is_unknown(ask: Ask) -> None:
    query = ask("what did ofsted find in glasgow city council's children's services")
    assert [c.place for c in query.unknown_councils] == ["glasgow"]
    assert ask("Which council had the most strengths?").councils == []


def test_residual_separates_section_questions_from_topics(ask: Ask) -> None:
    assert ask("What strengths did the inspectors find in Leeds?").residual == []
    assert ask("And what went well?").residual == []
    narrowed = ask("What strengths did Leeds have in supervision?")
    assert narrowed.section == STRENGTHS and narrowed.residual == ["supervision"]


def test_open_ended_years_are_not_year_filters(ask: Ask) -> None:
    assert ask("Which councils had vacancies since 2010?").years == []
    assert ask("Letters between 2009 and 2010").years == [2009, 2010]


@pytest.mark.parametrize("question", [
    "When is Leeds's next inspection due?",
    "How did Bradford respond to the inspection findings?",
    "What was in Hackney's action plan?",
])
def test_questions_about_what_came_after_the_letter(ask: Ask, question: str) -> None:
    assert ask(question).intent == OUTSIDE_LETTERS


def test_typos_in_multi_word_names(ask: Ask) -> None:
    places = Gazetteer(["Central Bedfordshire Council"], common_words={"central"})
    assert ask("When was Central Bedofrdshire inspected?", gaz=places).known_places == [
        "central bedfordshire"]
