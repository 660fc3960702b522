"""Numbers in news text: counts with what they count, money, percentages, durations.

A report that turns "431 children" into "more than 400 children" keeps the thing counted
and changes the value and the hedge, so each number becomes a ``Fact`` with those three
apart: ``value`` (a number, or ``[low, high]`` for a range), ``qualifier`` ("more than",
"nearly", …) and ``subject`` (the noun phrase counted, lower case).

Rules, in the order they apply to each number found:

- Numbers are digits (``9,172``, ``1.5``), digits with a scale (``1.2m``, ``5bn``,
  ``1.5 million``), words (``eight``, ``twenty-one``, ``a dozen``, ``two hundred and
  five``) or plural approximations (``hundreds of`` → 100, ``tens of thousands of`` →
  10000, kept in ``qualifier``).
- Ranges ``10 to 15``, ``10-15``, ``between 10 and 15`` give ``value == [10, 15]``.
- Money has a currency sign or word around it (``£1.2m`` → 1200000 "GBP"; ``$`` is USD).
- Percentages: ``%``, ``per cent``, ``percent``; ``percentage points`` keep that unit.
- Durations are numbers before a unit of time (``six-month`` → 6 "months"); the noun
  after a hyphenated duration is its subject ("operation"). ``a single day`` is 1 day.
  Ages (``45-year-old man``) are quantities with unit "years old".
- Ordinals (``3rd``, ``third``) count events ("the third operation") and are quantities
  with unit "ordinal"; ``first`` is skipped (it nearly always means "earliest" or is
  idiom: "for the first time").
- Subject: the words after the number up to a function word, verb or punctuation, at most
  four, lower case ("660 suspected paedophiles across" → "suspected paedophiles"). When
  that is a generic noun ("people", "of them", none) and a copula follows, the complement
  is the subject: "39 people were Registered Sex Offenders" → "registered sex offenders".
  Otherwise people are counted by what happened to them: "Eight people have been
  arrested" → "people arrested", "One man has been charged" → "people charged", "13
  people released on bail" (a participle after an auxiliary, or before a preposition).
  A participle after the head noun ends the phrase ("operation targeting people" →
  "operation"); a list "computers, phones and other devices" counts "devices"; two plural
  nouns joined by "and" are counted together ("phones and computers"); "Eleven of the
  arrests" counts "arrests".
- A bare number equal to an earlier count takes that count's subject ("Of the 660"); "127
  of whom were judged to be at serious risk" counts part of the count before it in the
  sentence: "children at serious risk".
- "over" before a duration is a hedge only after "for", "of", "than", …; "arrested over
  six months in an operation" means "during" (no qualifier; subject "operation").

Knowingly skipped (returned by ``scan_numbers`` as ``Skip`` records, never facts): years
and days inside dates (the caller passes date spans as ``taken``), times of day
(``10am``, ``10:30``), phone numbers (``0800 555 111``, ``call 101``), UK postcodes,
section/clause/article/rule/page numbers, numbers glued to letters (``Covid-19``, ``M11``,
``4G``), ``one`` used as a pronoun ("one of", "no one"), and ``one`` meaning "a single"
("to run one targeted operation", "one … of its kind").
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from coverage_cmp.model import Fact

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALE = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9,
          "trillion": 10**12}
_SUFFIX = {"k": 1000, "m": 10**6, "mn": 10**6, "bn": 10**9, "tn": 10**12, **_SCALE}
_MULTIPLIERS = {"dozen": 12, **_SUFFIX}
_ORDINAL_WORDS = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}
_PLURAL_APPROX = {"tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000,
                  "millions": 10**6, "billions": 10**9}
_CURRENCY_SIGNS = {"£": "GBP", "$": "USD", "US$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR",
                   "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "HK$": "HKD"}
_CURRENCY_WORDS = {"pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP", "sterling": "GBP",
                   "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR",
                   "gbp": "GBP", "usd": "USD", "eur": "EUR", "yen": "JPY"}
_MINOR_UNITS = {"p": "GBP", "pence": "GBP", "penny": "GBP", "cent": "USD", "cents": "USD"}
_TIME_UNITS = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days",
               "week": "weeks", "fortnight": "fortnights", "month": "months", "year": "years",
               "decade": "decades", "century": "centuries", "centuries": "centuries"}
_MEASURES = {"km": "km", "kilometres": "km", "kilometers": "km", "mile": "miles",
             "miles": "miles", "kg": "kg", "kilos": "kg", "kilograms": "kg", "tonnes": "tonnes",
             "tons": "tonnes", "mph": "mph", "acres": "acres", "hectares": "hectares",
             "metres": "metres", "meters": "metres", "feet": "feet", "ft": "feet",
             "litres": "litres", "degrees": "degrees", "lb": "lb", "lbs": "lb"}

#: Hedges before a number, longest first so "just over" wins over "over".
QUALIFIERS = (
    "no more than", "no fewer than", "no less than", "more than", "fewer than", "less than",
    "at least", "at most", "up to", "as many as", "as few as", "in excess of", "upwards of",
    "close to", "just over", "just under", "well over", "well under", "an estimated",
    "estimated", "nearly", "almost", "around", "about", "approximately", "roughly", "some",
    "over", "under", "approx.", "circa", "c.", "only", "just", "between",
)
_GENERIC_WORDS = "people persons individuals men women adults others"
#: Nouns and adjectives in scikit-learn's stop list that can be part of what is counted.
_COUNTABLE_STOP_WORDS = """bill fire system interest detail name side top bottom front part
    amount mill cry con co de inc ltd un serious thick thin full empty call find found give
    keep move put show take describe fill"""
_VERBS = """said says say told tell including include includes according while who whom which
    have has had having is are was were be been being will would could should can may might
    must shall did do does per s ve ll d re t"""
_GENERIC_SUBJECTS = frozenset(_GENERIC_WORDS.split())
#: Words for people that say nothing of what is counted until a verb does ("one man").
_PERSON_NOUNS = _GENERIC_SUBJECTS | frozenset(["man", "woman", "person", "adult"])
#: Irregular past participles that say what happened to the people counted.
_IRREGULAR_PARTICIPLES = frozenset("""held caught taken found seen brought kept sent shot
    hurt hit told given known struck beaten slain""".split())  # noqa: SIM905
#: Words that end a counted noun phrase: function words plus common reporting verbs.
_STOP = (ENGLISH_STOP_WORDS - frozenset(_COUNTABLE_STOP_WORDS.split())) | frozenset(
    _VERBS.split()
)

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SMALL_WORDS = "|".join(sorted(_SMALL, key=len, reverse=True))
_SCALE_WORDS = "|".join(_SCALE)
_SUFFIXES = r"bn|mn|tn|k|m|" + _SCALE_WORDS
_WORDNUM_TOKEN = rf"(?:{_SMALL_WORDS}|{_SCALE_WORDS}|dozen)"
_NUMBER_PATTERN = (
    rf"""
    (?P<approx>\b(?:{'|'.join(_PLURAL_APPROX)})\s+of(?:\s+(?:thousands|millions)\s+of)?\b)
  | (?P<digits>(?<![\w.,/:])(?:{_DIGITS}))
  | (?P<ordword>\b(?:{'|'.join(_ORDINAL_WORDS)})\b)
  | (?P<single>\ba\s+single\b)
  | (?P<words>\b(?:an?\s+(?=(?:dozen|{_SCALE_WORDS})\b))?{_WORDNUM_TOKEN}
        (?:(?:\s+and\s+|[\s-]+){_WORDNUM_TOKEN})*\b)
    """
)
_FIRST_LETTERS = "".join(sorted(
    {word[0] for word in (*_SMALL, *_SCALE, *_PLURAL_APPROX, *_ORDINAL_WORDS, "dozen", "a")}
))
#: Scans lower-cased text: a case-sensitive scan that first asks for a word boundary and
#: a possible first character (every branch starts at one) runs several times faster than
#: a case-insensitive one, since most positions fail at the boundary.
_NUMBER_SCAN = re.compile(rf"\b(?=[\d{_FIRST_LETTERS}])(?:{_NUMBER_PATTERN})", re.VERBOSE)
#: Reads a number at a known position of the text as written.
_NUMBER = re.compile(_NUMBER_PATTERN, re.IGNORECASE | re.VERBOSE)
_QUALIFIER_WIDTH = max(map(len, QUALIFIERS)) + 3
_QUALIFIER = re.compile(
    r"(?:^|(?<=[\s(\"“‘'—–-]))(" + "|".join(re.escape(q) for q in QUALIFIERS) + r")\s+$",
    re.IGNORECASE,
)
_CURRENCY_BEFORE = re.compile(
    r"(US\$|AU\$|A\$|CA\$|C\$|HK\$|[£$€¥₹])\s?$"
)
_DIGIT_SCALE = re.compile(rf"(?:\s?(?:{_SCALE_WORDS})\b|(?:bn|mn|tn|k|m)(?![\w]))", re.I)
_PERCENT = re.compile(r"\s?(%|per\s?cent\b|percent\b|percentage points?\b|pc\b)", re.I)
_CURRENCY_AFTER = re.compile(
    r"\s?(pounds sterling|pounds?|sterling|dollars?|euros?|GBP|USD|EUR|yen)\b"
    r"|\s?(pence|cents?)\b|(p)\b",
    re.I,
)
_TIME_UNIT = re.compile(
    r"(?P<sep>[\s-]+)(?P<unit>seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?"
    r"|years?|decades?|century|centuries)\b(?P<old>[\s-]+old\b)?",
    re.I,
)
_MEASURE = re.compile(r"\s?(" + "|".join(sorted(_MEASURES, key=len, reverse=True)) + r")\b",
                      re.I)
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|to)\s*(?:US\$|[£$€])?", re.I)
_AND_JOIN = re.compile(r"\s+and\s+(?:US\$|[£$€])?", re.I)
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)\b", re.I)
_TIME_OF_DAY = re.compile(
    r"\d{1,2}(?:[.:]\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)|\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{1,2}[.:]?\d{2}\s?(?:hrs|hours|GMT|BST|UTC)\b|[01]?\d[.]\d{2}(?=\s?(?:am|pm)\b)",
    re.I,
)
_AT_TIME = re.compile(r"(?:at|from|until|till|by|before|after|around)\s+$", re.I)
_PHONE = re.compile(r"(?:\+\d{1,3}[\s-]?)?\(?0\d{2,4}\)?(?:[\s-]?\d{3,4}){2}\b"
                    r"|\+\d{1,3}(?:[\s-]?\d{2,4}){3,}")
_PHONE_SHORT = re.compile(r"(?:call|calling|dial|ring|phone|on|or|number|tel\.?|telephone)\s+$",
                          re.I)
_SHORT_PHONE_NUMBERS = frozenset(["101", "999", "111", "112", "911"])
# The capital comes first and the boundary is checked behind it, so the scan skips ahead.
_POSTCODE = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]?\d[A-Z\d]?\s?\d[A-Z]{2}\b")
_SECTION = re.compile(
    r"\b(?:section|sections|clause|article|rule|paragraph|chapter|page|schedule|part|"
    r"s\.|para|no\.|number|paragraphs|room|flat|platform|junction|route|line|level|"
    r"category|grade|tier|stage|phase|act)\s+$",
    re.I,
)
#: What may follow digits without a space: 3rd, 5bn, 10km, 12pc, 30p.
_GLUED_UNITS = (_ORDINAL_SUFFIX, _DIGIT_SCALE, _MEASURE, _PERCENT, _CURRENCY_AFTER)
_WORD_AFTER = re.compile(r"[ \t\u00a0]+([^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*)")
_HYPHEN_WORD = re.compile(r"-([^\W\d_][\w'’]*)")
_COPULA = re.compile(
    r"(?:\s+of\s+(?:the|those|them)(?:\s+\S+?)?)?,?\s+(?:were|are|was|is|had\s+been|have\s+been)"
    r"(?:\s+(?:all|also|already|previously|known|convicted|registered\s+as))?(?:\s+an?)?(?=\s)",
    re.I,
)
#: After a count of people, the verb that says what they are counted for: "have been
#: arrested", "released on bail", "across the UK accused of": (optional place) aux verb.
_PASSIVE = re.compile(
    r"(?:\s+(?:across|in|from|throughout)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)?"
    r"\s+(?P<aux>(?:have|has|had)\s+been\s+|(?:were|was|are|is|been)\s+)?(?:[a-z]+ly\s+)?"
    r"(?P<verb>[a-z]+)\b(?:\s+(?P<manner>on|without|under|into)\s+(?P<what>[a-z]+)\b)?"
    # Without an auxiliary, a participle opens a clause about the people ("arrested in
    # a six-month operation") only when a preposition follows; "people voted." is active.
    r"(?P<clause>(?(aux)|\s+(?:in|by|for|over|on|after|during|as|at|of|across|since|from|with)\b))"
)
#: "127 of whom were judged to be at serious risk": a part of the count before it,
#: with what sets it apart (a prepositional complement).
_SUBSET = re.compile(
    r"\s+of\s+(?:whom|them)\s+(?:(?:were|was|are|is|had\s+been|have\s+been)\s+)?"
    r"(?:(?:judged|found|thought|believed|deemed|considered|said|assessed|known)\s+)?"
    r"(?:to\s+be\s+)?(?P<prep>at|in|under|on)\s+",
    re.I,
)
#: "Eleven of the arrests": a part of a named whole counts the same thing.
_PARTITIVE = re.compile(r"\s+of\s+(?:the|these|those|its|their)(?=\s)", re.I)
#: "9,172 computers, phones and other devices": the last noun names the whole list.
_OTHER_TAIL = re.compile(
    r"(?:,\s*[^\W\d_]+){0,4},?\s+(?:and|or)\s+other\s+(?:[^\W\d_]+\s+)?([^\W\d_]+s)\b"
)
#: "10,000 phones and computers": two plural nouns counted together.
_AND_NOUN = re.compile(r"\s+and\s+([^\W\d_]+s)\b(?![\w'’-])")
#: "run one targeted operation", "one … of its kind": "one" meaning "a single".
_ONE_SINGLE_BEFORE = re.compile(r"\bto\s+[a-z]+\s+$")
_ONE_SINGLE_AFTER = re.compile(r"(?:\s+[a-z]+){1,3}\s+of\s+(?:this|its|their|that)\s+kind\b")
#: Words before "over" that make it a hedge of the duration ("for over six months"); else
#: "arrested over six months" means "during".
_OVER_HEDGED = re.compile(r"\b(?:for|of|after|than|lasting|took|taking|to)\s+$", re.I)
#: "six months in an operation": the event a duration belongs to.
_DURATION_OF = re.compile(r"\s+(?:in|during|of)\s+(?:an?|the)(?=\s)", re.I)
_SENTENCE_BREAK = re.compile(r"[.!?](?=\s)|\n")
_ONE_PRONOUN = re.compile(r"\s+(?:of|another|who|which|that|day|thing)\b", re.I)
_ONE_BEFORE = re.compile(r"\b(?:no|any|every|each|the|this|that|which|some)[\s-]+$", re.I)


@dataclass(frozen=True)
class Skip:
    """A number deliberately left out of the facts, and why."""

    start: int
    end: int
    reason: str
    """time, phone, postcode, section, glued, pronoun, single ("one" meaning "a single"),
    date (inside a date fact)."""


def parse_number(words: str) -> int | float | None:
    """Value of a number written in digits, words or both ("1.5 million", "twenty-one").

    Returns None when the words are not one number ("one two").
    """
    total: float = 0
    current: float = 0
    previous = None  # "number", "hundred" (or dozen) or "scale" (thousand and up)
    last = 0.0
    for token in words.lower().replace(",", "").replace("-", " ").split():
        if token in ("a", "an", "and"):
            continue
        scale = _MULTIPLIERS.get(token) if previous != "scale" or token != "hundred" else None
        if scale is not None:
            if scale < 1000:
                if previous == "hundred":
                    return None
                current, previous = (current or 1) * scale, "hundred"
            else:
                total, current, previous = total + (current or 1) * scale, 0, "scale"
            continue
        try:
            number = float(token)
        except ValueError:
            if token not in _SMALL:
                return None
            number = _SMALL[token]
        if previous == "number":
            if not (last % 10 == 0 and 20 <= last < 100 and 0 < number < 10):
                return None
        elif previous is not None and number >= 100:
            return None
        current += number
        last, previous = number, "number"
    if previous is None:
        return None
    return _tidy(total + current)


def fold_case(text: str) -> str:
    """Lower-cased text with the same offsets, for fast scans of case-free patterns.

    A few characters grow when lower-cased ("İ"); those are left as they are.
    """
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _tidy(value: float) -> int | float:
    """An integer when the value is whole (1.2m → 1200000), else a rounded float."""
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


def _take_subject(text: str, pos: int) -> tuple[str | None, int]:
    """The counted noun phrase starting after ``pos``: up to four content words."""
    words: list[str] = []
    end = pos
    while len(words) < 4:
        match = _WORD_AFTER.match(text, end)
        if not match:
            break
        word = match.group(1)
        lower = word.lower()
        if lower in _STOP or lower.endswith("ly") or (words and word.isupper() and len(word) > 1):
            break
        if lower in _SMALL or lower in _SCALE or lower in _ORDINAL_WORDS:
            break
        words.append(word)
        end = match.end()
    # A participle after the head noun opens a clause about it: "operation targeting people".
    cut = next((i for i, word in enumerate(words[1:], 1) if _is_participle(word.lower())),
               len(words))
    if cut < len(words):
        words = words[:cut]
        end = _WORD_AFTER.match(text, pos).end()
        for _ in words[1:]:
            end = _WORD_AFTER.match(text, end).end()
    if not words:
        return None, pos
    return " ".join(words).lower(), end


def _is_participle(lower: str) -> bool:
    return lower.endswith("ing") or (lower.endswith("ed") and not lower.endswith("eed"))


def _left(text: str, start: int, width: int = 32) -> str:
    return text[max(0, start - width):start]


def _skip_reason(text: str, start: int, end: int, digits: str) -> str | None:
    """Why a number written in digits is not a fact, or None when it is one."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before == "-" and start > 1 and text[start - 2].isalnum():
        return "glued"
    if _TIME_OF_DAY.match(text, start) or (
        re.fullmatch(r"\d{1,2}\.\d{2}", digits) and _AT_TIME.search(_left(text, start, 9))
        and int(digits.split(".")[0]) <= 24 and int(digits.split(".")[1]) < 60
    ):
        return "time"
    if _PHONE.match(text, start) or (
        digits in _SHORT_PHONE_NUMBERS and _PHONE_SHORT.search(_left(text, start, 11))
    ):
        return "phone"
    if _SECTION.search(_left(text, start, 12)):
        return "section"
    if after.isalpha() and not any(
        pattern.match(text, end) for pattern in _GLUED_UNITS
    ):
        return "glued"
    return None


def _fact(kind: str, text: str, start: int, end: int, value: Any, unit: str | None = None,
          qualifier: str | None = None, subject: str | None = None) -> Fact:
    return Fact(kind=kind, text=text[start:end], start=start, end=end, value=value, unit=unit,
                qualifier=qualifier, subject=subject)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``start:end`` overlaps one of ``spans`` (sorted, none inside another)."""
    index = bisect.bisect_left(spans, (end,))
    return any(s < end and start < e for s, e in spans[max(0, index - 2):index])


def scan_numbers(text: str, taken: list[tuple[int, int]] | None = None
                 ) -> tuple[list[Fact], list[Skip]]:
    """Quantity, money, percent and duration facts, and the numbers knowingly skipped.

    Args:
        text: article body.
        taken: spans already claimed (dates); numbers inside them are skipped as "date".

    Returns:
        Facts sorted by start, and the skipped numbers with their reason.
    """
    taken = sorted(taken or [])
    facts: list[Fact] = []
    skips: list[Skip] = []
    for match in _POSTCODE.finditer(text):
        skips.append(Skip(match.start(), match.end(), "postcode"))
    blocked = sorted(taken + [(s.start, s.end) for s in skips])
    folded = fold_case(text)
    pos = 0
    while True:
        found = _NUMBER_SCAN.search(folded, pos)
        if not found:
            break
        match = _NUMBER.match(text, found.start())
        start, end = match.span()
        pos = end
        if _overlaps(start, end, blocked):
            if _overlaps(start, end, taken):
                skips.append(Skip(start, end, "date"))
            continue
        fact, skip = _read_number(text, match)
        if fact is not None:
            if _overlaps(fact.start, fact.end, taken):
                fact = None
            else:
                facts.append(fact)
                pos = max(pos, fact.end)
        if skip is not None:
            skips.append(skip)
            pos = max(pos, skip.end)
    _inherit_subjects(text, facts)
    return facts, skips


def _read_number(text: str, match: re.Match[str]) -> tuple[Fact | None, Skip | None]:
    """Turn one number match into a fact (with its context) or a skip."""
    start, end = match.span()
    kind = match.lastgroup
    raw = match.group()
    if kind == "digits":
        reason = _skip_reason(text, start, end, raw)
        if reason:
            stop = end
            while stop < len(text) and (text[stop].isalnum() or text[stop] in ".:"):
                stop += 1
            phone = _PHONE.match(text, start)
            if reason == "phone" and phone:
                stop = phone.end()
            time = _TIME_OF_DAY.match(text, start)
            if reason == "time" and time:
                stop = max(end, time.end())
            return None, Skip(start, stop if reason != "section" else end, reason)
        ordinal = _ORDINAL_SUFFIX.match(text, end)
        if ordinal:
            value = int(float(raw.replace(",", "")))
            subject, _ = _take_subject(text, ordinal.end())
            return _fact("quantity", text, start, ordinal.end(), value, "ordinal",
                         subject=subject), None
        value = float(raw.replace(",", ""))
        scale = _DIGIT_SCALE.match(text, end)
        if scale:
            value *= _SUFFIX[scale.group().strip().lower()]
            end = scale.end()
        return _complete(text, start, end, _tidy(value)), None
    if kind == "approx":
        parts = raw.lower().split()
        value = _PLURAL_APPROX[parts[0]] * (_PLURAL_APPROX[parts[2]] if len(parts) > 2 else 1)
        qualifier = " ".join(raw.lower().split())
        currency = _CURRENCY_AFTER.match(text, end)
        if currency and currency.group(1):
            return _fact("money", text, start, currency.end(), value,
                         _CURRENCY_WORDS[currency.group(1).lower()], qualifier), None
        subject, _ = _take_subject(text, end)
        return _fact("quantity", text, start, end, value,
                     qualifier=qualifier, subject=subject), None
    if kind == "ordword":
        subject, _ = _take_subject(text, end)
        if subject is None:  # "a third of", "came second": a fraction or a place, no count
            return None, None
        return _fact("quantity", text, start, end, _ORDINAL_WORDS[raw.lower()], "ordinal",
                     subject=subject), None
    if kind == "single":
        unit = _TIME_UNIT.match(text, end)
        if not unit:
            return None, None
        return _complete(text, start, end, 1), None
    value = parse_number(raw)
    if value is None:
        # Several numbers in a row ("one two"): read the first word alone.
        first = re.match(rf"(?:an?\s+)?{_WORDNUM_TOKEN}", raw, re.I)
        end = start + first.end()
        value = parse_number(text[start:end])
        if value is None:
            return None, None
    if raw.lower().startswith("one") and end - start == 3 and (
        _ONE_PRONOUN.match(text, end) or _ONE_BEFORE.search(_left(text, start, 6))
        or not (_TIME_UNIT.match(text, end) or _WORD_AFTER.match(text, end))
    ):
        return None, Skip(start, end, "pronoun")
    if raw.lower() == "one" and (_ONE_SINGLE_BEFORE.search(_left(text, start, 24))
                                 or _ONE_SINGLE_AFTER.match(text, end)):
        return None, Skip(start, end, "single")
    return _complete(text, start, end, value), None


def _complete(text: str, start: int, end: int, value: int | float) -> Fact:
    """Read what surrounds a number: range, currency, percent, time unit, subject, hedge."""
    left = _left(text, start, 4)
    currency = None
    sign = _CURRENCY_BEFORE.search(left)
    fact_start = start
    if sign:
        currency = _CURRENCY_SIGNS[sign.group(1)]
        fact_start = start - len(sign.group())
    qualifier_match = _QUALIFIER.search(_left(text, fact_start, _QUALIFIER_WIDTH))
    qualifier = qualifier_match.group(1).lower() if qualifier_match else None
    if qualifier_match:
        fact_start -= len(qualifier_match.group())

    joined: Any = value
    join = _AND_JOIN.match(text, end) if qualifier == "between" else _RANGE_JOIN.match(text, end)
    if join:
        second = _NUMBER.match(text, join.end())
        if second and second.lastgroup in ("digits", "words"):
            high = parse_number(second.group())
            high_end = second.end()
            if second.lastgroup == "digits":
                scale = _DIGIT_SCALE.match(text, high_end)
                if scale and high is not None:
                    high *= _SUFFIX[scale.group().strip().lower()]
                    high_end = scale.end()
                    if not _DIGIT_SCALE.match(text, end) and high >= 1000 * value:
                        value *= _SUFFIX[scale.group().strip().lower()]  # "£1-2m"
            if high is not None and high > value:
                joined = [_tidy(value), _tidy(high)]
                end = high_end
                if qualifier == "between":
                    qualifier = None
    if qualifier == "between" and not isinstance(joined, list):
        fact_start += len(qualifier_match.group())
        qualifier = None

    percent = _PERCENT.match(text, end)
    if percent and currency is None:
        unit = percent.group(1).lower()
        unit = "percentage points" if unit.startswith("percentage") else "%"
        return _fact("percent", text, fact_start, percent.end(), joined, unit, qualifier)
    if currency is None:
        word = _CURRENCY_AFTER.match(text, end)
        if word:
            if word.group(1):
                currency = _CURRENCY_WORDS[word.group(1).lower()]
            else:
                minor = (word.group(2) or word.group(3)).lower()
                currency = _MINOR_UNITS[minor]
                joined = ([_tidy(v / 100) for v in joined] if isinstance(joined, list)
                          else _tidy(joined / 100))
            end = word.end()
    if currency:
        return _fact("money", text, fact_start, end, joined, currency, qualifier)

    unit_match = _TIME_UNIT.match(text, end)
    if unit_match:
        unit_word = unit_match.group("unit").lower().rstrip("s")
        unit = _TIME_UNITS.get(unit_word) or _TIME_UNITS[unit_word + "s"]
        if unit_match.group("old"):
            subject, _ = _take_subject(text, unit_match.end())
            return _fact("quantity", text, fact_start, unit_match.end(), joined, "years old",
                         qualifier, subject)
        if qualifier == "over" and not _OVER_HEDGED.search(_left(text, fact_start, 10)):
            fact_start += len(qualifier_match.group())
            qualifier = None
        subject = None
        if "-" in unit_match.group("sep"):
            hyphen = _HYPHEN_WORD.match(text, unit_match.end())
            long = hyphen and hyphen.group(1).lower() == "long"  # "six-month-long inquiry"
            subject, _ = _take_subject(text, hyphen.end() if long else unit_match.end())
        else:
            event = _DURATION_OF.match(text, unit_match.end())
            if event:
                subject, _ = _take_subject(text, event.end())
        return _fact("duration", text, fact_start, unit_match.end(), joined, unit, qualifier,
                     subject)
    measure = _MEASURE.match(text, end)
    if measure:
        return _fact("quantity", text, fact_start, measure.end(), joined,
                     _MEASURES[measure.group(1).lower()], qualifier)
    return _fact("quantity", text, fact_start, end, joined, None, qualifier,
                 _counted(text, end))


def _counted(text: str, end: int) -> str | None:
    """What a count after ``end`` counts, by the rules of the module docstring."""
    subject, subject_end = _take_subject(text, end)
    if subject is not None:
        whole = _OTHER_TAIL.match(text, subject_end)
        if whole:
            return whole.group(1).lower()
        second = _AND_NOUN.match(text, subject_end)
        if second and " " not in subject and second.group(1).lower() not in _STOP:
            return f"{subject} and {second.group(1).lower()}"
    if subject in _PERSON_NOUNS or subject is None:
        complement = _complement(text, end, subject)
        if complement != subject:
            return complement
    if subject in _PERSON_NOUNS:
        passive = _PASSIVE.match(text, subject_end)
        verb = passive.group("verb") if passive else ""
        if _is_participle(verb) and not verb.endswith("ing") or verb in _IRREGULAR_PARTICIPLES:
            manner = f" {passive['manner']} {passive['what']}" if passive["manner"] else ""
            return f"people {verb}{manner}"
    if subject is None:
        part = _PARTITIVE.match(text, end)
        if part:
            return _take_subject(text, part.end())[0]
    return subject


def _complement(text: str, end: int, subject: str | None) -> str | None:
    """'39 people were registered sex offenders': the complement names what was counted."""
    after = end
    if subject:
        after = _WORD_AFTER.match(text, end).end()
    copula = _COPULA.match(text, after)
    if not copula:
        return subject
    complement, _ = _take_subject(text, copula.end())
    if complement and not complement.endswith(("ed", "ing")):
        return complement
    return subject


def _inherit_subjects(text: str, facts: list[Fact]) -> None:
    """A bare count takes its subject from an earlier one: the same value counts the same
    thing ("Of the 660"); "127 of whom were at serious risk" counts part of the count just
    before it in the sentence ("431 children" → "children at serious risk")."""
    seen: dict[Any, str] = {}
    previous: Fact | None = None
    for index, fact in enumerate(facts):
        if fact.kind != "quantity" or fact.unit is not None:
            continue
        key = repr(fact.value)
        subset = _SUBSET.match(text, fact.end) if fact.subject is None else None
        if (subset and previous is not None and previous.subject is not None
                and not _SENTENCE_BREAK.search(text, previous.end, fact.start)):
            where, _ = _take_subject(text, subset.end() - 1)
            subject = previous.subject + (f" {subset['prep'].lower()} {where}" if where else "")
            facts[index] = fact = dataclasses.replace(fact, subject=subject)
        elif fact.subject is None and key in seen:
            facts[index] = fact = dataclasses.replace(fact, subject=seen[key])
        elif fact.subject is not None:
            seen.setdefault(key, fact.subject)
        previous = fact
