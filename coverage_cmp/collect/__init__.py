"""Collect: turn the user's sources into articles.

Sources are article URLs, feeds, outlet sites, files, folders, exports and web archives.
``collect_sources`` reads local sources first (they need no network), then fetches every
URL found, politely and concurrently, and yields records as they become ready:

- ``Article``: an article ready to store or analyse;
- ``SourceFailure``: an input or URL that gave nothing (one line, naming it);
- ``FetchLogEntry``: the outcome of one URL fetch, for the store's fetch log.

Nothing here touches the store: the caller decides which URLs are already known
(``skip_url``) and writes what comes out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from coverage_cmp.collect.fetch import Fetcher, FetchResult
from coverage_cmp.collect.files import html_article, plain_text_article, read_path
from coverage_cmp.collect.outlets import OutletDirectory
from coverage_cmp.collect.sites import feed_links, is_feed, site_links
from coverage_cmp.errors import CoverageCmpError, SourceError
from coverage_cmp.model import Article, FetchLogEntry, Link, SourceFailure
from coverage_cmp.settings import CollectSettings

__all__ = ["Source", "collect_sources"]

log = logging.getLogger(__name__)

Collected = Article | SourceFailure | FetchLogEntry


@dataclass(frozen=True)
class Source:
    """One input as the user gave it, and how to read it."""

    value: str
    kind: str = "auto"
    """``auto`` (guess from the value), ``feed`` or ``site``."""


def is_url(value: str) -> bool:
    """True for anything with a URL scheme (``http:``, ``file:``, ``ftp:``, …), not a path."""
    if value.startswith(("javascript:", "data:", "mailto:")):
        return True
    return len(urlsplit(value).scheme) > 1 and "://" in value


def collect_sources(
    sources: Sequence[Source | str],
    settings: CollectSettings,
    *,
    skip_url: Callable[[str], bool] = lambda url: False,
    fetcher: Fetcher | None = None,
    outlets: OutletDirectory | None = None,
) -> Iterator[Collected]:
    """Read and fetch every source, yielding articles, failures and fetch-log entries.

    Args:
        sources: inputs as the user gave them; plain strings are ``Source(value)``.
        settings: what to collect and how politely.
        skip_url: URLs for which this returns True are not fetched (already stored).
        fetcher: an open fetcher to use (tests pass one); one is made otherwise.
        outlets: the outlet directory; the default one plus ``settings.outlets_file``.
    """
    outlets = outlets or OutletDirectory.load(settings.outlets_file)
    specs = [s if isinstance(s, Source) else Source(s) for s in sources]
    links: list[Link] = []
    remote: list[Source] = []
    for spec in specs:
        if is_url(spec.value):
            remote.append(spec)
            continue
        if spec.kind != "auto":
            yield SourceFailure(spec.value, f"--{spec.kind} needs a URL, not a path")
            continue
        for item in read_path(spec.value, settings, outlets):
            if isinstance(item, Link):
                links.append(item)
            else:
                yield item
    if not links and not remote:
        return
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(settings.fetch)
    try:
        yield from _collect_remote(remote, links, settings, fetcher, outlets, skip_url)
    finally:
        if own_fetcher:
            fetcher.close()


def _collect_remote(remote: list[Source], links: list[Link], settings: CollectSettings,
                    fetcher: Fetcher, outlets: OutletDirectory,
                    skip_url: Callable[[str], bool]) -> Iterator[Collected]:
    """Fetch feeds and sites for their links, then every article URL."""
    pages: list[Link] = list(links)
    for spec in remote:
        if spec.kind == "feed":
            yield from _expand_feed(spec.value, spec.value, settings, fetcher, pages)
        elif spec.kind == "site":
            yield from _expand_site(spec.value, settings, fetcher, pages)
        else:
            pages.append(Link(url=spec.value, source=spec.value))

    seen: set[str] = set()
    todo: dict[str, Link] = {}
    for link in pages:
        if link.url in seen:
            continue
        seen.add(link.url)
        if not settings.fetch.refresh and skip_url(link.url):
            log.info("%s: already stored, not fetched again", link.url)
            continue
        todo[link.url] = link

    for url, outcome in fetcher.fetch_many(todo, accept="any-text"):
        link = todo[url]
        if isinstance(outcome, SourceError):
            yield _log_entry(link, outcome)
            yield SourceFailure(url if link.source == url else f"{link.source} -> {url}",
                                outcome.reason)
            continue
        yield _log_entry(link, outcome)
        if link.source == url and is_feed(outcome.content_type, outcome.text):
            # A URL given on its own that turns out to be a feed: fetch its articles.
            found: list[Link] = []
            yield from _feed_from_result(outcome, url, settings, found)
            yield from _collect_remote([], found, settings, fetcher, outlets, skip_url)
            continue
        yield _page(link, outcome, settings, outlets)


def _page(link: Link, result: FetchResult, settings: CollectSettings,
          outlets: OutletDirectory) -> Article | SourceFailure:
    """The article in a fetched page: HTML through the body extractor, plain text as is.

    An article found through a feed, a site or a URL list is known by its own URL, the
    string a user would pass to later commands.
    """
    if result.content_type == "text/plain":
        article = plain_text_article(result.text, source=link.url, raw=result.body,
                                     outlets=outlets)
    else:
        article = html_article(result.body, source=link.url, settings=settings,
                               outlets=outlets, url=result.final_url, declared=result.charset)
    if isinstance(article, SourceFailure):
        return article
    article.url = result.final_url
    article.outlet = article.outlet or link.outlet
    article.published = article.published or link.published
    article.title = article.title or link.title
    return article


def _log_entry(link: Link, outcome: FetchResult | SourceError) -> FetchLogEntry:
    if isinstance(outcome, SourceError):
        return FetchLogEntry(source=link.source, url=link.url,
                             status=getattr(outcome, "status", None), error=outcome.reason,
                             attempts=getattr(outcome, "attempts", 1))
    return FetchLogEntry(source=link.source, url=link.url, status=outcome.status, error=None,
                         attempts=outcome.attempts, elapsed_s=outcome.elapsed_s)


def _fetch_logged(fetcher: Fetcher, url: str, source: str, accept: str,
                  log_to: list[Collected], *, report: bool = True) -> FetchResult | None:
    """Fetch one URL, noting the outcome in ``log_to`` (and, if ``report``, a failure for
    the user); None if it failed."""
    try:
        result = fetcher.fetch(url, accept=accept)
    except SourceError as exc:
        log_to.append(_log_entry(Link(url=url, source=source), exc))
        if report:
            log_to.append(SourceFailure(url, exc.reason))
        return None
    log_to.append(_log_entry(Link(url=url, source=source), result))
    return result


def _expand_feed(url: str, source: str, settings: CollectSettings, fetcher: Fetcher,
                 out: list[Link]) -> Iterator[Collected]:
    notes: list[Collected] = []
    result = _fetch_logged(fetcher, url, source, "feed", notes)
    yield from notes
    if result is not None:
        yield from _feed_from_result(result, source, settings, out)


def _feed_from_result(result: FetchResult, source: str, settings: CollectSettings,
                      out: list[Link]) -> Iterator[Collected]:
    try:
        found = feed_links(result.text, source=source, base_url=result.final_url,
                           settings=settings)
    except SourceError as exc:
        yield SourceFailure(source, exc.reason)
        return
    log.info("%s: %d article links", source, len(found))
    out.extend(found)


def _expand_site(url: str, settings: CollectSettings, fetcher: Fetcher,
                 out: list[Link]) -> Iterator[Collected]:
    notes: list[Collected] = []
    front = _fetch_logged(fetcher, url, url, "page", notes)
    yield from notes
    if front is None:
        return
    log_entries: list[Collected] = []

    def fetch_text(page_url: str) -> str | None:
        """Category pages: a failure is logged, not reported (the site still yields)."""
        result = _fetch_logged(fetcher, page_url, url, "any-text", log_entries, report=False)
        return result.text if result is not None else None

    try:
        found = site_links(front.text, front.final_url, fetch_text=fetch_text,
                           settings=settings, source=url)
    except CoverageCmpError as exc:
        yield SourceFailure(url, str(exc))
        return
    yield from log_entries
    if not found:
        yield SourceFailure(url, "no article links found on the site")
    out.extend(found)
