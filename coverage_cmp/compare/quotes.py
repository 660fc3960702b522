"""Quote matching: what each report did with each reference quote, and who it says spoke.

A report quote can mix sources (the Cambridgeshire report puts release narrative and a
release quote inside one pair of marks), so every direct report quote is cut into
sentences and each sentence is placed with rapidfuzz: in a reference quote (partial
ratio, the reworded bar lower when the speaker is the same), in reference narrative, or
nowhere. Runs of sentences placed alike become one match. The words of a match are then
diffed word by word against the reference quote: nothing changed is ``verbatim``, only
words dropped is ``trimmed``, anything else ``altered``. A reference quote no report
sentence took is ``paraphrased`` when its words survive in reported speech or narrative,
else ``omitted``.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from coverage_cmp.compare.align import QuoteSpans, fold_word, text_sentences
from coverage_cmp.extract.names import surname
from coverage_cmp.extract.text import Span, paragraphs, sentences, words
from coverage_cmp.model import Extraction, Quote, QuoteMatch
from coverage_cmp.settings import CompareSettings

#: Similarity (0-100) of reported speech or narrative to a quote for ``paraphrased``.
PARAPHRASE_RATIO = 75.0
#: Similarity of a quoted sentence to reference narrative for ``narrative-quoted``.
NARRATIVE_RATIO = 90.0
_MARKS = " \t\n\"'“”‘’«»`"


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Words only, folded: quote-mark style, punctuation and case do not count.

    Cached: a report's quote pieces, reported speech and fact sentences are folded by
    several steps, and each reference quote once per report."""
    return " ".join(fold_word(text[s.start:s.end]) for s in words(text))


def same_speaker(first: str | None, second: str | None) -> bool:
    """Names agree case-insensitively, or by surname ("Mr Gormley", "Phil Gormley"; "Kennedy",
    "James P. Kennedy Jr.")."""
    if not first or not second:
        return False
    return first.casefold() == second.casefold() or _surname(first) == _surname(second)


def _surname(name: str) -> str:
    return surname(name).rstrip(".").casefold()


def speaker_status(reference: Quote, report: Quote, reference_mention: str | None = None,
                   report_mention: str | None = None, named_nearby: bool = False) -> str:
    """``same``, ``changed`` (misattributed) or ``missing`` (no one named).

    A report that attributes the words as the reference does ("a spokesperson said", "the
    president said", or "he said" where only the pronoun's antecedent may have moved) keeps
    the speaker, however the two articles resolve those words: only a different name, or
    no attribution where the reference had a name, is a departure. Words the report leaves
    unattributed keep their speaker when the report names that speaker next to them
    (``named_nearby``): a reader takes them as that person's.

    Args:
        reference: the reference quote.
        report: the report's version of it.
        reference_mention: the words attributing the reference quote when they stand in an
            earlier quote of its paragraph ("“A,” he said. “B.”"); else its own mention.
        report_mention: the same for the report quote.
        named_nearby: the report names the reference's speaker in the quote's paragraph or
            a neighbouring one.
    """
    ref_mention = (reference_mention or reference.speaker_mention or "").casefold()
    rep_mention = (report_mention or report.speaker_mention or "").casefold()
    if ref_mention and ref_mention == rep_mention:
        return "same"
    if not report.speaker:
        if not reference.speaker:
            return "same" if ref_mention == rep_mention else "missing"
        return "same" if named_nearby else "missing"
    if not reference.speaker or same_speaker(reference.speaker, report.speaker):
        return "same"
    return "changed"


def attributing_mentions(text: str, quotes: Sequence[Quote]) -> dict[int, str]:
    """The words attributing each direct quote, by ``id``: its own mention, or, for a quote
    with none that goes on from an earlier one of its paragraph by the same speaker ("“A,”
    he said. “B.”"), that quote's."""
    return _attributing_mentions([p.start for p in paragraphs(text)], quotes)


def _attributing_mentions(para_starts: list[int], quotes: Sequence[Quote]) -> dict[int, str]:
    out: dict[int, str] = {}
    last: tuple[int, Quote] | None = None
    for quote in sorted((q for q in quotes if q.kind == "direct"), key=lambda q: q.start):
        para = bisect.bisect_right(para_starts, quote.start) - 1
        if quote.speaker_mention:
            out[id(quote)] = quote.speaker_mention
            last = (para, quote)
        elif last and last[0] == para and quote.speaker and last[1].speaker == quote.speaker:
            out[id(quote)] = last[1].speaker_mention
    return out


class _ReportSide:
    """A report's text, quotes and paragraphs, looked up once for all its quote matches."""

    def __init__(self, report: Extraction) -> None:
        self.text, self.quotes = report.article.text, report.quotes
        self.paragraphs = paragraphs(self.text)
        self.para_starts = [p.start for p in self.paragraphs]
        self.mentions = _attributing_mentions(self.para_starts, self.quotes)
        self.quoted = QuoteSpans(self.quotes)

    def names_nearby(self, name: str, at: Quote) -> bool:
        """Whether the report names ``name`` (by surname outside quote marks, or as the
        speaker of one of its quotes) in the paragraph holding ``at`` or one next to it."""
        if not self.paragraphs:
            return False
        k = max(0, bisect.bisect_right(self.para_starts, at.start) - 1)
        low = self.paragraphs[max(0, k - 1)].start
        high = self.paragraphs[min(len(self.paragraphs) - 1, k + 1)].end
        if any(q.start < high and q.end > low and same_speaker(q.speaker, name)
               for q in self.quotes):
            return True
        pattern = re.compile(rf"\b{re.escape(surname(name).rstrip('.'))}\b")
        return any(not self.quoted.overlaps(m.start(), m.end())
                   for m in pattern.finditer(self.text, low, high))

    def speaker_status(self, ref: _RefQuote, part: Quote, mention: str | None) -> str:
        """``speaker_status`` of the report's version ``part`` of a reference quote."""
        nearby = (not part.speaker and bool(ref.quote.speaker)
                  and self.names_nearby(ref.quote.speaker, part))
        return speaker_status(ref.quote, part, ref.mention, mention, nearby)


def word_diff(reference: str, report: str) -> tuple[str, dict[str, list]]:
    """Status (verbatim, trimmed, altered) and the word-level diff of two quote texts."""
    ref_words, rep_words = normalise(reference).split(), normalise(report).split()
    diff: dict[str, list] = {"added": [], "dropped": [], "changed": []}
    opcodes = difflib.SequenceMatcher(a=ref_words, b=rep_words, autojunk=False).get_opcodes()
    for op, a, b, c, d in opcodes:
        if op == "delete":
            diff["dropped"].append(" ".join(ref_words[a:b]))
        elif op == "insert":
            diff["added"].append(" ".join(rep_words[c:d]))
        elif op == "replace":
            diff["changed"].append([" ".join(ref_words[a:b]), " ".join(rep_words[c:d])])
    if diff["added"] or diff["changed"]:
        return "altered", diff
    if diff["dropped"]:
        return "trimmed", diff
    return "verbatim", diff


def _pieces(text: str, quote: Quote) -> list[tuple[int, int, int]]:
    """Sentences of a direct quote as (start, end, paragraph number) in article offsets."""
    inner = text[quote.start:quote.end]
    para_ends = [p.end for p in paragraphs(inner)]
    out = []
    for span in sentences(inner):
        start, end = span.start, span.end
        while start < end and not inner[start].isalnum():
            start += 1
        while end > start and inner[end - 1] in _MARKS:
            end -= 1
        if not normalise(inner[start:end]):
            continue
        span = Span(start, end)
        para = sum(1 for end in para_ends if end < span.end)
        out.append((quote.start + span.start, quote.start + span.end, para))
    return out


def _narrative_units(text: str, quotes: Sequence[Quote]) -> list[tuple[int, int, str]]:
    """Reference paragraphs and sentences outside direct quotes, normalised."""
    inside = QuoteSpans(quotes)
    units = []
    for span in [*paragraphs(text), *sentences(text)]:
        if inside.overlaps(span.start, span.end):
            continue
        units.append((span.start, span.end, normalise(text[span.start:span.end])))
    return units


@dataclass(frozen=True)
class _RefQuote:
    """A direct quote of one reference, folded once."""

    reference_id: str
    quote: Quote
    folded: str
    sentences: list[str]
    mention: str | None = None
    """The words attributing it (``attributing_mentions``)."""


def _best_quote(piece: str, speaker: str | None, refs: Sequence[_RefQuote],
                settings: CompareSettings) -> int | None:
    """Index of the reference quote this piece's words come from, if any.

    The piece must sit inside the quote (partial ratio ``quote_match``), or, when the
    speaker is the same, be a rewording of one of its sentences (ratio ``quote_reworded``).
    """
    best, best_key = None, (-1.0, 0.0)
    for k, ref in enumerate(refs):
        whole = fuzz.ratio(piece, ref.folded)
        score = fuzz.partial_ratio(piece, ref.folded)
        if len(piece) > 1.5 * len(ref.folded):  # the piece holds much more than this quote
            score = whole
        margin = score - settings.quote_match
        if same_speaker(speaker, ref.quote.speaker):
            reworded = max(fuzz.ratio(piece, s) for s in ref.sentences)
            margin = max(margin, reworded - settings.quote_reworded)
        # Ties (the piece sits in two references' versions): the closer whole quote wins.
        if margin >= 0 and (margin, whole) > best_key:
            best, best_key = k, (margin, whole)
    return best


def _same_quote(first: _RefQuote, second: _RefQuote, settings: CompareSettings) -> bool:
    """Two references' versions of one quote (a release's and an agency's): a sentence of
    the second would be placed in the first."""
    return any(_best_quote(sentence, second.quote.speaker, [first], settings) is not None
               for sentence in second.sentences)


@dataclass(frozen=True)
class QuoteReferences:
    """The references' side of quote matching, folded once for every report."""

    quotes: list[_RefQuote]
    """Direct quotes of all references, in reference order."""
    narrative: list[tuple[Extraction, int, int, str]]
    """Reference paragraphs and sentences outside quotes: owner, start, end, folded."""


def prepare_quote_references(references: Sequence[Extraction]) -> QuoteReferences:
    """Fold the references' quotes and narrative once, for matching many reports."""
    quotes = []
    for ref in references:
        mentions = attributing_mentions(ref.article.text, ref.quotes)
        quotes += [_RefQuote(ref.article.id, q, normalise(q.text),
                             [normalise(q.text[s.start:s.end]) for s in sentences(q.text)],
                             mentions.get(id(q)))
                   for q in ref.quotes if q.kind == "direct"]
    narrative = [(ref, *unit) for ref in references
                 for unit in _narrative_units(ref.article.text, ref.quotes)]
    return QuoteReferences(quotes, narrative)


def match_quotes(references: Sequence[Extraction] | QuoteReferences, report: Extraction,
                 settings: CompareSettings) -> list[QuoteMatch]:
    """Every reference quote's fate in the report, then the report's own quotes.

    Each report quote sentence goes to the closest quote of any reference; a reference
    quote no sentence took is not reported when another reference's version of it was
    taken (a release and an agency copy can both carry Gormley's words).

    Args:
        references: the references with their quotes (direct ones are matched), or
            ``prepare_quote_references(references)`` when matching many reports.
        report: the report with its quotes.
        settings: thresholds.

    Returns:
        Matches in reference order, then ``new`` and ``narrative-quoted`` ones in report
        order; each names the reference it came from.
    """
    report_text, report_quotes = report.article.text, report.quotes
    if not isinstance(references, QuoteReferences):
        references = prepare_quote_references(references)
    refs, narrative = references.quotes, references.narrative
    narrative_texts = [folded for *_, folded in narrative]
    side = _ReportSide(report)
    taken: dict[int, list[QuoteMatch]] = {}
    extra: list[QuoteMatch] = []
    for quote in (q for q in report_quotes if q.kind == "direct"):
        placed: list[tuple[str, int, int, int, int]] = []  # kind, ref index, start, end, para
        for start, end, para in _pieces(report_text, quote):
            piece = normalise(report_text[start:end])
            k = _best_quote(piece, quote.speaker, refs, settings)
            kind, index = ("quote", k) if k is not None else ("new", -1)
            if k is None and len(piece.split()) >= 4:
                scores = process.cdist([piece], narrative_texts, scorer=fuzz.partial_ratio,
                                       score_cutoff=NARRATIVE_RATIO, dtype=np.float64)[0]
                # The first of equal scores: a paragraph before its sentences.
                at = int(np.argmax(scores)) if len(scores) else -1
                score = float(scores[at]) if at >= 0 else 0.0
                folded = narrative[at][3] if at >= 0 else ""
                if score >= NARRATIVE_RATIO and (
                        min(len(piece), len(folded)) >= 0.4 * max(len(piece), len(folded))):
                    kind, index = "narrative", at
            placed.append((kind, index, start, end, para))
        for kind, index, start, end in _merge_runs(placed):
            part = dataclasses.replace(quote, text=report_text[start:end], start=start, end=end)
            if kind == "quote":
                ref = refs[index]
                status, diff = word_diff(ref.quote.text, part.text)
                similarity = fuzz.ratio(ref.folded, normalise(part.text)) / 100
                taken.setdefault(index, []).append(QuoteMatch(
                    status, side.speaker_status(ref, part, side.mentions.get(id(quote))),
                    ref.quote, part,
                    round(similarity, 3), diff, ref.reference_id))
            elif kind == "narrative":
                owner, n_start, n_end, _ = narrative[index]
                unit = Quote(owner.article.text[n_start:n_end], n_start, n_end,
                             kind="narrative")
                extra.append(QuoteMatch("narrative-quoted", None, unit, part, 1.0, None,
                                        owner.article.id))
            else:
                extra.append(QuoteMatch("new", None, None, part, 0.0, None))
    matches = []
    reported: list[tuple[Quote, str]] | None = None
    for k, ref in enumerate(refs):
        if k in taken:
            matches.extend(_diff_parts(_join_split(taken[k], ref, report_text), ref))
            continue
        if any(other.reference_id != ref.reference_id and _same_quote(ref, other, settings)
               for other in (refs[j] for j in taken)):
            continue
        if reported is None:
            reported = _reported_speech(report_text, report_quotes)
        matches.append(_unquoted_fate(ref, reported, side))
    used = {id(m.report) for m in matches}
    for quote in report_quotes:
        if quote.kind != "direct" and id(quote) not in used:
            extra.append(QuoteMatch("new", None, None, quote, 0.0, None))
    extra.sort(key=lambda m: m.report.start if m.report else 0)
    return matches + extra


def _merge_runs(pieces: list[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int]]:
    """Runs of a quote's sentences placed alike, as (kind, index, start, end).

    An unplaced sentence next to sentences of one reference quote in the same paragraph
    is words the report added inside that quote ("Anyone who thinks the internet keeps
    them hidden is wrong" after a reworded Gormley sentence): it joins the quote's run.
    """
    placed = list(pieces)
    for i, (kind, _, start, end, para) in enumerate(placed):
        if kind != "new":
            continue
        near = [placed[j] for j in (i - 1, i + 1) if 0 <= j < len(placed)
                and placed[j][0] == "quote" and placed[j][4] == para]
        if near:
            placed[i] = ("quote", near[0][1], start, end, para)
    runs: list[tuple[str, int, int, int]] = []
    for kind, index, start, end, _ in placed:
        last = runs[-1] if runs else None
        if last and last[0] == kind and (kind == "new" or last[1] == index):
            runs[-1] = (kind, last[1], last[2], end)
        else:
            runs.append((kind, index, start, end))
    return runs


def _join_split(found: list[QuoteMatch], ref: _RefQuote, report_text: str
                ) -> list[QuoteMatch]:
    """One match for report quotes of one reference quote that follow each other with only
    marks and punctuation between them: a quote running over two paragraphs whose break was
    lost in extraction reads as two quotes ("...before. “Behind every...")."""
    out = [found[0]]
    for match in found[1:]:
        last = out[-1]
        gap = report_text[last.report.end:match.report.start]
        if match.report.start < last.report.end or any(c.isalnum() for c in gap):
            out.append(match)
            continue
        part = dataclasses.replace(last.report, text=report_text[last.report.start:
                                                                 match.report.end],
                                   end=match.report.end)
        status, diff = word_diff(ref.quote.text, part.text)
        similarity = fuzz.ratio(ref.folded, normalise(part.text)) / 100
        out[-1] = QuoteMatch(status, last.speaker_status, ref.quote, part,
                             round(similarity, 3), diff, ref.reference_id)
    return out


def _reported_speech(report_text: str, report_quotes: Sequence[Quote]
                     ) -> list[tuple[Quote, str]]:
    """Where an unquoted reference quote may survive: the report's indirect quotes and its
    sentences outside quote marks (of five words or more), with their folded words."""
    inside = QuoteSpans(report_quotes)
    candidates = [q for q in report_quotes if q.kind == "indirect"]
    candidates += [Quote(report_text[s.start:s.end], s.start, s.end, kind="indirect")
                   for s in text_sentences(report_text) if not inside.overlaps(s.start, s.end)]
    folded = [(quote, normalise(quote.text)) for quote in candidates]
    return [(quote, text) for quote, text in folded if len(text.split()) >= 5]


def _diff_parts(parts: list[QuoteMatch], ref: _RefQuote) -> list[QuoteMatch]:
    """Diffs of a reference quote the report split into several quotes, each against the
    sentences it took; sentences no part took count as dropped from the last part."""
    if len(parts) < 2 or len(ref.sentences) < 2:
        return parts
    spans = []
    for part in parts:
        folded = normalise(part.report.text)
        spans.append(max(((i, j) for i in range(len(ref.sentences))
                          for j in range(i + 1, len(ref.sentences) + 1)),
                         key=lambda s: fuzz.ratio(folded, " ".join(ref.sentences[s[0]:s[1]]))))
    taken = {k for i, j in spans for k in range(i, j)}
    left = [s for k, s in enumerate(ref.sentences) if k not in taken]
    out = []
    for n, (part, (i, j)) in enumerate(zip(parts, spans, strict=True)):
        status, diff = word_diff(" ".join(ref.sentences[i:j]), part.report.text)
        if n == len(parts) - 1 and left:
            diff["dropped"].extend(left)
            status = "trimmed" if status == "verbatim" else status
        out.append(dataclasses.replace(part, status=status, diff=diff))
    return out


def _unquoted_fate(ref: _RefQuote, reported: list[tuple[Quote, str]], side: _ReportSide
                   ) -> QuoteMatch:
    """``paraphrased`` if the quote's words survive as reported speech or narrative."""
    ref_quote = ref.quote
    best, best_score = None, 0.0
    for quote, folded_candidate in reported:
        score = max(fuzz.token_sort_ratio(sentence, folded_candidate)
                    for sentence in ref.sentences or [ref.folded])
        if score > best_score:
            best, best_score = quote, score
    if best is not None and best_score >= PARAPHRASE_RATIO:
        status = side.speaker_status(ref, best, best.speaker_mention)
        return QuoteMatch("paraphrased", status, ref_quote, best,
                          round(best_score / 100, 3), None, ref.reference_id)
    return QuoteMatch("omitted", None, ref_quote, None, 0.0, None, ref.reference_id)
