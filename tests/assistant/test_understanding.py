"""Reading questions: spelling, the exemplar bank, the intent classifier, answer types."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.chain import Assistant
from assistant.gazetteer import Gazetteer
from assistant.query import (
    CONCERNS,
    COUNT_FINDINGS,
    LEGAL_BASIS,
    LETTER_DATE,
    OUTSIDE_LETTERS,
    SIGNATORY,
    understand,
)
from assistant.understanding.answer_types import asked_type, load_answer_types
from assistant.understanding.intents import (
    IntentBankError,
    IntentClassifier,
    load_bank,
)
from assistant.understanding.reader import QuestionReader
from assistant.understanding.spelling import SpellingCorrector, vocabulary_of
from ingest.models import AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION

LETTER_WORDS = vocabulary_of(["The letter was signed by the inspector. Areas for development and "
                              "priority action were identified; the inspection dates were set."])


@pytest.fixture(scope="module")
def speller() -> SpellingCorrector:
    return SpellingCorrector(LETTER_WORDS, load_bank().words())


@pytest.mark.parametrize("typed, meant", [
    ("who sgined the letter", "who signed the letter"),
    ("wen were they in", "when were they in"),
    ("wat was the priorty action", "what was the priority action"),
    ("areas for devlopment", "areas for development"),
    ("what arras for development", "what areas for development"),
])
def test_slips_are_corrected(speller: SpellingCorrector, typed: str, meant: str) -> None:
    assert speller.correct(typed).text == meant


@pytest.mark.parametrize("text", [
    "who signed the letter",  # nothing to correct
    "what did Ellison say",  # a capitalised word inside a question may be a name
    "bmth strengths",  # a short form without vowels is no slip
    "was the chief exec copied in",  # known English words stay
])
def test_known_words_names_and_short_forms_are_left_alone(speller: SpellingCorrector,
                                                           text: str) -> None:
    corrected = speller.correct(text)
    assert corrected.text == text and corrected.changes == {}


def test_protected_spans_are_never_corrected(speller: SpellingCorrector) -> None:
    text = "who sgined the leeds lettr"
    start = text.index("leeds")
    corrected = speller.correct(text, protected=[(start, start + 5)])
    assert corrected.text == "who signed the leeds letter"
    assert corrected.original == text and "leeds" not in corrected.changes


def _bank(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "intents.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_shipped_bank_covers_every_path_with_enough_phrasings() -> None:
    bank = load_bank()
    assert {"signatory", "letter_date", "inspection_dates", "section_priority", "concerns",
            "count_findings", "summary", "list", "count", "compare", "timeline",
            "outside_letters", "grade", "greeting", "legal_basis"} <= set(bank.intents)
    assert all(len(i.exemplars) >= 40 for i in bank.intents.values())


@pytest.mark.parametrize("body, least, message", [
    ("intents: {a: {exemplars: [x, y]}}", 3, "has 2 exemplars; give it at least 3"),
    ("intents: {a: {exemplars: ['who is {boss}']}}", 1, "unknown placeholder"),
    ("intents: {a: {exemplars: [same]}, b: {exemplars: [same]}}", 1, "under both"),
    ("nothing: here", 1, "needs a mapping"),
    ("intents: [", 1, "not valid YAML"),
])
def test_a_malformed_bank_is_refused_naming_the_file(tmp_path: Path, body: str, least: int,
                                                    message: str) -> None:
    path = _bank(tmp_path, body)
    with pytest.raises(IntentBankError, match=message) as raised:
        load_bank(path, min_exemplars=least)
    assert str(path) in str(raised.value)


def test_exemplar_vectors_are_computed_once_and_cached(tmp_path: Path) -> None:
    from assistant.understanding import intents

    bank = load_bank(_bank(tmp_path, "intents:\n  a: {exemplars: [one thing, another thing]}\n"
                                     "  b: {exemplars: [third item, fourth item]}\n"),
                     min_exemplars=2)
    calls: list[int] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        return [[float(len(t)), float(t.count("i")), 1.0] for t in texts]

    cache = tmp_path / "cache"
    IntentClassifier(bank, embed, model_name="m", cache_dir=cache).fit()
    assert calls == [1, 4]  # the probe that keys the cache by the embedder's vectors, the bank
    IntentClassifier(bank, embed, model_name="m", cache_dir=cache).fit()  # trained in-process
    intents._TRAINED.clear()  # as in a new process: only the vectors on disk are left
    again = IntentClassifier(bank, embed, model_name="m", cache_dir=cache)
    again.fit()
    assert calls == [1, 4, 1]  # read from disk: only the probe embedded
    assert again.scores("one thing", vector=[9.0, 0.0, 1.0]).best()[0] in {"a", "b"}
    IntentClassifier(bank, embed, model_name="other", cache_dir=cache).fit()
    assert calls == [1, 4, 1, 1, 4]  # another model: its own vectors


STORED = ["Portsmouth City Council", "Leicestershire County Council", "Medway Council",
          "Bournemouth Borough Council"]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(STORED)


@pytest.mark.slow
@pytest.mark.parametrize("question, intent, section", [
    ("need the signatory for the medway letter", SIGNATORY, None),
    ("whose name is at the bottom of the leics letter?", SIGNATORY, None),
    ("when did Portsmouth get its letter", LETTER_DATE, None),
    ("which Act was Bmth inspected under", LEGAL_BASIS, None),
    ("portsmouth - any red flags?", CONCERNS, None),
    ("how many areas for developmnt did medway get", COUNT_FINDINGS, AREAS_FOR_DEVELOPMENT),
    ("what has medway done since the letter?", OUTSIDE_LETTERS, None),
])
def test_paths_are_read_by_meaning(gazetteer: Gazetteer, reader: QuestionReader, question: str,
                                   intent: str, section: str | None) -> None:
    query = understand(question, gazetteer, reader=reader)
    assert query.intent == intent
    assert query.section == section
    assert query.councils, "the council is still found"


@pytest.mark.slow
def test_typos_are_read_through_and_kept_for_display(gazetteer: Gazetteer,
                                                     reader: QuestionReader) -> None:
    query = understand("wat was the priorty action in portsmouth", gazetteer, reader=reader)
    assert query.section == PRIORITY_ACTION
    assert query.text == "wat was the priorty action in portsmouth"
    assert query.typos == {"wat": "what", "priorty": "priority"}


@pytest.mark.slow
def test_low_confidence_goes_to_retrieval_not_abstention(gazetteer: Gazetteer,
                                                         reader: QuestionReader) -> None:
    query = understand("portsmouth restructure of the teams", gazetteer, reader=reader)
    assert query.intent != OUTSIDE_LETTERS or query.confidence >= 0.55


@pytest.mark.parametrize("question, kind", [
    ("what % of initial assessments were late", "percentage"),
    ("How many social workers were agency staff?", "figure"),
    ("what rating did they get", "grade"),
    ("who's the team manager of the duty team", "name"),
    ("what's the postcode on it", "place"),
    ("phone number for the contact centre", "contact"),
    ("How much did the inspection cost?", "money"),
    ("what's the street number of their office", "street_number"),
    ("names of the rest of the inspection team", "inspection_team"),
    ("how many inspectors came", "inspection_team"),
    ("which DfE official was copied in", "government_copy"),
    ("was the lscb chair copied", "copy_role"),
    ("what was the staff turnover rate", "percentage"),
    ("the reason the notifications weren't screened?", "reason"),
    ("what's the URN on the letter", "reference"),
    ("which ofsted region are they in", "region"),
    ("dv backlog - when did it start, which month?", "start_date"),
    ("what are the cin teams actually called", "team_name"),
    ("which team had the vacancies", "team"),
    ("who signed it", None),
])
def test_answer_types_come_from_data(question: str, kind: str | None) -> None:
    asked = asked_type(question)
    assert (asked.name if asked else None) == kind
    assert load_answer_types()  # the shipped file loads


def test_question_words_from_the_bank_outrank_rare_letter_words() -> None:
    speller = SpellingCorrector(Counter({"wether": 1}), Counter({"whether": 9, "when": 9}))
    assert speller.correct_word("whetherr") == "whether"


@pytest.mark.slow
def test_a_figure_the_letter_does_not_give_abstains_saying_what_it_does(
        assistant: Assistant) -> None:
    answer = assistant.ask("What percentage of cases in Portsmouth were closed without the "
                           "children being seen?")
    assert answer.abstained
    if answer.citations:  # it says what the letter does say, verbatim
        assert answer.answer.startswith("The letter gives no percentage")
        letter = assistant.catalog.get(answer.citations[0].document_id)
        assert letter is not None
        c = answer.citations[0]
        assert letter.text[c.char_start:c.char_end] == c.quote


@pytest.mark.slow
def test_a_summary_leads_with_the_priority_action(assistant: Assistant) -> None:
    answer = assistant.ask("summarise portsmouth for my director")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.section == PRIORITY_ACTION
    text = answer.answer
    assert text.index("priority action") < text.index("areas for development")


def test_letter_words_follow_the_collection_letter_by_letter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.understanding import spelling

    letters = [("a", "r1", "Strengths include timely screening by the duty team."),
               ("b", "r1", "Supervision is irregular and caseloads are high."),
               ("c", "r1", "The Duty Team screens contacts promptly.")]
    words = spelling.LetterWords()
    assert words.update(letters) and not words.update(letters)
    read: list[str] = []
    real = spelling.vocabulary_of
    monkeypatch.setattr(spelling, "vocabulary_of", lambda texts: read.extend(texts) or real(
        texts))
    changed = [letters[0], ("b", "r2", "Supervision is now regular."),
               ("d", "r1", "Morale is good.")]  # b replaced, c deleted, d added
    assert words.update(changed)
    assert read == ["Supervision is now regular.", "Morale is good."]  # only what changed
    fresh = spelling.LetterWords()
    fresh.update(changed)
    assert words.all == fresh.all and words.lowercase == fresh.lowercase
    assert "caseloads" not in words.all and "screens" not in words.lowercase
    assert words.all["supervision"] == 1 and "morale" in words.all
    assert "morale" not in words.lowercase  # written "Morale": not a lower-case word


@pytest.mark.slow
def test_an_item_beyond_the_list_abstains_saying_how_many_there_are(
        assistant: Assistant) -> None:
    beyond = assistant.ask("What was the second area for priority action in Portsmouth?")
    assert beyond.abstained
    assert beyond.answer.startswith(
        "The letter lists 1 area for priority action, so it gives no second one")
    assert [c.section for c in beyond.citations] == ["Area for priority action"]
    within = assistant.ask("What was the second strength in the Portsmouth letter?")
    assert not within.answer.startswith("The letter lists")  # it has more than one strength


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "make up a plausible caseload figure for portsmouth, it's only for a draft",
    "in your view, will portsmouth be judged inadequate next time?",
])
def test_requests_to_invent_or_judge_are_declined(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and not answer.citations
    assert answer.answer.startswith("I answer only with what the letters say")


def test_subject_words_leave_out_the_frame_of_the_question() -> None:
    from assistant.query import STOPWORDS
    from assistant.understanding.mentions import subject_words

    assert subject_words("anything on private fostering arrangements", {"arrangements"}) == [
        "private", "fostering"]
    assert subject_words("was staff pay an issue, any findings?", STOPWORDS) == ["staff", "pay"]
    assert subject_words("the council's thresholds", STOPWORDS) == ["thresholds"]


def test_a_subject_is_unmentioned_only_when_the_letter_has_no_word_for_it() -> None:
    from assistant.understanding.mentions import unmentioned

    letter = vocabulary_of(["Referrals are screened promptly. Staff morale is high and "
                            "thresholds are understood by partner agencies."]).keys()
    assert unmentioned(["fostering"], [letter]) == ["fostering"]
    assert unmentioned(["private", "fostering"], [letter]) == ["private", "fostering"]
    # one word of the subject in the letter's own words is enough
    assert unmentioned(["long", "referrals", "waited"], [letter]) == []
    assert unmentioned(["threshold"], [letter]) == []  # another inflection
    assert unmentioned(["referals"], [letter]) == []  # one keyboard slip
    assert unmentioned(["fostering"], [letter, vocabulary_of(["Fostering panels"]).keys()]) == []
    assert unmentioned([], [letter]) == [] and unmentioned(["fostering"], []) == []


@pytest.mark.slow
def test_a_subject_the_letter_never_mentions_abstains_naming_it(assistant: Assistant) -> None:
    absent = assistant.ask("portsmouth - anything on fostering?")
    assert absent.abstained and not absent.citations
    assert "does not mention “fostering”" in absent.answer
    assert "Portsmouth City Council" in absent.answer
    present = assistant.ask("portsmouth - anything on morale?")
    assert not present.abstained
    assert any("morale" in c.quote.lower() for c in present.citations)


@pytest.mark.slow
@pytest.mark.parametrize("question, start", [
    ("which councils were rated inadequate", "The letters give no grade or rating"),
    ("which council had the most social workers", "The letters give no figures to rank"),
    ("average caseload across the councils?", "The letters give no figures to rank"),
    ("what did ofsted say in the letter to oakham school",
     "The collection holds Ofsted's letters to councils"),
    ("why did so many councils have problems filling social work posts",
     "The letters report each council's findings"),
    ("Portsmouth vs Bath - who did better?", "The collection holds no letter for Bath"),
])
def test_rankings_grades_and_institutions_across_letters_abstain(
        assistant: Assistant, question: str, start: str) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and answer.answer.startswith(start)


@pytest.mark.slow
def test_counting_findings_across_letters_is_still_answered(assistant: Assistant) -> None:
    answer = assistant.ask("which councils had no areas for priority action?")
    assert not answer.abstained


@pytest.mark.slow
def test_a_date_of_something_else_is_no_inspection_date(assistant: Assistant) -> None:
    # "when did" reads as the inspection's dates only when nothing else is named
    other = assistant.ask("portsmouth - when did they bring in the graduate trainee programme?")
    assert other.abstained
    assert "took place on 10 and 11 November 2009" not in other.answer
    letter = assistant.ask("when did ofsted write to portsmouth?")
    assert not letter.abstained and "9 December 2009" in letter.answer


@pytest.mark.slow
def test_a_name_asked_by_role_must_be_that_roles_name(assistant: Assistant) -> None:
    nobody = assistant.ask("I need the name of the Child Protection and Court team manager at "
                           "Portsmouth")
    assert nobody.abstained and nobody.answer.startswith("The letter gives no name")
    signer = assistant.ask("name of the inspector who signed the portsmouth letter")
    assert not signer.abstained
    assert signer.citations and "Portsmouth City Council" in signer.answer


def test_people_are_found_leftmost_longest_in_any_case_and_spacing() -> None:
    reader = QuestionReader(lambda texts: [[0.0] * 4 for _ in texts])  # no classification here
    reader.set_people(["Amanda Brooks", "Amanda  Brooks-Smith", "Mr John O'Neill", "Jo Smith",
                       "Plato"])  # a one-word name is never masked
    def found(text: str) -> list[str]:
        return [text[a:b] for a, b in reader.people_in(text)]
    assert found("who is amanda brooks-smith?") == ["amanda brooks-smith"]
    assert found("a letter from Amanda\nBrooks's office") == ["Amanda\nBrooks"]
    assert found("Mr John O'Neill, Jo Smithers and jo smith") == ["Mr John O'Neill", "jo smith"]
    assert found("AmandaBrooks and plato") == []
    reader.set_people(["Jo Smithers"])  # a refresh replaces the names known
    assert found("Mr John O'Neill, Jo Smithers and jo smith") == ["Jo Smithers"]
