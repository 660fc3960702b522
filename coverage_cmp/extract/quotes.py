"""Direct and reported quotations, with who said them.

The cascade, for one article:

1. ``_direct_spans``: pair quotation marks paragraph by paragraph (curly, straight, TeX
   ``…'', guillemets; single marks only in articles that quote with them). A mark that
   cannot open or close (``forms. “ The vast``) is kept inside the quote; an unclosed
   quote ends with its paragraph unless the next paragraph reopens it, which makes one
   multi-paragraph quote. No span runs past its paragraph run.
2. ``_keep``: drop scare quotes, titles of works and short phrases; mark fragments worked
   into the narrator's sentence as partial.
3. ``_attribute``: find the cue and speaker after the quote (``”, said X`` / ``”, X said``
   / ``” – Name, Title``), else before it (``X said: “``, ``according to X``), else
   give it to the subject of the narrative opening its paragraph (``Analyst Jo Li sees two
   reasons. “…”``), else inherit from the quote before (interrupted and continuation
   quotes).
4. ``_speaker_name``: turn the attributing mention into a name: persons and organisations
   through ``names.find_mentions`` (surnames, acronyms, "the minister" resolved), he/she
   through ``_discourse`` (the first person of matching gender in the nearest sentence that
   names one, resolved pronouns counting as mentions), spokespeople to their organisation.
5. ``_indirect``: reported speech with a clear source (``the NCA said the majority …``,
   ``according to police, …``) outside direct quotes.

Everything is rules over precompiled patterns with bounded look-around, so the cost is
linear in the text.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from coverage_cmp.extract.names import Mention, find_mentions, gender, lexicon, surname
from coverage_cmp.extract.text import Span, paragraphs, sentences
from coverage_cmp.model import Quote

logger = logging.getLogger(__name__)

_OPEN_DOUBLE = {"“", "„", "«", "``"}
_CLOSE_DOUBLE = {"”", "»", "''", "’’"}
_DOUBLE_MARKS = re.compile(r"``|''|’’|[“”„«»\"]")
_SINGLE_MARKS = re.compile(r"[‘’']")
_WORD = regex.compile(r"\w+")
_SPACE_BEFORE_OPEN = set(" \t\u00a0([{—–-/\n")
_WINDOW = 220
"""How far before or after a quote to look for its attribution (characters)."""

_LOOKBACK = 60
"""How many earlier mentions a pronoun or description may refer back to."""
_PRONOUNS = {"he": "male", "she": "female", "they": None, "it": None, "we": None, "i": None}


@dataclass
class _Span:
    """A stretch between quotation marks; ``start``/``end`` exclude the marks."""

    start: int
    end: int
    open_at: int
    close_end: int
    multi_paragraph: bool = False
    closed: bool = True
    single: bool = False
    """Between ‘single’ marks in an article that also quotes with double ones."""


def _can_open(text: str, at: int, width: int) -> bool:
    before = text[at - 1] if at > 0 else "\n"
    after = text[at + width] if at + width < len(text) else "\n"
    return (before in _SPACE_BEFORE_OPEN or before in "“‘\"'") and not after.isspace()


def _can_close(text: str, at: int, width: int) -> bool:
    before = text[at - 1] if at > 0 else "\n"
    after = text[at + width] if at + width < len(text) else "\n"
    return not before.isspace() and not after.isalnum()


def _pair_double(text: str, para: Span, open_at: int | None) -> tuple[list[_Span], int | None]:
    """Pair double marks in one paragraph; returns spans and a still-open mark position."""
    spans = []
    opening_width = 0
    if open_at is not None:
        opening_width = len(_DOUBLE_MARKS.match(text, open_at).group())
    for mark in _DOUBLE_MARKS.finditer(text, para.start, para.end):
        at, sign = mark.start(), mark.group()
        width = len(sign)
        if open_at is None:
            if sign in _CLOSE_DOUBLE and sign != "”":
                continue
            if _can_open(text, at, width) or (sign in _OPEN_DOUBLE and at == para.start):
                open_at, opening_width = at, width
            continue
        if sign == '"' or sign in _CLOSE_DOUBLE:
            if _can_close(text, at, width) or sign in _CLOSE_DOUBLE and at > open_at + width:
                spans.append(_Span(open_at + opening_width, at, open_at, at + width))
                open_at = None
            continue
        if sign in _OPEN_DOUBLE and _can_open(text, at, width) and at > para.start:
            # A new opening mark inside an open quote: the old one was never closed.
            end = at
            while end > open_at + opening_width and text[end - 1].isspace():
                end -= 1
            spans.append(_Span(open_at + opening_width, end, open_at, end, closed=False))
            open_at, opening_width = at, width
    return spans, open_at


def _pair_single(text: str, para: Span) -> list[_Span]:
    """Pair ‘single’ marks in one paragraph, never taking an apostrophe for a mark."""
    spans = []
    open_at = None
    for mark in _SINGLE_MARKS.finditer(text, para.start, para.end):
        at, sign = mark.start(), mark.group()
        before = text[at - 1] if at > para.start else " "
        after = text[at + 1] if at + 1 < para.end else " "
        if open_at is None:
            if sign != "’" and _can_open(text, at, 1) and after.isalpha() and not before.isalnum():
                open_at = at
            continue
        if before.isalnum() and after.isalnum():
            continue  # don't, police's
        # "the Joneses' house", "1990s' music": a plural possessive, not a closing mark.
        if before == "s" and after == " " and at + 2 < para.end and text[at + 2].islower() and (
            _WORD.match(text, at + 2).group() not in lexicon().function_words
        ):
            continue  # but "a ‘war on drivers’ and the …" closes
        if _can_close(text, at, 1):
            spans.append(_Span(open_at + 1, at, open_at, at + 1))
            open_at = None
    return spans


def _direct_spans(text: str, paras: list[Span]) -> list[_Span]:
    """All spans between quotation marks, multi-paragraph quotes joined."""
    found: list[_Span] = []
    open_at: int | None = None
    for index, para in enumerate(paras):
        pairing_span = para
        if open_at is not None:
            first = _DOUBLE_MARKS.match(text, para.start)
            if first and first.group() in ("“", '"', "«", "``", "„"):
                # The quotation goes on: the paragraph reopens it.
                pairing_span = Span(first.end(), para.end)
            else:
                found.append(_unclosed(text, open_at, paras[index - 1]))
                open_at = None
        start_before = open_at
        spans, open_at = _pair_double(text, pairing_span, open_at)
        for span in spans:
            if start_before is not None and span.open_at == start_before:
                span.multi_paragraph = True
                start_before = None
            found.append(span)
    if open_at is not None:
        found.append(_unclosed(text, open_at, paras[-1]))
    singles = [span for para in paras for span in _pair_single(text, para)]
    if not found:
        return [s for s in singles if s.end > s.start]
    # British papers quote speech in single marks and use double ones elsewhere (or the
    # reverse): single-quoted spans outside every double-quoted one are candidates too,
    # kept later only when attributed like speech.
    outer = [(s.open_at, s.close_end) for s in found]
    outer_starts = [o[0] for o in outer]
    for span in singles:
        index = bisect.bisect_right(outer_starts, span.open_at) - 1
        if index >= 0 and outer[index][1] > span.open_at:
            continue
        if index + 1 < len(outer) and outer[index + 1][0] < span.close_end:
            continue
        span.single = True
        found.append(span)
    found.sort(key=lambda s: s.open_at)
    return [s for s in found if s.end > s.start]


def _unclosed(text: str, open_at: int, para: Span) -> _Span:
    """A quote whose closing mark never comes: it ends with the paragraph."""
    width = len(_DOUBLE_MARKS.match(text, open_at).group())
    span = _Span(open_at + width, para.end, open_at, para.end, closed=False)
    span.multi_paragraph = "\n" in text[span.start:span.end]
    return span


@dataclass(frozen=True)
class _Patterns:
    """Patterns built once from the lexicon's speech verbs."""

    verb: regex.Pattern
    inverted: regex.Pattern
    comma_inverted: regex.Pattern
    according_after: regex.Pattern
    according_before: regex.Pattern
    dash: regex.Pattern
    indirect: regex.Pattern


_REPORTING_VERBS = (
    "said|says|told|added|claimed|claims|warned|warns|stated|states|announced|announces|"
    "confirmed|confirms|revealed|reveals|insisted|insists|argued|argues|explained|explains|"
    "believes|estimated|estimates|reported|reports|admitted|denied|noted|acknowledged"
)
_CUE_FIRST_LETTERS = "".join(sorted({verb[0] for verb in _REPORTING_VERBS.split("|")})) + "Aa"
#: The possible first letters come before the word boundary, so the scan skips ahead.
_REPORT_CUE = re.compile(rf"(?=[{_CUE_FIRST_LETTERS}])\b(?:{_REPORTING_VERBS}|[Aa]ccording to)\b")
_ADVERBS = frozenset((
    "also", "later", "then", "previously", "earlier", "once", "simply", "recently", "further",
    "again", "finally", "first", "had", "has", "have", "was", "is", "were", "would", "will",
    "instead", "now", "still", "even", "just", "never", "too", "since", "often",
))
#: Words after a verb that show it is no inverted attribution ("announced in October").
_NOT_A_SPEAKER = regex.compile(
    r"(?:in|on|at|to|by|for|with|that|last|this|earlier|later|about|from)\b"
)
_SOURCE_FROM = regex.compile(r"[ \u00a0](?:from|for|of|at)[ \u00a0]+(?:the[ \u00a0]+)?")
_SPEAKER_STOP = regex.compile(
    r"[,.;:!?“”\"()\n]|[ \u00a0](?:in|on|at|to|during|after|before|when|while|who|which|"
    r"that|as|from|of|last|this|yesterday|today|earlier)\b"
)
_DESCRIPTION = regex.compile(
    r"(?:(?:a|an|one|the|another|two|three|several|some|many|other|its|his|her|their|"
    r"[\p{Lu}][\w’'.\-]*(?:['’]s))[ \u00a0]+)?(?:[\w’'\-]+[ \u00a0]+){0,4}?[\w’'\-]+$"
)
#: Heads of definite descriptions that speak for an organisation ("the statement").
_ORGANISATION_VOICES = frozenset((
    "statement", "letter", "report", "release", "filing", "company", "firm", "agency",
    "department", "ministry", "group", "organisation", "organization", "spokesperson",
    "spokesman", "spokeswoman", "board", "office", "service", "club", "team", "label",
))
#: Heads of descriptions that, with a proper adjective, name a body ("the US military").
_ORGANISATION_BODIES = frozenset((
    "ministry", "military", "army", "navy", "government", "embassy", "department", "police",
    "agency", "office", "council", "parliament", "administration", "commission", "court",
    "ministries", "forces", "authorities", "regulator", "prosecutors",
))
_SOURCE_OF = regex.compile(
    r"\b(?:(?:a|an|the|one|another|two|three|several)[ \u00a0]+)?(?:[\w’'\-]+[ \u00a0]+){0,2}?"
    r"([\w’'\-]+)[ \u00a0]+(?:for|of|at|from|with)[ \u00a0]+(?:the[ \u00a0]+)?$"
)
_TRAILING_NAME = regex.compile(
    r"(?<=\b[a-z][\w\-]*[ \u00a0]+)(?:[\p{Lu}][\w’'\-]*\.?[ \u00a0]+){1,3}[\p{Lu}][\w’'\-]*$"
)
_CAPITALISED = regex.compile(r"^(?:[\p{Lu}][\w’'.\-]*)(?:[ \u00a0]+(?:[\p{Lu}][\w’'.\-]*))*$")


@functools.cache
def _patterns() -> _Patterns:
    verbs = "|".join(
        regex.escape(v) for v in sorted(lexicon().speech_verbs, key=len, reverse=True)
        if v.isalpha()
    )
    return _Patterns(
        verb=regex.compile(rf"\b(?:{verbs})\b"),
        inverted=regex.compile(rf"[ \u00a0]*,?[ \u00a0]*({verbs})[ \u00a0]+(?=\S)"),
        comma_inverted=regex.compile(rf",[ \u00a0]*({verbs})[ \u00a0]+(?=\p{{Lu}})"),
        according_after=regex.compile(r"[ \u00a0]*,?[ \u00a0]*(according to)[ \u00a0]+"),
        according_before=regex.compile(r"\b([Aa]ccording to)[ \u00a0]+([^,.;:“”\"\n]{2,80}),"),
        dash=regex.compile(r"[ \u00a0]*([–—]|-{1,2})[ \u00a0]*(?=\p{Lu})"),
        indirect=regex.compile(
            rf"\b({_REPORTING_VERBS})[ \u00a0]+(?:(?:on|in|at|last|this|late|earlier)[ \u00a0]+"
            r"[\w’'\-]+(?:[ \u00a0]+[\w’'\-]+)?[ \u00a0]+)?(?:that[ \u00a0]+)?"
        ),
    )


@dataclass(frozen=True)
class _Reference:
    """One mention of a person in the narrative: by name, or by a resolved he/she."""

    start: int
    sentence: int
    """Index of the sentence it stands in."""
    name: str
    gender: str | None


_SALIENCE_SENTENCES = 6
"""How many sentences back a pronoun or role description may find its person."""


def _salient(references: list[_Reference], position: int, sentence: int, wanted: str | None,
             genders: dict[str, str]) -> str | None:
    """The person a pronoun at ``position`` most likely means.

    Centering in its simplest form: the nearest sentence (the pronoun's own, before it,
    then earlier ones) that mentions a person of the wanted gender, and in that sentence
    the first such person, which in English news prose is nearly always the subject
    ("Cook told Benioff …. “…,” he said" means Cook).
    """
    index = bisect.bisect_left([r.start for r in references[-_LOOKBACK:]], position)
    recent = references[-_LOOKBACK:][:index]
    chosen, chosen_sentence = None, None
    for reference in reversed(recent):
        if reference.sentence < sentence - _SALIENCE_SENTENCES or (
            chosen_sentence is not None and reference.sentence != chosen_sentence
        ):
            break
        if wanted is None or genders.get(reference.name, reference.gender) in (wanted, None):
            chosen, chosen_sentence = reference.name, reference.sentence
    return chosen


def _discourse(people: list[Mention], pronouns: list[Mention], sentence_starts: list[int]
               ) -> list[_Reference]:
    """Person references in text order, he/she resolved on the way (each one then
    counts as a mention of its person, so chains of pronouns keep their referent)."""
    genders: dict[str, str] = {}
    for person in people:
        known = gender(person)
        if known is not None:
            genders.setdefault(person.name, known)
    references: list[_Reference] = []
    items = sorted([*people, *(p for p in pronouns if p.text.lower() in ("he", "she"))],
                   key=lambda m: m.start)
    for item in items:
        sentence = bisect.bisect_right(sentence_starts, item.start) - 1
        if item.kind == "person":
            references.append(_Reference(item.start, sentence, item.name,
                                         genders.get(item.name)))
            continue
        wanted = _PRONOUNS[item.text.lower()]
        name = _salient(references, item.start, sentence, wanted, genders)
        if name is not None:
            genders.setdefault(name, wanted)
            references.append(_Reference(item.start, sentence, name, wanted))
    return references


@dataclass
class _Context:
    """What attribution needs to know about the article."""

    text: str
    mention_ends: dict[int, Mention]
    mention_starts: dict[int, Mention]
    mentions: list[Mention]
    mention_positions: list[int]
    people: list[Mention]
    sentences: list[Span]
    sentence_starts: list[int]
    references: list[_Reference]
    """Person mentions and resolved he/she pronouns, in text order: the discourse."""
    reference_starts: list[int]
    people_starts: list[int]
    organisations: list[Mention]
    organisation_starts: list[int]
    person_names: set[str]
    organisation_names: set[str]
    full_names: dict[str, str]
    """Surname -> the fullest name the article gives its first bearer."""
    fullest: dict[str, str]
    """Person name -> the longest form of the same name in the article."""


def _build_context(text: str, spans: list[_Span], found: list[Mention]) -> _Context:
    """Mentions indexed for attribution; those inside quotations never speak them."""
    quoted = [(s.start, s.end) for s in spans]
    quoted_starts = [q[0] for q in quoted]

    def outside_quotes(mention: Mention) -> bool:
        index = bisect.bisect_right(quoted_starts, mention.start) - 1
        return index < 0 or quoted[index][1] <= mention.start

    mentions = [m for m in found if outside_quotes(m) and (
        m.kind != "title" or m.text[:1].islower()
        or m.text.split()[0] in ("The", "His", "Her", "Their", "Our"))]
    ends: dict[int, Mention] = {}
    starts: dict[int, Mention] = {}
    rank = {"person": 0, "organisation": 1, "title": 2, "pronoun": 3}
    for m in mentions:
        for table, key in ((ends, m.end), (starts, m.start)):
            old = table.get(key)
            if old is None or (rank.get(m.kind, 4), -(m.end - m.start)) < (
                rank.get(old.kind, 4), -(old.end - old.start)
            ):
                table[key] = m
    sentence_spans = sentences(text)
    sentence_starts = [s.start for s in sentence_spans]
    people = [m for m in mentions if m.kind == "person" and m.name]
    organisations = [m for m in mentions if m.kind == "organisation" and m.name]
    fullest = _fullest_names({p.name for p in people if " " in p.name})
    full_names: dict[str, str] = {}
    for person in people:
        if " " in person.name:
            full_names.setdefault(surname(person.name), fullest[person.name])
    references = _discourse(people, [m for m in mentions if m.kind == "pronoun"],
                            sentence_starts)
    return _Context(
        text=text,
        mention_ends=ends,
        mention_starts=starts,
        mentions=mentions,
        mention_positions=[m.start for m in mentions],
        people=people,
        sentences=sentence_spans,
        sentence_starts=sentence_starts,
        references=references,
        reference_starts=[r.start for r in references],
        people_starts=[p.start for p in people],
        organisations=organisations,
        organisation_starts=[m.start for m in organisations],
        person_names={p.name for p in people},
        organisation_names={m.name for m in organisations},
        full_names=full_names,
        fullest=fullest,
    )


def _fullest_names(names: set[str]) -> dict[str, str]:
    """Each full name -> the longest form of it the article gives.

    "Pat Carlineo" and "Patrick W. Carlineo Jr." are one person: same surname, and each
    other word of the shorter form opens a word of the longer one, in order. "Jim Hale"
    and "Anna Hale" stay apart.
    """
    by_surname: dict[str, list[str]] = {}
    for name in names:
        by_surname.setdefault(surname(name).lower(), []).append(name)
    fullest = {}
    for group in by_surname.values():
        for name in group:
            fullest[name] = max((other for other in group if _is_short_form(name, other)),
                                key=lambda other: (len(other), other))
    return fullest


def _is_short_form(short: str, long: str) -> bool:
    """Whether every given name of ``short`` opens a given name of ``long``, in order."""
    wanted = [w.rstrip(".").lower() for w in short.split()]
    wanted = wanted[:wanted.index(surname(short).rstrip(".").lower())]
    words = iter(w.rstrip(".").lower() for w in long.split())
    return all(any(word.startswith(w) for word in words) for w in wanted)


@dataclass(frozen=True)
class _Attribution:
    """Who a quotation is attributed to, as written."""

    mention: str | None
    start: int | None
    end: int | None
    cue: str | None
    speaker: str | None
    """The resolved name, when known."""
    mention_kind: str | None = None


def _sentence_start(context: _Context, position: int) -> int:
    index = bisect.bisect_right(context.sentence_starts, position) - 1
    return context.sentence_starts[index] if index >= 0 else 0


def _skip_back_space(text: str, position: int, low: int) -> int:
    while position > low and text[position - 1] in " \t\u00a0":
        position -= 1
    return position


def _skip_space(text: str, position: int, high: int) -> int:
    while position < high and text[position] in " \t\u00a0":
        position += 1
    return position


def _phrase_attribution(context: _Context, start: int, end: int, cue: str | None
                        ) -> _Attribution | None:
    """Attribution to the words ``text[start:end]`` when no known mention covers them."""
    text = context.text
    phrase = text[start:end].strip(" \t\u00a0,")
    if not phrase or len(phrase.split()) > 10 or "\n" in phrase:
        return None
    start = text.index(phrase, start)
    end = start + len(phrase)
    lex = lexicon()
    words = phrase.split()
    lowered = [w.lower().strip("’'.") for w in words]
    leading = 0
    while leading < len(words) - 1 and lowered[leading] in lex.function_words:
        leading += 1
    bare = " ".join(words[leading:])
    if _CAPITALISED.match(bare) and lowered[-1] not in lex.function_words:
        name = regex.sub(r"['’]s?$", "", bare)
        if len(words) - leading == 1 and lowered[-1] in lex.source_nouns:
            # "Prosecutors said", "Teachers chanted": a group, not a name.
            return _Attribution(phrase, start, end, cue, None, "description")
        full = context.full_names.get(surname(name))
        return _Attribution(phrase, start, end, cue, full or name, "name")
    trailing = _TRAILING_NAME.search(phrase)
    if trailing and len(trailing.group().split()) >= 2:
        # "veteran industry analyst Ken Doctor", "Taliban spokesman Zabihullah Mujahid".
        return _Attribution(phrase, start, end, cue, trailing.group(), "name")
    if not (_DESCRIPTION.search(phrase) and any(w in lex.source_nouns or w in lex.titles
                                                  or _AGE.fullmatch(w) for w in lowered)):
        return None
    # "a spokesperson for the Foreign Office", "the NCA's statement": the organisation.
    inside = context.mentions[bisect.bisect_left(context.mention_positions, start):
                              bisect.bisect_left(context.mention_positions, end)]
    organisation = next((m for m in inside if m.end <= end and m.kind == "organisation"), None)
    return _Attribution(phrase, start, end, cue, organisation.name if organisation else None,
                        "description")


def _mention_attribution(mention: Mention, cue: str | None) -> _Attribution:
    return _Attribution(mention.text, mention.start, mention.end, cue,
                        mention.name if mention.kind != "pronoun" else None, mention.kind)


def _speaker_before_verb(context: _Context, verb_start: int, low: int, cue: str
                         ) -> _Attribution | None:
    """The speaker written just before a speech verb ("Gormley said", "he added")."""
    text = context.text
    end = _skip_back_space(text, verb_start, low)
    if (cue.endswith("ing") and text[end - 1:end] == ",") or text[max(low, end - 4):end] == " and":
        # "Liu said …, warning:", "She issued a statement, saying", "Volker said … and
        # added": the subject of the clause.
        sentence = _sentence_start(context, verb_start)
        subject = next((m for m in context.mentions[
            bisect.bisect_left(context.mention_positions, max(low, sentence)):
            bisect.bisect_left(context.mention_positions, end)
        ] if m.kind in ("person", "organisation", "pronoun")), None)
        if subject is not None:
            return _mention_attribution(subject, cue)
    # Skip adverbs and auxiliaries: "he later said", "Smith has said".
    for _ in range(2):
        word_start = end
        while word_start > low and (text[word_start - 1].isalpha()):
            word_start -= 1
        word = text[word_start:end].lower()
        if word in _ADVERBS or (word.endswith("ly") and len(word) > 4
                                and word_start not in context.mention_starts):
            end = _skip_back_space(text, word_start, low)
        else:
            break
    if end > low and text[end - 1] == ",":
        # An apposition: "Simon Bailey, the National Policing Lead for …, said".
        comma = text.rfind(",", max(low, end - 160), end - 1)
        if comma > low:
            end = _skip_back_space(text, comma, low)
    mention = context.mention_ends.get(end)
    if mention is not None and mention.start >= low:
        described = _SOURCE_OF.search(text, max(low, mention.start - 80), mention.start)
        if described and described.group(1).lower() in lexicon().source_nouns:
            # "a spokesperson for the Water Board": the organisation speaks, unnamed.
            name = mention.name if mention.kind == "organisation" else None
            return _Attribution(text[described.start():end], described.start(), end, cue, name,
                                "description")
        return _mention_attribution(mention, cue)
    clause_start = max(
        low, *(text.rfind(sign, low, end) + 1 for sign in (",", ";", ":", "—", "(", "”", '"'))
    )
    return _phrase_attribution(context, clause_start, end, cue)


def _speaker_after_verb(context: _Context, position: int, high: int, cue: str
                        ) -> _Attribution | None:
    """The speaker written just after an inverted verb ("said Phil Gormley, the …")."""
    text = context.text
    mention = context.mention_starts.get(position)
    if mention is not None and mention.end <= high:
        return _mention_attribution(mention, cue)
    stop = _SPEAKER_STOP.search(text, position, high)
    source = _SOURCE_FROM.match(text, stop.start()) if stop else None
    if source and text[position:stop.start()].split()[-1].lower() in lexicon().source_nouns:
        # "said a report from Kotak Institutional Equities": the organisation speaks.
        organisation = context.mention_starts.get(source.end())
        if organisation is not None and organisation.kind == "organisation":
            return _Attribution(text[position:organisation.end], position, organisation.end,
                                cue, organisation.name, "description")
    return _phrase_attribution(context, position, stop.start() if stop else high, cue)


def _after_limit(context: _Context, position: int, quotes_start: list[int]) -> int:
    text = context.text
    limit = min(len(text), position + _WINDOW)
    newline = text.find("\n", position, limit)
    if newline >= 0:
        limit = newline
    index = bisect.bisect_left(quotes_start, position)
    if index < len(quotes_start) and quotes_start[index] < limit:
        limit = quotes_start[index]
    return limit


def _attribution_after(context: _Context, span: _Span, limit: int) -> _Attribution | None:
    """Attribution written after the closing mark."""
    text, patterns = context.text, _patterns()
    position = span.close_end
    if position >= limit:
        return None
    inverted = patterns.inverted.match(text, position, limit)
    if inverted and _NOT_A_SPEAKER.match(text, inverted.end()):
        # "” announced in October, said Derek Scissors": the verb belongs to the sentence
        # the quote is part of; the attribution is the inverted verb after the comma.
        later = patterns.comma_inverted.search(text, inverted.end(), limit)
        inverted = later
    if inverted:
        found = _speaker_after_verb(context, inverted.end(), limit, inverted.group(1))
        if found:
            return found
    according = patterns.according_after.match(text, position, limit)
    if according:
        found = _speaker_after_verb(context, according.end(), limit, according.group(1))
        if found:
            return found
    dash = patterns.dash.match(text, position, limit)
    if dash:
        found = _speaker_after_verb(context, dash.end(), limit, dash.group(1))
        if found:
            return found
    start = _skip_space(text, position, limit)
    if start < limit and text[start] == ",":
        start = _skip_space(text, start + 1, limit)
    if start == position and span.close_end != start:
        return None
    sentence_end = bisect.bisect_right(context.sentence_starts, start)
    if sentence_end < len(context.sentence_starts):
        limit = min(limit, context.sentence_starts[sentence_end])
    verb = patterns.verb.search(text, start, min(limit, start + 260))
    if verb is None or any(sign in text[start:verb.start()] for sign in ";!?“”\""):
        return None
    found = None
    if "." not in text[start:verb.start()]:
        found = _speaker_before_verb(context, verb.start(), start, verb.group())
    opening = context.mention_starts.get(start)
    if found is not None and (found.speaker or found.mention_kind == "pronoun") and not (
        opening is not None and opening.kind == "person" and opening.end < found.start
        and text[opening.end:opening.end + 1] == ","
    ):
        return found
    # "”, Dylan Nelson, a postdoctoral fellow at …, said": the mention the clause opens with.
    mention = context.mention_starts.get(start)
    if mention is not None and mention.kind in ("person", "organisation", "pronoun", "title") and (
        found is None or found.speaker is None or text[mention.end:mention.end + 1] == ","
    ):
        return _mention_attribution(mention, verb.group())
    return found


def _last(matches: Iterator[regex.Match]) -> regex.Match | None:
    last = None
    for last in matches:  # noqa: B007 - keeps the final match
        pass
    return last


#: Verbs whose object is the one spoken to ("Benioff weighed in, telling Cook, “…”").
_ADDRESSING_VERBS = frozenset(("told", "tell", "tells", "telling"))


def _attribution_before(context: _Context, span: _Span, low: int) -> _Attribution | None:
    """Attribution written before the opening mark: ``X said: “``, ``according to X, “``."""
    text, patterns = context.text, _patterns()
    end = _skip_back_space(text, span.open_at, low)
    window = text[low:end]
    if not window.strip():
        return None
    according = _last(patterns.according_before.finditer(text, low, end))
    if according is not None and end - according.end() < 3:
        found = _phrase_attribution(context, according.start(2), according.end(2),
                                    according.group(1))
        mention = context.mention_starts.get(according.start(2))
        if mention is not None:
            return _mention_attribution(mention, according.group(1))
        if found:
            return found
    verb = _last(patterns.verb.finditer(text, max(low, end - _WINDOW), end))
    if verb is not None:
        found = _speaker_before_verb(context, verb.start(), low, verb.group())
        if found is None and patterns.inverted.fullmatch(verb.group()) is None:
            found = None
        if found is None and verb.group().lower() not in _ADDRESSING_VERBS:
            found = _speaker_after_verb(context, _skip_space(text, verb.end(), end), end,
                                        verb.group())
        if found is not None:
            return found
    if text[end - 1:end] == ":":
        # A colon with no verb: "From Jane Doe, Chair:", "the statement read:".
        mention = None
        for candidate in reversed(context.mentions[
            bisect.bisect_left(context.mention_positions, low):
            bisect.bisect_left(context.mention_positions, end)
        ]):
            if candidate.kind in ("person", "organisation") and candidate.end <= end:
                mention = candidate
                break
        if mention is not None:
            return _mention_attribution(mention, ":")
        clause_start = max(low, text.rfind(",", low, end) + 1)
        return _phrase_attribution(context, clause_start, end - 1, ":")
    return None


def _resolve_pronoun(context: _Context, attribution: _Attribution, previous: list[Quote]
                     ) -> str | None:
    """A name for "he", "she", "it" or "they": the last speaker or subject that fits."""
    pronoun = (attribution.mention or "").lower()
    position = attribution.start or 0
    if pronoun in ("it", "they", "we"):
        nearby = _organisation_nearby(context, position)
        if nearby is not None:
            return nearby
        for quote in reversed(previous):
            if quote.speaker and quote.speaker_mention and not _is_person_name(context,
                                                                               quote.speaker):
                return quote.speaker
        orgs = _recent(context.organisations, context.organisation_starts, position)
        if orgs:
            return orgs[-1].name
        if pronoun == "they" and previous and previous[-1].speaker:
            return previous[-1].speaker
        return None
    wanted = _PRONOUNS.get(pronoun)
    index = bisect.bisect_left(context.reference_starts, position)
    if index < len(context.references) and context.references[index].start == position:
        return context.references[index].name
    fitting = [p for p in _recent(context.people, context.people_starts, position)
               if p.end <= position and gender(p) in (wanted, None)]
    last_speaker = next((q.speaker for q in reversed(previous)
                         if q.speaker and _is_person_name(context, q.speaker)), None)
    if last_speaker and any(p.name == last_speaker for p in fitting):
        return last_speaker
    if fitting:
        return fitting[-1].name
    return last_speaker


_ORGANISATION_SENTENCES = 2
"""How many sentences back "it" or "they" looks for the organisation it stands for."""


def _organisation_nearby(context: _Context, position: int) -> str | None:
    """The organisation last named in the sentence of ``position`` or the two before it:
    "Big Machine have denied it. “…,” they said" means Big Machine."""
    sentence = bisect.bisect_right(context.sentence_starts, position) - 1
    low = context.sentence_starts[max(0, sentence - _ORGANISATION_SENTENCES)] if (
        sentence >= 0) else 0
    for organisation in reversed(_recent(context.organisations, context.organisation_starts,
                                         position)):
        if organisation.start < low:
            break
        if organisation.end <= position:
            return organisation.name
    return None


def _speaker_of(context: _Context, attribution: _Attribution, previous: list[Quote]
                ) -> str | None:
    """The name behind an attribution, resolving pronouns and definite descriptions."""
    if attribution.mention_kind == "pronoun":
        return _resolve_pronoun(context, attribution, previous)
    if attribution.speaker is None and attribution.mention_kind in ("description", "title"):
        person = _resolve_role(context, attribution)
        if person is not None:
            return person
    if attribution.mention_kind == "description" and attribution.speaker is None:
        return _resolve_description(context, attribution, previous)
    return attribution.speaker


_AGE = regex.compile(r"\d+-year-old")


def _resolve_role(context: _Context, attribution: _Attribution) -> str | None:
    """"the actor", "the 45-year-old", "the singer and guitarist": the most salient person.

    Only a definite description whose head is a person's role or age refers back this way;
    plural heads ("the doctors") and organisation voices ("the statement") do not.
    """
    words = (attribution.mention or "").lower().split()
    if len(words) < 2 or words[0] != "the" or attribution.start is None:
        return None
    head = words[-1].strip("’'")
    lex = lexicon()
    if not (_AGE.fullmatch(head) or head in lex.titles) or head in _ORGANISATION_VOICES or (
        head in lex.not_role_heads or head in lex.source_nouns
    ):
        # "the expert", "the officials": sources the article leaves unnamed.
        return None
    wanted = ("male" if head in lex.male_titles else
              "female" if head in lex.female_titles else None)
    sentence = bisect.bisect_right(context.sentence_starts, attribution.start) - 1
    return _salient(context.references, attribution.start, sentence, wanted, {})


def _resolve_description(context: _Context, attribution: _Attribution, previous: list[Quote]
                         ) -> str | None:
    """"the statement", "the production company", "the doctors": the organisation meant.

    Only definite descriptions refer back; "a spokesperson" or "one neighbour" stay unnamed.
    """
    words = (attribution.mention or "").lower().split()
    if len(words) < 2 or words[0] != "the":
        return None
    named = (attribution.mention or "").split()[1:]
    if len(named) >= 2 and words[-1] in _ORGANISATION_BODIES and any(
        w[:1].isupper() for w in named[:-1]
    ):
        # "the French foreign ministry", "the US military": the description is a name.
        return " ".join(named)
    position = attribution.start or 0
    organisations = [m for m in _recent(context.organisations, context.organisation_starts,
                                        position) if m.end <= position]
    named = _organisation_by_stem(organisations, words[1:])
    if named is not None:
        return named
    if not any(w in _ORGANISATION_VOICES for w in words[1:4]):
        return None
    if words[-1] in _DOCUMENTS:
        issuer = _issuer(context, position, words[-1])
        if issuer is not None:
            return issuer
    for quote in reversed(previous):
        if quote.speaker and any(m.name == quote.speaker for m in organisations):
            return quote.speaker
    return organisations[-1].name if organisations else None


_DOCUMENTS = frozenset(("statement", "letter", "report", "release", "filing"))
_ISSUER_SENTENCES = 6
"""How many sentences back "the statement" looks for the sentence that issued it."""


@functools.cache
def _introduced(document: str) -> regex.Pattern:
    """"a statement", "in a separate statement", "its letter": a document brought in."""
    return regex.compile(
        rf"\b(?:a|an|its|their|his|her|new|separate|joint|written)[ \u00a0]+"
        rf"(?:[\w\-]+[ \u00a0]+)?{document}\b", regex.IGNORECASE)


def _issuer(context: _Context, position: int, document: str) -> str | None:
    """Who issued "the statement": the subject of the last sentence that brings in a
    statement ("Big Machine Records issued a statement", "The company denied it in a
    statement"), a named one or else the organisation a description there stands for."""
    text = context.text
    introduced = _introduced(document)
    sentence = bisect.bisect_right(context.sentence_starts, position) - 1
    for index in range(sentence, max(-1, sentence - _ISSUER_SENTENCES), -1):
        span = context.sentences[index]
        found = introduced.search(text, span.start, min(span.end, position))
        if found is None:
            continue
        first = bisect.bisect_left(context.mention_positions, span.start)
        for mention in context.mentions[first:]:
            if mention.start >= found.start():
                break
            if mention.kind in ("person", "organisation") and mention.name:
                return mention.name
        if regex.match(r"(?:The|Its|Their)[ \u00a0]", text[span.start:span.start + 6]):
            # "The rail firm hit back in a statement": the organisation it describes.
            organisations = _recent(context.organisations, context.organisation_starts,
                                    span.start)
            described = text[span.start:found.start()].lower().split()[1:4]
            return _organisation_by_stem(organisations, described) or (
                organisations[-1].name if organisations else None)
        return None
    return None


def _organisation_by_stem(organisations: list[Mention], words: list[str]) -> str | None:
    """The last organisation sharing a word stem with a description ("the production
    company" -> Dick Clark Productions)."""
    stems = {w[:5] for w in words if len(w) > 3}
    for organisation in reversed(organisations):
        if stems & {w.lower()[:5] for w in organisation.name.split()}:
            return organisation.name
    return None


def _is_person_name(context: _Context, name: str) -> bool:
    return name in context.person_names or name not in context.organisation_names


def _recent(items: list[Mention], starts: list[int], position: int) -> list[Mention]:
    """The last few mentions starting before ``position``, so look-back stays bounded."""
    index = bisect.bisect_left(starts, position)
    return items[max(0, index - _LOOKBACK):index]


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _is_title_case(quoted: str) -> bool:
    """Titles of works and names ("The Lord of the Rings"): capitalised words, no clause."""
    quoted = quoted.rstrip(",.;:!? ")  # "“Listen To The Music,” “What A Fool Believes”"
    words = [w for w in quoted.split() if w[:1].isalpha()]
    if not words or any(sign in quoted for sign in ".!?,;"):
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= 0.75


def _is_standalone(context: _Context, span: _Span, attribution_after: bool) -> bool:
    """Whether a quotation stands as its own utterance rather than inside a clause."""
    text = context.text
    before = _skip_back_space(text, span.open_at, 0)
    if before == 0 or text[before - 1] in "\n:,.!?;—–-(":
        return True
    word_start = before
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    if _patterns().verb.fullmatch(text, word_start, before):
        return True
    return attribution_after and text[span.end - 1:span.end] in ",!?"


def extract_quotes(text: str, mentions: list[Mention] | None = None) -> list[Quote]:
    """Direct quotations (with speakers) and reported speech, sorted by start.

    Args:
        text: the article body, paragraphs separated by line breaks.
        mentions: ``find_mentions(text)`` when the caller already has them (facts need
            them too), so names are found once per article.

    Returns:
        ``Quote`` records whose offsets index ``text``; ``text[q.start:q.end] == q.text``.
    """
    if not text.strip():
        return []
    paras = paragraphs(text)
    spans = _direct_spans(text, paras)
    context = _build_context(text, spans, find_mentions(text) if mentions is None else mentions)
    opens = [s.open_at for s in spans]
    quotes: list[Quote] = []
    previous_span: _Span | None = None
    for span in spans:
        limit = _after_limit(context, span.close_end, opens)
        after = _attribution_after(context, span, limit) if span.closed else None
        low = max(_sentence_start(context, span.open_at),
                  previous_span.close_end if previous_span else 0)
        before = None if after else _attribution_before(context, span, low)
        attribution = after or before
        quoted = text[span.start:span.end]
        words = _word_count(quoted)
        standalone = _is_standalone(context, span, after is not None)
        if attribution is None:
            attribution = _colon_intro(context, span)
        if _is_title_case(quoted) and not standalone:
            continue
        if span.single and (words < _SINGLE_MIN_WORDS or attribution is None or not standalone):
            # Single marks also hold terms, titles and sayings: only attributed speech
            # standing as its own utterance counts.
            continue
        if words < 4 and not (attribution and standalone and quoted.rstrip()[-1:] in ",.!?…"):
            continue
        if not standalone and attribution is None and words >= 4:
            attribution = _partial_attribution(context, span, previous_span, quotes)
        if not standalone and attribution is None:
            continue
        quote = _make_quote(context, span, attribution, not standalone, quotes,
                            previous_span)
        quotes.append(quote)
        previous_span = span
    quotes.extend(_indirect(context, spans, quotes))
    return sorted(quotes, key=lambda q: q.start)


_SINGLE_MIN_WORDS = 4
"""Fewest words of a ‘single-quoted’ span counted as speech in a double-quoting article."""

_PARTIAL_WINDOW = 400
"""How far back in its sentence a partial quote may find its speech verb (characters)."""


def _partial_attribution(context: _Context, span: _Span, previous_span: _Span | None,
                         previous: list[Quote]) -> _Attribution | None:
    """Attribution of a quoted fragment worked into a sentence, looked for further back.

    The fragment shares the attribution of an earlier quote in its sentence ("argued that
    “A” and that “B”"); else "according to X" or a speech verb anywhere before it in the
    sentence attributes it, to X or, when the speaker cannot be named, to nobody.
    """
    text, patterns = context.text, _patterns()
    sentence = _sentence_start(context, span.open_at)
    if previous and previous_span is not None and previous_span.close_end > sentence:
        quote = previous[-1]
        return _Attribution(quote.speaker_mention, quote.speaker_start, quote.speaker_end,
                            quote.cue, quote.speaker, "inherited")
    low = max(sentence, span.open_at - _PARTIAL_WINDOW)
    according = _last(patterns.according_before.finditer(text, low, span.open_at))
    if according is not None:
        source = _according_source(context, according.start(2), according.end(2),
                                   according.group(1))
        if source is not None:
            return source
    verb = _last(patterns.verb.finditer(text, low, span.open_at))
    if verb is None:
        return None
    found = _speaker_before_verb(context, verb.start(), low, verb.group())
    return found or _Attribution(None, None, None, verb.group(), None, "description")


def _colon_intro(context: _Context, span: _Span) -> _Attribution | None:
    """``X said:`` closing the paragraph before a quotation that opens the next one."""
    text = context.text
    end = span.open_at
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end == 0 or text[end - 1] != ":" or "\n" not in text[end:span.open_at]:
        return None
    intro = _Span(end, end, end, end)
    return _attribution_before(context, intro, _sentence_start(context, end - 1))


def _subject_before(context: _Context, span: _Span, previous_span: _Span | None
                    ) -> str | None:
    """Who an unattributed quote is given to by the narrative that opens its paragraph:
    the first person of the last sentence there that names one ("Analyst Zachary Fadem
    points out two reasons. “Excluding these items, …”") when that person opens it as its
    subject. None when no person is named there or another quote comes first in the
    paragraph (this one carries that one on)."""
    text = context.text
    newline = text.rfind("\n", previous_span.close_end if previous_span else 0, span.open_at)
    if newline < 0 and previous_span is not None:
        return None
    low = newline + 1
    first = bisect.bisect_left(context.reference_starts, low)
    last = bisect.bisect_left(context.reference_starts, span.open_at)
    named = context.references[first:last]
    if not named:
        return None
    sentence = named[-1].sentence
    subject = next(r for r in named if r.sentence == sentence)
    lex = lexicon()
    before = text[max(low, context.sentences[sentence].start):subject.start].split()
    if any(w[:1].islower() and w not in lex.titles and w not in lex.function_words
           for w in before):
        return None  # "The mayor stood up, telling Walsh": Walsh is no subject
    mention = context.mention_starts.get(subject.start)
    if mention is not None and text[mention.end:mention.end + 2] in ("'s", "’s"):
        return None  # "Swift's rep told Fox News": the rep speaks
    return context.fullest.get(subject.name, subject.name)


def _make_quote(context: _Context, span: _Span, attribution: _Attribution | None,
                partial: bool, previous: list[Quote], previous_span: _Span | None) -> Quote:
    """A direct ``Quote`` with its speaker resolved (or inherited from the quote before)."""
    text = context.text
    if attribution is None:
        speaker = _subject_before(context, span, previous_span)
        if speaker is None and previous and previous_span is not None and text.count(
            "\n", previous_span.close_end, span.open_at
        ) <= 2:
            speaker = previous[-1].speaker
        return Quote(text[span.start:span.end], span.start, span.end, "direct", partial,
                     speaker, None, None, None, None, span.multi_paragraph)
    speaker = _speaker_of(context, attribution, previous)
    speaker = context.fullest.get(speaker, speaker)
    return Quote(text[span.start:span.end], span.start, span.end, "direct", partial, speaker,
                 attribution.mention, attribution.start, attribution.end, attribution.cue,
                 span.multi_paragraph)


def _indirect(context: _Context, spans: list[_Span], direct: list[Quote]) -> list[Quote]:
    """Reported speech with a clear source, in sentences that hold no direct quotation."""
    text, patterns = context.text, _patterns()
    marks = sorted((s.open_at, s.close_end) for s in spans)
    mark_starts = [m[0] for m in marks]
    found = []
    starts = context.sentence_starts
    # Only sentences holding a reporting verb or "according to" can report speech.
    cued = sorted({bisect.bisect_right(starts, cue.start()) - 1
                   for cue in _REPORT_CUE.finditer(text)})
    for sentence in (context.sentences[i] for i in cued if i >= 0):
        index = bisect.bisect_left(mark_starts, sentence.end)
        if index > 0 and marks[index - 1][1] > sentence.start:
            continue
        if any(sign in text[sentence.start:sentence.end] for sign in "“”\""):
            continue
        end = sentence.end
        while end > sentence.start and text[end - 1] in ".!?;: ":
            end -= 1
        report = _reported_clause(context, sentence.start, end, patterns)
        if report is None:
            continue
        clause_start, clause_end, attribution = report
        if _word_count(text[clause_start:clause_end]) < 4:
            continue
        speaker = _speaker_of(context, attribution, [q for q in direct if q.start < clause_start])
        found.append(Quote(text[clause_start:clause_end], clause_start, clause_end, "indirect",
                           False, speaker, attribution.mention, attribution.start,
                           attribution.end, attribution.cue, False))
    return found


def _reported_clause(context: _Context, start: int, end: int, patterns: _Patterns
                     ) -> tuple[int, int, _Attribution] | None:
    """The reported clause of one sentence and its source, if the sentence reports speech."""
    text = context.text
    according = patterns.according_before.match(text, start, end)
    if according:
        source = _according_source(context, according.start(2), according.end(2),
                                   according.group(1))
        if source is not None:
            return _skip_space(text, according.end(), end), end, source
    tail = text.rfind(", according to ", start, end)
    if tail > start:
        source = _according_source(context, tail + 15, end, "according to")
        if source is not None:
            return start, tail, source
    for verb in patterns.indirect.finditer(text, start, end):
        cue = verb.group(1)
        clause_start = verb.end()
        if cue in ("told", "tells"):
            that = text.find(" that ", clause_start, min(end, clause_start + 60))
            if that < 0:
                continue
            clause_start = that + 6
        if clause_start >= end or not (text[clause_start].islower() or text[clause_start].isdigit()
                                       or text[clause_start:clause_start + 4] == "the "):
            continue
        attribution = _speaker_before_verb(context, verb.start(), start, cue)
        if attribution is None or attribution.mention_kind not in (
            "person", "organisation", "pronoun", "name", "title"
        ) and attribution.speaker is None:
            continue
        if attribution.mention_kind == "pronoun" and attribution.mention.lower() not in (
            "he", "she", "they", "it"
        ):
            continue
        return clause_start, end, attribution
    return None


def _according_source(context: _Context, start: int, end: int, cue: str) -> _Attribution | None:
    mention = context.mention_starts.get(start)
    if mention is not None and mention.end <= end:
        return _mention_attribution(mention, cue)
    return _phrase_attribution(context, start, end, cue)
