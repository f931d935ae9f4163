"""Council recognition: short forms from assistant/data/aliases.yaml, council forms, typos."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.gazetteer import (
    ALIASES_PATH,
    AliasFileError,
    Gazetteer,
    load_aliases,
    normalise_name,
    place_of,
)
from ingest.authorities import AUTHORITIES

ALL = [a.name for a in AUTHORITIES]


@pytest.fixture(scope="module")
def everything() -> Gazetteer:
    """A collection holding a letter for every authority."""
    return Gazetteer(ALL)


@pytest.fixture(scope="module")
def few() -> Gazetteer:
    return Gazetteer(["Leicestershire County Council", "Nottingham City Council",
                      "London Borough of Hackney"])


def places(gazetteer: Gazetteer, question: str) -> list[str]:
    return [m.place for m in gazetteer.find(question)]


def test_the_leics_letter(few: Gazetteer) -> None:
    [match] = few.find("who signed the leics letter")
    assert match.place == "leicestershire" and match.in_collection
    assert match.authorities == ["Leicestershire County Council"] and not match.fuzzy


@pytest.mark.parametrize("question, place", [
    # county abbreviations
    ("Notts - any red flags?", "nottinghamshire"),
    ("herts strengths", "hertfordshire"),
    ("what about Hants", "hampshire"),
    ("Lancs priority action", "lancashire"),
    ("E Sussex dates pls", "east sussex"),
    ("W Sussex", "west sussex"),
    ("northants letter", "northamptonshire"),
    ("glos", "gloucestershire"),
    ("S Glos out of hours", "south gloucestershire"),
    ("N Yorks", "north yorkshire"),
    ("NE Lincs", "north east lincolnshire"),
    ("N Lincs", "north lincolnshire"),
    ("lincs", "lincolnshire"),
    ("Oxon", "oxfordshire"),
    ("Central Beds", "central bedfordshire"),
    # initialisms used inside councils
    ("LBTH staffing problems?", "tower hamlets"),
    ("BwD morale", "blackburn with darwen"),
    ("RBKC", "kensington and chelsea"),
    ("K&C what went well", "kensington and chelsea"),
    ("K and C", "kensington and chelsea"),
    ("B&NES", "bath and north east somerset"),
    ("BANES", "bath and north east somerset"),
    ("NELC", "north east lincolnshire"),
    ("H&F", "hammersmith and fulham"),
    ("IoW", "isle of wight"),
    ("CWAC", "cheshire west and chester"),
    ("ERY", "east riding of yorkshire"),
    ("east riding", "east riding of yorkshire"),
    ("KCC", "kent"),
    # city nicknames and informal short names
    ("Brum - any red flags?", "birmingham"),
    ("soton", "southampton"),
    ("Kensington", "kensington and chelsea"),
    ("brighton", "brighton and hove"),
    ("MK", "milton keynes"),
])
def test_short_forms(everything: Gazetteer, question: str, place: str) -> None:
    assert places(everything, question) == [place]


@pytest.mark.parametrize("question", [
    "leics", "LEICS", "Leics", "lEiCs", "the Leics letter", "leics's strengths", "Leics'",
])
def test_any_case(everything: Gazetteer, question: str) -> None:
    assert places(everything, question) == ["leicestershire"]


@pytest.mark.parametrize("question, place", [
    ("Notts", "nottinghamshire"),
    ("Nottingham", "nottingham"),
    ("nottinghamshire", "nottinghamshire"),
    ("Nottingham City Council", "nottingham"),
    ("Notts CC", "nottinghamshire"),
    ("Herts", "hertfordshire"),
    ("Hants", "hampshire"),
    ("Leics", "leicestershire"),
    ("Leicester", "leicester"),
    ("Lincs", "lincolnshire"),
    ("North Lincs", "north lincolnshire"),
])
def test_ambiguity(everything: Gazetteer, question: str, place: str) -> None:
    assert places(everything, question) == [place]


@pytest.mark.parametrize("question", [
    "Beds", "HCC letter", "LCC", "Cheshire", "Harts", "notes on the letter", "hunts", "backs",
    "staffing shortages", "any staffs shortages?", "the banes of inspection", "bath time",
    "which london boroughs had vacancies",
])
def test_ambiguous_or_ordinary_words_name_no_council(everything: Gazetteer,
                                                       question: str) -> None:
    assert places(everything, question) == []


@pytest.mark.parametrize("question, place", [
    ("Bucks", "buckinghamshire"),
    ("bucks cc", "buckinghamshire"),
    ("who signed the bucks letter", "buckinghamshire"),
    ("Staffs", "staffordshire"),
    ("Wilts priority action", "wiltshire"),
    ("Bath", "bath and north east somerset"),
    ("Reading", "reading"),
    ("reading borough council", "reading"),
    ("the reading letter", "reading"),
    ("Bury", "bury"),
])
def test_case_sensitive_aliases(everything: Gazetteer, question: str, place: str) -> None:
    assert places(everything, question) == [place]
    assert places(everything, question.lower().replace("cc", "").replace("council", "")
                  .replace("borough", "").replace("the ", "").replace(" letter", "")) == []


@pytest.mark.parametrize("question, mention", [
    ("what did LB Hackney's letter say", "LB Hackney"),
    ("RB Kingston", "RB Kingston"),
    ("Leics CC", "Leics CC"),
    ("leeds cc", "leeds cc"),
    ("Wigan MBC", "Wigan MBC"),
    ("Halton BC", "Halton BC"),
    ("Kent DC", "Kent DC"),
    ("Medway UA", "Medway UA"),
    ("Notts council", "Notts council"),
    ("notts county council", "notts county council"),
    ("London Borough of Tower Hamlets", "London Borough of Tower Hamlets"),
    ("the LBTH letter", "LBTH"),
    ("K&C's strengths", "K&C"),
    ("B&NES Council", "B&NES Council"),
])
def test_council_forms_and_mention_as_typed(everything: Gazetteer, question: str,
                                            mention: str) -> None:
    [match] = everything.find(question)
    assert match.mention == mention


def test_council_forms_work_for_every_authority(everything: Gazetteer) -> None:
    for authority in AUTHORITIES:
        place = place_of(authority.name)
        short = authority.place
        for form in (f"LB {short}", f"RB {short}", f"{short} CC", f"{short} MBC", f"{short} BC",
                     f"{short} DC", f"{short} UA", f"{short} council", f"the {short} letter"):
            assert places(everything, f"what about {form}?") == [place], form
            assert places(everything, f"what about {form.lower()}?") == [place], form


def test_several_councils_in_order(everything: Gazetteer) -> None:
    assert places(everything, "compare Notts, LBTH and Brum") == [
        "nottinghamshire", "tower hamlets", "birmingham"]


@pytest.mark.parametrize("question, place", [
    ("leicestershre", "leicestershire"),
    ("Nottinghamshre", "nottinghamshire"),
    ("Portsmuth", "portsmouth"),
    ("Central Bedofrdshire", "central bedfordshire"),
    ("Nrth Lincolnshire", "north lincolnshire"),
    ("nth somerset", "north somerset"),
    ("Hammersmth", "hammersmith and fulham"),
])
def test_typos(everything: Gazetteer, question: str, place: str) -> None:
    [match] = everything.find(question)
    assert match.place == place and match.fuzzy


@pytest.mark.parametrize("question", ["Sufton", "Harts", "south lincolnshire"])
def test_a_typo_never_turns_into_another_council(everything: Gazetteer, question: str) -> None:
    """Sefton or Sutton? Herts or Hants? A typo as close to two councils names neither."""
    assert all(not m.fuzzy for m in everything.find(question))
    assert places(everything, "south lincolnshire") == ["lincolnshire"]


def test_unknown_council_and_not_stored(few: Gazetteer) -> None:
    [glasgow] = few.find("what did ofsted find in glasgow city council")
    assert glasgow.place == "glasgow" and not glasgow.in_collection
    [notts] = few.find("Notts")
    assert notts.place == "nottinghamshire" and not notts.in_collection
    assert few.display_name("leicestershire") == "Leicestershire County Council"
    assert few.display_name("nottinghamshire") == "Nottinghamshire"


def test_normalise_name() -> None:
    assert normalise_name("B&NES") == "b and nes"
    assert normalise_name("Leeds's") == "leeds"


def test_every_shipped_alias_finds_its_own_authority(everything: Gazetteer) -> None:
    aliases = load_aliases()
    assert len({a.authority for a in aliases}) >= 50
    counties = {a.name for a in AUTHORITIES if a.kind == "county"}
    assert len(counties & {a.authority for a in aliases}) >= 18
    for alias in aliases:
        want = place_of(alias.authority)
        assert places(everything, f"what about {alias.text}?") == [want], alias
        assert places(everything, f"what about the {alias.text.lower()} letter?") == [want], alias
        if not alias.case_sensitive:
            assert places(everything, alias.text.upper()) == [want], alias
            assert places(everything, alias.text.lower()) == [want], alias


def test_shipped_file_is_cached() -> None:
    assert load_aliases() is load_aliases()
    assert load_aliases(ALIASES_PATH) == load_aliases()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "Kent County Council:\n  - KCC\n  - {alias: Kentish, case_sensitive: "
                            "true}\n")
    aliases = load_aliases(path)
    assert [(a.authority, a.text, a.case_sensitive) for a in aliases] == [
        ("Kent County Council", "KCC", False), ("Kent County Council", "Kentish", True)]


@pytest.mark.parametrize("text, message", [
    ("Kent Council:\n  - KCC\n", "'Kent Council': not an authority name"),
    ("Kent County Council:\n  - ''\n", "is empty"),
    ("Kent County Council:\n  - '.'\n", "is empty"),
    ("Kent County Council:\n  -\n", "alias is empty"),
    ("Kent County Council:\n  - {alias: '', case_sensitive: true}\n", "is empty"),
    ("Kent County Council:\n  - Notts\nNottinghamshire County Council:\n  - notts\n",
     "maps to two authorities"),
    ("Kent County Council:\n  - Leicester\n", "maps to two authorities: it already names "
                                             "'Leicester City Council'"),
    ("Kent County Council:\n  - KCC\n  - kcc\n", "listed twice"),
    ("Kent County Council: KCC\n", "expected a list"),
    ("Kent County Council:\n  - {alias: KCC, case: true}\n", "unknown key"),
    ("Kent County Council:\n  - {alias: KCC, case_sensitive: maybe}\n", "true or false"),
    ("Kent County Council:\n  - the\n", "ordinary word"),
    ("- just a list\n", "expected a mapping"),
    ("Kent County Council: [KCC\n", "cannot read"),
])
def test_validation_errors_name_the_file_and_entry(tmp_path: Path, text: str,
                                                   message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(AliasFileError) as error:
        load_aliases(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


@pytest.mark.parametrize(("question", "place"), [
    ("hpool 2010 strengths?", "hartlepool"),
    ("who signed the H'pool letter", "hartlepool"),
    ("date of the l'pool letter?", "liverpool"),
    ("bmouth 2012 priority actions", "bournemouth"),
    ("K upon T - were CP enquiries started quickly enough", "kingston upon thames"),
    ("pboro dates pls", "peterborough"),
])
def test_short_forms_built_from_place_names(everything: Gazetteer, question: str,
                                            place: str) -> None:
    assert places(everything, question) == [place]


def test_a_short_form_two_places_give_names_the_one_the_collection_holds() -> None:
    # "pmouth": Plymouth or Portsmouth; only a collection holding one of them may read it so
    assert places(Gazetteer(["Portsmouth City Council"]), "pmouth priority actions") == \
        ["portsmouth"]
    assert places(Gazetteer(["Plymouth City Council"]), "pmouth priority actions") == \
        ["plymouth"]
    both = Gazetteer(["Portsmouth City Council", "Plymouth City Council"])
    assert "portsmouth" not in places(both, "pmouth priority actions")  # no contraction decides
    assert places(both, "which london boroughs had vacancies") == []
