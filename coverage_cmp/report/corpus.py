"""The corpus view: across every compared event, how each outlet treats its sources, and
how far each event's key numbers spread.

``corpus_summary`` folds the events that ``coverage_cmp.compare.events.compare_clusters``
compared into one row per outlet and one per event.
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from coverage_cmp.compare.events import Event
from coverage_cmp.model import Comparison, ReportComparison

log = logging.getLogger(__name__)

#: Fact kinds whose values are numbers, and so can spread.
NUMERIC_KINDS = ("quantity", "money", "percent")
#: Key numbers listed per event.
KEY_NUMBERS = 3


@dataclass(frozen=True)
class KeyNumber:
    """A number of the reference and the values the reports gave for it."""

    kind: str
    subject: str | None
    reference_text: str
    reference_value: float
    unit: str | None
    reports: int
    """Reports that give this number (same, qualified or changed)."""
    low: float
    """Smallest value a report gave (the reference's when none did)."""
    high: float
    distinct: int
    """Distinct values among the reports."""

    def describe(self) -> str:
        """E.g. "children 431 (400–431 in 9 reports)"."""
        what = self.subject or self.kind
        spread = _number(self.low) if self.low == self.high else (
            f"{_number(self.low)}–{_number(self.high)}")
        return f"{what} {_number(self.reference_value)} ({spread} in {self.reports} reports)"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@dataclass(frozen=True)
class EventSummary:
    """One event: how big its coverage is and how its key numbers spread."""

    event_id: str
    label: str
    reports: int
    outlets: int
    """Distinct outlets among the reports."""
    references: list[str]
    """Outlet names (else sources) of the references."""
    mean_reused_share: float
    key_numbers: list[KeyNumber] = field(default_factory=list)
    """The reference numbers most reports carry, most carried first."""


@dataclass(frozen=True)
class OutletSummary:
    """How one outlet treats its sources, over all its compared reports."""

    outlet: str
    scope: str
    articles: int
    mean_reused_share: float
    mean_verbatim_share: float
    quotes_verbatim_share: float | None
    """Share of the reference quotes it ran that it kept word for word; None without any."""
    quotes_trimmed_share: float | None
    quotes_altered_share: float | None
    """Altered, paraphrased or narrative put in quote marks."""
    facts_changed_per_article: float
    """Changed or qualified reference facts per article."""
    facts_added_per_article: float
    local_angle_share: float
    """Share of its articles adding at least one count of their own (an ``added`` quantity:
    "Eight arrests were made in Cambridgeshire")."""
    labels: dict[str, int] = field(default_factory=dict)
    """Articles per reuse label."""


@dataclass(frozen=True)
class Corpus:
    """The corpus view: per outlet and per event."""

    outlets: list[OutletSummary]
    """Most articles first."""
    events: list[EventSummary]
    """Largest coverage first."""
    reports: int


def _local_angle(report: ReportComparison) -> bool:
    return any(m.status == "added" and m.report is not None and m.report.kind == "quantity"
               for m in report.facts)


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _key_numbers(comparison: Comparison) -> list[KeyNumber]:
    values: dict[tuple[int, int], list[float]] = defaultdict(list)
    facts = {}
    for report in comparison.reports:
        for match in report.facts:
            ref = match.reference
            if ref is None or ref.kind not in NUMERIC_KINDS or _numeric(ref.value) is None:
                continue
            facts[(ref.start, ref.end)] = ref
            given = _numeric(match.report.value) if match.report is not None else None
            if match.status != "omitted" and given is not None:
                values[(ref.start, ref.end)].append(given)
    numbers = []
    for key, ref in facts.items():
        given = values.get(key, [])
        reference_value = float(ref.value)
        numbers.append(KeyNumber(
            ref.kind, ref.subject, " ".join(ref.text.split()), reference_value, ref.unit,
            len(given), min(given, default=reference_value), max(given, default=reference_value),
            len(set(given))))
    numbers.sort(key=lambda k: -k.reports)  # stable: reference order among equals
    return numbers[:KEY_NUMBERS]


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 4) if values else 0.0


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _outlet_summary(outlet: str, reports: list[ReportComparison]) -> OutletSummary:
    quotes = Counter(m.status for r in reports for m in r.quotes if m.reference is not None)
    ran = sum(quotes.values())
    facts = Counter(m.status for r in reports for m in r.facts)
    scopes = Counter(r.article.outlet_scope or "" for r in reports)
    n = len(reports)
    return OutletSummary(
        outlet=outlet, scope=scopes.most_common(1)[0][0], articles=n,
        mean_reused_share=_mean([r.reuse.reused_share for r in reports]),
        mean_verbatim_share=_mean([r.reuse.verbatim_share for r in reports]),
        quotes_verbatim_share=_share(quotes["verbatim"], ran),
        quotes_trimmed_share=_share(quotes["trimmed"], ran),
        quotes_altered_share=_share(
            quotes["altered"] + quotes["paraphrased"] + quotes["narrative-quoted"], ran),
        facts_changed_per_article=round((facts["changed"] + facts["qualified"]) / n, 4),
        facts_added_per_article=round(facts["added"] / n, 4),
        local_angle_share=round(sum(_local_angle(r) for r in reports) / n, 4),
        labels=dict(Counter(r.reuse.label for r in reports)))


def corpus_summary(events: Iterable[Event]) -> Corpus:
    """Fold compared events into the corpus view.

    Args:
        events: from ``compare_clusters``, or built from comparisons the caller holds.

    Returns:
        One summary per outlet (most articles first) and per event (largest first).
    """
    by_outlet: dict[str, list[ReportComparison]] = defaultdict(list)
    summaries = []
    total = 0
    for event in events:
        comparison = event.comparison
        for report in comparison.reports:
            by_outlet[report.article.outlet or "(unknown outlet)"].append(report)
        total += len(comparison.reports)
        summaries.append(EventSummary(
            event_id=event.event_id, label=event.label, reports=len(comparison.reports),
            outlets=len({r.article.outlet or r.article.source for r in comparison.reports}),
            references=[r.outlet or r.source for r in comparison.references],
            mean_reused_share=_mean([r.reuse.reused_share for r in comparison.reports]),
            key_numbers=_key_numbers(comparison)))
    outlets = [_outlet_summary(name, reports) for name, reports in by_outlet.items()]
    outlets.sort(key=lambda o: (-o.articles, o.outlet))
    summaries.sort(key=lambda e: (-e.reports, e.event_id))
    log.debug("corpus of %d reports, %d outlets, %d events", total, len(outlets),
              len(summaries))
    return Corpus(outlets, summaries, total)
