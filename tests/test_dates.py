"""Dates: absolute forms, and relative forms resolved against the publication date."""

from __future__ import annotations

import pytest

from coverage_cmp.extract.dates import find_dates, parse_published

PUBLISHED = "2014-07-16T07:00:00+01:00"  # a Wednesday


def dates(text: str, published: str | None = PUBLISHED) -> list[tuple[str, str | None]]:
    return [(fact.text, fact.value) for fact in find_dates(text, published)]


@pytest.mark.parametrize(
    ("phrase", "value"),
    [("16 July 2014", "2014-07-16"), ("16th of July 2014", "2014-07-16"),
     ("July 16, 2014", "2014-07-16"), ("2014-07-16", "2014-07-16"),
     ("16/07/2014", "2014-07-16"), ("Wednesday 16 July 2014", "2014-07-16"),
     ("July 2014", "2014-07"), ("3 March 2015", "2015-03-03")],
)
def test_absolute_dates(phrase, value):
    assert dates(f"It was announced on {phrase} in London.") == [(phrase, value)]


def test_day_and_month_take_the_nearest_year_or_none():
    assert dates("Arrests began on July 16.", "2015-01-10") == [("July 16", "2014-07-16")]
    assert dates("Arrests began on July 16.", None) == [("July 16", "--07-16")]


@pytest.mark.parametrize(
    ("phrase", "value"),
    [("today", "2014-07-16"), ("yesterday", "2014-07-15"), ("tomorrow", "2014-07-17"),
     ("this morning", "2014-07-16"), ("last night", "2014-07-15"),
     ("last week", "2014-W28"), ("this week", "2014-W29"), ("next month", "2014-08"),
     ("last year", "2013"), ("two weeks ago", "2014-W27"), ("three days ago", "2014-07-13")],
)
def test_relative_dates_are_resolved(phrase, value):
    assert dates(f"Police said {phrase} that it worked.") == [(phrase, value)]


def test_relative_dates_without_publication_date_have_no_value():
    assert dates("Eight arrests were made today.", None) == [("today", None)]


def test_weekdays_look_back_unless_the_sentence_looks_ahead():
    assert dates("He was arrested on Tuesday.") == [("Tuesday", "2014-07-15")]
    assert dates("He will appear in court on Friday.") == [("Friday", "2014-07-18")]
    assert dates("It was announced on Wednesday.") == [("Wednesday", "2014-07-16")]
    assert dates("It began last Wednesday.") == [("last Wednesday", "2014-07-09")]
    assert dates("It begins next Monday.") == [("next Monday", "2014-07-21")]


def test_weekdays_in_names_are_not_dates():
    assert dates("The Mail on Sunday and the Sunday Times ran it on Good Friday.") == []


def test_months_alone_need_a_capital_and_a_preposition():
    assert dates("Since March, more have come forward.") == [("March", "2014-03")]
    assert dates("They will march in May.") == [("May", "2015-05")]
    assert dates("May I add that he may march.") == []


def test_years_need_context_and_counts_stay_counts():
    assert dates("In 2013 there were 2014 arrests.") == [("2013", "2013")]
    assert dates("under the Sexual Offences Act 2003, in the 1990s and in 2013/14") == [
        ("2003", "2003"), ("1990s", "1990s"), ("2013/14", "2013/14")]
    assert [(f.text, f.qualifier) for f in find_dates("It closed in early 2015.")] == [
        ("early 2015", "early")]


def test_parse_published():
    assert parse_published("2014-07-16T07:00:00Z").isoformat() == "2014-07-16"
    assert parse_published("16 July 2014").isoformat() == "2014-07-16"
    assert parse_published("not a date") is None
    assert parse_published(None) is None
