"""Comparisons and corpus views as Markdown, to paste into an issue tracker or a chat.

Article text is escaped so that a title or quote cannot break a table, start a link or
inject HTML into the page the Markdown is rendered on.
"""

from __future__ import annotations

import re

from coverage_cmp.model import Comparison
from coverage_cmp.report._views import departures, report_name, report_row
from coverage_cmp.report.console import fact_counts, percent
from coverage_cmp.report.corpus import Corpus

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_HTML = {"<": "&lt;", ">": "&gt;"}


def escape(text: str) -> str:
    """Text as inert Markdown on one line: no markup, links, HTML or table breaks."""
    flat = " ".join(text.split())
    return _SPECIAL.sub(lambda m: _HTML.get(m.group(1), "\\" + m.group(1)),
                        flat.replace("&", "&amp;"))


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    return [_row(header), _row(rule)] + [_row(r) for r in rows]


def render_compare_markdown(comparison: Comparison) -> str:
    """The compare view: summary table, then each report's departures as a list."""
    refs = ", ".join(f"{escape(r.outlet or r.source)} (`{r.id}`)" for r in comparison.references)
    lines = [f"## Coverage compared with {refs or 'no reference'}", "",
             f"_{escape(comparison.reference_choice)}_", ""]
    rows = []
    for report in comparison.reports:
        row = report_row(report)
        quotes = ", ".join(f"{n} {status}" for status, n in row.quotes.items())
        rows.append([escape(row.outlet), escape(row.scope), row.label, percent(row.reused_share),
                     quotes, fact_counts(row.facts), escape(row.top_departure)])
    lines += _table(["outlet", "scope", "label", "reused", "quotes",
                     "facts changed/added/omitted", "top departure"], rows, right={3, 5})
    for report in comparison.reports:
        title = f": {escape(report.article.title)}" if report.article.title else ""
        lines += ["", f"### {escape(report_name(report))}{title}", "",
                  f"`{report.article.id}` · {escape(report.article.source)} · "
                  f"{report.reuse.label} · reused {percent(report.reuse.reused_share)}, "
                  f"verbatim {percent(report.reuse.verbatim_share)}", ""]
        found = departures(report)
        lines += [f"- {escape(d.text)}" for d in found] or ["No departures."]
    return "\n".join(lines) + "\n"


def render_corpus_markdown(corpus: Corpus) -> str:
    """The corpus view: the outlet table and the event table."""
    lines = [f"## {corpus.reports} reports from {len(corpus.outlets)} outlets on "
             f"{len(corpus.events)} events", ""]
    lines += _table(
        ["outlet", "scope", "articles", "mean reused", "quotes verbatim", "quotes trimmed",
         "quotes altered", "facts changed per article", "facts added per article",
         "local angle"],
        [[escape(o.outlet), escape(o.scope), str(o.articles), percent(o.mean_reused_share),
          *("–" if v is None else percent(v) for v in (
              o.quotes_verbatim_share, o.quotes_trimmed_share, o.quotes_altered_share)),
          f"{o.facts_changed_per_article:.2f}", f"{o.facts_added_per_article:.2f}",
          percent(o.local_angle_share)] for o in corpus.outlets],
        right=set(range(2, 10)))
    lines += [""] + _table(
        ["event", "label", "reports", "outlets", "key numbers: reference (reports' range)"],
        [[f"`{e.event_id}`", escape(e.label), str(e.reports), str(e.outlets),
          escape("; ".join(k.describe() for k in e.key_numbers))] for e in corpus.events],
        right={2, 3})
    return "\n".join(lines) + "\n"
