"""The stages on an engine (process pool or Dask cluster), and the large-corpus data path.

The stage functions do not change; this module decides what one task is and puts the
results back together so that they are the same, byte for byte in JSON, on every engine:

- **extract**: one article per item (``extract_many``).
- **cluster**: one time window per task, with the ``overlap_days`` before it
  (``cluster_many``). Each window is clustered on its own with ``cluster_articles``; an
  article in an overlap was clustered twice (at the end of one window, at the start of the
  next), and the clusters that share it merge, as do the pieces of a stored cluster that
  windows clustered apart (it keeps its id). Copies found in either window keep the
  earliest copy as ``duplicate_of``. A corpus whose dated articles fall in one window is
  clustered in one task, exactly as ``cluster_articles`` does it; in a partitioned corpus,
  undated articles are clustered among themselves and copies published further apart than
  a window and its overlap are not linked.
- **compare**: one report per item against the references chosen for the whole event
  (``compare_one``), or one cluster per item on the data path.

``run_store`` is the data path for a corpus one machine cannot process in one go. It reads
articles from the SQLite store a slice at a time, and writes each finished piece back to
the store in its own transaction (tables ``extractions``, ``partitions``, ``comparisons``),
each with a digest of its inputs. A worker lost mid-run costs its in-flight tasks only
(Dask runs them again elsewhere, the local pool on a fresh pool), and a rerun, after any
crash, reuses every piece whose inputs have not changed. ``import_parquet`` loads a Parquet
export into a store first.

Results go back to the store, not to Parquet files next to a Parquet input: a Parquet file
cannot be appended to, so writing back piece by piece would leave one small file per
article, window or cluster (or need a compaction pass that a crash could interrupt), while
SQLite commits each piece atomically, tells a current piece from a stale one by its input
digest, and stays one file users open with sqlite3, pandas or Datasette.
"""

from __future__ import annotations

import hashlib
import json
import logging
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from scipy.cluster.hierarchy import DisjointSet

from coverage_cmp.cluster import cluster_articles
from coverage_cmp.compare import compare_articles
from coverage_cmp.compare.reference import choose_references
from coverage_cmp.engine import Engine
from coverage_cmp.extract import extract_article
from coverage_cmp.model import (
    Article,
    Cluster,
    ClusterMember,
    Comparison,
    Extraction,
    Fact,
    Quote,
    ReportComparison,
)
from coverage_cmp.parquet import (
    export_parquet,
    published_seconds,
    read_parquet,
    window_key,
    window_of,
)
from coverage_cmp.settings import ClusterSettings, CompareSettings, PartitionSettings, Settings
from coverage_cmp.store import Store

log = logging.getLogger(__name__)

_DAY_S = 86_400.0
_READ_SLICE = 500


@dataclass(frozen=True)
class Partition:
    """One clustering task: the articles of a time window and of the overlap before it."""

    key: str
    """The window's first day (``2024-03-07``), ``undated``, or ``all``."""
    ids: tuple[str, ...]
    """Ids of the window's own articles and of the overlap before it, earliest first."""


@dataclass(frozen=True)
class _ClusterTask:
    articles: list[Article]
    settings: ClusterSettings
    previous: list[Cluster]


@dataclass(frozen=True)
class _CompareTask:
    references: list[Extraction]
    report: Extraction
    settings: CompareSettings


# -- the stages on an engine -------------------------------------------------------------

def extract_many(articles: Iterable[Article], engine: Engine) -> Iterator[Extraction]:
    """``extract_article`` over every article on ``engine``, in input order."""
    return engine.map(extract_article, articles)


def plan_partitions(dates: Sequence[tuple[str, str | None]], partition: PartitionSettings,
                    cluster_window_days: float) -> list[Partition]:
    """Cut ``(id, published)`` pairs into clustering tasks by time window.

    One partition (``all``, ids in the order given) when ``partition.window_days`` is None
    or the dated articles fall in a single window; else one per window holding articles
    (each with its overlap) and one for the undated articles.
    """
    if partition.window_days is None:
        return [Partition("all", tuple(i for i, _ in dates))] if dates else []
    dated: list[tuple[float, str]] = []
    undated: list[str] = []
    for article_id, published in dates:
        seconds = published_seconds(published)
        if seconds is None:
            undated.append(article_id)
        else:
            dated.append((seconds, article_id))
    dated.sort()
    indices = sorted({window_of(s, partition.window_days) for s, _ in dated})
    if len(indices) <= 1:
        return [Partition("all", tuple(i for i, _ in dates))] if dates else []
    overlap_s = (cluster_window_days if partition.overlap_days is None
                 else partition.overlap_days) * _DAY_S
    times = [s for s, _ in dated]
    partitions = []
    for index in indices:
        start_s = index * partition.window_days * _DAY_S
        low = bisect_left(times, start_s - overlap_s)
        high = bisect_left(times, start_s + partition.window_days * _DAY_S)
        partitions.append(Partition(window_key(index, partition.window_days),
                                    tuple(i for _, i in dated[low:high])))
    if undated:
        partitions.append(Partition("undated", tuple(undated)))
    return partitions


def cluster_many(articles: Sequence[Article], settings: ClusterSettings, engine: Engine, *,
                 previous: Sequence[Cluster] = (),
                 partition: PartitionSettings | None = None) -> list[Cluster]:
    """Group articles by event, one time window (plus overlap) per task on ``engine``.

    Args:
        articles: all articles to cluster (as for ``cluster_articles``).
        settings: clustering settings, the same for every window.
        engine: where the windows are clustered.
        previous: clusters of an earlier run; they keep their ids.
        partition: window and overlap lengths.

    Returns:
        Clusters earliest first, members earliest first, as ``cluster_articles`` gives them.
    """
    partition = partition or PartitionSettings()
    by_id = {a.id: a for a in articles}
    partitions = plan_partitions([(a.id, a.published) for a in by_id.values()], partition,
                                 settings.window_days)
    tasks = (_cluster_task([by_id[i] for i in p.ids], settings, previous) for p in partitions)
    return reconcile_clusters(list(engine.map(_cluster_partition, tasks, batch_size=1)),
                              previous)


def _cluster_task(articles: list[Article], settings: ClusterSettings,
                  previous: Sequence[Cluster]) -> _ClusterTask:
    """A window's task, with only the previous clusters it touches."""
    ids = {a.id for a in articles}
    touched = [c for c in previous if any(m.id in ids for m in c.articles)]
    return _ClusterTask(articles, settings, touched)


def _cluster_partition(task: _ClusterTask) -> list[Cluster]:
    return cluster_articles(task.articles, task.settings, previous=task.previous)


def reconcile_clusters(partitions: Sequence[Sequence[Cluster]],
                       previous: Sequence[Cluster] = ()) -> list[Cluster]:
    """One clustering from the clusterings of overlapping windows.

    Clusters sharing an article merge, and so do the pieces of one previous cluster that
    windows clustered apart (an undated article in a dated event, a cluster longer than a
    window): a previous cluster keeps all its articles and its id, new articles may join
    it, and two previous clusters never merge (a new article that two windows put with different
    previous clusters stays where the first window put it). Other clusters get ``c-`` and their
    earliest article's id. Each keeps the label of its largest part (a previous cluster
    without a part of its own, its old label); copies point to the earliest copy found in
    any window.
    """
    members: dict[str, ClusterMember] = {}
    parts: list[Cluster] = []
    copy_pairs: list[tuple[str, str]] = []
    for clusters in partitions:
        for cluster in clusters:
            parts.append(cluster)
            for member in cluster.articles:
                members.setdefault(member.id, member)
                if member.duplicate_of:
                    copy_pairs.append((member.id, member.duplicate_of))
    groups = _OwnedGroups(members)
    for cluster in previous:
        groups.own([m.id for m in cluster.articles], cluster.id)
    anchors = [groups.join(cluster) for cluster in parts]
    earliest_copy = _earliest_copies(copy_pairs, members)
    labels = {c.id: c.label for c in previous}
    pieces: dict[str, list[Cluster]] = {}
    for cluster, anchor in zip(parts, anchors, strict=True):
        pieces.setdefault(groups.root(anchor), []).append(cluster)
    out = []
    for ids in groups.subsets():
        ordered = sorted((members[i] for i in ids), key=_member_key)
        owner = groups.owner(ordered[0].id)
        own_pieces = pieces.get(groups.root(ordered[0].id), [])
        label = (min(own_pieces, key=lambda p: (-len(p.articles), _member_key(p.articles[0])))
                 .label if own_pieces else labels[owner])
        published = [m.published for m in ordered if m.published]
        out.append(Cluster(
            id=owner or "c-" + ordered[0].id,
            label=label,
            articles=[ClusterMember(m.id, m.source, m.outlet, m.published,
                                    earliest_copy.get(m.id)) for m in ordered],
            first_published=published[0] if published else None,
            last_published=published[-1] if published else None,
            outlets=sorted({m.outlet for m in ordered if m.outlet}),
        ))
    return sorted(out, key=lambda c: _member_key(c.articles[0]))


class _OwnedGroups:
    """Groups of article ids, some owned by a previous cluster; two owners never merge."""

    def __init__(self, ids: Iterable[str]) -> None:
        self._sets = DisjointSet(ids)
        self._owner: dict[str, str] = {}
        """Root of a group -> id of the previous cluster that owns it."""

    def own(self, ids: Sequence[str], cluster_id: str) -> None:
        """Put the present ``ids`` in one group owned by ``cluster_id``."""
        present = [i for i in ids if i in self._sets]
        for article_id in present:
            self._merge(present[0], article_id)
        if present:
            self._owner[self._sets[present[0]]] = cluster_id

    def join(self, cluster: Cluster) -> str:
        """Merge a window's cluster into one group, except members another owner holds.

        Returns:
            The member whose group the cluster joined (its earliest owned one, else its
            earliest).
        """
        ids = [m.id for m in cluster.articles]
        anchor = next((i for i in ids if self.owner(i)), ids[0])
        for article_id in ids:
            owners = {self.owner(anchor), self.owner(article_id)} - {None}
            if len(owners) < 2:
                self._merge(anchor, article_id)
        return anchor

    def _merge(self, a: str, b: str) -> None:
        owner = self.owner(a) or self.owner(b)
        self._owner.pop(self._sets[a], None)
        self._owner.pop(self._sets[b], None)
        self._sets.merge(a, b)
        if owner:
            self._owner[self._sets[a]] = owner

    def root(self, article_id: str) -> str:
        return self._sets[article_id]

    def owner(self, article_id: str) -> str | None:
        return self._owner.get(self._sets[article_id])

    def subsets(self) -> list[set[str]]:
        return self._sets.subsets()


def _earliest_copies(pairs: Sequence[tuple[str, str]],
                     members: dict[str, ClusterMember]) -> dict[str, str]:
    """Article id -> earliest article of its group of copies (the earliest maps to none)."""
    copies = DisjointSet()
    for a, b in pairs:
        copies.add(a)
        copies.add(b)
        copies.merge(a, b)
    out: dict[str, str] = {}
    for group in copies.subsets():
        earliest = min(group, key=lambda i: _member_key(members[i]))
        out.update({i: earliest for i in group if i != earliest})
    return out


def _member_key(member: ClusterMember) -> tuple[bool, float, str, str]:
    """Earliest first, undated last, then id and source: ``cluster_articles``' order."""
    seconds = published_seconds(member.published)
    return (seconds is None, seconds or 0.0, member.id, member.source)


def compare_one(extractions: Sequence[Extraction], engine: Engine, *,
                references: Sequence[str] = (),
                settings: CompareSettings | None = None) -> Comparison:
    """``compare_articles`` with the reports spread over ``engine``.

    The references are chosen once for the whole event; each report is then compared
    with them on its own, which is what ``compare_articles`` does report by report.

    Raises:
        SettingsError: a name in ``references`` matches no article.
    """
    settings = settings or CompareSettings()
    if not extractions:
        return compare_articles([], settings=settings)
    chosen, why = choose_references(extractions, references)
    if references and not chosen:
        return compare_articles(extractions, references=references, settings=settings)
    refs = [extractions[i] for i in chosen]
    tasks = [_CompareTask(refs, x, settings) for i, x in enumerate(extractions)
             if i not in chosen]
    return Comparison([r.article for r in refs], why, list(engine.map(_compare_report, tasks)))


def compare_many(events: Iterable[Sequence[Extraction]], engine: Engine, *,
                 settings: CompareSettings | None = None) -> Iterator[Comparison]:
    """``compare_articles`` over many events, one event per task, in input order."""
    settings = settings or CompareSettings()
    return engine.map(_compare_extractions, ((list(x), settings) for x in events))


def _compare_extractions(job: tuple[list[Extraction], CompareSettings]) -> Comparison:
    extractions, settings = job
    return compare_articles(extractions, settings=settings)


def _compare_report(task: _CompareTask) -> ReportComparison:
    ids = [r.article.id for r in task.references]
    return compare_articles([*task.references, task.report], references=ids,
                            settings=task.settings).reports[0]


# -- the data path over a store ------------------------------------------------------------

@dataclass
class ScaleReport:
    """What ``run_store`` did, stage by stage: work done now and work reused."""

    extracted: int = 0
    extractions_reused: int = 0
    partitions_clustered: int = 0
    partitions_reused: int = 0
    clusters: int = 0
    compared: int = 0
    comparisons_reused: int = 0
    partitions: list[str] = field(default_factory=list)
    """Keys of the clustering partitions, in order."""


def run_store(store: Store, settings: Settings, engine: Engine, *,
              run_id: int | None = None,
              on_item: Callable[[str, str], None] | None = None) -> ScaleReport:
    """Extract, cluster and compare every article in ``store`` on ``engine``, resumably.

    Each piece is written back as soon as it is back, in its own transaction: an
    article's extraction (``Store.save_extraction``), a window's clusters
    (``Store.save_partition``), the reconciled clusters (``Store.save_clusters``) and each
    multi-article cluster's ``compare@1`` object (``Store.save_comparison``). Windows come
    from ``settings.partition``.

    Args:
        run_id: the run these results belong to (``Store.start_run``), if one is recorded.
        on_item: called with (stage, key) after each piece is written, e.g. for progress.

    Raises:
        StoreError: the store cannot be written.
    """
    report = ScaleReport()
    done = on_item or (lambda stage, key: None)

    current = store.current_extractions()
    dates = store.article_dates()
    todo = [i for i, _ in dates if i not in current]
    report.extractions_reused = len(dates) - len(todo)
    for _, extraction in engine.map_unordered(extract_article, _stored_articles(store, todo)):
        article = extraction.article
        store.save_extraction(article.id, extraction.to_json(),
                              input_hash=article.content_hash, run_id=run_id)
        report.extracted += 1
        done("extract", article.id)

    texts = store.content_hashes()
    previous = store.clusters()
    partitions = plan_partitions(dates, settings.partition, settings.cluster.window_days)
    report.partitions = [p.key for p in partitions]
    local: dict[str, list[Cluster]] = {}
    tasks: list[tuple[Partition, str]] = []
    for part in partitions:
        inputs = _hash([settings.cluster, [(i, texts[i]) for i in part.ids]])
        stored = store.partition_result("cluster", part.key, inputs)
        if stored is None:
            tasks.append((part, inputs))
        else:
            local[part.key] = [_cluster_from_json(c) for c in stored]
            report.partitions_reused += 1
    work = (_cluster_task(list(_stored_articles(store, part.ids)), settings.cluster, previous)
            for part, _ in tasks)
    for index, clusters in engine.map_unordered(_cluster_partition, work, batch_size=1):
        part, inputs = tasks[index]
        store.save_partition("cluster", part.key, [c.to_json() for c in clusters],
                             input_hash=inputs, run_id=run_id)
        local[part.key] = clusters
        report.partitions_clustered += 1
        done("cluster", part.key)
    clusters = reconcile_clusters([local[p.key] for p in partitions], previous)
    store.save_clusters(clusters, run_id=run_id)
    report.clusters = len(clusters)

    events = [c for c in clusters if len(c.articles) > 1]
    stored_hashes = store.comparison_hashes()
    jobs: list[tuple[str, str]] = []
    for cluster in events:
        inputs = _hash([settings.compare, [(m.id, texts[m.id]) for m in cluster.articles]])
        if stored_hashes.get(cluster.id) == inputs:
            report.comparisons_reused += 1
        else:
            jobs.append((cluster.id, inputs))
    members = {c.id: [m.id for m in c.articles] for c in events}
    work_items = (_compare_job(store, members[cluster_id], settings.compare)
                  for cluster_id, _ in jobs)
    for index, comparison in engine.map_unordered(_compare_event, work_items, batch_size=1):
        cluster_id, inputs = jobs[index]
        store.save_comparison(cluster_id, comparison, input_hash=inputs, run_id=run_id)
        report.compared += 1
        done("compare", cluster_id)
    return report


def import_parquet(directory: str | Path, store: Store, *,
                   windows: Iterable[str] | None = None) -> int:
    """Load a Parquet export into ``store``, one transaction per article; returns new ones."""
    return sum(store.save_article(a).inserted for a in read_parquet(directory, windows))


def export_store(store: Store, directory: str | Path, *, window_days: float = 7.0) -> int:
    """Every stored article to a Parquet dataset (``export_parquet``), a slice at a time."""
    ids = [article_id for article_id, _ in store.article_dates()]
    return export_parquet(_stored_articles(store, ids), directory, window_days=window_days)


def _compare_job(store: Store, ids: list[str], settings: CompareSettings
                 ) -> tuple[list[Extraction], CompareSettings]:
    """A cluster's extractions, from the stored ones, in the store's article order."""
    stored = store.extractions(ids)
    return [_extraction_from_json(a, stored[a.id])
            for a in store.articles(ids, with_html=False)], settings


def _compare_event(job: tuple[list[Extraction], CompareSettings]) -> dict[str, Any]:
    return _compare_extractions(job).to_json()


def _extraction_from_json(article: Article, data: dict) -> Extraction:
    return Extraction(article=article,
                      quotes=[Quote(**q) for q in data["quotes"]],
                      facts=[Fact(**f) for f in data["facts"]])


def _cluster_from_json(data: dict) -> Cluster:
    return Cluster(id=data["id"], label=data["label"],
                   articles=[ClusterMember(**m) for m in data["articles"]],
                   first_published=data["first_published"],
                   last_published=data["last_published"], outlets=data["outlets"])


def _stored_articles(store: Store, ids: Sequence[str]) -> Iterator[Article]:
    """Stored articles a slice at a time, without their raw HTML (workers never need it)."""
    iterator = iter(ids)
    while chunk := list(islice(iterator, _READ_SLICE)):
        yield from store.articles(chunk, with_html=False)


def _hash(value: object) -> str:
    """Digest of a stage's inputs (settings, ids and text hashes): is a stored piece current?"""
    text = json.dumps(value, default=lambda v: asdict(v), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
