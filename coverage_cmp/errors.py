"""Errors coverage-cmp raises.

- ``CoverageCmpError``: base of everything below; the CLI prints its message in one line.
  - ``SettingsError``: an option has a value it cannot take.
  - ``SourceError``: one input could not be read or fetched (the run goes on with the rest).
    - ``FetchError``: the network part failed (refused, timed out, HTTP status, too big).
  - ``ExtractionError``: a page or file held no article text.
  - ``StoreError``: the database cannot be opened, read or written.
  - ``StageOrderError``: a command needs an earlier stage's results that are not there.

Foreign errors (httpx, sqlite3, lxml) are translated once, where they enter, keeping the
cause on ``__cause__``.
"""

from __future__ import annotations


class CoverageCmpError(Exception):
    """Base class: every error coverage-cmp raises on purpose."""

    hint: str | None = None


class SettingsError(CoverageCmpError, ValueError):
    """Raised when an option is out of range or of the wrong kind."""


class SourceError(CoverageCmpError):
    """Raised when one input (path, URL, feed) cannot be turned into articles."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class FetchError(SourceError):
    """Raised when fetching a URL fails for good (after any retries)."""

    def __init__(self, source: str, reason: str, status: int | None = None,
                 attempts: int = 1) -> None:
        super().__init__(source, reason)
        self.status = status
        self.attempts = attempts


class ExtractionError(SourceError):
    """Raised when a page or file holds no article text (``reason`` says why)."""


class StoreError(CoverageCmpError):
    """Raised when the SQLite store cannot be opened, read or written."""


class StageOrderError(CoverageCmpError):
    """Raised when a stage needs results an earlier one has not produced yet."""
