"""What the benchmark scripts share: where the shared data is, and a CPU-time median."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

#: ``../shared/data`` next to the checkout (CI lays a copy of ``shared/`` there too).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BENCHMARK_DIR = SHARED_DATA / "article-extraction-benchmark"


def median_cpu_s(work: Callable[[], object], runs: int = 3,
                 before: Callable[[], object] | None = None) -> float:
    """Median CPU seconds of ``work`` over ``runs``; ``before`` runs untimed each time
    (e.g. to empty caches so every run starts cold, as a fresh process would)."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        begin = time.process_time()
        work()
        times.append(time.process_time() - begin)
    return statistics.median(times)
