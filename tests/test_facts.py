"""extract_facts on the seed report, on every fixture article, and on arbitrary text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage_cmp.extract.dates import find_dates
from coverage_cmp.extract.facts import KINDS, extract_facts
from coverage_cmp.extract.numbers import scan_numbers

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "cambridgeshire-regional-report.txt"
FIXTURES = ROOT / "fixtures" / "notarise"
_DIGITS = re.compile(r"(?<![\w.,])\d")


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"{SEED} not found")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_facts(seed_text):
    return extract_facts(seed_text, published="2014-07-16")


def first(facts, kind, text):
    found = [f for f in facts if f.kind == kind and f.text == text]
    assert found, f"no {kind} {text!r}"
    return found[0]


def test_seed_counts_with_their_subjects(seed_facts):
    expected = [("660", 660, None, "suspected paedophiles"), ("Eight", 8, None, "arrests"),
                ("45", 45, None, "police forces"),
                ("More than 400", 400, "more than", "children"),
                ("39", 39, None, "registered sex offenders")]
    for text, value, qualifier, subject in expected:
        fact = first(seed_facts, "quantity", text)
        assert (fact.value, fact.qualifier, fact.subject) == (value, qualifier, subject)


def test_seed_duration_and_date(seed_facts):
    fact = first(seed_facts, "duration", "six-month")
    assert (fact.value, fact.unit, fact.subject) == (6, "months", "operation")
    assert first(seed_facts, "date", "today").value == "2014-07-16"
    assert {f.value for f in extract_facts(SEED.read_text(encoding="utf-8"))
            if f.kind == "date"} == {None}


def test_seed_people_titles_and_organisations(seed_facts):
    people = {f.value for f in seed_facts if f.kind == "person"}
    assert people == {"Phil Gormley", "Simon Bailey"}
    titles = {(f.text, f.subject) for f in seed_facts if f.kind == "title"}
    assert ("Deputy Director General", "Phil Gormley") in titles
    assert ("Chief Constable", "Simon Bailey") in titles
    nca = first(seed_facts, "organisation", "NCA")
    assert nca.value == "National Crime Agency"


def test_seed_places(seed_facts):
    places = {f.value for f in seed_facts if f.kind == "place"}
    assert places == {"England", "Wales", "Scotland", "Northern Ireland", "Cambridgeshire",
                      "United Kingdom"}


def test_facts_are_sorted_and_offsets_hold(seed_text, seed_facts):
    assert [f.start for f in seed_facts] == sorted(f.start for f in seed_facts)
    for fact in seed_facts:
        assert seed_text[fact.start:fact.end] == fact.text
        assert fact.kind in KINDS


def uncovered_numbers(text: str, published: str | None) -> list[str]:
    """Numbers written in digits that are in no fact and no knowingly skipped span."""
    dates = find_dates(text, published)
    _, skips = scan_numbers(text, [(d.start, d.end) for d in dates])
    spans = [(f.start, f.end) for f in extract_facts(text, published)]
    spans += [(s.start, s.end) for s in skips]
    return [text[m.start():m.start() + 20] for m in _DIGITS.finditer(text)
            if not any(s <= m.start() < e for s, e in spans)]


def test_every_number_of_the_seed_is_covered(seed_text):
    assert uncovered_numbers(seed_text, "2014-07-16") == []


def _fixture_articles():
    expected = FIXTURES / "expected.json"
    if not expected.exists():
        return []
    return json.loads(expected.read_text(encoding="utf-8"))["articles"]


def _body(path: Path) -> str:
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8")
    from coverage_cmp.collect.body import extract_page

    return extract_page(path.read_text(encoding="utf-8"), source=str(path)).text


@pytest.mark.parametrize("article", _fixture_articles(), ids=lambda a: a["file"])
def test_fixture_numbers_are_covered_and_expected_values_found(article):
    path = FIXTURES / article["file"]
    text = _body(path)
    published = article.get("published")
    assert uncovered_numbers(text, published) == []
    facts = extract_facts(text, published)
    values = {(f.kind, json.dumps(f.value)) for f in facts}
    missing = [exp["text"] for exp in article.get("facts") or []
               if exp["text"] in text
               and (exp["kind"], json.dumps(exp["value"])) not in values]
    assert missing == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
       | st.lists(st.sampled_from(
           ["660", "Eight", "more than", "£1.2m", "per cent", "six-month", "today", "on",
            "Tuesday", "16", "July", "2014", "-", "to", "between", "and", "UK", "Reading",
            "in", "Bath", "people", "were", "Registered", "Sex", "Offenders", ",", ".", "\n",
            "0800 555 111", "10.30am", "twenty-one", "a dozen", "hundreds of", "İ", "’s",
            "NCA", "National Crime Agency", "Mr", "Phil Gormley", "said", "a single day"]),
           max_size=40).map(" ".join))
def test_any_text_gives_facts_whose_offsets_hold(text):
    for published in (None, "2014-07-16"):
        facts = extract_facts(text, published)
        for fact in facts:
            assert 0 <= fact.start <= fact.end <= len(text)
            assert text[fact.start:fact.end] == fact.text
        assert [f.start for f in facts] == sorted(f.start for f in facts)
