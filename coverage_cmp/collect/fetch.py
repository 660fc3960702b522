"""Polite, robust HTTP fetching of one URL or many.

Politeness, per host (scheme, name and port):
    - robots.txt is fetched once, through the same politeness, and obeyed (unless
      ``respect_robots=False``). Following RFC 9309: a 4xx robots.txt allows everything;
      a 5xx one, after retries, blocks the host's pages ("robots.txt unavailable"); when
      robots.txt cannot be reached at all (refused, timed out, unknown host) the host is
      down, so its pages fail with that same network error without another try.
      A ``Crawl-delay`` longer than ``per_host_delay_s`` replaces it (capped at
      ``max_retry_after_s``).
    - at most ``per_host_concurrency`` requests in flight and ``per_host_delay_s`` between
      two request starts; at most ``max_concurrency`` requests in flight overall.
    - a clear User-Agent.
    Redirects are followed hop by hop, and each hop is one more request to its own host:
    that host's robots.txt is obeyed (a refusal names the URL asked for and the target)
    and its delay, Crawl-delay and concurrency apply, as for the first request.

Robustness, per URL:
    - retries with exponential backoff after a 5xx, a 429 or a transient network error
      (connection refused or reset, connect or read timeout), honouring ``Retry-After``
      and failing at once when it asks for more than ``max_retry_after_s``;
    - a 4xx fails at once; up to ``max_redirects`` redirects are followed, to http(s) only;
    - a retry repeats the hop that failed, not the whole redirect chain;
    - ``timeout_s`` for connecting and between two chunks, ``total_timeout_s`` for a whole
      response (a slow-drip body fails; it is not retried);
    - the body is capped while streaming, before and after decompression (gzip bombs);
    - PDFs, images and other non-text bodies are refused from the Content-Type header,
      or by sniffing the first bytes when the header is missing or says octet-stream.

Every failure is a ``FetchError`` whose message starts with the URL and whose cause is
the original httpx (or socket) error; nothing else escapes ``fetch`` or ``fetch_many``.
"""

from __future__ import annotations

import codecs
import logging
import re
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from coverage_cmp._text import decode_bytes, looks_binary
from coverage_cmp.errors import FetchError, SettingsError
from coverage_cmp.settings import FetchSettings

try:  # brotli comes with httpx[brotli]; without it we simply do not ask for "br"
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

logger = logging.getLogger(__name__)

_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_XML_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml",
    "application/xml", "text/xml",
})
ACCEPT_KINDS = ("page", "feed", "any-text")
_ACCEPT_HEADERS = {
    "page": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,"
            "text/xml;q=0.9,text/html;q=0.5,*/*;q=0.1",
    "any-text": "text/*,application/xml;q=0.9,application/json;q=0.9,*/*;q=0.1",
}
_NOUNS = {"page": "web page", "feed": "feed", "any-text": "text document"}
_SNIFFED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_MAGIC_TYPES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"GIF8", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"%!PS", "application/postscript"),
)
_SNIFF_BYTES = 1024
_CHARSET_SCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
#: Labels the HTML standard decodes as Windows-1252 (which agrees with them on every
#: printable byte but also has the euro sign, curly quotes and dashes).
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1",
                                  "us-ascii", "ascii", "windows-1252", "cp1252"})
_ONE_POLL_S = 0.05
"""Pause when nothing of ours is in flight but another caller holds every slot of a host."""


@dataclass(frozen=True)
class FetchResult:
    """A fetched page, decoded."""

    url: str
    """The URL as requested."""
    final_url: str
    """The URL after redirects."""
    status: int
    content_type: str
    """Media type, lower case, without parameters (sniffed when the header had none)."""
    charset: str | None
    """Charset declared by the Content-Type header or in the document, if any."""
    body: bytes = field(repr=False)
    """Body after content decoding (gzip, deflate, brotli), within the caps."""
    text: str = field(repr=False)
    """Body decoded: declared charset first, else detection."""
    attempts: int
    elapsed_s: float
    """From the first attempt to the end of the body, retry pauses included."""


@dataclass(frozen=True)
class _Redirect:
    """A redirect answer: the next hop, to be checked and limited like any request."""

    target: httpx.URL
    """Its Location, resolved against the URL that answered."""


class _Transient(Exception):
    """One attempt failed in a way another attempt may fix (5xx, 429, network)."""

    def __init__(self, reason: str, status: int | None = None,
                 retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after_s = retry_after_s


@dataclass
class _Host:
    """Politeness state of one host, guarded by the fetcher's condition."""

    delay_s: float
    limit: int
    in_flight: int = 0
    next_start: float = float("-inf")
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    robots_known: bool = False
    robots: RobotFileParser | None = None
    """Parsed rules; ``None`` with ``robots_known`` means everything is allowed."""
    robots_error: FetchError | None = None
    """Why no page of this host may be fetched (robots.txt unavailable or host down)."""

    def try_start(self, now: float) -> float | None:
        """Take a request slot; ``None`` on success, else seconds to wait (inf: until a release)."""
        if self.in_flight >= self.limit:
            return float("inf")
        if now < self.next_start:
            return self.next_start - now
        self.in_flight += 1
        self.next_start = now + self.delay_s
        return None


@dataclass
class _Job:
    """One URL going through ``fetch_many``."""

    url: str
    target: httpx.URL
    host: _Host
    host_key: tuple[str, str, int]
    """Key of ``host``: the host of ``target``, the hop to request next."""
    attempt: int = 1
    redirects: int = 0
    """Redirects followed so far; ``target`` is where the last one led."""
    not_before: float = float("-inf")
    started: float | None = None


class Fetcher:
    """Fetches pages politely and robustly; one instance shares politeness across calls.

    Args:
        settings: timeouts, retries, caps and politeness.
        transport: an httpx transport to use instead of the network (tests).
        clock: monotonic seconds; injectable with ``sleep`` so tests can check delays.
        sleep: pauses the calling thread for retries and per-host delays.

    Example::

        with Fetcher(FetchSettings()) as fetcher:
            page = fetcher.fetch("https://example.org/news/1")
            for url, outcome in fetcher.fetch_many(urls):
                ...  # outcome is a FetchResult or a FetchError
    """

    def __init__(self, settings: FetchSettings, *, transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._hosts: dict[tuple[str, str, int], _Host] = {}
        encodings = "gzip, deflate, br" if brotli is not None else "gzip, deflate"
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": encodings},
            timeout=httpx.Timeout(settings.timeout_s),
            follow_redirects=False,  # each hop goes through robots.txt and its host's limits
            limits=httpx.Limits(max_connections=2 * settings.max_concurrency,
                                max_keepalive_connections=settings.max_concurrency),
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(self, url: str, *, accept: str = "page") -> FetchResult:
        """Fetch one URL, waiting for its host's turn and retrying transient failures.

        Args:
            url: an http or https URL.
            accept: ``page`` (HTML, XHTML, plain text), ``feed`` (also RSS, Atom, XML) or
                ``any-text`` (any text, XML or JSON).

        Raises:
            FetchError: the URL is unusable, disallowed, or failed for good.
        """
        _check_accept(accept)
        return self._fetch_hops(url, _parse_url(url), accept, self._clock(),
                                obey_robots=self.settings.respect_robots)

    def fetch_many(self, urls: Iterable[str], *,
                   accept: str = "page") -> Iterator[tuple[str, FetchResult | FetchError]]:
        """Fetch many URLs concurrently, yielding each as it completes.

        Hosts are served round-robin and a URL is handed to a worker only when its host
        may take a request, so a slow or rate-limited host never holds workers that
        others could use. Retries are rescheduled, not slept on. Dispatching happens
        while the caller iterates.

        Args:
            urls: http or https URLs; bad ones are yielded at once with their error.
            accept: as for ``fetch``.

        Yields:
            ``(url, FetchResult)`` or ``(url, FetchError)``, in completion order.
        """
        _check_accept(accept)
        queues: dict[tuple[str, str, int], deque[_Job]] = {}
        for url in urls:
            try:
                target = _parse_url(url)
            except FetchError as error:
                yield url, error
                continue
            key = _host_key(target)
            queues.setdefault(key, deque()).append(_Job(url, target, self._host(key), key))
        pool = ThreadPoolExecutor(max_workers=self.settings.max_concurrency,
                                  thread_name_prefix="coverage-cmp-fetch")
        running: dict[Future, _Job | tuple[str, str, int]] = {}
        try:
            while queues or running:
                wait_s, refused = self._dispatch(queues, running, pool, accept)
                yield from refused
                if not running:
                    if queues:
                        self._sleep(_ONE_POLL_S if wait_s == float("inf") else wait_s)
                    continue
                timeout = None if wait_s == float("inf") else wait_s
                done, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    if isinstance(job, _Job):
                        finished = self._settle(job, future.result(), queues)
                        if finished is not None:
                            yield finished
        finally:  # the caller stopped early or we are done: give back unused host slots
            for future, job in running.items():
                if future.cancel() and isinstance(job, _Job):
                    self._release(job.host)
            pool.shutdown(wait=True)

    # -- scheduling -------------------------------------------------------------------

    def _dispatch(self, queues: dict[tuple[str, str, int], deque[_Job]],
                  running: dict[Future, _Job | tuple[str, str, int]], pool: ThreadPoolExecutor,
                  accept: str) -> tuple[float, list[tuple[str, FetchError]]]:
        """Start what may start now; return seconds until something else may, and refusals."""
        now = self._clock()
        wait_s = float("inf")
        refused: list[tuple[str, FetchError]] = []
        robots_pending = {key for key in running.values() if isinstance(key, tuple)}
        for key, queue in list(queues.items()):
            host = queue[0].host
            while queue and len(running) < self.settings.max_concurrency:
                if self.settings.respect_robots and not host.robots_known:
                    if key not in robots_pending:
                        running[pool.submit(self._ensure_robots, host, key)] = key
                    break
                job = queue[0]
                refusal = (self._robots_refusal(host, job.url, job.target, job.redirects)
                           if self.settings.respect_robots else None)
                if refusal is not None:
                    refused.append((queue.popleft().url, refusal))
                    continue
                if job.not_before > now:
                    wait_s = min(wait_s, job.not_before - now)
                    break
                with self._cond:
                    host_wait = host.try_start(now)
                if host_wait is not None:
                    wait_s = min(wait_s, host_wait)
                    break
                queue.popleft()
                if job.started is None:
                    job.started = now
                running[pool.submit(self._run_attempt, job, accept)] = job
            if not queue:
                del queues[key]
        return wait_s, refused

    def _run_attempt(self, job: _Job,
                     accept: str) -> FetchResult | FetchError | _Transient | _Redirect:
        """One attempt in a worker, on a host slot the scheduler took; never raises."""
        try:
            return self._attempt(job.url, job.target, accept, job.attempt, job.started or 0.0)
        except (FetchError, _Transient) as outcome:
            return outcome
        finally:
            self._release(job.host)

    def _settle(self, job: _Job, outcome: FetchResult | FetchError | _Transient | _Redirect,
                queues: dict[tuple[str, str, int], deque[_Job]],
                ) -> tuple[str, FetchResult | FetchError] | None:
        """Yieldable outcome of an attempt, or ``None`` after queueing a retry or the next hop.

        The next hop joins the queue of its own host, so the scheduler checks it against
        that host's robots.txt and limits before it starts.
        """
        if isinstance(outcome, FetchResult | FetchError):
            return job.url, outcome
        try:
            if isinstance(outcome, _Redirect):
                job.target = self._next_hop(job.url, outcome, job.redirects, job.attempt)
                job.redirects += 1
                job.host_key = _host_key(job.target)
                job.host = self._host(job.host_key)
            else:
                job.not_before = self._clock() + self._retry_delay(job.url, outcome,
                                                                    job.attempt)
                job.attempt += 1
        except FetchError as error:
            return job.url, error
        queues.setdefault(job.host_key, deque()).appendleft(job)
        return None

    def _host(self, key: tuple[str, str, int]) -> _Host:
        with self._cond:
            if key not in self._hosts:
                self._hosts[key] = _Host(self.settings.per_host_delay_s,
                                         self.settings.per_host_concurrency)
            return self._hosts[key]

    def _acquire(self, host: _Host) -> None:
        """Block until ``host`` may take one more request, then take the slot."""
        while True:
            with self._cond:
                wait_s = host.try_start(self._clock())
                if wait_s is None:
                    return
                if wait_s == float("inf"):
                    self._cond.wait()
                    continue
            self._sleep(wait_s)

    def _release(self, host: _Host) -> None:
        with self._cond:
            host.in_flight -= 1
            self._cond.notify_all()

    # -- robots.txt ---------------------------------------------------------------------

    def _ensure_robots(self, host: _Host, key: tuple[str, str, int]) -> None:
        """Fetch and parse the host's robots.txt once (see the module docstring for failures)."""
        with host.robots_lock:
            if host.robots_known:
                return
            scheme, name, port = key
            robots_url = str(httpx.URL(scheme=scheme, host=name, port=port, path="/robots.txt"))
            try:
                self._load_robots(host, robots_url)
            finally:
                host.robots_known = True

    def _load_robots(self, host: _Host, robots_url: str) -> None:
        try:  # robots.txt is not itself subject to robots.txt, wherever it redirects
            result = self._fetch_hops(robots_url, httpx.URL(robots_url), None, self._clock(),
                                      obey_robots=False)
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500:
                logger.debug("%s: HTTP %s, so everything is allowed", robots_url, error.status)
            elif error.status is not None:
                host.robots_error = FetchError(robots_url, f"robots.txt unavailable "
                                               f"({error.reason})", status=error.status,
                                               attempts=error.attempts)
                host.robots_error.__cause__ = error
            else:
                host.robots_error = error
            return
        rules = RobotFileParser(robots_url)
        rules.parse(result.text.splitlines())
        host.robots = rules
        crawl_delay = rules.crawl_delay(self.settings.user_agent)
        if crawl_delay is not None:
            with self._cond:
                host.delay_s = max(host.delay_s,
                                   min(float(crawl_delay), self.settings.max_retry_after_s))

    def _robots_refusal(self, host: _Host, url: str, hop: httpx.URL,
                        redirects: int) -> FetchError | None:
        """Why ``hop`` (``url`` itself, or where its redirects led) may not be requested."""
        led_to = f" (redirected to {hop})" if redirects else ""
        failure = host.robots_error
        if failure is not None:
            refusal = FetchError(url, failure.reason + led_to, status=failure.status,
                                 attempts=failure.attempts)
            refusal.__cause__ = failure.__cause__
            return refusal
        if host.robots is not None and not host.robots.can_fetch(self.settings.user_agent,
                                                                 str(hop)):
            return FetchError(url, "disallowed by robots.txt" + led_to)
        return None

    # -- one URL ----------------------------------------------------------------------

    def _fetch_hops(self, url: str, target: httpx.URL, accept: str | None, started: float, *,
                    obey_robots: bool) -> FetchResult:
        """Fetch ``url`` in this thread, each redirect hop waiting for its own host's turn.

        Raises:
            FetchError: a hop is disallowed, or failed for good.
        """
        attempt = 1
        redirects = 0
        while True:
            host_key = _host_key(target)
            host = self._host(host_key)
            if obey_robots:
                self._ensure_robots(host, host_key)
                refusal = self._robots_refusal(host, url, target, redirects)
                if refusal is not None:
                    raise refusal
            self._acquire(host)
            try:
                outcome = self._attempt(url, target, accept, attempt, started)
            except _Transient as transient:
                outcome = transient
            finally:
                self._release(host)
            if isinstance(outcome, FetchResult):
                return outcome
            if isinstance(outcome, _Redirect):
                target = self._next_hop(url, outcome, redirects, attempt)
                redirects += 1
            else:
                self._sleep(self._retry_delay(url, outcome, attempt))
                attempt += 1

    def _next_hop(self, url: str, redirect: _Redirect, redirects: int,
                  attempt: int) -> httpx.URL:
        """Where a redirect leads, unless it is one too many or leaves http(s).

        Raises:
            FetchError: over ``max_redirects``, or a target that is not http(s).
        """
        if redirects >= self.settings.max_redirects:
            raise FetchError(url, "too many redirects (redirect loop?)", attempts=attempt)
        if redirect.target.scheme not in ("http", "https"):
            raise FetchError(url, f"redirected to an unsupported URL ({redirect.target})",
                             attempts=attempt)
        return redirect.target

    def _retry_delay(self, url: str, transient: _Transient, attempt: int) -> float:
        """Seconds to wait before the next attempt.

        Raises:
            FetchError: no retry left, or the server asks to wait too long.
        """
        settings = self.settings
        asked_s = transient.retry_after_s
        if asked_s is not None and asked_s > settings.max_retry_after_s:
            raise FetchError(
                url, f"{transient.reason}; Retry-After {asked_s:g} s is more than the "
                     f"{settings.max_retry_after_s:g} s allowed",
                status=transient.status, attempts=attempt,
            ) from transient.__cause__
        if attempt > settings.retries:
            suffix = f" (after {attempt} attempts)" if attempt > 1 else ""
            raise FetchError(url, transient.reason + suffix, status=transient.status,
                             attempts=attempt) from transient.__cause__
        if asked_s is not None:
            return asked_s
        return settings.backoff_s * 2 ** (attempt - 1)

    def _attempt(self, url: str, target: httpx.URL, accept: str | None, attempt: int,
                 started: float) -> FetchResult | _Redirect:
        """One GET of one hop; ``accept=None`` takes any content type (robots.txt).

        Raises:
            FetchError: a failure another attempt would not fix.
            _Transient: a failure worth retrying.
        """
        deadline = self._clock() + self.settings.total_timeout_s
        headers = {"Accept": _ACCEPT_HEADERS[accept or "any-text"]}
        try:
            with self._client.stream("GET", target, headers=headers) as response:
                return self._read_response(url, response, accept, attempt, started, deadline)
        except httpx.TimeoutException as exc:
            raise _Transient(f"timed out after {self.settings.timeout_s:g} s") from exc
        except httpx.ConnectError as exc:
            netloc = _netloc(target)
            if _caused_by(exc, socket.gaierror):
                raise FetchError(url, f"could not resolve host {target.host}",
                                 attempts=attempt) from exc
            if _caused_by(exc, ConnectionRefusedError):
                raise _Transient(f"connection refused by {netloc}") from exc
            raise _Transient(f"could not connect to {netloc} ({_one_line(exc)})") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL ({_one_line(exc)})", attempts=attempt) from exc
        except httpx.TransportError as exc:
            raise _Transient(f"connection to {_netloc(target)} failed "
                             f"({_one_line(exc)})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, _one_line(exc), attempts=attempt) from exc
        except OSError as exc:
            raise _Transient(f"network error ({_one_line(exc)})") from exc
        except (FetchError, _Transient):
            raise
        except Exception as exc:  # a bug here must not end a whole batch
            logger.debug("unexpected error fetching %s", url, exc_info=True)
            raise FetchError(url, f"unexpected error ({type(exc).__name__}: {_one_line(exc)})",
                             attempts=attempt) from exc

    def _read_response(self, url: str, response: httpx.Response, accept: str | None,
                       attempt: int, started: float, deadline: float,
                       ) -> FetchResult | _Redirect:
        if response.next_request is not None:  # httpx resolved the Location; body unread
            return _Redirect(response.next_request.url)
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Transient(_http_reason(response), status=status,
                             retry_after_s=_retry_after_s(response.headers.get("retry-after")))
        if not 200 <= status < 300:
            raise FetchError(url, _http_reason(response), status=status, attempts=attempt)

        def fail(reason: str) -> FetchError:
            return FetchError(url, reason, status=status, attempts=attempt)

        media_type, charset = _parse_content_type(response.headers.get("content-type", ""))
        if accept is not None and media_type not in _SNIFFED_TYPES \
                and not _acceptable(media_type, accept):
            raise fail(f"not a {_NOUNS[accept]} ({media_type})")
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > self.settings.max_body_bytes:
            raise fail(f"body larger than {_size(self.settings.max_body_bytes)} cap "
                       f"(Content-Length {_size(int(announced))})")
        chunks: list[bytes] = []
        sniffing = media_type in _SNIFFED_TYPES
        for chunk in self._iter_body(response, deadline, fail):
            chunks.append(chunk)
            if sniffing and sum(map(len, chunks)) >= _SNIFF_BYTES:
                media_type, sniffing = _sniff(b"".join(chunks)), False
                if accept is not None and not _acceptable(media_type, accept):
                    raise fail(f"not a {_NOUNS[accept]} ({media_type}, sniffed)")
        body = b"".join(chunks)
        if sniffing:
            media_type = _sniff(body)
            if accept is not None and not _acceptable(media_type, accept):
                raise fail(f"not a {_NOUNS[accept]} ({media_type}, sniffed)")
        charset = charset or _charset_in_document(body[:_CHARSET_SCAN_BYTES])
        text = decode_bytes(body, _decoder_for(charset))
        elapsed_s = self._clock() - started
        logger.debug("fetched %s (%s, %d bytes, %d attempts, %.2f s)", url, status, len(body),
                     attempt, elapsed_s)
        return FetchResult(url=url, final_url=str(response.url), status=status,
                           content_type=media_type, charset=charset, body=body, text=text,
                           attempts=attempt, elapsed_s=elapsed_s)

    def _iter_body(self, response: httpx.Response, deadline: float,
                   fail: Callable[[str], FetchError]) -> Iterator[bytes]:
        """Decoded body chunks, stopping as soon as a cap or the deadline is passed."""
        settings = self.settings
        encodings = [e.strip().lower() for e in
                     response.headers.get("content-encoding", "").split(",") if e.strip()]
        raw_chunks: Iterable[bytes] = response.iter_raw()
        if response.is_stream_consumed:  # built in memory (MockTransport) and decoded by httpx
            encodings, raw_chunks = [], [response.content]
        try:
            decoder = _BoundedDecoder(encodings, settings.max_decompressed_bytes)
        except ValueError as exc:
            raise fail(str(exc)) from None
        raw_bytes = 0
        for raw in raw_chunks:
            raw_bytes += len(raw)
            if raw_bytes > settings.max_body_bytes:
                raise fail(f"body larger than {_size(settings.max_body_bytes)} cap")
            if self._clock() > deadline:
                raise fail(f"timed out after {settings.total_timeout_s:g} s")
            try:
                yield decoder.decode(raw)
            except _TooBig:
                raise fail(f"decompressed body larger than "
                           f"{_size(settings.max_decompressed_bytes)} cap") from None
            except (zlib.error, _BrotliError) as exc:
                raise fail(f"could not decode {'+'.join(encodings)} body") from exc


# -- content decoding -------------------------------------------------------------------

class _TooBig(Exception):
    """Decoding would produce more than the decompressed cap."""


_BrotliError = brotli.error if brotli is not None else zlib.error


class _BoundedDecoder:
    """Undoes Content-Encoding chunk by chunk, never producing more than ``limit`` bytes.

    httpx's own decoders inflate each network chunk whole, with no output limit (and
    stack for ``gzip, gzip``), so a 64 KB chunk of a gzip bomb becomes 64 MB before any
    check could run; here every layer stops one byte past the cap.
    """

    def __init__(self, encodings: list[str], limit: int) -> None:
        self._layers: list[_Layer] = []
        for encoding in encodings:
            if encoding in ("gzip", "x-gzip", "deflate"):
                self._layers.append(_ZlibLayer(limit))
            elif encoding == "br" and brotli is not None:
                self._layers.append(_BrotliLayer(limit))
            elif encoding != "identity":
                raise ValueError(f"unsupported Content-Encoding '{encoding}'")

    def decode(self, data: bytes) -> bytes:
        for layer in self._layers:
            data = layer.decode(data)
        return data


class _Layer:
    def __init__(self, limit: int) -> None:
        self.budget = limit

    def spend(self, out: bytes) -> bytes:
        if len(out) > self.budget:
            raise _TooBig
        self.budget -= len(out)
        return out

    def decode(self, data: bytes) -> bytes:
        raise NotImplementedError


class _ZlibLayer(_Layer):
    """gzip or zlib (header detected); raw deflate when the first bytes are neither."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
        self._started = False

    def decode(self, data: bytes) -> bytes:
        try:
            out = self._inflater.decompress(data, self.budget + 1)
        except zlib.error:
            if self._started:
                raise
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflater.decompress(data, self.budget + 1)
        self._started = True
        return self.spend(out)


class _BrotliLayer(_Layer):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> bytes:
        return self.spend(self._decompressor.process(data, output_buffer_limit=self.budget + 1))


# -- helpers -----------------------------------------------------------------------------

def _check_accept(accept: str) -> None:
    if accept not in ACCEPT_KINDS:
        raise SettingsError(f"The 'accept' parameter of Fetcher.fetch must be one of "
                            f"{', '.join(ACCEPT_KINDS)}. Got {accept!r} instead.")


def _parse_url(url: str) -> httpx.URL:
    """The URL httpx will request, or a ``FetchError`` saying why there is none."""
    try:
        parts = urlsplit(url.strip())
        if not parts.scheme:
            raise FetchError(url, "invalid URL (no http:// or https://)")
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError(url, f"unsupported URL scheme '{parts.scheme.lower()}'")
        if not parts.hostname:
            raise FetchError(url, "invalid URL (no host)")
        return httpx.URL(url.strip())
    except (ValueError, httpx.InvalidURL) as exc:
        if isinstance(exc, FetchError):
            raise
        raise FetchError(url, f"invalid URL ({_one_line(exc)})") from exc


def _host_key(target: httpx.URL) -> tuple[str, str, int]:
    port = target.port or (443 if target.scheme == "https" else 80)
    return target.scheme, target.host, port


def _netloc(target: httpx.URL) -> str:
    return f"{target.host}:{target.port}" if target.port else target.host


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _http_reason(response: httpx.Response) -> str:
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = response.reason_phrase
    return f"HTTP {response.status_code} {phrase}".rstrip()


def _retry_after_s(value: str | None) -> float | None:
    """Seconds asked for by a Retry-After header (seconds or an HTTP date), if readable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _parse_content_type(header: str) -> tuple[str, str | None]:
    """Media type (lower case, no parameters) and declared charset of a Content-Type."""
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = _known_charset(value.strip().strip("\"'"))
    return media_type.strip().lower(), charset


def _known_charset(label: str) -> str | None:
    try:
        codecs.lookup(label)
    except LookupError:
        return None
    return label.lower()


def _charset_in_document(head: bytes) -> str | None:
    """Charset from ``<meta charset>``, ``<meta http-equiv>`` or an XML declaration."""
    match = _XML_ENCODING.match(head.lstrip(b"\xef\xbb\xbf")) or _META_CHARSET.search(head)
    return _known_charset(match.group(1).decode("ascii")) if match else None


def _decoder_for(charset: str | None) -> str | None:
    """Codec to decode a declared charset with (the HTML standard reads Latin-1 as 1252)."""
    if charset is not None and charset in _WINDOWS_1252_LABELS:
        return "cp1252"
    return charset


def _acceptable(media_type: str, accept: str) -> bool:
    if media_type in _PAGE_TYPES:
        return True
    if accept == "feed":
        return media_type in _XML_TYPES
    if accept == "any-text":
        return (media_type.startswith("text/") or media_type in _XML_TYPES
                or media_type.endswith(("+xml", "+json")) or media_type == "application/json")
    return False


def _sniff(head: bytes) -> str:
    """Media type guessed from the first bytes, for bodies sent without a usable header."""
    for magic, media_type in _MAGIC_TYPES:
        if head.startswith(magic):
            return media_type
    if looks_binary(head):
        return "application/octet-stream"
    start = head[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<html" in start or start.startswith(b"<!doctype html"):
        return "text/html"
    if start.startswith(b"<?xml") or b"<rss" in start or b"<feed" in start:
        return "application/xml"
    if re.search(rb"<(head|body|p|div|title|meta)\b", start):
        return "text/html"
    return "text/plain"


def _size(n_bytes: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:g} {unit}"
    return f"{n_bytes} bytes"
