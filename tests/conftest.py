"""Shared fixtures."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
import tldextract
from httpserver import LoopbackServer


@pytest.fixture
def http_server() -> Iterator[Callable[..., LoopbackServer]]:
    """Start loopback HTTP servers on demand; all stop when the test ends.

    ``http_server("127.0.0.3", latency_s=0.05)`` gives a started ``LoopbackServer`` on an
    ephemeral port (see ``tests/httpserver.py`` for routes and recorded requests).
    """
    servers: list[LoopbackServer] = []

    def start(host: str = "127.0.0.1", *, latency_s: float = 0.0) -> LoopbackServer:
        server = LoopbackServer(host, latency_s=latency_s).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Make every socket connection and DNS lookup fail, recording the attempts.

    tldextract's shared extractor is reset to its downloading default, so a library
    that would fetch the Public Suffix List is caught here.
    """
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(tldextract.tldextract, "TLD_EXTRACTOR",
                        tldextract.TLDExtract(cache_dir=None))
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts
