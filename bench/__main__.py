"""Run the benchmarks, print every figure beside its goal, write JSON under bench/results/.

    python -m bench                 # `make bench`: the N = 10k / 100k cases (< 15 min)
    python -m bench --large         # `make bench-large`: the 1,000,000-invoice cases
    python -m bench planning import # only the benchmarks whose name contains a word

Results go to `bench/results/latest.json` (`latest-large.json`), kept in git, and to a
time-stamped copy next to it (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import ceilings, import_memory, inbox, pg_dispatch, planning, reminders, tick_scaling
from bench.common import RESULTS, ROOT, Report

#: name → benchmark, for `make bench`.
STANDARD: dict[str, Callable[[], Report]] = {
    "reminders": lambda: reminders.run(sizes=(10_000,)),
    "planning": lambda: planning.run(sizes=(10_000, 100_000)),
    "import": lambda: import_memory.run(sizes=(10_000, 100_000)),
    "tick_scaling": tick_scaling.run,
    "pg_dispatch": lambda: pg_dispatch.run(n=3_000),
    "ceilings": ceilings.run,
    "inbox": inbox.run,
}
#: name → benchmark, for `make bench-large`.
LARGE: dict[str, Callable[[], Report]] = {
    "planning": lambda: planning.run(sizes=(1_000_000,), hourly_at=1_000_000, limit=900),
    "import": lambda: import_memory.run(sizes=(1_000_000,), modes=("streaming",)),
    "reminders": lambda: reminders.run(sizes=(100_000,)),
}


def _output(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """What the figures were measured on, and on which code."""
    return {
        "nproc": os.cpu_count(),
        "memory": _output("free", "-h").splitlines()[1:2],
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Outside a checkout (a snapshot made with `git archive`), say which commit it is.
        "commit": _output("git", "rev-parse", "--short", "HEAD")
        or os.environ.get("TAGIH_BENCH_COMMIT", "unknown"),
        "uncommitted_changes": bool(
            _output("git", "status", "--porcelain", "--", "bot", "scheduler", "storage")
        ),
    }


def main(argv: list[str]) -> int:
    """Run the selected benchmarks, print their reports and a summary, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--large", action="store_true", help="the 1,000,000-invoice cases")
    parser.add_argument("names", nargs="*", help="run only benchmarks whose name contains one")
    args = parser.parse_args(argv)
    suite = LARGE if args.large else STANDARD
    selected = {
        name: bench
        for name, bench in suite.items()
        if not args.names or any(word in name for word in args.names)
    }
    if not selected:
        print(f"no benchmark matches {' '.join(args.names)!r}", file=sys.stderr)
        return 2
    started_at = dt.datetime.now(dt.UTC)
    info = machine()
    print(f"machine: {info['nproc']} cores, load {info['load_average']}, {info['memory']}")
    print(
        f"code: {info['commit']}{' + uncommitted changes' if info['uncommitted_changes'] else ''}"
    )
    reports: list[Report] = []
    failures: dict[str, str] = {}
    for name, bench in selected.items():
        print(f"\n-- {name} ...", flush=True)
        started = time.perf_counter()
        try:
            report = bench()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failures[name] = f"{type(exc).__name__}: {exc}"
            print(f"!! {name} failed: {failures[name]}", flush=True)
            continue
        report.seconds = time.perf_counter() - started
        reports.append(report)
        print(report.text(), f"\n  ({report.seconds:.0f} s)", sep="", flush=True)
    print("\n== summary: figures with a goal")
    for report in reports:
        for figure in report.figures:
            if figure.goal and figure.met is not None:
                print(f"[{report.name}]{figure.line()}")
    for name, error in failures.items():
        print(f"[{name}] FAILED: {error}")
    document = {
        "command": "make bench-large" if args.large else "make bench",
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": (dt.datetime.now(dt.UTC) - started_at).total_seconds(),
        "machine": info | {"load_average_end": os.getloadavg()},
        "reports": [report.as_json() for report in reports],
        "failures": failures,
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = started_at.strftime("%Y%m%dT%H%M%S")
    suffix = "-large" if args.large else ""
    text = json.dumps(document, indent=1, default=str)
    (RESULTS / f"run{suffix}-{stamp}.json").write_text(text)
    if not args.names:  # only a full run replaces the kept results
        Path(RESULTS / f"latest{suffix}.json").write_text(text)
    print(f"\nwritten: bench/results/run{suffix}-{stamp}.json", end="")
    print(f", bench/results/latest{suffix}.json" if not args.names else "")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
