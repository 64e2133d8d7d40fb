"""Run every registered benchmark, or those whose name contains an argument."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from bench import import_memory, tick_scaling

#: A benchmark takes no arguments and returns its report as text. Add yours here.
BENCHMARKS: list[Callable[[], str]] = [import_memory.run, tick_scaling.run]


def main(argv: list[str]) -> int:
    """Run the benchmarks selected by `argv` (all when empty) and print their reports."""
    selected = [
        bench
        for bench in BENCHMARKS
        if not argv or any(word in f"{bench.__module__}.{bench.__name__}" for word in argv)
    ]
    if not selected:
        print(f"no benchmark matches {' '.join(argv)!r}", file=sys.stderr)
        return 2
    for bench in selected:
        print(f"== {bench.__module__}.{bench.__name__}", flush=True)
        started = time.perf_counter()
        print(bench())
        print(f"({time.perf_counter() - started:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
