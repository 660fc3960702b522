"""Options of every stage, checked once when built.

Each stage has a frozen dataclass; ``Settings`` combines them. The CLI builds one from
defaults and flags and passes it down: stages read no globals and no environment.
Use ``dataclasses.replace`` for variants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from coverage_cmp.errors import SettingsError
from coverage_cmp.pair_model import DEFAULT_PAIR_MODEL, PairModel

EXTRACTORS = ("trafilatura", "newspaper")


def _installed_version() -> str:
    """The version pyproject.toml gives, as installed (one place to change it)."""
    try:
        return version("coverage-cmp")
    except PackageNotFoundError:  # a source tree on sys.path that was never installed
        return "0+unknown"


VERSION = _installed_version()
#: Says who is asking and why; users add a contact with ``--user-agent``.
USER_AGENT = f"coverage-cmp/{VERSION} (news coverage research; polite crawler)"


def _check(owner: str, name: str, value: float, low: float, high: float | None = None,
           kind: str = "a number") -> None:
    """Reject a value out of range with one sentence, in scikit-learn's shape."""
    if high is None:
        ok, rng = value >= low, f"[{low}, inf)"
    else:
        ok, rng = low <= value <= high, f"[{low}, {high}]"
    if not ok:
        raise SettingsError(
            f"The '{name}' parameter of {owner} must be {kind} in the range {rng}. "
            f"Got {value!r} instead."
        )


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how robustly URLs are fetched."""

    user_agent: str = USER_AGENT
    timeout_s: float = 20.0
    """Time allowed to connect, and between two chunks of the body."""
    total_timeout_s: float = 60.0
    """Time allowed for one whole response, so a slow-drip body cannot hold a worker."""
    retries: int = 3
    """Retries after a 5xx, a 429 or a transient network error."""
    backoff_s: float = 1.0
    """First retry delay; doubled after each retry."""
    max_retry_after_s: float = 120.0
    """A Retry-After longer than this fails the URL instead of waiting."""
    max_redirects: int = 10
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    """Pause between two requests to the same host."""
    max_concurrency: int = 16
    """Requests in flight across all hosts."""
    max_body_bytes: int = 10_000_000
    """Cap on the body as sent, enforced while streaming."""
    max_decompressed_bytes: int = 50_000_000
    """Cap on the body after gzip/deflate/brotli decoding (gzip bombs)."""
    respect_robots: bool = True
    refresh: bool = False
    """Fetch URLs again even when the store already has them."""

    def __post_init__(self) -> None:
        owner = "FetchSettings"
        _check(owner, "timeout_s", self.timeout_s, 0.001)
        _check(owner, "total_timeout_s", self.total_timeout_s, 0.001)
        _check(owner, "retries", self.retries, 0, kind="an int")
        _check(owner, "backoff_s", self.backoff_s, 0)
        _check(owner, "max_retry_after_s", self.max_retry_after_s, 0)
        _check(owner, "max_redirects", self.max_redirects, 0, kind="an int")
        _check(owner, "per_host_concurrency", self.per_host_concurrency, 1, kind="an int")
        _check(owner, "per_host_delay_s", self.per_host_delay_s, 0)
        _check(owner, "max_concurrency", self.max_concurrency, 1, kind="an int")
        _check(owner, "max_body_bytes", self.max_body_bytes, 1, kind="an int")
        _check(owner, "max_decompressed_bytes", self.max_decompressed_bytes, 1, kind="an int")


@dataclass(frozen=True)
class CollectSettings:
    """What to collect and how to turn pages into articles."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    extractor: str = "trafilatura"
    """Body extractor: ``trafilatura`` (default) or ``newspaper``."""
    since: datetime | None = None
    """Keep feed and site items published on or after this time (naive times are UTC)."""
    until: datetime | None = None
    match: tuple[str, ...] = ()
    """Keep feed and site items whose title or summary contains one of these words."""
    outlets_file: str | None = None
    """An ``outlets.toml`` mapping domains to outlet name, scope and region."""
    max_file_bytes: int = 50_000_000
    """Local files larger than this are refused with an error, not read."""
    max_site_articles: int = 500
    """Article links taken from one outlet site (``--site``)."""

    def __post_init__(self) -> None:
        # Naive times are UTC, so a naive --since compares with an aware feed date.
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                object.__setattr__(self, name, value.replace(tzinfo=UTC))
        if self.extractor not in EXTRACTORS:
            raise SettingsError(
                f"The 'extractor' parameter of CollectSettings must be one of "
                f"{', '.join(EXTRACTORS)}. Got {self.extractor!r} instead."
            )
        if self.since and self.until and self.since > self.until:
            raise SettingsError(
                f"The 'since' parameter of CollectSettings must not be after 'until'. "
                f"Got {self.since.isoformat()} > {self.until.isoformat()} instead."
            )
        _check("CollectSettings", "max_file_bytes", self.max_file_bytes, 1, kind="an int")
        _check("CollectSettings", "max_site_articles", self.max_site_articles, 1, kind="an int")


@dataclass(frozen=True)
class ClusterSettings:
    """How articles are grouped into events (see ``coverage_cmp.cluster``)."""

    threshold: float = 0.5
    """Mean probability of one event, over all article pairs of two groups, needed to merge
    them (``--threshold``); higher splits more. 0.5: more likely one event than not."""
    cohesion: float = 0.7
    """Two groups of five articles or more merge only if their pairs' mean probability also
    reaches this share of the looser group's own (over its pairs): the reports of Vincent
    Jackson's drink-driving arrest and of Jamal Williams's, a month later at the same club,
    average 0.6 across, above the threshold, but 0.9 within each. 0 turns it off; chosen
    on held-out ECB+ topics (bench/cluster.py)."""
    window_days: float = 3.0
    """Articles published further apart than this join only as near-verbatim copies
    (``--window``); articles without a date are compared with all."""
    time_weight: float = 3.0
    """Log odds of one event added for two articles published at the same moment that share
    a name, number or date, falling linearly to 0 at the window's edge (dated articles
    only): a local angle shares few words with the release but comes out the same morning.
    The smallest value in steps of 0.5 that keeps the fixtures' local-angle report with its
    event, plus one step."""
    title_weight: int = 2
    """How many times the title counts, against once for the body."""
    duplicate_threshold: float = 0.7
    """Estimated Jaccard similarity of word 4-gram shingles above which two articles are
    copies of one story."""
    max_neighbors: int = 30
    """Most similar articles kept per article in the neighbour graph."""
    model: PairModel = DEFAULT_PAIR_MODEL
    """The same-event model weighing each pair (``--model FILE``, written by
    ``coverage-cmp fit-model``); the default is fitted on ECB+."""

    def __post_init__(self) -> None:
        owner = "ClusterSettings"
        if not isinstance(self.model, PairModel):
            raise SettingsError(f"The 'model' parameter of {owner} must be a PairModel. "
                                f"Got {type(self.model).__name__} instead.")
        _check(owner, "threshold", self.threshold, 0.0, 1.0)
        _check(owner, "cohesion", self.cohesion, 0.0, 1.0)
        _check(owner, "window_days", self.window_days, 0.0)
        _check(owner, "time_weight", self.time_weight, 0.0, 20.0)
        _check(owner, "title_weight", self.title_weight, 0, kind="an int")
        _check(owner, "duplicate_threshold", self.duplicate_threshold, 0.01, 1.0)
        _check(owner, "max_neighbors", self.max_neighbors, 1, kind="an int")


@dataclass(frozen=True)
class CompareSettings:
    """How reports are compared with their reference (see ``coverage_cmp.compare``)."""

    min_match_words: int = 4
    """Shortest run of identical words counted as verbatim reuse."""
    rewrite_similarity: float = 0.55
    """TF-IDF cosine a report sentence needs with a reference sentence to be a rewrite."""
    rewrite_overlap: float = 0.5
    """Share of its content words (no stop words or numbers) a rewrite must find in its
    reference sentence. Cross-validation on the built pairs picks 0.9, but their rewording
    swaps a few listed synonyms; 0.5 still takes a sentence with half its words reworded
    (bench/compare_accuracy.py prints the trade-off)."""
    wholly_derived: float = 0.925
    """Reused share of the narrative (words outside quotes) from which a report is
    ``wholly-derived``; chosen by cross-validation in ``bench/compare_accuracy.py``."""
    partially_derived: float = 0.425
    """Reused share of the narrative from which a report is ``partially-derived`` (below
    it, ``non-derived``); chosen like ``wholly_derived``."""
    quote_match: float = 85.0
    """rapidfuzz partial ratio (0-100) for a report quote to be a reference quote's words."""
    quote_reworded: float = 55.0
    """Lower ratio accepted when the speaker is the same (the quote was reworded)."""

    def __post_init__(self) -> None:
        owner = "CompareSettings"
        _check(owner, "min_match_words", self.min_match_words, 1, kind="an int")
        _check(owner, "rewrite_similarity", self.rewrite_similarity, 0.0, 1.0)
        _check(owner, "rewrite_overlap", self.rewrite_overlap, 0.0, 1.0)
        _check(owner, "partially_derived", self.partially_derived, 0.0, 1.0)
        _check(owner, "wholly_derived", self.wholly_derived, self.partially_derived, 1.0)
        _check(owner, "quote_match", self.quote_match, 0.0, 100.0)
        _check(owner, "quote_reworded", self.quote_reworded, 0.0, self.quote_match)


@dataclass(frozen=True)
class PartitionSettings:
    """How a corpus is cut into clustering tasks (see ``coverage_cmp.scale``)."""

    window_days: float | None = None
    """Length of one partition's own time window (``--partition-days``); 28 days cut a year
    into 13 partitions. None (the default) clusters the whole corpus in one task, exactly:
    partitions keep undated articles among themselves and do not link copies published more
    than a window apart, so use them only for corpora one pass cannot hold."""
    overlap_days: float | None = None
    """Days before the window that its task also clusters; None takes the clustering
    window (``ClusterSettings.window_days``), the furthest apart two articles can link."""

    def __post_init__(self) -> None:
        owner = "PartitionSettings"
        if self.window_days is not None:
            _check(owner, "window_days", self.window_days, 0.001)
        if self.overlap_days is not None:
            _check(owner, "overlap_days", self.overlap_days, 0.0)


@dataclass(frozen=True)
class Settings:
    """All options of a run."""

    collect: CollectSettings = field(default_factory=CollectSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    compare: CompareSettings = field(default_factory=CompareSettings)
    partition: PartitionSettings = field(default_factory=PartitionSettings)
