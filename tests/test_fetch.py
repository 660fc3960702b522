"""Fetcher against a real loopback server: every network bad input, caps and politeness."""

from __future__ import annotations

import gzip
import socket
import sqlite3
import zlib
from contextlib import closing
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from httpserver import Reply, gzip_bomb, gzip_bomb_body, gzipped, redirect, sequence

import coverage_cmp
from coverage_cmp.collect.fetch import Fetcher, FetchResult
from coverage_cmp.errors import FetchError, SourceError
from coverage_cmp.model import SourceFailure
from coverage_cmp.settings import CollectSettings, FetchSettings, Settings

PAGE = b"<html><head><title>T</title></head><body><p>Eight arrests were made.</p></body></html>"


def fast(**overrides: object) -> FetchSettings:
    """Settings with small timeouts and pauses, so the whole file runs in seconds."""
    values = dict(timeout_s=2.0, total_timeout_s=5.0, retries=2, backoff_s=0.01,
                  per_host_delay_s=0.0, max_retry_after_s=5.0)
    values.update(overrides)
    return FetchSettings(**values)


def fetch_error(settings: FetchSettings, url: str, **kwargs: str) -> FetchError:
    with Fetcher(settings) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url, **kwargs)
    error = caught.value
    assert str(error).startswith(url + ": ")
    assert "\n" not in str(error)
    return error


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


# -- bad URLs and unreachable hosts ------------------------------------------------------

@pytest.mark.parametrize("url, reason", [
    ("not a url", "invalid URL"),
    ("http://", "invalid URL"),
    ("http://[::1/page", "invalid URL"),
    ("file:///etc/passwd", "unsupported URL scheme 'file'"),
    ("ftp://example.org/a.txt", "unsupported URL scheme 'ftp'"),
    ("javascript:alert(1)", "unsupported URL scheme 'javascript'"),
])
def test_unusable_url_fails_without_a_request(url: str, reason: str) -> None:
    error = fetch_error(fast(), url)
    assert error.reason.startswith(reason)


def test_connection_refused_names_the_host() -> None:
    url = f"http://127.0.0.2:{free_port('127.0.0.2')}/news"
    error = fetch_error(fast(retries=1), url)
    assert f"connection refused by 127.0.0.2:{url.split(':')[2].split('/')[0]}" in error.reason
    assert isinstance(error.__cause__, httpx.ConnectError)


def test_unknown_host_fails_at_once_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def resolve_locally(host: str, *args: object, **kwargs: object) -> object:
        looked_up.append(host)
        if host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve_locally)
    error = fetch_error(fast(), "http://no-such-outlet.invalid/story")
    assert error.reason == "could not resolve host no-such-outlet.invalid"
    assert error.attempts == 1
    assert looked_up == ["no-such-outlet.invalid"]  # robots.txt lookup; the page is not tried


# -- HTTP statuses and retries -----------------------------------------------------------

@pytest.mark.parametrize("status, reason", [(404, "HTTP 404 Not Found"), (410, "HTTP 410 Gone")])
def test_client_error_fails_at_once(http_server, status: int, reason: str) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", Reply(status=status, body=b"gone"))
    error = fetch_error(fast(), server.url("/story"))
    assert (error.reason, error.status, error.attempts) == (reason, status, 1)
    assert len(server.requests_to("/story")) == 1


def test_500_then_200_succeeds_on_second_attempt(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", sequence(Reply(status=500), Reply(body=PAGE)))
    with Fetcher(fast()) as fetcher:
        result = fetcher.fetch(server.url("/story"))
    assert (result.status, result.attempts) == (200, 2)
    assert "Eight arrests" in result.text


def test_persistent_500_fails_after_the_retries(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", Reply(status=500))
    error = fetch_error(fast(retries=2), server.url("/story"))
    assert error.reason == "HTTP 500 Internal Server Error (after 3 attempts)"
    assert (error.status, error.attempts) == (500, 3)
    assert len(server.requests_to("/story")) == 3


def test_429_waits_for_retry_after_then_succeeds(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", sequence(Reply(status=429, headers={"Retry-After": "1"}),
                                    Reply(body=PAGE)))
    with Fetcher(fast()) as fetcher:
        result = fetcher.fetch(server.url("/story"))
    first, second = server.requests_to("/story")
    assert result.attempts == 2
    assert second.started - first.started >= 1.0


def test_429_asking_too_long_fails_fast(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", Reply(status=429, headers={"Retry-After": "3600"}))
    pauses: list[float] = []
    with Fetcher(fast(max_retry_after_s=5), sleep=pauses.append) as fetcher, \
            pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/story"))
    error = caught.value
    assert pauses == []
    assert error.status == 429
    assert "Retry-After 3600 s is more than the 5 s allowed" in error.reason
    assert len(server.requests_to("/story")) == 1


def test_backoff_doubles_and_honours_retry_after_dates() -> None:
    """With an injected clock: the pauses between attempts, without waiting for them."""
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    replies = iter([httpx.Response(503), httpx.Response(503),
                    httpx.Response(503, headers={"Retry-After": in_a_minute}),
                    httpx.Response(200, html=PAGE.decode())])
    now = [0.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    settings = FetchSettings(retries=3, backoff_s=1.0, max_retry_after_s=120,
                             respect_robots=False)
    transport = httpx.MockTransport(lambda request: next(replies))
    with Fetcher(settings, transport=transport, clock=lambda: now[0], sleep=sleep) as fetcher:
        result = fetcher.fetch("http://outlet.test/story")
    assert result.attempts == 4
    assert pauses[:2] == [1.0, 2.0]
    assert 55 <= pauses[2] <= 60


# -- timeouts and redirects --------------------------------------------------------------

def test_server_slower_than_the_timeout(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", Reply(body=PAGE, delay_s=1.5))
    error = fetch_error(fast(timeout_s=0.3, retries=1), server.url("/story"))
    assert error.reason == "timed out after 0.3 s (after 2 attempts)"
    assert isinstance(error.__cause__, httpx.ReadTimeout)


def test_slow_drip_body_hits_the_overall_deadline(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", Reply(body=PAGE, chunk_size=1, chunk_delay_s=0.05))  # ~4 s
    error = fetch_error(fast(timeout_s=1.0, total_timeout_s=0.5), server.url("/story"))
    assert error.reason == "timed out after 0.5 s"


def test_redirect_loop(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a"))
    error = fetch_error(fast(max_redirects=5), server.url("/a"))
    assert error.reason == "too many redirects (redirect loop?)"
    assert len(server.requests_to("/a")) + len(server.requests_to("/b")) == 6


def test_redirect_is_followed_to_the_final_url(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/old", redirect("/new", status=301))
    server.route("/new", Reply(body=PAGE))
    with Fetcher(fast()) as fetcher:
        result = fetcher.fetch(server.url("/old"))
    assert (result.url, result.final_url) == (server.url("/old"), server.url("/new"))


def test_redirect_to_another_scheme_is_refused(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/old", redirect("ftp://files.example.org/story.txt"))
    error = fetch_error(fast(), server.url("/old"))
    assert error.reason == "redirected to an unsupported URL (ftp://files.example.org/story.txt)"


# -- redirects to other hosts: every hop is checked and limited like a first request ------

ARTICLE = (b"<html><head><title>Harbour wall repaired</title></head><body><article>"
           b"<p>Workers finished repairing the old harbour wall on Friday after storms in "
           b"the spring had opened a gap wide enough for a rowing boat.</p>"
           b"<p>The council said the work came in under budget and the quay would reopen "
           b"to fishing boats on Monday morning.</p></article></body></html>")


def fetch_each(fetcher: Fetcher, urls: list[str], how: str) -> dict[str, object]:
    """Outcomes by URL, through ``fetch`` one by one or through ``fetch_many``."""
    if how == "fetch_many":
        return dict(fetcher.fetch_many(urls))
    outcomes: dict[str, object] = {}
    for url in urls:
        try:
            outcomes[url] = fetcher.fetch(url)
        except FetchError as error:
            outcomes[url] = error
    return outcomes


@pytest.mark.parametrize("how", ["fetch", "fetch_many"])
def test_redirect_to_a_path_the_target_disallows_is_refused(http_server, how: str) -> None:
    origin = http_server("127.0.0.2")
    target = robots_server(http_server, "127.0.0.3")
    origin.route("/story", redirect(target.url("/private/a")))
    with Fetcher(fast()) as fetcher:
        error = fetch_each(fetcher, [origin.url("/story")], how)[origin.url("/story")]
    assert isinstance(error, FetchError)
    assert str(error) == (f"{origin.url('/story')}: disallowed by robots.txt "
                          f"(redirected to {target.url('/private/a')})")
    assert target.paths() == ["/robots.txt"]


@pytest.mark.parametrize("how", ["fetch", "fetch_many"])
def test_redirect_to_an_allowed_path_reads_the_target_robots_first(http_server,
                                                                   how: str) -> None:
    origin = http_server("127.0.0.2")
    target = robots_server(http_server, "127.0.0.3")
    origin.route("/story", redirect(target.url("/news/1"), status=301))
    with Fetcher(fast()) as fetcher:
        result = fetch_each(fetcher, [origin.url("/story")], how)[origin.url("/story")]
    assert isinstance(result, FetchResult)
    assert (result.url, result.final_url) == (origin.url("/story"), target.url("/news/1"))
    assert target.paths() == ["/robots.txt", "/news/1"]


def test_redirect_to_a_disallowed_path_is_followed_when_robots_are_ignored(http_server) -> None:
    origin = http_server("127.0.0.2")
    target = robots_server(http_server, "127.0.0.3")
    origin.route("/story", redirect(target.url("/private/a")))
    with Fetcher(fast(respect_robots=False)) as fetcher:
        assert fetcher.fetch(origin.url("/story")).final_url == target.url("/private/a")
    assert target.paths() == ["/private/a"]


def test_redirect_to_a_host_that_is_down_names_the_target(http_server) -> None:
    origin = http_server("127.0.0.2")
    down = f"http://127.0.0.3:{free_port('127.0.0.3')}"
    origin.route("/story", redirect(down + "/news/1"))
    error = fetch_error(fast(retries=0), origin.url("/story"))
    assert error.reason == (f"connection refused by {down.removeprefix('http://')} "
                            f"(redirected to {down}/news/1)")


def collect_into(db: Path, url: str) -> tuple[list[SourceFailure], list[tuple[str, str]]]:
    """Collect ``url`` into a new store: the failures, and the stored (url, article id) rows."""
    report = coverage_cmp.collect([url], db=str(db),
                                  settings=Settings(collect=CollectSettings(fetch=fast())))
    with closing(sqlite3.connect(db)) as con:
        return report.failures, con.execute("SELECT url, article_id FROM urls").fetchall()


def test_collect_stores_nothing_from_a_redirect_the_target_disallows(http_server,
                                                                     tmp_path: Path) -> None:
    origin = http_server("127.0.0.2")
    target = robots_server(http_server, "127.0.0.3")
    target.route("/private/a", Reply(body=ARTICLE))
    origin.route("/story", redirect(target.url("/private/a")))
    failures, stored = collect_into(tmp_path / "c.db", origin.url("/story"))
    assert [(f.source, f.error) for f in failures] == [
        (origin.url("/story"), f"disallowed by robots.txt (redirected to "
                               f"{target.url('/private/a')})")]
    assert stored == []


def test_collect_keeps_both_urls_of_an_allowed_redirect(http_server, tmp_path: Path) -> None:
    origin = http_server("127.0.0.2")
    target = robots_server(http_server, "127.0.0.3")
    target.route("/news/1", Reply(body=ARTICLE))
    origin.route("/story", redirect(target.url("/news/1")))
    failures, stored = collect_into(tmp_path / "c.db", origin.url("/story"))
    assert failures == []
    assert {url for url, _ in stored} >= {origin.url("/story"), target.url("/news/1")}
    assert len({article_id for _, article_id in stored}) == 1


@pytest.mark.parametrize("limit, fails", [(4, False), (3, True)])
def test_redirect_chain_across_hosts_is_cut_at_the_limit(http_server, limit: int,
                                                         fails: bool) -> None:
    """Four redirects, bouncing between two hosts, then the page."""
    first, second = http_server("127.0.0.2"), http_server("127.0.0.3")
    first.route("/r1", redirect(second.url("/r2")))
    second.route("/r2", redirect(first.url("/r3")))
    first.route("/r3", redirect(second.url("/r4")))
    second.route("/r4", redirect(first.url("/end")))
    first.route("/end", Reply(body=PAGE))
    settings = fast(max_redirects=limit, respect_robots=False)
    if fails:
        error = fetch_error(settings, first.url("/r1"))
        assert error.reason == "too many redirects (redirect loop?)"
        assert first.paths() + second.paths() == ["/r1", "/r3", "/r2", "/r4"]
    else:
        with Fetcher(settings) as fetcher:
            assert fetcher.fetch(first.url("/r1")).final_url == first.url("/end")


@pytest.mark.parametrize("how", ["fetch", "fetch_many"])
def test_crawl_delay_of_the_target_host_spaces_redirected_requests(http_server,
                                                                   how: str) -> None:
    origin = http_server("127.0.0.2")
    target = robots_server(http_server, "127.0.0.3", rules=b"Crawl-delay: 1\n")
    urls = [origin.url(f"/story/{i}") for i in (1, 2)]
    for i in (1, 2):
        origin.route(f"/story/{i}", redirect(target.url(f"/news/{i}")))
    with Fetcher(fast(max_concurrency=4)) as fetcher:
        outcomes = fetch_each(fetcher, urls, how)
    assert all(isinstance(outcome, FetchResult) for outcome in outcomes.values())
    landed = [r.started for r in target.requests if r.path.startswith("/news/")]
    assert len(landed) == 2
    assert abs(landed[1] - landed[0]) >= 0.9


def test_concurrency_limit_of_the_target_host_holds_for_redirects(http_server) -> None:
    """Two outlets redirect to one host; that host never has more than its one slot busy."""
    first, second = http_server("127.0.0.2"), http_server("127.0.0.3")
    target = http_server("127.0.0.4", latency_s=0.2)
    target.route("/news", Reply(body=PAGE))
    urls = []
    for origin in (first, second):
        for i in range(3):
            origin.route(f"/story/{i}", redirect(target.url(f"/news?from={origin.host}-{i}")))
            urls.append(origin.url(f"/story/{i}"))
    settings = fast(per_host_concurrency=1, max_concurrency=6, respect_robots=False)
    with Fetcher(settings) as fetcher:
        outcomes = dict(fetcher.fetch_many(urls))
    assert all(isinstance(outcome, FetchResult) for outcome in outcomes.values())
    assert len(target.requests) == 6
    assert target.max_in_flight == 1


# -- size caps and content types ---------------------------------------------------------

@pytest.mark.parametrize("content_length", [True, False])
def test_body_over_the_cap(http_server, content_length: bool) -> None:
    server = http_server("127.0.0.2")
    server.route("/big", Reply(body=b"<p>" + b"x" * 2_000_000, content_length=content_length))
    error = fetch_error(fast(max_body_bytes=100_000), server.url("/big"))
    assert error.reason.startswith("body larger than 100 KB cap")


def test_gzip_bomb_stops_at_the_decompressed_cap(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/bomb", gzip_bomb(200_000_000))
    error = fetch_error(fast(max_decompressed_bytes=5_000_000), server.url("/bomb"))
    assert error.reason == "decompressed body larger than 5 MB cap"


def test_gzipped_page_is_decoded(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", gzipped(Reply(body=PAGE)))
    with Fetcher(fast()) as fetcher:
        result = fetcher.fetch(server.url("/story"))
    assert result.body == PAGE
    assert server.requests_to("/story")[0].headers["accept-encoding"].startswith("gzip")


@pytest.mark.parametrize("encoding", ["deflate", "deflate-raw", "br"])
def test_other_content_encodings_are_decoded(http_server, encoding: str) -> None:
    if encoding == "br":
        compressed = pytest.importorskip("brotli").compress(PAGE)
    elif encoding == "deflate":
        compressed = zlib.compress(PAGE)
    else:  # some servers send raw deflate without the zlib wrapper
        squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        compressed = squeezer.compress(PAGE) + squeezer.flush()
    server = http_server("127.0.0.2")
    server.route("/story", Reply(body=compressed,
                                 headers={"Content-Encoding": encoding.split("-")[0]}))
    with Fetcher(fast()) as fetcher:
        assert fetcher.fetch(server.url("/story")).body == PAGE


def test_stacked_gzip_bomb_is_capped_at_every_layer(http_server) -> None:
    server = http_server("127.0.0.2")
    twice = gzip.compress(gzip_bomb_body(50_000_000))
    server.route("/bomb", Reply(body=twice, headers={"Content-Encoding": "gzip, gzip"}))
    error = fetch_error(fast(max_decompressed_bytes=1_000_000), server.url("/bomb"))
    assert error.reason == "decompressed body larger than 1 MB cap"


@pytest.mark.parametrize("content_type, body, reason", [
    ("application/pdf", b"%PDF-1.7\n...", "not a web page (application/pdf)"),
    ("image/png", b"\x89PNG\r\n\x1a\n...", "not a web page (image/png)"),
    ("video/mp4; codecs=avc1", b"\x00\x00\x00\x18ftyp", "not a web page (video/mp4)"),
    (None, b"%PDF-1.4\n" + b"0" * 2000, "not a web page (application/pdf, sniffed)"),
    ("application/octet-stream", b"\x89PNG\r\n\x1a\n" + bytes(100),
     "not a web page (image/png, sniffed)"),
])
def test_non_text_content_is_refused(http_server, content_type: str | None, body: bytes,
                                     reason: str) -> None:
    server = http_server("127.0.0.2")
    server.route("/file", Reply(body=body, content_type=content_type))
    error = fetch_error(fast(), server.url("/file"))
    assert error.reason == reason


def test_feed_accepted_only_when_asked_for(http_server) -> None:
    server = http_server("127.0.0.2")
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title></channel></rss>'
    server.route("/feed", Reply(body=feed, content_type="application/rss+xml"))
    with Fetcher(fast()) as fetcher:
        assert fetcher.fetch(server.url("/feed"), accept="feed").content_type == \
            "application/rss+xml"
        with pytest.raises(FetchError, match=r"not a web page \(application/rss\+xml\)"):
            fetcher.fetch(server.url("/feed"))


def test_missing_content_type_is_sniffed_as_html(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", Reply(body=PAGE, content_type=None))
    with Fetcher(fast()) as fetcher:
        assert fetcher.fetch(server.url("/story")).content_type == "text/html"


# -- encodings ---------------------------------------------------------------------------

def test_windows_1252_page_without_declared_charset(http_server) -> None:
    server = http_server("127.0.0.2")
    text = ("Le café de la gare a été fermé après l'incident. Le préfet a déclaré que "
            "l'amende s'élève à 1 500 €, payable à la mairie. « C'est très grave », "
            "a-t-il ajouté.")
    server.route("/story", Reply(body=f"<html><body><p>{text}</p></body></html>".encode(
        "cp1252"), content_type="text/html"))
    with Fetcher(fast()) as fetcher:
        result = fetcher.fetch(server.url("/story"))
    assert result.charset is None
    assert text in result.text


def test_charset_from_meta_tag(http_server) -> None:
    server = http_server("127.0.0.2")
    text = "Полиция задержала восемь человек в Кембриджшире."
    body = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
            f"</head><body><p>{text}</p></body></html>").encode("koi8-r")
    server.route("/story", Reply(body=body, content_type="text/html"))
    with Fetcher(fast()) as fetcher:
        result = fetcher.fetch(server.url("/story"))
    assert result.charset == "koi8-r"
    assert text in result.text


def test_latin1_declared_in_header_decodes_euro_as_windows_1252(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/story", Reply(body="<p>Fine: 80 €</p>".encode("cp1252"),
                                 content_type="text/html; charset=ISO-8859-1"))
    with Fetcher(fast()) as fetcher:
        result = fetcher.fetch(server.url("/story"))
    assert (result.charset, result.text) == ("iso-8859-1", "<p>Fine: 80 €</p>")


# -- robots.txt and politeness -----------------------------------------------------------

def robots_server(http_server, host: str = "127.0.0.2", rules: bytes = b"") -> object:
    server = http_server(host)
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n" + rules,
                                      content_type="text/plain"))
    for path in ("/private/a", "/news/1", "/news/2", "/news/3"):
        server.route(path, Reply(body=PAGE))
    return server


def test_robots_disallow_is_obeyed(http_server) -> None:
    server = robots_server(http_server)
    error = fetch_error(fast(), server.url("/private/a"))
    assert error.reason == "disallowed by robots.txt"
    assert server.paths() == ["/robots.txt"]


def test_robots_rules_for_our_user_agent_apply(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/robots.txt", Reply(
        body=b"User-agent: *\nAllow: /\n\nUser-agent: coverage-cmp\nDisallow: /news/\n",
        content_type="text/plain"))
    server.route("/news/1", Reply(body=PAGE))
    error = fetch_error(fast(), server.url("/news/1"))
    assert error.reason == "disallowed by robots.txt"


def test_robots_ignored_when_asked(http_server) -> None:
    server = robots_server(http_server)
    with Fetcher(fast(respect_robots=False)) as fetcher:
        assert fetcher.fetch(server.url("/private/a")).status == 200
    assert server.paths() == ["/private/a"]


def test_robots_fetched_once_per_host_with_the_user_agent(http_server) -> None:
    server = robots_server(http_server)
    urls = [server.url(p) for p in ("/news/1", "/news/2", "/private/a", "/news/3")]
    with Fetcher(fast()) as fetcher:
        outcomes = dict(fetcher.fetch_many(urls))
        fetcher.fetch(server.url("/news/1"))
    assert isinstance(outcomes[server.url("/private/a")], FetchError)
    assert all(isinstance(outcomes[u], FetchResult) for u in urls if "news" in u)
    assert len(server.requests_to("/robots.txt")) == 1
    assert "/private/a" not in server.paths()
    assert {r.headers["user-agent"] for r in server.requests} == {FetchSettings().user_agent}


def test_robots_5xx_blocks_the_host(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/robots.txt", Reply(status=503))
    server.route("/news/1", Reply(body=PAGE))
    error = fetch_error(fast(retries=1), server.url("/news/1"))
    assert error.reason.startswith("robots.txt unavailable (HTTP 503 Service Unavailable")
    assert "/news/1" not in server.paths()


def test_per_host_delay_between_requests(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/news", Reply(body=PAGE))
    urls = [server.url(f"/news?page={i}") for i in range(4)]
    with Fetcher(fast(per_host_delay_s=0.3, respect_robots=False)) as fetcher:
        assert all(isinstance(out, FetchResult) for _, out in fetcher.fetch_many(urls))
    starts = [r.started for r in server.requests]
    assert len(starts) == 4
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.29


def test_per_host_concurrency_is_never_exceeded(http_server) -> None:
    server = http_server("127.0.0.2", latency_s=0.1)
    server.route("/news", Reply(body=PAGE))
    urls = [server.url(f"/news?page={i}") for i in range(8)]
    settings = fast(per_host_concurrency=2, max_concurrency=8, respect_robots=False)
    with Fetcher(settings) as fetcher:
        assert len(list(fetcher.fetch_many(urls))) == 8
    assert server.max_in_flight == 2


def test_two_hosts_are_fetched_in_parallel(http_server) -> None:
    first, second = http_server("127.0.0.2", latency_s=0.3), http_server("127.0.0.3",
                                                                        latency_s=0.3)
    for server in (first, second):
        server.route("/news", Reply(body=PAGE))
    urls = [s.url(f"/news?page={i}") for s in (first, second) for i in range(3)]
    settings = fast(per_host_concurrency=1, max_concurrency=4, respect_robots=False)
    with Fetcher(settings) as fetcher:
        assert len(list(fetcher.fetch_many(urls))) == 6
    assert first.max_in_flight == second.max_in_flight == 1
    overlapping = [(a, b) for a in first.requests for b in second.requests
                   if a.started < b.ended and b.started < a.ended]
    assert len(overlapping) >= 3


def test_a_slow_host_does_not_hold_back_the_others(http_server) -> None:
    """One worker, a host asking for 1 s between requests, and a quick host behind it."""
    slow = robots_server(http_server, "127.0.0.2", rules=b"Crawl-delay: 1\n")
    quick = http_server("127.0.0.3")
    quick.route("/news", Reply(body=PAGE))
    urls = [slow.url(f"/news/{i}") for i in (1, 2, 3)]
    urls += [quick.url(f"/news?page={i}") for i in range(3)]
    with Fetcher(fast(max_concurrency=1)) as fetcher:
        order = [url for url, _ in fetcher.fetch_many(urls)]
    assert order.index(urls[-1]) < order.index(urls[2])
    slow_starts = [r.started for r in slow.requests if r.path.startswith("/news")]
    assert min(b - a for a, b in zip(slow_starts, slow_starts[1:], strict=False)) >= 0.99


def test_fetch_many_yields_every_url_and_never_raises(http_server) -> None:
    server = http_server("127.0.0.2")
    server.route("/ok", Reply(body=PAGE))
    server.route("/pdf", Reply(body=b"%PDF-1.7", content_type="application/pdf"))
    urls = [server.url("/ok"), "file:///etc/hosts", server.url("/missing"), "nonsense",
            server.url("/pdf")]
    with Fetcher(fast()) as fetcher:
        outcomes = list(fetcher.fetch_many(urls))
    assert sorted(url for url, _ in outcomes) == sorted(urls)
    kinds = {url: type(outcome) for url, outcome in outcomes}
    assert kinds.pop(server.url("/ok")) is FetchResult
    assert all(issubclass(kind, SourceError) for kind in kinds.values())


def test_stopping_fetch_many_early_leaves_the_fetcher_usable(http_server) -> None:
    server = http_server("127.0.0.2", latency_s=0.05)
    server.route("/news", Reply(body=PAGE))
    urls = [server.url(f"/news?page={i}") for i in range(20)]
    settings = fast(per_host_concurrency=2, max_concurrency=2, respect_robots=False)
    with Fetcher(settings) as fetcher:
        for _url, outcome in fetcher.fetch_many(urls):
            assert isinstance(outcome, FetchResult)
            break
        assert fetcher.fetch(server.url("/news?again")).status == 200
    assert len(server.requests) < 20
