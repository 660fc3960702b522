"""The stages on a real Dask LocalCluster (2 worker processes) and on the local engine give
the same JSON byte for byte, a killed worker does not stop a job, and the store data path
resumes after an interruption without redoing finished pieces."""

from __future__ import annotations

import json
import os
import signal
import subprocess
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
from coverage_cmp.model import Article, Cluster, ClusterMember  # noqa: E402
from coverage_cmp.parquet import export_parquet  # noqa: E402
from coverage_cmp.pipeline import (  # noqa: E402
    cluster_sources,
    collect_into_store,
    compare_sources,
    load_articles,
    run_whole_store,
)
from coverage_cmp.scale import (  # noqa: E402
    cluster_many,
    compare_many,
    compare_one,
    extract_many,
    import_parquet,
    plan_partitions,
    reconcile_clusters,
    run_store,
)
from coverage_cmp.settings import CollectSettings, PartitionSettings, Settings  # noqa: E402
from coverage_cmp.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "notarise"
#: The pages `make demo` collects: every fixture article, the undated wire copy among them.
FIXTURE_SOURCES = sorted(str(p) for p in FIXTURES.iterdir()
                         if p.suffix in (".html", ".txt") and p.name != "index.html")
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
    articles, failures = load_articles(FIXTURE_SOURCES, settings)
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


# -- `run` and `cluster` on one store, in any order ------------------------------------------

def _member(article_id: str, published: str | None = None) -> ClusterMember:
    return ClusterMember(article_id, f"{article_id}.html", published=published)


def _piece(cluster_id: str, *members: ClusterMember) -> Cluster:
    return Cluster(cluster_id, f"label of {cluster_id}", list(members))


def test_previous_cluster_split_across_windows_stays_one_cluster() -> None:
    """An undated copy clustered with its event in one pass is alone in the undated window."""
    dated = [_member("a", "2024-03-01"), _member("b", "2024-03-20")]
    previous = [_piece("c-a", *dated, _member("w"))]
    windows = [[_piece("c-a", dated[0])], [_piece("c-a", *dated)], [_piece("c-a", _member("w"))]]
    clusters = reconcile_clusters(windows, previous)
    assert [(c.id, [m.id for m in c.articles]) for c in clusters] == [("c-a", ["a", "b", "w"])]


def test_two_previous_clusters_never_merge_through_a_new_article() -> None:
    previous = [_piece("c-a", _member("a", "2024-03-01")),
                _piece("c-b", _member("b", "2024-03-03"))]
    new = _member("n", "2024-03-02")
    windows = [[_piece("c-a", previous[0].articles[0], new)],
               [_piece("c-b", new, previous[1].articles[0])]]
    clusters = reconcile_clusters(windows, previous)
    assert [(c.id, [m.id for m in c.articles]) for c in clusters] == [
        ("c-a", ["a", "n"]), ("c-b", ["b"])]
    # A window result reused from before both were stored holds the two together.
    stale = reconcile_clusters([[_piece("c-a", previous[0].articles[0], new,
                                        previous[1].articles[0])]], previous)
    assert [(c.id, [m.id for m in c.articles], c.label) for c in stale] == [
        ("c-a", ["a", "n"], "label of c-a"), ("c-b", ["b"], "label of c-b")]


def _cluster_command(store: Store, engine: Engine) -> None:
    """What `coverage-cmp cluster --db` does: one pass, stored clusters kept."""
    cluster_sources((), Settings(), store, engine=engine)


def _run_command(store: Store, engine: Engine) -> None:
    """What `coverage-cmp run --db` does: four-week windows, results written back."""
    run_whole_store(store, Settings(partition=MONTHLY), engine)
    events = {c.id for c in store.clusters() if len(c.articles) > 1}
    assert events and events <= set(store.comparisons())


COMMANDS = {"cluster": _cluster_command, "run": _run_command}


def _assert_extends(store: Store, earlier: dict[str, set[str]]) -> dict[str, set[str]]:
    """Every article in exactly one cluster; earlier clusters keep their ids and articles."""
    clusters = {c.id: {m.id for m in c.articles} for c in store.clusters()}
    assert len(clusters) == len(store.clusters())
    members = [i for ids in clusters.values() for i in ids]
    assert sorted(members) == sorted(i for i, _ in store.article_dates())
    for cluster_id, ids in earlier.items():
        assert ids <= clusters.get(cluster_id, set()), cluster_id
    return clusters


@pytest.mark.parametrize("first, second", [("cluster", "run"), ("run", "cluster"),
                                           ("run", "run"), ("cluster", "cluster")])
def test_run_and_cluster_compose_with_articles_added_between(tmp_path: Path, first: str,
                                                             second: str) -> None:
    """first, collect more, second, first again: each extends the stored clusters."""
    settings = Settings(collect=CollectSettings(outlets_file=str(FIXTURES / "outlets.toml")))
    # The undated wire copy, both distractors and some of the event first; the release
    # (the event's earliest article) only later, so it joins a cluster named after another.
    early, late = FIXTURE_SOURCES[:8], FIXTURE_SOURCES[8:]
    assert any(s.endswith(".txt") for s in early) and any("nca-release" in s for s in late)
    with Store(tmp_path / "coverage.db") as store, LocalEngine(1) as engine:
        collect_into_store(early, settings, store)
        COMMANDS[first](store, engine)
        clusters = _assert_extends(store, {})
        collect_into_store(late, settings, store)
        for command in (second, first):
            COMMANDS[command](store, engine)
            clusters = _assert_extends(store, clusters)
        event = max(clusters, key=lambda cluster_id: len(clusters[cluster_id]))
        comparison, _ = compare_sources(settings=settings, store=store, cluster_id=event)
    compared = {a.id for a in comparison.references} | {r.article.id for r in comparison.reports}
    assert compared == clusters[event]


def test_cli_run_on_a_clustered_demo_store_then_compare(tmp_path: Path) -> None:
    """`make demo`'s store, then `run` (it failed on the clusters `cluster` had stored)."""
    db = str(tmp_path / "coverage.db")

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "coverage_cmp", *args, "--db", db],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("collect", *FIXTURE_SOURCES, "--outlets", str(FIXTURES / "outlets.toml"))
    clustered = json.loads(cli("cluster", "--format", "json"))["clusters"]
    cli("run", "--engine", "local", "--workers", "1")
    with Store(db, readonly=True) as store:
        after = _assert_extends(store, {c["id"]: {m["id"] for m in c["articles"]}
                                        for c in clustered})
    event = max(after, key=lambda cluster_id: len(after[cluster_id]))
    compared = json.loads(cli("compare", "--cluster", event, "--format", "json"))
    assert {r["id"] for r in compared["references"]} <= after[event]
