"""Speed of compare against the time to extract the same articles from HTML.

A cluster of 50 reports (300 to 1,500 words) and one reference is made from real article
text of the article extraction benchmark (``../shared/data``): the reference is one
article; each report keeps a trimmed, reordered share of its paragraphs and adds
paragraphs of other articles, so tiles, rewrites and new text all occur. Figures are CPU
times of this process, median of 3 runs:

- extracting the bodies of 51 benchmark pages from their HTML (``extract_page``);
- ``compare_articles`` over the 51 articles (quotes and facts extracted beforehand,
  as the pipeline does, and timed apart), its word caches cleared before each run so
  every run starts cold as a fresh process would;
- growth with the number of reports (10, 25, 50) and with report length, and one
  20,000- and an 80,000-word report, with the cost per word, to show the cost stays
  linear.

Run: ``.venv/bin/python bench/compare.py``
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import time

from _common import BENCHMARK_DIR, median_cpu_s

from coverage_cmp.collect.body import extract_page
from coverage_cmp.compare import compare_articles
from coverage_cmp.compare.align import fold_word, text_sentences
from coverage_cmp.compare.facts import subject_of
from coverage_cmp.extract.facts import extract_facts
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article, Extraction

DATA = BENCHMARK_DIR
_median_time = median_cpu_s


def _compare_cold(cluster: list[Extraction]) -> object:
    """``compare_articles`` with its caches emptied first, as in a fresh process."""
    for cached in (fold_word, text_sentences, subject_of):
        cached.cache_clear()
    return compare_articles(cluster)


def _bodies() -> list[tuple[str, str]]:
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    return sorted((key, item["articleBody"]) for key, item in truth.items()
                  if len(item["articleBody"].split()) >= 300)


def make_report(reference: str, others: list[str], rng: random.Random,
                words: tuple[int, int] = (300, 1500)) -> str:
    """A report from the reference: some paragraphs kept (a few moved), others added."""
    kept = [p for p in reference.split("\n") if p.strip() and rng.random() < 0.7]
    if len(kept) > 2:
        i, j = rng.sample(range(len(kept)), 2)
        kept[i], kept[j] = kept[j], kept[i]
    target = rng.randint(*words)
    paragraphs = list(kept)
    while sum(len(p.split()) for p in paragraphs) < target:
        other = rng.choice(others).split("\n")
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(other))
    text, count = [], 0
    for paragraph in paragraphs:
        if count >= words[1]:
            break
        text.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(text)


def _extraction(text: str, source: str, scope: str = "national") -> Extraction:
    article = Article(source=source, text=text, outlet=source, outlet_scope=scope)
    return Extraction(article, extract_quotes(text), extract_facts(text))


def main() -> None:
    rng = random.Random(0)
    bodies = _bodies()
    keys = [key for key, _ in bodies[:51]]
    pages = [gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes()).decode(
        "utf-8", errors="replace") for key in keys]
    html_s = _median_time(lambda: [extract_page(p, source=k) for p, k in zip(pages, keys,
                                                                               strict=True)])
    reference_text = bodies[0][1]
    others = [body for _, body in bodies[1:]]
    reports = [make_report(reference_text, others, rng) for _ in range(50)]
    begin = time.process_time()
    reference = _extraction(reference_text, "reference", "release")
    extractions = [_extraction(text, f"report-{i}") for i, text in enumerate(reports)]
    extract_s = time.process_time() - begin
    words = [len(r.split()) for r in reports]
    print(f"cluster: 50 reports, {min(words)}-{max(words)} words "
          f"(median {statistics.median(words):.0f}); reference {len(reference_text.split())}")
    print(f"body extraction from HTML, 51 pages:  {html_s:.2f} s")
    print(f"quote+fact extraction, 51 bodies:     {extract_s:.2f} s (not part of compare)")
    for count in (10, 25, 50):
        cluster = [reference, *extractions[:count]]
        seconds = _median_time(lambda cluster=cluster: _compare_cold(cluster))
        line = f"compare, {count:2d} reports:                 {seconds:.3f} s"
        if count == 50:
            line += f"   ratio to HTML extraction: {seconds / html_s:.2f}"
        print(line)
    per_word = []
    for size in (1000, 5000, 20000, 80000):
        long_text = make_report(reference_text, others, rng, (size, size))
        while len(long_text.split()) < size:
            long_text += "\n\n" + rng.choice(others)
        long_report = _extraction(long_text, "long")
        cluster = [reference, long_report]
        seconds = _median_time(lambda cluster=cluster: _compare_cold(cluster))
        count = len(long_text.split())
        per_word.append(seconds / count)
        print(f"compare, one {count:6d}-word report ({len(long_report.quotes):4d} quotes): "
              f"{seconds:.3f} s, {1000 * 1000 * seconds / count:.2f} ms per 1,000 words")
    print(f"growth: cost per word at 80,000 words is {per_word[-1] / per_word[0]:.2f} times "
          "that at 1,000 (1.00 = linear)")


if __name__ == "__main__":
    main()
