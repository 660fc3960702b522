"""Glue between the stages and the store: the only place that does both.

Stages are pure functions over records; this module reads sources or the store, calls a
stage, and writes what comes back, one article per transaction.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from coverage_cmp.cluster import fit_pair_model
from coverage_cmp.collect import Source, collect_sources
from coverage_cmp.compare.events import Event, compare_clusters
from coverage_cmp.engine import Engine, LocalEngine
from coverage_cmp.errors import SettingsError, StageOrderError
from coverage_cmp.extract import extract_article
from coverage_cmp.model import (
    Article,
    Cluster,
    Comparison,
    Extraction,
    FetchLogEntry,
    SourceFailure,
)
from coverage_cmp.pair_model import PairModel
from coverage_cmp.scale import ScaleReport, cluster_many, compare_one, extract_many, run_store
from coverage_cmp.settings import Settings
from coverage_cmp.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


def no_progress(items: Iterable[T], description: str) -> Iterable[T]:
    """The default progress hook: shows nothing. The CLI passes one that draws a bar."""
    return items


Progress = Callable[[Iterable[T], str], Iterable[T]]

#: Packages whose versions go into every run manifest.
MANIFEST_PACKAGES = ("coverage-cmp", "trafilatura", "newspaper4k", "newspaper3k", "httpx",
                     "scikit-learn", "rapidfuzz", "datasketch")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the results."""
    versions = {}
    for name in MANIFEST_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


@dataclass
class CollectReport:
    """What a collect run did."""

    run_id: int | None = None
    new: int = 0
    """Articles added to the store."""
    known: int = 0
    """Articles the store already had (same id, or URL not fetched again)."""
    duplicates: int = 0
    """New articles whose text the store already had under another URL."""
    failures: list[SourceFailure] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "known": self.known, "duplicates": self.duplicates,
                "failed": len(self.failures)}


def collect_into_store(
    sources: Sequence[Source | str],
    settings: Settings,
    store: Store,
    *,
    progress: Progress = no_progress,
) -> CollectReport:
    """Collect every source into ``store``, one article per transaction.

    A run killed at any point keeps every article it had written; run again, it skips
    them (stored URLs are not fetched again unless ``settings.collect.fetch.refresh``).
    """
    specs = [s if isinstance(s, Source) else Source(s) for s in sources]
    report = CollectReport()
    report.run_id = store.start_run(
        "collect",
        [s.value if s.kind == "auto" else f"--{s.kind} {s.value}" for s in specs],
        asdict(settings),
        package_versions(),
    )
    status = "interrupted"
    try:
        items = collect_sources(specs, settings.collect, skip_url=store.has_url)
        for item in progress(items, "collect"):
            if isinstance(item, FetchLogEntry):
                store.log_fetch(item, run_id=report.run_id)
                continue
            if isinstance(item, SourceFailure):
                report.failures.append(item)
            else:
                saved = store.save_article(item, run_id=report.run_id,
                                           refresh=settings.collect.fetch.refresh,
                                           urls=[item.source] if "://" in item.source else [])
                if saved.inserted:
                    report.new += 1
                    report.duplicates += saved.duplicate_of is not None
                else:
                    report.known += 1
        status = "partial" if report.failures else "ok"
    finally:
        store.finish_run(report.run_id, status, report.counts())
    return report


def load_articles(
    sources: Sequence[Source | str],
    settings: Settings,
    store: Store | None = None,
) -> tuple[list[Article], list[SourceFailure]]:
    """Articles for a command: read from ``sources`` if any were given, else the store.

    Sources are read in memory; nothing is written. With both, articles the store already
    holds for a given URL are taken from it rather than fetched again.
    """
    articles, failures = _read_sources(sources, settings, store)
    return _unique(articles), failures


def _read_sources(
    sources: Sequence[Source | str],
    settings: Settings,
    store: Store | None,
) -> tuple[list[Article], list[SourceFailure]]:
    """``load_articles`` keeping repeats: one article read from two sources comes twice."""
    if not sources:
        return (store.articles() if store else []), []
    articles: list[Article] = []
    failures: list[SourceFailure] = []
    stored: list[str] = []

    def known(url: str) -> bool:
        if store is not None and store.has_url(url):
            stored.append(url)
            return True
        return False

    for item in collect_sources(sources, settings.collect, skip_url=known):
        if isinstance(item, Article):
            articles.append(item)
        elif isinstance(item, SourceFailure):
            failures.append(item)
    if stored and store is not None:
        articles.extend(store.articles_for_urls(stored))
    return articles, failures


def _unique(articles: list[Article]) -> list[Article]:
    """Drop repeats of one article (same id), keeping the first."""
    seen: set[str] = set()
    out = []
    for article in articles:
        if article.id not in seen:
            seen.add(article.id)
            out.append(article)
    return out


def _articles_from(inputs: Sequence[Article | Source | str], settings: Settings,
                   store: Store | None, *,
                   repeats: bool = False) -> tuple[list[Article], list[SourceFailure]]:
    """Articles given as records pass through; sources are read (or taken from the store).

    ``repeats``: keep an article once per source it was read from (the same id).
    """
    given = [a for a in inputs if isinstance(a, Article)]
    sources = [s for s in inputs if not isinstance(s, Article)]
    if not sources and given:
        return given, []
    found, failures = _read_sources(sources, settings, store)
    return (given + found if repeats else _unique(given + found)), failures


@contextmanager
def _runner(engine: Engine | None) -> Iterator[Engine]:
    """The engine to run a stage on: the caller's, else this process alone."""
    if engine is not None:
        yield engine
    else:
        with LocalEngine(1) as inline:
            yield inline


def extract_sources(
    inputs: Sequence[Article | Source | str] = (),
    settings: Settings | None = None,
    store: Store | None = None,
    *,
    engine: Engine | None = None,
    progress: Progress = no_progress,
) -> tuple[list[Extraction], list[SourceFailure]]:
    """Quotes and facts of every article given, read from the sources, or in the store.

    The output is the same on every ``engine`` (this process when None).
    """
    articles, failures = _articles_from(inputs, settings or Settings(), store)
    with _runner(engine) as runner:
        return list(progress(extract_many(articles, runner), "extract")), failures


def cluster_sources(
    inputs: Sequence[Article | Source | str] = (),
    settings: Settings | None = None,
    store: Store | None = None,
    *,
    engine: Engine | None = None,
) -> tuple[list[Cluster], list[SourceFailure]]:
    """Group articles by event, in one pass or by time window (``settings.partition``).

    Without inputs, every article in ``store`` is clustered; clusters already stored keep
    their ids and members (new articles may join them), and the result is stored.
    """
    settings = settings or Settings()
    articles, failures = _articles_from(inputs, settings, store)
    whole_store = store is not None and not inputs
    with _runner(engine) as runner:
        clusters = cluster_many(articles, settings.cluster, runner,
                                previous=store.clusters() if whole_store else (),
                                partition=settings.partition)
    if whole_store:
        store.save_clusters(clusters)
    return clusters, failures


@dataclass
class ModelFit:
    """A same-event model fitted on articles with known events, and what it was fitted on."""

    model: PairModel
    articles: int
    """Articles the events file labels (the training set)."""
    events: int
    """Distinct events among them."""
    unlabelled: int
    """Articles read but not named in the events file, left out of the fit."""
    failures: list[SourceFailure] = field(default_factory=list)


def fit_model_sources(
    inputs: Sequence[Article | Source | str],
    events_file: str | Path,
    settings: Settings | None = None,
    store: Store | None = None,
) -> ModelFit:
    """Fit the same-event model (``cluster.fit_pair_model``) on articles whose events a
    CSV file gives, for ``ClusterSettings.model`` or ``coverage-cmp cluster --model``.

    ``events_file`` has the columns ``source`` and ``event``: one row per article, naming it
    by its source as read (a path as given on the command line, or relative to the current
    folder; a URL; ``path#row3`` for a row of a CSV export), its URL, or its id (as
    ``coverage-cmp articles`` lists them). Articles read but not named are left out.

    Raises:
        SettingsError: the events file is missing or malformed, names an article not read,
            gives one article two events, or gives fewer than two events (one of them with
            two articles or more); the message names the file and row.
    """
    settings = settings or Settings()
    read, failures = _articles_from(inputs, settings, store, repeats=True)
    rows = _event_rows(events_file)
    id_of: dict[str, str] = {}
    for article in read:
        for key in (article.id, article.url, article.canonical_url, article.source,
                    _as_path(article.source)):
            if key:
                id_of.setdefault(key, article.id)
    failed = {_as_path(f.source): f.error for f in failures}
    event_of: dict[str, tuple[str, int]] = {}
    for number, key, event in rows:
        article_id = id_of.get(key) or id_of.get(_as_path(key))
        if article_id is None:
            why = (f"could not be read ({failed[_as_path(key)]})" if _as_path(key) in failed
                   else "is none of the articles read (give its source as read, URL or id)")
            raise SettingsError(f"{events_file}: row {number}: {key!r} {why}")
        known = event_of.setdefault(article_id, (event, number))
        if known[0] != event:
            raise SettingsError(f"{events_file}: row {number}: {key!r} is given event "
                                f"{event!r}, but row {known[1]} gave it {known[0]!r}")
    articles = _unique(read)
    labelled = [a for a in articles if a.id in event_of]
    events = [event_of[a.id][0] for a in labelled]
    try:
        model = fit_pair_model(labelled, events, settings.cluster)
    except ValueError as exc:
        raise SettingsError(f"{events_file}: {exc} (it gives {len(set(events))} events for "
                            f"{len(labelled)} articles)") from exc
    return ModelFit(model, articles=len(labelled), events=len(set(events)),
                    unlabelled=len(articles) - len(labelled), failures=failures)


def _event_rows(path: str | Path) -> list[tuple[int, str, str]]:
    """(row number, source, event) of each row of an events CSV, blank rows skipped."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
            if not {"source", "event"} <= columns.keys():
                found = ", ".join(c for c in columns if c) or "none"
                raise SettingsError(f"{path}: an events file needs the columns source and "
                                    f"event (columns found: {found})")
            rows = []
            for number, row in enumerate(reader, start=1):
                key = (row.get(columns["source"]) or "").strip()
                event = (row.get(columns["event"]) or "").strip()
                if not key and not event:
                    continue
                if not key or not event:
                    raise SettingsError(f"{path}: row {number}: give both a source and an "
                                        "event")
                rows.append((number, key, event))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the events ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SettingsError(f"{path}: not a CSV file of events ({exc})") from exc
    return rows


def _as_path(source: str) -> str:
    """A source that is a file path, made absolute so that any spelling of it matches."""
    return source if "://" in source else os.path.abspath(source)


def compare_sources(
    inputs: Sequence[Article | Source | str] = (),
    settings: Settings | None = None,
    store: Store | None = None,
    *,
    cluster_id: str | None = None,
    references: Sequence[str] = (),
    engine: Engine | None = None,
    progress: Progress = no_progress,
) -> tuple[Comparison, list[SourceFailure]]:
    """Compare every report of one event with its reference(s).

    The event is the articles given, or a stored cluster (``cluster_id``; without one, the
    store's only cluster of more than one article).

    Raises:
        StageOrderError: the store has no clusters yet, or several and none was chosen.
    """
    settings = settings or Settings()
    if inputs or store is None:
        articles, failures = _articles_from(inputs, settings, store)
    else:
        articles, failures = _cluster_articles(store, cluster_id), []
    with _runner(engine) as runner:
        extractions = list(progress(extract_many(articles, runner), "extract"))
        comparison = compare_one(extractions, runner, references=references,
                                 settings=settings.compare)
    return comparison, failures


def _cluster_articles(store: Store, cluster_id: str | None) -> list[Article]:
    clusters = store.clusters()
    if not clusters:
        raise StageOrderError("No clusters yet; run `coverage-cmp cluster` first.")
    if cluster_id is None:
        events = [c for c in clusters if len(c.articles) > 1]
        if len(events) != 1:
            listed = ", ".join(f"{c.id} ({len(c.articles)})" for c in events[:8])
            raise StageOrderError(
                f"{len(events)} clusters hold several articles; choose one with --cluster "
                f"(largest: {listed})" if events else "no cluster holds more than one article")
        chosen = events[0]
    else:
        matches = [c for c in clusters if c.id == cluster_id]
        if not matches:
            raise StageOrderError(f"no cluster {cluster_id!r} in {store.path}; "
                                  "`coverage-cmp cluster --db` lists them")
        chosen = matches[0]
    return store.articles([m.id for m in chosen.articles])


def corpus_events(store: Store, settings: Settings | None = None, *,
                  progress: Progress = no_progress) -> list[Event]:
    """Every stored event of more than one article, compared with its reference.

    Raises:
        StageOrderError: the store has no clusters yet.
    """
    settings = settings or Settings()
    clusters = store.clusters()
    if not clusters:
        raise StageOrderError("No clusters yet; run `coverage-cmp cluster` first.")
    members = {m.id for c in clusters if len(c.articles) > 1 for m in c.articles}
    articles = [a for a in store.articles(with_html=False) if a.id in members]
    extractions = [extract_article(a) for a in progress(articles, "extract")]
    events = compare_clusters(clusters, extractions, settings.compare)
    return list(progress(events, "compare"))


def run_whole_store(store: Store, settings: Settings, engine: Engine) -> ScaleReport:
    """Extract, cluster and compare every article in ``store``, resumably, with a manifest.

    A rerun after a crash (or after new articles arrive) redoes only what is missing or
    whose inputs changed; see ``scale.run_store``.
    """
    run_id = store.start_run("run", [store.path], asdict(settings), package_versions())
    status = "interrupted"
    report = ScaleReport()
    try:
        report = run_store(store, settings, engine, run_id=run_id)
        status = "ok"
    finally:
        store.finish_run(run_id, status, {k: v for k, v in asdict(report).items()
                                          if isinstance(v, int)})
    return report
