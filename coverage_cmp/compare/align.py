"""Reuse segments: which words of a report are copied, reworded or new.

Two passes, as in the METER study of agency copy and newspapers:

1. Verbatim runs by greedy string tiling over normalised words (case, punctuation,
   quote-mark style, hyphenation and -ise/-ize spelling folded: ``word_parts``). Every
   reference word n-gram of ``min_match_words`` words is indexed in a dict; each report
   position looks its n-gram up and extends the candidates greedily, so the cost grows
   with the report's length, not with the product of lengths.
   Tiles are then taken longest first, each reference word used at most once.
2. Sentence alignment for the rest: a report sentence whose TF-IDF cosine with a reference
   sentence reaches ``rewrite_similarity`` and that finds ``rewrite_overlap`` of its content
   words in it is a rewrite of it; what is left is new. The overlap check keeps a new
   sentence on the same event, sharing its rare names and figures, from reading as a
   rewrite (built pairs: rewrite precision 0.26 -> 0.41, words new F1 0.90 -> 0.94). The
   narrative words of a sentence that holds a quote are matched on their own.

Words inside quote marks are tracked apart, so a report that shares only the speakers'
words with the reference (any reporter at the press conference could have them) is not
taken for a copy. The label reads the reused share of the narrative (all words when
quotes make up over three quarters of the report): ``wholly_derived`` and above is
``wholly-derived``, ``partially_derived`` and above ``partially-derived``, below it
``non-derived``. Both thresholds are chosen by 5-fold cross-validation of the label's
macro-F1 on pairs built from real text by known edits (``bench/compare_accuracy.py``).
Rejected there: requiring a wholly-derived report to add no counts or quotes of its own
(macro-F1 0.93 -> 0.65; edited numbers and quotes often read as added ones).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from coverage_cmp.extract.text import Span, sentences, words
from coverage_cmp.model import Article, Quote, ReuseSummary, Segment
from coverage_cmp.settings import CompareSettings

#: Most reference positions tried for one report n-gram (stock phrases repeat).
_MAX_CANDIDATES = 32
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})


#: Prefixes written with or without a hyphen ("co-ordinated", "e-mail"): kept joined to
#: the word; other hyphenated words are their parts ("six-month" is "six month").
_JOINED_PREFIXES = {"anti", "co", "cyber", "de", "e", "inter", "mid", "multi", "non", "post",
                    "pre", "re", "semi", "sub"}
_HYPHENS = re.compile(r"[^-‐‑]+")
#: British and American spellings folded to one: -ize/-ise ("organized"), -yze/-yse.
_SPELLINGS = [(re.compile(r"(?<=\w{3})iz(e|ed|es|ing|ation|ations)$"), r"is\1"),
              (re.compile(r"(?<=\w{2})yz(e|ed|es|ing)$"), r"ys\1")]


@lru_cache(maxsize=1 << 16)
def fold_word(word: str) -> str:
    """A word as compared: lower case, one apostrophe style, no hyphens, -ise spelling.

    Cached: a text repeats its words, and every report shares most of its vocabulary with
    the reference, so most calls are look-ups."""
    folded = word.casefold().translate(_APOSTROPHES).replace("-", "")
    if "z" in folded:  # both spellings fold a "z"
        for pattern, replacement in _SPELLINGS:
            folded = pattern.sub(replacement, folded)
    return folded


def word_parts(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """The folded parts of the word at ``text[start:end]`` with their offsets: a hyphenated
    word is its parts unless it starts with a prefix of ``_JOINED_PREFIXES``."""
    word = text[start:end]
    if "-" not in word and "‐" not in word and "‑" not in word:
        return [(fold_word(word), start, end)]
    parts = list(_HYPHENS.finditer(text, start, end))
    if len(parts) < 2 or parts[0].group().casefold() in _JOINED_PREFIXES:
        return [(fold_word(text[start:end]), start, end)]
    return [(fold_word(m.group()), m.start(), m.end()) for m in parts]


@lru_cache(maxsize=4)
def text_sentences(text: str) -> tuple[Span, ...]:
    """``sentences(text)`` kept for the last few texts: tiling, quote and fact matching
    each read a report's sentences."""
    return tuple(sentences(text))


class QuoteSpans:
    """The direct quotes of a text, asked by bisection whether a stretch lies in one, so a
    long text with many quotes costs no more than its length (quotes never overlap)."""

    def __init__(self, quotes: Sequence[Quote]) -> None:
        spans = sorted((q.start, q.end) for q in quotes if q.kind == "direct")
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]

    def _last_before(self, end: int) -> int:
        return bisect.bisect_left(self._starts, end) - 1

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` shares a character with a quote."""
        k = self._last_before(end)
        return k >= 0 and self._ends[k] > start

    def contains(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies wholly inside one quote."""
        k = self._last_before(start + 1)
        return k >= 0 and self._starts[k] <= start and end <= self._ends[k]


@dataclass(frozen=True)
class Tokens:
    """The words of one text with their offsets and whether they sit inside a quote."""

    folded: list[str]
    starts: list[int]
    ends: list[int]
    quoted: list[bool]

    def __len__(self) -> int:
        return len(self.folded)


def tokenize(text: str, quotes: Sequence[Quote] = ()) -> Tokens:
    """Word tokens of ``text`` (hyphenated words split by ``word_parts``), each flagged
    when inside a direct quote."""
    folded: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for span in words(text):
        for part, start, end in word_parts(text, span.start, span.end):
            folded.append(part)
            starts.append(start)
            ends.append(end)
    inside = sorted((q.start, q.end) for q in quotes if q.kind == "direct")
    quoted, k = [], 0
    for start in starts:
        while k < len(inside) and inside[k][1] <= start:
            k += 1
        quoted.append(k < len(inside) and inside[k][0] <= start)
    return Tokens(folded, starts, ends, quoted)


@dataclass(frozen=True)
class Reference:
    """A reference prepared once for every report: tokens, n-gram index, sentences."""

    article: Article
    tokens: Tokens
    sentence_spans: list[tuple[int, int]]
    """Sentences as token index ranges."""


def prepare_reference(article: Article, quotes: Sequence[Quote]) -> Reference:
    """Tokens and sentences of a reference."""
    tokens = tokenize(article.text, quotes)
    return Reference(article, tokens, _sentence_tokens(article.text, tokens))


def _sentence_tokens(text: str, tokens: Tokens) -> list[tuple[int, int]]:
    """Sentences of ``text`` as ``[first, last)`` token ranges (empty ones dropped)."""
    out, k = [], 0
    for span in text_sentences(text):
        first = k
        while k < len(tokens) and tokens.starts[k] < span.end:
            k += 1
        if k > first:
            out.append((first, k))
    return out


@dataclass(frozen=True)
class _Tile:
    length: int
    report_at: int
    ref: int
    ref_at: int


def ngram_index(refs: Sequence[Reference], n: int) -> dict[tuple[str, ...], list[tuple[int, int]]]:
    index: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    for r, ref in enumerate(refs):
        folded = ref.tokens.folded
        for i in range(len(folded) - n + 1):
            slot = index[tuple(folded[i:i + n])]
            if len(slot) < _MAX_CANDIDATES:
                slot.append((r, i))
    return index


def tile(report: Tokens, refs: Sequence[Reference], min_match: int,
         index: dict[tuple[str, ...], list[tuple[int, int]]] | None = None) -> list[_Tile]:
    """Greedy string tiling: maximal shared word runs, longest first, no word used twice.

    Args:
        report: the report's tokens.
        refs: the references.
        min_match: shortest run kept.
        index: ``ngram_index(refs, min_match)``, when already built.

    Returns:
        Tiles sorted by report position.
    """
    if index is None:
        index = ngram_index(refs, min_match)
    folded = report.folded
    candidates: list[_Tile] = []
    i = 0
    while i <= len(folded) - min_match:
        best: _Tile | None = None
        for r, j in index.get(tuple(folded[i:i + min_match]), ()):
            ref_folded = refs[r].tokens.folded
            length = min_match
            while (i + length < len(folded) and j + length < len(ref_folded)
                   and folded[i + length] == ref_folded[j + length]):
                length += 1
            if best is None or length > best.length:
                best = _Tile(length, i, r, j)
            # Other starts of the same run are found from the other candidates.
            candidates.append(_Tile(length, i, r, j))
        i += 1 if best is None else max(1, best.length - min_match + 1)
    candidates.sort(key=lambda t: (-t.length, t.report_at))
    used_report = np.zeros(len(folded), dtype=bool)
    used_ref = [np.zeros(len(ref.tokens), dtype=bool) for ref in refs]
    tiles = []
    for cand in candidates:
        a, b = cand.report_at, cand.report_at + cand.length
        c, d = cand.ref_at, cand.ref_at + cand.length
        # Trim the ends already taken; keep what is still long enough.
        while a < b and (used_report[a] or used_ref[cand.ref][c]):
            a, c = a + 1, c + 1
        while b > a and (used_report[b - 1] or used_ref[cand.ref][d - 1]):
            b, d = b - 1, d - 1
        if b - a < min_match or used_report[a:b].any() or used_ref[cand.ref][c:d].any():
            continue
        used_report[a:b] = True
        used_ref[cand.ref][c:d] = True
        tiles.append(_Tile(b - a, a, cand.ref, c))
    tiles.sort(key=lambda t: t.report_at)
    return tiles


class SentenceMatcher:
    """TF-IDF over reference sentences, fitted once, to find a report sentence's source.

    A sentence holding a quote is also indexed by its narrative words alone, so a report's
    attribution ("Phil Gormley, the NCA's deputy director general, said") finds the
    release's ("Phil Gormley, Deputy Director General of the NCA, said") whatever quote
    follows it.
    """

    def __init__(self, refs: Sequence[Reference]) -> None:
        self.refs = refs
        self.owners: list[tuple[int, int, int]] = []
        texts = []
        for r, ref in enumerate(refs):
            folded, quoted = ref.tokens.folded, ref.tokens.quoted
            for first, last in ref.sentence_spans:
                self.owners.append((r, first, last))
                texts.append(" ".join(folded[first:last]))
                narrative = [w for w, q in zip(folded[first:last], quoted[first:last],
                                               strict=True) if not q]
                if 0 < len(narrative) < last - first:
                    self.owners.append((r, first, last))
                    texts.append(" ".join(narrative))
        self.vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True,
                                          token_pattern=r"\S+")
        try:
            self.matrix = self.vectorizer.fit_transform(texts) if texts else None
        except ValueError:  # only stop words
            self.matrix = None

    def words(self, owner: int) -> list[str]:
        """The folded words of the reference sentence behind ``owner``."""
        r, first, last = self.owners[owner]
        return self.refs[r].tokens.folded[first:last]

    def best(self, sentence_texts: list[str]) -> list[tuple[int, float]]:
        """For each text, the index of its closest reference sentence and the cosine."""
        if self.matrix is None or not sentence_texts:
            return [(-1, 0.0)] * len(sentence_texts)
        # A sentence without quotes is its own narrative: each distinct text scored once.
        distinct = list(dict.fromkeys(sentence_texts))
        rows = {text: row for row, text in enumerate(distinct)}
        scores = (self.vectorizer.transform(distinct) @ self.matrix.T).tocsr()
        # Per row, the first stored entry holding the row's maximum (as np.argmax would),
        # found for all rows at once.
        filled = np.flatnonzero(np.diff(scores.indptr))
        found = [(-1, 0.0)] * scores.shape[0]
        if not len(filled):
            return [(-1, 0.0)] * len(sentence_texts)
        firsts = scores.indptr[filled]
        highest = np.maximum.reduceat(scores.data, firsts)
        lengths = np.diff(scores.indptr)[filled]
        at_max = np.flatnonzero(scores.data == np.repeat(highest, lengths))
        chosen = at_max[np.searchsorted(at_max, firsts)]
        for row, k in zip(filled.tolist(), chosen.tolist(), strict=True):
            found[row] = (int(scores.indices[k]), float(scores.data[k]))
        return [found[rows[text]] for text in sentence_texts]


def content_overlap(report_words: Sequence[str], reference_words: Sequence[str]) -> float:
    """Share of a report stretch's content words (no stop words, no numbers) that its
    reference sentence has: a rewrite keeps most of them, a new sentence on the same event
    shares its names and a word or two."""
    content = [w for w in report_words if w not in ENGLISH_STOP_WORDS and not w[:1].isdigit()]
    if not content:
        return 1.0
    reference = set(reference_words)
    return sum(w in reference for w in content) / len(content)


@dataclass(frozen=True)
class Alignment:
    """Per-token origin of a report: tiles, sentence sources, and the segments made."""

    tokens: Tokens
    segments: list[Segment]
    reuse: ReuseSummary
    sentence_source: list[tuple[int, int, float]]
    """For each report sentence (token range order): reference index, reference sentence
    index into ``SentenceMatcher.owners`` (-1 for none) and cosine."""
    sentence_spans: list[tuple[int, int]]


_KINDS = ("new", "rewrite", "verbatim")
#: Fewest narrative words a sentence needs for them to be matched apart from its quote
#: (", he said" is matched with the quote it attributes).
_MIN_NARRATIVE_WORDS = 4


def align(report: Article, quotes: Sequence[Quote], refs: Sequence[Reference],
          matcher: SentenceMatcher, settings: CompareSettings,
          index: dict[tuple[str, ...], list[tuple[int, int]]] | None = None) -> Alignment:
    """Cut a report into verbatim, rewrite and new segments against its references."""
    tokens = tokenize(report.text, quotes)
    n = len(tokens)
    kind = np.zeros(n, dtype=np.int8)  # index into _KINDS
    source_ref = np.full(n, -1)
    source_at = np.full(n, -1)  # reference token (verbatim) or owner sentence (rewrite)
    for t in tile(tokens, refs, settings.min_match_words, index):
        kind[t.report_at:t.report_at + t.length] = 2
        source_ref[t.report_at:t.report_at + t.length] = t.ref
        source_at[t.report_at:t.report_at + t.length] = np.arange(t.ref_at, t.ref_at + t.length)
    spans = _sentence_tokens(report.text, tokens)
    quoted = np.asarray(tokens.quoted, dtype=bool)
    # A sentence's narrative is matched on its own words too: a reporter who heard the
    # same speaker shares the quote, not the sentence around it. One look-up for both.
    found = matcher.best([" ".join(tokens.folded[a:b]) for a, b in spans]
                         + [" ".join(w for w, q in zip(tokens.folded[a:b], tokens.quoted[a:b],
                                                       strict=True) if not q)
                            for a, b in spans])
    best, best_narrative = found[:len(spans)], found[len(spans):]
    sentence_source = []
    for (a, b), whole, own in zip(spans, best, best_narrative, strict=True):
        owner = whole[0]
        sentence_source.append((matcher.owners[owner][0] if owner >= 0 else -1, *whole))
        narrative = ~quoted[a:b]
        parts = [(narrative, own if narrative.sum() >= _MIN_NARRATIVE_WORDS else whole),
                 (~narrative, whole)]
        for part, (owner, cosine) in parts:
            verbatim = kind[a:b][part] == 2
            if owner < 0 or not part.any():
                continue
            if verbatim.mean() < 0.5 and (
                    cosine < settings.rewrite_similarity
                    or content_overlap([w for w, p in zip(tokens.folded[a:b], part, strict=True)
                                        if p], matcher.words(owner)) < settings.rewrite_overlap):
                continue
            rest = np.zeros(b - a, dtype=bool)
            rest[part] = ~verbatim
            kind[a:b][rest] = 1
            source_ref[a:b][rest] = matcher.owners[owner][0]
            source_at[a:b][rest] = owner
    segments = _segments(report.text, tokens, kind, source_ref, source_at, refs, matcher)
    return Alignment(tokens, segments, _reuse(tokens, kind, refs, source_ref, source_at, matcher,
                                              settings), sentence_source, spans)


def _segments(text: str, tokens: Tokens, kind: np.ndarray, source_ref: np.ndarray,
              source_at: np.ndarray, refs: Sequence[Reference],
              matcher: SentenceMatcher) -> list[Segment]:
    """Merge tokens of one kind and one contiguous source into segments tiling ``text``."""
    n = len(tokens)
    if n == 0:  # punctuation only: one new segment, so segments still tile the text
        stripped = text.strip()
        return [Segment(text.index(stripped), text.index(stripped) + len(stripped), "new")
                ] if stripped else []
    groups: list[tuple[int, int]] = []
    first = 0
    for i in range(1, n + 1):
        if i < n and kind[i] == kind[first] and source_ref[i] == source_ref[first] and (
            (kind[i] == 2 and source_at[i] == source_at[i - 1] + 1)
            or (kind[i] != 2 and source_at[i] == source_at[first])
        ):
            continue
        groups.append((first, i))
        first = i
    # Boundaries: after the first white space following a group's last word, so closing
    # punctuation stays with its words and opening marks go with the next group.
    cuts = [0]
    for _, last in groups[:-1]:
        end, nxt = tokens.ends[last - 1], tokens.starts[last]
        space = re.search(r"\s+", text[end:nxt])
        cuts.append(end + space.end() if space else nxt)
    cuts.append(len(text))
    segments = []
    for (a, b), lo, hi in zip(groups, cuts[:-1], cuts[1:], strict=True):
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        k = int(kind[a])
        ref_id = ref_start = ref_end = None
        if k == 2:
            ref = refs[int(source_ref[a])]
            ref_id = ref.article.id
            ref_start = ref.tokens.starts[int(source_at[a])]
            ref_end = ref.tokens.ends[int(source_at[b - 1])]
        elif k == 1:
            r, s_first, s_last = matcher.owners[int(source_at[a])]
            ref = refs[r]
            ref_id = ref.article.id
            ref_start, ref_end = ref.tokens.starts[s_first], ref.tokens.ends[s_last - 1]
        segments.append(Segment(lo, hi, _KINDS[k], ref_id, ref_start, ref_end))
    return segments


def _reuse(tokens: Tokens, kind: np.ndarray, refs: Sequence[Reference], source_ref: np.ndarray,
           source_at: np.ndarray, matcher: SentenceMatcher,
           settings: CompareSettings) -> ReuseSummary:
    """Shares of reused words, overall and in the narrative, and the label they give."""
    n = len(tokens)
    if n == 0:
        return ReuseSummary("non-derived", 0.0, 0.0, 0.0, 0.0)
    reused = kind > 0
    narrative = ~np.asarray(tokens.quoted, dtype=bool)
    reused_share = float(reused.mean())
    verbatim_share = float((kind == 2).mean())
    narrative_share = float(reused[narrative].mean()) if narrative.sum() else reused_share
    covered = [np.zeros(len(ref.tokens), dtype=bool) for ref in refs]
    for i in np.flatnonzero(kind == 2):
        covered[int(source_ref[i])][int(source_at[i])] = True
    for owner in set(source_at[kind == 1].tolist()):
        r, first, last = matcher.owners[int(owner)]
        covered[r][first:last] = True
    total = sum(len(ref.tokens) for ref in refs)
    coverage = float(sum(int(c.sum()) for c in covered) / total) if total else 0.0
    # Mostly quotes and too little narrative to judge: read the whole text instead.
    basis = narrative_share if narrative.sum() >= 0.25 * n else reused_share
    if basis >= settings.wholly_derived:
        label = "wholly-derived"
    elif basis >= settings.partially_derived:
        label = "partially-derived"
    else:
        label = "non-derived"
    return ReuseSummary(label, round(reused_share, 4), round(verbatim_share, 4),
                        round(coverage, 4), round(narrative_share, 4))
