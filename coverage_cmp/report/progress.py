"""Progress bars for long steps: on stderr, only on a terminal, only past a second.

``track`` wraps any iterable; the CLI passes ``quiet``. Piped or redirected stderr, and
steps that finish within ``delay_s``, show nothing, so logs and CI output stay clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

T = TypeVar("T")


def track(items: Iterable[T], description: str, *, total: int | None = None,
          quiet: bool = False, file: TextIO | None = None, delay_s: float = 1.0,
          get_time: Callable[[], float] = time.monotonic) -> Iterator[T]:
    """Yield ``items``, drawing a bar on ``file`` (stderr) once the step has run ``delay_s``.

    Args:
        items: the work, one item a step.
        description: what the step does ("compare", "extract").
        total: number of items when ``items`` has no ``len()``.
        quiet: never draw (``--quiet``).
        file: where to draw; stderr when None. Nothing is drawn unless it is a terminal.
        delay_s: how long a step must run before its bar appears.
        get_time: the clock, for tests.
    """
    stream = file if file is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if quiet or not (isatty and isatty()):
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), console=Console(file=stream), transient=True)
    task = progress.add_task(description, total=total)
    started = get_time()
    shown = False
    try:
        for item in items:
            yield item
            progress.advance(task)
            if not shown and get_time() - started >= delay_s:
                progress.start()
                shown = True
    finally:
        if shown:
            progress.stop()
