"""compare_articles on the notarise fixtures: every planted departure is found with its
status, and nothing is flagged in the near-verbatim copy (issue 5, point 6).

Each check runs twice: on the ground-truth bodies of ``fixtures/notarise/README.md`` (the
paragraphs of ``body_xpath``), which isolates compare from the HTML body extractor, and on
the bodies the product really extracts (``pipeline.load_articles`` on the saved pages with
the fixtures' ``outlets.toml``), which is what a user gets.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import lxml.html
import pytest

from coverage_cmp.compare import compare_articles
from coverage_cmp.errors import SettingsError
from coverage_cmp.extract import extract_article
from coverage_cmp.extract.facts import extract_facts
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article, Extraction, ReportComparison
from coverage_cmp.pipeline import load_articles
from coverage_cmp.settings import CollectSettings, Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notarise"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
ARTICLES = {article["file"]: article for article in EXPECTED["articles"]}
DEPARTURES = EXPECTED["departures"]
BODIES = ("truth", "extracted")


@cache
def truth_body(name: str) -> str:
    """Ground-truth body: the ``body_xpath`` paragraphs (wire text: between header and ENDS)."""
    if name.endswith(".txt"):
        blocks = (FIXTURES / name).read_text(encoding="utf-8").split("\n\n")[1:]
        blocks = blocks[: next(i for i, b in enumerate(blocks) if b.startswith("ENDS"))]
    else:
        tree = lxml.html.fromstring((FIXTURES / name).read_bytes())
        blocks = [p.text_content() for p in tree.xpath(ARTICLES[name]["body_xpath"])]
    return "\n\n".join(" ".join(block.split()) for block in blocks)


@cache
def extracted_articles() -> dict[str, Article]:
    """The fixture pages as the pipeline reads them, by file name."""
    settings = Settings(collect=CollectSettings(outlets_file=str(FIXTURES / "outlets.toml")))
    articles, failures = load_articles([str(FIXTURES / name) for name in ARTICLES], settings)
    assert not failures
    return {Path(article.source).name: article for article in articles}


def body(bodies: str, name: str) -> str:
    if bodies == "extracted":
        return extracted_articles()[name].text
    return truth_body(name)


@cache
def extraction(bodies: str, name: str) -> Extraction:
    if bodies == "extracted":
        return extract_article(extracted_articles()[name])
    meta = ARTICLES[name]
    text = truth_body(name)
    article = Article(source=name, text=text, title=meta["title"], outlet=meta["outlet"],
                      outlet_scope=meta["scope"], published=meta["published"],
                      canonical_url=meta["url"])
    return Extraction(article, extract_quotes(text), extract_facts(text, meta["published"]))


@cache
def compared(bodies: str, report: str, reference: str) -> ReportComparison:
    named = extraction(bodies, reference).article.source
    result = compare_articles([extraction(bodies, reference), extraction(bodies, report)],
                              references=[named])
    (only,) = result.reports
    return only


def span(bodies: str, name: str, needle: str | None) -> tuple[int, int] | None:
    """Where ``needle`` is in the body; in an extracted body, inside the ground-truth
    paragraph that holds it (extraction may repeat a headline elsewhere)."""
    if needle is None:
        return None
    text = body(bodies, name)
    paragraph = next(p for p in truth_body(name).split("\n\n") if needle in p)
    at = text.find(paragraph)
    start = at + paragraph.index(needle) if at >= 0 else text.index(needle)
    return start, start + len(needle)


def overlaps(record, where: tuple[int, int] | None, start: str = "start",
             end: str = "end") -> bool:
    if where is None:
        return True
    return record is not None and getattr(record, start) < where[1] and where[0] < getattr(
        record, end)


@pytest.mark.parametrize("bodies", BODIES)
@pytest.mark.parametrize("departure", DEPARTURES, ids=[d["id"] for d in DEPARTURES])
def test_planted_departure_is_found(departure, bodies):
    result = compared(bodies, departure["article"], departure["reference"])
    ref_at = span(bodies, departure["reference"], departure["reference_text"])
    rep_at = span(bodies, departure["article"], departure["report_text"])
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


@pytest.mark.parametrize("bodies", BODIES)
def test_near_verbatim_copy_flags_nothing(bodies):
    result = compared(bodies, EXPECTED["near_verbatim"], "agency-wire.html")
    assert result.reuse.label == "wholly-derived"
    assert {s.kind for s in result.segments} == {"verbatim"}
    assert all(m.status == "verbatim" and m.speaker_status == "same" for m in result.quotes)
    assert all(m.status == "same" for m in result.facts)


@pytest.mark.parametrize("bodies", BODIES)
def test_segments_tile_each_report_in_order(bodies):
    for name in ARTICLES:
        if name == EXPECTED["event"]["reference"]:
            continue
        result = compared(bodies, name, EXPECTED["event"]["reference"])
        text = result.article.text
        position = 0
        for segment in result.segments:
            assert text[position:segment.start].strip() == ""
            assert segment.start < segment.end
            position = segment.end
        assert text[position:].strip() == ""


@pytest.mark.parametrize("bodies", BODIES)
def test_reference_is_the_release_without_names(bodies):
    result = compare_articles([extraction(bodies, n) for n in ARTICLES if "distractor" not in n])
    assert [Path(r.source).name for r in result.references] == ["nca-release.html"]
    assert "release" in result.reference_choice
    assert len(result.reports) == 12
    top = {Path(r.article.source).name: r.summary["top_departures"] for r in result.reports}
    assert top["cheshire-regional.html"][0].startswith("quote misattributed")


def test_json_has_the_contract_fields():
    out = compare_articles([extraction("truth", "nca-release.html"),
                            extraction("truth", "cheshire-regional.html")]).to_json()
    assert out["schema"] == "coverage-cmp/compare@1"
    report = out["reports"][0]
    assert set(report) >= {"id", "source", "outlet", "title", "text", "summary", "reuse",
                           "segments", "quotes", "facts"}
    assert set(report["reuse"]) >= {"label", "reused_share", "verbatim_share",
                                    "reference_coverage"}
    json.dumps(out)


def test_unknown_reference_is_refused_in_one_line():
    with pytest.raises(SettingsError, match="no-such-outlet"):
        compare_articles([extraction("truth", "nca-release.html")], references=["no-such-outlet"])


def test_several_references_each_match_names_its_source():
    release, agency = extraction("truth", "nca-release.html"), extraction("truth",
                                                                          "agency-wire.html")
    result = compare_articles([release, agency, extraction("truth", "trade-copy.html")],
                              references=["nca-release.html", "agency-wire.html"])
    (report,) = result.reports
    agency_id, release_id = agency.article.id, release.article.id
    kept = [m for m in report.quotes if m.report is not None]
    # The trade copy reprints the agency's versions of the quotes word for word.
    assert kept and all(m.status == "verbatim" and m.reference_id == agency_id for m in kept)
    # The release's versions the agency reworded are not called omitted; the quote neither
    # used is.
    omitted = [m for m in report.quotes if m.status == "omitted"]
    assert [m.reference.text.split()[:3] for m in omitted] == [["Some", "of", "those"]]
    assert all(m.reference_id == release_id for m in omitted)
    assert {s.reference_id for s in report.segments} == {agency_id}
    assert all(m.reference_id in (release_id, agency_id) for m in report.facts
               if m.reference is not None)
    assert json.loads(json.dumps(result.to_json()))["reports"][0]["quotes"][0]["reference_id"]
