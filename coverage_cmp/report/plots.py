"""Figures of the corpus view for a paper: PNG (300 dpi) and SVG, drawn with matplotlib.

Figures are built on ``matplotlib.figure.Figure`` with the Agg canvas, never ``pyplot``,
so nothing global changes and no window opens. Output is reproducible: SVG ids are
salted with a fixed string and no creation date is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from coverage_cmp.report.corpus import Corpus, OutletSummary

#: Outlets drawn per figure, most articles first.
PLOT_OUTLETS = 30
_QUOTE_PARTS = (("verbatim", "quotes_verbatim_share", "#6aa84f"),
                ("trimmed", "quotes_trimmed_share", "#f3c150"),
                ("altered or paraphrased", "quotes_altered_share", "#e9534f"))


def _figure(rows: int) -> Figure:
    figure = Figure(figsize=(7.0, max(2.0, 0.28 * rows + 1.2)), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _bars(title: str, xlabel: str, outlets: list[OutletSummary],
          value: Callable[[OutletSummary], float], share: bool) -> Figure:
    figure = _figure(len(outlets))
    axes = figure.add_subplot()
    names = [o.outlet for o in outlets]
    axes.barh(names, [value(o) for o in outlets], color="#3d6fb6")
    axes.invert_yaxis()
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    if share:
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def _quotes(outlets: list[OutletSummary]) -> Figure:
    figure = _figure(len(outlets))
    axes = figure.add_subplot()
    names = [o.outlet for o in outlets]
    left = [0.0] * len(outlets)
    for label, attribute, colour in _QUOTE_PARTS:
        values = [getattr(o, attribute) or 0.0 for o in outlets]
        axes.barh(names, values, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_title("What outlets did with the reference quotes they ran")
    axes.set_xlabel("share of the reference quotes (rest: omitted)")
    figure.legend(loc="outside lower center", frameon=False, ncols=3)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def write_plots(corpus: Corpus, out_dir: str | Path) -> list[Path]:
    """Write the corpus figures as PNG and SVG into ``out_dir`` (created if missing).

    Figures: mean reused share, quote treatment, facts changed and added per article,
    local angle share, one bar per outlet (the ``PLOT_OUTLETS`` with most articles).

    Returns:
        The files written, PNG and SVG of each figure.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    outlets = corpus.outlets[:PLOT_OUTLETS]
    figures = {
        "outlets_reused_share": _bars("Mean share of each report reused from the reference",
                                      "mean reused share", outlets,
                                      lambda o: o.mean_reused_share, True),
        "outlets_quotes": _quotes(outlets),
        "outlets_facts_changed": _bars("Reference facts changed or hedged per article",
                                       "facts per article", outlets,
                                       lambda o: o.facts_changed_per_article, False),
        "outlets_facts_added": _bars("Facts added per article", "facts per article", outlets,
                                     lambda o: o.facts_added_per_article, False),
        "outlets_local_angle": _bars("Articles adding a count of their own (local angle)",
                                     "share of articles", outlets,
                                     lambda o: o.local_angle_share, True),
    }
    written = []
    with matplotlib.rc_context({"svg.hashsalt": "coverage-cmp", "font.size": 9}):
        for name, figure in figures.items():
            png, svg = out / f"{name}.png", out / f"{name}.svg"
            figure.savefig(png, dpi=300, metadata={"Software": None})
            figure.savefig(svg, metadata={"Date": None, "Creator": None})
            written += [png, svg]
    return written
