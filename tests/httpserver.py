"""A real HTTP server on a loopback address, programmed by tests with routes.

Each ``LoopbackServer`` stands for one outlet: bind several to 127.0.0.2, 127.0.0.3, ... to
test per-host politeness. A route maps a path to a fixed ``Reply`` or to a handler that
builds one per request (for 500-then-200, Retry-After, redirect loops). The server records
every request (path, headers, start and end time) and the most requests it ever had in
flight, so tests can check the User-Agent, per-host delays, concurrency limits and that
robots.txt was obeyed. Unrouted paths (robots.txt included) answer 404.

Example::

    def test_page(http_server):
        server = http_server("127.0.0.2")
        server.route("/a", Reply(body=b"<html><p>Hi</p></html>"))
        server.route("/flaky", sequence(Reply(status=500), Reply(body=b"ok")))
        url = server.url("/a")              # "http://127.0.0.2:PORT/a"
        ...
        assert server.paths() == ["/a"]

Outside pytest, use it as a context manager: ``with LoopbackServer("127.0.0.2") as s:``.
"""

from __future__ import annotations

import gzip
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """One response the server sends."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = HTML
    """Content-Type header; ``None`` sends none (to test sniffing)."""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Pause before the status line (a server slower than the client's timeout)."""
    chunk_size: int = 65_536
    """Body is written in chunks of this many bytes."""
    chunk_delay_s: float = 0.0
    """Pause before each chunk (a slow-drip body)."""
    content_length: bool = True
    """Send Content-Length; without it the body ends when the connection closes."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    """Path with query string, as sent."""
    headers: dict[str, str]
    """Header names in lower case."""
    started: float
    """``time.monotonic()`` when the request line was read."""
    ended: float | None = None
    """``time.monotonic()`` when the reply was written (``None`` if the client left first)."""


Handler = Callable[[RecordedRequest], Reply]


def sequence(*replies: Reply) -> Handler:
    """A handler giving ``replies`` in turn, then repeating the last one."""
    lock = threading.Lock()
    remaining = iter(replies)
    last = [replies[-1]]

    def handle(_request: RecordedRequest) -> Reply:
        with lock:
            last[0] = next(remaining, last[0])
            return last[0]

    return handle


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to ``location`` (a path or a full URL)."""
    return Reply(status=status, headers={"Location": location}, content_type=None)


@lru_cache(maxsize=4)
def gzip_bomb_body(decompressed_bytes: int) -> bytes:
    """``decompressed_bytes`` zeros, gzip-compressed (200 MB shrink to about 200 KB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1_000_000)
    parts = [compressor.compress(block) for _ in range(decompressed_bytes // len(block))]
    parts.append(compressor.compress(bytes(decompressed_bytes % len(block))))
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_bomb(decompressed_bytes: int = 200_000_000) -> Reply:
    """An HTML reply whose gzip body inflates to ``decompressed_bytes`` zeros."""
    return Reply(body=gzip_bomb_body(decompressed_bytes), headers={"Content-Encoding": "gzip"})


def gzipped(reply: Reply) -> Reply:
    """``reply`` with its body gzip-compressed and Content-Encoding set."""
    headers = {**reply.headers, "Content-Encoding": "gzip"}
    return replace(reply, body=gzip.compress(reply.body), headers=headers)


class LoopbackServer:
    """A threaded HTTP/1.1 server on ``host`` and an ephemeral port, with programmable routes.

    Args:
        host: a loopback address; 127.0.0.2 and up stand for distinct outlets.
        latency_s: pause added to every request (the benchmark uses 50 ms).
    """

    def __init__(self, host: str = "127.0.0.1", *, latency_s: float = 0.0) -> None:
        self.host = host
        self.latency_s = latency_s
        self.requests: list[RecordedRequest] = []
        self.max_in_flight = 0
        self._routes: dict[str, Reply | Handler] = {}
        self._lock = threading.Lock()
        self._in_flight = 0
        self._httpd = _QuietServer((host, 0), _make_handler_class(self))
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + path

    def route(self, path: str, reply: Reply | Handler) -> None:
        """Serve ``reply`` (or call the handler) for ``path`` (query string included if given)."""
        self._routes[path] = reply

    def paths(self) -> list[str]:
        """Paths requested so far, in arrival order."""
        with self._lock:
            return [request.path for request in self.requests]

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Requests for exactly ``path``, in arrival order."""
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _reply_for(self, request: RecordedRequest) -> Reply:
        route = self._routes.get(request.path) or self._routes.get(request.path.split("?")[0])
        if route is None:
            return Reply(status=404, body=b"not found", content_type="text/plain")
        return route if isinstance(route, Reply) else route(request)

    def _begin(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return len(self.requests) - 1

    def _end(self, index: int, completed: bool) -> None:
        with self._lock:
            self._in_flight -= 1
            if completed:
                request = self.requests[index]
                self.requests[index] = RecordedRequest(
                    request.method, request.path, request.headers, request.started,
                    time.monotonic(),
                )


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up early is what cap and timeout tests do; log nothing for it."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _chunks(body: bytes, size: int) -> Iterator[bytes]:
    return (body[i:i + size] for i in range(0, len(body), size))


def _make_handler_class(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._serve(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(send_body=False)

        def _serve(self, send_body: bool) -> None:
            request = RecordedRequest(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                time.monotonic(),
            )
            index = server._begin(request)
            completed = False
            try:
                reply = server._reply_for(request)
                time.sleep(server.latency_s + reply.delay_s)
                self.send_response(reply.status)
                if reply.content_type is not None:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.content_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if send_body:
                    for chunk in _chunks(reply.body, reply.chunk_size):
                        time.sleep(reply.chunk_delay_s)
                        self.wfile.write(chunk)
                        self.wfile.flush()
                completed = True
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client stopped reading: expected for caps
            finally:
                server._end(index, completed)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Stay quiet: tests read ``server.requests`` instead."""

    return _Handler
