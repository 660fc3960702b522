"""Places from the gazetteers, with the guards against common words."""

from __future__ import annotations

from coverage_cmp.extract.places import find_places, gazetteer


def places(text: str) -> list[tuple[str, str, str]]:
    return [(f.text, f.value, f.unit) for f in find_places(text)]


def test_nations_counties_and_countries():
    text = ("Eight arrests were made in Cambridgeshire, with forces across England, Wales, "
            "Scotland and Northern Ireland and more than 400 children across the UK.")
    assert places(text) == [
        ("Cambridgeshire", "Cambridgeshire", "county"), ("England", "England", "nation"),
        ("Wales", "Wales", "nation"), ("Scotland", "Scotland", "nation"),
        ("Northern Ireland", "Northern Ireland", "nation"),
        ("UK", "United Kingdom", "country")]


def test_longest_name_and_short_forms():
    assert places("From Newcastle upon Tyne to Stoke-on-Trent, the U.S. and Britain's.") == [
        ("Newcastle upon Tyne", "Newcastle upon Tyne", "city"),
        ("Stoke-on-Trent", "Stoke-on-Trent", "city"),
        ("U.S.", "United States", "country"), ("Britain", "United Kingdom", "country")]


def test_regions_derived_from_compass_named_subdivisions():
    assert ("Sussex", "Sussex", "region") in places("Officers in Sussex made 24 arrests.")


def test_common_words_need_a_place_context():
    assert places("Reading the report, Police said. Bath time was over.") == []
    assert places("Thames Valley Police said so.") == []
    assert [p[0] for p in places("He lives in Reading and works near Bath.")] == [
        "Reading", "Bath"]
    assert [p[0] for p in places("A Reading-based firm.")] == ["Reading"]


def test_number_words_and_lower_case_never_match():
    assert places("Eight men from london and paris.") == []


def test_gazetteer_is_loaded_once():
    assert gazetteer() is gazetteer()
    assert gazetteer()["London"].kind == "city"
