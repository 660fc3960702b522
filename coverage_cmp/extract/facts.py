"""Every fact of an article: numbers, dates, people, titles, organisations and places.

This is what the compare stage lines up report by report ("431 children" against "more
than 400 children", "Deputy Director General" against "deputy director"), so each fact
keeps its exact offsets and a normalised ``value``. The readers run in this order:

1. dates (``dates.find_dates``), resolved against the publication date; the years and
   days inside them are then no quantities;
2. numbers (``numbers.scan_numbers``): quantities with the thing counted, money,
   percentages, durations;
3. people, titles and organisations from ``names.find_mentions``: a person fact spans the
   name (value: the resolved full name), a title fact the role (subject: the person it
   belongs to), an organisation fact the name as written (value: the long form, so "NCA"
   has value "National Crime Agency" when the article spells it out);
4. places (``places.find_places``), except inside a person's name ("Jordan Henderson").
"""

from __future__ import annotations

from coverage_cmp.extract.dates import find_dates
from coverage_cmp.extract.names import Mention, find_mentions
from coverage_cmp.extract.numbers import scan_numbers
from coverage_cmp.extract.places import find_places
from coverage_cmp.model import Fact

#: Fact kinds, in the order of the JSON contract.
KINDS = ("quantity", "money", "percent", "date", "duration", "person", "organisation", "place",
         "title")


def _name_start(text: str, mention: Mention) -> int:
    """Where the personal name begins in a person mention that opens with a title."""
    start = mention.start
    if mention.title_end is not None and mention.title_start == mention.start:
        start = mention.title_end
    elif mention.title_end is not None and mention.title_end < mention.end:
        start = max(start, mention.title_end)
    while start < mention.end and not text[start].isalpha():
        start += 1
    return start if start < mention.end else mention.start


def _mention_facts(text: str, mentions: list[Mention]) -> list[Fact]:
    """Person, title and organisation facts, one per span and kind."""
    facts: dict[tuple[int, int, str], Fact] = {}
    title_spans = {(m.start, m.end) for m in mentions if m.kind == "title"}

    def add(kind: str, start: int, end: int, value: str | None,
            subject: str | None = None) -> None:
        key = (start, end, kind)
        if key not in facts and start < end:
            facts[key] = Fact(kind=kind, text=text[start:end], start=start, end=end,
                              value=value, subject=subject)

    for mention in mentions:
        if mention.kind == "person":
            start = _name_start(text, mention)
            add("person", start, mention.end, mention.name or text[start:mention.end])
            if mention.title_start is not None and mention.title_end is not None:
                add("title", mention.title_start, mention.title_end, mention.title,
                    mention.name)
        elif mention.kind == "title":
            start = mention.title_start if mention.title_start is not None else mention.start
            end = mention.title_end if mention.title_end is not None else mention.end
            add("title", start, end, mention.title or text[start:end], mention.name)
        elif mention.kind == "organisation" and (mention.start, mention.end) not in title_spans:
            add("organisation", mention.start, mention.end, mention.name or mention.text)
    return list(facts.values())


def extract_facts(text: str, published: str | None = None,
                  mentions: list[Mention] | None = None) -> list[Fact]:
    """The facts of an article's body text, sorted by start.

    Args:
        text: the article's ``text``; every fact's offsets index into it.
        published: publication date (ISO 8601), to resolve "today", "on Tuesday", ….
        mentions: ``names.find_mentions(text)`` when the caller already has them (the
            quote extractor needs them too), to save finding them twice.

    Returns:
        Facts of the kinds in ``KINDS``; ``fact.text == text[fact.start:fact.end]``.
    """
    dates = find_dates(text, published)
    numbers, _skipped = scan_numbers(text, [(d.start, d.end) for d in dates])
    if mentions is None:
        mentions = find_mentions(text)
    named = _mention_facts(text, mentions)
    people = [(f.start, f.end) for f in named if f.kind == "person"]
    places = [
        place for place in find_places(text)
        if not any(s < place.end and place.start < e for s, e in people)
    ]
    facts = dates + numbers + named + places
    facts.sort(key=lambda fact: (fact.start, fact.end, KINDS.index(fact.kind)))
    return facts
