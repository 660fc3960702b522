"""The records that pass between stages.

Every stage takes and returns these plain dataclasses, so the same code runs in one
process, in a process pool or on a cluster. ``to_json()`` gives the dict written in the
command-line contract (``../shared/DESIGN.md``); field order is output order.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any

#: Outlet scopes, from the issuer of a release down to local papers.
SCOPES = ("release", "agency", "national", "regional", "local", "other")


def content_hash(text: str) -> str:
    """Hash of the body text with white space and case folded, to spot one story twice."""
    folded = " ".join(text.split()).casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def article_id(canonical_url: str | None, text_hash: str) -> str:
    """Stable id: from the canonical URL where there is one, else from the content.

    The same page fetched twice, or saved to disk with its canonical link, gets the
    same id in every command, with or without a store.
    """
    key = canonical_url if canonical_url else "sha256:" + text_hash
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Outlet:
    """Who published an article."""

    name: str
    """Display name, e.g. "BBC News"."""
    domain: str | None = None
    """Registered domain, e.g. "bbc.co.uk"."""
    scope: str = "other"
    """One of ``SCOPES``."""
    region: str | None = None
    """Region for regional and local outlets, e.g. "Cambridgeshire"."""


@dataclass
class Article:
    """One article's body text and metadata, however it was obtained."""

    source: str
    """The input exactly as the user gave it (path or URL string)."""
    text: str
    """Body text: no headline, byline, captions or navigation; newlines normalised."""
    title: str | None = None
    url: str | None = None
    """The URL the article was fetched from (after redirects), if any."""
    canonical_url: str | None = None
    outlet: str | None = None
    outlet_scope: str | None = None
    outlet_region: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    """ISO 8601 date or date-time, as precise as the page gave it."""
    raw_html: bytes | None = field(default=None, repr=False)
    """The page as fetched or read, kept compressed in the store; never in JSON."""
    id: str = ""
    """Filled from the canonical URL or the content when left empty."""
    content_hash: str = ""

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.text)
        if not self.id:
            self.id = article_id(self.canonical_url, self.content_hash)

    def to_json(self) -> dict[str, Any]:
        """The article fields of the JSON contract (no raw HTML)."""
        return {
            "id": self.id,
            "source": self.source,
            "outlet": self.outlet,
            "title": self.title,
            "published": self.published,
            "text": self.text,
        }


@dataclass(frozen=True)
class Quote:
    """A quotation found in an article's text, with who said it."""

    text: str
    """The quoted words without the marks; ``article.text[start:end]``."""
    start: int
    end: int
    kind: str = "direct"
    """``direct`` (inside quote marks) or ``indirect`` (reported speech)."""
    partial: bool = False
    """A short quoted fragment worked into the narrator's own sentence."""
    speaker: str | None = None
    """Best name for who said it; None when only described ("a spokesperson")."""
    speaker_mention: str | None = None
    """The attributing string as written ("he", "NCA Deputy Director General Phil Gormley")."""
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    """The attribution verb or marker as written ("said", "told", ":")."""
    multi_paragraph: bool = False
    """The quotation runs over more than one paragraph."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Fact:
    """A number, date, name, place or title found in an article, with what it refers to."""

    kind: str
    """quantity, money, percent, date, duration, person, organisation, place or title."""
    text: str
    """``article.text[start:end]``."""
    start: int
    end: int
    value: Any = None
    """Normalised value: a number, an ISO date, a canonical name."""
    unit: str | None = None
    """Currency, "%", "months", … where the kind has one."""
    qualifier: str | None = None
    """Hedge kept apart from the value: "more than", "nearly", "around", "at least", …"""
    subject: str | None = None
    """What the value is about: the noun counted, the person a title belongs to."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Extraction:
    """An article with the quotes and facts found in it."""

    article: Article
    quotes: list[Quote] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = self.article.to_json()
        out["quotes"] = [q.to_json() for q in self.quotes]
        out["facts"] = [f.to_json() for f in self.facts]
        return out


@dataclass(frozen=True)
class SourceFailure:
    """An input that could not be read, fetched or turned into an article."""

    source: str
    """The input as the user gave it (or the URL found from it)."""
    error: str
    """One line, naming what went wrong."""

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "error": self.error}


@dataclass(frozen=True)
class Link:
    """A URL still to fetch, found in a URL list, a feed, an outlet site or an export."""

    url: str
    source: str
    """The input it came from, as the user gave it (a URL list path, a feed URL, …)."""
    title: str | None = None
    published: str | None = None
    """ISO 8601, when the feed or export gave it."""
    outlet: str | None = None
    """Outlet name when the export gave one (media_name, outlet, …)."""


@dataclass(frozen=True)
class ClusterMember:
    """One article's place in an event cluster."""

    id: str
    """The article's id."""
    source: str
    outlet: str | None = None
    published: str | None = None
    duplicate_of: str | None = None
    """Id of the earliest near-verbatim copy of this article (syndication), if any."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Cluster:
    """Articles reporting one event, with what characterises it."""

    id: str
    """Stable id: kept when the cluster is extended by a later run."""
    label: str
    """Words and entities that tell this event apart, e.g. "NCA · 660 arrests · 45 forces"."""
    articles: list[ClusterMember] = field(default_factory=list)
    """Members, earliest first."""
    first_published: str | None = None
    last_published: str | None = None
    outlets: list[str] = field(default_factory=list)
    """Distinct outlet names, sorted."""

    def to_json(self) -> dict[str, Any]:
        """The cluster as the ``cluster@1`` JSON contract gives it."""
        return {
            "id": self.id,
            "label": self.label,
            "first_published": self.first_published,
            "last_published": self.last_published,
            "outlets": list(self.outlets),
            "articles": [member.to_json() for member in self.articles],
        }


@dataclass(frozen=True)
class Segment:
    """A stretch of a report's text and where in a reference it comes from."""

    start: int
    end: int
    kind: str
    """``verbatim`` (copied word for word), ``rewrite`` (reworded) or ``new``."""
    reference_id: str | None = None
    reference_start: int | None = None
    reference_end: int | None = None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class QuoteMatch:
    """A reference quote and what a report made of it (either side may be missing)."""

    status: str
    """verbatim, trimmed, altered, paraphrased, narrative-quoted, new or omitted."""
    speaker_status: str | None
    """same, changed or missing; None when there is no quote on one side."""
    reference: Quote | None
    report: Quote | None
    similarity: float
    """0 to 1: how much of the words agree (rapidfuzz ratio over normalised words)."""
    diff: dict[str, list[Any]] | None = None
    """Word-level diff inside the marks: ``added``, ``dropped``, ``changed`` ([old, new])."""
    reference_id: str | None = None
    """Id of the reference the quote or narrative comes from; None for a ``new`` quote."""

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "speaker_status": self.speaker_status,
            "reference": self.reference.to_json() if self.reference else None,
            "report": self.report.to_json() if self.report else None,
            "similarity": self.similarity,
            "diff": self.diff,
            "reference_id": self.reference_id,
        }


@dataclass(frozen=True)
class FactMatch:
    """A reference fact and the report's version of it (either side may be missing)."""

    status: str
    """same, changed, qualified, added or omitted."""
    reference: Fact | None
    report: Fact | None
    reference_id: str | None = None
    """Id of the reference the fact was set against; None for an ``added`` fact."""

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reference": self.reference.to_json() if self.reference else None,
            "report": self.report.to_json() if self.report else None,
            "reference_id": self.reference_id,
        }


@dataclass(frozen=True)
class ReuseSummary:
    """How much of a report comes from its references."""

    label: str
    """``wholly-derived``, ``partially-derived`` or ``non-derived``."""
    reused_share: float
    """Share of the report's words in verbatim or rewrite segments."""
    verbatim_share: float
    """Share of the report's words in verbatim segments."""
    reference_coverage: float
    """Share of the references' words that the report reuses."""
    narrative_reused_share: float
    """``reused_share`` counting only words outside quote marks (speakers' words that any
    report could have taken from the speaker do not count as copying)."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class ReportComparison:
    """One report set against its references."""

    article: Article
    reuse: ReuseSummary
    segments: list[Segment] = field(default_factory=list)
    quotes: list[QuoteMatch] = field(default_factory=list)
    facts: list[FactMatch] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    """Label, shares, counts by status and the three most important departures."""

    def to_json(self) -> dict[str, Any]:
        article = self.article
        return {
            "id": article.id,
            "source": article.source,
            "outlet": article.outlet,
            "title": article.title,
            "text": article.text,
            "summary": self.summary,
            "reuse": self.reuse.to_json(),
            "segments": [segment.to_json() for segment in self.segments],
            "quotes": [match.to_json() for match in self.quotes],
            "facts": [match.to_json() for match in self.facts],
        }


@dataclass
class Comparison:
    """Every report of an event compared with the reference(s)."""

    references: list[Article]
    reference_choice: str
    """Why these references: named by the user, or the rule that picked them."""
    reports: list[ReportComparison] = field(default_factory=list)

    def to_dataframes(self) -> dict[str, Any]:
        """pandas DataFrames ``reports``, ``segments``, ``quotes`` and ``facts``, one row per
        report, segment, quote match and fact match (pandas must be installed)."""
        from coverage_cmp.compare.frames import comparison_frames

        return comparison_frames(self)

    def to_json(self) -> dict[str, Any]:
        """The ``compare@1`` object of the JSON contract, without ``errors``."""
        return {
            "schema": "coverage-cmp/compare@1",
            "references": [
                {"id": ref.id, "source": ref.source, "outlet": ref.outlet, "title": ref.title,
                 "text": ref.text}
                for ref in self.references
            ],
            "reference_choice": self.reference_choice,
            "reports": [report.to_json() for report in self.reports],
        }


@dataclass(frozen=True)
class FetchLogEntry:
    """One attempt (with its retries) to fetch one URL."""

    source: str
    url: str | None
    status: int | None
    error: str | None
    attempts: int
    elapsed_s: float | None = None
