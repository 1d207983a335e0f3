"""Helpers shared by the benchmarks: medians, paired ratios, sizes, Chromium, markdown tables.

The local HTTP server and Chromium's settings are in localsite.py, which the browser tests share.

These machines are shared and noisy, so every timing is the median of several repeats, and a
comparison is taken as the median of paired ratios (A and B measured in turn, never all of A
then all of B), so that a slow patch of the machine hits both sides alike.
"""

from __future__ import annotations

import gzip
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from localsite import CHROMIUM_ARGS, CHROMIUM_HELP, find_chromium
from localsite import serve as serve  # the benchmarks take their helpers from this module

ROOT = Path(__file__).resolve().parents[1]
REPORT_DIR = ROOT / "bench" / "report"
KB = 1024


def timed(fn: Callable[[], object], repeats: int = 7) -> float:
    """Median wall time of fn() in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired(
    a: Callable[[], object], b: Callable[[], object], repeats: int = 15, settle: float = 0.3
):
    """Median times of a and b, measured in turn, the median of the per-pair ratios a/b, and
    the best (least disturbed) times of a and b.

    numpy's OpenBLAS and PyTorch's OpenMP threads each spin for a while after a call; on a
    machine with few cores they would slow each other down, so each call starts after `settle`
    seconds of quiet.
    """
    ta, tb = [], []
    for _ in range(repeats + 1):  # the first pair warms up
        for fn, times in ((a, ta), (b, tb)):
            time.sleep(settle)
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    ta, tb = ta[1:], tb[1:]
    ratios = [x / y for x, y in zip(ta, tb, strict=True)]
    return (
        statistics.median(ta),
        statistics.median(tb),
        statistics.median(ratios),
        min(ta),
        min(tb),
    )


def gz(data: bytes) -> int:
    """Bytes after gzip at level 6 (what web servers use by default)."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def kb(n: float) -> str:
    return f"{n / KB:.1f}"


def table(header: list[str], rows: list[list[object]], left: int = 1) -> list[str]:
    """A markdown table; the first `left` columns are left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join([":---"] * left + ["---:"] * (len(header) - left)) + "|")
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def log(message: str) -> None:
    """Progress for the person waiting on the benchmark (the report is written at the end)."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def chromium():
    """(executable, args) for Debian's Chromium with software WebGL, as the browser tests use."""
    path = find_chromium()
    if path is None:
        raise RuntimeError(f"Chromium is not installed ({CHROMIUM_HELP})")
    if not os.access(path, os.X_OK):  # a GRADBOOK_CHROMIUM that names nothing runnable
        raise RuntimeError(f"Chromium is not at {path} ({CHROMIUM_HELP})")
    return path, CHROMIUM_ARGS
