"""Speed of quote and fact extraction against trafilatura's body extraction.

On the 181 pages of the article extraction benchmark, CPU times of this process (median
of ``RUNS`` runs; CPU time, not wall time, since the machine is shared):

- trafilatura pulling the body out of each page's HTML (``html/<id>.html.gz``);
- ``extract_article`` (names found once, then quotes and facts) over the gold bodies
  (``ground-truth.json``), after the gazetteers and word lists are loaded; their loading
  is timed apart, once. Each stage is also timed alone. The cache of capitalised runs
  (names recur across articles) is emptied before each run, so figures are cold.

The goal: extraction takes less than a quarter of trafilatura's time (ratio < 0.25).

Run: ``.venv/bin/python bench/extract.py``
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from collections.abc import Callable

import trafilatura
from _common import BENCHMARK_DIR, median_cpu_s

from coverage_cmp.extract import extract_article
from coverage_cmp.extract.dates import find_dates
from coverage_cmp.extract.names import _run_mentions, find_mentions, lexicon
from coverage_cmp.extract.numbers import scan_numbers
from coverage_cmp.extract.places import find_places, gazetteer
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article

DATA = BENCHMARK_DIR


def _median_time(work: Callable[[], object]) -> float:
    """Every run starts cold (name cache emptied), as a fresh process would."""
    return median_cpu_s(work, before=_run_mentions.cache_clear)


def main() -> None:
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        page_id: gzip.decompress((DATA / "html" / f"{page_id}.html.gz").read_bytes()).decode(
            "utf-8", errors="replace")
        for page_id in truth
    }
    bodies = [row["articleBody"] for row in truth.values()]
    articles = [Article(source=page_id, text=row["articleBody"]) for page_id, row in truth.items()]

    begin = time.process_time()
    gazetteer()
    lexicon()
    load_s = time.process_time() - begin

    def bodies_from_html() -> None:
        for html in pages.values():
            trafilatura.extract(html)

    def quotes_and_facts() -> None:
        for article in articles:
            extract_article(article)

    trafilatura_s = _median_time(bodies_from_html)
    extract_s = _median_time(quotes_and_facts)
    extractions = [extract_article(article) for article in articles]
    kinds = Counter(fact.kind for done in extractions for fact in done.facts)
    quotes = sum(len(done.quotes) for done in extractions)
    mentions = [find_mentions(body) for body in bodies]
    stages = {
        "names": lambda: [find_mentions(body) for body in bodies],
        "quotes (names given)": lambda: [
            extract_quotes(body, mentions=found)
            for body, found in zip(bodies, mentions, strict=True)],
        "dates": lambda: [find_dates(body) for body in bodies],
        "numbers": lambda: [scan_numbers(body) for body in bodies],
        "places": lambda: [find_places(body) for body in bodies],
    }

    print(f"pages: {len(bodies)}, body characters: {sum(map(len, bodies))}")
    print(f"gazetteer and word lists, loaded once: {load_s:.2f} s")
    print(f"trafilatura body extraction (median of 3): {trafilatura_s:.2f} s")
    print(f"quotes + facts extraction (median of 3): {extract_s:.2f} s")
    print(f"ratio extraction / trafilatura: {extract_s / trafilatura_s:.3f} (goal < 0.25)")
    print("per stage: " + ", ".join(
        f"{name} {_median_time(work):.2f} s" for name, work in stages.items()))
    print(f"quotes: {quotes}; facts: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))


if __name__ == "__main__":
    main()
