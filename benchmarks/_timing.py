"""The one timer every benchmark uses: the median wall time of repeated calls."""
from __future__ import annotations

import statistics
import time


def median_time(fn, repeat: int) -> float:
    """Median wall seconds of ``repeat`` calls of ``fn()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
