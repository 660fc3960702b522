"""Tidy data: CSV tables with ids that join, the corpus as JSON, and the JSON Schemas.

Every table has one row per item and loads with ``pandas.read_csv`` and R's ``read.csv``
with no options: UTF-8 without BOM, a header row, comma separated, fields quoted when
needed, empty for missing values, ``TRUE``/``FALSE`` for booleans. ``docs/codebook.md``
documents each column.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from coverage_cmp.compare.events import Event
from coverage_cmp.errors import CoverageCmpError
from coverage_cmp.model import Comparison, Fact, Quote
from coverage_cmp.report._views import FACT_STATUSES, QUOTE_STATUSES
from coverage_cmp.report.corpus import Corpus, OutletSummary

REPORT_COLUMNS = [
    "event_id", "report_id", "reference_id", "source", "url", "outlet", "scope", "region",
    "title", "published", "words", "label", "reused_share", "verbatim_share",
    "reference_coverage", "narrative_reused_share",
    *(f"quotes_{s.replace('-', '_')}" for s in QUOTE_STATUSES),
    *(f"facts_{s}" for s in FACT_STATUSES), "top_departure"]
SEGMENT_COLUMNS = ["event_id", "report_id", "segment_index", "start", "end", "kind", "words",
                   "reference_id", "reference_start", "reference_end", "text"]
_QUOTE_SIDE = ["text", "speaker", "speaker_mention", "kind", "partial", "start", "end"]
QUOTE_COLUMNS = ["event_id", "report_id", "quote_index", "status", "speaker_status",
                 "similarity", "reference_id",
                 *(f"reference_{c}" for c in _QUOTE_SIDE), *(f"report_{c}" for c in _QUOTE_SIDE),
                 "words_added", "words_dropped", "words_changed"]
_FACT_SIDE = ["text", "value", "unit", "qualifier", "subject", "start", "end"]
FACT_COLUMNS = ["event_id", "report_id", "fact_index", "status", "kind", "reference_id",
                *(f"reference_{c}" for c in _FACT_SIDE), *(f"report_{c}" for c in _FACT_SIDE)]
OUTLET_COLUMNS = [f.name for f in dataclasses.fields(OutletSummary) if f.name != "labels"] + [
    "wholly_derived", "partially_derived", "non_derived"]
EVENT_COLUMNS = ["event_id", "label", "reports", "outlets", "references", "mean_reused_share"]
KEY_NUMBER_COLUMNS = ["event_id", "rank", "kind", "subject", "reference_text",
                      "reference_value", "unit", "reports", "low", "high", "distinct"]


def cell(value: Any) -> str:
    """One CSV field: empty for None, TRUE/FALSE, whole floats without ".0", JSON for lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _write(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(column)) for column in columns])
    return path


def _quote_side(prefix: str, quote: Quote | None) -> dict[str, Any]:
    if quote is None:
        return {}
    return {f"{prefix}_{c}": getattr(quote, c) for c in _QUOTE_SIDE}


def _fact_side(prefix: str, fact: Fact | None) -> dict[str, Any]:
    if fact is None:
        return {}
    return {f"{prefix}_{c}": getattr(fact, c) for c in _FACT_SIDE}


def _rows(events: Sequence[Event]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {"reports": [], "segments": [], "quotes": [],
                                               "facts": []}
    for event in events:
        comparison = event.comparison
        refs = ", ".join(r.id for r in comparison.references) or None
        for report in comparison.reports:
            a, reuse = report.article, report.reuse
            key = {"event_id": event.event_id, "report_id": a.id}
            top = report.summary.get("top_departures") or [None]
            tables["reports"].append({
                **key, "reference_id": refs, "source": a.source,
                "url": a.url or a.canonical_url, "outlet": a.outlet, "scope": a.outlet_scope,
                "region": a.outlet_region,
                "title": a.title, "published": a.published, "words": len(a.text.split()),
                "label": reuse.label, "reused_share": reuse.reused_share,
                "verbatim_share": reuse.verbatim_share,
                "reference_coverage": reuse.reference_coverage,
                "narrative_reused_share": reuse.narrative_reused_share,
                **{f"quotes_{s.replace('-', '_')}": sum(m.status == s for m in report.quotes)
                   for s in QUOTE_STATUSES},
                **{f"facts_{s}": sum(m.status == s for m in report.facts)
                   for s in FACT_STATUSES},
                "top_departure": top[0]})
            for i, seg in enumerate(report.segments):
                piece = a.text[seg.start:seg.end]
                tables["segments"].append({
                    **key, "segment_index": i, "start": seg.start, "end": seg.end,
                    "kind": seg.kind, "words": len(piece.split()),
                    "reference_id": seg.reference_id, "reference_start": seg.reference_start,
                    "reference_end": seg.reference_end, "text": piece})
            for i, q in enumerate(report.quotes):
                diff = q.diff or {}
                tables["quotes"].append({
                    **key, "quote_index": i, "status": q.status,
                    "speaker_status": q.speaker_status, "similarity": q.similarity,
                    "reference_id": q.reference_id if q.reference else None,
                    **_quote_side("reference", q.reference), **_quote_side("report", q.report),
                    "words_added": " | ".join(diff.get("added", [])) or None,
                    "words_dropped": " | ".join(diff.get("dropped", [])) or None,
                    "words_changed": " | ".join(f"{old} → {new}" for old, new in
                                                diff.get("changed", [])) or None})
            for i, f in enumerate(report.facts):
                tables["facts"].append({
                    **key, "fact_index": i, "status": f.status,
                    "kind": (f.reference or f.report).kind if (f.reference or f.report) else None,
                    "reference_id": f.reference_id if f.reference else None,
                    **_fact_side("reference", f.reference), **_fact_side("report", f.report)})
    return tables


def write_events_csv(events: Sequence[Event], out_dir: str | Path) -> list[Path]:
    """Write ``reports.csv``, ``segments.csv``, ``quotes.csv`` and ``facts.csv``.

    Rows join on ``report_id`` (and ``event_id`` across events); ``reference_id`` names
    the reference article.

    Returns:
        The four paths, in that order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = _rows(events)
    return [_write(out / "reports.csv", REPORT_COLUMNS, tables["reports"]),
            _write(out / "segments.csv", SEGMENT_COLUMNS, tables["segments"]),
            _write(out / "quotes.csv", QUOTE_COLUMNS, tables["quotes"]),
            _write(out / "facts.csv", FACT_COLUMNS, tables["facts"])]


def write_compare_csv(comparison: Comparison, out_dir: str | Path, *,
                      event_id: str = "") -> list[Path]:
    """The four tidy tables of one comparison (see ``write_events_csv``)."""
    return write_events_csv([Event(event_id, "", comparison)], out_dir)


def write_corpus_csv(corpus: Corpus, out_dir: str | Path,
                     events: Sequence[Event] = ()) -> list[Path]:
    """Write ``outlets.csv``, ``events.csv`` and ``key_numbers.csv``; with ``events``,
    the four tidy tables of every report too."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    outlets = [{**{k: v for k, v in dataclasses.asdict(o).items() if k != "labels"},
                **{label.replace("-", "_"): o.labels.get(label, 0)
                   for label in ("wholly-derived", "partially-derived", "non-derived")}}
               for o in corpus.outlets]
    rows = [{"event_id": e.event_id, "label": e.label, "reports": e.reports,
             "outlets": e.outlets, "references": "; ".join(e.references),
             "mean_reused_share": e.mean_reused_share} for e in corpus.events]
    numbers = [{"event_id": e.event_id, "rank": rank, **dataclasses.asdict(k)}
               for e in corpus.events for rank, k in enumerate(e.key_numbers, 1)]
    paths = [_write(out / "outlets.csv", OUTLET_COLUMNS, outlets),
             _write(out / "events.csv", EVENT_COLUMNS, rows),
             _write(out / "key_numbers.csv", KEY_NUMBER_COLUMNS, numbers)]
    return paths + (write_events_csv(events, out) if events else [])


def corpus_to_json(corpus: Corpus) -> dict[str, Any]:
    """The ``coverage-cmp/report@1`` object of ``coverage-cmp report --format json``."""
    return {"schema": "coverage-cmp/report@1", "reports": corpus.reports,
            "outlets": [dataclasses.asdict(o) for o in corpus.outlets],
            "events": [dataclasses.asdict(e) for e in corpus.events]}


#: JSON Schema file of each output, in ``coverage_cmp/schemas``.
SCHEMAS = {"coverage-cmp/extract@1": "extract.schema.json",
           "coverage-cmp/cluster@1": "cluster.schema.json",
           "coverage-cmp/compare@1": "compare.schema.json",
           "coverage-cmp/report@1": "report.schema.json"}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an output, by its ``schema`` value."""
    if name not in SCHEMAS:
        raise CoverageCmpError(f"no JSON Schema for {name!r}; known: {', '.join(SCHEMAS)}")
    text = resources.files("coverage_cmp").joinpath("schemas", SCHEMAS[name]).read_text(
        encoding="utf-8")
    return json.loads(text)
