"""compare_articles on the notarise fixtures: every planted departure is found with its
status, and nothing is flagged in the near-verbatim copy (issue 5, point 6).

Bodies are the ground-truth text of ``fixtures/notarise/README.md`` (the paragraphs of
``body_xpath``), so these tests depend on extraction of quotes and facts but not on the
HTML body extractor.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import lxml.html
import pytest

from coverage_cmp.compare import compare_articles
from coverage_cmp.errors import SettingsError
from coverage_cmp.extract.facts import extract_facts
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article, Extraction, ReportComparison

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notarise"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
ARTICLES = {article["file"]: article for article in EXPECTED["articles"]}
DEPARTURES = EXPECTED["departures"]


@cache
def body(name: str) -> str:
    """Ground-truth body: the ``body_xpath`` paragraphs (wire text: between header and ENDS)."""
    if name.endswith(".txt"):
        blocks = (FIXTURES / name).read_text(encoding="utf-8").split("\n\n")[1:]
        blocks = blocks[: next(i for i, b in enumerate(blocks) if b.startswith("ENDS"))]
    else:
        tree = lxml.html.fromstring((FIXTURES / name).read_bytes())
        blocks = [p.text_content() for p in tree.xpath(ARTICLES[name]["body_xpath"])]
    return "\n\n".join(" ".join(block.split()) for block in blocks)


@cache
def extraction(name: str) -> Extraction:
    meta = ARTICLES[name]
    text = body(name)
    article = Article(source=name, text=text, title=meta["title"], outlet=meta["outlet"],
                      outlet_scope=meta["scope"], published=meta["published"],
                      canonical_url=meta["url"])
    return Extraction(article, extract_quotes(text), extract_facts(text, meta["published"]))


@cache
def compared(report: str, reference: str) -> ReportComparison:
    result = compare_articles([extraction(reference), extraction(report)],
                              references=[reference])
    (only,) = result.reports
    return only


def span(name: str, needle: str | None) -> tuple[int, int] | None:
    if needle is None:
        return None
    start = body(name).index(needle)
    return start, start + len(needle)


def overlaps(record, where: tuple[int, int] | None, start: str = "start",
             end: str = "end") -> bool:
    if where is None:
        return True
    return record is not None and getattr(record, start) < where[1] and where[0] < getattr(
        record, end)


@pytest.mark.parametrize("departure", DEPARTURES, ids=[d["id"] for d in DEPARTURES])
def test_planted_departure_is_found(departure):
    result = compared(departure["article"], departure["reference"])
    ref_at = span(departure["reference"], departure["reference_text"])
    rep_at = span(departure["article"], departure["report_text"])
    if departure["kind"] == "reuse":
        segments = result.segments
        if departure["status"] == "omitted":
            assert not any(s.reference_start < ref_at[1] and ref_at[0] < s.reference_end
                           for s in segments if s.reference_start is not None)
        else:
            hits = [s for s in segments if overlaps(s, rep_at)]
            assert hits and all(s.kind == departure["status"] for s in hits)
            assert all(s.reference_start < ref_at[1] and ref_at[0] < s.reference_end
                       for s in hits)
        return
    if departure["kind"] == "quote":
        found = [m for m in result.quotes
                 if overlaps(m.reference, ref_at) and overlaps(m.report, rep_at)
                 and (m.reference is None) == (ref_at is None)
                 and (m.report is None) == (rep_at is None)]
        assert [m.status for m in found].count(departure["status"]) >= 1, found
        if departure["speaker_status"]:
            assert any(m.status == departure["status"]
                       and m.speaker_status == departure["speaker_status"] for m in found)
        return
    kind = departure["fact_kind"]
    found = [m for m in result.facts
             if overlaps(m.reference, ref_at) and overlaps(m.report, rep_at)
             and (m.reference is None) == (ref_at is None)
             and (m.report is None) == (rep_at is None)
             and (m.reference or m.report).kind == kind]
    assert any(m.status == departure["status"] for m in found), found


def test_near_verbatim_copy_flags_nothing():
    result = compared(EXPECTED["near_verbatim"], "agency-wire.html")
    assert result.reuse.label == "wholly-derived"
    assert {s.kind for s in result.segments} == {"verbatim"}
    assert all(m.status == "verbatim" and m.speaker_status == "same" for m in result.quotes)
    assert all(m.status == "same" for m in result.facts)


def test_segments_tile_each_report_in_order():
    for name in ARTICLES:
        if name == EXPECTED["event"]["reference"]:
            continue
        result = compared(name, EXPECTED["event"]["reference"])
        text = result.article.text
        position = 0
        for segment in result.segments:
            assert text[position:segment.start].strip() == ""
            assert segment.start < segment.end
            position = segment.end
        assert text[position:].strip() == ""


def test_reference_is_the_release_without_names():
    result = compare_articles([extraction(n) for n in ARTICLES if "distractor" not in n])
    assert [r.source for r in result.references] == ["nca-release.html"]
    assert "release" in result.reference_choice
    assert len(result.reports) == 12
    top = {r.article.source: r.summary["top_departures"] for r in result.reports}
    assert top["cheshire-regional.html"][0].startswith("quote misattributed")


def test_json_has_the_contract_fields():
    out = compare_articles([extraction("nca-release.html"),
                            extraction("cheshire-regional.html")]).to_json()
    assert out["schema"] == "coverage-cmp/compare@1"
    report = out["reports"][0]
    assert set(report) >= {"id", "source", "outlet", "title", "text", "summary", "reuse",
                           "segments", "quotes", "facts"}
    assert set(report["reuse"]) >= {"label", "reused_share", "verbatim_share",
                                    "reference_coverage"}
    json.dumps(out)


def test_unknown_reference_is_refused_in_one_line():
    with pytest.raises(SettingsError, match="no-such-outlet"):
        compare_articles([extraction("nca-release.html")], references=["no-such-outlet"])
