"""Dispatch throughput on PostgreSQL, one worker against three (goal 2, optional).

A throwaway cluster is started the way the tests start one (`tests/support/pg.py`: initdb in a
temporary folder, fsync off); skipped with a note when PostgreSQL is not installed. The same
N reminders (as in `bench.reminders`) are planned once per database; then 1 or 3 worker
processes, each a `Tagih` with no-op channels, run one dispatch tick at the same instant
(`FOR UPDATE SKIP LOCKED` shares the rows). Throughput = follow-ups sent / wall time from the
common start to the last worker's end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, Report, Shape, at_least, build, emit, open_tagih, ratio
from bench.reminders import DISPATCH_AT, PLAN_AT

N = 5_000
SANDBOX = Path(tempfile.gettempdir()) / "tagih-bench-sandbox"
WORKERS = (1, 3)


async def plan(url: str) -> dict[str, Any]:
    """One planning pass over the freshly built database."""
    app, _ = await open_tagih(url, SANDBOX)
    try:
        stats = await app.plan(PLAN_AT)
    finally:
        await app.close()
    return {"planned": stats.planned}


async def worker(url: str, name: str, start_at: float) -> dict[str, Any]:
    """Wait for the common start, run one tick, report what this worker sent and when."""
    app, channels = await open_tagih(url, SANDBOX, worker=name)
    try:
        dispatcher = await app.dispatcher()
        await asyncio.sleep(max(start_at - time.time(), 0))
        began = time.time()
        await dispatcher.tick(DISPATCH_AT)
        ended = time.time()
    finally:
        await app.close()
    return {"began": began, "ended": ended, "sent": sum(len(c.sent) for c in channels.values())}


def _workers(url: str, count: int) -> dict[str, Any]:
    start_at = time.time() + 10  # every worker has imported and connected by then
    command = [sys.executable, "-m", "bench.pg_dispatch", "worker", url]
    children = [
        subprocess.Popen(
            [*command, f"w{i}", str(start_at)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for i in range(count)
    ]
    results = []
    for child in children:
        out, _ = child.communicate(timeout=3600)
        if child.returncode:
            raise RuntimeError(f"worker exited with {child.returncode}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    sent = sum(r["sent"] for r in results)
    wall = max(r["ended"] for r in results) - start_at
    return {"workers": results, "sent": sent, "wall_s": wall, "rate": ratio(sent, wall)}


def run(n: int = N) -> Report:
    """1 and 3 workers on their own copy of the same N planned reminders."""
    from tests.support.pg import find_pg_bin, running_cluster

    report = Report("pg_dispatch", f"dispatch on PostgreSQL, {n:,} reminders (goal 2)")
    bin_dir = find_pg_bin()
    if bin_dir is None:
        report.notes.append("skipped: PostgreSQL (initdb, postgres) is not installed")
        return report
    with running_cluster(bin_dir) as cluster:
        for count in WORKERS:
            database = f"bench{count}"
            cluster.psql(f"CREATE DATABASE {database}")
            url = cluster.url(database)
            asyncio.run(build(url, Shape(customers=n, kind="reminders")))
            subprocess.run(
                [sys.executable, "-m", "bench.pg_dispatch", "plan", url],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            r = _workers(url, count)
            report.raw[f"workers_{count}"] = r
            goal = ">= 1,000/s" if count == 3 else ""
            report.add(
                f"pg_rate_{count}",
                f"PostgreSQL, {count} worker{'s' if count > 1 else ''}: follow-ups/s",
                r["rate"],
                "msg/s",
                goal,
                at_least(r["rate"], 1000) if count == 3 else None,
                note=f"{r['sent']:,} sent in {r['wall_s']:.1f} s",
            )
    one, three = report.raw["workers_1"], report.raw["workers_3"]
    report.add("pg_scaling", "3 workers / 1 worker", ratio(three["rate"], one["rate"]), "x")
    return report


def main() -> None:
    """Child process: plan, or be one worker."""
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("plan", "worker"))
    parser.add_argument("url")
    parser.add_argument("name", nargs="?")
    parser.add_argument("start_at", nargs="?", type=float)
    args = parser.parse_args()
    if args.role == "plan":
        emit(asyncio.run(plan(args.url)))
    else:
        emit(asyncio.run(worker(args.url, args.name, args.start_at)))


if __name__ == "__main__":
    main()
