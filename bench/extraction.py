"""Body-text quality and speed of ``extract_page``, with the article-extraction benchmark's metric.

Usage: ``.venv/bin/python bench/extraction.py [--runs 3] [--limit N]``; run it with
``.venv-np3k/bin/python`` to measure newspaper3k instead of newspaper4k.

The metric is the benchmark's own (``../shared/data/article-extraction-benchmark/README.md``):
words are ``\\w+`` runs; each text becomes a multiset of word 4-gram shingles; per page
tp/fp/fn are normalised by tp+fp+fn; precision and recall are means over pages and F1 is
their harmonic mean. A page that raises ``ExtractionError`` counts as an empty prediction.

Speed is pages per second over the whole set, the median of ``--runs`` runs; within a run
every system handles a page in turn (rotating who goes first), so the machine's load hits
all systems alike.
"Overhead" compares ``extract_page`` with calling ``trafilatura.bare_extraction`` directly
with the same options, and with plain ``trafilatura.extract`` (no metadata).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

BENCHMARK_DIR = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "article-extraction-benchmark"
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class BenchmarkPage:
    """One page of the benchmark with its gold body."""

    id: str
    url: str
    html: str
    gold: str


def load_benchmark(limit: int | None = None) -> list[BenchmarkPage]:
    """The benchmark's pages in id order (the first ``limit`` of them when given)."""
    truth = json.loads((BENCHMARK_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        with gzip.open(BENCHMARK_DIR / "html" / f"{page_id}.html.gz", "rt",
                       encoding="utf-8") as handle:
            html = handle.read()
        entry = truth[page_id]
        pages.append(BenchmarkPage(page_id, entry.get("url", ""), html,
                                   entry.get("articleBody", "")))
    return pages


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of word ``size``-grams; a text shorter than that is one shingle."""
    words = _WORD.findall(text or "")
    if not words:
        return Counter()
    return Counter(tuple(words[i:i + size]) for i in range(max(1, len(words) - size + 1)))


def page_scores(gold: str, predicted: str) -> tuple[float, float, float]:
    """tp, fp, fn of one page, normalised by their sum."""
    gold_counts, predicted_counts = shingles(gold), shingles(predicted)
    tp = sum((gold_counts & predicted_counts).values())
    fp = sum((predicted_counts - gold_counts).values())
    fn = sum((gold_counts - predicted_counts).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def benchmark_scores(per_page: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Precision, recall and F1 over pages, as the benchmark computes them.

    Precision is averaged over pages with a prediction, recall over pages with a gold
    body; a page where both are empty counts as perfect for both.
    """
    def precision(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return tp / (tp + fp) if tp + fp else 0.0

    def recall(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return tp / (tp + fn) if tp + fn else 0.0

    mean_precision = statistics.mean(precision(*s) for s in per_page if s[0] + s[1] > 0)
    mean_recall = statistics.mean(recall(*s) for s in per_page if s[0] + s[2] > 0)
    f1 = 2 * mean_precision * mean_recall / (mean_precision + mean_recall)
    return mean_precision, mean_recall, f1


def score_extractor(pages: list[BenchmarkPage],
                    extract: Callable[[BenchmarkPage], str | None]) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``extract`` (page -> body text or None) on ``pages``."""
    return benchmark_scores([page_scores(p.gold, extract(p) or "") for p in pages])


def _systems() -> dict[str, Callable[[BenchmarkPage], str | None]]:
    """Name -> function from a page to its body text; what the table compares."""
    import trafilatura

    from coverage_cmp.collect.body import TRAFILATURA_OPTIONS, extract_page
    from coverage_cmp.errors import ExtractionError

    def ours(extractor: str) -> Callable[[BenchmarkPage], str | None]:
        def run(page: BenchmarkPage) -> str | None:
            try:
                return extract_page(page.html, source=page.id, url=page.url,
                                    extractor=extractor).text
            except ExtractionError:
                return None
        return run

    def direct_same_options(page: BenchmarkPage) -> str | None:
        document = trafilatura.bare_extraction(page.html, url=page.url, **TRAFILATURA_OPTIONS)
        return document.text if document is not None else None

    def direct_plain(page: BenchmarkPage) -> str | None:
        return trafilatura.extract(page.html, url=page.url, include_comments=False)

    return {
        "trafilatura.extract (plain, no metadata)": direct_plain,
        "trafilatura.bare_extraction (our options)": direct_same_options,
        "extract_page trafilatura": ours("trafilatura"),
        "extract_page newspaper": ours("newspaper"),
    }


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per system")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N pages")
    args = parser.parse_args(argv)

    pages = load_benchmark(args.limit)
    systems = _systems()
    for run in systems.values():  # warm-up: imports, dateparser and lxml caches
        run(pages[0])
    outputs: dict[str, list[str | None]] = {name: [None] * len(pages) for name in systems}
    seconds: dict[str, list[float]] = {name: [0.0] * args.runs for name in systems}
    names = list(systems)
    for run_index in range(args.runs):
        for page_index, page in enumerate(pages):
            # Every system on the same page in turn, starting with a different one each
            # time, so load from other processes on the machine hits all of them alike.
            shift = (run_index + page_index) % len(names)
            for name in names[shift:] + names[:shift]:
                started = time.perf_counter()
                outputs[name][page_index] = systems[name](page)
                seconds[name][run_index] += time.perf_counter() - started

    newspaper = _package_version("newspaper4k")
    if newspaper == "-":
        newspaper = "newspaper3k " + _package_version("newspaper3k")
    else:
        newspaper = "newspaper4k " + newspaper
    print(f"{len(pages)} pages; trafilatura {_package_version('trafilatura')}; {newspaper}; "
          f"median of {args.runs} runs")
    print(f"{'system':44} {'precision':>9} {'recall':>7} {'F1':>6} {'pages/s':>8} {'empty':>6}")
    for name in systems:
        per_page = [page_scores(p.gold, text or "") for p, text in zip(pages, outputs[name],
                                                                         strict=True)]
        precision, recall, f1 = benchmark_scores(per_page)
        rate = len(pages) / statistics.median(seconds[name])
        empty = sum(1 for text in outputs[name] if not text)
        print(f"{name:44} {precision:9.3f} {recall:7.3f} {f1:6.3f} {rate:8.1f} {empty:6d}")
    ours = statistics.median(seconds["extract_page trafilatura"])
    same = statistics.median(seconds["trafilatura.bare_extraction (our options)"])
    plain = statistics.median(seconds["trafilatura.extract (plain, no metadata)"])
    print(f"overhead of extract_page over bare_extraction with the same options: "
          f"{100 * (ours / same - 1):+.1f} %")
    print(f"cost over plain trafilatura.extract (metadata, precision mode, our layer): "
          f"{100 * (ours / plain - 1):+.1f} %")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
