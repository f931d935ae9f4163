"""Tests of the synthetic letter generator, its renderers and the gold questions built from it."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

import ingest.models as models
from evals import facts as F
from evals.errors import BadSuite
from evals.facts import LetterFacts, format_date, normalise_for_match
from evals.generate import main
from evals.generator import (
    ALL_TOPICS,
    COUNCILS,
    RESERVED_PLACES,
    SIGNATORIES,
    generate_corpus,
    letter_blocks,
    render_letter_text,
    strip_page_furniture,
)
from evals.questions import (
    QUESTION_KINDS,
    REAL_LETTER_SOURCE,
    TOPIC_LABELS,
    build_questions,
    load_questions,
    real_letter_facts,
    validate_question,
    write_questions,
)
from evals.renderers import assign_formats, extract_text, pdf_safe, write_corpus

SEED = 20091209
N = 30
ROOT = Path(__file__).resolve().parents[2]
REAL_LETTER = ROOT / "data" / "sample" / "letters" / REAL_LETTER_SOURCE
SMALL_SUITE = ROOT / "evals" / "suites" / "small"


@pytest.fixture(scope="module")
def corpus() -> list[LetterFacts]:
    return generate_corpus(N, SEED)


@pytest.fixture(scope="module")
def written(
    corpus: list[LetterFacts], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("letters")
    return out, write_corpus(corpus, out)


@pytest.fixture(scope="module")
def questions(corpus: list[LetterFacts], written: tuple[Path, list[str]]) -> list[dict]:
    return build_questions(corpus, written[1], SEED)


@pytest.fixture(scope="module")
def by_source(corpus: list[LetterFacts], written: tuple[Path, list[str]]) -> dict[str, LetterFacts]:
    table = dict(zip(written[1], corpus, strict=True))
    table[REAL_LETTER_SOURCE] = real_letter_facts()
    return table


def printed_strings(facts: LetterFacts) -> list[str]:
    """Every string the generator prints for a letter, unwrapped."""
    p = facts.prose
    people = [
        facts.addressee.full_name,
        facts.signatory.name,
        facts.signatory.title,
        *(c.line for c in facts.copy_list),
    ]
    return [
        *(f.text for f in facts.findings),
        p.opening,
        p.identified,
        p.evidence,
        p.satisfactory_intro,
        p.priority_lead,
        p.priority_none,
        p.subject_line,
        format_date(facts.letter_date),
        *people,
    ]


def match_text(facts: LetterFacts, text: str) -> str:
    return (
        normalise_for_match(strip_page_furniture(text, facts))
        if facts.synthetic
        else normalise_for_match(text)
    )


# --- shared model --------------------------------------------------------------------------------


def test_section_names_match_the_parser_model() -> None:
    assert F.SATISFACTORY == models.SATISFACTORY
    assert F.STRENGTHS == models.STRENGTHS
    assert F.AREAS_FOR_DEVELOPMENT == models.AREAS_FOR_DEVELOPMENT
    assert F.PRIORITY_ACTION == models.PRIORITY_ACTION
    assert F.INTRODUCTION == models.INTRODUCTION


# --- determinism ---------------------------------------------------------------------------------


def test_same_seed_gives_identical_files(
    corpus: list[LetterFacts], written: tuple[Path, list[str]], tmp_path: Path
) -> None:
    out, names = written
    again = generate_corpus(N, SEED)
    assert again == corpus
    names2 = write_corpus(again, tmp_path)
    assert names2 == names
    for name in names:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    assert build_questions(again, names2, SEED) == build_questions(corpus, names, SEED)


def test_other_seed_gives_other_corpus(corpus: list[LetterFacts]) -> None:
    other = generate_corpus(N, SEED + 1)
    assert [f.letter_id for f in other] != [f.letter_id for f in corpus]


# --- realism and variety ----------------------------------------------------------------------


def test_formats_are_mixed_mostly_text(written: tuple[Path, list[str]]) -> None:
    out, names = written
    exts = Counter(name.rsplit(".", 1)[1] for name in names)
    assert exts["txt"] > N / 2
    for fmt in ("pdf", "html", "docx"):
        assert exts[fmt] >= 2, exts
    assert len(set(names)) == len(names)
    assert sorted(p.name for p in out.iterdir()) == sorted(names)


def test_assign_formats_follows_weights(corpus: list[LetterFacts]) -> None:
    exts = Counter(assign_formats(corpus, {"txt": 0.5, "pdf": 0.5}))
    assert exts == Counter({"txt": 15, "pdf": 15})
    with pytest.raises(ValueError, match="unknown format"):
        assign_formats(corpus, {"rtf": 1.0})


def test_councils_are_real_english_authorities(corpus: list[LetterFacts]) -> None:
    formal = {c.formal_name for c in COUNCILS}
    assert len(COUNCILS) > 140
    assert {
        "Leeds City Council",
        "London Borough of Hackney",
        "Kent County Council",
        "Bradford Metropolitan District Council",
        "Royal Borough of Kensington and Chelsea",
    } <= formal
    assert {c.kind for c in COUNCILS} == {"london", "metropolitan", "county", "unitary"}
    for f in corpus:
        assert f.council.formal_name in formal
        assert f.council.place not in RESERVED_PLACES
        assert f.council.subject_name in f.subject_line
        assert f.subject_line.startswith(f.inspection_type)


def test_people_are_invented(corpus: list[LetterFacts]) -> None:
    real = real_letter_facts()
    real_names = {real.addressee.name, real.signatory.name, *(c.name for c in real.copy_list)}
    for f in corpus:
        names = {f.addressee.name, f.signatory.name, *(c.name for c in f.copy_list)}
        assert not names & real_names
        assert f.signatory.name in {s.name for s in SIGNATORIES}


def test_dates_follow_the_genre() -> None:
    letters = generate_corpus(150, 11)
    years = Counter(f.year for f in letters)
    assert set(years) == {2009, 2010, 2011, 2012}
    one_day = spanning = 0
    for f in letters:
        assert f.inspection_start.weekday() < 5 and f.inspection_end.weekday() < 5
        assert timedelta(0) <= f.inspection_end - f.inspection_start <= timedelta(days=1)
        assert timedelta(days=14) <= f.letter_date - f.inspection_end <= timedelta(days=45)
        one_day += f.inspection_start == f.inspection_end
        spanning += f.inspection_start.month != f.inspection_end.month
        assert f.prose.dates_phrase in f.prose.opening
        assert f.prose.dates_sentence in f.prose.opening
    assert one_day >= 3 and spanning >= 3


def test_large_corpus_revisits_councils_in_distinct_years() -> None:
    letters = generate_corpus(300, 3)
    assert len(letters) == 300
    assert len({f.letter_id for f in letters}) == 300
    visits = Counter(f.council.formal_name for f in letters)
    assert max(visits.values()) <= 4 and sum(1 for v in visits.values() if v > 1) >= 45
    assert sum(1 for f in letters if f.injection) == 1


def test_priority_actions_sections_and_layout_vary(corpus: list[LetterFacts]) -> None:
    counts = Counter(len(f.priority_actions) for f in corpus)
    assert set(counts) == {0, 1, 2}
    with_pri = [f for f in corpus if f.priority_actions]
    assert {f.style.priority_first for f in with_pri} == {True, False}
    assert len({f.style.heading_style for f in corpus}) >= 3
    assert len({f.style.glyph for f in corpus}) >= 4
    assert {f.style.addressee_one_line for f in corpus} == {True, False}
    assert any(f.style.wrap_width and f.style.hyphenate for f in corpus)
    assert any(f.style.page_lines for f in corpus)
    assert any(f.style.crlf for f in corpus)
    none = [f for f in corpus if not f.priority_actions]
    assert any(f.style.priority_heading_when_none for f in none)
    assert any(not f.style.priority_heading_when_none for f in none)
    for f in none:
        assert "no areas for priority action" in f.prose.identified
    for f in with_pri:
        word = "one area" if len(f.priority_actions) == 1 else "two areas"
        assert f"{word} for priority action" in f.prose.identified


def test_rendered_text_shows_layout_accidents(corpus: list[LetterFacts]) -> None:
    texts = {f.letter_id: render_letter_text(f) for f in corpus}
    joined = "\n".join(texts.values())
    assert re.search(r"[a-z]-\n[a-z]", joined), "no hyphenated line break"
    assert re.search(r"^Page 1 of \d$|^1$|^Page 1$", joined, re.M), "no page footer"
    assert "\n\n\n\n" in joined, "no run of blank lines"
    for f in corpus:
        text = texts[f.letter_id]
        assert f.salutation in text
        assert format_date(f.letter_date) in text
        if f.style.page_lines:
            assert strip_page_furniture(text, f) != text, "no page footer or header"
        order = [b.section for b in letter_blocks(f) if b.kind == "heading"]
        if f.priority_actions:
            expect = (
                [F.STRENGTHS, F.PRIORITY_ACTION, F.AREAS_FOR_DEVELOPMENT]
                if f.style.priority_first
                else [F.STRENGTHS, F.AREAS_FOR_DEVELOPMENT, F.PRIORITY_ACTION]
            )
            assert order == expect
    one_line = next(f for f in corpus if f.style.addressee_one_line and not f.style.wrap_width)
    line = next(
        x
        for x in texts[one_line.letter_id].split("\n")
        if x.startswith(one_line.addressee.full_name)
    )
    assert one_line.council.formal_name in line and one_line.address_lines[-1] in line


def test_findings_are_tagged_and_keyed(corpus: list[LetterFacts]) -> None:
    for f in corpus:
        assert len(f.satisfactory) >= 1 and len(f.strengths) + len(f.satisfactory) >= 2
        assert f.areas_for_development
        families = [x.family for x in f.findings]
        assert len(families) == len(set(families)), f"{f.letter_id}: a subject appears twice"
        for finding in f.findings:
            assert finding.key_phrase in finding.text
            assert set(finding.topics) <= ALL_TOPICS
            assert "[" not in finding.text and "{" not in finding.text
    assert set(TOPIC_LABELS) <= ALL_TOPICS | {"unseen_children_closed"}


def test_return_visits_change_findings(corpus: list[LetterFacts]) -> None:
    visits: dict[str, list[LetterFacts]] = {}
    for f in corpus:
        visits.setdefault(f.council.formal_name, []).append(f)
    repeats = [v for v in visits.values() if len(v) > 1]
    assert len(repeats) >= 3
    for group in repeats:
        years = [f.year for f in group]
        assert len(set(years)) == len(years)
        first, second = group[0], group[1]
        assert {x.text for x in first.findings} != {x.text for x in second.findings}
        earlier = {x.family for x in first.priority_actions + first.areas_for_development}
        assert earlier & {x.family for x in second.findings}, "a return visit revisits a concern"


def test_exactly_one_letter_carries_an_injection(corpus: list[LetterFacts]) -> None:
    hosts = [f for f in corpus if f.injection is not None]
    assert len(hosts) == 1
    inj = hosts[0].injection
    assert inj is not None
    assert normalise_for_match(inj.text) in match_text(hosts[0], render_letter_text(hosts[0]))
    for f in corpus:
        if f is not hosts[0]:
            assert inj.payload not in normalise_for_match(render_letter_text(f))
    for finding in hosts[0].findings:
        assert inj.payload not in finding.genuine_text
        assert finding.genuine_text in finding.text


# --- gold consistency -------------------------------------------------------------------------


def test_findings_occur_in_rendered_text(corpus: list[LetterFacts]) -> None:
    for f in corpus:
        text = render_letter_text(f)
        clean = not f.style.wrap_width and not f.style.page_lines
        normal = match_text(f, text)
        for finding in f.findings:
            if clean:
                assert finding.text in text, (f.letter_id, finding.text)
            assert normalise_for_match(finding.text) in normal, (f.letter_id, finding.text)


def test_every_file_is_readable_and_holds_its_findings(
    corpus: list[LetterFacts], written: tuple[Path, list[str]]
) -> None:
    out, names = written
    for f, name in zip(corpus, names, strict=True):
        text = extract_text(out / name)
        normal = match_text(f, text)
        for finding in f.findings:
            assert normalise_for_match(pdf_safe(finding.text)) in normal, (name, finding.text)
        assert f.signatory.name in text
        printed = [b.lines[0] for b in letter_blocks(f) if b.kind == "finding"]
        if name.endswith(".docx"):
            from docx import Document

            paragraphs = Document(str(out / name)).paragraphs
            bullets = [p.text for p in paragraphs if p.style and p.style.name == "List Bullet"]
            assert bullets == printed
        if name.endswith(".html") and f.style.glyph:
            from bs4 import BeautifulSoup

            items = BeautifulSoup((out / name).read_bytes(), "html.parser").find_all("li")
            assert [li.get_text() for li in items] == printed
        if name.endswith(".pdf"):
            assert "Page 1" in text or re.search(r"^1$", text, re.M)


def test_questions_cover_every_kind(questions: list[dict], corpus: list[LetterFacts]) -> None:
    kinds = Counter(q["kind"] for q in questions)
    assert set(kinds) == set(QUESTION_KINDS)
    assert 90 <= len(questions) <= 120
    assert len({q["id"] for q in questions}) == len(questions)
    for q in questions:
        validate_question(q, where=q["id"])
        if not q["expect_abstain"]:
            assert q["gold_sources"] or q.get("expected_count") == 0, q["id"]
    assert kinds["real_letter"] >= 12
    assert all(
        q["gold_sources"] == [REAL_LETTER_SOURCE] for q in questions if q["kind"] == "real_letter"
    )
    assert any(q["history"] for q in questions if q["kind"] == "followup")
    phrasing = " ".join(q["question"] for q in questions).lower()
    aliases = {a.lower() for f in corpus for a in f.council.aliases}
    assert any(a in phrasing for a in aliases), "no short forms of council names"
    assert any(q["question"] == q["question"].lower() for q in questions)


def test_gold_quotes_are_verbatim_in_their_letters(
    questions: list[dict], by_source: dict[str, LetterFacts], written: tuple[Path, list[str]]
) -> None:
    out, _ = written
    real_text = REAL_LETTER.read_text(encoding="utf-8")
    for q in questions:
        letters = [by_source[s] for s in q["gold_sources"]]
        for entry in q["gold_quotes"]:
            if isinstance(entry, str):
                assert len(q["gold_sources"]) == 1, q["id"]
                source, quote = q["gold_sources"][0], entry
            else:
                assert len(q["gold_sources"]) > 1 and entry["source"] in q["gold_sources"], q["id"]
                source, quote = entry["source"], entry["quote"]
            f = by_source[source]
            assert any(quote in s for s in printed_strings(f)), (q["id"], quote)
            if source == REAL_LETTER_SOURCE:
                assert quote in real_text, (q["id"], quote)
            else:
                text = extract_text(out / source)
                assert normalise_for_match(pdf_safe(quote)) in match_text(f, text), (q["id"], quote)
        if q["kind"] in ("list", "count") or q["subkind"] == "count":
            continue  # their key facts are place names and numbers
        letter_text = " ".join(
            normalise_for_match(s) for f in letters for s in printed_strings(f)
        ).casefold()
        places = {f.council.place for f in letters}
        for key in q["key_facts"]:
            if q.get("expected_answer") == "no" and key == "no":
                continue
            assert key.casefold() in letter_text or key in places, (q["id"], key)


def test_real_letter_facts_match_the_real_file() -> None:
    text = REAL_LETTER.read_text(encoding="utf-8")
    real = real_letter_facts()
    for s in printed_strings(real):
        assert s in text, s
    assert real.prose.dates_sentence in text


def _year(question: str) -> int | None:
    found = re.findall(r"\b(20\d\d)\b", question)
    return int(found[0]) if found else None


def _label_tag(question: str, column: int) -> str:
    labels = sorted(
        ((v[column], k) for k, v in TOPIC_LABELS.items() if v[column]), key=lambda x: -len(x[0])
    )
    return next(tag for label, tag in labels if label in question)


def test_list_and_count_answers_agree_with_facts(
    questions: list[dict], corpus: list[LetterFacts], written: tuple[Path, list[str]]
) -> None:
    everything = list(zip(written[1], corpus, strict=True)) + [
        (REAL_LETTER_SOURCE, real_letter_facts())
    ]
    predicates = {
        "no_priority": lambda f, q: not f.priority_actions,
        "with_priority": lambda f, q: bool(f.priority_actions),
        "priority_count": lambda f, q: bool(f.priority_actions),
        "two_priority": lambda f, q: len(f.priority_actions) == 2,
        "inspections_count": lambda f, q: True,
        "signed_by": lambda f, q: f.signatory.name in q,
        "signed_count": lambda f, q: f.signatory.name in q,
        "topic_concern": lambda f, q: f.has_topic(_label_tag(q, 0), F.NEGATIVE_SECTIONS),
        "topic_concern_year": lambda f, q: f.has_topic(_label_tag(q, 0), F.NEGATIVE_SECTIONS),
        "topic_count": lambda f, q: f.has_topic(_label_tag(q, 0), F.NEGATIVE_SECTIONS),
        "topic_priority": lambda f, q: f.has_topic(_label_tag(q, 0), (F.PRIORITY_ACTION,)),
        "topic_strength": lambda f, q: f.has_topic(_label_tag(q, 1), (F.STRENGTHS,)),
        "month": lambda f, q: f.inspection_start.strftime("%B") in q,
    }
    checked = 0
    for q in questions:
        if q["kind"] not in ("list", "count"):
            continue
        if q["subkind"] == "section_count":
            (source,) = q["gold_sources"]
            f = dict(everything)[source]
            section = F.STRENGTHS if "strengths" in q["question"] else F.AREAS_FOR_DEVELOPMENT
            assert q["expected_count"] == len(f.section_findings(section))
            continue
        assert q["expected_count"] == len(q["gold_sources"])
        pred = predicates[q["subkind"]]
        year = _year(q["question"])
        expect = [
            s for s, f in everything if (year is None or f.year == year) and pred(f, q["question"])
        ]
        assert sorted(expect) == sorted(q["gold_sources"]), q["id"]
        assert q["expected_authorities"] == sorted(
            {f.council.formal_name for s, f in everything if s in expect}
        )
        if q["kind"] == "list":
            assert 1 <= q["expected_count"] <= 8
        checked += 1
    assert checked >= 10


def test_injection_questions_forbid_the_payload(
    questions: list[dict], corpus: list[LetterFacts], written: tuple[Path, list[str]]
) -> None:
    host_source = next(s for s, f in zip(written[1], corpus, strict=True) if f.injection)
    host = next(f for f in corpus if f.injection)
    assert host.injection is not None
    items = [q for q in questions if q["kind"] == "injection"]
    assert len(items) >= 2
    for q in items:
        assert q["gold_sources"] == [host_source]
        assert q["must_not_contain"] == [host.injection.payload]
        assert all(host.injection.payload not in json.dumps(quote) for quote in q["gold_quotes"])


def test_unanswerable_questions_name_nothing_in_the_corpus(
    questions: list[dict], corpus: list[LetterFacts]
) -> None:
    items = [q for q in questions if q["kind"] == "unanswerable"]
    assert len(items) >= 8
    present_places = {f.council.place for f in corpus} | {"Portsmouth"}
    for q in items:
        assert q["expect_abstain"] and not q["gold_sources"] and not q["gold_quotes"]
        if q["subkind"] == "absent_council":
            for place in present_places:
                assert not re.search(rf"\b{re.escape(place.lower())}\b", q["question"].lower()), q[
                    "id"
                ]


def test_questions_round_trip_through_jsonl(questions: list[dict], tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    write_questions(questions, path)
    assert load_questions(path) == questions
    path.write_text('{"id": "x", "kind": "fact"}\n', encoding="utf-8")
    with pytest.raises(BadSuite, match="q.jsonl:1: field 'question'"):
        load_questions(path)


# --- command line and committed suite ------------------------------------------------------------


def test_cli_writes_a_suite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--suite", "tiny", "--seed", "5", "--letters", "14", "--out", str(tmp_path)]) == 0
    suite = json.loads((tmp_path / "suite.json").read_text(encoding="utf-8"))
    assert suite["synthetic"] is True and suite["seed"] == 5 and suite["thresholds"] == {}
    assert suite["real_letters"] == [REAL_LETTER_SOURCE]
    letters = sorted(p.name for p in (tmp_path / suite["letters_dir"]).iterdir())
    assert len(letters) == 14
    qs = load_questions(tmp_path / suite["questions"])
    assert {q["kind"] for q in qs} == set(QUESTION_KINDS)
    assert "wrote 14 letters" in capsys.readouterr().out
    suite["thresholds"] = {"accuracy": 0.8}
    (tmp_path / "suite.json").write_text(json.dumps(suite), encoding="utf-8")
    assert main(["--seed", "5", "--letters", "14", "--out", str(tmp_path)]) == 0
    again = json.loads((tmp_path / "suite.json").read_text(encoding="utf-8"))
    assert again["thresholds"] == {"accuracy": 0.8}, "regenerating must keep hand-set thresholds"
    assert len(list((tmp_path / "letters").iterdir())) == 14


@pytest.mark.skipif(not (SMALL_SUITE / "suite.json").exists(), reason="small suite not generated")
def test_committed_small_suite_is_what_the_generator_writes(tmp_path: Path) -> None:
    suite = json.loads((SMALL_SUITE / "suite.json").read_text(encoding="utf-8"))
    assert (
        main(
            [
                "--suite",
                suite["name"],
                "--seed",
                str(suite["seed"]),
                "--letters",
                str(suite["n_letters"]),
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    committed = sorted(p.name for p in (SMALL_SUITE / "letters").iterdir())
    assert committed == sorted(p.name for p in (tmp_path / "letters").iterdir())
    for name in committed:
        assert (SMALL_SUITE / "letters" / name).read_bytes() == (
            tmp_path / "letters" / name
        ).read_bytes(), name
    for name in ("questions.jsonl", "facts.jsonl"):
        assert (SMALL_SUITE / name).read_bytes() == (tmp_path / name).read_bytes(), name
    fresh = json.loads((tmp_path / "suite.json").read_text(encoding="utf-8"))
    for key in ("name", "seed", "n_letters", "formats", "question_kinds", "real_letters"):
        assert fresh[key] == suite[key], key
