"""Invoice CSV import: rows/s and peak memory, streaming (Tagih) vs naive (goal 5).

The naive baseline reads the whole file into a list, parses it all and inserts it
in one statement: fast, but its memory grows with the file. The streaming import
should grow only by its duplicate-key index (a few hundred bytes per row). Every
measurement runs in a fresh process on a fresh database (peak RSS only ever grows); the
child resets its RSS high-water mark right before the import. SQLite, then PostgreSQL on a
throwaway cluster started as the tests start one (`tests/support/pg.py`) when its binaries
are installed. `make bench` imports 10k and 100k rows; `make bench-large` 1,000,000
(streaming only: the naive import would hold the whole file, ~3 GB).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import random
import shutil
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlmodel import insert, select

from bench.common import TODAY, PeakMemory, Report, at_least, emit, run_child
from storage.db import Database
from storage.importers import import_csv
from storage.migrate import upgrade
from storage.models import Customer, Invoice, utcnow
from storage.parsing import parse_amount, parse_date

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


async def measure(folder: Path, mode: str, url: str | None = None) -> dict[str, float]:
    """Import `folder`'s invoices once into a fresh database (`url`, by default a new SQLite
    file in `folder`) and measure it."""
    db = Database(url or f"sqlite+aiosqlite:///{folder / f'{mode}.db'}")
    await upgrade(db)
    assert (await import_csv(db, "customers", folder / "customers.csv", today=TODAY)).ok
    gc.collect()
    memory = PeakMemory()
    memory.start()
    started, cpu = time.perf_counter(), time.process_time()
    if mode == "naive":
        rows = await naive_import(db, folder / "invoices.csv")
    else:
        report = await import_csv(db, "invoices", folder / "invoices.csv", today=TODAY)
        assert report.ok, report.errors[:5]
        rows = report.created
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await db.dispose()
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_s": cpu,
        "rss_growth_mb": memory.growth_mb(),
        "peak_rss_mb": memory.peak_mb(),
    }


def run(sizes: tuple[int, ...] = SIZES, modes: tuple[str, ...] = MODES) -> Report:
    """Import every size in every mode, each in a fresh process; rows/s and memory, on
    SQLite and (when installed) PostgreSQL."""
    from tests.support.pg import PgCluster, find_pg_bin, running_cluster

    report = Report("import", "invoice CSV import into SQLite and PostgreSQL (goal 5)")
    bin_dir = find_pg_bin()
    with tempfile.TemporaryDirectory(prefix="tagih-bench-") as tmp, ExitStack() as stack:
        cluster: PgCluster | None = None
        if bin_dir is not None:
            cluster = stack.enter_context(running_cluster(bin_dir))
        else:
            report.notes.append("PostgreSQL skipped: its binaries (initdb, postgres) are missing")
        for size in sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            write_files(folder, size)
            for mode in modes:
                _measure(report, folder, size, mode, None)
                if cluster is not None:
                    database = f"import_{mode}_{size}"
                    cluster.psql(f"CREATE DATABASE {database}")
                    _measure(report, folder, size, mode, cluster.url(database))
            shutil.rmtree(folder)
    report.notes.append(
        f"{CUSTOMERS:,} customers imported first; peak RSS is the whole process "
        "(interpreter and libraries included), growth is over the import alone"
    )
    return report


def _measure(report: Report, folder: Path, size: int, mode: str, url: str | None) -> None:
    """One child process's import, added to `report` (`url` None: SQLite)."""
    r = run_child("bench.import_memory", str(folder), mode, *(["--url", url] if url else []))
    where = "PostgreSQL" if url else "SQLite"
    prefix = "pg_" if url else ""  # SQLite's keys as in earlier results files
    report.raw[f"{prefix}{mode}_{size}"] = r
    rate = r["rows"] / r["seconds"]
    label = "Tagih (streaming)" if mode == "streaming" else "baseline (slurp + 1 INSERT)"
    streaming = mode == "streaming"
    report.add(
        f"{prefix}{mode}_rows_per_s_{size}",
        f"{where}, {label}: rows/s, {size:,} rows",
        rate,
        "rows/s",
        ">= 20,000/s" if streaming else "",
        at_least(rate, 20_000) if streaming else None,
    )
    big = size >= 1_000_000
    report.add(
        f"{prefix}{mode}_peak_rss_mb_{size}",
        f"{where}, {label}: peak RSS, {size:,} rows",
        r["peak_rss_mb"],
        "MB",
        "< 300 MB" if streaming and big else "",
        r["peak_rss_mb"] < 300 if streaming and big else None,
        note=f"+{r['rss_growth_mb']:.0f} MB during the import",
    )


def main() -> None:
    """Child process: one measurement, printed as JSON on the last line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--url", help="the database to import into (default: a new SQLite file)")
    args = parser.parse_args()
    emit(asyncio.run(measure(args.folder, args.mode, args.url)))


if __name__ == "__main__":
    main()
