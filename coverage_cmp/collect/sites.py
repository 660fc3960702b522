"""Article links from feeds and outlet sites, fetched only through our polite fetcher.

Feeds are parsed by feedparser from text we already fetched. Sites go through newspaper's
discovery (category pages from the front page, article URLs from every category page),
fed with HTML that ``fetch_text`` (our fetcher) returns; newspaper itself downloads nothing.
Feeds the front page advertises (``<link rel="alternate" type="application/rss+xml">``)
are read too, since their entries carry titles and dates; newspaper3k never finds them.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from time import struct_time
from urllib.parse import urljoin, urlsplit

import feedparser

from coverage_cmp.collect._newspaper import (
    OFFLINE_SUFFIXES,
    load_newspaper,
    use_offline_suffix_list,
)
from coverage_cmp.errors import SourceError
from coverage_cmp.model import Link
from coverage_cmp.settings import CollectSettings

logger = logging.getLogger(__name__)

#: Category pages fetched per site, besides the front page (each costs a polite request).
MAX_CATEGORY_PAGES = 20
#: Feeds advertised on a front page that are read.
MAX_SITE_FEEDS = 5

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_FEED_ROOT = re.compile(
    r"^(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<(?:\w+:)?(?:rss|feed|RDF)[\s>/]",
    re.DOTALL | re.IGNORECASE,
)
_URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$)")
_SLUG_SEPARATORS = re.compile(r"[-_/.+]+")


def is_feed(content_type: str, text: str) -> bool:
    """True for an RSS or Atom document, by its media type or else by its root element.

    Servers often send feeds as ``text/xml``, ``text/html`` or ``text/plain``, so the
    first element is sniffed whatever the type says.
    """
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in _FEED_TYPES:
        return True
    return bool(_FEED_ROOT.match(text[:4096].lstrip("\ufeff")))


def feed_links(feed_bytes_or_text: bytes | str, *, source: str, base_url: str | None,
               settings: CollectSettings) -> list[Link]:
    """Article links of an RSS or Atom feed, filtered by date and keywords.

    Entries without a date are kept: a feed that gives no dates should not come out
    empty. ``settings.match`` keeps entries whose title or summary contains one of the
    words (case-insensitive); ``settings.since``/``until`` bound the entry's published
    (or else updated) time. Naive ``since``/``until`` are taken as UTC.

    Args:
        feed_bytes_or_text: The feed as fetched (bytes keep the declared encoding).
        source: The input it came from, as the user gave it; set on every link.
        base_url: The feed's own URL, for relative entry links.
        settings: ``since``, ``until`` and ``match``.

    Returns:
        Links in feed order, each URL once, with title and ISO published time.

    Raises:
        SourceError: The document is not a feed feedparser can read.
    """
    headers = {"content-location": base_url} if base_url else {}
    if isinstance(feed_bytes_or_text, str):
        data = feed_bytes_or_text.encode("utf-8")
        headers["content-type"] = "application/xml; charset=utf-8"
    else:
        data = feed_bytes_or_text
    # A file object, so feedparser neither fetches a URL nor opens a path it is given.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise SourceError(source, f"not a readable RSS or Atom feed ({_one_line(reason)})")
    links: list[Link] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        href = entry.get("link") or _first_alternate(entry)
        if not href:
            continue
        url = urljoin(base_url, href) if base_url else href
        if url in seen:
            continue
        seen.add(url)
        when = _entry_time(entry)
        title = _clean(entry.get("title"))
        if not _in_window(when, settings):
            continue
        if not _matches(settings.match, title, entry.get("summary")):
            continue
        links.append(Link(url=url, source=source, title=title,
                          published=when.isoformat() if when else None))
    return links


def site_links(front_html: str, url: str, *, fetch_text: Callable[[str], str | None],
               settings: CollectSettings, source: str | None = None) -> list[Link]:
    """Article links of an outlet site: its advertised feeds, front page and category pages.

    newspaper's ``Source`` finds the category pages and judges which links are
    articles; every page it needs comes from ``fetch_text``. Links from feeds come first
    (they carry titles and dates), then links from the front page and each category
    page, on the site's own domain only, each URL once. ``settings.since``/``until``
    apply where a date is known (feed entry, or a date in the URL path);
    ``settings.match`` applies to the feed title, else the link text and URL slug.
    At most ``settings.max_site_articles`` links; at most ``MAX_CATEGORY_PAGES``
    category pages and ``MAX_SITE_FEEDS`` feeds are fetched.

    Args:
        front_html: The front page, already fetched.
        url: The front page's URL (after redirects).
        fetch_text: Our polite fetcher: URL -> decoded body, or None when it failed.
        settings: Filters and the cap.
        source: The input as the user gave it, set on every link; ``url`` by default.

    Returns:
        Links to fetch, in discovery order.

    Raises:
        SourceError: The front page cannot be read as HTML by newspaper.
    """
    source = source or url
    cap = settings.max_site_articles
    links: dict[str, Link] = {}

    def add(link: Link) -> None:
        if len(links) < cap and link.url not in links:
            links[link.url] = link

    newspaper_source = _newspaper_source(front_html, url, source)
    for feed_url in _advertised_feeds(newspaper_source.doc, url)[:MAX_SITE_FEEDS]:
        text = fetch_text(feed_url)
        if not text or not is_feed("", text):
            continue
        try:
            for link in feed_links(text, source=source, base_url=feed_url, settings=settings):
                if _same_site(link.url, url):
                    add(link)
        except SourceError as exc:
            logger.info("%s: skipping feed %s (%s)", source, feed_url, exc.reason)

    categories = _category_urls(newspaper_source, url)
    for index, category_url in enumerate(categories):
        if len(links) >= cap:
            break
        if index > MAX_CATEGORY_PAGES:
            logger.info("%s: stopped after %d category pages", source, MAX_CATEGORY_PAGES)
            break
        html = front_html if _same_page(category_url, url) else fetch_text(category_url)
        if not html:
            continue
        for article_url, anchor_text in _article_urls(newspaper_source, category_url, html):
            if not _same_site(article_url, url) or _same_page(article_url, url):
                continue
            if not _in_window(_url_date(article_url), settings):
                continue
            if not _matches(settings.match, anchor_text, _slug_words(article_url)):
                continue
            add(Link(url=article_url, source=source, title=anchor_text))
    return list(links.values())


def _newspaper_source(front_html: str, url: str, source: str):
    """A newspaper ``Source`` holding the parsed front page, built without any download."""
    use_offline_suffix_list()
    newspaper = load_newspaper()
    try:
        site = newspaper.Source(url, memoize_articles=False, fetch_images=False)
        site.html = front_html
        site.parse()
    except Exception as exc:  # newspaper raises bare Exception/ValueError for bad input
        raise SourceError(source, f"newspaper cannot read the site ({_one_line(exc)})") from exc
    if site.doc is None:
        raise SourceError(source, "the front page is not readable HTML")
    return site


def _category_urls(site, url: str) -> list[str]:
    """The front page first, then the category pages newspaper finds on it.

    Calls the extractor directly: newspaper3k's ``set_categories`` caches its answer on
    disk for a day.
    """
    found = site.extractor.get_category_urls(site.url, site.doc) or []
    others = sorted(u for u in found if u and not _same_page(u, url) and _same_site(u, url))
    return [url, *others]


def _article_urls(site, category_url: str, html: str) -> list[tuple[str, str | None]]:
    """(URL, link text) of the links newspaper takes for articles on one page."""
    category = load_newspaper().source.Category(url=category_url)
    category.html = html
    site.categories = [category]
    site.parse_categories()
    return [(article.url, _clean(article.title)) for article in site.categories_to_articles()
            if article.url]


def _advertised_feeds(doc, url: str) -> list[str]:
    """Feed URLs in the page's ``<link rel="alternate">`` elements, absolute, in page order."""
    feeds: list[str] = []
    for element in doc.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").split(";")[0].strip().lower()
        href = (element.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            feed_url = urljoin(url, href)
            if feed_url not in feeds:
                feeds.append(feed_url)
    return feeds


def _same_site(link_url: str, site_url: str) -> bool:
    """Same registered domain (subdomains allowed); for IP hosts, the same host."""
    link, site = OFFLINE_SUFFIXES(link_url), OFFLINE_SUFFIXES(site_url)
    if link.top_domain_under_public_suffix and site.top_domain_under_public_suffix:
        return link.top_domain_under_public_suffix == site.top_domain_under_public_suffix
    return urlsplit(link_url).hostname == urlsplit(site_url).hostname


def _same_page(a: str, b: str) -> bool:
    """Equal but for scheme, a trailing slash and a fragment."""
    def key(u: str) -> tuple[str, str, str]:
        parts = urlsplit(u)
        return ((parts.hostname or "").removeprefix("www."), parts.path.rstrip("/"), parts.query)
    return key(a) == key(b)


def _entry_time(entry) -> datetime | None:
    """Published, else updated, time of a feed entry in UTC (feedparser normalises to UTC)."""
    for field_name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(field_name)
        if isinstance(value, struct_time):
            return datetime(*value[:6], tzinfo=UTC)
    return None


def _url_date(url: str) -> date | None:
    """A /2024/03/14/ or /2024-03-14 date in the URL path, when it is a real date."""
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _in_window(when: datetime | date | None, settings: CollectSettings) -> bool:
    """True when undated or within since/until; a bare date is compared by day."""
    if when is None:
        return True
    since, until = settings.since, settings.until
    if isinstance(when, datetime):
        return not ((since and when < _as_utc(since)) or (until and when > _as_utc(until)))
    return not ((since and when < since.date()) or (until and when > until.date()))


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _matches(words: tuple[str, ...], *texts: str | None) -> bool:
    """True without keywords, or when one of them occurs in one of the texts (any case)."""
    if not words:
        return True
    haystack = " ".join(t for t in texts if t).casefold()
    return any(word.casefold() in haystack for word in words)


def _slug_words(url: str) -> str:
    """The URL path as words: "/news/bridge-to-close" -> "news bridge to close"."""
    return _SLUG_SEPARATORS.sub(" ", urlsplit(url).path).strip()


def _first_alternate(entry) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(value.split()) or None


def _one_line(reason: object) -> str:
    return " ".join(str(reason).split())
