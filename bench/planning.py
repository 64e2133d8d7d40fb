"""Planning in proportion, and incremental (goal 1).

A portfolio of C customers with four invoices each (due dates spread over 150 days back and
45 ahead, a fifth of them paid, three time zones, mixed channels) is bulk-inserted, then
planned in a fresh process:

- cold pass at 06:00 WIB on a database that never planned (every customer re-planned);
- hourly pass at 07:00 WIB with nothing changed: it must touch no row (`PlanStats` and a
  count of INSERT / UPDATE / DELETE statements on the engine) and take < 1 s at 100k;
- incremental pass at 08:00 WIB after 1 % of the invoices were paid.

The cold pass at 10k and 100k invoices gives the growth ratio (linear: at most 10x);
`make bench-large` adds the cold pass at 1,000,000 invoices (< 60 s on SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import (
    PeakMemory,
    Report,
    Shape,
    WriteCounter,
    build,
    emit,
    open_tagih,
    ratio,
    run_child,
    sqlite_url,
    wib,
)


async def passes(db_file: Path, sandbox: Path, *, hourly: bool) -> dict[str, Any]:
    """Cold pass, then (when `hourly`) an unchanged pass and a pass after 1 % paid."""
    from sqlalchemy import update

    from storage.models import Invoice, table_of

    app, _channels = await open_tagih(sqlite_url(db_file), sandbox)
    writes = WriteCounter(app.db.engine)
    result: dict[str, Any] = {}
    try:
        gc.collect()
        memory = PeakMemory()
        memory.start()
        writes.reset()
        started, cpu = time.perf_counter(), time.process_time()
        stats = await app.plan(wib(6, 0))
        result["cold"] = {
            "seconds": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu,
            "peak_rss_growth_mb": memory.growth_mb(),
            "write_statements": writes.statements,
            **asdict(stats),
        }
        if hourly:
            writes.reset()
            started, cpu = time.perf_counter(), time.process_time()
            stats = await app.plan(wib(7, 0))
            result["hourly"] = {
                "seconds": time.perf_counter() - started,
                "cpu_s": time.process_time() - cpu,
                "write_statements": writes.statements,
                "rows_written": writes.rows,
                **asdict(stats),
            }
            invoice = table_of(Invoice)
            async with app.db.transaction() as session:
                paid = await session.execute(
                    update(invoice)
                    .where(invoice.c.id % 100 == 0, invoice.c.status == "open")
                    .values(status="paid", balance=0)
                )
            writes.reset()
            started = time.perf_counter()
            stats = await app.plan(wib(8, 0))
            result["incremental"] = {
                "seconds": time.perf_counter() - started,
                "invoices_paid": paid.rowcount,
                "write_statements": writes.statements,
                **asdict(stats),
            }
    finally:
        writes.detach()
        await app.close()
    return result


def measure(invoices: int, tmp: Path, *, hourly: bool, limit: float) -> dict[str, Any]:
    """Build a portfolio of `invoices` invoices and plan it in a fresh process.

    A pass still running after `limit` seconds is killed; the customers it planned by then
    (each batch commits its plan keys) give its rate.
    """
    folder = tmp / f"plan{invoices}"
    folder.mkdir()
    db_file = folder / "tagih.db"
    built = asyncio.run(build(sqlite_url(db_file), Shape(customers=invoices // 4)))
    args = ["bench.planning", str(db_file), str(folder / "sandbox")]
    try:
        result = run_child(*args, *(["--hourly"] if hourly else []), timeout=limit)
    except subprocess.TimeoutExpired:
        with sqlite3.connect(db_file) as conn:
            (done,) = conn.execute("SELECT count(*) FROM customer WHERE plan_key IS NOT NULL")
        result = {"killed_after_s": limit, "customers_planned": done[0]}
    return {"build": built, **result}


def run(
    sizes: tuple[int, ...] = (10_000, 100_000), hourly_at: int = 100_000, limit: float = 1800
) -> Report:
    """Cold passes at each size, the hourly and incremental passes at `hourly_at`; a pass
    running longer than `limit` seconds is stopped and reported by its rate."""
    report = Report("planning", "planning in proportion, and incremental (goal 1)")
    with tempfile.TemporaryDirectory(prefix="tagih-bench-") as tmp:
        for size in sizes:
            r = measure(size, Path(tmp), hourly=size == hourly_at, limit=limit)
            report.raw[str(size)] = r
            big = size >= 1_000_000
            if "killed_after_s" in r:
                customers = size // 4
                rate = r["customers_planned"] / r["killed_after_s"]
                report.add(
                    f"cold_s_{size}",
                    f"cold pass, {size:,} invoices ({customers:,} customers)",
                    None,
                    "s",
                    "< 60 s" if big else "",
                    False if big else None,
                    note=f"killed after {r['killed_after_s']:.0f} s with "
                    f"{r['customers_planned']:,} of {customers:,} customers planned: "
                    f"~{customers / rate if rate else float('inf'):,.0f} s at that rate",
                )
                continue
            cold = r["cold"]
            report.add(
                f"cold_s_{size}",
                f"cold pass, {size:,} invoices ({size // 4:,} customers)",
                cold["seconds"],
                "s",
                "< 60 s" if big else "",
                cold["seconds"] < 60 if big else None,
                note=f"{cold['inserted']:,} rows inserted, {cold['superseded']:,} superseded, "
                f"peak RSS +{cold['peak_rss_growth_mb']:.0f} MB",
            )
            if "hourly" in r:
                h = r["hourly"]
                report.add(
                    f"hourly_s_{size}",
                    f"hourly pass, nothing changed, {size:,} invoices",
                    h["seconds"],
                    "s",
                    # The goal is set at 100,000 invoices; at 1,000,000 the figure shows growth.
                    "< 1 s" if size == 100_000 else "",
                    h["seconds"] < 1 if size == 100_000 else None,
                )
                touched = h["inserted"] + h["updated"] + h["removed"] + h["superseded"]
                report.add(
                    f"hourly_rows_{size}",
                    f"hourly pass: rows written / customers re-planned ({size:,})",
                    touched + h["write_statements"],
                    "",
                    "0",
                    touched == 0 and h["write_statements"] == 0 and h["customers"] == 0,
                    note=f"{h['customers']} re-planned, {h['unchanged']:,} unchanged, "
                    f"{h['write_statements']} write statements",
                )
                i = r["incremental"]
                report.add(
                    f"incremental_s_{size}",
                    f"pass after {i['invoices_paid']:,} invoices paid ({size:,})",
                    i["seconds"],
                    "s",
                    note=f"{i['customers']:,} customers re-planned, {i['updated']:,} updated, "
                    f"{i['removed']:,} removed, {i['inserted']:,} inserted",
                )
        if "10000" in report.raw and "100000" in report.raw:
            small, large = report.raw["10000"]["cold"], report.raw["100000"]["cold"]
            growth = ratio(large["seconds"], small["seconds"])
            report.add(
                "cold_growth",
                "cold pass growth 100k / 10k invoices",
                growth,
                "x",
                "<= 10x",
                growth <= 10,
                note=f"CPU time growth {ratio(large['cpu_s'], small['cpu_s']):.1f}x",
            )
    return report


def main() -> None:
    """Child process: plan one database, print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("sandbox", type=Path)
    parser.add_argument("--hourly", action="store_true")
    args = parser.parse_args()
    emit(asyncio.run(passes(args.db, args.sandbox, hourly=args.hourly)))


if __name__ == "__main__":
    main()
