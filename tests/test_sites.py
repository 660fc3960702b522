"""Feeds and outlet sites: links, date and keyword filters, and no network of their own."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import datetime

import pytest
import tldextract
from httpserver import Reply

from coverage_cmp.collect.fetch import Fetcher
from coverage_cmp.collect.sites import feed_links, is_feed, site_links
from coverage_cmp.errors import SourceError
from coverage_cmp.settings import CollectSettings, FetchSettings

SITE = "https://courier.example.org"

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<!-- the courier's news feed -->
<rss version="2.0"><channel><title>Wexbridge Courier</title><link>{SITE}/</link>
<item><title>Bridge closure: what drivers need to know</title>
  <link>{SITE}/news/2024/03/15/bridge-closure-what-drivers-need-to-know</link>
  <description>Diversions and the shuttle bus timetable.</description>
  <pubDate>Fri, 15 Mar 2024 08:00:00 +0000</pubDate></item>
<item><title>Library reopens after refit</title>
  <link>/news/library-reopens-after-refit</link>
  <description>New reading room on the quay side of the harbour.</description>
  <pubDate>Mon, 04 Mar 2024 17:30:00 +0100</pubDate></item>
<item><title>Caf\u00e9 owners fear the diversion</title>
  <link>{SITE}/news/cafe-owners-fear-diversion</link>
  <description>Trade on the quay could halve.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Council press releases</title>
<id>urn:uuid:council-releases</id><updated>2024-03-14T10:00:00Z</updated>
<entry><title>Harbour bridge repairs to start on Monday</title><id>urn:uuid:1</id>
  <link rel="alternate" href="https://council.example.gov/releases/bridge-repairs"/>
  <updated>2024-03-14T10:00:00Z</updated><published>2024-03-14T09:00:00Z</published>
  <summary>Cable replacement on the 1934 crossing.</summary></entry>
<entry><title>Budget approved</title><id>urn:uuid:2</id>
  <link href="https://council.example.gov/releases/budget"/>
  <updated>2024-02-20T12:00:00+02:00</updated></entry>
</feed>"""

FRONT = """<!DOCTYPE html><html><head><title>Wexbridge Courier</title>
<link rel="alternate" type="application/rss+xml" title="News" href="/feed.xml">
</head><body>
<nav><a href="/news">News</a> <a href="/sport">Sport</a> <a href="/about">About us</a></nav>
<a href="/news/2024/03/14/harbour-bridge-to-close-for-six-weeks">Harbour bridge to close</a>
<a href="/sport/2024/03/13/town-win-cup-final-after-extra-time">Town win cup final</a>
<a href="https://other.example.com/2024/03/14/another-papers-take-on-the-bridge-closure">
Elsewhere</a>
<a href="/privacy">Privacy</a>
</body></html>"""

NEWS = """<!DOCTYPE html><html><body><a href="/">Home</a>
<a href="/news/2024/03/10/council-approves-new-budget-for-road-repairs">Budget approved</a>
<a href="/news/2024/02/01/ferry-fares-going-up-again-across-the-estuary">Ferry fares up</a>
<a href="/news/harbour-bridge-cables-were-rusting-for-years-says-engineer">Engineer speaks</a>
</body></html>"""

SPORT = """<!DOCTYPE html><html><body>
<a href="/sport/2024/03/12/rowing-club-wins-regional-title-on-the-river">Rowing title</a>
</body></html>"""


def settings(**changes) -> CollectSettings:
    return replace(CollectSettings(), **changes)


# --- is_feed -------------------------------------------------------------------------------

@pytest.mark.parametrize(("content_type", "text", "expected"), [
    ("application/rss+xml", "anything", True),
    ("application/atom+xml; charset=utf-8", "", True),
    ("text/xml", ATOM, True),
    ("text/html", RSS, True),  # served with the wrong type; sniffed by its root element
    ("", '\ufeff<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"></rdf:RDF>', True),
    ("text/html", FRONT, False),
    ("application/xml", '<?xml version="1.0"?><urlset></urlset>', False),
    ("application/json", '{"feed": []}', False),
    ("text/plain", "rss feeds are great", False),
])
def test_is_feed(content_type: str, text: str, expected: bool) -> None:
    assert is_feed(content_type, text) is expected


# --- feed_links ----------------------------------------------------------------------------

def test_rss_links_titles_and_utc_dates() -> None:
    links = feed_links(RSS, source="courier-feed", base_url=f"{SITE}/feed.xml",
                       settings=settings())
    assert [link.url for link in links] == [
        f"{SITE}/news/2024/03/15/bridge-closure-what-drivers-need-to-know",
        f"{SITE}/news/library-reopens-after-refit",  # relative link resolved
        f"{SITE}/news/cafe-owners-fear-diversion",
    ]
    assert [link.title for link in links] == [
        "Bridge closure: what drivers need to know", "Library reopens after refit",
        "Caf\u00e9 owners fear the diversion"]
    assert [link.published for link in links] == [
        "2024-03-15T08:00:00+00:00", "2024-03-04T16:30:00+00:00", None]
    assert {link.source for link in links} == {"courier-feed"}


def test_atom_links_use_published_then_updated() -> None:
    links = feed_links(ATOM.encode("utf-8"), source="council", base_url=None,
                       settings=settings())
    assert [(link.url, link.published) for link in links] == [
        ("https://council.example.gov/releases/bridge-repairs", "2024-03-14T09:00:00+00:00"),
        ("https://council.example.gov/releases/budget", "2024-02-20T10:00:00+00:00"),
    ]


def test_since_and_until_keep_undated_entries() -> None:
    window = settings(since=datetime(2024, 3, 10), until=datetime(2024, 3, 31))
    links = feed_links(RSS, source="feed", base_url=SITE, settings=window)
    assert [link.title for link in links] == ["Bridge closure: what drivers need to know",
                                              "Caf\u00e9 owners fear the diversion"]
    before = settings(until=datetime(2024, 3, 5))
    links = feed_links(RSS, source="feed", base_url=SITE, settings=before)
    assert [link.title for link in links] == ["Library reopens after refit",
                                              "Caf\u00e9 owners fear the diversion"]


def test_match_looks_in_title_and_summary_ignoring_case() -> None:
    by_title = feed_links(RSS, source="feed", base_url=SITE, settings=settings(match=("BRIDGE",)))
    assert [link.title for link in by_title] == ["Bridge closure: what drivers need to know"]
    by_summary = feed_links(RSS, source="feed", base_url=SITE,
                            settings=settings(match=("harbour", "shuttle")))
    assert [link.title for link in by_summary] == ["Bridge closure: what drivers need to know",
                                                   "Library reopens after refit"]


def test_declared_encoding_of_feed_bytes_is_honoured() -> None:
    latin = RSS.replace('encoding="utf-8"', 'encoding="iso-8859-1"').encode("iso-8859-1")
    links = feed_links(latin, source="feed", base_url=SITE, settings=settings())
    assert links[2].title == "Caf\u00e9 owners fear the diversion"


def test_text_already_decoded_ignores_a_stale_encoding_declaration() -> None:
    decoded = RSS.replace('encoding="utf-8"', 'encoding="iso-8859-1"')
    links = feed_links(decoded, source="feed", base_url=SITE, settings=settings())
    assert links[2].title == "Caf\u00e9 owners fear the diversion"


@pytest.mark.parametrize("text", [
    "<html><body><p>Not a feed at all, just a page.</p></body></html>",
    "",
    "http://127.0.0.1:9/feed.xml",  # must not be fetched
])
def test_not_a_feed_raises_source_error(text: str, no_network: list[tuple]) -> None:
    with pytest.raises(SourceError) as caught:
        feed_links(text, source="bad-feed", base_url=None, settings=settings())
    assert str(caught.value).startswith("bad-feed: not a readable RSS or Atom feed")
    assert "\n" not in str(caught.value)
    assert no_network == []


# --- site_links ----------------------------------------------------------------------------

class DictFetcher:
    """Serves pages from a dict and records what was asked."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def __call__(self, url: str) -> str | None:
        self.asked.append(url)
        return self.pages.get(url)


def courier_pages() -> dict[str, str]:
    return {f"{SITE}/feed.xml": RSS, f"{SITE}/news": NEWS, f"{SITE}/sport": SPORT}


@pytest.mark.newspaper
def test_site_links_from_feed_front_page_and_categories(no_network: list[tuple]) -> None:
    fetch = DictFetcher(courier_pages())
    links = site_links(FRONT, f"{SITE}/", fetch_text=fetch, settings=settings(),
                       source="courier.example.org")
    urls = [link.url for link in links]
    assert urls[:3] == [
        f"{SITE}/news/2024/03/15/bridge-closure-what-drivers-need-to-know",
        f"{SITE}/news/library-reopens-after-refit",
        f"{SITE}/news/cafe-owners-fear-diversion",
    ]
    assert set(urls[3:]) == {
        f"{SITE}/news/2024/03/14/harbour-bridge-to-close-for-six-weeks",
        f"{SITE}/sport/2024/03/13/town-win-cup-final-after-extra-time",
        f"{SITE}/news/2024/03/10/council-approves-new-budget-for-road-repairs",
        f"{SITE}/news/2024/02/01/ferry-fares-going-up-again-across-the-estuary",
        f"{SITE}/news/harbour-bridge-cables-were-rusting-for-years-says-engineer",
        f"{SITE}/sport/2024/03/12/rowing-club-wins-regional-title-on-the-river",
    }
    assert len(urls) == len(set(urls))
    assert {link.source for link in links} == {"courier.example.org"}
    assert links[0].published == "2024-03-15T08:00:00+00:00"
    by_url = {link.url: link for link in links}
    assert by_url[f"{SITE}/sport/2024/03/13/town-win-cup-final-after-extra-time"].title == (
        "Town win cup final")
    assert f"{SITE}/" not in fetch.asked and SITE not in fetch.asked  # front page not refetched
    assert f"{SITE}/feed.xml" in fetch.asked and f"{SITE}/news" in fetch.asked
    assert no_network == []


@pytest.mark.newspaper
def test_site_links_filters_by_date_and_keyword(no_network: list[tuple]) -> None:
    chosen = settings(since=datetime(2024, 3, 10), match=("bridge",))
    links = site_links(FRONT, f"{SITE}/", fetch_text=DictFetcher(courier_pages()),
                       settings=chosen)
    assert [link.url for link in links] == [
        f"{SITE}/news/2024/03/15/bridge-closure-what-drivers-need-to-know",  # feed title
        f"{SITE}/news/2024/03/14/harbour-bridge-to-close-for-six-weeks",  # anchor text
        f"{SITE}/news/harbour-bridge-cables-were-rusting-for-years-says-engineer",  # slug
    ]


@pytest.mark.newspaper
def test_site_links_stop_at_the_cap(no_network: list[tuple]) -> None:
    fetch = DictFetcher(courier_pages())
    links = site_links(FRONT, f"{SITE}/", fetch_text=fetch,
                       settings=settings(max_site_articles=4))
    assert len(links) == 4
    assert f"{SITE}/news" not in fetch.asked  # the front page already filled the cap


@pytest.mark.newspaper
def test_site_without_feed_or_articles_gives_no_links(no_network: list[tuple]) -> None:
    html = "<html><body><p>Under maintenance.</p></body></html>"
    assert site_links(html, f"{SITE}/", fetch_text=DictFetcher({}), settings=settings()) == []


@pytest.mark.newspaper
def test_unusable_site_url_is_a_source_error(no_network: list[tuple]) -> None:
    with pytest.raises(SourceError, match="^ftp-site: newspaper cannot read the site"):
        site_links(FRONT, "ftp://courier.example.org/", fetch_text=DictFetcher({}),
                   settings=settings(), source="ftp-site")


@pytest.mark.newspaper
def test_site_links_over_loopback_only_through_our_fetcher(
        http_server, monkeypatch: pytest.MonkeyPatch) -> None:
    server = http_server("127.0.0.2")
    base = server.url("")
    server.route("/", Reply(body=FRONT.replace(SITE, base).encode()))
    server.route("/feed.xml", Reply(body=RSS.replace(SITE, base).encode(),
                                    content_type="application/rss+xml"))
    server.route("/news", Reply(body=NEWS.encode()))
    server.route("/sport", Reply(body=SPORT.encode()))
    connections: list[object] = []
    real_connect = socket.socket.connect

    def record(sock, address):
        connections.append(address)
        return real_connect(sock, address)

    # tldextract reset to its downloading default: a Public Suffix List fetch would show.
    monkeypatch.setattr(tldextract.tldextract, "TLD_EXTRACTOR",
                        tldextract.TLDExtract(cache_dir=None))
    monkeypatch.setattr(socket.socket, "connect", record)
    fetched: list[str] = []
    fetch_settings = FetchSettings(per_host_delay_s=0, retries=0)
    with Fetcher(fetch_settings) as fetcher:
        front = fetcher.fetch(server.url("/"))

        def fetch_text(url: str) -> str | None:
            fetched.append(url)
            try:
                return fetcher.fetch(url, accept="any-text").text
            except SourceError:
                return None

        links = site_links(front.text, front.final_url, fetch_text=fetch_text,
                           settings=settings(fetch=fetch_settings))
    assert f"{base}/news/2024/03/10/council-approves-new-budget-for-road-repairs" in {
        link.url for link in links}
    assert f"{base}/news/library-reopens-after-refit" in {link.url for link in links}
    assert {address[0] for address in connections} == {"127.0.0.2"}
    served = [request.path for request in server.requests]
    assert sorted(p for p in served if p != "/robots.txt") == sorted(
        ["/"] + [url.removeprefix(base) for url in fetched])
