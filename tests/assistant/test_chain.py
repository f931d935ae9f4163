"""The whole chain over a real store: the real Portsmouth letter and three genre letters."""

from __future__ import annotations

import re

import pytest

from assistant.chain import Assistant
from assistant.models import Answer, Filters, Turn

pytestmark = pytest.mark.slow


def assert_verbatim(assistant: Assistant, answer: Answer) -> None:
    """Every citation is exactly a slice of the stored letter; markers are 1..n."""
    for citation in answer.citations:
        letter = assistant.catalog.get(citation.document_id)
        assert letter is not None
        assert letter.text[citation.char_start:citation.char_end] == citation.quote
    markers = sorted({int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)})
    assert markers == list(range(1, len(answer.citations) + 1))


def test_portsmouth_inspection_dates(assistant: Assistant) -> None:
    answer = assistant.ask("When was Portsmouth inspected?")
    assert not answer.abstained
    assert "10 and 11 November 2009" in answer.answer
    assert "conducted on 10 and 11 November 2009" in answer.citations[0].quote
    assert_verbatim(assistant, answer)


def test_portsmouth_priority_action(assistant: Assistant) -> None:
    answer = assistant.ask("What was the area for priority action in Portsmouth in 2009?")
    assert "closed without the children being seen" in answer.answer
    assert answer.citations[0].section == "Area for priority action"
    assert answer.citations[0].source == "portsmouth-2009-ucra-letter.txt"
    assert answer.citations[0].authority == "Portsmouth City Council"
    assert_verbatim(assistant, answer)


def test_portsmouth_strengths_are_all_listed_and_cited(assistant: Assistant) -> None:
    answer = assistant.ask("What were Portsmouth's strengths?")
    assert len(answer.citations) == 7
    assert {c.section for c in answer.citations} == {"Strengths"}
    assert "out of hours service" in answer.answer
    assert_verbatim(assistant, answer)


def test_emergency_duty_team_is_a_short_exact_quote(assistant: Assistant) -> None:
    answer = assistant.ask("What did the Portsmouth letter say about the Emergency Duty Team?")
    assert not answer.abstained
    assert "Emergency Duty Team provides a well resourced, robust and effective service" \
        in answer.answer
    assert len(answer.answer.split()) < 60
    assert_verbatim(assistant, answer)


def test_copy_list_and_signatory(assistant: Assistant) -> None:
    copies = assistant.ask("Who was the Portsmouth letter copied to?")
    for person in ("David Williams", "Cllr John Ireland", "Andrew Spencer"):
        assert person in copies.answer
    assert "Andrew Spencer" in copies.citations[0].quote
    signed = assistant.ask("Who signed the Portsmouth letter?")
    assert "Heather Brown" in signed.answer
    assert "Divisional Manager, Social Care Safeguarding" in signed.answer
    assert "Heather Brown" in signed.citations[0].quote
    assert_verbatim(assistant, copies)
    assert_verbatim(assistant, signed)


def test_followups_inherit_the_council(assistant: Assistant) -> None:
    history = [Turn(question="What was the area for priority action in Portsmouth?",
                    answer="Some cases ... [1].")]
    signed = assistant.ask("And who signed it?", history)
    assert "Heather Brown" in signed.answer
    development = assistant.ask("what about its areas for development?", history)
    assert {c.section for c in development.citations} == {"Areas for development"}
    assert all(c.authority == "Portsmouth City Council" for c in development.citations)


def test_absent_council_abstains_and_says_what_is_covered(assistant: Assistant) -> None:
    answer = assistant.ask("What was the area for priority action in Sheffield?")
    assert answer.abstained and answer.citations == []
    assert "Sheffield" in answer.answer and "Portsmouth City Council" in answer.answer


def test_absent_year_abstains(assistant: Assistant) -> None:
    answer = assistant.ask("Who signed the Portsmouth letter in 2012?")
    assert answer.abstained
    assert "2009" in answer.answer  # what the collection does hold


def test_fact_no_letter_states_abstains(assistant: Assistant) -> None:
    answer = assistant.ask("What budget did Portsmouth have for children's services?")
    # It abstains; a quote, if any, says what the letter does say instead (verified).
    assert answer.abstained
    assert not answer.citations or answer.answer.startswith("The letter gives no figure")
    assert_verbatim(assistant, answer)


def test_latest_letter_is_used_and_named(assistant: Assistant) -> None:
    answer = assistant.ask("Who signed the Leeds letter?")
    assert "Sarah Whitfield" in answer.answer  # 2011 letter, the latest
    assert "latest of 2 letters" in answer.answer
    earlier = assistant.ask("Who signed the Leeds letter in 2010?")
    assert "Peter Grainger" in earlier.answer


def test_no_priority_action_is_answered_not_abstained(assistant: Assistant) -> None:
    answer = assistant.ask("Was there any priority action in Hackney?")
    assert not answer.abstained
    assert answer.answer.startswith("No.")
    assert "no areas for priority action" in answer.citations[0].quote
    two = assistant.ask("Were there any areas for priority action for Leeds in 2010?")
    assert two.answer.startswith("Yes.") and len(two.citations) == 2


def test_injection_in_a_letter_changes_nothing(assistant: Assistant) -> None:
    answer = assistant.ask("What were Hackney's strengths?")
    assert len(answer.citations) == 2
    assert "outstanding" not in answer.answer.lower()
    signed = assistant.ask("Who signed the Hackney letter?")
    assert "Amanda Brooks" in signed.answer


def test_filters_restrict_the_letter(assistant: Assistant) -> None:
    answer = assistant.ask("Who signed the letter?", filters=Filters(authority="Leeds",
                                                                    year=2010))
    assert "Peter Grainger" in answer.answer


def test_runnable_interface(assistant: Assistant) -> None:
    single = assistant.invoke({"question": "When was Hackney inspected?"})
    assert "9 and 10 November 2010" in single.answer
    batch = assistant.batch(["Who signed the Hackney letter?", "When was Portsmouth inspected?"])
    assert "Amanda Brooks" in batch[0].answer and "November 2009" in batch[1].answer
    events = list(assistant.stream("What were Leeds's areas for development in 2010?"))
    assert [e.type for e in events][-2:] == ["citations", "answer"]
    streamed = "".join(e.text for e in events if e.type == "token")
    assert streamed == events[-1].answer.answer


def test_answer_object_matches_the_contract(assistant: Assistant) -> None:
    data = assistant.ask("When was Portsmouth inspected?", id="q1").to_contract()
    assert data["id"] == "q1"
    assert {"answer", "abstained", "citations", "timings_ms"} <= data.keys()
    citation = data["citations"][0]
    assert {"marker", "document_id", "source", "authority", "inspection_date", "section",
            "quote", "char_start", "char_end", "score"} <= citation.keys()
    assert citation["inspection_date"] == "2009-11-10"
    assert {"retrieval", "total"} <= data["timings_ms"].keys() or "total" in data["timings_ms"]


def test_inspection_year_is_not_the_letter_year(assistant: Assistant) -> None:
    # Portsmouth was inspected in November 2009 and written to in December 2009.
    assert assistant.ask("When was Portsmouth inspected in 2010?").abstained
    assert not assistant.ask("When was Portsmouth inspected in 2009?").abstained


def test_what_happened_after_the_letter_is_not_in_it(assistant: Assistant) -> None:
    answer = assistant.ask("When is Portsmouth's next inspection due?")
    assert answer.abstained and answer.citations == []
    assert "Portsmouth City Council" in answer.answer  # says what the collection covers


def test_quantity_questions_need_a_number(assistant: Assistant) -> None:
    # Portsmouth's letter speaks of "manageable workloads" but gives no figure ...
    answer = assistant.ask("What was the average caseload per social worker in Portsmouth?")
    assert answer.abstained
    # ... Leeds's 2010 letter does: "more than thirty cases".
    leeds = assistant.ask("How many cases did social workers in Leeds hold in 2010?")
    assert not leeds.abstained and "thirty cases" in leeds.answer


def test_a_council_alone_gets_a_summary(assistant: Assistant) -> None:
    answer = assistant.ask("Tell me about Portsmouth")
    sections = {c.section for c in answer.citations}
    assert {"Area for priority action", "Areas for development", "Strengths"} <= sections
    assert_verbatim(assistant, answer)
    assert assistant.ask("Leeds 2010").citations[0].authority == "Leeds City Council"


def test_a_greeting_gets_help_not_a_search(assistant: Assistant) -> None:
    answer = assistant.ask("hello")
    assert answer.abstained and "for example" in answer.answer
    assert "4 letters" in answer.answer


def test_who_is_a_person_named_in_the_letters(assistant: Assistant) -> None:
    signatory = assistant.ask("Who is Heather Brown?")
    assert "signed the letter of 9 December 2009" in signatory.answer
    assert "Heather Brown" in signatory.citations[0].quote
    both = assistant.ask("who is julian wooster")  # addressee, and copied in as board chair
    assert len(both.citations) == 2
    assert "Acting Chair of Portsmouth Safeguarding Children Board" in both.answer
    assert_verbatim(assistant, both)
    assert assistant.ask("Who is Jane Nobody?").abstained


def test_a_count_of_findings_gives_the_figure_and_the_letters_own_words(
        assistant: Assistant) -> None:
    answer = assistant.ask("how many priority actions did Leeds get in 2010")
    assert not answer.abstained
    assert "lists 2 areas for priority action" in answer.answer
    assert "identified two areas for priority action" in answer.citations[0].quote
    assert {c.section for c in answer.citations[1:]} == {"Area for priority action"}
    assert len(answer.citations) == 3
    assert_verbatim(assistant, answer)


def test_no_priority_action_is_said_in_the_letters_words(assistant: Assistant) -> None:
    answer = assistant.ask("did leeds have any priority actions in 2011?")
    assert answer.answer.startswith("No.")
    assert "identified no areas for priority action" in answer.answer
    assert_verbatim(assistant, answer)


def test_a_postcode_is_the_councils_unless_ofsted_is_named(assistant: Assistant) -> None:
    council = assistant.ask("leeds 2011 postcode on the letter?")
    assert "LS2 8DT" in council.answer and "M1 2WD" not in council.answer
    ofsted = assistant.ask("what's ofsted's postcode on the leeds 2011 letter")
    assert "M1 2WD" in ofsted.answer
    assert_verbatim(assistant, council)
    assert_verbatim(assistant, ofsted)


def test_a_followup_naming_only_another_letter_asks_the_last_question_again(
        assistant: Assistant) -> None:
    first = "leeds 2010 - who signed it?"
    history = [Turn(question=first, answer=assistant.ask(first).answer)]
    again = assistant.ask("and the 2011 one?", history)
    assert again.resolved["intent"] == "signatory"
    assert all(c.letter_date.startswith("2011") for c in again.citations)
    dates = "when were inspectors in leeds in 2011?"
    history = [Turn(question=dates, answer=assistant.ask(dates).answer)]
    before = assistant.ask("and the time before that?", history)
    assert "15 and 16 June 2010" in before.answer
    assert "22 and 23 March 2011" not in before.answer


def test_a_short_form_cue_beats_a_likelier_reading_without_one(assistant: Assistant) -> None:
    answer = assistant.ask("who was cc'd on the portsmouth letter")
    assert answer.resolved["intent"] == "copy_list"
    assert "Andrew Spencer" in answer.answer


def test_what_came_after_the_visit_is_answered_only_by_work_the_letter_saw_under_way(
        assistant: Assistant) -> None:
    later = assistant.ask("has leeds sorted out its child protection allocation delays since?")
    assert later.abstained
    assert "not what happened afterwards" in later.answer
    under_way = assistant.ask(
        "portsmouth - the restructure of the initial assessment and protection service, "
        "did they say if it worked?")
    assert not under_way.abstained
    assert "too early to assess the impact" in under_way.answer
    assert_verbatim(assistant, under_way)


def test_a_topic_in_other_words_is_answered_from_the_findings_of_its_theme(
        assistant: Assistant) -> None:
    answer = assistant.ask("portsmouth - is the nigth cover any good?")
    assert not answer.abstained
    assert "Emergency Duty Team" in answer.answer
    assert_verbatim(assistant, answer)


def test_a_subject_the_letter_never_mentions_is_not_answered_with_a_field(
        assistant: Assistant) -> None:
    answer = assistant.ask("anything on child sexual exploitation in the portsmouth letter")
    assert answer.abstained
    assert "does not mention" in answer.answer and "exploitation" in answer.answer


def test_two_fields_asked_together_are_both_answered(assistant: Assistant) -> None:
    answer = assistant.ask("portsmouth - what type of inspection was it, and under which act?")
    assert not answer.abstained
    assert "section 138" in answer.answer
    assert "unannounced inspection" in answer.answer.lower()
    assert set(answer.resolved.get("also", [])) | {answer.resolved["intent"]} >= {
        "inspection_type", "legal_basis"}
    assert_verbatim(assistant, answer)
