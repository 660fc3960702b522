"""People, organisations and role titles mentioned in an article, with short forms resolved.

No English language model ships with the package, so names are found by rule: runs of
capitalised words are split into an organisation prefix, a role title and a personal name
("NCA Deputy Director General Phil Gormley"), using the US census first names (the
``names`` package), nameparser's role titles and the small closed-class lists in
``data/lexicon.toml``. Short forms are then linked to the full form the article gives:
a surname or "Mr Gormley" to "Phil Gormley", an acronym to its long form (NCA ↔ National
Crime Agency), "the minister" to the last person given that title.
"""

from __future__ import annotations

import bisect
import functools
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import regex
from nameparser.config.titles import TITLES

#: Mention kinds.
KINDS = ("person", "organisation", "title", "pronoun", "description")


@dataclass(slots=True)
class Mention:
    """A stretch of text that names or refers to a person or organisation.

    Not frozen: articles make tens of thousands of them, and a frozen dataclass is built
    several times slower; nothing changes one after it is made (``replace`` copies).

    Example: in "NCA Deputy Director General Phil Gormley said", one person mention spans
    the whole phrase with ``name="Phil Gormley"`` and ``title="Deputy Director General"``,
    and an organisation mention spans "NCA".
    """

    start: int
    end: int
    text: str
    """``text[start:end]`` of the article."""
    kind: str
    """One of ``KINDS``."""
    name: str | None = None
    """Resolved full name (the person or organisation referred to), None when unknown."""
    title: str | None = None
    """For persons and titles: the role as written ("Deputy Director General")."""
    title_start: int | None = None
    title_end: int | None = None


@dataclass(frozen=True)
class Lexicon:
    """Word lists the rules stand on (lower case)."""

    titles: frozenset[str]
    org_words: frozenset[str]
    connectors: frozenset[str]
    function_words: frozenset[str]
    speech_verbs: frozenset[str]
    source_nouns: frozenset[str]
    male_titles: frozenset[str]
    female_titles: frozenset[str]
    not_role_heads: frozenset[str]
    """Role-list words that name no role alone ("the first", "the general")."""
    not_org_acronyms: frozenset[str]
    """Capitalised abbreviations that name countries or pronouns, not organisations."""
    name_titles: frozenset[str]
    """Royal and religious titles that belong to a one-word name ("Prince Andrew")."""
    male_first: dict[str, float]
    female_first: dict[str, float]


def _census(path: Path) -> dict[str, float]:
    """Census name list: NAME FREQUENCY CUMULATIVE RANK per line."""
    table = {}
    with path.open(encoding="ascii") as lines:
        for line in lines:
            parts = line.split()
            if parts:
                table[parts[0].lower()] = float(parts[1])
    return table


@functools.cache
def lexicon() -> Lexicon:
    """The word lists, loaded once per process."""
    data = tomllib.loads(
        resources.files("coverage_cmp").joinpath("data/lexicon.toml").read_text("utf-8")
    )
    census = Path(str(resources.files("names")))
    return Lexicon(
        titles=frozenset(TITLES) | frozenset(data["extra_titles"]),
        org_words=frozenset(data["org_words"]),
        connectors=frozenset(data["name_connectors"]),
        function_words=frozenset(data["function_words"]),
        speech_verbs=frozenset(data["speech_verbs"]),
        source_nouns=frozenset(data["source_nouns"]),
        male_titles=frozenset(data["male_titles"]),
        female_titles=frozenset(data["female_titles"]),
        not_role_heads=frozenset(data["not_role_heads"]),
        not_org_acronyms=frozenset(data["not_org_acronyms"]),
        name_titles=frozenset(data["name_titles"]),
        male_first=_census(census / "dist.male.first"),
        female_first=_census(census / "dist.female.first"),
    )


_ABBREVIATED_TITLE = (
    r"(?:Mr|Mrs|Ms|Dr|Gov|Sen|Rep|Gen|Col|Lt|Sgt|Capt|Prof|Rev|St|Supt|Insp|Det|Cmdr|Adm|Maj|"
    r"Pres|Hon|Jr|Sr)\.(?=[ \u00a0])"
)
_CAP_WORD = _ABBREVIATED_TITLE + (
    r"|(?:\p{Lu}\.){2,}|\p{Lu}\.(?=[ \u00a0]\p{Lu})|\p{Lu}[\p{L}\p{M}'’\-]*\p{L}|\p{Lu}"
)
_GAP = r"[ \u00a0]+"
_NAME_SUFFIXES = frozenset(("jr", "sr", "ii", "iii", "iv", "phd", "md", "qc", "kc", "mp"))
# The word after a name, past a comma and an article: "…, the chief …", "… said".
_FOLLOWING = regex.compile(
    r"[ \u00a0]+(?:(?:has|have|had|also|later|then|was|once|previously|earlier|[a-z]+ly)"
    r"[ \u00a0]+){0,2}([a-z]+)"
)
_CONNECTOR = r"(?:of|for|and|&|de|du|da|van|von|der|la|le|al|bin|del|on)"
# A run of capitalised words, which may hold lower-case connectors ("Bank of England").
# The capital is asked for before the look-behind, so the scan skips ahead.
_RUN = regex.compile(
    rf"(?=\p{{Lu}})(?<![\p{{L}}\p{{M}}'’\-])(?:{_CAP_WORD})"
    rf"(?:{_GAP}(?:{_CONNECTOR}{_GAP}){{0,2}}(?:{_CAP_WORD}))*"
)
_TOKEN = regex.compile(rf"{_CAP_WORD}|{_CONNECTOR}")
_POSSESSIVE = regex.compile(r"(?:['’]s|(?<=s)['’])$")
_PRONOUN = regex.compile(r"\b(?:he|she|they|it|we|He|She|They|It|We)\b")
_ANAPHORIC_TITLE = regex.compile(
    r"\b(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)[ \u00a0]+((?:[a-z][a-z\-]*[ \u00a0]+){0,3}"
    r"[a-z][a-z\-]*)\b"
)
# ", a trade professor at Cornell," + the verb after it: an apposition that names a role.
_APPOSITION_WORDS = regex.compile(
    r",[ \u00a0]+((?:[\w’'\-]+[ \u00a0]+){0,3}[\w’'\-]+)"
    r"(?:[^,;:\n“”\"()]{0,100}?,[ \u00a0]+(?:[a-z]+ly[ \u00a0]+)?([a-z]+))?"
)
_PRECEDING_WORD = regex.compile(r"\b([a-z]+),?[ \u00a0]+$")
_APPOSITIVE = regex.compile(r",[ \u00a0]+((?:the|a|an)[ \u00a0]+)?([^,;:\n“”\"()]{3,120}?),")


class _Token:
    """A word of a capitalised run; ``lower`` (folded, final dot dropped) is computed once
    because every rule looks it up."""

    __slots__ = ("end", "lower", "start", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start, self.end, self.text = start, end, text
        self.lower = text.lower().rstrip(".")


def _is_acronym(word: str) -> bool:
    bare = word.replace(".", "")
    return 2 <= len(bare) <= 6 and bare.isupper() and bare.isalpha() and (
        word not in lexicon().not_org_acronyms
    )


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    return [_Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]


def _trim(tokens: list[_Token], lex: Lexicon) -> list[_Token]:
    """Drop sentence-initial function words and dangling connectors."""
    while tokens and (
        tokens[0].lower in lex.function_words or tokens[0].lower in lex.connectors
        # A sentence-opening participle: "Hosting Cook", "Speaking Friday".
        or (len(tokens) > 1 and tokens[0].lower.endswith("ing")
            and tokens[0].lower not in lex.male_first and tokens[0].lower not in lex.female_first)
    ):
        tokens = tokens[1:]
    while tokens and tokens[-1].lower in lex.connectors:
        tokens = tokens[:-1]
    return tokens


_ACRONYM_TITLES = frozenset(("CEO", "CFO", "COO", "CTO", "CIO", "MP", "MEP", "MSP"))
_INITIAL = regex.compile(r"\p{Lu}\.")


def _is_title_word(token: _Token, lex: Lexicon) -> bool:
    return token.text in _ACRONYM_TITLES or (
        token.lower in lex.titles and not _is_acronym(token.text))


_PARTICLES = frozenset(("de", "du", "da", "van", "von", "der", "la", "le", "al", "bin", "del"))
"""Connectors that sit inside personal names ("James Van Der Beek", "Mohammed bin Salman")."""


def _is_name_word(token: _Token, lex: Lexicon, inner: bool = False) -> bool:
    """Whether a token can be part of a personal name; ``inner`` when it has name words on
    both sides, where a particle is part of the name."""
    if _INITIAL.fullmatch(token.text) or (inner and token.lower in _PARTICLES):
        return True  # a middle initial ("Sonya A. Zoghlin") or particle
    return not (
        _is_title_word(token, lex)
        or token.lower in lex.org_words
        or token.lower in lex.connectors
        or (token.lower in lex.function_words
            and token.lower not in lex.male_first and token.lower not in lex.female_first)
        or (_is_acronym(token.text) and "." not in token.text)
    )


def _is_first_name(token: _Token, lex: Lexicon) -> bool:
    return _is_name_word(token, lex) and (token.lower in lex.male_first
                                          or token.lower in lex.female_first)


def _classify_run(text: str, tokens: list[_Token], lex: Lexicon) -> list[Mention]:
    """Split one run of capitalised words into organisation, title and person mentions."""
    mentions: list[Mention] = []
    # A personal name after the last role word: "NCA Deputy Director General Phil Gormley".
    # A surname may be a role word too, after a known first name: "CEO Tim Cook".
    name_word = [_is_name_word(t, lex) for t in tokens]
    for index in range(1, len(tokens) - 1):
        if name_word[index - 1] and _is_name_word(tokens[index], lex, inner=True):
            # A particle counts when the name goes on: "Van Der Beek", not "Bank of".
            following = next((t for t in tokens[index + 1:] if t.lower not in _PARTICLES), None)
            name_word[index] = following is not None and _is_name_word(following, lex)
    name_from = len(tokens)
    title_surname = len(tokens) >= 2 and _is_title_word(tokens[-1], lex) and _is_first_name(
        tokens[-2], lex)
    if title_surname:
        name_from -= 1
    while name_from > 0 and name_word[name_from - 1]:
        name_from -= 1
    name_tokens = tokens[name_from:]
    title_to = name_from
    title_from = title_to
    while title_from > 0 and (
        _is_title_word(tokens[title_from - 1], lex)
        or (tokens[title_from - 1].lower in ("of", "for") and title_from - 1 > 0)
    ):
        title_from -= 1
    while title_from < title_to and tokens[title_from].lower in lex.connectors:
        title_from += 1
    has_org_word = any(t.lower in lex.org_words for t in tokens)
    if name_tokens and title_from < title_to and len(name_tokens) <= 4:
        start, end = tokens[0].start, name_tokens[-1].end
        name_start = name_tokens[0].start
        if len(name_tokens) == 1 and tokens[title_to - 1].lower in lex.name_titles:
            # "Prince Andrew", "Pope Francis": the title is part of a one-word name.
            name_start = tokens[title_to - 1].start
        name = text[name_start:name_tokens[-1].end]
        title_start, title_end = tokens[title_from].start, tokens[title_to - 1].end
        mentions.append(Mention(start, end, text[start:end], "person", name,
                                text[title_start:title_end], title_start, title_end))
        if title_from > 0:
            prefix = tokens[:title_from]
            if any(t.lower in lex.org_words or _is_acronym(t.text) for t in prefix):
                p_start, p_end = prefix[0].start, prefix[-1].end
                mentions.append(Mention(p_start, p_end, text[p_start:p_end], "organisation",
                                        text[p_start:p_end]))
        return mentions
    start, end = tokens[0].start, tokens[-1].end
    span = text[start:end]
    if (has_org_word and len(tokens) >= 2) or (len(tokens) == 1 and _is_acronym(tokens[0].text)):
        return [Mention(start, end, span, "organisation", span)]
    first = tokens[0].lower
    known_first = first in lex.male_first or first in lex.female_first
    name_words = all(name_word[:-1]) and (title_surname or name_word[-1])
    if len(tokens) >= 2 and name_words and len(tokens) <= 4 and (known_first or len(first) == 1):
        return [Mention(start, end, span, "person", span)]
    if len(tokens) == 1 and _is_title_word(tokens[0], lex) and not has_org_word:
        # "Cook said": a role word standing alone is a person only if it is the surname
        # of a full name in the article ("Tim Cook"), which ``_resolve`` checks.
        return [Mention(start, end, span, "person", None)]
    if 3 <= len(tokens) <= 4 and name_words and _is_first_name(tokens[1], lex):
        # A role or adjective opening the sentence: "Defender Milo Grant".
        start = tokens[1].start
        return [Mention(start, end, text[start:end], "person", text[start:end])]
    if len(tokens) <= 3 and all(name_word):
        # A capitalised name of unknown kind: a person once "Patrick" alone links it to
        # "Deval Patrick", or the reverse.
        return [Mention(start, end, span, "person", None)]
    return []


def _promote(text: str, mention: Mention, lex: Lexicon) -> Mention:
    """A full name of unknown kind is a person's when a role apposition or a speech verb
    follows it, or a speech verb comes just before it: "Pankaj Pandey, Head of Research
    at …", "Saeb Erekat said", "Lakshiwnder Singh, another deportee, said", "said He
    Jianxiong". Names of places never speak."""
    if mention.kind != "person" or mention.name is not None or " " not in mention.text:
        return mention
    if _is_place(mention.text):
        return mention
    following = _FOLLOWING.match(text, mention.end)
    apposition = _APPOSITION_WORDS.match(text, mention.end)
    preceding = _PRECEDING_WORD.search(text, max(0, mention.start - 30), mention.start)
    if (
        (following and following.group(1).lower() in lex.speech_verbs)
        or (apposition and any(w.lower() in lex.titles for w in apposition.group(1).split()))
        or (apposition and (apposition.group(2) or "") in lex.speech_verbs)
        or (preceding and preceding.group(1).lower() in lex.speech_verbs)
        # "analyst Ken Doctor", "ambassador to Britain Liu Xiaming": a role before the name.
        or (preceding and preceding.group(1) in lex.titles and text[preceding.end(1)] != ",")
    ):
        return replace(mention, name=mention.text)
    return mention


def _is_place(name: str) -> bool:
    """Whether a capitalised name is a country, region or city in the gazetteer."""
    from coverage_cmp.extract.places import gazetteer

    place = gazetteer().get(name)
    return place is not None and not place.ambiguous


def surname(name: str) -> str:
    """The family name of a personal name: its last word before any Jr., Sr., II, III."""
    words = name.split()
    while len(words) > 1 and words[-1].rstrip(".,").lower() in _NAME_SUFFIXES:
        words.pop()
    return words[-1] if words else name


def _acronym_of(name: str, lex: Lexicon) -> str:
    words = [w for w in name.split() if w.lower() not in lex.connectors and w[:1].isupper()]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


_PLURAL_VERB = regex.compile(r"[ \u00a0]+(?:have|are|were|say)\b")


def _organisation_forms(mentions: list[Mention], text: str, lex: Lexicon) -> dict[str, str]:
    """Capitalised names without a known first name that are organisations: short forms
    of an organisation the article names ("Big Machine" for "Big Machine Records"), and
    names taking a plural verb, as British English does for bodies ("Big Machine have").

    Returns:
        The name as written -> the organisation's name.
    """
    long_names = [m.name for m in mentions if m.kind == "organisation" and m.name
                  and " " in m.name]
    forms: dict[str, str] = {}
    for m in mentions:
        if m.kind != "person" or m.text in forms or (m.name and m.name != m.text) or m.title:
            continue
        first = m.text.split()[0].lower()
        if first in lex.male_first or first in lex.female_first or _is_place(m.text):
            continue
        longer = next((name for name in long_names if name.startswith(m.text + " ")), None)
        if longer is not None:
            forms[m.text] = longer
        elif " " in m.text and _PLURAL_VERB.match(text, m.end):
            forms[m.text] = m.text
    return forms


def _resolve(mentions: list[Mention], text: str, lex: Lexicon) -> list[Mention]:
    """Link surnames, acronyms and anaphoric titles to the full names the article gives."""
    # A full name of unknown kind whose last word also stands alone is a person's name.
    alone = {m.text for m in mentions if m.kind == "person" and m.name is None
             and " " not in m.text}
    mentions = [
        replace(m, name=m.text) if m.kind == "person" and m.name is None and " " in m.text
        and surname(m.text) in alone else m
        for m in mentions
    ]
    full_people = [m for m in mentions if m.kind == "person" and m.name and " " in m.name]
    # surname -> (people, their starts, those opening with a first name, their starts)
    by_surname: dict[str, tuple[list, list, list, list]] = {}
    for person in full_people:
        entry = by_surname.setdefault(surname(person.name), ([], [], [], []))
        entry[0].append(person)
        entry[1].append(person.start)
        first = person.name.split()[0].lower()
        if first in lex.male_first or first in lex.female_first:
            entry[2].append(person)
            entry[3].append(person.start)
    # first name -> the full names that open with it ("Jose" -> "Jose Mourinho").
    by_first: dict[str, set[str]] = {}
    for person in full_people:
        first = person.name.split()[0]
        if first.lower() not in lex.name_titles:
            by_first.setdefault(first, set()).add(person.name)
    long_orgs = {}
    for m in mentions:
        if m.kind == "organisation" and m.name and " " in m.name:
            acronym = _acronym_of(m.name, lex)
            if acronym:
                long_orgs.setdefault(acronym, m.name)
    organisation_forms = _organisation_forms(mentions, text, lex)
    resolved = []
    for m in mentions:
        if m.kind == "person" and m.text in organisation_forms:
            m = replace(m, kind="organisation", name=organisation_forms[m.text])
        elif m.kind == "organisation" and m.name and m.name.replace(".", "") in long_orgs:
            m = replace(m, name=long_orgs[m.name.replace(".", "")])
        elif m.kind == "person" and (m.name is None or " " not in m.name):
            # Prefer a name that opens with a known first name ("Tim Cook", not "Hosting Cook").
            same_surname = by_surname.get(surname(m.name or m.text), ([], [], [], []))
            likely = same_surname[2] and same_surname[2:] or same_surname[:2]
            match = _closest(likely[0], likely[1], m.start)
            first_of = by_first.get(m.name or m.text, set())
            if match is not None:
                m = replace(m, name=match.name, title=m.title or match.title)
            elif len(first_of) == 1 and not m.title:
                m = replace(m, name=next(iter(first_of)))
            elif m.name is None:
                continue
        resolved.append(m)
    return resolved


def _closest(candidates: list[Mention], starts: list[int], position: int) -> Mention | None:
    """The candidate nearest before ``position``, else the first one after it."""
    if not candidates:
        return None
    index = bisect.bisect_left(starts, position)
    return candidates[index - 1] if index > 0 else candidates[0]


def _title_mentions(text: str, people: list[Mention], lex: Lexicon) -> list[Mention]:
    """Role titles: appositions after a person and anaphoric "the minister"."""
    found = []
    titled = [p for p in people if p.title]
    titled_starts = [p.start for p in titled]
    apposition_starts = set()
    for person in people:
        match = _APPOSITIVE.match(text, person.end)
        if match:
            apposition_starts.add(match.start(1) if match.group(1) else match.start(2))
            words = match.group(2).lower().split()
            if words and any(w.strip(".") in lex.titles for w in words[:6]):
                start, end = match.start(2), match.end(2)
                found.append(Mention(start, end, text[start:end], "title", person.name,
                                     text[start:end], start, end))
    for match in _ANAPHORIC_TITLE.finditer(text):
        if match.start() in apposition_starts:
            continue
        words = match.group(1).split()
        # The role's head is its last word: "the chief executive", "the minister".
        while words and (words[-1] not in lex.titles or words[-1] in lex.not_role_heads):
            words.pop()
        if not words:
            continue
        start = match.start()
        end = match.start(1) + len(" ".join(words))
        if text[match.start(1):end] != " ".join(words):
            continue
        head = words[-1]
        index = bisect.bisect_left(titled_starts, start)
        person = next((p for p in reversed(titled[max(0, index - 50):index])
                       if head in p.title.lower()), None)
        found.append(Mention(start, end, text[start:end], "title",
                             person.name if person else None, text[match.start(1):end],
                             match.start(1), end))
    return found


@functools.lru_cache(maxsize=65536)
def _run_mentions(run: str) -> tuple[Mention, ...]:
    """Mentions in one run of capitalised words, offsets relative to the run.

    Only the run's own words decide them, and names recur, so runs are classified once
    per distinct spelling.
    """
    lex = lexicon()
    mentions: list[Mention] = []
    tokens = _trim(_tokens(run, 0, len(run)), lex)
    if not tokens:
        return ()
    last = tokens[-1]
    possessive = _POSSESSIVE.search(last.text)
    if possessive:
        stem = last.text[:possessive.start()]
        if not stem:
            return ()
        tokens[-1] = _Token(last.start, last.start + len(stem), stem)
    if any(t.lower in lex.org_words for t in tokens):
        return tuple(_classify_run(run, tokens, lex))
    # Without an organisation word, "and" joins two names: "Ann Lee and Bo Chan".
    part: list[_Token] = []
    for token in [*tokens, None]:
        if token is None or token.lower in ("and", "&"):
            part = _trim(part, lex)
            if part:
                mentions.extend(_classify_run(run, part, lex))
            part = []
        else:
            part.append(token)
    return tuple(mentions)


def find_mentions(text: str) -> list[Mention]:
    """Persons (with titles before or after), organisations (acronyms linked to long
    forms), role titles and personal pronouns, sorted by start.

    Mentions may nest: the organisation prefix "NCA" sits inside the person mention
    "NCA Deputy Director General Phil Gormley". Pronouns keep ``name=None``; resolving
    them needs the discourse (who spoke last), which ``quotes`` does.
    """
    lex = lexicon()
    mentions: list[Mention] = []
    for run in _RUN.finditer(text):
        offset = run.start()
        for m in _run_mentions(run.group()):
            mentions.append(Mention(
                m.start + offset, m.end + offset, m.text, m.kind, m.name, m.title,
                None if m.title_start is None else m.title_start + offset,
                None if m.title_end is None else m.title_end + offset))
    mentions = [_promote(text, m, lex) for m in mentions]
    mentions = _resolve(sorted(mentions, key=lambda m: (m.start, -m.end)), text, lex)
    people = [m for m in mentions if m.kind == "person"]
    mentions.extend(_title_mentions(text, people, lex))
    mentions.extend(
        Mention(m.start(), m.end(), m.group(), "pronoun") for m in _PRONOUN.finditer(text)
    )
    return sorted(mentions, key=lambda m: (m.start, -m.end))


def gender(mention: Mention) -> str | None:
    """"male", "female" or None, from the title (Mr, Mrs) or the census first names."""
    lex = lexicon()
    title = (mention.title or "").lower().rstrip(".")
    if title in lex.male_titles:
        return "male"
    if title in lex.female_titles:
        return "female"
    if not mention.name:
        return None
    first = mention.name.split()[0].lower()
    male, female = lex.male_first.get(first, 0.0), lex.female_first.get(first, 0.0)
    if male > 2 * female:
        return "male"
    if female > 2 * male:
        return "female"
    return None
