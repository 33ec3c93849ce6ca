"""Figures beside their floors: median of rounds, the ratio, peak memory of a child process, the machine's load."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

ROUNDS = int(os.environ.get("PORTAL_BENCH_ROUNDS", "3"))


def timed(fn: Callable[[], object], before: Callable[[], object] | None = None) -> float:
    """Seconds `fn` took (after `before`, untimed)."""
    if before is not None:
        before()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def paired(figure: Callable[[], object], floor: Callable[[], object], rounds: int = ROUNDS,
           before: Callable[[], object] | None = None) -> tuple[list[float], list[float]]:
    """Run the project's figure and its floor in turns (so both see the same load), `rounds` times each."""
    ours, floors = [], []
    for _ in range(rounds):
        ours.append(timed(figure, before))
        floors.append(timed(floor, before))
    return ours, floors


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def row(label: str, ours: list[float], floors: list[float], target: str = "", unit: str = "s") -> float:
    """Print `label: figure  floor  ratio  target` (medians), and return the ratio."""
    figure, floor = statistics.median(ours), statistics.median(floors)
    scale, fmt = (1000, "{:9.1f} ms") if unit == "ms" else (1, "{:9.3f} s ")
    ratio = figure / floor if floor else float("inf")
    print(f"  {label:<46} {fmt.format(figure * scale)}  floor {fmt.format(floor * scale)}  {ratio:5.2f}×  "
          f"{target}  (median of {len(ours)}; max {max(ours) * scale:.1f}; {load_text()})")
    return ratio


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: VmHWM on Linux (its own, from its exec on; getrusage's
    maxrss would carry the parent's peak into a child), else getrusage (Linux reports KB)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
