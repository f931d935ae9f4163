"""The theme taxonomy (a data file, validated with clear errors) and the tagger that reads what a
finding is about from its vector, with the real model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ingest.themes import (
    THEMES_FILE,
    TaxonomyError,
    ThemeTagger,
    load_taxonomy,
    parse_themes_field,
    themes_field,
)
from vectorstore.embedder import Embedder


def test_the_shipped_taxonomy_is_complete() -> None:
    taxonomy = load_taxonomy()
    assert 30 <= len(taxonomy.themes) <= 60
    ids = [t.id for t in taxonomy.themes]
    assert len(ids) == len(set(ids))
    for needed in ("out_of_hours", "children_seen", "children_seen_alone", "supervision",
                   "initial_assessment_timeliness", "core_assessment_timeliness",
                   "vacancies_recruitment", "caseloads_workloads", "morale", "thresholds"):
        assert needed in ids
    for theme in taxonomy.themes:
        assert theme.definition and theme.terms and len(theme.examples) >= 12
        assert all(c in ids for c in theme.contrast)
    assert taxonomy.labelled, "the labelled findings are further training examples"


def _write(tmp_path: Path, themes: list[dict[str, object]]) -> Path:
    path = tmp_path / "themes.yaml"
    path.write_text(json.dumps({"version": 1, "themes": themes}), encoding="utf-8")
    return path


def _theme(theme_id: str, **extra: object) -> dict[str, object]:
    return {"id": theme_id, "name": theme_id.title(), "definition": "d", "terms": ["t"],
            "examples": [f"example {i} of {theme_id}" for i in range(8)], **extra}


@pytest.mark.parametrize(("themes", "says"), [
    ([_theme("Bad Id")], "lower_snake_case"),
    ([_theme("a"), _theme("a")], "used twice"),
    ([{**_theme("a"), "examples": ["one"]}], "at least 8"),
    ([_theme("a", contrast=["nope"])], "unknown theme"),
    ([{**_theme("a"), "terms": []}], "'terms'"),
])
def test_a_malformed_taxonomy_names_the_file_and_theme(tmp_path: Path,
                                                      themes: list[dict[str, object]],
                                                      says: str) -> None:
    path = _write(tmp_path, themes)
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy.__wrapped__(path, None)
    assert str(path) in str(err.value) and says in str(err.value)


def test_words_only_staff_ask_with_read_questions_not_findings(tmp_path: Path) -> None:
    from assistant.understanding.themes import ThemeReader
    path = _write(tmp_path, [_theme("workloads", terms=["caseloads"], asked=["drowning"]),
                             _theme("morale", terms=["morale"])])
    taxonomy = load_taxonomy.__wrapped__(path, None)
    assert taxonomy.by_id["workloads"].question_terms == ("caseloads", "drowning")
    reading = ThemeReader(taxonomy).read("workers drowning")
    assert reading is not None and reading.ids == ("workloads",)
    tagger = ThemeTagger(taxonomy, lambda texts: [[0.0] for _ in texts])
    features = tagger._features(np.zeros((2, 1)), ["staff are drowning", "high caseloads"])
    assert features[0, 1:].tolist() == [0.0, 0.0]  # an asked word is no tagging feature
    assert features[1, 1] > 0


def test_labelled_findings_must_name_known_themes(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(json.dumps({"text": "x", "themes": ["no_such_theme"]}) + "\n")
    with pytest.raises(TaxonomyError, match="line 1 names unknown theme"):
        load_taxonomy.__wrapped__(THEMES_FILE, labelled)


def test_themes_field_round_trips() -> None:
    assert parse_themes_field(themes_field(["a", "b_c"])) == ["a", "b_c"]
    assert parse_themes_field(themes_field([])) == []


@pytest.fixture(scope="module")
def tagger(embedder: Embedder) -> ThemeTagger:
    return ThemeTagger(load_taxonomy(), embedder.embed_documents, embedder.model_name)


@pytest.mark.parametrize(("finding", "theme", "not_theme"), [
    ("The emergency duty team works well with the day teams and passes on information about "
     "overnight incidents promptly.", "out_of_hours", None),
    ("Children are not always seen alone by their social worker, so their own account of "
     "events is not recorded.", "children_seen_alone", "children_seen"),
    ("In some cases assessments were completed without the child having been visited at "
     "home.", "children_seen", "children_seen_alone"),
    ("Too many core assessments are not completed within 35 working days.",
     "core_assessment_timeliness", "initial_assessment_timeliness"),
    ("Staff say morale in the duty team is high and they feel valued.", "morale", None),
])
def test_findings_are_tagged_by_meaning(tagger: ThemeTagger, embedder: Embedder, finding: str,
                                        theme: str, not_theme: str | None) -> None:
    vector = np.asarray(embedder.embed_documents([finding]), dtype=np.float32)
    [tags] = tagger.tag(vector, [finding])
    assert tags and tags[0] == theme, tags
    if not_theme:
        assert not_theme not in tags


def test_probabilities_survive_the_metadata_round_trip(tagger: ThemeTagger,
                                                       embedder: Embedder) -> None:
    text = "Supervision is regular and recorded."
    vector = np.asarray(embedder.embed_documents([text]), dtype=np.float32)
    probs = tagger.probabilities(vector, [text])[0]
    decoded = tagger.decode(tagger.encode(probs))
    assert decoded is not None
    best = int(np.argmax(probs))
    assert tagger.ids[best] == "supervision"
    assert abs(float(decoded[best]) - float(probs[best])) < 1e-3
    assert tagger.decode("not json") is None


def test_a_term_the_model_does_not_know_still_tags(tagger: ThemeTagger,
                                                  embedder: Embedder) -> None:
    # MiniLM reads "LADO" as any other word; the taxonomy's terms say what it is about
    finding = "Every concern about a member of staff is passed to the LADO within a day."
    vector = np.asarray(embedder.embed_documents([finding]), dtype=np.float32)
    [tags] = tagger.tag(vector, [finding])
    assert tags[:1] == ["allegations_lado"], tags
    with pytest.raises(ValueError, match="texts"):
        tagger.probabilities(vector, [])
