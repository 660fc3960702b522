"""The ``coverage-cmp`` command: parse options, call the library, print.

Exit status: 0 done; 1 done, but some sources failed (each listed on stderr and in the
JSON ``errors``); 2 bad usage, bad settings or an unusable store.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from coverage_cmp import __version__
from coverage_cmp.collect import Source
from coverage_cmp.engine import Engine, make_engine
from coverage_cmp.errors import CoverageCmpError, SettingsError
from coverage_cmp.model import SourceFailure
from coverage_cmp.pair_model import DEFAULT_PAIR_MODEL, PairModel, load_pair_model, save_pair_model
from coverage_cmp.pipeline import (
    cluster_sources,
    collect_into_store,
    compare_sources,
    corpus_events,
    extract_sources,
    fit_model_sources,
    load_articles,
    run_whole_store,
)
from coverage_cmp.report import terminal
from coverage_cmp.report.console import (
    render_compare_terminal,
    render_corpus_terminal,
    use_color,
)
from coverage_cmp.report.corpus import corpus_summary
from coverage_cmp.report.html import render_compare_html, render_corpus_html
from coverage_cmp.report.markdown import render_compare_markdown, render_corpus_markdown
from coverage_cmp.report.plots import write_plots
from coverage_cmp.report.progress import track
from coverage_cmp.report.tables import corpus_to_json, write_compare_csv, write_corpus_csv
from coverage_cmp.scale import export_store, import_parquet
from coverage_cmp.settings import (
    USER_AGENT,
    ClusterSettings,
    CollectSettings,
    FetchSettings,
    PartitionSettings,
    Settings,
)
from coverage_cmp.store import Store

log = logging.getLogger("coverage_cmp")

app = typer.Typer(
    name="coverage-cmp",
    help="Collect news coverage of an event and show what each report kept, changed, "
    "dropped or added.\n\nExit status: 0 done; 1 some sources failed (the rest were "
    "processed); 2 bad usage, bad settings or an unusable store.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    html = "html"
    csv = "csv"


class Extractor(StrEnum):
    trafilatura = "trafilatura"
    newspaper = "newspaper"


class EngineName(StrEnum):
    local = "local"
    dask = "dask"


class ExportFormat(StrEnum):
    parquet = "parquet"


_state: dict[str, Any] = {"debug": False}

DbOption = Annotated[Path, typer.Option("--db", help="SQLite store.", show_default=True)]
ReadDbOption = Annotated[Path | None, typer.Option(
    "--db", help="SQLite store [default: coverage.db when no sources are given].")]
DEFAULT_DB = Path("coverage.db")
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the output to this file.")
]
EngineOption = Annotated[EngineName, typer.Option(
    "--engine", help="Where the work runs: local (process pool) or dask (a Dask cluster).")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Dask scheduler address (tcp://HOST:8786) for --engine dask; "
    "without it a local Dask cluster is started.")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", help="Worker processes of the local pool or local Dask cluster "
    "[default: the CPUs this process may use].")]
ModelOption = Annotated[Path | None, typer.Option(
    "--model", help="Same-event model file written by `coverage-cmp fit-model` "
    "[default: the model shipped, fitted on ECB+].")]


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _report_failures(failures: list[SourceFailure]) -> None:
    for failure in failures:
        typer.echo(f"error: {failure.source}: {failure.error}", err=True)


Renderers = dict[OutputFormat, Callable[[], str]]


def _check_format(fmt: OutputFormat, output: Path | None, allowed: set[OutputFormat]) -> None:
    """Refuse a format the command cannot give, before any work is done."""
    if fmt not in allowed:
        names = ", ".join(sorted(f.value for f in allowed))
        raise typer.BadParameter(f"--format {fmt.value} is not available here (use {names})")
    if fmt is OutputFormat.csv and output is None:
        raise typer.BadParameter("--format csv writes several tables: give -o DIR")


def _finish(payload: dict[str, Any], renderers: Renderers, fmt: OutputFormat,
            output: Path | None, failures: list[SourceFailure],
            csv: Callable[[Path], list[Path]] | None = None) -> None:
    """Name each failed source on stderr, print or write the result, exit 1 if any failed."""
    _report_failures(failures)
    if fmt is OutputFormat.json:
        payload = {**payload, "errors": [f.to_json() for f in failures]}
        _emit(json.dumps(payload, ensure_ascii=False, indent=2), output)
    elif fmt is OutputFormat.csv and csv is not None and output is not None:
        for path in csv(output):
            typer.echo(str(path), err=True)
    else:
        _emit(renderers[fmt](), output)
    if failures:
        raise typer.Exit(1)


def _progress(items: Iterable[Any], description: str) -> Iterable[Any]:
    """Progress bars on stderr for long steps (none with --quiet or when not a terminal)."""
    return track(items, description, quiet=bool(_state.get("quiet")))


def _color(output: Path | None) -> bool:
    return output is None and use_color(sys.stdout)


def _parse_when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise SettingsError(
            f"The '{name}' option must be an ISO date such as 2014-07-16. Got {value!r} instead."
        ) from None


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"coverage-cmp {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version.", is_eager=True,
        callback=_print_version)] = False,
) -> None:
    """Options for every command."""
    _state["debug"] = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else (
        logging.ERROR if quiet else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s: %(name)s: %(message)s")
    # Libraries we call log their own parsing troubles; our one-line errors say it once.
    for noisy in ("trafilatura", "htmldate", "courlan", "newspaper", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(level if verbose or debug else logging.CRITICAL)
    _state["quiet"] = quiet


@app.command()
def collect(
    sources: Annotated[list[str] | None, typer.Argument(
        help="Article URLs, URL list files, files, folders, .warc(.gz), .jsonl, .csv.")] = None,
    feed: Annotated[list[str] | None, typer.Option(
        "--feed", help="RSS or Atom feed URL (repeatable).")] = None,
    site: Annotated[list[str] | None, typer.Option(
        "--site", help="Outlet front page to discover articles from (repeatable).")] = None,
    since: Annotated[str | None, typer.Option(help="Feed/site items from this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Feed/site items up to this date.")] = None,
    match: Annotated[list[str] | None, typer.Option(
        "--match", help="Keep feed/site items mentioning this word (repeatable).")] = None,
    extractor: Annotated[Extractor, typer.Option(help="Body extractor.")] = Extractor.trafilatura,
    outlets: Annotated[Path | None, typer.Option(
        help="outlets.toml mapping domains to name, scope and region.")] = None,
    refresh: Annotated[bool, typer.Option(help="Fetch URLs the store already has.")] = False,
    ignore_robots: Annotated[bool, typer.Option("--ignore-robots",
                                                help="Do not obey robots.txt.")] = False,
    delay: Annotated[float, typer.Option(help="Seconds between requests to one host.")] = 1.0,
    per_host: Annotated[int, typer.Option(help="Requests in flight per host.")] = 2,
    concurrency: Annotated[int, typer.Option(help="Requests in flight in all.")] = 16,
    timeout: Annotated[float, typer.Option(help="Network timeout in seconds.")] = 20.0,
    retries: Annotated[int, typer.Option(help="Retries on 5xx, 429 and network errors.")] = 3,
    user_agent: Annotated[str, typer.Option(
        help="User-Agent header; add a contact address for the sites you crawl.")] = USER_AGENT,
    db: DbOption = Path("coverage.db"),
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Fetch or read articles into the store.

    Example: coverage-cmp collect urls.txt saved-pages/ --feed https://example.org/rss
    """
    specs = ([Source(s) for s in sources or []] + [Source(f, "feed") for f in feed or []]
             + [Source(s, "site") for s in site or []])
    if not specs:
        raise typer.BadParameter("give at least one source, --feed or --site")
    _check_format(fmt, output, {OutputFormat.table, OutputFormat.json})
    settings = Settings(collect=CollectSettings(
        fetch=FetchSettings(
            per_host_delay_s=delay, per_host_concurrency=per_host, max_concurrency=concurrency,
            timeout_s=timeout, retries=retries, respect_robots=not ignore_robots,
            user_agent=user_agent,
            refresh=refresh,
        ),
        extractor=extractor.value,
        since=_parse_when(since, "since"),
        until=_parse_when(until, "until"),
        match=tuple(match or ()),
        outlets_file=str(outlets) if outlets else None,
    ))
    with Store(db) as store:
        report = collect_into_store(specs, settings, store, progress=_progress)
        stored = store.articles()
    _report_failures(report.failures)
    if fmt is OutputFormat.json:
        _emit(json.dumps({
            "schema": "coverage-cmp/collect@1",
            "run": report.run_id,
            "counts": report.counts(),
            "errors": [f.to_json() for f in report.failures],
        }, ensure_ascii=False, indent=2), output)
    else:
        if not _state.get("quiet"):
            typer.echo(
                f"{report.new} new, {report.known} already stored, {report.duplicates} "
                f"duplicate text, {len(report.failures)} failed; {len(stored)} articles in {db}",
                err=True,
            )
    if report.failures:
        raise typer.Exit(1)


@app.command()
def articles(
    sources: Annotated[list[str] | None, typer.Argument(
        help="Sources to read instead of the store.")] = None,
    db: DbOption = Path("coverage.db"),
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """List the articles the store holds (or that the sources give).

    Example: coverage-cmp articles --db coverage.db --format json
    """
    _check_format(fmt, output, {OutputFormat.table, OutputFormat.json})
    settings = Settings()
    if sources:
        found, failures = load_articles(sources, settings)
    else:
        with Store(db, readonly=True) as store:
            found, failures = store.articles(), []
    _finish({"schema": "coverage-cmp/articles@1",
             "articles": [{**a.to_json(), "outlet_scope": a.outlet_scope, "url": a.url,
                           "authors": a.authors} for a in found]},
            {OutputFormat.table: lambda: terminal.articles_table(found)}, fmt, output, failures)


def _engine(name: EngineName, scheduler: str | None, workers: int | None) -> Engine:
    """The engine the stages run on; the output is the same on every one."""
    return make_engine(name.value, scheduler=scheduler, workers=workers)


def _pair_model(path: Path | None) -> PairModel:
    """The model a --model file holds, else the default."""
    return DEFAULT_PAIR_MODEL if path is None else load_pair_model(path)


def _open_store(db: Path | None, sources: list[str] | None, *,
                write: bool = False) -> Store | None:
    """The store a command reads: the given one, else the default when no sources are."""
    if db is None and sources:
        return None
    return Store(db or DEFAULT_DB, readonly=not write)


@app.command()
def extract(
    sources: Annotated[list[str] | None, typer.Argument(
        help="Articles to analyse (URLs, files, folders, exports); none: the store.")] = None,
    db: ReadDbOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    engine: EngineOption = EngineName.local,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Quotes (with their speakers) and facts of each article.

    Example: coverage-cmp extract report.html --format json
    """
    _check_format(fmt, output, {OutputFormat.table, OutputFormat.json})
    store = _open_store(db, sources)
    try:
        with _engine(engine, scheduler, workers) as runner:
            extractions, failures = extract_sources(sources or [], Settings(), store,
                                                    engine=runner, progress=_progress)
    finally:
        if store is not None:
            store.close()
    _finish({"schema": "coverage-cmp/extract@1",
             "articles": [e.to_json() for e in extractions]},
            {OutputFormat.table: lambda: terminal.extractions_table(extractions)}, fmt, output,
            failures)


@app.command()
def cluster(
    sources: Annotated[list[str] | None, typer.Argument(
        help="Articles to group; none: every article in the store (assignment stored).")] = None,
    threshold: Annotated[float, typer.Option(
        help="Average probability of one event over two groups' article pairs needed to "
        "merge them; higher splits more.")] = ClusterSettings().threshold,
    window: Annotated[float, typer.Option(
        help="Days beyond which articles join only as near-verbatim copies.")
    ] = ClusterSettings().window_days,
    partition_days: Annotated[float | None, typer.Option(
        help="Cluster each window of this many days (plus --window days before it) as its "
        "own task, for corpora too large for one pass [default: one pass].")] = None,
    model: ModelOption = None,
    db: ReadDbOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    engine: EngineOption = EngineName.local,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Group articles by the event they report.

    Example: coverage-cmp cluster --db coverage.db --window 3
    """
    _check_format(fmt, output, {OutputFormat.table, OutputFormat.json})
    settings = Settings(cluster=ClusterSettings(threshold=threshold, window_days=window,
                                                model=_pair_model(model)),
                        partition=PartitionSettings(window_days=partition_days))
    store = _open_store(db, sources, write=True)
    try:
        with _engine(engine, scheduler, workers) as runner:
            clusters, failures = cluster_sources(sources or [], settings, store, engine=runner)
    finally:
        if store is not None:
            store.close()
    _finish({"schema": "coverage-cmp/cluster@1", "clusters": [c.to_json() for c in clusters]},
            {OutputFormat.table: lambda: terminal.clusters_table(clusters)}, fmt, output,
            failures)


@app.command("fit-model")
def fit_model(
    sources: Annotated[list[str] | None, typer.Argument(
        help="Articles whose events are known (URLs, files, folders, exports); none: the "
        "store.")] = None,
    events: Annotated[Path, typer.Option(
        "--events", help="CSV with the columns source and event, one row per article. "
        "source names the article as read: its path as given here (or relative to the "
        "current folder), URL, path#rowN for a row of a CSV export, or its id as "
        "`coverage-cmp articles` lists it. Articles not named are left out.")] = ...,
    out: Annotated[Path, typer.Option(
        "--out", help="Model file to write (JSON), for `cluster --model` and "
        "`run --model`.")] = ...,
    db: ReadDbOption = None,
) -> None:
    """Fit the same-event model on articles whose events are known.

    Fitted on a few hundred annotated articles of one kind (court reporting, sport), it
    tells that kind's events apart better than the model shipped (fitted on ECB+).

    Example: coverage-cmp fit-model annotated/ --events events.csv --out model.json
    """
    store = _open_store(db, sources)
    try:
        fitted = fit_model_sources(sources or [], events, Settings(), store)
    finally:
        if store is not None:
            store.close()
    save_pair_model(fitted.model, out)
    _report_failures(fitted.failures)
    if not _state.get("quiet"):
        typer.echo(f"fitted on {fitted.articles} articles of {fitted.events} events "
                   f"(left out, not in {events}: {fitted.unlabelled}); wrote {out}", err=True)
    if fitted.failures:
        raise typer.Exit(1)


@app.command()
def compare(
    sources: Annotated[list[str] | None, typer.Argument(
        help="Articles of one event (references included); none: a cluster in the store.")
    ] = None,
    reference: Annotated[list[str] | None, typer.Option(
        "--reference", "-r",
        help="Reference article: path, URL, id or outlet name (repeatable).")] = None,
    cluster_id: Annotated[str | None, typer.Option(
        "--cluster", help="Stored cluster to compare (see `coverage-cmp cluster`).")] = None,
    db: ReadDbOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    engine: EngineOption = EngineName.local,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Show where each report departs from the reference: text, quotes, facts.

    Example: coverage-cmp compare release.html report1.html report2.html -r release.html
    """
    _check_format(fmt, output, set(OutputFormat))
    store = _open_store(db, sources)
    try:
        with _engine(engine, scheduler, workers) as runner:
            comparison, failures = compare_sources(
                sources or [], Settings(), store, cluster_id=cluster_id,
                references=tuple(reference or ()), engine=runner, progress=_progress)
    finally:
        if store is not None:
            store.close()
    _finish(comparison.to_json(), {
        OutputFormat.table: lambda: render_compare_terminal(comparison, color=_color(output)),
        OutputFormat.md: lambda: render_compare_markdown(comparison),
        OutputFormat.html: lambda: render_compare_html(comparison),
    }, fmt, output, failures, csv=lambda folder: write_compare_csv(comparison, folder))


@app.command()
def run(
    db: DbOption = DEFAULT_DB,
    partition_days: Annotated[float | None, typer.Option(
        help="Cluster each window of this many days (plus the clustering window before it) "
        "as its own task.")] = 28.0,
    model: ModelOption = None,
    engine: EngineOption = EngineName.local,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Extract, cluster and compare a whole store, writing each piece back as it is done.

    A rerun after a crash, or after new articles arrive, redoes only what is missing or
    changed. Then `coverage-cmp report` gives the corpus view.

    Example: coverage-cmp run --db coverage.db --engine dask --scheduler tcp://10.0.0.5:8786
    """
    _check_format(fmt, output, {OutputFormat.table, OutputFormat.json})
    settings = Settings(cluster=ClusterSettings(model=_pair_model(model)),
                        partition=PartitionSettings(window_days=partition_days))
    with Store(db) as store, _engine(engine, scheduler, workers) as runner:
        done = run_whole_store(store, settings, runner)
    counts = asdict(done)
    _finish({"schema": "coverage-cmp/run@1", **counts}, {OutputFormat.table: lambda: (
        f"extracted {done.extracted} ({done.extractions_reused} reused), clustered "
        f"{done.partitions_clustered} windows ({done.partitions_reused} reused) into "
        f"{done.clusters} clusters, compared {done.compared} events "
        f"({done.comparisons_reused} reused)")}, fmt, output, [])


@app.command()
def export(
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Folder of the Parquet dataset (created if missing).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Export format.")] = (
        ExportFormat.parquet),
    window_days: Annotated[float, typer.Option(
        help="Days per partition folder (window=YYYY-MM-DD).")] = 7.0,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the store's articles as a Parquet dataset partitioned by time window.

    Example: coverage-cmp export --format parquet -o corpus-parquet/ --db coverage.db
    """
    with Store(db, readonly=True) as store:
        written = export_store(store, output, window_days=window_days)
    if not _state.get("quiet"):
        typer.echo(f"{written} articles written to {output} ({fmt.value})", err=True)


@app.command("import")
def import_(
    directory: Annotated[Path, typer.Argument(
        help="A Parquet dataset written by `coverage-cmp export --format parquet`.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Load a Parquet dataset of articles into the store (articles already there are kept).

    Example: coverage-cmp import corpus-parquet/ --db coverage.db
    """
    with Store(db) as store:
        added = import_parquet(directory, store)
        total = store.count()
    if not _state.get("quiet"):
        typer.echo(f"{added} new articles; {total} articles in {db}", err=True)


@app.command()
def report(
    db: DbOption = DEFAULT_DB,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    plots: Annotated[Path | None, typer.Option(
        help="Also write figures (PNG and SVG) for a paper into this folder.")] = None,
) -> None:
    """Corpus view across every event in the store: per outlet and per event.

    Example: coverage-cmp report --db coverage.db --format html -o corpus.html --plots figs/
    """
    _check_format(fmt, output, set(OutputFormat))
    with Store(db, readonly=True) as store:
        events = corpus_events(store, Settings(), progress=_progress)
    corpus = corpus_summary(events)
    if plots is not None:
        for path in write_plots(corpus, plots):
            typer.echo(str(path), err=True)
    _finish(corpus_to_json(corpus), {
        OutputFormat.table: lambda: render_corpus_terminal(corpus, color=_color(output)),
        OutputFormat.md: lambda: render_corpus_markdown(corpus),
        OutputFormat.html: lambda: render_corpus_html(corpus),
    }, fmt, output, [], csv=lambda folder: write_corpus_csv(corpus, folder, events))


def main() -> None:
    """Entry point: usage errors exit 2 (click), our errors print one line and exit 2."""
    try:
        app()
    except CoverageCmpError as exc:
        if _state.get("debug"):
            raise
        typer.echo(f"error: {exc}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        sys.exit(2)
    except Exception as exc:
        if _state.get("debug"):
            raise
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc} "
                   "(run with --debug for the traceback)", err=True)
        sys.exit(2)
