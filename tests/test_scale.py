"""The stages on a real Dask LocalCluster (2 worker processes) and on the local engine give
the same JSON byte for byte, a killed worker does not stop a job, and the store data path
resumes after an interruption without redoing finished pieces."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from distributed import LocalCluster  # noqa: E402

from coverage_cmp.cluster import cluster_articles  # noqa: E402
from coverage_cmp.compare import compare_articles  # noqa: E402
from coverage_cmp.engine import DaskEngine, Engine, LocalEngine  # noqa: E402
from coverage_cmp.extract import extract_article  # noqa: E402
from coverage_cmp.model import Article  # noqa: E402
from coverage_cmp.parquet import export_parquet  # noqa: E402
from coverage_cmp.pipeline import compare_sources, load_articles  # noqa: E402
from coverage_cmp.scale import (  # noqa: E402
    cluster_many,
    compare_many,
    compare_one,
    extract_many,
    import_parquet,
    plan_partitions,
    run_store,
)
from coverage_cmp.settings import CollectSettings, PartitionSettings, Settings  # noqa: E402
from coverage_cmp.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "notarise"
sys.path.insert(0, str(ROOT / "bench"))
from cluster import bcubed  # noqa: E402  (the clustering benches beside the tests)
from cluster_scale import synthetic_corpus  # noqa: E402  (ECB+ sentences over a year)

pytestmark = pytest.mark.slow
GENERATED = 1500


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        engine = DaskEngine(cluster.scheduler_address)
        yield engine
        engine.close()


@pytest.fixture(scope="module")
def local_engine() -> Iterator[LocalEngine]:
    with LocalEngine(2) as engine:
        yield engine


@pytest.fixture(scope="module")
def fixture_articles() -> list[Article]:
    settings = Settings(collect=CollectSettings(outlets_file=str(FIXTURES / "outlets.toml")))
    sources = sorted(str(p) for p in FIXTURES.iterdir()
                     if p.suffix in (".html", ".txt") and p.name != "index.html")
    articles, failures = load_articles(sources, settings)
    assert not failures
    return articles


@pytest.fixture(scope="module")
def generated_events() -> tuple[list[Article], list[int]]:
    return synthetic_corpus(GENERATED)


@pytest.fixture(scope="module")
def generated(generated_events: tuple[list[Article], list[int]]) -> list[Article]:
    return generated_events[0]


#: Four-week partitions, as a year-long corpus would use.
MONTHLY = PartitionSettings(window_days=28)


def _json(items: list) -> str:
    return json.dumps([item.to_json() for item in items], ensure_ascii=False)


def test_fixtures_same_json_on_every_engine(fixture_articles: list[Article],
                                            dask_engine: Engine, local_engine: Engine) -> None:
    settings = Settings()
    inline = [extract_article(a) for a in fixture_articles]
    one_window = PartitionSettings(window_days=3650)
    partitioned = _json(cluster_many(fixture_articles, settings.cluster, LocalEngine(1),
                                     partition=MONTHLY))
    for engine in (local_engine, dask_engine):
        extractions = list(extract_many(fixture_articles, engine))
        assert _json(extractions) == _json(inline)
        assert _json(cluster_many(fixture_articles, settings.cluster, engine,
                                  partition=MONTHLY)) == partitioned
        assert (_json(cluster_many(fixture_articles, settings.cluster, engine,
                                   partition=one_window))
                == _json(cluster_articles(fixture_articles, settings.cluster)))
        assert (json.dumps(compare_one(extractions, engine).to_json())
                == json.dumps(compare_articles(inline).to_json()))
        named = ["National Crime Agency"]
        assert (json.dumps(compare_one(extractions, engine, references=named).to_json())
                == json.dumps(compare_articles(inline, references=named).to_json()))


def test_generated_corpus_same_json_on_dask_and_local(generated: list[Article],
                                                      dask_engine: Engine,
                                                      local_engine: Engine) -> None:
    settings = Settings()
    assert (_json(list(extract_many(generated, dask_engine)))
            == _json(list(extract_many(generated, local_engine))))
    partitioned = cluster_many(generated, settings.cluster, dask_engine, partition=MONTHLY)
    assert _json(partitioned) == _json(cluster_many(generated, settings.cluster,
                                                     LocalEngine(1), partition=MONTHLY))
    members = [m.id for c in partitioned for m in c.articles]
    assert sorted(members) == sorted(a.id for a in generated)  # each article exactly once
    by_id = {a.id: extract_article(a) for a in generated}
    events = [[by_id[m.id] for m in c.articles] for c in partitioned if len(c.articles) > 1][:20]
    assert ([json.dumps(c.to_json()) for c in compare_many(events, dask_engine)]
            == [json.dumps(compare_articles(event).to_json()) for event in events])


def test_partitioned_clusters_agree_with_one_pass(
        generated_events: tuple[list[Article], list[int]], local_engine: Engine) -> None:
    """Windows of 28 days with the clustering window as overlap lose almost nothing."""
    articles, events = generated_events
    settings = Settings().cluster
    assert len(plan_partitions([(a.id, a.published) for a in articles],
                               MONTHLY, settings.window_days)) >= 12

    def f1(clusters: list) -> float:
        label = {m.id: c.id for c in clusters for m in c.articles}
        return bcubed([str(e) for e in events], [label[a.id] for a in articles])[2]

    partitioned = f1(cluster_many(articles, settings, local_engine, partition=MONTHLY))
    assert partitioned >= f1(cluster_articles(articles, settings)) - 0.02


def test_cluster_crossing_a_window_edge_is_one_cluster(local_engine: Engine) -> None:
    story = ("Police arrested eight people in Cambridgeshire after a raid on a farm near "
             "Ely, Detective Inspector Mary Stone said. The suspects are held at Parkside. ")
    articles = [Article(source=f"s{i}", text=story + f"Update number {i} of the day.",
                        published=f"2024-03-0{day}T{hour:02d}:00:00Z")
                for i, (day, hour) in enumerate([(6, 20), (6, 23), (7, 1), (7, 4)])]
    partition = PartitionSettings(window_days=1, overlap_days=1)
    assert len(plan_partitions([(a.id, a.published) for a in articles], partition, 3)) == 2
    clusters = cluster_many(articles, Settings().cluster, local_engine, partition=partition)
    assert [len(c.articles) for c in clusters] == [4]


def test_killed_worker_does_not_stop_the_job(generated: list[Article],
                                             dask_engine: DaskEngine) -> None:
    articles = generated[:400]
    expected = _json([extract_article(a) for a in articles])
    results = []
    for index, extraction in enumerate(extract_many(articles, dask_engine)):
        results.append(extraction)
        if index == 10:
            victim = sorted(dask_engine.client.scheduler_info()["workers"])[0]
            pid = dask_engine.client.run(os.getpid, workers=[victim])[victim]
            os.kill(pid, signal.SIGKILL)  # its nanny starts a new worker
    assert _json(results) == expected


def test_store_path_resumes_and_matches_the_local_pipeline(tmp_path: Path,
                                                           generated: list[Article],
                                                           dask_engine: Engine) -> None:
    articles = generated[:300]
    export_parquet(articles, tmp_path / "parquet")
    store = Store(tmp_path / "coverage.db")
    assert import_parquet(tmp_path / "parquet", store) == len(articles)
    settings = Settings(partition=PartitionSettings(window_days=60))

    class Interrupted(Exception):
        pass

    def stop_after_100(stage: str, key: str) -> None:
        stop_after_100.count += 1
        if stop_after_100.count == 100:
            raise Interrupted

    stop_after_100.count = 0
    with LocalEngine(2) as engine, pytest.raises(Interrupted):
        run_store(store, settings, engine, on_item=stop_after_100)
    assert len(store.extractions()) == 100

    first = run_store(store, settings, dask_engine)
    assert (first.extractions_reused, first.extracted) == (100, 200)
    assert first.partitions_clustered == len(first.partitions) > 1
    again = run_store(store, settings, dask_engine)
    assert (again.extracted, again.partitions_clustered, again.compared) == (0, 0, 0)
    assert again.comparisons_reused == first.compared > 0

    by_id = {a.id: a for a in articles}
    extracted = store.extractions()
    assert extracted == {i: json.loads(json.dumps(extract_article(by_id[i]).to_json()))
                         for i in by_id}
    comparisons = store.comparisons()
    for cluster_id in sorted(comparisons)[:5]:
        local, _ = compare_sources(settings=settings, store=store, cluster_id=cluster_id)
        assert comparisons[cluster_id] == json.loads(json.dumps(local.to_json()))

    rewritten = articles[0]
    store.save_article(replace(rewritten, text=rewritten.text + " Updated.", content_hash=""),
                       refresh=True)
    after_edit = run_store(store, settings, LocalEngine(1))
    assert (after_edit.extracted, after_edit.extractions_reused) == (1, len(articles) - 1)
    assert 1 <= after_edit.partitions_clustered <= 2  # its window, and the next's overlap
    assert after_edit.partitions_clustered < len(after_edit.partitions)


def test_one_partition_keeps_the_input_order() -> None:
    dates = [("b", "2024-03-02"), ("a", None), ("c", "2024-03-01")]
    assert plan_partitions(dates, PartitionSettings(window_days=None), 3)[0].ids == ("b", "a", "c")
    assert plan_partitions(dates, MONTHLY, 3)[0].ids == ("b", "a", "c")
