"""What every renderer shows, computed once from a ``Comparison``: summary rows, departures,
the outlet × fact matrix and outlet similarity.

Terminal, Markdown, HTML and CSV draw the same figures from these records, so the formats
never disagree. Pure functions, no I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from coverage_cmp.model import Comparison, Fact, FactMatch, QuoteMatch, ReportComparison

#: How a status reads: a changed value or wording, a hedge or cut, something new, a loss.
#: Renderers colour by these four tones.
TONES = {
    "altered": "changed", "narrative-quoted": "changed", "changed": "changed",
    "misattributed": "changed",
    "trimmed": "qualified", "paraphrased": "qualified", "qualified": "qualified",
    "new": "added", "added": "added",
    "omitted": "omitted",
}

#: Quote statuses in the order tables list them, with a short form for narrow columns.
QUOTE_STATUSES = {"verbatim": "verb", "trimmed": "trim", "altered": "alt",
                  "paraphrased": "para", "narrative-quoted": "narr", "new": "new",
                  "omitted": "omit"}
FACT_STATUSES = ("same", "changed", "qualified", "added", "omitted")


@dataclass(frozen=True)
class Departure:
    """One way a report differs from its reference, as a sentence for people."""

    kind: str
    """``quote`` or ``fact``."""
    status: str
    """The compare status, or ``misattributed`` for a quote given to another speaker."""
    tone: str
    """``changed``, ``qualified``, ``added`` or ``omitted`` (see ``TONES``)."""
    text: str
    """E.g. "quantity changed: 431 children → Around 400 children"."""
    reference_text: str | None
    report_text: str | None


@dataclass(frozen=True)
class ReportRow:
    """The summary line of one report."""

    report_id: str
    outlet: str
    scope: str
    title: str
    source: str
    label: str
    reused_share: float
    verbatim_share: float
    quotes: dict[str, int]
    """Count per quote status, in ``QUOTE_STATUSES`` order, zero counts left out."""
    facts: dict[str, int]
    """Count per fact status, in ``FACT_STATUSES`` order, zero counts left out."""
    top_departure: str
    """The most important departure as compare ranked it, or "" when there is none."""


def report_name(report: ReportComparison) -> str:
    """The outlet, else the source: what a reader recognises a report by."""
    return report.article.outlet or report.article.source


def _ordered(counts: Counter[str], order: tuple[str, ...] | dict[str, str]) -> dict[str, int]:
    known = {status: counts[status] for status in order if counts[status]}
    known.update({status: n for status, n in counts.items() if status not in known and n})
    return known


def report_row(report: ReportComparison) -> ReportRow:
    """Summary of one report: shares, counts by status and its top departure."""
    article = report.article
    top = report.summary.get("top_departures") or []
    return ReportRow(
        report_id=article.id, outlet=report_name(report), scope=article.outlet_scope or "",
        title=article.title or "", source=article.source, label=report.reuse.label,
        reused_share=report.reuse.reused_share, verbatim_share=report.reuse.verbatim_share,
        quotes=_ordered(Counter(m.status for m in report.quotes), QUOTE_STATUSES),
        facts=_ordered(Counter(m.status for m in report.facts), FACT_STATUSES),
        top_departure=top[0] if top else "")


def short_words(text: str, limit: int = 10) -> str:
    """The first words of a quote or sentence, on one line."""
    parts = text.split()
    return " ".join(parts[:limit]) + (" …" if len(parts) > limit else "")


def _fact_label(fact: Fact) -> str:
    return " ".join(fact.text.split())


def quote_departure(match: QuoteMatch) -> Departure | None:
    """The departure a quote match stands for; None for a verbatim quote with its speaker."""
    ref, rep = match.reference, match.report
    ref_text = short_words(ref.text) if ref else None
    rep_text = short_words(rep.text) if rep else None
    if match.speaker_status == "changed" and ref and rep:
        return Departure("quote", "misattributed", "changed",
                         f"quote misattributed: “{rep_text}” given to {rep.speaker}, "
                         f"said by {ref.speaker}", ref_text, rep_text)
    if match.status == "verbatim":
        return None
    if rep and ref:
        text = f"quote {match.status}: “{ref_text}” → “{rep_text}”"
    elif rep:
        text = f"quote {match.status}: “{rep_text}” ({rep.speaker or 'unattributed'})"
    elif ref:
        text = f"quote {match.status}: “{ref_text}” ({ref.speaker or 'unattributed'})"
    else:
        text = f"quote {match.status}"
    return Departure("quote", match.status, TONES.get(match.status, "changed"), text,
                     ref_text, rep_text)


def fact_departure(match: FactMatch) -> Departure | None:
    """The departure a fact match stands for; None when the fact is the same."""
    if match.status == "same":
        return None
    ref, rep = match.reference, match.report
    kind = (ref or rep).kind if (ref or rep) else "fact"
    ref_text = _fact_label(ref) if ref else None
    rep_text = _fact_label(rep) if rep else None
    if ref_text and rep_text:
        text = f"{kind} {match.status}: {ref_text} → {rep_text}"
    else:
        text = f"{kind} {match.status}: {ref_text or rep_text or ''}"
    return Departure("fact", match.status, TONES.get(match.status, "changed"), text,
                     ref_text, rep_text)


def departures(report: ReportComparison) -> list[Departure]:
    """Every departure of a report: quotes first, then facts, each in text order."""
    found = [quote_departure(m) for m in report.quotes] + [fact_departure(m)
                                                           for m in report.facts]
    return [d for d in found if d is not None]


@dataclass(frozen=True)
class FactColumn:
    """A reference fact, one column of the outlet × fact matrix."""

    reference_id: str
    start: int
    end: int
    kind: str
    text: str
    subject: str | None


@dataclass(frozen=True)
class FactCell:
    """What one report did with one reference fact."""

    status: str
    """same, changed, qualified or omitted; "" when compare did not pair the fact."""
    report_text: str | None


@dataclass(frozen=True)
class FactMatrix:
    """Which outlet kept, changed, dropped or added each reference fact."""

    columns: list[FactColumn]
    rows: list[tuple[str, list[FactCell], list[str]]]
    """Per report: its name, a cell per column and the texts of the facts it added."""


def fact_matrix(comparison: Comparison) -> FactMatrix:
    """The outlet × fact matrix of a comparison: a column per reference fact, whichever
    reference it comes from."""
    order = {r.id: i for i, r in enumerate(comparison.references)}
    keyed: dict[tuple[int, int, int], FactColumn] = {}
    for report in comparison.reports:
        for match in report.facts:
            ref = match.reference
            rid = match.reference_id or ""
            key = (order.get(rid, 0), ref.start, ref.end) if ref is not None else None
            if ref is not None and key not in keyed:
                keyed[key] = FactColumn(rid, ref.start, ref.end, ref.kind, _fact_label(ref),
                                        ref.subject)
    columns = [keyed[key] for key in sorted(keyed)]
    rows = []
    for report in comparison.reports:
        found = {(m.reference_id or "", m.reference.start, m.reference.end): m
                 for m in report.facts if m.reference}
        cells = []
        for column in columns:
            match = found.get((column.reference_id, column.start, column.end))
            cells.append(FactCell(match.status, _fact_label(match.report) if match.report
                                  else None) if match else FactCell("", None))
        added = [_fact_label(m.report) for m in report.facts
                 if m.status == "added" and m.report is not None]
        rows.append((report_name(report), cells, added))
    return FactMatrix(columns, rows)


def outlet_similarity(comparison: Comparison) -> tuple[list[str], list[list[float]]]:
    """Names (references first) and the TF-IDF cosine similarity of every pair of texts.

    Word unigrams and bigrams weighted by TF-IDF over these texts only: two outlets that
    ran the same agency copy score near 1, independent reports near 0.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    articles = list(comparison.references) + [r.article for r in comparison.reports]
    names = [a.outlet or a.source for a in articles]
    if len(articles) < 2:
        return names, [[1.0] * len(articles)]
    try:
        vectors = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(
            [a.text for a in articles])
    except ValueError:  # no words at all in any text
        return names, [[0.0] * len(articles) for _ in articles]
    matrix = cosine_similarity(vectors)
    return names, [[round(float(v), 3) for v in row] for row in matrix]
