"""Paragraphs, sentences and words of body text, as offsets into it.

Every extractor works on offsets into the article's ``text`` (the JSON contract), so the
splitters here return ``Span`` records instead of copies of the text. All of them run in
linear time with precompiled patterns; none needs a language model.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Span(NamedTuple):
    """A stretch of the text: ``text[start:end]``.

    A named tuple, not a dataclass: texts are cut into tens of thousands of these, and a
    tuple is built several times faster than a frozen dataclass.
    """

    start: int
    end: int


_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+(?:['’\-][^\W_]+)*")
# A candidate sentence end: terminal punctuation, any closing marks, then white space.
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_NEXT_WORD = re.compile(r"[\w']*")


def _word_set(listing: str) -> frozenset[str]:
    """A set of the white-space separated words of ``listing``."""
    return frozenset(listing.split())


#: Words that take a period yet rarely end a sentence, lower case, without the period.
ABBREVIATIONS = _word_set(
    """mr mrs ms mx dr prof sr jr st mt ft gen col lt sgt capt cmdr adm maj cpl gov sen rep
    rev hon pres supt insp det con ch esq messrs mme mlle no nos vs v etc al approx dept est
    fig vol pp ave blvd rd jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp
    bros plc"""
)
#: Abbreviations that never end a sentence before a capitalised word (titles before names).
_TITLE_ABBREVIATIONS = _word_set(
    """mr mrs ms mx dr prof st mt ft gen col lt sgt capt cmdr adm maj cpl gov sen rep rev hon
    pres supt insp det messrs mme mlle no nos vs v"""
)
#: Words that start sentences; after "U.S." or "Inc." they mark a real sentence end.
_SENTENCE_STARTERS = _word_set(
    """the a an he she it they we i you this that these those there his her its their our
    but and in on at for if when while after before as so yet however meanwhile
    officials police"""
)


def paragraphs(text: str) -> list[Span]:
    """Paragraphs: a line break (one or more newlines) ends a paragraph.

    Lines holding only white space are skipped; each span is stripped of outer spaces.
    """
    spans = []
    for match in _LINE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append(Span(start, end))
    return spans


def _is_sentence_end(text: str, stop: int, mark_end: int) -> bool:
    """Whether the punctuation at ``text[stop:mark_end]`` ends a sentence."""
    next_index = mark_end
    while next_index < len(text) and text[next_index] in " \t\u00a0":
        next_index += 1
    if next_index >= len(text) or text[next_index] == "\n":
        return True
    following = text[next_index]
    if following.islower() or following in ",;:":
        return False
    if text[stop] != ".":
        return True
    token_start = stop
    while token_start > 0 and stop - token_start < 40 and (
        text[token_start - 1].isalnum() or text[token_start - 1] == "."
    ):
        token_start -= 1
    bare = text[token_start:stop].rstrip(".").lower()
    if not bare:
        return True
    next_word = _NEXT_WORD.match(text, next_index, next_index + 30).group().lower()
    if bare in _TITLE_ABBREVIATIONS:
        # "No. 10", "Dr. Smith": a title or number sign before what follows.
        return False
    if len(bare) == 1 and bare.isalpha():
        # An initial ("J. K. Rowling") unless a sentence plainly starts after it.
        return next_word in _SENTENCE_STARTERS
    if "." in bare or bare in ABBREVIATIONS:
        # "U.S.", "e.g.", "Inc.": a boundary only before a typical sentence opener.
        return next_word in _SENTENCE_STARTERS
    return True


def sentences(text: str) -> list[Span]:
    """Sentences, abbreviation-aware (Mr., Dr., U.S., No. 10, e.g., initials).

    A sentence never crosses a paragraph break. Closing quote marks and brackets after
    the final punctuation belong to the sentence.
    """
    spans = []
    for para in paragraphs(text):
        start = para.start
        for match in _END.finditer(text, para.start, para.end):
            if match.end() >= para.end:
                break
            if _is_sentence_end(text, match.start(), match.end()):
                spans.append(Span(start, match.end()))
                start = match.end()
                while start < para.end and text[start].isspace():
                    start += 1
        if start < para.end:
            spans.append(Span(start, para.end))
    return spans


def words(text: str) -> list[Span]:
    """Word tokens: letters and digits, keeping inner apostrophes and hyphens (don't, co-op)
    and number punctuation (1,200.50)."""
    return [Span(m.start(), m.end()) for m in _WORD.finditer(text)]
