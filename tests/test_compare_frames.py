"""Comparison.to_dataframes: one tidy table per kind of result, for pandas users."""

from __future__ import annotations

import pytest

from coverage_cmp.compare import compare_articles
from coverage_cmp.compare.frames import COLUMNS, comparison_rows
from coverage_cmp.extract.facts import extract_facts
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article, Extraction

RELEASE = ("Police arrested 660 suspects in a six-month operation across 45 forces. "
           "\"We will find every offender, wherever they hide online,\" said Chief Constable "
           "Simon Bailey.")
REPORT = ("Police arrested 600 suspects in a six-month operation across 45 forces. "
          "\"We will find every offender,\" said Chief Constable Simon Bailey. "
          "Eight people were arrested in Cambridgeshire.")


def _extraction(text: str, source: str, scope: str) -> Extraction:
    article = Article(source=source, text=text, outlet=source, outlet_scope=scope)
    return Extraction(article, extract_quotes(text), extract_facts(text))


@pytest.fixture(scope="module")
def comparison():
    return compare_articles([_extraction(RELEASE, "release.txt", "release"),
                             _extraction(REPORT, "report.txt", "regional")])


def test_rows_hold_every_match_of_every_report(comparison):
    rows = comparison_rows(comparison)
    (report,) = comparison.reports
    assert [r["label"] for r in rows["reports"]] == [report.reuse.label]
    assert len(rows["segments"]) == len(report.segments)
    assert len(rows["quotes"]) == len(report.quotes)
    assert len(rows["facts"]) == len(report.facts)
    changed = [r for r in rows["facts"] if r["status"] == "changed"]
    assert [(r["reference_value"], r["report_value"]) for r in changed] == [(660, 600)]
    assert "".join(r["text"] for r in rows["segments"]).replace(" ", "") == REPORT.replace(
        " ", "")


def test_dataframes_have_the_documented_columns(comparison):
    pd = pytest.importorskip("pandas")
    frames = comparison.to_dataframes()
    assert set(frames) == {"reports", "segments", "quotes", "facts"}
    for name, frame in frames.items():
        assert isinstance(frame, pd.DataFrame)
        assert tuple(frame.columns) == COLUMNS[name]
    quotes = frames["quotes"]
    trimmed = quotes[quotes["status"] == "trimmed"]
    assert trimmed["report_speaker"].tolist() == ["Simon Bailey"]
    assert str(frames["facts"]["reference_start"].dtype) == "Int64"


def test_empty_comparison_gives_empty_tables_with_columns():
    pytest.importorskip("pandas")
    frames = compare_articles([]).to_dataframes()
    assert all(frame.empty and tuple(frame.columns) == COLUMNS[name]
               for name, frame in frames.items())
