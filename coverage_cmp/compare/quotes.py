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

import dataclasses
import difflib
from collections.abc import Sequence

from rapidfuzz import fuzz

from coverage_cmp.compare.align import QuoteSpans, fold_word
from coverage_cmp.extract.text import Span, paragraphs, sentences, words
from coverage_cmp.model import Quote, QuoteMatch
from coverage_cmp.settings import CompareSettings

#: Similarity (0-100) of reported speech or narrative to a quote for ``paraphrased``.
PARAPHRASE_RATIO = 75.0
#: Similarity of a quoted sentence to reference narrative for ``narrative-quoted``.
NARRATIVE_RATIO = 90.0
_MARKS = " \t\n\"'“”‘’«»`"


def normalise(text: str) -> str:
    """Words only, folded: quote-mark style, punctuation and case do not count."""
    return " ".join(fold_word(text[s.start:s.end]) for s in words(text))


def same_speaker(first: str | None, second: str | None) -> bool:
    """Names agree case-insensitively, or by surname ("Mr Gormley", "Phil Gormley")."""
    if not first or not second:
        return False
    a, b = first.casefold().split(), second.casefold().split()
    return a == b or a[-1] == b[-1]


def speaker_status(reference: Quote, report: Quote) -> str:
    """``same``, ``changed`` (misattributed) or ``missing`` (no one named)."""
    if not report.speaker:
        return "missing"
    if not reference.speaker or same_speaker(reference.speaker, report.speaker):
        return "same"
    return "changed"


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


def _best_quote(piece: str, speaker: str | None, refs: list[tuple[Quote, str, list[str]]],
                settings: CompareSettings) -> int | None:
    """Index of the reference quote this piece's words come from, if any.

    The piece must sit inside the quote (partial ratio ``quote_match``), or, when the
    speaker is the same, be a rewording of one of its sentences (ratio ``quote_reworded``).
    """
    best, best_margin = None, -1.0
    for k, (quote, folded, sentence_texts) in enumerate(refs):
        score = fuzz.partial_ratio(piece, folded)
        if len(piece) > 1.5 * len(folded):  # the piece holds much more than this quote
            score = fuzz.ratio(piece, folded)
        margin = score - settings.quote_match
        if same_speaker(speaker, quote.speaker):
            reworded = max(fuzz.ratio(piece, s) for s in sentence_texts)
            margin = max(margin, reworded - settings.quote_reworded)
        if margin >= 0 and margin > best_margin:
            best, best_margin = k, margin
    return best


def match_quotes(reference_text: str, reference_quotes: Sequence[Quote], report_text: str,
                 report_quotes: Sequence[Quote], settings: CompareSettings) -> list[QuoteMatch]:
    """Every reference quote's fate in the report, then the report's own quotes.

    Args:
        reference_text: the reference's body text.
        reference_quotes: its quotes (direct ones are matched; indirect ones are kept
            out of the way).
        report_text: the report's body text.
        report_quotes: its quotes.
        settings: thresholds.

    Returns:
        Matches in reference order, then ``new`` and ``narrative-quoted`` ones in report order.
    """
    refs = [(q, normalise(q.text), [normalise(q.text[s.start:s.end]) for s in sentences(q.text)])
            for q in reference_quotes if q.kind == "direct"]
    narrative = _narrative_units(reference_text, reference_quotes)
    taken: dict[int, list[QuoteMatch]] = {}
    extra: list[QuoteMatch] = []
    for quote in (q for q in report_quotes if q.kind == "direct"):
        runs: list[tuple[str, int, int, int, int]] = []  # (kind, ref index, start, end, para)
        for start, end, para in _pieces(report_text, quote):
            piece = normalise(report_text[start:end])
            k = _best_quote(piece, quote.speaker, refs, settings)
            kind, index = ("quote", k) if k is not None else ("new", -1)
            if k is None and len(piece.split()) >= 4:
                scored = [(fuzz.partial_ratio(piece, u[2], score_cutoff=NARRATIVE_RATIO), u)
                          for u in narrative]
                score, unit = max(scored, key=lambda item: item[0], default=(0.0, None))
                if unit and score >= NARRATIVE_RATIO and (
                        min(len(piece), len(unit[2])) >= 0.4 * max(len(piece), len(unit[2]))):
                    kind, index = "narrative", narrative.index(unit)
            last = runs[-1] if runs else None
            if last and last[0] == kind and (
                    (kind == "quote" and last[1] == index) or (kind == "new")):
                runs[-1] = (kind, last[1], last[2], end, para)
            else:
                runs.append((kind, index, start, end, para))
        for kind, index, start, end, _ in runs:
            part = dataclasses.replace(quote, text=report_text[start:end], start=start, end=end)
            if kind == "quote":
                ref_quote, folded, _ = refs[index]
                status, diff = word_diff(ref_quote.text, part.text)
                similarity = fuzz.ratio(folded, normalise(part.text)) / 100
                taken.setdefault(index, []).append(QuoteMatch(
                    status, speaker_status(ref_quote, part), ref_quote, part,
                    round(similarity, 3), diff))
            elif kind == "narrative":
                n_start, n_end, _ = narrative[index]
                unit = Quote(reference_text[n_start:n_end], n_start, n_end, kind="narrative")
                extra.append(QuoteMatch("narrative-quoted", None, unit, part, 1.0, None))
            else:
                extra.append(QuoteMatch("new", None, None, part, 0.0, None))
    matches = []
    reported: list[tuple[Quote, str]] | None = None
    for k, (ref_quote, folded, _) in enumerate(refs):
        if k in taken:
            matches.extend(_join_split(taken[k], ref_quote, report_text))
            continue
        if reported is None:
            reported = _reported_speech(report_text, report_quotes)
        matches.append(_unquoted_fate(ref_quote, folded, reported))
    used = {id(m.report) for m in matches}
    for quote in report_quotes:
        if quote.kind != "direct" and id(quote) not in used:
            extra.append(QuoteMatch("new", None, None, quote, 0.0, None))
    extra.sort(key=lambda m: m.report.start if m.report else 0)
    return matches + extra


def _join_split(found: list[QuoteMatch], ref_quote: Quote, report_text: str
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
        status, diff = word_diff(ref_quote.text, part.text)
        similarity = fuzz.ratio(normalise(ref_quote.text), normalise(part.text)) / 100
        out[-1] = QuoteMatch(status, last.speaker_status, ref_quote, part,
                             round(similarity, 3), diff)
    return out


def _reported_speech(report_text: str, report_quotes: Sequence[Quote]
                     ) -> list[tuple[Quote, str]]:
    """Where an unquoted reference quote may survive: the report's indirect quotes and its
    sentences outside quote marks (of five words or more), with their folded words."""
    inside = QuoteSpans(report_quotes)
    candidates = [q for q in report_quotes if q.kind == "indirect"]
    candidates += [Quote(report_text[s.start:s.end], s.start, s.end, kind="indirect")
                   for s in sentences(report_text) if not inside.overlaps(s.start, s.end)]
    folded = [(quote, normalise(quote.text)) for quote in candidates]
    return [(quote, text) for quote, text in folded if len(text.split()) >= 5]


def _unquoted_fate(ref_quote: Quote, folded: str, reported: list[tuple[Quote, str]]
                   ) -> QuoteMatch:
    """``paraphrased`` if the quote's words survive as reported speech or narrative."""
    ref_sentences = [normalise(ref_quote.text[s.start:s.end]) for s in sentences(ref_quote.text)]
    best, best_score = None, 0.0
    for quote, folded_candidate in reported:
        score = max(fuzz.token_sort_ratio(sentence, folded_candidate)
                    for sentence in ref_sentences or [folded])
        if score > best_score:
            best, best_score = quote, score
    if best is not None and best_score >= PARAPHRASE_RATIO:
        return QuoteMatch("paraphrased", speaker_status(ref_quote, best), ref_quote, best,
                          round(best_score / 100, 3), None)
    return QuoteMatch("omitted", None, ref_quote, None, 0.0, None)
