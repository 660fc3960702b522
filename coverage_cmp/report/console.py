"""Comparisons and corpus views for the terminal, drawn with ``rich``.

Colour is the caller's choice (``use_color`` gives the usual answer: a terminal and no
``NO_COLOR``); without it the output is plain text that reads the same when piped.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from coverage_cmp.model import Comparison
from coverage_cmp.report._views import QUOTE_STATUSES, departures, report_name, report_row
from coverage_cmp.report.corpus import Corpus

#: Colour of each tone (see ``_views.TONES``).
TONE_STYLES = {"changed": "bold red", "qualified": "yellow", "added": "cyan",
               "omitted": "magenta"}
SHORT_LABELS = {"wholly-derived": "wholly", "partially-derived": "partly",
                "non-derived": "non"}
LABEL_STYLES = {"wholly-derived": "red", "partially-derived": "yellow", "non-derived": "green"}


def use_color(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to colour output to ``stream``: a terminal, and ``NO_COLOR`` unset or empty."""
    if environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _console(buffer: io.StringIO, width: int, color: bool) -> Console:
    return Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                   color_system="standard" if color else None, highlight=False,
                   emoji=False, markup=False, legacy_windows=False, _environ={})


def percent(share: float) -> str:
    """A share as a whole percentage ("88%")."""
    return f"{share * 100:.0f}%"


def quote_counts(counts: Mapping[str, int]) -> str:
    """Quote statuses in short form, one a line, e.g. "2 alt\\n1 trim"."""
    return "\n".join(f"{n} {QUOTE_STATUSES.get(status, status)}"
                     for status, n in counts.items())


def fact_counts(counts: Mapping[str, int]) -> str:
    """Facts changed / added / omitted (qualified counts as changed), e.g. "1/2/0"."""
    changed = counts.get("changed", 0) + counts.get("qualified", 0)
    return f"{changed}/{counts.get('added', 0)}/{counts.get('omitted', 0)}"


def render_compare_terminal(comparison: Comparison, *, width: int = 100,
                            color: bool = False) -> str:
    """The compare view: a summary table, then each report's departures, colour-coded.

    Args:
        comparison: what ``compare_articles`` returned.
        width: columns to fit; 100 keeps every column readable.
        color: ANSI colours; plain text when False (piped output, ``NO_COLOR``).

    Returns:
        The text to print.
    """
    buffer = io.StringIO()
    console = _console(buffer, width, color)
    refs = ", ".join(f"{r.outlet or r.source} ({r.id})" for r in comparison.references)
    console.print(Text(f"Reference: {refs or 'none'}", style="bold"))
    console.print(Text(comparison.reference_choice, style="dim"))
    table = _table(f"{len(comparison.reports)} reports")
    table.add_column("outlet", ratio=2, min_width=14, overflow="fold")
    table.add_column("scope", no_wrap=True)
    table.add_column("label", no_wrap=True)
    table.add_column("reused", justify="right", no_wrap=True)
    table.add_column("quotes", no_wrap=True)
    table.add_column("facts\nc/a/o", justify="right", no_wrap=True)
    table.add_column("top departure", ratio=5)
    for report in comparison.reports:
        row = report_row(report)
        table.add_row(row.outlet, row.scope,
                      Text(SHORT_LABELS.get(row.label, row.label),
                           style=LABEL_STYLES.get(row.label, "")),
                      percent(row.reused_share), quote_counts(row.quotes),
                      fact_counts(row.facts), row.top_departure)
    console.print(table)
    for report in comparison.reports:
        console.print()
        title = f" · {report.article.title}" if report.article.title else ""
        console.print(Text(f"{report_name(report)}{title}", style="bold"))
        console.print(Text(f"{report.article.source} · {report.reuse.label} · reused "
                           f"{percent(report.reuse.reused_share)}, verbatim "
                           f"{percent(report.reuse.verbatim_share)}", style="dim"))
        found = departures(report)
        if not found:
            console.print("  no departures")
        for departure in found:
            line = Text("  ")
            line.append(departure.text, style=TONE_STYLES[departure.tone])
            console.print(line)
    return buffer.getvalue()


def render_corpus_terminal(corpus: Corpus, *, width: int = 100, color: bool = False) -> str:
    """The corpus view: one table per outlet, one per event."""
    buffer = io.StringIO()
    console = _console(buffer, width, color)
    outlets = _table(f"{len(corpus.outlets)} outlets, {corpus.reports} reports")
    outlets.add_column("outlet", ratio=1, min_width=14, overflow="fold")
    outlets.add_column("scope", no_wrap=True)
    for name in ("articles", "reused", "quotes\nverb", "quotes\ntrim", "quotes\nalt",
                 "facts\nchg/art", "facts\nadd/art", "local\nangle"):
        outlets.add_column(name, justify="right", no_wrap=True)
    for o in corpus.outlets:
        outlets.add_row(o.outlet, o.scope, str(o.articles), percent(o.mean_reused_share),
                        _share(o.quotes_verbatim_share), _share(o.quotes_trimmed_share),
                        _share(o.quotes_altered_share), f"{o.facts_changed_per_article:.2f}",
                        f"{o.facts_added_per_article:.2f}", percent(o.local_angle_share))
    console.print(outlets)
    events = _table(f"{len(corpus.events)} events")
    for name, kwargs in (("event", {"no_wrap": True}), ("label", {"ratio": 2}),
                         ("reports", {"justify": "right"}), ("outlets", {"justify": "right"}),
                         ("key numbers: reference (reports' range)", {"ratio": 3})):
        events.add_column(name, **kwargs)
    for e in corpus.events:
        events.add_row(e.event_id, e.label, str(e.reports), str(e.outlets),
                       "; ".join(k.describe() for k in e.key_numbers))
    console.print(events)
    return buffer.getvalue()


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", expand=True,
                 box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))


def _share(value: float | None) -> str:
    return "–" if value is None else percent(value)
