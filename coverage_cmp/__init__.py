"""coverage-cmp: how each outlet's report of an event departs from the release.

A library first; the ``coverage-cmp`` command calls these functions::

    import coverage_cmp
    extractions = coverage_cmp.extract(["release.html", "report.html"])
    clusters = coverage_cmp.cluster(["saved-pages/"])
    comparison = coverage_cmp.compare(["release.html", "report.html"],
                                      reference="release.html")
"""

from __future__ import annotations

from collections.abc import Sequence

# The stage packages load first: ``extract``, ``cluster`` and ``compare`` below are the
# public verbs, and binding them after the stage modules are imported keeps them from
# being replaced by the modules of the same name.
from coverage_cmp import cluster as _cluster_stage  # noqa: E402, F401
from coverage_cmp import compare as _compare_stage  # noqa: E402, F401
from coverage_cmp import extract as _extract_stage  # noqa: E402, F401
from coverage_cmp import pipeline as _pipeline  # noqa: E402
from coverage_cmp.errors import CoverageCmpError  # noqa: E402
from coverage_cmp.model import (  # noqa: E402
    Article,
    Cluster,
    Comparison,
    Extraction,
    Fact,
    Quote,
    SourceFailure,
)
from coverage_cmp.settings import VERSION as __version__
from coverage_cmp.settings import Settings  # noqa: E402
from coverage_cmp.store import Store  # noqa: E402

__all__ = [
    "Article",
    "Cluster",
    "Comparison",
    "CoverageCmpError",
    "Extraction",
    "Fact",
    "Quote",
    "Settings",
    "SourceFailure",
    "Store",
    "__version__",
    "cluster",
    "collect",
    "compare",
    "extract",
]

Inputs = Sequence["Article | str"]


def collect(sources: Sequence[str], *, db: str = "coverage.db",
            settings: Settings | None = None) -> _pipeline.CollectReport:
    """Fetch or read ``sources`` into the store at ``db``; returns what the run did."""
    with Store(db) as store:
        return _pipeline.collect_into_store(sources, settings or Settings(), store)


def extract(inputs: Inputs = (), *, db: str | None = None,
            settings: Settings | None = None) -> list[Extraction]:
    """Quotes (with speakers) and facts of articles, sources, or every article in ``db``.

    Sources that fail are skipped; use ``pipeline.extract_sources`` to get them listed.
    """
    store = Store(db, readonly=True) if db else None
    try:
        return _pipeline.extract_sources(inputs, settings, store)[0]
    finally:
        if store:
            store.close()


def cluster(inputs: Inputs = (), *, db: str | None = None,
            settings: Settings | None = None) -> list[Cluster]:
    """Group articles by event. With ``db`` and no inputs, the store's articles are
    clustered and the assignment stored (existing clusters keep their ids)."""
    store = Store(db) if db else None
    try:
        return _pipeline.cluster_sources(inputs, settings, store)[0]
    finally:
        if store:
            store.close()


def compare(inputs: Inputs = (), *, reference: str | Sequence[str] = (),
            db: str | None = None, cluster_id: str | None = None,
            settings: Settings | None = None) -> Comparison:
    """Compare the reports of one event with its reference(s) (chosen when not given)."""
    references = (reference,) if isinstance(reference, str) else tuple(reference)
    store = Store(db, readonly=True) if db else None
    try:
        return _pipeline.compare_sources(inputs, settings, store, cluster_id=cluster_id,
                                         references=references)[0]
    finally:
        if store:
            store.close()
