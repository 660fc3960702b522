"""Articles from local files: saved pages, plain text and wire copy, folders, exports, archives.

``read_path`` takes one path as the user gave it and yields ``Article`` records, ``Link``
records (URLs still to fetch) and one-line ``SourceFailure`` records; nothing else leaves
it, so one bad file never stops a run. By file name:

- ``.html``, ``.htm``, ``.xhtml``: a saved page, through ``body.extract_page``; its charset
  comes from ``<meta charset>`` first, then detection; the outlet from its canonical URL or
  site name; the raw bytes are kept.
- ``.txt``, ``.md``, ``.text``: plain text or news-agency wire copy (``parse_plain_text``),
  unless every line is a URL (then a URL list).
- ``.urls``, ``.list``: one http(s) URL per line (``#`` comments allowed).
- ``.jsonl``, ``.ndjson``, ``.csv``, ``.tsv`` (each also ``.gz``): exports of media
  databases (Media Cloud, GDELT, Factiva- or LexisNexis-like), read row by row: a row with
  text is an article, a row with only a URL a link. Column names are matched without
  regard to case, spaces or hyphens (``_COLUMNS`` lists them).
- ``.warc``, ``.warc.gz``: HTML responses in a web archive (``warc.read_warc_pages``).
- a folder: every file above inside it, recursively, in sorted order; hidden files and
  other extensions are skipped (counted at debug level); symlinked folders are followed
  once, so a link loop ends.

``source`` of each record is the path as the user gave it; for a file found in a folder,
the user's folder string joined with the file's relative path. Records from inside a file
add their position: ``path#L12`` (JSONL line), ``path#row3`` (third CSV data row) and
``path#record7`` (seventh WARC record), so every record can be traced back and reruns
give the same source.

``max_file_bytes`` caps files read whole (pages, text, URL lists), checked before reading.
Exports and archives are streamed, so it caps each row or record instead: a Media Cloud
export of a million articles is fine, one 200 MB field is not.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import urlsplit

from dateutil import parser as date_parser

from coverage_cmp._text import decode_bytes, detect_encoding, looks_binary, normalize_text
from coverage_cmp.collect.body import extract_page
from coverage_cmp.collect.outlets import OutletDirectory
from coverage_cmp.collect.warc import WarcPage, read_warc_pages
from coverage_cmp.errors import CoverageCmpError
from coverage_cmp.model import Article, Link, SourceFailure
from coverage_cmp.settings import CollectSettings

__all__ = ["PlainText", "is_url_list", "parse_plain_text", "read_path"]

log = logging.getLogger(__name__)

Record = Article | Link | SourceFailure

_KINDS = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text", ".md": "text", ".text": "text", ".markdown": "text",
    ".urls": "urls", ".list": "urls",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "csv",
    ".warc": "warc", ".warc.gz": "warc",
}
_EXPECTED = (".html, .htm, .txt, .md, .urls, .list, .jsonl, .csv, .tsv (also .gz), .warc, "
             ".warc.gz")
_SAMPLE_BYTES = 65_536


def read_path(path: str, settings: CollectSettings,
              outlets: OutletDirectory) -> Iterator[Record]:
    """Read one file or folder into articles, links to fetch and failures.

    Args:
        path: a file or folder, exactly as the user gave it.
        settings: ``extractor`` for HTML and ``max_file_bytes``.
        outlets: maps canonical URLs and site names to outlets.

    Yields:
        ``Article``, ``Link`` and ``SourceFailure`` records, in file order.
    """
    if os.path.isdir(path):
        yield from _read_folder(path, settings, outlets)
    elif not os.path.exists(path):
        yield _failure(path, "no such file or directory")
    elif not os.path.isfile(path):
        yield _failure(path, "not a regular file or folder")
    else:
        yield from _read_file(path, _kind(path), settings, outlets)


def is_url_list(path: str | os.PathLike[str]) -> bool:
    """True for a text file whose every non-blank, non-``#`` line is an http(s) URL.

    Reads line by line and stops at the first other line, so long lists are cheap.
    """
    if not os.path.isfile(path):
        return False
    try:
        with open(path, "rb") as stream:
            if looks_binary(stream.read(8192)):
                return False
            stream.seek(0)
            lines = (raw.decode("utf-8", errors="replace") for raw in stream)
            return _url_lines(lines) is not None
    except OSError:
        return False


def _kind(path: str) -> str | None:
    name = os.path.basename(path).lower()
    if name.endswith(".warc.gz"):
        return "warc"
    if name.endswith(".gz"):
        inner = _KINDS.get(os.path.splitext(name[:-3])[1])
        return inner if inner in ("jsonl", "csv") else None
    return _KINDS.get(os.path.splitext(name)[1])


def _failure(source: str, reason: str) -> SourceFailure:
    return SourceFailure(source, reason)


# --- folders ----------------------------------------------------------------------------

def _read_folder(folder: str, settings: CollectSettings,
                 outlets: OutletDirectory) -> Iterator[Record]:
    skipped = 0
    found = 0
    for file_path, kind in _walk(folder, set()):
        if kind is None:
            skipped += 1
            continue
        found += 1
        yield from _read_file(file_path, kind, settings, outlets)
    log.debug("%s: %d files read, %d skipped (hidden or not a known kind)",
              folder, found, skipped)
    if not found:
        yield _failure(folder, f"no readable files in the folder (expected {_EXPECTED})")


def _walk(folder: str, seen: set[tuple[int, int]]) -> Iterator[tuple[str, str | None]]:
    """Files below ``folder`` in sorted order, each with its kind; hidden names left out."""
    try:
        info = os.stat(folder)
        key = (info.st_dev, info.st_ino)
        if key in seen:
            log.debug("%s: folder already read (symlink loop), skipped", folder)
            return
        seen.add(key)
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        log.debug("%s: cannot list folder (%s)", folder, exc.strerror or exc)
        return
    for entry in entries:
        if entry.name.startswith("."):
            yield entry.path, None
        elif entry.is_dir():
            yield from _walk(os.path.join(folder, entry.name), seen)
        elif entry.is_file():
            yield os.path.join(folder, entry.name), _kind(entry.name)


# --- single files -----------------------------------------------------------------------

def _read_file(path: str, kind: str | None, settings: CollectSettings,
               outlets: OutletDirectory) -> Iterator[Record]:
    """One file of any kind; whatever goes wrong becomes a failure naming the file."""
    try:
        if kind == "warc":
            yield from _read_warc(path, settings, outlets)
        elif kind in ("jsonl", "csv"):
            yield from _read_export(path, kind, settings, outlets)
        else:
            yield from _read_whole(path, kind, settings, outlets)
    except CoverageCmpError as exc:
        yield SourceFailure(path, getattr(exc, "reason", str(exc)))
    except OSError as exc:
        yield _failure(path, f"cannot read ({exc.strerror or exc})")
    except Exception as exc:  # last guard: one odd file must not end the run
        log.debug("%s: unexpected error", path, exc_info=True)
        yield _failure(path, f"unexpected error ({type(exc).__name__}: {exc})")


def _read_whole(path: str, kind: str | None, settings: CollectSettings,
                outlets: OutletDirectory) -> Iterator[Record]:
    """Files read into memory at once: pages, text, URL lists, unknown kinds."""
    size = os.path.getsize(path)
    if size > settings.max_file_bytes:
        yield _failure(path, f"file is {_megabytes(size)}, larger than max_file_bytes "
                             f"({_megabytes(settings.max_file_bytes)})")
        return
    with open(path, "rb") as stream:
        data = stream.read(settings.max_file_bytes + 1)
    if not data.strip():
        yield _failure(path, "empty file")
        return
    if looks_binary(data):
        yield _failure(path, "binary file, not text or HTML")
        return
    if kind == "html":
        yield html_article(data, source=path, settings=settings, outlets=outlets)
        return
    text = _decode(data)
    urls = _url_lines(text.splitlines())
    if urls is not None and kind in ("text", "urls", None):
        yield from _links(urls, path)
    elif kind == "urls":
        yield _failure(path, "not a list of URLs (every line must be an http(s) URL)")
    elif kind == "text":
        yield plain_text_article(text, source=path, raw=data, outlets=outlets)
    else:
        suffix = os.path.splitext(path)[1] or "(none)"
        yield _failure(path, f"unsupported file type {suffix} (expected {_EXPECTED}, "
                             f"or a file listing one URL per line)")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


# --- HTML -------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
                           re.IGNORECASE)


def html_article(data: bytes, *, source: str, settings: CollectSettings,
                  outlets: OutletDirectory, url: str | None = None,
                  declared: str | None = None) -> Article | SourceFailure:
    """An article from a page's bytes; the declared charset wins over ``<meta charset>``."""
    if declared is None:
        meta = _META_CHARSET.search(data[:8192])
        declared = meta.group(1).decode("ascii") if meta else None
    html = _decode(data, declared)
    try:
        page = extract_page(html, source=source, url=url, extractor=settings.extractor)
    except CoverageCmpError as exc:
        return SourceFailure(source, getattr(exc, "reason", str(exc)))
    outlet = outlets.lookup(page.canonical_url or url, page.site_name)
    return Article(
        source=source,
        text=page.text,
        title=page.title,
        url=url,
        canonical_url=page.canonical_url,
        outlet=outlet.name if outlet else None,
        outlet_scope=outlet.scope if outlet else None,
        outlet_region=outlet.region if outlet else None,
        authors=list(page.authors),
        published=page.published,
        raw_html=data,
    )


def _read_warc(path: str, settings: CollectSettings,
               outlets: OutletDirectory) -> Iterator[Record]:
    for item in read_warc_pages(path, max_record_bytes=settings.max_file_bytes):
        if isinstance(item, WarcPage):
            yield html_article(item.body, source=f"{path}#record{item.record}",
                                settings=settings, outlets=outlets, url=item.url or None,
                                declared=item.charset)
        else:
            yield item


# --- URL lists --------------------------------------------------------------------------

def _url_lines(lines: Iterable[str]) -> list[str] | None:
    """The URLs of a URL list, or None as soon as a line is not an http(s) URL."""
    urls = []
    for line in lines:
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        if not _is_http_url(line):
            return None
        urls.append(line)
    return urls or None


def _is_http_url(value: str) -> bool:
    if any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _links(urls: Iterable[str], source: str) -> Iterator[Link]:
    seen: set[str] = set()
    for url in urls:
        if url not in seen:
            seen.add(url)
            yield Link(url=url, source=source)


# --- plain text and wire copy -----------------------------------------------------------

@dataclass(frozen=True)
class PlainText:
    """A plain-text article split into its parts."""

    text: str
    """Body: header, slug and trailer lines dropped, newlines normalised."""
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    """ISO 8601 date (or date-time), from a date, dateline or embargo line."""
    agency: str | None = None
    """The news agency the copy names (``(Reuters)``, a ``PA`` slug), if any."""


@dataclass
class _Header:
    """What the header lines of a plain-text article said."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    embargo: str | None = None
    agency: str | None = None


_AGENCY_LINE = re.compile(r"^(?:PA|AP|AFP|Reuters|Press Association|Bloomberg|dpa|ANSA|EFE)$",
                          re.IGNORECASE)
_PRIORITY_LINE = re.compile(
    r"^(?:urgent|flash|bulletin|newsflash|news ?alert|alert|advisory|priority|routine"
    r"|corrected|correction|refile|update(?: \d+)?|lead|wrap ?up(?: \d+)?|exclusive"
    r"|for immediate release|(?:news|press|media) release|press notice)[.:!]?$",
    re.IGNORECASE,
)
_SLUG = re.compile(r"^(?:(?:BC|AM|PM)-\S.{0,78}|[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+){2,}"
                   r"|[A-Z]{3,}(?: (?:[A-Z][a-z]+|\d\w*|\w+-\w+)){1,3})$")
_MARKED_HEADLINE = re.compile(r"^\^(.+?)<?$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_LABELLED = re.compile(r"^(headline|title|byline|date|published|posted|updated|dated|issued"
                       r"|load-date|dateline|length|section|language|publication-type"
                       r"|graphic|highlight|source|slug|embargo(?:ed)?(?: until)?)\s*:\s*(.*)$",
                       re.IGNORECASE)
_BYLINE = re.compile(r"^by\s+(\S.{0,118})$", re.IGNORECASE)
_EMBARGO = re.compile(r"^embargo(?:ed)?\b[\s:,-]*(?:until|till|to)?\s*(.*)$", re.IGNORECASE)
# "LONDON, July 16 (Reuters) -": the place, an optional day, the agency in brackets.
_DATELINE = (r"^[A-Z][A-Z .'’-]{1,40}(?:,\s*[A-Za-z]{3,9}\.? \d{1,2})?\s*"
             r"\(([A-Z][\w .&'’-]{0,38})\)\s*")
_DATELINE_ALONE = re.compile(_DATELINE + r"[-–—]*$")
_DATELINE_LEAD = re.compile(_DATELINE + r"[-–—]")
_END_MARKER = re.compile(
    r"^(?:ends?\.?|-+\s*ends?\s*-+|\(ends\)|#?ends#?|-30-|###|end of (?:release|story)"
    r"|notes? (?:to|for) editors:?)$", re.IGNORECASE)
_CREDITS = re.compile(r"^\((?:(?:additional )?reporting|writing|editing) by .+\)$",
                      re.IGNORECASE)
_CREDIT_PART = re.compile(r"^(?:additional\s+)?(reporting|writing|editing)\s+by\s+(.+)$",
                          re.IGNORECASE)
_ROLE_WORDS = re.compile(
    r"\b(?:correspondent|editor|reporter|writer|staff|news|agency|media|press|association"
    r"|political|crime|home affairs|chief|senior|special|our|team|desk|online|mail|times)\b",
    re.IGNORECASE)
_NAME = re.compile(r"^[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|der|la|le|bin|al))"
                   r"{0,4}$")


def parse_plain_text(text: str) -> PlainText:
    """Split a plain-text or wire-copy article into title, byline, date and body.

    Header lines at the top (agency slugs such as ``BC-UK-Police-Abuse``, ``PA`` or
    ``URGENT``, ``^Headline<`` and Markdown ``#`` headlines, ``By ...`` bylines, date and
    embargo lines, a dateline on its own line, ``HEADLINE:``-style labels of database
    exports) are read and dropped; so is everything from an end marker (``ENDS``,
    ``-30-``, ``###``, ``Notes to editors``, ``(Reporting by ...; Editing by ...)``) on.
    The body is kept as written, quote marks included (TeX-style ````like this''`` too):
    only newlines are normalised. The title is the marked headline, else the first body
    line, which then stays in the body too, unless a byline or date line follows it (then
    it is a headline and is dropped).
    """
    lines = normalize_text(text).split("\n")
    header = _Header()
    start = _skip_header(lines, 0, header)
    if header.title is None and start < len(lines):
        after = _next_nonblank(lines, start + 1)
        if after < len(lines) and _is_credit_line(lines[after]) and _looks_like_headline(
                lines[start]):
            header.title = _clean_title(lines[start])
            start = _skip_header(lines, start + 1, header)
        else:
            header.title = _clean_title(lines[start])
    end = len(lines)
    for index in range(start, len(lines)):
        line = lines[index].strip()
        if _END_MARKER.match(line):
            end = index
            break
        if _CREDITS.match(line):
            header.authors.extend(_credit_authors(line))
            end = index
            break
    if start < len(lines) and header.agency is None:
        lead = _DATELINE_LEAD.match(lines[start].strip())
        if lead:
            header.agency = lead.group(1).strip()
    return PlainText(
        text=normalize_text("\n".join(lines[start:end])),
        title=header.title or None,
        authors=tuple(dict.fromkeys(header.authors)),
        published=header.published or header.embargo,
        agency=header.agency,
    )


def _skip_header(lines: list[str], index: int, header: _Header) -> int:
    """Read header lines from ``index`` on; return the index of the first body line."""
    while index < len(lines):
        line = lines[index].strip()
        if line and not _read_header_line(line, header):
            return index
        index += 1
    return index


def _next_nonblank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _read_header_line(line: str, header: _Header) -> bool:
    """Note what a header line says; False when ``line`` is body text."""
    labelled = _LABELLED.match(line)
    if labelled:
        label, value = labelled.group(1).lower(), labelled.group(2).strip()
        if label in ("headline", "title"):
            header.title = header.title or _clean_title(value)
        elif label == "byline":
            header.authors.extend(_byline_names(value))
        elif label.startswith("embargo"):
            header.embargo = header.embargo or _iso_date(value)
        elif label in ("date", "published", "posted", "updated", "dated", "issued",
                       "load-date", "dateline"):
            header.published = header.published or _iso_date(value)
        return True
    if _AGENCY_LINE.match(line):
        header.agency = header.agency or line
        return True
    if _PRIORITY_LINE.match(line) or _SLUG.match(line):
        return True
    marked = _MARKED_HEADLINE.match(line) or _MARKDOWN_HEADING.match(line)
    if marked:
        header.title = header.title or _clean_title(marked.group(1))
        return True
    byline = _BYLINE.match(line)
    if byline and _byline_names(byline.group(1)):
        header.authors.extend(_byline_names(byline.group(1)))
        return True
    embargo = _EMBARGO.match(line)
    if embargo:
        header.embargo = header.embargo or _iso_date(embargo.group(1))
        return True
    dateline = _DATELINE_ALONE.match(line)
    if dateline:
        header.agency = header.agency or dateline.group(1).strip()
        return True
    day = _iso_date(line) if len(line) <= 60 else None
    if day:
        header.published = header.published or day
        return True
    return False


def _is_credit_line(line: str) -> bool:
    """A byline or date line, which marks the line before it as a headline."""
    line = line.strip()
    byline = _BYLINE.match(line)
    if byline and _byline_names(byline.group(1)):
        return True
    labelled = _LABELLED.match(line)
    return bool(labelled and labelled.group(1).lower() in ("byline", "date", "published")) or (
        len(line) <= 60 and _iso_date(line) is not None)


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 25 and not line.rstrip().endswith((".", ":", ";", ","))


def _clean_title(value: str) -> str:
    return " ".join(value.strip().strip("^<").strip().split())


def _byline_names(value: str) -> list[str]:
    """Person names in a byline: ``Jane Doe, Crime Correspondent`` -> ``["Jane Doe"]``."""
    names = []
    for part in re.split(r",|;|\s+and\s+|\s*&\s*|\s*\|\s*", value):
        part = re.sub(r"^by\s+", "", part.strip(), flags=re.IGNORECASE).strip(" .")
        if part and _NAME.match(part) and not (_ROLE_WORDS.search(part)
                                               or _AGENCY_LINE.match(part)):
            names.append(part)
    return names


def _credit_authors(line: str) -> list[str]:
    """Reporters and writers of a Reuters-style credit line (editors are not authors)."""
    names = []
    for part in line.strip("() ").split(";"):
        credit = _CREDIT_PART.match(part.strip())
        if credit and credit.group(1).lower() in ("reporting", "writing"):
            names.extend(_byline_names(re.sub(r"\s+in\s+[A-Z][\w ]+$", "", credit.group(2))))
    return names


def plain_text_article(text: str, *, source: str, raw: bytes,
                  outlets: OutletDirectory) -> Article | SourceFailure:
    parts = parse_plain_text(text)
    if not parts.text:
        return _failure(source, "no article text (only header lines)")
    outlet = outlets.lookup(None, parts.agency) if parts.agency else None
    return Article(
        source=source,
        text=parts.text,
        title=parts.title,
        outlet=outlet.name if outlet else None,
        outlet_scope=outlet.scope if outlet else None,
        outlet_region=outlet.region if outlet else None,
        authors=list(parts.authors),
        published=parts.published,
    )


# --- dates ------------------------------------------------------------------------------

_TZ_NAMES = {"GMT": 0, "UTC": 0, "BST": 3600, "CET": 3600, "CEST": 7200,
             "EST": -18000, "EDT": -14400, "PST": -28800, "PDT": -25200}
_DOTTED_TIME = re.compile(r"\b(\d{1,2})\.(\d{2})\b(?!\.\d)")
_YEARLESS_FIRST = datetime(1, 1, 1, 0, 0, 0)
_YEARLESS_SECOND = datetime(2, 2, 2, 1, 1, 1)


def _iso_date(value: Any) -> str | None:
    """An ISO 8601 date (or date-time when a time is given) from what exports and copy use.

    Needs year, month and day; accepts ISO strings, ``16 July 2014``, ``16/07/2014`` (day
    first), ``Wednesday 16 July 2014 10.30 BST``, GDELT's ``20140716103000`` and Unix
    seconds. Anything else gives None.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not 10**8 < value < 10**10:
            return None
        return datetime.fromtimestamp(value, tz=UTC).isoformat()
    text = str(value).strip()
    if not text or len(text) > 80 or not re.search(r"\d", text):
        return None
    try:  # the usual case in exports, and much faster than dateutil
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        return parsed.isoformat() if len(text) > 10 else parsed.date().isoformat()
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    try:
        first = date_parser.parse(text, default=_YEARLESS_FIRST, dayfirst=True,
                                  tzinfos=_TZ_NAMES)
        second = date_parser.parse(text, default=_YEARLESS_SECOND, dayfirst=True,
                                   tzinfos=_TZ_NAMES)
    except (ValueError, OverflowError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    if first.hour != second.hour:
        return first.date().isoformat()
    return first.isoformat()


# --- exports (JSONL, CSV) ---------------------------------------------------------------

_COLUMNS = {
    "url": ("url", "link", "documentidentifier", "document_identifier", "article_url",
            "web_url", "uri", "story_url"),
    "canonical_url": ("canonical_url", "canonical"),
    "title": ("title", "headline", "hl", "page_title", "story_title"),
    "text": ("text", "body", "content", "article_text", "full_text", "fulltext",
             "article_body", "body_text", "maintext", "story_text", "text_content"),
    "outlet": ("media_name", "sourcecommonname", "source_common_name", "outlet",
               "publication", "publication_name", "source_name", "publisher", "site_name",
               "newspaper", "media", "source"),
    "outlet_url": ("media_url", "outlet_url", "source_url", "domain"),
    "published": ("publish_date", "published", "pub_date", "publication_date",
                  "published_at", "date_published", "pubdate", "date", "datetime",
                  "seendate", "timestamp"),
    "authors": ("authors", "author", "byline", "by", "creator", "creators"),
}


def _read_export(path: str, kind: str, settings: CollectSettings,
                 outlets: OutletDirectory) -> Iterator[Record]:
    """Stream an export row by row; ``.gz`` exports are decompressed on the fly."""
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            sample = stream.read(_SAMPLE_BYTES)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield _failure(path, f"not a readable gzip file ({exc})")
        return
    if not sample.strip():
        yield _failure(path, "empty file")
        return
    if looks_binary(sample):
        yield _failure(path, "binary file, not text")
        return
    try:
        with opener(path, "rt", encoding=detect_encoding(sample), errors="replace",
                    newline="") as stream:
            if kind == "jsonl":
                yield from _jsonl_records(stream, path, settings, outlets)
            else:
                yield from _csv_records(stream, path, settings, outlets)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield _failure(path, f"gzip file is truncated or corrupt ({exc})")


def _decode(data: bytes, declared: str | None = None) -> str:
    return decode_bytes(data, declared)


def _jsonl_records(stream: TextIO, path: str, settings: CollectSettings,
                   outlets: OutletDirectory) -> Iterator[Record]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        source = f"{path}#L{number}"
        if len(line) > settings.max_file_bytes:
            yield SourceFailure(source, f"line {number}: longer than max_file_bytes "
                                        f"({settings.max_file_bytes})")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceFailure(source, f"line {number}: invalid JSON ({exc.msg} "
                                        f"at column {exc.colno})")
            continue
        if not isinstance(row, dict):
            yield SourceFailure(source, f"line {number}: not a JSON object")
            continue
        yield _row_record(row, source, f"{path}: line {number}", outlets)


def _csv_records(stream: TextIO, path: str, settings: CollectSettings,
                 outlets: OutletDirectory) -> Iterator[Record]:
    csv.field_size_limit(max(csv.field_size_limit(), settings.max_file_bytes))
    first_line = stream.readline()
    stream.seek(0)
    if path.lower().endswith(".tsv"):
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(stream, delimiter=delimiter)
    columns = [c for c in (reader.fieldnames or []) if c]
    keys = {_column_key(c) for c in columns}
    if not keys & {*_COLUMNS["text"], *_COLUMNS["url"]}:
        found = ", ".join(columns) or "none"
        yield _failure(path, f"no text or URL column (columns found: {found})")
        return
    try:
        for number, row in enumerate(reader, start=1):
            source = f"{path}#row{number}"
            yield _row_record(row, source, f"{path}: row {number}", outlets)
    except csv.Error as exc:
        yield _failure(path, f"bad CSV near line {reader.line_num} ({exc})")


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def _row_record(row: dict[str, Any], source: str, where: str,
                outlets: OutletDirectory) -> Record:
    """An article (the row has text), a link (only a URL) or a failure (neither)."""
    values = {_column_key(str(k)): v for k, v in row.items() if k is not None}
    url = _field(values, "url")
    url = url if url and _is_http_url(url) else None
    body = _first(values, "text")
    text = normalize_text(body) if isinstance(body, str) else ""
    outlet_name = _field(values, "outlet")
    title = _field(values, "title")
    published = _iso_date(_first(values, "published"))
    if not text:
        if url is None:
            return SourceFailure(source, f"{where}: no text and no http(s) URL")
        named = outlets.lookup(None, outlet_name) if outlet_name else None
        return Link(url=url, source=source, title=title, published=published,
                    outlet=named.name if named else None)
    outlet = outlets.lookup(url or _field(values, "outlet_url"), outlet_name)
    return Article(
        source=source,
        text=text,
        title=title,
        url=url,
        canonical_url=_field(values, "canonical_url") or url,
        outlet=outlet.name if outlet else None,
        outlet_scope=outlet.scope if outlet else None,
        outlet_region=outlet.region if outlet else None,
        authors=_authors(_first(values, "authors")),
        published=published,
    )


def _first(values: dict[str, Any], role: str) -> Any:
    """The first non-empty value among the column names that can hold ``role``."""
    for key in _COLUMNS[role]:
        value = values.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _field(values: dict[str, Any], role: str) -> str | None:
    value = _first(values, role)
    if isinstance(value, dict):
        value = value.get("name") or value.get("url")
    if value is None or isinstance(value, list | dict):
        return None
    text = " ".join(str(value).split())
    return text or None


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        parts = [v.get("name", "") if isinstance(v, dict) else str(v) for v in value]
        return [" ".join(p.split()) for p in parts if p and p.strip()]
    return _byline_names(str(value))

