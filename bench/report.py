"""Report benchmarks (issue 6, "Measure").

1. The HTML report of a 50-report cluster: its size (goal: under 5 MB) and how long headless
   Chromium takes to open it (goal: under 2 s), median of repeated loads. The cluster is the
   notarise release and its reports, each report copied with a numbered local paragraph to
   make 50 distinct articles, all run through extract and compare.
2. The corpus view of 10,000 compared reports (goal: under 10 s): the fixture comparisons
   repeated over 1,000 events and 200 outlets, then summarised and rendered as terminal,
   Markdown, HTML and CSV tables, and figures.

Run: .venv/bin/python bench/report.py [--repeat 5] [--reports 10000]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from coverage_cmp.compare import compare_articles
from coverage_cmp.compare.events import Event
from coverage_cmp.extract import extract_article
from coverage_cmp.model import Article, Comparison
from coverage_cmp.pipeline import load_articles
from coverage_cmp.report.console import render_corpus_terminal
from coverage_cmp.report.corpus import corpus_summary
from coverage_cmp.report.html import render_compare_html, render_corpus_html
from coverage_cmp.report.markdown import render_corpus_markdown
from coverage_cmp.report.plots import write_plots
from coverage_cmp.report.tables import write_corpus_csv
from coverage_cmp.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "notarise"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def fixture_articles() -> list[Article]:
    paths = sorted(p for p in FIXTURES.glob("*.html")
                   if p.name != "index.html" and not p.name.startswith("distractor"))
    articles, _ = load_articles([str(p) for p in paths], Settings())
    return articles


def cluster_of(size: int) -> list[Article]:
    """The release and ``size`` reports: fixture reports, each copy given a local paragraph."""
    articles = fixture_articles()
    release = next(a for a in articles if a.outlet_scope == "release"
                   or "nca-release" in a.source)
    reports = [a for a in articles if a is not release]
    out = [release]
    for i in range(size):
        base = reports[i % len(reports)]
        text = f"{base.text}\n\nIn district {i}, {i % 9 + 2} people were arrested."
        out.append(Article(source=f"{base.source}#{i}", text=text, title=base.title,
                           outlet=f"{base.outlet} {i // len(reports)}",
                           outlet_scope=base.outlet_scope, published=base.published))
    return out


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, " \
           f"max {max(times) * 1000:.0f}, n={len(times)})"


def bench_html(repeat: int, out_dir: Path) -> None:
    articles = cluster_of(50)
    started = time.perf_counter()
    comparison = compare_articles([extract_article(a) for a in articles],
                                  references=[articles[0].id])
    print(f"extract + compare of 50 reports: {time.perf_counter() - started:.2f} s")
    renders = []
    for _ in range(repeat):
        started = time.perf_counter()
        page = render_compare_html(comparison)
        renders.append(time.perf_counter() - started)
    path = out_dir / "report-50.html"
    path.write_text(page, encoding="utf-8")
    print(f"HTML of 50 reports: {len(page.encode('utf-8')) / 1e6:.2f} MB "
          f"(goal < 5 MB); render {median_ms(renders)}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright not installed: browser timing skipped")
        return
    if not Path(CHROMIUM).exists():
        print(f"no {CHROMIUM}: browser timing skipped")
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        loads, ready = [], []
        for _ in range(repeat):
            page_ = browser.new_page(viewport={"width": 1400, "height": 1000})
            started = time.perf_counter()
            page_.goto(path.as_uri(), wait_until="load")
            loads.append(time.perf_counter() - started)
            page_.select_option("#picker", "49")
            page_.click("#report-49 .seg[data-ref] >> nth=0")
            page_.wait_for_selector("#report-49 .src.hl")
            ready.append(time.perf_counter() - started)
            page_.close()
        browser.close()
    print(f"Chromium opens it (load event): {median_ms(loads)} (goal < 2 s)")
    print(f"... and shows report 50 with a clicked source highlighted: {median_ms(ready)}")


def corpus_events(reports: int) -> list[Event]:
    articles = fixture_articles()
    comparison = compare_articles([extract_article(a) for a in articles])
    per_event = 10
    events = []
    for e in range(reports // per_event):
        chosen = [comparison.reports[(e + k) % len(comparison.reports)]
                  for k in range(per_event)]
        renamed = [dataclasses.replace(r, article=dataclasses.replace(
            r.article, id=f"{e:06d}{k:06d}", outlet=f"Outlet {(e * per_event + k) % 200}"))
            for k, r in enumerate(chosen)]
        events.append(Event(f"event-{e}", f"event {e}",
                            Comparison(comparison.references, "bench", renamed)))
    return events


def bench_corpus(reports: int, repeat: int, out_dir: Path) -> None:
    events = corpus_events(reports)
    steps: dict[str, list[float]] = {}
    for _ in range(repeat):
        started = time.perf_counter()
        corpus = corpus_summary(events)
        steps.setdefault("summary", []).append(time.perf_counter() - started)
        for name, render in (("terminal", partial(render_corpus_terminal, width=100)),
                             ("markdown", render_corpus_markdown),
                             ("html", render_corpus_html)):
            started = time.perf_counter()
            render(corpus)
            steps.setdefault(name, []).append(time.perf_counter() - started)
    total = sum(statistics.median(v) for v in steps.values())
    n = sum(len(e.comparison.reports) for e in events)
    print(f"corpus view of {n} reports, {len(events)} events, {len(corpus.outlets)} outlets:")
    for name, times in steps.items():
        print(f"  {name}: {median_ms(times)}")
    print(f"  summary + terminal + markdown + html: {total:.2f} s (goal < 10 s)")
    started = time.perf_counter()
    paths = write_corpus_csv(corpus, out_dir / "csv", events)
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"  CSV, all seven tables: {time.perf_counter() - started:.2f} s, {size:.1f} MB")
    started = time.perf_counter()
    write_plots(corpus, out_dir / "plots")
    print(f"  figures (PNG + SVG): {time.perf_counter() - started:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reports", type=int, default=10_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_html(options.repeat, Path(tmp))
        bench_corpus(options.reports, options.repeat, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
