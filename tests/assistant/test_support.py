"""Claim support (assistant/support.py): unit checks, then the real chain over real HTTP.

The end-to-end half runs the real :class:`assistant.chain.Assistant` over the real Portsmouth
letter with the ``openai`` answerer pointing at the scripted server of
``tests/assistant/openai_server.py``; the scripted model invents a claim or a quotation next to a
true, quoted sentence, and the invented sentence must reach neither the answer nor, after the
``reset`` event, the streamed text.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.citations import Draft
from assistant.llm import LLMAnswerer, build_chat_model
from assistant.passages import Passage
from assistant.support import SupportChecker, split_sentences, threshold_reason
from tests.assistant.openai_server import OpenAIServer, RecordedRequest, Reply
from tests.assistant.test_llm import fenced_passages

MODEL = "test-model"
PRIORITY_Q = "What was the area for priority action in Portsmouth?"
INVENTED = "Portsmouth was rated outstanding in every area and had no concerns at all [1]."
INVENTED_QUOTE = 'The letter says that "Portsmouth has no areas for priority action at all" [1].'
PRIORITY = ("Some cases referred to the Initial Assessment Team, have been inappropriately closed "
            "without the children being seen and therefore their needs are not fully "
            "investigated.")


def _passage(text: str, section: str = "Area for priority action") -> Passage:
    return Passage(document_id="doc", source="portsmouth.txt", authority="Portsmouth City Council",
                   letter_date="2009-12-09", inspection_date="2009-11-10", section=section,
                   char_start=0, char_end=len(text), text=text)


def _bag_of_words(texts: list[str]) -> list[list[float]]:
    """A stand-in embedding for the unit tests: word counts over a fixed vocabulary."""
    vocabulary = sorted({w for t in texts for w in t.lower().split()})
    return [[float(t.lower().split().count(w)) for w in vocabulary] for t in texts]


# ---- units ---------------------------------------------------------------------------------------
def test_sentences_keep_their_markers_and_join_back() -> None:
    text = ('Cases were closed [1]. Staff said "morale is high". [2] Mr. Brown signed it [3].'
            "\n- A [1]")
    pieces = split_sentences(text)
    assert "".join(pieces) == text
    assert [p.strip() for p in pieces] == ["Cases were closed [1].",
                                           'Staff said "morale is high". [2]',
                                           "Mr. Brown signed it [3].", "- A [1]"]


@pytest.mark.parametrize(("sentence", "reason"), [
    ("Cases were closed without the children being seen.", "no valid citation marker"),
    ("Cases were closed without the children being seen [4].", "no valid citation marker"),
    ('The letter says "no case was ever closed" [1].', "quotation"),
    ("Portsmouth was rated outstanding [1].", "key term"),
    ("Leeds closed cases without the children being seen [1].", "key term"),
    ("Some cases were closed without the children being seen in 2011 [1].", "key term"),
    ("Cases referred to the Initial Assessment Team were inappropriately closed [1] "
     "and the children's needs were fully investigated.", "negation"),
])
def test_unsupported_sentences_are_rejected_with_a_reason(sentence: str, reason: str) -> None:
    [verdict] = SupportChecker(_bag_of_words).judge([sentence], [_passage(PRIORITY)])
    assert not verdict.supported
    assert reason in verdict.reason


TIMELINESS = ("The timeliness of initial assessments for children in need is poor, leading to "
              "delays in services being provided to some children and their families.")
BACKLOG = ("There is a backlog of police notifications of domestic violence, and some have not "
           "been screened for several weeks.")
ALMOST_ALL = "Almost all initial assessments are now completed within the required seven days."
THIRD = "The team is short of social workers, with a third of posts unfilled."
FALLEN = "The number of children waiting for a service has fallen this year."
FEW_ALONE = "Few of the children had been seen on their own during the enquiries."
NOT_YET = ("Weaknesses in recording are known to managers but have not yet been put right by "
           "managers.")
CHILD_MH = "Joint working with child and adolescent mental health services is good."
CLOSED_UNSEEN = "Some cases were closed without the children being seen."
UNANNOUNCED = "This was an unannounced inspection of contact, referral and assessment arrangements."
LATE_IA = "Some initial assessments are completed late."
SOME_SUPERVISION = "Some staff do not receive regular supervision."
NOT_COVERED = "There are vacant social work posts which are not covered."
CAF = "The common assessment framework is well established and used well by partners."
OVERSIGHT = "Management oversight of assessments is not consistently recorded."


@pytest.mark.parametrize(("sentence", "passage", "reason"), [
    ("The timeliness of initial assessments is not poor [1].", TIMELINESS, "denies"),
    ("There is no backlog of police notifications [1].", BACKLOG, "denies"),
    ("All initial assessments are now completed within the required seven days [1].",
     ALMOST_ALL, "hedges"),
    ("A quarter of social worker posts were unfilled [1].", THIRD, "key term"),
    ("Some notifications have not been screened for the past year [1].", BACKLOG, "key term"),
    ("A senior practitioner reviews police notifications every week [1].",
     "Police notifications are reviewed daily by a senior practitioner.", "key term"),
    ("Cultural needs are poorly considered in assessments [1].",
     "Cultural needs are satisfactorily considered in assessments.", "key term"),
    ("In 2011 some police notifications had not been screened for several weeks [1].", BACKLOG,
     "key term"),
    # "not all" is no evidence for "every" nor for "none"; a hyphenated negating prefix
    ("Every child who was assessed had been seen by a social worker [1].",
     "Not all children who are assessed have been seen by a social worker.", "quantifier"),
    ("Inspectors found that no children who were assessed had been seen [1].",
     "Not all children who are assessed have been seen by a social worker.", "none"),
    ("Assessments carefully consider the safety of the abusing parent [1].",
     "Assessments carefully consider the safety of the non-abusing parent.", "prefix"),
    # the passage's negation dropped, its verb in another tense
    ("Supervision took place at the frequency the policy requires [1].",
     "Supervision does not take place at the frequency the policy requires.", "drops a negation"),
    # another team or person than the passage names
    ("Frequent IT failures have disrupted the work of the out of hours service [1].",
     "Frequent IT failures have disrupted the work of the duty team.", "person, team"),
    ("Feedback to referrers about the outcome of referrals is inconsistent [1].",
     "Feedback to families about the outcome of referrals is inconsistent.", "person, team"),
    ("Initial assessments are completed within 6 working days [1].",
     "Initial assessments are completed within seven working days.", "key term"),
    ("Managers authorise next steps within a week [1].",
     "Managers authorise the next steps within 24 hours.", "key term"),
    ("The duty desk is outstanding and deals with enquiries efficiently [1].",
     "The duty desk is well staffed and deals with enquiries efficiently.", "key term"),
    # the opposite direction or amount, a fix the passage says is still to come, another group
    ("The number of children waiting for a service has grown this year [1].", FALLEN,
     "opposite direction"),
    ("Many of the children had been seen on their own [1].", FEW_ALONE, "opposite direction"),
    ("The weaknesses in recording have been put right by managers [1].", NOT_YET, "negation"),
    ("Joint working with adult mental health services is good [1].", CHILD_MH, "role=adult"),
    # a negating prefix dropped, the other of a pair, a cause nobody stated, "no" for "some"
    ("The visit was an announced inspection of referral arrangements [1].", UNANNOUNCED,
     "prefix"),
    ("Some core assessments are completed late [1].", LATE_IA, "pair"),
    ("The late initial assessments are caused by staff vacancies [1].", LATE_IA, "cause"),
    ("No staff receive regular supervision [1].", SOME_SUPERVISION, "none where"),
    ("Late initial assessments were listed as an area for development [1].", LATE_IA,
     "another section"),
    ("Staff vacancies are the reason initial assessments are late [1].", LATE_IA, "cause"),
])
def test_flipped_judgements_unhedged_quantifiers_and_other_figures_are_rejected(
        sentence: str, passage: str, reason: str) -> None:
    [verdict] = SupportChecker(_bag_of_words).judge([sentence], [_passage(passage)])
    assert not verdict.supported
    assert reason in verdict.reason


@pytest.mark.parametrize(("sentence", "passage"), [
    ("Initial assessments for children in need are not timely, which delays help for some "
     "families [1].", TIMELINESS),
    ("Some police notifications of domestic violence have not been screened for several weeks "
     "[1].", BACKLOG),
    ("Almost all initial assessments are now completed within the required seven days [1].",
     ALMOST_ALL),
    # "before" says what has not happened yet; "managers" are the management of the passage
    ("Some cases were closed before the children had been seen [1].", CLOSED_UNSEEN),
    ("Oversight of assessments by managers is not consistently recorded [1].", OVERSIGHT),
    # a prefix for the passage's own negation; a short form for its long form; no delay
    ("There are uncovered vacant social work posts [1].", NOT_COVERED),
    ("Partners use the CAF well, and it is well established [1].", CAF),
    # the genre's synonyms keep the overlap of a free paraphrase
    ("Some initial assessments are finished late [1].", LATE_IA),
    # "without delay" and "not delayed" say promptly, not something negative
    ("Child protection enquiries are carried out without delay by qualified social workers "
     "[1].", "Child protection enquiries are undertaken promptly by qualified social workers."),
    ("Urgent work passed on by the emergency duty team is not delayed [1].",
     "Information from the emergency duty team is passed on so that urgent work proceeds "
     "without delay."),
    # a judging adverb is its judgement; "one of" and a closing "first" are no figures;
    # "every day" is "daily"
    ("Cultural needs are given satisfactory consideration in assessments [1].",
     "Cultural needs are satisfactorily considered in assessments."),
    ("A market supplement was one of the measures that strengthened recruitment [1].",
     "Recruitment has been strengthened through a market supplement."),
    ("Enquiries began before a strategy discussion was held first [1].",
     "Enquiries began before a strategy discussion was held."),
    ("A senior practitioner reviews police notifications every day [1].",
     "Police notifications are reviewed daily by a senior practitioner."),
    # the cited letter's year places its finding; "well staffed" is good staffing
    ("In 2009 some police notifications had not been screened for several weeks [1].", BACKLOG),
    ("The duty desk has good staffing and deals with enquiries efficiently [1].",
     "The duty desk is well staffed and deals with enquiries efficiently."),
    ("Out of hours arrangements are weakly linked to the day teams [1].",
     "Out of hours arrangements are poorly linked to the day teams."),
    # a figure in digits or in words, "half" as "50%", "24 hours" as "a day"
    ("Initial assessments are completed within 7 working days [1].",
     "Initial assessments are completed within seven working days."),
    ("Less than 50% of initial assessments are completed in time [1].",
     "Fewer than half of initial assessments are completed in time."),
    ("Agencies share information promptly with one another [1].",
     "Agencies share information promptly with each other."),
    ("Managers authorise next steps within a day [1].",
     "Managers authorise the next steps within 24 hours."),
])
def test_true_restatements_of_those_passages_are_kept(sentence: str, passage: str) -> None:
    [verdict] = SupportChecker(_bag_of_words, min_similarity=0.0).judge([sentence],
                                                                        [_passage(passage)])
    assert verdict.supported, verdict


def test_a_quotation_of_the_passage_is_supported() -> None:
    sentence = ('The letter says some cases "have been inappropriately closed without the '
                'children being seen" [1].')
    [verdict] = SupportChecker(_bag_of_words).judge([sentence], [_passage(PRIORITY)])
    assert verdict.supported, verdict


def test_keep_supported_drops_only_the_unsupported_sentence(caplog: Any) -> None:
    good = ('Some cases "have been inappropriately closed without the children being seen" '
            '[1].')
    draft = Draft(text=f"{good} {INVENTED}", passages=[_passage(PRIORITY)])
    with caplog.at_level("WARNING", logger="assistant.support"):
        kept = SupportChecker(_bag_of_words).keep_supported(draft)
    assert kept is not None and kept.text == good
    [record] = [r for r in caplog.records if "dropped unsupported" in r.getMessage()]
    message = record.getMessage()
    assert "markers=1" in message and "reason=" in message
    assert "outstanding" not in message and "Portsmouth" not in message  # no letter text


def test_keep_supported_returns_none_when_nothing_is_supported() -> None:
    draft = Draft(text=INVENTED, passages=[_passage(PRIORITY)])
    assert SupportChecker(_bag_of_words).keep_supported(draft) is None


def test_keep_supported_leaves_an_all_supported_answer_untouched() -> None:
    text = ('Some cases "have been inappropriately closed without the children being seen" [1]. '
            'Their needs "are not fully investigated" [1].')
    draft = Draft(text=text, passages=[_passage(PRIORITY)])
    checker = SupportChecker(_bag_of_words, min_similarity=0.0)  # the stand-in is no MiniLM
    assert checker.keep_supported(draft) is draft


# ---- through the real chain ----------------------------------------------------------------------
def _quoting(extra: str) -> Any:
    """A responder quoting the priority-action passage truly, then adding ``extra``."""
    def respond(body: dict[str, Any]) -> Reply:
        passages = fenced_passages(RecordedRequest("POST", "/v1/chat/completions", {}, body))
        n = next(n for n, text in passages if "closed without the children being seen" in text)
        true = (f'The letter says some cases "have been inappropriately closed without the '
                f'children being seen" [{n}].')
        return Reply(f"{true} {extra.replace('[1]', f'[{n}]')}", chunk_size=2)
    return respond


def _assistant(store: Any, embedder: Any, server: OpenAIServer) -> Any:
    from assistant.chain import Assistant

    llm = LLMAnswerer(build_chat_model(server.base_url, MODEL, "key", 5.0, max_retries=0))
    return Assistant(store, embedder, llm=llm)


@pytest.mark.slow
@pytest.mark.parametrize("invented", [INVENTED, INVENTED_QUOTE], ids=["claim", "quote"])
def test_an_invented_sentence_reaches_neither_answer_nor_stream(portsmouth_store: Any,
                                                                embedder: Any,
                                                                invented: str) -> None:
    with OpenAIServer(model=MODEL, responder=_quoting(invented)) as server:
        assistant = _assistant(portsmouth_store, embedder, server)
        answer = assistant.ask(PRIORITY_Q)
        events = list(assistant.stream({"question": PRIORITY_Q}))
        assert len(server.completions) == 2
    words = "outstanding" if invented == INVENTED else "no areas for priority action"
    assert not answer.abstained and answer.citations
    assert "inappropriately closed without the children being seen" in answer.answer
    assert words not in answer.answer
    for citation in answer.citations:
        letter = portsmouth_store.get_letter(citation.document_id)
        assert citation.quote == letter.text[citation.char_start:citation.char_end]

    types = [e.type for e in events]
    assert "reset" in types, "the invented sentence was streamed, so clients must drop it"
    after_reset = "".join(e.text for e in events[types.index("reset") + 1:-2])
    final = events[-1].answer
    assert final is not None and after_reset == final.answer
    assert words not in after_reset and words not in final.answer
    assert final.answer == answer.answer


@pytest.mark.slow
def test_an_answer_with_no_supported_sentence_falls_back_with_a_warning(portsmouth_store: Any,
                                                                        embedder: Any) -> None:
    from assistant.chain import Assistant

    expected = Assistant(portsmouth_store, embedder).ask(PRIORITY_Q)
    with OpenAIServer(model=MODEL) as server:
        server.script(INVENTED)
        answer = _assistant(portsmouth_store, embedder, server).ask(PRIORITY_Q)
    assert answer.answer == expected.answer and answer.citations == expected.citations
    assert any("not supported by the passages" in w for w in answer.warnings)
    assert "outstanding" not in answer.answer


@pytest.mark.parametrize("sentence", [
    "The EDT answers referrals promptly out of hours [1].",
    "The MASH screens every contact the same day [1].",
])
def test_a_short_form_is_found_by_its_long_form(sentence: str) -> None:
    passage = _passage("The emergency duty team answers referrals promptly out of hours and the "
                       "multi-agency safeguarding hub screens every contact the same day.",
                       "Areas of strength")
    [verdict] = SupportChecker(_bag_of_words, min_similarity=0.0).judge([sentence], [passage])
    assert "key term" not in verdict.reason, verdict


@pytest.mark.parametrize(("similarity", "overlap", "reason"), [
    (0.9, 0.7, "supported"),
    (0.8, 0.4, "supported"),  # very close in meaning: fewer of its own words suffice
    (0.6, 0.4, "too few of its words"),
    (0.8, 0.2, "too few of its words"),
    (0.2, 0.9, "meaning is not close"),
])
def test_the_thresholds_of_similarity_and_overlap(similarity: float, overlap: float,
                                                  reason: str) -> None:
    assert reason in threshold_reason(similarity, overlap, 0.32, 0.60)
