"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
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
