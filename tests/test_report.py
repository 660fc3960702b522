"""Reports people read: terminal and Markdown views of a comparison, the corpus view, its
figures, and the progress helper (issue 6, points 1, 2 and 5).

Inputs are the notarise fixtures run through collect, extract and compare, plus one
hostile article whose title, text and URL carry markup and script.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from coverage_cmp.compare import compare_articles
from coverage_cmp.compare.events import Event
from coverage_cmp.extract import extract_article
from coverage_cmp.model import Article, Comparison
from coverage_cmp.pipeline import load_articles
from coverage_cmp.report.console import render_compare_terminal, render_corpus_terminal, use_color
from coverage_cmp.report.corpus import corpus_summary
from coverage_cmp.report.markdown import escape, render_compare_markdown, render_corpus_markdown
from coverage_cmp.report.plots import write_plots
from coverage_cmp.report.progress import track
from coverage_cmp.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notarise"
REPORTS = ("agency-wire.html", "national-london.html", "national-online.html",
           "cambs-regional.html", "notts-regional.html", "cheshire-regional.html")
HOSTILE_TITLE = '<script>window.__pwned = "title"</script> Hostile | "Gazette"'
HOSTILE_URL = "javascript:window.__pwned='url'"
HOSTILE_OUTLET = '<img src=x onerror="window.__pwned=\'outlet\'">Evil Echo'


@cache
def fixture_articles() -> tuple[Article, ...]:
    """The release and six reports of the 2014 operation, read as a user's files are."""
    articles, failures = load_articles([str(FIXTURES / "nca-release.html")]
                                       + [str(FIXTURES / name) for name in REPORTS], Settings())
    assert not failures
    return tuple(articles)


def hostile_article() -> Article:
    """A report reusing the release, with script in its title, text, outlet and URL."""
    release = fixture_articles()[0]
    first, _, rest = release.text.partition("\n\n")
    text = (f"{first}\n\nReaders saw <img src=x onerror=\"window.__pwned='text'\"> and "
            f"<script>window.__pwned='text'</script> in this paragraph.\n\n{rest}")
    return Article(source="hostile.html", text=text, title=HOSTILE_TITLE, url=HOSTILE_URL,
                   outlet=HOSTILE_OUTLET, outlet_scope="regional")


@cache
def fixture_comparison(hostile: bool = False) -> Comparison:
    """The fixtures compared with the release (and the hostile report last, if asked)."""
    articles = list(fixture_articles()) + ([hostile_article()] if hostile else [])
    return compare_articles([extract_article(a) for a in articles])


def by_outlet(comparison: Comparison, outlet: str):
    return next(r for r in comparison.reports if r.article.outlet == outlet)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_summary_lists_every_report_within_100_columns():
    comparison = fixture_comparison()
    text = render_compare_terminal(comparison, width=100, color=False)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "\x1b[" not in text
    for report in comparison.reports:
        pct = f"{report.reuse.reused_share * 100:.0f}%"
        assert re.search(re.escape(report.article.outlet.split()[0]) + r".*" + pct, text)
    # The planted departure of the London Courier (9,172 devices → nearly 10,000).
    assert "9,172 → Nearly 10,000" in text


def test_terminal_colours_departures_only_when_asked():
    comparison = fixture_comparison()
    coloured = render_compare_terminal(comparison, color=True)
    assert "\x1b[" in coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert plain == render_compare_terminal(comparison, color=False)


def test_use_color_follows_terminal_and_no_color():
    assert use_color(Tty(), {}) is True
    assert use_color(Tty(), {"NO_COLOR": "1"}) is False
    assert use_color(io.StringIO(), {}) is False


def test_markdown_table_has_a_row_per_report_and_escapes_article_text():
    comparison = fixture_comparison(hostile=True)
    text = render_compare_markdown(comparison)
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + len(comparison.reports)
    cells = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
    assert len(cells) == 1, "a title or departure broke the table"
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    assert "9,172 → Nearly 10,000" in text


def test_markdown_escape_keeps_text_inert():
    assert escape("a | b\n[x](javascript:1) *y* <b>") == (
        "a \\| b \\[x\\](javascript:1) \\*y\\* &lt;b&gt;")


def test_corpus_counts_outlets_events_and_key_numbers():
    comparison = fixture_comparison()
    corpus = corpus_summary([Event("op-2014-07", "NCA 660 arrests", comparison)])
    assert corpus.reports == len(comparison.reports)
    assert sum(o.articles for o in corpus.outlets) == corpus.reports
    (event,) = corpus.events
    assert event.references == ["National Crime Agency"]
    children = next(k for k in event.key_numbers if k.reference_value == 431)
    # Reports give 400 ("Around 400", "More than 400", "400 children") and 431.
    assert (children.low, children.high) == (400, 431)
    fenland = next(o for o in corpus.outlets if o.outlet == "Fenland Gazette")
    london = next(o for o in corpus.outlets if o.outlet == "The London Courier")
    assert fenland.local_angle_share == 1.0  # "Eight people have been arrested in Cambs"
    assert london.local_angle_share == 0.0
    assert london.facts_changed_per_article >= 1


def test_corpus_text_views_list_every_outlet():
    corpus = corpus_summary([Event("op-2014-07", "NCA 660 arrests", fixture_comparison())])
    terminal = render_corpus_terminal(corpus, width=100)
    markdown = render_corpus_markdown(corpus)
    assert max(len(line) for line in terminal.splitlines()) <= 100
    for outlet in corpus.outlets:
        assert outlet.outlet.split()[-1] in terminal
        assert escape(outlet.outlet) in markdown
    assert "431 (400–431" in terminal and "431 (400–431" in markdown


def test_plots_write_png_and_svg_the_same_each_time(tmp_path):
    corpus = corpus_summary([Event("op", "NCA", fixture_comparison())])
    first = write_plots(corpus, tmp_path / "a")
    second = write_plots(corpus, tmp_path / "b")
    assert {p.suffix for p in first} == {".png", ".svg"}
    for path in first:
        if path.suffix == ".png":
            assert path.read_bytes().startswith(b"\x89PNG")
        else:
            root = ET.parse(path).getroot()
            assert root.tag.endswith("svg")
            assert "Fenland Gazette" in path.read_text(encoding="utf-8")
    for a, b in zip(first, second, strict=True):
        if a.suffix == ".svg":
            assert a.read_bytes() == b.read_bytes()


def test_progress_is_silent_when_not_a_terminal_or_quiet():
    stream = io.StringIO()
    assert list(track(range(5), "work", file=stream, delay_s=0)) == list(range(5))
    tty = Tty()
    assert list(track(range(5), "work", file=tty, quiet=True, delay_s=0)) == list(range(5))
    assert stream.getvalue() == "" and tty.getvalue() == ""


def test_progress_draws_on_a_terminal_only_after_the_delay():
    clock = iter(range(100))
    fast, slow = Tty(), Tty()
    assert list(track(range(3), "fast", file=fast, delay_s=1000,
                      get_time=lambda: next(clock))) == [0, 1, 2]
    assert fast.getvalue() == ""
    assert list(track(iter(range(3)), "slow", total=3, file=slow, delay_s=0)) == [0, 1, 2]
    assert "slow" in slow.getvalue()


@pytest.mark.parametrize("width", [60, 100, 160])
def test_terminal_fits_other_widths(width):
    text = render_compare_terminal(fixture_comparison(), width=width)
    assert max(len(line) for line in text.splitlines()) <= width
