"""Per-report summary: label, shares, counts by status, the three departures that matter."""

from __future__ import annotations

from collections import Counter
from typing import Any

from coverage_cmp.model import FactMatch, QuoteMatch, ReuseSummary

#: How much a departure matters, higher first; a misattributed quote and a changed number
#: come before a trimmed quote. ``same`` and ``verbatim`` (with the right speaker) are not
#: departures.
_QUOTE_WEIGHT = {"narrative-quoted": 8, "altered": 7, "paraphrased": 4, "trimmed": 3,
                 "new": 2, "omitted": 1}
_FACT_WEIGHT = {"changed": 9, "qualified": 6, "added": 2, "omitted": 1}
_MISATTRIBUTED = 10


def _words(text: str, limit: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:limit]) + (" …" if len(parts) > limit else "")


def _quote_line(match: QuoteMatch) -> tuple[int, str]:
    ref, rep = match.reference, match.report
    if match.speaker_status == "changed" and ref and rep:
        return _MISATTRIBUTED, (f"quote misattributed: “{_words(rep.text)}” given to "
                                f"{rep.speaker}, said by {ref.speaker}")
    weight = _QUOTE_WEIGHT.get(match.status, 0)
    if match.status == "new" and rep:
        return weight, f"new quote: “{_words(rep.text)}” ({rep.speaker or 'unattributed'})"
    if match.status == "omitted" and ref:
        return weight, f"quote omitted: “{_words(ref.text)}” ({ref.speaker})"
    if rep and ref:
        return weight, f"quote {match.status}: “{_words(ref.text)}” → “{_words(rep.text)}”"
    return weight, f"quote {match.status}"


def _fact_line(match: FactMatch) -> tuple[int, str]:
    ref, rep = match.reference, match.report
    weight = _FACT_WEIGHT.get(match.status, 0)
    kind = (ref or rep).kind if (ref or rep) else "fact"
    if ref and rep:
        return weight, f"{kind} {match.status}: {ref.text} → {rep.text}"
    if rep:
        return weight, f"{kind} added: {rep.text}"
    return weight, f"{kind} omitted: {ref.text}" if ref else f"{kind} {match.status}"


def summarise(reuse: ReuseSummary, quotes: list[QuoteMatch], facts: list[FactMatch]
              ) -> dict[str, Any]:
    """The report's summary object: label, shares, counts and top three departures."""
    ranked = []
    for match in quotes:
        if match.status != "verbatim" or match.speaker_status == "changed":
            ranked.append(_quote_line(match))
    for match in facts:
        if match.status != "same":
            ranked.append(_fact_line(match))
    ranked.sort(key=lambda item: -item[0])  # stable: text order within a weight
    return {
        "label": reuse.label,
        "reused_share": reuse.reused_share,
        "verbatim_share": reuse.verbatim_share,
        "quotes": dict(Counter(m.status for m in quotes)),
        "facts": dict(Counter(m.status for m in facts)),
        "top_departures": [line for _, line in ranked[:3]],
    }
