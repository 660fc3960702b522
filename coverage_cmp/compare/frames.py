"""Comparison results as pandas tables, for scholars who load many events at once.

pandas is optional: it is imported only here, when a caller asks for frames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coverage_cmp.errors import CoverageCmpError
from coverage_cmp.model import Comparison, Fact, Quote

if TYPE_CHECKING:
    import pandas as pd


_SIDES = ("reference", "report")
#: Columns of each table, in order.
COLUMNS = {
    "reports": ("report_id", "source", "outlet", "title", "published", "label", "reused_share",
                "verbatim_share", "reference_coverage", "narrative_reused_share",
                "top_departures"),
    "segments": ("report_id", "start", "end", "kind", "text", "reference_id",
                 "reference_start", "reference_end"),
    "quotes": ("report_id", "status", "speaker_status", "similarity", "reference_id",
               *(f"{side}_{column}" for side in _SIDES
                 for column in ("text", "start", "end", "speaker"))),
    "facts": ("report_id", "status", "kind", "subject", "reference_id",
              *(f"{side}_{column}" for side in _SIDES
                for column in ("text", "start", "end", "value", "qualifier"))),
}


def _quote_columns(prefix: str, quote: Quote | None) -> dict[str, Any]:
    return {f"{prefix}_text": quote.text if quote else None,
            f"{prefix}_start": quote.start if quote else None,
            f"{prefix}_end": quote.end if quote else None,
            f"{prefix}_speaker": quote.speaker if quote else None}


def _fact_columns(prefix: str, fact: Fact | None) -> dict[str, Any]:
    return {f"{prefix}_text": fact.text if fact else None,
            f"{prefix}_start": fact.start if fact else None,
            f"{prefix}_end": fact.end if fact else None,
            f"{prefix}_value": None if fact is None else (
                ", ".join(map(str, fact.value)) if isinstance(fact.value, list) else fact.value),
            f"{prefix}_qualifier": fact.qualifier if fact else None}


def comparison_rows(comparison: Comparison) -> dict[str, list[dict[str, Any]]]:
    """One list of flat rows per table: ``reports``, ``segments``, ``quotes``, ``facts``;
    every row but a report's carries its ``report_id``."""
    tables: dict[str, list[dict[str, Any]]] = {"reports": [], "segments": [], "quotes": [],
                                               "facts": []}
    for report in comparison.reports:
        article, reuse = report.article, report.reuse
        tables["reports"].append({
            "report_id": article.id, "source": article.source, "outlet": article.outlet,
            "title": article.title, "published": article.published, "label": reuse.label,
            "reused_share": reuse.reused_share, "verbatim_share": reuse.verbatim_share,
            "reference_coverage": reuse.reference_coverage,
            "narrative_reused_share": reuse.narrative_reused_share,
            "top_departures": " | ".join(report.summary.get("top_departures", []))})
        for segment in report.segments:
            tables["segments"].append({
                "report_id": article.id, "start": segment.start, "end": segment.end,
                "kind": segment.kind, "text": article.text[segment.start:segment.end],
                "reference_id": segment.reference_id,
                "reference_start": segment.reference_start,
                "reference_end": segment.reference_end})
        for match in report.quotes:
            tables["quotes"].append({
                "report_id": article.id, "status": match.status,
                "speaker_status": match.speaker_status, "similarity": match.similarity,
                "reference_id": match.reference_id,
                **_quote_columns("reference", match.reference),
                **_quote_columns("report", match.report)})
        for match in report.facts:
            fact = match.reference or match.report
            tables["facts"].append({
                "report_id": article.id, "status": match.status,
                "kind": fact.kind if fact else None, "subject": fact.subject if fact else None,
                "reference_id": match.reference_id,
                **_fact_columns("reference", match.reference),
                **_fact_columns("report", match.report)})
    return tables


def comparison_frames(comparison: Comparison) -> dict[str, pd.DataFrame]:
    """``comparison_rows`` as pandas DataFrames with the ``COLUMNS`` of each table (kept
    when a table is empty).

    Raises:
        CoverageCmpError: pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError as exc:
        error = CoverageCmpError("Comparison.to_dataframes() needs pandas, which is not "
                                 "installed")
        error.hint = "pip install pandas"
        raise error from exc
    frames = {}
    for name, rows in comparison_rows(comparison).items():
        frame = pd.DataFrame(rows, columns=list(COLUMNS[name]))
        offsets = [c for c in frame.columns if c in ("start", "end") or c.endswith(
            ("_start", "_end"))]
        frames[name] = frame.astype(dict.fromkeys(offsets, "Int64"))  # offsets stay integers
    return frames
