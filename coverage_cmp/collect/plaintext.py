"""Plain text and news-agency wire copy: headers, bylines, datelines, end markers, dates.

Shared by local files (``.txt``, ``.md``, exports), fetched ``text/plain`` pages and the
HTML body extractor, which trims the same conventions (a "Published:" line on top, "ENDS"
and "Notes to editors" at the bottom) from what it finds in a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as date_parser

from coverage_cmp._text import normalize_text

__all__ = ["PlainText", "byline_names", "iso_date", "parse_plain_text", "trim_page_text"]


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
            header.authors.extend(byline_names(value))
        elif label.startswith("embargo"):
            header.embargo = header.embargo or iso_date(value)
        elif label in ("date", "published", "posted", "updated", "dated", "issued",
                       "load-date", "dateline"):
            header.published = header.published or iso_date(value)
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
    if byline and byline_names(byline.group(1)):
        header.authors.extend(byline_names(byline.group(1)))
        return True
    embargo = _EMBARGO.match(line)
    if embargo:
        header.embargo = header.embargo or iso_date(embargo.group(1))
        return True
    dateline = _DATELINE_ALONE.match(line)
    if dateline:
        header.agency = header.agency or dateline.group(1).strip()
        return True
    day = iso_date(line) if len(line) <= 60 else None
    if day:
        header.published = header.published or day
        return True
    return False


def _is_credit_line(line: str) -> bool:
    """A byline or date line, which marks the line before it as a headline."""
    line = line.strip()
    byline = _BYLINE.match(line)
    if byline and byline_names(byline.group(1)):
        return True
    labelled = _LABELLED.match(line)
    return bool(labelled and labelled.group(1).lower() in ("byline", "date", "published")) or (
        len(line) <= 60 and iso_date(line) is not None)


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 25 and not line.rstrip().endswith((".", ":", ";", ","))


def _clean_title(value: str) -> str:
    return " ".join(value.strip().strip("^<").strip().split())


def byline_names(value: str) -> list[str]:
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
            names.extend(byline_names(re.sub(r"\s+in\s+[A-Z][\w ]+$", "", credit.group(2))))
    return names


_TZ_NAMES = {"GMT": 0, "UTC": 0, "BST": 3600, "CET": 3600, "CEST": 7200,
             "EST": -18000, "EDT": -14400, "PST": -28800, "PDT": -25200}
_DOTTED_TIME = re.compile(r"\b(\d{1,2})\.(\d{2})\b(?!\.\d)")
_YEARLESS_FIRST = datetime(1, 1, 1, 0, 0, 0)
_YEARLESS_SECOND = datetime(2, 2, 2, 1, 1, 1)


def iso_date(value: Any) -> str | None:
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




def trim_page_text(text: str) -> str:
    """A page body without the press-office furniture an extractor may keep.

    Date lines on top ("Published: Wednesday 16 July 2014, 07:00", "4:20pm Wednesday
    16th July 2014 in News") go, and so does everything from an end marker on ("ENDS",
    "Notes to editors", "-30-"), as in wire copy. Paragraphs are separated by blank lines.
    """
    paragraphs = text.split("\n\n")
    start = 0
    while start < len(paragraphs) - 1 and _is_date_line(paragraphs[start].strip()):
        start += 1
    end = len(paragraphs)
    for index in range(start + 1, len(paragraphs)):
        if _END_MARKER.match(paragraphs[index].strip()):
            end = index
            break
    return "\n\n".join(paragraphs[start:end])


def _is_date_line(line: str) -> bool:
    """A line that only dates the article (a label and a few words around a date)."""
    if not line or len(line) > 80 or "\n" in line or not re.search(r"\b(?:1[89]|20)\d\d\b", line):
        return False
    labelled = _LABELLED.match(line)
    if labelled:
        return iso_date(labelled.group(2)) is not None
    try:
        _, skipped = date_parser.parse(_DOTTED_TIME.sub(r"\1:\2", line), fuzzy_with_tokens=True,
                                       dayfirst=True, tzinfos=_TZ_NAMES)
    except (ValueError, OverflowError):
        return False
    leftover = [w for chunk in skipped for w in re.findall(r"[A-Za-z]+", chunk)]
    return len(leftover) <= 3
