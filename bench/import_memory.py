"""Invoice CSV import at 10k and 100k rows: throughput and peak memory, streaming vs naive.

The naive baseline reads the whole file into a list, parses it all and inserts it
in one statement: fast, but its memory grows with the file. The streaming import
should grow only by its duplicate-key index (a few hundred bytes per row). Every
measurement runs in a fresh process on a fresh SQLite database, because peak RSS
only ever grows; tracemalloc runs separately, as it slows Python down several times.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from sqlmodel import insert, select

from storage.db import Database
from storage.importers import import_csv
from storage.migrate import upgrade
from storage.models import Customer, Invoice, utcnow
from storage.parsing import parse_amount, parse_date

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
CUSTOMERS = 1_000
MODES = ("streaming", "naive")


def write_files(folder: Path, rows: int) -> None:
    """Write `customers.csv` and an invoices file of `rows` rows into `folder`."""
    rng = random.Random(rows)
    with (folder / "customers.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("code,name,email,phone\n")
        for n in range(CUSTOMERS):
            handle.write(f"C{n:05d},PT Pelanggan {n},ar{n}@pelanggan.example,08123{n:07d}\n")
    with (folder / "invoices.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("number,customer,issue_date,due_date,amount,item\n")
        for n in range(rows):
            amount = f"{rng.randrange(10, 3000) * 50_000:,}".replace(",", ".")
            due = f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
            line = f"INV/{n:07d},C{n % CUSTOMERS:05d},2026-01-01,{due},Rp {amount},Semen 50 kg\n"
            handle.write(line)


def _slurp(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


async def naive_import(db: Database, path: Path) -> int:
    """The baseline: whole file in memory, then one bulk insert."""
    records = await asyncio.to_thread(_slurp, path)
    async with db.transaction() as session:
        ids = dict((await session.exec(select(Customer.code, Customer.id))).all())
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for record in records:
            amount = parse_amount(record["amount"])
            rows.append(
                {
                    "number": record["number"],
                    "customer_id": ids[record["customer"]],
                    "issue_date": parse_date(record["issue_date"]),
                    "due_date": parse_date(record["due_date"]),
                    "amount": amount,
                    "balance": amount,
                    "currency": "IDR",
                    "item": record["item"],
                    "status": "open",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        await session.exec(insert(Invoice), params=rows)
    return len(rows)


def _max_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


async def measure(folder: Path, mode: str, trace: bool) -> dict[str, float]:
    """Import `folder`'s invoices once into a fresh database and measure it."""
    db = Database(f"sqlite+aiosqlite:///{folder / f'{mode}-{trace}.db'}")
    await upgrade(db)
    assert (await import_csv(db, "customers", folder / "customers.csv")).ok
    gc.collect()
    rss_before = _max_rss_kb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    if mode == "naive":
        rows = await naive_import(db, folder / "invoices.csv")
    else:
        report = await import_csv(db, "invoices", folder / "invoices.csv")
        assert report.ok, report.errors[:5]
        rows = report.created
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    await db.dispose()
    return {"rows": rows, "seconds": seconds, "rss_kb": _max_rss_kb() - rss_before, "peak": peak}


def _child(folder: Path, mode: str, trace: bool) -> dict[str, float]:
    args = [sys.executable, "-m", "bench.import_memory", str(folder), mode]
    done = subprocess.run(
        [*args, "--trace"] if trace else args, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def run() -> str:
    """Measure both modes at both sizes and report throughput, memory and the growth ratio."""
    results: dict[tuple[str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="tagih-bench-") as tmp:
        for size in SIZES:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            write_files(folder, size)
            for mode in MODES:
                plain, traced = _child(folder, mode, False), _child(folder, mode, True)
                results[mode, size] = plain | {"peak": traced["peak"]}
    lines = [
        f"invoice import into SQLite ({CUSTOMERS:,} customers already imported)",
        f"{'mode':<10}{'rows':>9}{'rows/s':>9}{'peak RSS growth':>17}{'tracemalloc peak':>18}",
    ]
    for (mode, size), r in results.items():
        lines.append(
            f"{mode:<10}{size:>9,}{r['rows'] / r['seconds']:>9,.0f}"
            f"{r['rss_kb'] / 1024:>14.1f} MB{r['peak'] / 2**20:>15.1f} MB"
        )
    small, large = SIZES
    for mode in MODES:
        a, b = results[mode, small], results[mode, large]
        per_row = (b["peak"] - a["peak"]) / (large - small)
        lines.append(
            f"{mode}: {large // small}x the rows -> tracemalloc peak x{b['peak'] / a['peak']:.1f}, "
            f"RSS growth x{b['rss_kb'] / max(a['rss_kb'], 1):.1f} "
            f"({per_row:,.0f} bytes per extra row)"
        )
    return "\n".join(lines)


def main() -> None:
    """Child process: one measurement, printed as JSON on the last line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.folder, args.mode, args.trace))))


if __name__ == "__main__":
    main()
