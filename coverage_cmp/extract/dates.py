"""Dates in news text, absolute and relative, resolved against the publication date.

"Eight arrests were made today" means the day the article came out, so a relative date
is only worth comparing once resolved. Each date becomes a ``Fact`` of kind "date" whose
``value`` is an ISO 8601 string as precise as the text: ``2014-07-16`` (a day),
``2014-07`` (a month), ``2014-W29`` (a week), ``2014`` (a year), ``1990s`` (a decade),
``2013/14`` (a season or financial year), ``--07-16`` (a day of an unknown year). A
relative date with no publication date to resolve it has ``value`` None. Hedges such as
"early", "late", "mid", "earlier", "later" go to ``qualifier``.

Rules:

- Absolute: ``16 July 2014``, ``16th of July``, ``July 16``, ``July 16, 2014``,
  ``Wednesday 16 July``, ``July 2014``, ``2014-07-16``, ``16/07/2014`` (day first, as in
  British and most non-US news, unless the day-first reading is impossible).
  A day and month without a year take the year that puts them nearest the publication date.
- Relative: today, tonight, yesterday, tomorrow, this morning, last night, this/last/next
  week, weekend, month, year, "two weeks ago".
- Weekdays ("on Tuesday"): the latest such day on or before publication, or the next one
  when the sentence speaks of the future ("will", "is due to") or says "next". A weekday
  right after a capitalised word (Good Friday, Mail on Sunday) or before one (Sunday
  Times) is a name, not a date.
- A month alone needs a capital and a preposition ("in May", "since March"); a year needs
  a preposition or closing punctuation ("in 2014", "Act 2003", "… 2014.") — otherwise
  "2014 arrests" stays a count for the number reader.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from dateutil import parser as date_parser

from coverage_cmp.extract.numbers import fold_case, parse_number
from coverage_cmp.model import Fact

_MONTH_NUMBERS = {name: index for index, name in enumerate(calendar.month_name) if name}
_MONTH_NUMBERS |= {name: index for index, name in enumerate(calendar.month_abbr) if name}
_MONTH_NUMBERS["Sept"] = 9
_WEEKDAY_NUMBERS = {name: index for index, name in enumerate(calendar.day_name)}

_FULL_MONTH = "|".join(name for name in calendar.month_name if name)
#: Flat alternatives, each opening with a capital, so scans for a month skip ahead fast.
_MONTH = r"(?:" + _FULL_MONTH + "".join(
    rf"|{short}\.?" for short in ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep",
                                  "Oct", "Nov", "Dec")
) + ")"
_WEEKDAY = "|".join(calendar.day_name)
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"

# Scanning patterns start at their anchor (a digit, a capitalised month or weekday, a
# relative word in lower-cased text) so that the regex engine can skip ahead fast; what
# may come before the anchor (a weekday, "early", "last") is read from a short window.
_DAY_MONTH_PATTERN = (
    rf"(?P<d>\d{{1,2}}){_DAY_SUFFIX}(?:\s+of)?\s+(?P<m>{_MONTH})(?!\w)"
    rf"(?:,?\s+(?P<y>{_YEAR})(?![\d/-]))?"
)
#: One scan for the dates that open with a digit: ISO (2014-07-16), numeric (16/07/2014),
#: day and month (16 July 2014); a branch named after its form says which matched.
_DIGIT_DATE = re.compile(
    r"(?=\d)(?:(?P<iso>(?<![\d-])(?P<iso_y>\d{4})-(?P<iso_m>\d{2})-(?P<iso_d>\d{2})(?![\d-]))"
    r"|(?P<numeric>(?<![\d/.])(?P<first>\d{1,2})[/.](?P<second>\d{1,2})[/.]"
    r"(?P<year>\d{4}|\d{2})(?![\d/]|\.\d))"
    rf"|{_DAY_MONTH_PATTERN})"
)
#: A month name as written, full or abbreviated: where "July 16" and "July 2014" start.
_MONTH_WORD = re.compile(_MONTH)
_MONTH_DAY = re.compile(
    rf"(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}}){_DAY_SUFFIX}(?![\d\w])"
    rf"(?:,?\s+(?P<y>{_YEAR})(?![\d/-]))?"
)
_MONTH_YEAR = re.compile(rf"(?P<m>{_MONTH}),?\s+(?P<y>{_YEAR})(?!\d)")
_WEEKDAY_BEFORE = re.compile(rf"(?:{_WEEKDAY}),?\s+(?:the\s+)?$")
_HEDGE_BEFORE = re.compile(r"(?:^|(?<=\W))(early|late|mid|end of|start of)[\s-]+$", re.I)
_PERIOD = r"\s+(?:week|weekend|month|year)"
_RELATIVE = re.compile(  # on lower-cased text; every alternative opens with a letter
    r"(?P<rel>today|tonight|yesterday(?:\s+(?:morning|afternoon|evening))?"
    r"|tomorrow(?:\s+(?:morning|afternoon|evening))?"
    rf"|this{_PERIOD}|last{_PERIOD}|next{_PERIOD}"
    r"|this\s+(?:morning|afternoon|evening)|last\s+night)\b"
)
_EARLIER_BEFORE = re.compile(r"(?:^|(?<=\W))(earlier|later)\s+$", re.I)
_AGO = re.compile(r"(?P<u>days?|weeks?|months?|years?)\s+ago\b")  # on lower-cased text
_COUNT_BEFORE = re.compile(
    r"(?:^|(?<=\W))(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"\s+$",
    re.I,
)
_WEEKDAY_DATE = re.compile(
    rf"(?P<wd>{_WEEKDAY})\b(?:\s+(?P<part>morning|afternoon|evening|night)\b)?"
)
_RELATION_BEFORE = re.compile(
    r"(?:^|(?<=\W))(last|next|this|on|from|until|by|since|before|after)\s+$", re.I
)
_MONTH_ALONE = re.compile(rf"(?P<m>{_FULL_MONTH})\b")
_MONTH_RELATION_BEFORE = re.compile(
    r"(?:^|(?<=\W))(in|since|until|till|by|during|from|of|last|next|this|before|after|early"
    r"|late|mid|end of|start of)[\s-]+$",
    re.I,
)
_YEAR_DATE = re.compile(
    rf"(?P<y>{_YEAR})(?P<s>s)?(?:[/-](?P<y2>\d{{2}}|{_YEAR}))?(?![\w%/]|[.,]\d)"
)
_YEAR_CONTEXT = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|during|of|before|after|between|and|to|early|late"
    r"|mid|spring|summer|autumn|winter|year|Act|the|than|around|about|circa)|[(,—–])[\s-]*$",
    re.I,
)
_NOT_BEFORE_YEAR = frozenset(".,£$€/-")
_YEAR_END = re.compile(r"\s*(?:[.;:)!?\n]|,\s|$)")
_FUTURE = re.compile(
    r"\b(?:will|shall|is due|are due|is expected|are expected|is set to|are set to"
    r"|is to|are to|going to|next)\b|['’]ll\b",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"[.!?\n][^.!?\n]*$")
_CAPITALISED_BEFORE = re.compile(
    r"\b(?!(?:On|Last|Next|This|By|Since|Until|From|Before|After)\b)[A-Z][\w'’]*\s+(?:on\s+)?$"
)
_CAPITALISED_AFTER = re.compile(r"\s+[A-Z]")


def _glued(text: str, start: int) -> bool:
    """Whether ``start`` is inside a word (so no date starts there)."""
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")


def _hedged(text: str, start: int) -> tuple[int, str | None]:
    """Start and hedge of a date preceded by "early", "late", "mid", "end of", "start of"."""
    hedge = _HEDGE_BEFORE.search(text, max(0, start - 10), start)
    if hedge is None:
        return start, None
    return hedge.start(), hedge.group(1).lower()


def parse_published(published: str | None) -> date | None:
    """The publication day from an ISO 8601 (or looser) date string; None if unreadable."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        pass
    try:
        return date_parser.parse(published).date()
    except (ValueError, OverflowError):
        return None


def _day(year: int | None, month: int, day: int, published: date | None) -> str | None:
    """ISO day; without a year, the year that puts it nearest publication."""
    if year is None:
        if published is None:
            try:
                date(2000, month, day)  # a leap year, so 29 February passes
            except ValueError:
                return None
            return f"--{month:02d}-{day:02d}"
        candidates = []
        for guess in (published.year - 1, published.year, published.year + 1):
            try:
                candidates.append(date(guess, month, day))
            except ValueError:
                continue
        if not candidates:
            return None
        return min(candidates, key=lambda d: abs((d - published).days)).isoformat()
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _month_shift(day: date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _week(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def _speaks_of_future(text: str, start: int) -> bool:
    """Whether the sentence before ``start`` is about what is still to come."""
    window = text[max(0, start - 200):start]
    sentence = _SENTENCE_START.search(window)
    clause = sentence.group() if sentence else window
    return bool(_FUTURE.search(clause))


def _relative(phrase: str, published: date | None) -> str | None:
    """Resolve "today", "last week", "this month", … against the publication day."""
    if published is None:
        return None
    words = phrase.lower().split()
    head, tail = words[0], words[-1]
    if head in ("today", "tonight", "this") and tail in (
        "today", "tonight", "morning", "afternoon", "evening"
    ):
        return published.isoformat()
    if head == "yesterday" or words == ["last", "night"]:
        return (published - timedelta(days=1)).isoformat()
    if head == "tomorrow":
        return (published + timedelta(days=1)).isoformat()
    step = {"this": 0, "last": -1, "next": 1}[head]
    if tail == "week":
        return _week(published + timedelta(weeks=step))
    if tail == "weekend":  # the Saturday of the current (or coming) weekend, shifted
        saturday = published + timedelta(days=5 - published.weekday())
        return (saturday + timedelta(weeks=step)).isoformat()
    if tail == "month":
        return _month_shift(published, step)
    return f"{published.year + step:04d}"


def _weekday(name: str, relation: str | None, future: bool, published: date | None
             ) -> str | None:
    if published is None:
        return None
    target = _WEEKDAY_NUMBERS[name]
    if relation == "next" or (future and relation != "last"):
        delta = (target - published.weekday()) % 7 or 7
        return (published + timedelta(days=delta)).isoformat()
    delta = (published.weekday() - target) % 7
    if relation == "last" and delta == 0:
        delta = 7
    return (published - timedelta(days=delta)).isoformat()


def _month_alone(month: int, relation: str, future: bool, published: date | None
                 ) -> str | None:
    if published is None:
        return None
    year = published.year
    if relation == "next" or (future and relation not in ("last", "since")):
        if month <= published.month:
            year += 1
    elif month > published.month or (relation == "last" and month == published.month):
        year -= 1
    return f"{year:04d}-{month:02d}"


def _ago(count: str, unit: str, published: date | None) -> str | None:
    if published is None:
        return None
    number = parse_number(count)
    if not isinstance(number, int):
        return None
    unit = unit.lower().rstrip("s")
    if unit == "day":
        return (published - timedelta(days=number)).isoformat()
    if unit == "week":
        return _week(published - timedelta(weeks=number))
    if unit == "month":
        return _month_shift(published, -number)
    return f"{published.year - number:04d}"


def find_dates(text: str, published: str | None = None) -> list[Fact]:
    """Date facts of ``text``, sorted by start, none overlapping another.

    Args:
        text: article body.
        published: the article's publication date (ISO 8601), to resolve relative dates.

    Returns:
        Facts of kind "date"; ``value`` is an ISO string or None when unresolvable.
    """
    day = parse_published(published)
    found: list[Fact] = []
    claimed: list[tuple[int, int]] = []

    def add(start: int, end: int, value: str | None, qualifier: str | None = None) -> None:
        if any(s < end and start < e for s, e in claimed):
            return
        claimed.append((start, end))
        found.append(Fact(kind="date", text=text[start:end], start=start, end=end, value=value,
                          qualifier=qualifier))

    def add_day_month(match: re.Match[str]) -> None:
        start = match.start()
        if _glued(text, start):
            return
        weekday = _WEEKDAY_BEFORE.search(text, max(0, start - 20), start)
        year = int(match["y"]) if match["y"] else None
        month = _MONTH_NUMBERS[match["m"].rstrip(".")]
        add(weekday.start() if weekday else start, match.end(),
            _day(year, month, int(match["d"]), day))

    for match in _DIGIT_DATE.finditer(text):
        if match["iso"]:
            add(*match.span(), _day(int(match["iso_y"]), int(match["iso_m"]),
                                    int(match["iso_d"]), day))
        elif match["numeric"]:
            first, second, year = int(match["first"]), int(match["second"]), int(match["year"])
            if year < 100:
                year += 2000 if year < 70 else 1900
            dom, month = (second, first) if first <= 12 < second else (first, second)
            if month <= 12 and dom <= 31:
                add(*match.span(), _day(year, month, dom, day))
        else:
            add_day_month(match)
    for month_word in _MONTH_WORD.finditer(text):
        month_day = _MONTH_DAY.match(text, month_word.start())
        if month_day:
            add_day_month(month_day)
            continue
        match = _MONTH_YEAR.match(text, month_word.start())
        if match is None or _glued(text, match.start()):
            continue
        start, qualifier = _hedged(text, match.start())
        month = _MONTH_NUMBERS[match["m"].rstrip(".")]
        add(start, match.end(), f"{int(match['y']):04d}-{month:02d}", qualifier)
    folded = fold_case(text)
    for match in _RELATIVE.finditer(folded):
        if _glued(text, match.start()):
            continue
        start = match.start()
        earlier = _EARLIER_BEFORE.search(text, max(0, start - 10), start)
        qualifier = earlier.group(1).lower() if earlier else None
        add(earlier.start() if earlier else start, match.end(), _relative(match["rel"], day),
            qualifier)
    for match in _AGO.finditer(folded):
        count = _COUNT_BEFORE.search(text, max(0, match.start() - 10), match.start())
        if count:
            add(count.start(), match.end(), _ago(count.group(1), match["u"], day))
    for match in _WEEKDAY_DATE.finditer(text):
        start = match.start()
        if _glued(text, start) or _CAPITALISED_BEFORE.search(text, max(0, start - 30), start):
            continue
        if _CAPITALISED_AFTER.match(text, match.end()):
            continue
        before = _RELATION_BEFORE.search(text, max(0, start - 8), start)
        relation = before.group(1).lower() if before else None
        future = _speaks_of_future(text, start)
        value = _weekday(match["wd"], relation, future, day)
        span_start = before.start() if relation in ("last", "next", "this") else start
        add(span_start, match.end(), value)
    for match in _MONTH_ALONE.finditer(text):
        start = match.start()
        before = _MONTH_RELATION_BEFORE.search(text, max(0, start - 10), start)
        if before is None or _glued(text, start):
            continue
        relation = before.group(1).lower()
        future = _speaks_of_future(text, start)
        qualifier = relation if relation in ("early", "late", "mid", "end of", "start of") else None
        span_start = before.start() if relation in ("last", "next", "this") or qualifier else (
            start)
        add(span_start, match.end(), _month_alone(_MONTH_NUMBERS[match["m"]], relation, future,
                                                  day), qualifier)
    for match in _YEAR_DATE.finditer(text):
        start = match.start("y")
        if start and text[start - 1] in _NOT_BEFORE_YEAR or _glued(text, start):
            continue
        fact_start, qualifier = _hedged(text, start)
        if not (match["s"] or match["y2"] or qualifier
                or _YEAR_CONTEXT.search(text, max(0, start - 12), start)
                or _YEAR_END.match(text, match.end())):
            continue
        if match["s"]:
            value = match.group("y") + "s"
        elif match["y2"]:
            value = f"{match['y']}/{match['y2'][-2:]}"
        else:
            value = match["y"]
        add(fact_start, match.end(), value, qualifier)
    found.sort(key=lambda fact: fact.start)
    return found
