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


def jieba_lcut_time(simplified: list[str], repeat: int) -> float:
    """Median seconds of the peer, ``jieba.lcut`` as users call it (module-level tokenizer, jieba's
    own dictionary, one process), over texts already converted to simplified; its log lines off."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return median_time(lambda: [jieba.lcut(text) for text in simplified], repeat)
