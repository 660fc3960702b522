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
  regard to case, spaces or hyphens (``_COLUMNS`` lists them). A text field holding HTML
  (a whole page or a marked-up body, told apart from prose by ``_markup_kind``) goes through
  ``body.extract_page`` like a saved page; the row's own title, outlet, date and authors
  win over what the page says.
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
from typing import Any, TextIO
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from lxml.html import defs as html_defs

from coverage_cmp._text import decode_bytes, detect_encoding, looks_binary, normalize_text
from coverage_cmp.collect.body import PageContent, extract_page
from coverage_cmp.collect.outlets import OutletDirectory
from coverage_cmp.collect.plaintext import byline_names, iso_date, parse_plain_text
from coverage_cmp.collect.warc import WarcPage, read_warc_pages
from coverage_cmp.errors import CoverageCmpError
from coverage_cmp.model import Article, Link, SourceFailure
from coverage_cmp.settings import CollectSettings

__all__ = ["html_article", "is_url_list", "plain_text_article", "read_path"]

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


def _not_text(data: bytes, binary_reason: str) -> str | None:
    """Why the start of a file cannot be read as an article, or None when it can."""
    if not data.strip():
        return "empty file"
    return binary_reason if looks_binary(data) else None


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
    unusable = _not_text(data, "binary file, not text or HTML")
    if unusable:
        yield _failure(path, unusable)
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
    unusable = _not_text(sample, "binary file, not text")
    if unusable:
        yield _failure(path, unusable)
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
        yield _row_record(row, source, f"{path}: line {number}", settings, outlets)


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
            yield _row_record(row, source, f"{path}: row {number}", settings, outlets)
    except csv.Error as exc:
        yield _failure(path, f"bad CSV near line {reader.line_num} ({exc})")


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def _row_record(row: dict[str, Any], source: str, where: str, settings: CollectSettings,
                outlets: OutletDirectory) -> Record:
    """An article (the row has text), a link (only a URL) or a failure (neither).

    Text that is HTML is read like a saved page; the row's own metadata comes first.
    """
    values = {_column_key(str(k)): v for k, v in row.items() if k is not None}
    url = _field(values, "url")
    url = url if url and _is_http_url(url) else None
    body = _first(values, "text")
    text = normalize_text(body) if isinstance(body, str) else ""
    outlet_name = _field(values, "outlet")
    title = _field(values, "title")
    published = iso_date(_first(values, "published"))
    if not text:
        if url is None:
            return SourceFailure(source, f"{where}: no text and no http(s) URL")
        named = outlets.lookup(None, outlet_name) if outlet_name else None
        return Link(url=url, source=source, title=title, published=published,
                    outlet=named.name if named else None)
    markup = _markup_kind(text)
    page = PageContent(text=text)
    if markup is not None:
        document = text if markup == "document" else _ARTICLE_DOCUMENT.format(text)
        try:
            page = extract_page(document, source=source, url=url, extractor=settings.extractor)
        except CoverageCmpError as exc:
            return SourceFailure(source, f"{where}: {getattr(exc, 'reason', str(exc))}")
    outlet = outlets.lookup(url or _field(values, "outlet_url") or page.canonical_url,
                            outlet_name or page.site_name)
    return Article(
        source=source,
        text=page.text,
        title=title or page.title,
        url=url,
        canonical_url=_field(values, "canonical_url") or page.canonical_url or url,
        outlet=outlet.name if outlet else None,
        outlet_scope=outlet.scope if outlet else None,
        outlet_region=outlet.region if outlet else None,
        authors=_authors(_first(values, "authors")) or list(page.authors),
        published=published or page.published,
        raw_html=text.encode("utf-8") if markup is not None else None,
    )


#: A marked-up article body on its own, made a page: trafilatura finds no article in a
#: bare fragment of one paragraph, or of lines split by ``<br>``, but does in this.
_ARTICLE_DOCUMENT = "<html><body><article>{}</article></body></html>"
_MAYBE_TAG = re.compile(r"<[A-Za-z!/]")
_DOCTYPE_HTML = re.compile(r"<!doctype\s+html", re.IGNORECASE)
_DOCUMENT_TAG = re.compile(r"<(?:html|head|body)[\s>]", re.IGNORECASE)


def _markup_kind(text: str) -> str | None:
    """``document`` (a whole page), ``fragment`` (a marked-up body) or None (not HTML).

    Text is HTML when it declares an HTML doctype, or when lxml parses it to at least
    one real HTML element (a name HTML defines) that the text closes with its end tag
    or that needs none (``<br>``). So "fewer than 5 < 10", a ticker such as ``<ABC.N>``
    and ``a<b and c>d`` in a formula stay prose. libxml2 parses in linear time, which
    the standard library's ``html.parser`` does not on text full of unclosed ``<``.
    """
    if not _MAYBE_TAG.search(text):
        return None
    if _DOCTYPE_HTML.search(text):
        return "document"
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except lxml.etree.ParserError:  # nothing but comments or processing instructions
        return None
    names = {element.tag for element in tree.iter() if isinstance(element.tag, str)}
    real = any(name in html_defs.empty_tags or re.search(rf"</{name}\s*>", text, re.IGNORECASE)
               for name in names & html_defs.tags)
    if not real:
        return None
    return "document" if _DOCUMENT_TAG.search(text) else "fragment"


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
    return byline_names(str(value))

