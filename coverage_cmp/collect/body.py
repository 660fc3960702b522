"""Body text and metadata of one article page, by trafilatura (default) or newspaper.

Both backends get the HTML we already hold and do no network I/O of their own: no
downloads, no image fetching, no memoising between calls, no NLP. Whatever they return is
brought to one shape, ``PageContent``: paragraphs separated by one blank line (so quote
extraction sees paragraph breaks), without headline, byline, captions, navigation or
comments. Every failure, theirs or ours, leaves as ``ExtractionError`` with its cause.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import trafilatura
from dateutil import parser as date_parser
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from coverage_cmp._text import looks_binary, normalize_text
from coverage_cmp.collect._newspaper import load_newspaper
from coverage_cmp.collect.plaintext import trim_page_text
from coverage_cmp.errors import ExtractionError, SettingsError
from coverage_cmp.settings import EXTRACTORS

logger = logging.getLogger(__name__)

#: Options chosen on the article-extraction benchmark (``bench/extraction.py``):
#: ``favor_precision`` lifts body F1 from 0.960 to 0.964; tables stay in (0.957 without).
TRAFILATURA_OPTIONS = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "with_metadata": True,
}

#: Fewer words than this is a stray menu or notice, not an article body.
MIN_BODY_WORDS = 10

#: Full publication timestamps pages give in meta tags and JSON-LD; trafilatura keeps
#: only the day, so a timestamp found here on the same day makes ``published`` precise.
_TIMESTAMP_PATTERNS = (
    re.compile(r'"datePublished"\s*:\s*"([^"]{10,40})"'),
    re.compile(
        r'<meta[^>]+(?:property|name|itemprop)=["\'](?:article:published_time|datePublished'
        r'|pubdate|publishdate|og:published_time)["\'][^>]*?content=["\']([^"\']{10,40})["\']',
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True)
class PageContent:
    """What one article page holds, as either backend found it."""

    text: str
    """Body text, normalised; paragraphs separated by one blank line."""
    title: str | None = None
    """Headline."""
    authors: tuple[str, ...] = ()
    """Byline names, in page order."""
    published: str | None = None
    """ISO 8601 date, or date-time when the page gives the time."""
    site_name: str | None = None
    """Outlet name as the page states it (``og:site_name`` and the like)."""
    canonical_url: str | None = None
    """The page's canonical link (or ``og:url``); the given URL when it declares none."""
    description: str | None = None
    """The page's summary (``description`` / ``og:description``)."""


def extract_page(html: str, *, source: str, url: str | None = None,
                 extractor: str = "trafilatura") -> PageContent:
    """Find the article body and metadata in an HTML page.

    Broken markup that still holds an article yields the article.

    Args:
        html: The page, already decoded.
        source: The input as the user gave it; named in errors.
        url: Where the page was fetched from, if it was; resolves relative links and
            stands in for a missing canonical link.
        extractor: ``trafilatura`` or ``newspaper``.

    Returns:
        The body text and whatever metadata the page gives.

    Raises:
        ExtractionError: The page is empty, not HTML, or holds no article text (fewer
            than ``MIN_BODY_WORDS`` words).
        SettingsError: ``extractor`` is not one of ``EXTRACTORS``.
    """
    if extractor not in EXTRACTORS:
        raise SettingsError(
            f"The 'extractor' parameter of extract_page must be one of "
            f"{', '.join(EXTRACTORS)}. Got {extractor!r} instead."
        )
    if not html or not html.strip():
        raise ExtractionError(source, "empty page")
    if looks_binary(html[:8192].encode("utf-8", errors="replace")):
        raise ExtractionError(source, "binary content, not an HTML page")
    backend = _with_trafilatura if extractor == "trafilatura" else _with_newspaper
    try:
        content = backend(html, url)
    except ExtractionError:
        raise
    except Exception as exc:  # lxml, trafilatura and newspaper raise many kinds
        raise ExtractionError(
            source, f"{extractor} could not parse the page ({_one_line(exc)})"
        ) from exc
    if content is None or not content.text:
        raise ExtractionError(source, "no article text found")
    words = len(content.text.split())
    if words < MIN_BODY_WORDS:
        raise ExtractionError(source, f"no article text found (only {words} words of text)")
    return content


#: Elements whose presence inside a table cell makes the table page layout, not data.
_BLOCKS_IN_CELLS = ".//td//p|.//td//div|.//td//table|.//td//h1|.//td//h2|.//td//h3|.//td//ul"


def _unwrap_layout_tables(html: str) -> HtmlElement | str:
    """The page with layout tables turned into plain blocks.

    Old regional sites lay whole pages out in tables; trafilatura then keeps the article as
    one table row and drops its paragraph breaks, with the navigation rows beside it. A
    table whose cells hold paragraphs, headings, lists or other tables lays out a page;
    a data table (figures in cells) is left as it is.
    """
    if "<table" not in html and "<TABLE" not in html:
        return html
    tree = load_html(html)
    if tree is None:
        return html
    layout = [t for t in tree.iter("table") if t.xpath(_BLOCKS_IN_CELLS)]
    for table in layout:
        for element in table.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th"):
            element.tag = "div"
            element.attrib.pop("colspan", None)
            element.attrib.pop("rowspan", None)
    return tree


def _with_trafilatura(html: str, url: str | None) -> PageContent | None:
    """One trafilatura pass for body and metadata; None when it finds no body."""
    document = trafilatura.bare_extraction(_unwrap_layout_tables(html), url=url,
                                           **TRAFILATURA_OPTIONS)
    if document is None or not document.text:
        return None
    title = _clean(document.title)
    return PageContent(
        text=_paragraphs(document.text, title),
        title=title,
        authors=_split_authors(document.author),
        published=_precise_date(document.date, html),
        site_name=_clean(document.sitename),
        canonical_url=document.url or url,
        description=_clean(document.description),
    )


def _with_newspaper(html: str, url: str | None) -> PageContent | None:
    """newspaper4k or newspaper3k, fed our HTML; None when it finds no body."""
    article = load_newspaper().Article(url or "", fetch_images=False, memoize_articles=False)
    article.download(input_html=html)
    with warnings.catch_warnings():
        # dateutil warns about time-zone names it meets in page dates; not the user's concern
        warnings.simplefilter("ignore")
        article.parse()
    if not article.text or not article.text.strip():
        return None
    title = _clean(article.title)
    meta = article.meta_data if isinstance(article.meta_data, dict) else {}
    og = meta.get("og") if isinstance(meta.get("og"), dict) else {}
    site_name = getattr(article, "meta_site_name", None) or og.get("site_name")
    canonical = article.canonical_link or None
    if canonical and url:
        canonical = urljoin(url, canonical)
    return PageContent(
        text=_paragraphs(article.text, title),
        title=title,
        authors=tuple(name.strip() for name in article.authors if name and name.strip()),
        published=_iso_from_datetime(article.publish_date),
        site_name=_clean(site_name if isinstance(site_name, str) else None),
        canonical_url=canonical or url,
        description=_clean(article.meta_description),
    )


def _paragraphs(text: str, title: str | None) -> str:
    """One paragraph per line of the backend's text, a blank line between paragraphs.

    Both backends put each block (paragraph, list item, table row) on its own line; a
    first line repeating the headline is dropped, and so are the date lines and press
    office trailers (``trim_page_text``) both backends keep.
    """
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and title and lines[0].casefold() == " ".join(title.split()).casefold():
        lines = lines[1:]
    return normalize_text(trim_page_text("\n\n".join(lines)))


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def _clean(value: str | None) -> str | None:
    """White space folded; None for nothing."""
    if not value:
        return None
    folded = " ".join(value.split())
    return folded or None


def _split_authors(author: str | None) -> tuple[str, ...]:
    """trafilatura joins byline names with "; "."""
    if not author:
        return ()
    return tuple(name.strip() for name in author.split(";") if name.strip())


def _precise_date(day: str | None, html: str) -> str | None:
    """trafilatura's day, refined to the page's own timestamp when one falls on that day."""
    if not day:
        return None
    for pattern in _TIMESTAMP_PATTERNS:
        for match in pattern.finditer(html):
            stamp = match.group(1).strip()
            if not stamp.startswith(day) or len(stamp) <= len(day):
                continue
            try:
                return date_parser.isoparse(stamp).isoformat()
            except (ValueError, OverflowError):
                continue
    return day


def _iso_from_datetime(value: datetime | str | None) -> str | None:
    """newspaper's datetime as ISO; a bare midnight without zone means only a day was given."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if value.tzinfo is None and (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.date().isoformat()
    return value.isoformat()
