"""HTML pages stored in web archives (``.warc``, ``.warc.gz``), read with warcio.

Only the reading happens here: ``read_warc_pages`` yields the HTML responses as raw bytes
with their URL and HTTP charset; ``files.read_path`` turns them into articles. Records
that are not HTML (images, scripts, requests, metadata, revisits) and responses that are
not a success (redirects, errors) are skipped. A file that ends early or breaks off gives,
after the pages read before the break, one failure: ``truncated or corrupt WARC after N
records``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from coverage_cmp.model import SourceFailure

__all__ = ["WarcPage", "read_warc_pages"]

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_RECORD_TYPES = ("response", "resource")


@dataclass(frozen=True)
class WarcPage:
    """One HTML page found in a web archive."""

    url: str
    """The record's ``WARC-Target-URI``."""
    body: bytes
    """The page as served, with any transfer and content encoding undone."""
    charset: str | None
    """The charset the HTTP ``Content-Type`` header declared, if any."""
    record: int
    """1-based position of the record in the file (all record types counted)."""


def read_warc_pages(path: str, *, max_record_bytes: int) -> Iterator[WarcPage | SourceFailure]:
    """Yield the HTML pages of a WARC file, then a failure if it is cut short or corrupt.

    Args:
        path: the file, as the user gave it (named in failures).
        max_record_bytes: a page record larger than this is refused with a failure.
    """
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed below, also on early exit)
    except OSError as exc:
        yield SourceFailure(path, f"cannot read ({exc.strerror or exc})")
        return
    with stream:
        yield from _pages(stream, path, max_record_bytes)


def _pages(stream: BinaryIO, path: str,
           max_record_bytes: int) -> Iterator[WarcPage | SourceFailure]:
    records = skipped = 0
    end_of_last_record = 0
    try:
        archive = ArchiveIterator(stream)
        for record in archive:
            if not record.format.startswith("warc"):
                break  # warcio also reads old ARC files, and takes stray text for one
            number = records + 1
            item = _page(record, path, number, max_record_bytes)
            archive.read_to_end(record)
            if getattr(record.raw_stream, "limit", 0) > 0:
                # The record's Content-Length promised more bytes than the file holds.
                break
            records = number
            end_of_last_record = archive.get_record_offset() + archive.get_record_length()
            if item is None:
                skipped += 1
            else:
                yield item
    except Exception as exc:  # warcio, gzip and zlib raise many kinds on a broken file
        log.debug("%s: WARC reading stopped after %d records: %r", path, records, exc)
        yield _corrupt(path, records)
        return
    log.debug("%s: %d WARC records, %d skipped (not an HTML page)", path, records, skipped)
    if _has_unread_bytes(stream, end_of_last_record):
        yield _corrupt(path, records)


def _page(record, path: str, number: int,  # noqa: ANN001 (warcio's ArcWarcRecord)
          max_record_bytes: int) -> WarcPage | SourceFailure | None:
    """The record as a page, a failure when it is too large, None when it is no page."""
    if record.rec_type not in _RECORD_TYPES:
        return None
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if not (status or "").startswith("2"):
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    media_type, _, params = content_type.partition(";")
    if media_type.strip().lower() not in _HTML_TYPES:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.length and record.length > max_record_bytes:
        return SourceFailure(
            f"{path}#record{number}",
            f"{path}: record {number} ({url}) is {record.length} bytes, "
            f"larger than max_file_bytes ({max_record_bytes})",
        )
    return WarcPage(url=url, body=record.content_stream().read(), charset=_charset(params),
                    record=number)


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip(" \"'"):
            return value.strip(" \"'")
    return None


def _has_unread_bytes(stream: BinaryIO, offset: int) -> bool:
    """True when anything but blank lines follows the last complete record."""
    stream.seek(offset)
    while chunk := stream.read(65536):
        if chunk.strip():
            return True
    return False


def _corrupt(path: str, records: int) -> SourceFailure:
    return SourceFailure(path, f"truncated or corrupt WARC after {records} records")
