"""Every event of a store compared with its reference, one cluster at a time.

``compare_articles`` compares the articles of one event; ``compare_clusters`` runs it over
each stored cluster and yields ``Event`` records, which the corpus view of ``report`` folds
into rows per outlet and per event.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from coverage_cmp.compare import compare_articles
from coverage_cmp.model import Cluster, Comparison, Extraction
from coverage_cmp.settings import CompareSettings


@dataclass(frozen=True)
class Event:
    """One event's comparison, as the corpus view reads it."""

    event_id: str
    """The cluster id (or any id the caller gives the event)."""
    label: str
    comparison: Comparison


def compare_clusters(clusters: Sequence[Cluster], extractions: Sequence[Extraction],
                     settings: CompareSettings | None = None) -> Iterator[Event]:
    """Compare each event of more than one article with its reference, one at a time.

    A generator, so a caller can show progress (``len(clusters)`` steps at most) and stop
    early. Clusters with fewer than two extracted articles are skipped.
    """
    by_id = {extraction.article.id: extraction for extraction in extractions}
    for cluster in clusters:
        members = [by_id[m.id] for m in cluster.articles if m.id in by_id]
        if len(members) < 2:
            continue
        yield Event(cluster.id, cluster.label, compare_articles(members, settings=settings))
