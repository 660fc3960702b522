"""One self-contained HTML file per comparison or corpus: no network, no external files.

Templates are ``jinja2`` with autoescaping on, so every piece of article text, title and
URL reaches the page as text. Links are kept only for ``http``/``https`` URLs. The page's
Content-Security-Policy lets only our own script run (by its hash), so even markup that
slipped past escaping could not execute.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

import jinja2

from coverage_cmp.model import Article, Comparison, Quote, QuoteMatch, ReportComparison
from coverage_cmp.report._views import (
    Departure,
    FactMatrix,
    ReportRow,
    departures,
    fact_matrix,
    outlet_similarity,
    report_row,
)
from coverage_cmp.report.console import fact_counts, percent
from coverage_cmp.report.corpus import Corpus

#: Cell colours of the outlet × fact matrix and the legend.
STATUS_COLOURS = {"same": "#cfe8cf", "changed": "#e9534f", "qualified": "#f3c150",
                  "omitted": "#d9d9d9", "": "#ffffff"}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("coverage_cmp", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain ``http``/``https`` link, else None (shown as text only)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


@dataclass(frozen=True)
class Piece:
    """A stretch of text on the page, with where it links to."""

    text: str
    kind: str
    """Report side: verbatim, rewrite, new or "" (white space between segments).
    Reference side: verbatim, rewrite (reused that way) or unused."""
    start: int
    end: int
    reference_id: str | None = None
    reference_start: int | None = None
    reference_end: int | None = None


@dataclass(frozen=True)
class Word:
    """A word of a quote and whether the other side has it (``same``, ``del``, ``ins``)."""

    text: str
    op: str


@dataclass(frozen=True)
class QuoteCard:
    status: str
    speaker_status: str | None
    similarity: float
    reference_speaker: str | None
    report_speaker: str | None
    reference_words: list[Word]
    report_words: list[Word]
    report_start: int | None


@dataclass(frozen=True)
class ReferencePane:
    id: str
    name: str
    pieces: list[Piece]


@dataclass
class ReportPanel:
    """Everything the page shows for one report."""

    index: int
    row: ReportRow
    href: str | None
    pieces: list[Piece]
    references: list[ReferencePane]
    quotes: list[QuoteCard]
    facts: list[dict[str, object]]
    departures: list[Departure] = field(default_factory=list)
    fact_counts: str = ""


@dataclass(frozen=True)
class Heatmap:
    names: list[str]
    cells: list[tuple[int, int, float, str]]
    """Row, column, similarity and fill colour."""


@dataclass
class CompareContext:
    """The one object the compare template receives."""

    title: str
    references: list[Article]
    reference_choice: str
    reference_hrefs: list[str | None]
    reports: list[ReportPanel]
    matrix: FactMatrix
    heatmap: Heatmap
    colours: dict[str, str]
    percent: object = percent


def _report_pieces(report: ReportComparison) -> list[Piece]:
    text = report.article.text
    pieces, at = [], 0
    for seg in report.segments:
        if seg.start > at:
            pieces.append(Piece(text[at:seg.start], "", at, seg.start))
        pieces.append(Piece(text[seg.start:seg.end], seg.kind, seg.start, seg.end,
                            seg.reference_id, seg.reference_start, seg.reference_end))
        at = max(at, seg.end)
    if at < len(text):
        pieces.append(Piece(text[at:], "", at, len(text)))
    return pieces


def _reference_pieces(reference: Article, report: ReportComparison) -> list[Piece]:
    """The reference cut at every boundary the report's segments point to, each stretch
    marked with how the report reused it (verbatim wins over rewrite)."""
    used = [(s.reference_start, s.reference_end, s.kind) for s in report.segments
            if s.reference_id == reference.id and s.reference_start is not None
            and s.reference_end is not None]
    text = reference.text
    cuts = sorted({0, len(text), *(b for s, e, _ in used for b in (s, e))})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        kinds = {k for s, e, k in used if s < end and start < e}
        kind = "verbatim" if "verbatim" in kinds else "rewrite" if kinds else "unused"
        pieces.append(Piece(text[start:end], kind, start, end))
    return pieces


_WORD = re.compile(r"\S+")


def _normal(word: str) -> str:
    return re.sub(r"\W+", "", word.casefold())


def word_diff(reference: str, report: str) -> tuple[list[Word], list[Word]]:
    """Both quotes as words, each marked kept, dropped (``del``) or added (``ins``)."""
    left, right = _WORD.findall(reference), _WORD.findall(report)
    matcher = difflib.SequenceMatcher(a=[_normal(w) for w in left],
                                      b=[_normal(w) for w in right], autojunk=False)
    out_left, out_right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        same = op == "equal"
        out_left += [Word(w, "same" if same else "del") for w in left[i1:i2]]
        out_right += [Word(w, "same" if same else "ins") for w in right[j1:j2]]
    return out_left, out_right


def _quote_card(match: QuoteMatch) -> QuoteCard:
    ref: Quote | None = match.reference
    rep: Quote | None = match.report
    if ref and rep:
        left, right = word_diff(ref.text, rep.text)
    else:
        left = [Word(w, "del") for w in _WORD.findall(ref.text)] if ref else []
        right = [Word(w, "ins") for w in _WORD.findall(rep.text)] if rep else []
    return QuoteCard(match.status, match.speaker_status, match.similarity,
                     ref.speaker or ref.speaker_mention if ref else None,
                     rep.speaker or rep.speaker_mention if rep else None, left, right,
                     rep.start if rep else None)


def _fact_rows(report: ReportComparison) -> list[dict[str, object]]:
    rows = []
    for match in report.facts:
        ref, rep = match.reference, match.report
        rows.append({"status": match.status, "kind": (ref or rep).kind if (ref or rep) else "",
                     "reference": ref, "report": rep})
    return rows


def _fill(value: float) -> str:
    """White to dark blue as similarity goes from 0 to 1."""
    low, high = (255, 255, 255), (33, 82, 156)
    rgb = (round(a + (b - a) * max(0.0, min(1.0, value))) for a, b in zip(low, high,
                                                                            strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _heatmap(comparison: Comparison) -> Heatmap:
    names, matrix = outlet_similarity(comparison)
    cells = [(i, j, v, _fill(v)) for i, row in enumerate(matrix) for j, v in enumerate(row)]
    return Heatmap(names, cells)


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def _page(template: str, context: object) -> str:
    env = _environment()
    script = env.get_template("report.js").render()
    return env.get_template(template).render(ctx=context, script=script, csp=_csp(script))


def compare_context(comparison: Comparison, *, title: str | None = None) -> CompareContext:
    """The template context of a comparison (exposed for tests and other templates)."""
    panels = []
    for index, report in enumerate(comparison.reports):
        row = report_row(report)
        panels.append(ReportPanel(
            index=index, row=row, href=safe_url(report.article.url
                                                or report.article.canonical_url),
            pieces=_report_pieces(report),
            references=[ReferencePane(ref.id, ref.outlet or ref.source,
                                      _reference_pieces(ref, report))
                        for ref in comparison.references],
            quotes=[_quote_card(m) for m in report.quotes], facts=_fact_rows(report),
            departures=departures(report), fact_counts=fact_counts(row.facts)))
    first = comparison.references[0] if comparison.references else None
    default_title = (f"Coverage of “{first.title or first.outlet or first.source}”" if first
                     else "Coverage compared")
    return CompareContext(
        title=title or default_title, references=list(comparison.references),
        reference_choice=comparison.reference_choice,
        reference_hrefs=[safe_url(r.url or r.canonical_url) for r in comparison.references],
        reports=panels, matrix=fact_matrix(comparison), heatmap=_heatmap(comparison),
        colours=STATUS_COLOURS)


def render_compare_html(comparison: Comparison, *, title: str | None = None) -> str:
    """The compare report as one offline HTML page.

    The reference and each report side by side (verbatim, rewrite and new highlighted;
    click a stretch of the report to see its source), quote cards with word-level
    differences, the fact table, the outlet × fact matrix and the outlet similarity
    heatmap (inline SVG), and a picker to move between reports.
    """
    return _page("compare.html.j2", compare_context(comparison, title=title))


#: Outlets drawn in each bar chart of the corpus page (most articles first).
CHART_OUTLETS = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart drawn as inline SVG."""

    title: str
    bars: list[Bar]
    maximum: float


def _chart(title: str, values: list[tuple[str, float]], fmt, maximum: float | None = None
           ) -> BarChart:
    top = maximum if maximum is not None else max((v for _, v in values), default=0.0) or 1.0
    return BarChart(title, [Bar(label, value, fmt(value)) for label, value in values], top)


def render_corpus_html(corpus: Corpus, *, title: str = "Coverage across the corpus") -> str:
    """The corpus view as one offline HTML page: outlet and event tables, bar charts."""
    outlets = corpus.outlets[:CHART_OUTLETS]
    note = (f"Charts show the {CHART_OUTLETS} outlets with most articles; the table lists "
            f"all {len(corpus.outlets)}." if len(corpus.outlets) > CHART_OUTLETS else "")
    charts = [
        _chart("Mean reused share", [(o.outlet, o.mean_reused_share) for o in outlets],
               percent, 1.0),
        _chart("Reference quotes kept verbatim",
               [(o.outlet, o.quotes_verbatim_share or 0.0) for o in outlets], percent, 1.0),
        _chart("Facts changed per article",
               [(o.outlet, o.facts_changed_per_article) for o in outlets],
               lambda v: f"{v:.2f}"),
        _chart("Facts added per article",
               [(o.outlet, o.facts_added_per_article) for o in outlets], lambda v: f"{v:.2f}"),
        _chart("Articles with a local angle",
               [(o.outlet, o.local_angle_share) for o in outlets], percent, 1.0),
    ]
    return _page("corpus.html.j2", {"title": title, "corpus": corpus, "charts": charts,
                                    "chart_note": note, "percent": percent})
