"""Benchmark: fetch generated article pages from several loopback outlets.

Serves N article pages spread over 8 outlets (127.0.0.2 ... 127.0.0.9), each answering
after 50 ms, and fetches them all with ``Fetcher.fetch_many``:

- relaxed: no per-host delay, 8 requests per host, 64 in flight; median of 3 runs;
- store: the whole ``coverage-cmp collect`` path with the relaxed settings (fetch, body
  extraction with trafilatura, outlet lookup, one SQLite transaction per article):
  articles written to the store per second;
- polite: the default ``FetchSettings`` (1 s between requests to a host, robots.txt).
  At 1 s per host the rate is about one page per second per outlet, so this run uses a
  smaller N by default (``--polite-pages``) and prints the time it expects.

Run: ``.venv/bin/python bench/collect.py [--pages 2000] [--polite-pages 80] [--runs 3]``

``serve_outlets`` and ``run_fetch`` are the building blocks: pass ``run_fetch`` a
``consume(url, outcome)`` callback to time more than fetching (e.g. writing to the store).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from httpserver import LoopbackServer, Reply  # noqa: E402

from coverage_cmp.collect.fetch import Fetcher, FetchResult  # noqa: E402
from coverage_cmp.errors import FetchError  # noqa: E402
from coverage_cmp.pipeline import collect_into_store  # noqa: E402
from coverage_cmp.settings import CollectSettings, FetchSettings, Settings  # noqa: E402
from coverage_cmp.store import Store  # noqa: E402

RELAXED = FetchSettings(per_host_delay_s=0.0, per_host_concurrency=8, max_concurrency=64)
POLITE = FetchSettings()

_AGENCIES = ["Cambridgeshire Police", "the Environment Agency", "the Department for Transport",
             "the University of Leeds", "NHS England", "the Home Office", "Anglian Water",
             "the Met Office"]
_PLACES = ["Cambridge", "Peterborough", "Ely", "Huntingdon", "Wisbech", "St Neots", "March",
           "Leeds", "Norwich", "Ipswich"]
_PEOPLE = ["Det Insp Sarah Holt", "Chief Constable Nick Dean", "Dr Amira Shah",
           "Councillor Tom Reeve", "Professor Helen Marsh", "spokesman Lee Carter"]
_THINGS = ["homes", "people", "vehicles", "businesses", "schools", "patients", "officers"]
_SENTENCES = [
    "{agency} said {n} {things} in {place} had been affected by the {event}.",
    "The {event} began shortly after {hour} o'clock on {weekday}, according to {agency}.",
    '"We are doing everything we can to support those affected," said {person}.',
    "{person} told reporters that a further {m} {things} could be involved.",
    "Residents of {place} were advised to stay away from the area until further notice.",
    "Figures released on {weekday} show a rise of {pct} per cent compared with last year.",
    "A review will report within {weeks} weeks, {agency} confirmed in a statement.",
    'Local councillor {person} described the response as "swift and professional".',
    "About £{money} million has been set aside to deal with the consequences in {place}.",
    "Officers from {place} and neighbouring forces were called in to help.",
    "Critics say warnings were ignored for {weeks} years before the {event}.",
    "It is the {ordinal} such incident in {place} since {year}.",
]
_EVENTS = ["flooding", "power cut", "road closure", "investigation", "water outage",
           "fire", "raids", "strike"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_ORDINALS = ["second", "third", "fourth", "fifth"]


def article_html(index: int, outlet: int) -> bytes:
    """A news article page: masthead, headline, date, byline, 4-7 paragraphs, footer."""
    rng = random.Random(index * 1_000 + outlet)
    event, place = rng.choice(_EVENTS), rng.choice(_PLACES)
    published = date(2024, 1, 1) + timedelta(days=rng.randrange(365))
    slots = dict(agency=rng.choice(_AGENCIES), place=place, event=event,
                 person=rng.choice(_PEOPLE), things=rng.choice(_THINGS),
                 weekday=rng.choice(_WEEKDAYS), ordinal=rng.choice(_ORDINALS))
    paragraphs = []
    for _ in range(rng.randint(4, 7)):
        sentences = []
        for template in rng.sample(_SENTENCES, rng.randint(2, 4)):
            sentences.append(template.format(
                **slots, n=rng.randint(2, 900), m=rng.randint(2, 60), hour=rng.randint(1, 12),
                pct=rng.randint(2, 40), weeks=rng.randint(2, 12), money=rng.randint(1, 90),
                year=rng.randint(1990, 2022)))
        paragraphs.append(" ".join(sentences))
    title = f"{event.capitalize()} in {place}: {slots['agency']} responds"
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Outlet {outlet}</title>
<meta property="og:title" content="{escape(title)}">
<meta name="date" content="{published.isoformat()}"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a>
</nav></header>
<main><article><h1>{escape(title)}</h1>
<p class="byline">By Staff Reporter, <time datetime="{published.isoformat()}">
{published:%d %B %Y}</time></p>
{body}
</article></main>
<footer><p>&copy; Outlet {outlet} News Ltd. All rights reserved.</p></footer></body></html>
""".encode()


@contextmanager
def serve_outlets(n_pages: int, n_outlets: int = 8,
                  latency_s: float = 0.05) -> Iterator[list[str]]:
    """Serve ``n_pages`` article pages round-robin over ``n_outlets`` loopback hosts.

    Yields:
        The article URLs, outlets interleaved (127.0.0.2, 127.0.0.3, ...).
    """
    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(f"127.0.0.{2 + i}", latency_s=latency_s))
                   for i in range(n_outlets)]
        for server in servers:
            server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /admin/\n",
                                              content_type="text/plain"))
        urls = []
        for index in range(n_pages):
            outlet = index % n_outlets
            path = f"/news/{index:05d}-story.html"
            servers[outlet].route(path, Reply(body=article_html(index, outlet)))
            urls.append(servers[outlet].url(path))
        yield urls


@dataclass(frozen=True)
class FetchRun:
    """Figures of one ``run_fetch``."""

    pages: int
    failed: int
    elapsed_s: float

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed_s


def run_fetch(settings: FetchSettings, urls: list[str],
              consume: Callable[[str, FetchResult | FetchError], None] | None = None,
              ) -> FetchRun:
    """Fetch ``urls`` with a fresh ``Fetcher``, passing each outcome to ``consume``; time it all."""
    started = time.perf_counter()
    pages = failed = 0
    with Fetcher(settings) as fetcher:
        for url, outcome in fetcher.fetch_many(urls):
            if isinstance(outcome, FetchError):
                failed += 1
            else:
                pages += 1
            if consume is not None:
                consume(url, outcome)
    return FetchRun(pages, failed, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="pages for the relaxed runs")
    parser.add_argument("--polite-pages", type=int, default=80,
                        help="pages for the polite run (0 skips it)")
    parser.add_argument("--outlets", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=3, help="relaxed runs (median reported)")
    args = parser.parse_args()
    latency_s = args.latency_ms / 1000
    print(f"{args.outlets} outlets, {args.latency_ms:g} ms latency per request")

    with serve_outlets(args.pages, args.outlets, latency_s) as urls:
        runs = [run_fetch(RELAXED, urls) for _ in range(args.runs)]
        rates = [run.pages_per_s for run in runs]
        print(f"relaxed (delay 0 s, {RELAXED.per_host_concurrency}/host, "
              f"{RELAXED.max_concurrency} in flight): {len(urls)} pages, "
              f"median {statistics.median(rates):.0f} pages/s over {len(runs)} runs "
              f"(runs: {', '.join(f'{r:.0f}' for r in rates)}; "
              f"failed: {max(run.failed for run in runs)})")

        with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "c.db") as store:
            settings = Settings(collect=CollectSettings(fetch=RELAXED))
            started = time.perf_counter()
            report = collect_into_store(urls, settings, store)
            elapsed = time.perf_counter() - started
            print(f"into the store (relaxed, trafilatura, SQLite): {report.new} articles in "
                  f"{elapsed:.1f} s = {report.new / elapsed:.0f} articles/s "
                  f"(failed: {len(report.failures)})")

    if args.polite_pages:
        per_host = -(-args.polite_pages // args.outlets)
        delay_s = POLITE.per_host_delay_s
        expected_s = per_host * max(delay_s, latency_s) + delay_s  # robots.txt goes first
        print(f"polite (defaults: delay {delay_s:g} s, {POLITE.per_host_concurrency}/host, "
              f"robots.txt): {args.polite_pages} pages (not {args.pages}: at {delay_s:g} s per "
              f"host that would take ~{args.pages / args.outlets * delay_s:.0f} s); "
              f"expect ~{expected_s:.0f} s ...", flush=True)
        with serve_outlets(args.polite_pages, args.outlets, latency_s) as urls:
            run = run_fetch(POLITE, urls)
        print(f"polite: {run.pages} pages in {run.elapsed_s:.1f} s = "
              f"{run.pages_per_s:.1f} pages/s (failed: {run.failed})")


if __name__ == "__main__":
    main()
