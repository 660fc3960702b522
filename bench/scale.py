"""Local engine against a Dask LocalCluster, and the 1-million-article path on paper.

Articles are the ECB+ sentence recombinations of ``bench/cluster_scale.py`` (events spread
over a year). Both engines use every CPU this process may use; the Dask workers are warmed
up (modules imported) before timing, as on a long-running cluster. The machine may be
shared, so the engines take turns run by run and the 1-minute load average is printed
around each run.
Measured:

1. extraction (the bulk of per-article cost): seconds and articles/s on each engine;
2. the whole path: extract, cluster by 28-day window (+ overlap), compare every
   multi-article cluster (one cluster per task); Dask overhead = Dask time / local
   time - 1 (target: under 25 %);
3. per-article costs in one process (extract, cluster, compare) and the clusterer's peak
   memory per article (tracemalloc), from which the 1M-article path is projected:
   partitions, articles and memory per partition task, hours on N workers.

Run: ``.venv/bin/python bench/scale.py [--size 20000] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster_scale import synthetic_corpus  # noqa: E402

from coverage_cmp.cluster import cluster_articles  # noqa: E402
from coverage_cmp.compare import compare_articles  # noqa: E402
from coverage_cmp.engine import Engine, machine_workers, make_engine  # noqa: E402
from coverage_cmp.extract import extract_article  # noqa: E402
from coverage_cmp.model import Article  # noqa: E402
from coverage_cmp.scale import (  # noqa: E402
    cluster_many,
    compare_many,
    extract_many,
    plan_partitions,
)
from coverage_cmp.settings import PartitionSettings, Settings  # noqa: E402

MILLION = 1_000_000
SAMPLE = 1_000


def whole_path(articles: list[Article], engine: Engine) -> dict[str, float]:
    """Seconds for each stage of the full path on ``engine``."""
    settings = Settings()
    times = {}
    start = time.perf_counter()
    extractions = list(extract_many(articles, engine))
    times["extract"] = time.perf_counter() - start
    start = time.perf_counter()
    clusters = cluster_many(articles, settings.cluster, engine)
    times["cluster"] = time.perf_counter() - start
    by_id = {x.article.id: x for x in extractions}
    events = [[by_id[m.id] for m in c.articles] for c in clusters if len(c.articles) > 1]
    start = time.perf_counter()
    list(compare_many(events, engine))
    times["compare"] = time.perf_counter() - start
    times["total"] = sum(times.values())
    return times


def per_article_costs(articles: list[Article]) -> dict[str, float]:
    """One process: seconds per article of each stage, and clusterer bytes per article."""
    sample = articles[:SAMPLE]
    start = time.perf_counter()
    extractions = [extract_article(a) for a in sample]
    extract_s = (time.perf_counter() - start) / len(sample)
    start = time.perf_counter()
    clusters = cluster_articles(sample, Settings().cluster)
    cluster_s = (time.perf_counter() - start) / len(sample)
    by_id = {x.article.id: x for x in extractions}
    start = time.perf_counter()
    for cluster in clusters:
        if len(cluster.articles) > 1:
            compare_articles([by_id[m.id] for m in cluster.articles])
    compare_s = (time.perf_counter() - start) / len(sample)
    tracemalloc.start()
    cluster_articles(articles[:5_000], Settings().cluster)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    text_bytes = statistics.mean(len(a.text.encode("utf-8")) for a in sample)
    return {"extract_s": extract_s, "cluster_s": cluster_s, "compare_s": compare_s,
            "cluster_bytes": peak / 5_000, "text_bytes": text_bytes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    articles = synthetic_corpus(args.size)[0]
    workers = machine_workers()
    print(f"{len(articles):,} articles, {workers} workers per engine, "
          f"{args.repeats} repeat(s) (medians)")

    runs: dict[str, list[dict[str, float]]] = {"local": [], "dask": []}
    with make_engine("local", workers=workers) as local, \
            make_engine("dask", workers=workers) as dask:
        # import and load lexicons on every Dask worker, as a forked local pool inherits them
        dask.client.run(extract_article, articles[0])
        for repeat in range(args.repeats):  # engines take turns, so both see the same load
            for name, engine in (("local", local), ("dask", dask)):
                before = os.getloadavg()[0]
                runs[name].append(whole_path(articles, engine))
                print(f"run {repeat + 1} {name}: {runs[name][-1]['total']:.1f} s "
                      f"(extract {runs[name][-1]['extract']:.1f} s), load average "
                      f"{before:.2f} before, {os.getloadavg()[0]:.2f} after", flush=True)
    median = {name: {stage: statistics.median(r[stage] for r in results)
                     for stage in results[0]} for name, results in runs.items()}
    print(f"{'stage':<10}{'local s':>10}{'dask s':>10}{'overhead':>10}{'dask art/s':>12}")
    for stage in ("extract", "cluster", "compare", "total"):
        local, dask = median["local"][stage], median["dask"][stage]
        print(f"{stage:<10}{local:>10.1f}{dask:>10.1f}{dask / local - 1:>10.1%}"
              f"{len(articles) / dask:>12.0f}")

    costs = per_article_costs(articles)
    print(f"\none process, per article: extract {costs['extract_s'] * 1e3:.2f} ms, "
          f"cluster {costs['cluster_s'] * 1e3:.2f} ms, compare {costs['compare_s'] * 1e3:.2f}"
          f" ms; clusterer peak {costs['cluster_bytes'] / 1e3:.1f} kB/article; "
          f"text {costs['text_bytes'] / 1e3:.1f} kB/article")

    partition = PartitionSettings(window_days=28)
    window_s = partition.window_days * 86_400
    year_s = 365 * 86_400
    dates = [(str(i), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_388_534_400 + i * year_s
                                                                     // MILLION)))
             for i in range(0, MILLION, 100)]  # 1 in 100 of an even year of 1M articles
    parts = plan_partitions(dates, partition, Settings().cluster.window_days)
    per_part = max(len(p.ids) for p in parts) * 100
    memory_gb = per_part * (costs["cluster_bytes"] + costs["text_bytes"]) / 1e9
    cpu_s = MILLION * (costs["extract_s"] + costs["compare_s"]) + costs["cluster_s"] * sum(
        len(p.ids) * 100 for p in parts)
    one_process_s = (costs["extract_s"] + costs["cluster_s"] + costs["compare_s"]) * len(articles)
    efficiency = one_process_s / (median["dask"]["total"] * workers)
    print(f"\n1M articles over a year on paper: {len(parts)} cluster partitions of "
          f"{window_s / 86_400:.0f} days + {Settings().cluster.window_days:g}-day overlap, "
          f"up to {per_part:,} articles each, ~{memory_gb:.1f} GB per partition task "
          f"(extraction and compare tasks: a few MB); {cpu_s / 3600:.1f} CPU hours; "
          f"Dask parallel efficiency here {efficiency:.0%}")
    for n in (2, 8, 32, 128):
        # clustering parallelises over partitions only: at most len(parts) at once
        hours = (MILLION * (costs["extract_s"] + costs["compare_s"]) / n
                 + costs["cluster_s"] * per_part * -(-len(parts) // min(n, len(parts))))
        print(f"  {n:>4} workers: {hours / 3600 / efficiency:6.2f} h")


if __name__ == "__main__":
    main()
