"""Lists, counts and timelines by theme through the real chain, over letters whose findings word
each theme in different ways (eight letters of the themes suite, six councils, three of them
inspected twice), in an embedded Chroma store with the real model; and the question side:
topic phrases read as themes, and structure-only conditions."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.chain import Assistant
from assistant.criteria import criteria_of
from assistant.gazetteer import Gazetteer
from assistant.models import Turn
from assistant.query import understand
from assistant.understanding.themes import ThemeReader
from evals.metrics import same_authority
from ingest.pipeline import IngestPipeline
from ingest.themes import load_taxonomy, parse_themes_field
from vectorstore.embedder import Embedder
from vectorstore.settings import StoreSettings
from vectorstore.store import LetterStore, make_client

SUITE = Path(__file__).resolve().parents[2] / "evals" / "suites" / "themes"
LETTERS = ("leeds-2009.txt", "leeds-2011.txt", "norfolk-2009.txt", "norfolk-2010.txt",
           "camden-2010.txt", "camden-2012.txt", "hackney-2011.txt", "plymouth-2011.txt")
NEGATIVE = ("development", "priority")


def _labelled(theme: str, sections: tuple[str, ...]) -> set[str]:
    """The councils whose letters (of the fixture) have a finding on ``theme`` in ``sections``,
    from the suite's hand labels."""
    out = set()
    for line in (SUITE / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["source"] in LETTERS and theme in item["themes"] and item["section"] in sections:
            out.add(item["authority"])
    return out


@pytest.fixture(scope="module")
def themes_store(tmp_path_factory: pytest.TempPathFactory,
                 embedder: Embedder) -> Iterator[LetterStore]:
    folder = tmp_path_factory.mktemp("themes-letters")
    for name in LETTERS:
        shutil.copy(SUITE / "letters" / name, folder / name)
    client = make_client(StoreSettings(data_dir=tmp_path_factory.mktemp("themes-store"),
                                       chroma_url=None))
    store = LetterStore(client, dimension=embedder.dimension, prefix="themes")
    report = IngestPipeline(store, embedder).ingest([folder])
    assert report.counts()["added"] == len(LETTERS)
    yield store


@pytest.fixture(scope="module")
def themed(themes_store: LetterStore, embedder: Embedder) -> Assistant:
    return Assistant(themes_store, embedder)


def _councils(answer: object) -> list[str]:
    return [str(item.get("authority")) for item in answer.items]  # type: ignore[attr-defined]


def test_ingest_tags_every_finding_and_where_queries_select_a_theme(
        themes_store: LetterStore) -> None:
    tagged = themes_store.get_chunks(where={"theme_out_of_hours": True})
    assert tagged
    for chunk in tagged:
        assert int(chunk.metadata["finding_index"]) >= 0  # findings only, never prose
        assert "out_of_hours" in parse_themes_field(chunk.metadata["themes"])
        assert str(chunk.metadata["themes_version"]).startswith(load_taxonomy().digest)
    findings = themes_store.get_chunks(where={"finding_index": {"$gte": 0}})
    assert all(c.metadata.get("themes") is not None for c in findings if not
               c.metadata.get("field"))


def test_a_theme_list_names_the_labelled_councils_and_says_how_it_read_the_topic(
        themed: Assistant) -> None:
    answer = themed.ask("which councils got told to sort out their EDT?")
    assert answer.kind == "list" and not answer.abstained
    assert "as the theme out-of-hours service" in answer.answer
    given = _councils(answer)
    for council in _labelled("out_of_hours", NEGATIVE):
        assert any(same_authority(council, g) for g in given), (council, given)
    for citation in answer.citations:  # only concerns were asked for
        assert citation.section in ("Areas for development", "Area for priority action")
        assert "out_of_hours" in citation.themes


def test_informal_words_reach_the_theme(themed: Assistant) -> None:
    answer = themed.ask("which places were short of social workers")
    assert "vacancies" in answer.answer.lower()
    given = _councils(answer)
    for council in _labelled("vacancies_recruitment", NEGATIVE):
        assert any(same_authority(council, g) for g in given), (council, given)


def test_structure_only_conditions_need_no_topic(themed: Assistant) -> None:
    twice = themed.ask("how many councils were inspected twice?")
    assert twice.kind == "count"
    assert sorted(_councils(twice)) == ["Leeds City Council", "London Borough of Camden",
                                        "Norfolk County Council"]
    assert "3 councils match" in twice.answer


def test_a_theme_followed_across_one_councils_visits(themed: Assistant) -> None:
    answer = themed.ask("camden - still short of social workers second time round?")
    assert answer.kind == "timeline" and not answer.abstained
    years = {c.letter_date[:4] for c in answer.citations if c.letter_date}
    assert years == {"2010", "2012"}
    assert all("vacancies_recruitment" in c.themes for c in answer.citations)


def test_get_themes_counts_findings_per_section(themed: Assistant) -> None:
    rows = {row["id"]: row for row in themed.themes()}
    assert len(rows) == len(load_taxonomy().themes)
    ooh = rows["out_of_hours"]
    assert ooh["findings"] >= len(_labelled("out_of_hours", NEGATIVE))
    assert ooh["letters"] <= len(LETTERS)
    assert sum(s["findings"] for s in ooh["sections"].values()) == ooh["findings"]


@pytest.mark.parametrize(("phrase", "theme"), [
    ("short of social workers", "vacancies_recruitment"),
    ("EDT", "out_of_hours"),
    ("kids not seen on their own", "children_seen_alone"),
    ("children not seen at all", "children_seen"),
    ("police referrals", "police_notifications"),
    ("weak sign-off by managers", "management_oversight"),
])
def test_topic_phrases_are_read_as_themes(phrase: str, theme: str) -> None:
    reading = ThemeReader(load_taxonomy()).read(phrase)
    assert reading is not None and reading.ids[0] == theme, reading


def test_a_capitalised_short_form_is_not_an_ordinary_word() -> None:
    reader = ThemeReader(load_taxonomy())
    assert reader.read("it was late") is None  # "IT" only in capitals
    reading = reader.read("IT problems")
    assert reading is not None and reading.ids == ("it_systems",)


@pytest.mark.parametrize(("question", "check"), [
    ("how many visits happened in a november, any year", lambda c: c.month == 11),
    ("how many of the inspections were only one day long", lambda c: c.days == 1),
    ("which councils had two visits", lambda c: c.twice),
    ("any letters with no priority actions that still had concerns about out of hours cover?",
     lambda c: c.structure == ("Area for priority action", "==", 0) and c.topic is not None),
    ("who was inspected in nov 2009", lambda c: c.window == ("2009-11-01", "2009-11-31")),
    ("which councils got two priority actions in 2010", lambda c: c.comparator == ("==", 2)),
])
def test_structure_only_conditions_are_read(question: str, check: object) -> None:
    query = understand(question, Gazetteer(["Leeds City Council"]))
    crit = criteria_of(query)
    assert check(crit), crit  # type: ignore[operator]


@pytest.mark.parametrize(("phrase", "themes", "any_of"), [
    # a theme whose word the other's description uses is a facet of it, not a second theme
    ("the thresholds partners work to", ("thresholds",), False),
    ("supervision that is not recorded", ("supervision",), False),
    ("vacancies and high caseloads", ("caseloads_workloads", "vacancies_recruitment"), False),
    # a shared noun spelt out: either theme qualifies
    ("late initial or core assessments", ("initial_assessment_timeliness",
                                          "core_assessment_timeliness"), True),
    ("assessments out of time - initial or core", ("initial_assessment_timeliness",
                                                   "core_assessment_timeliness"), True),
    ("a high vacancy rate", ("vacancies_recruitment",), False),  # "vacancies", singular
    ("children seen on own", ("children_seen_alone",), False),  # the possessive left out
])
def test_topic_phrases_with_several_words_for_themes(phrase: str, themes: tuple[str, ...],
                                                     any_of: bool) -> None:
    reading = ThemeReader(load_taxonomy()).read(phrase)
    assert reading is not None and reading.ids == themes and reading.any_of == any_of, reading


def _criteria(question: str) -> object:
    return criteria_of(understand(question, Gazetteer(["Leeds City Council"])))


def test_what_the_question_sets_apart_is_not_its_topic() -> None:
    crit = _criteria("apart from police notifications, which councils had findings on "
                     "domestic violence?")
    assert crit.set_aside == "police notifications"  # type: ignore[attr-defined]
    assert "police" not in crit.topic.text  # type: ignore[attr-defined]
    refused = _criteria("which councils had supervision as a priority action rather than an "
                        "area for development")
    assert refused.section == "Area for priority action"  # type: ignore[attr-defined]
    assert refused.also == ()  # type: ignore[attr-defined]


@pytest.mark.parametrize("question", [
    "how many separate councils had morale problems",
    "how many had morale problems (councils, not letters)",
])
def test_councils_counted_when_the_question_says_so(question: str) -> None:
    crit = _criteria(question)
    assert crit.unit == "councils"  # type: ignore[attr-defined]
    topic = crit.topic.text  # type: ignore[attr-defined]
    assert "morale" in topic and not {"separate", "councils", "not"} & set(topic.split())


def test_conditions_leave_no_words_in_the_topic() -> None:
    assert _criteria("which councils had two visits").topic is None  # type: ignore[attr-defined]
    november = _criteria("how many visits happened in a november, any year")
    assert november.topic is None and november.month == 11  # type: ignore[attr-defined]


def test_a_signatory_named_in_lower_case(themed: Assistant) -> None:
    answer = themed.ask("of anne oldroyd's letters, which ones had concerns about core "
                        "assessments")
    sources = {c.source for c in answer.citations}
    assert answer.kind == "list" and sources
    assert sources <= {"norfolk-2009.txt", "norfolk-2010.txt", "plymouth-2011.txt"}
    # two words before "'s letters" that name nobody who signs letters are no condition
    crit = themed.aggregates.select(understand(
        "of both city's letters, which ones had concerns about core assessments",
        themed.gazetteer), themed.catalog.all())[0]
    assert crit.signatory is None


def test_a_count_of_nothing_says_zero(themed: Assistant) -> None:
    answer = themed.ask("how many letters mention private fostering")
    assert answer.kind == "count" and answer.answer.startswith("0 letters match")


@pytest.mark.parametrize(("question", "words"), [
    # courtesy and the asker's own scaffolding are no topic
    ("could you tell me which councils had problems with supervision? it's for a committee "
     "paper so I need all of them", {"could", "you", "tell", "committee", "paper", "need"}),
    ("I'm trying to work out which authorities were short of social workers",
     {"m", "trying", "work", "out"}),
    ("I'd be grateful if you could list the councils with weak supervision",
     {"d", "grateful", "could", "list"}),
    ("councils inspected in an october, whichever year it was, with concerns about morale",
     {"whichever", "year", "was"}),
])
def test_the_askers_scaffolding_is_not_the_topic(question: str, words: set[str]) -> None:
    crit = _criteria(question)
    topic = crit.topic.text.lower()  # type: ignore[attr-defined]
    assert not words & set(re.findall(r"[a-z]+", topic)), topic


@pytest.mark.parametrize(("question", "polarity"), [
    ("which councils had supervision that wasn't regular enough", "negative"),
    ("case files not up to date - which las", "negative"),
    ("which LAs had inappropriate referrals to social care", "negative"),
    ("assessment quality not good enough - who", "negative"),
    ("which councils got a good word for their EDT", "positive"),
    ("number of letters praising strategy discussions", "positive"),
    ("out of hours cover, good or bad - which councils", None),
    ("where does morale come up either way", None),
])
def test_the_polarity_the_topic_words_ask_for(question: str, polarity: str | None) -> None:
    crit = _criteria(question)
    assert crit.topic is not None and crit.topic.polarity == polarity, crit  # type: ignore[attr-defined]


@pytest.mark.parametrize(("question", "check"), [
    ("which councils were only inspected once", lambda c: c.once and not c.twice),
    ("apart from the councils inspected twice, who had morale problems",
     lambda c: c.once and not c.twice and c.set_aside is None),
    ("not counting the letters with two priority actions, which had vacancy problems",
     lambda c: c.structure == ("Area for priority action", "!=", 2) and c.comparator is None),
    ("how many letters went out in may 2011", lambda c: c.letter_dated),
    ("which letters were signed by linda pritchard",
     lambda c: c.signatory == "linda pritchard"),
    ("of the letters Mary Smith signed, which had morale concerns",
     lambda c: c.signatory == "Mary Smith"),
    ("councils with no priority action that had development points on supervision",
     lambda c: c.structure == ("Area for priority action", "==", 0)
     and c.section == "Areas for development" and "development" not in c.topic.text),
    ("where were cases sitting with no social worker", lambda c: not c.negated),
    ("which councils had no concerns about supervision", lambda c: c.negated),
])
def test_more_structural_conditions_are_read(question: str, check: object) -> None:
    assert check(_criteria(question)), _criteria(question)  # type: ignore[operator]


@pytest.mark.parametrize(("phrase", "theme"), [
    ("no mgr sign off on files", "management_oversight"),
    ("sws carrying too many cases", "caseloads_workloads"),
    ("strategy mtgs", "strategy_discussions"),
    ("IAs late", "initial_assessment_timeliness"),
])
def test_short_forms_are_spelt_out_before_reading(phrase: str, theme: str) -> None:
    reading = ThemeReader(load_taxonomy()).read(phrase)
    assert reading is not None and theme in reading.ids, reading


def test_a_matter_set_apart_after_a_dash() -> None:
    crit = _criteria("which councils had findings on domestic violence work - not the "
                     "police notifications as such")
    assert crit.set_aside == "police notifications"  # type: ignore[attr-defined]


def test_who_got_credit_is_a_list_not_the_copy_list(themed: Assistant) -> None:
    answer = themed.ask("who got credit for their out of hours team")
    assert answer.kind == "list"
    want = _labelled("out_of_hours", ("satisfactory", "strength"))
    got = {c.authority for c in answer.citations}
    assert got and got <= want | {a for a in got if any(same_authority(a, w) for w in want)}


def test_which_of_one_councils_letters(themed: Assistant) -> None:
    answer = themed.ask("re Leeds: does either of their letters say anything about the "
                        "out of hours service?")
    assert answer.kind == "list"
    assert {c.source for c in answer.citations} <= {"leeds-2009.txt", "leeds-2011.txt"}
    assert answer.citations


def test_a_follow_up_narrows_the_list_before_it(themed: Assistant) -> None:
    asked = "which councils had out of hours problems"
    first = themed.ask(asked)
    history = [Turn(question=asked, answer=first.answer)]
    then = themed.ask("and in 2011 only?", history=history)
    assert then.kind == "list"
    years = {c.source.rsplit("-", 1)[1][:4] for c in then.citations}
    assert years <= {"2011"} and {c.source for c in then.citations} <= {
        c.source for c in first.citations}
    turned = themed.ask("same but the ones praised for it", history=history)
    praised = _labelled("out_of_hours", ("satisfactory", "strength"))
    assert turned.kind == "list" and turned.citations
    assert {c.authority for c in turned.citations} <= praised


@pytest.mark.parametrize(("question", "check"), [
    ("sept 2010 visits?", lambda c: c.window == ("2010-09-01", "2010-09-31")),
    ("any from march inspections?", lambda c: c.month == 3),
    ("Linda Pritchard - which letters did she sign", lambda c: c.signatory == "linda pritchard"),
    # signing off and a bare "who" leave no topic
    ("every letter Margaret Ellison signed", lambda c: c.signatory == "Margaret Ellison"),
    ("how many did Margaret Ellison sign off", lambda c: c.signatory == "Margaret Ellison"
     and c.topic is None),
    ("who got 2 priority actions", lambda c: c.comparator == ("==", 2) and c.topic is None),
    ("2010 visits that ended up with one priority action",
     lambda c: c.comparator == ("==", 1) and c.topic is None),
])
def test_terse_structural_questions(question: str, check: object) -> None:
    assert check(_criteria(question)), _criteria(question)  # type: ignore[operator]


@pytest.mark.parametrize(("question", "polarity"), [
    ("supervision a shambles - where", "negative"),
    ("who was on top of their strategy meetings", "positive"),
    ("EDT dodgy? which LAs", "negative"),
    ("teams swamped with work - which councils", "negative"),
    ("who couldn't recruit enough social workers", "negative"),
    ("where were inspectors happy with the EDT", "positive"),
    ("child in need plans a bit woolly - where", "negative"),
    ("recording system getting in the way - which councils", "negative"),
])
def test_slang_sets_the_polarity(question: str, polarity: str) -> None:
    crit = _criteria(question)
    assert crit.topic is not None and crit.topic.polarity == polarity, crit  # type: ignore[attr-defined]


def test_short_forms_in_capitals_are_not_spelling_slips(themed: Assistant) -> None:
    answer = themed.ask("IAs late - anyone?")
    assert answer.kind == "list"
    assert "IAs" not in answer.resolved.get("typos", {})


@pytest.mark.parametrize(("question", "check"), [
    ("how many councils were only inspected the once?", lambda c: c.once and c.topic is None),
    ("letters dated May 2011 - which councils",
     lambda c: c.letter_dated and c.window == ("2011-05-01", "2011-05-31") and c.topic is None),
    # "X was a strength" is praise (satisfactory findings too), "under strengths" the section
    ("where was supervision a strength", lambda c: c.section is None
     and c.topic is not None and c.topic.polarity == "positive"),
    ("which councils had supervision listed under strengths",
     lambda c: c.section == "Strengths"),
])
def test_once_letter_months_and_strength_as_praise(question: str, check: object) -> None:
    assert check(_criteria(question)), _criteria(question)  # type: ignore[operator]


def test_a_follow_up_that_reads_like_a_field_question_stays_a_list(themed: Assistant) -> None:
    asked = "which councils were praised for their out of hours service"
    first = themed.ask(asked)
    then = themed.ask("any of those inspected twice?",
                      history=[Turn(question=asked, answer=first.answer)])
    assert then.kind == "list" and then.citations
    twice = {"leeds-2009.txt", "leeds-2011.txt", "norfolk-2009.txt", "norfolk-2010.txt",
             "camden-2010.txt", "camden-2012.txt"}
    assert {c.source for c in then.citations} <= twice & {c.source for c in first.citations}


@pytest.mark.parametrize(("phrase", "theme"), [
    ("staff snowed under", "caseloads_workloads"),
    ("the 35 day ones running over", "core_assessment_timeliness"),
    ("DV notifications from the police not looked at", "police_notifications"),
])
def test_words_staff_ask_with_and_short_forms_of_a_facet(phrase: str, theme: str) -> None:
    reading = ThemeReader(load_taxonomy()).read(phrase)
    assert reading is not None and reading.ids == (theme,), reading


def test_a_follow_up_with_no_words_of_its_own_repeats_the_list(themed: Assistant) -> None:
    asked = "which letters had no priority action"
    first = themed.ask(asked)
    history = [Turn(question=asked, answer=first.answer)]
    counted = themed.ask("how many letters is that", history=history)
    listed = themed.ask("list those", history=history)
    assert counted.kind == "count" and listed.kind == "list"
    assert {c.source for c in listed.citations} == {c.source for c in first.citations}
    assert str(len({c.source for c in first.citations})) in counted.answer.split()[0]


def test_a_hyphenated_one_stays_in_the_topic() -> None:
    crit = _criteria("which councils had no regular one-to-ones for staff")
    assert crit.topic is not None and "one-to-ones" in crit.topic.text, crit  # type: ignore[attr-defined]


def test_a_follow_up_naming_a_section_searches_that_section(themed: Assistant) -> None:
    asked = "who was praised for their out of hours service"
    history = [Turn(question=asked, answer=themed.ask(asked).answer)]
    then = themed.ask("any where it was actually an area for development?", history=history)
    assert then.kind == "list"
    assert {c.authority for c in then.citations} <= _labelled("out_of_hours", ("development",))
