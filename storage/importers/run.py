"""The import loop: read a file in batches, apply each, and commit only if every row was good."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import zoneinfo
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.csvfile import CsvReader
from storage.db import Database
from storage.importers import bulk, customers, full, invoices, mapping, payments
from storage.importers.base import (
    Batch,
    Context,
    Format,
    ImportKind,
    ImportReport,
    Parser,
    Run,
)
from storage.importers.mapping import Mapping

Progress = Callable[[int, int], None]

FORMATS: dict[ImportKind, Format] = {
    ImportKind.CUSTOMERS: customers.FORMAT,
    ImportKind.INVOICES: invoices.FORMAT,
    ImportKind.PAYMENTS: payments.FORMAT,
}


def load_mapping(kind: str, path: Path | None, *, inline: str | None = None) -> Mapping:
    """The column mapping in `path` (TOML) or `inline`, checked against the fields of `kind`."""
    kind = ImportKind(kind)
    return mapping.load(path, kind, FORMATS[kind], inline=inline)


class _Rollback(Exception):
    """Raised inside the transaction to undo it (errors found, or a dry run)."""


#: SQLite's page cache during an import, in KiB (its default is 2 MiB): a batch updates
#: indexes all over a large table, and each page it has to read again costs a syscall.
SQLITE_CACHE_KIB = 32 * 1024


@asynccontextmanager
async def _tuned_for_batches(conn: AsyncConnection) -> AsyncIterator[None]:
    """Set the connection up for the import's batches, for this transaction only.

    PostgreSQL: look a batch's keys up by index, whatever the statistics say. Every
    lookup and write of an import names at most a batch of keys, each found through a
    unique or foreign-key index. But the statistics of a table filled in this very
    transaction, or by an import moments ago that autovacuum has not analysed yet, count
    a fraction of its rows, and the planner then chose sequential scans and hash joins
    that read the whole table once per batch (the import grew quadratic: a lookup of
    1,000 customer codes took 6 s at 100,000 customers). With sequential scans disabled,
    each batch costs in proportion to its size; JIT, which such plans' inflated costs
    would trigger, is of no use to statements this small.

    SQLite: a larger page cache (`SQLITE_CACHE_KIB`), given back when the import ends;
    it took a third off the database's own time for 100,000 invoices and payments.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SET LOCAL enable_seqscan = off"))
        await conn.execute(text("SET LOCAL jit = off"))
        yield
        return
    async with bulk.page_cache(conn, SQLITE_CACHE_KIB):
        yield


async def _close_missing(conn: AsyncConnection, run: Run, *, confirmed: bool) -> None:
    """Close the open invoices a full export left out, or mark the run as needing `--yes`."""
    report = run.report
    # `run.seen` holds every invoice number of the file, valid or not.
    report.closed = await full.missing(conn, run.seen.keys())
    if full.too_many(len(report.closed), report.open_before) and not confirmed:
        report.needs_confirmation = True  # a truncated export must not empty the ledger
        return
    await full.close(conn, report.closed, file=report.file, open_before=report.open_before)


async def import_csv(
    db: Database,
    kind: str,
    path: Path,
    *,
    dry_run: bool = False,
    full_export: bool = False,
    confirmed: bool = False,
    default_currency: str = "IDR",
    default_language: str = "id",
    default_timezone: str = "Asia/Jakarta",
    progress: Progress | None = None,
    today: dt.date | None = None,
    layout: Mapping | None = None,
) -> ImportReport:
    """Import one CSV file of `kind` in one transaction; nothing is written if any row is bad.

    Dates are checked against `today`, the business day of the import; callers with a
    clock pass it. Left out, it is read once here, in `default_timezone`.

    With `full_export` (invoices only) the file is the whole open ledger: the open invoices
    it leaves out are closed in the same transaction (`storage.importers.full`), unless
    that is more than `full.SHARE_PERCENT` of them and not `confirmed`.

    With a `layout` (a column mapping, `load_mapping`) the file is read in the export's
    own layout, and errors name the export's columns.
    """
    kind = ImportKind(kind)
    if full_export and kind is not ImportKind.INVOICES:
        raise ValueError("a full export is a file of invoices")
    spec = FORMATS[kind]
    report = ImportReport(kind=kind, file=str(path), dry_run=dry_run, full=full_export)
    if today is None:
        today = dt.datetime.now(zoneinfo.ZoneInfo(default_timezone)).date()
    context = Context(default_currency, default_language, default_timezone, today)
    parsers = spec.parsers(context)
    if layout is not None:
        parsers = layout.wrap(parsers)
    # File reads and row parsing run in a worker thread so the event loop stays responsive.
    with await asyncio.to_thread(path.open, "rb") as handle:
        total = os.fstat(handle.fileno()).st_size
        reader = await asyncio.to_thread(
            CsvReader, handle, report.file, parsers, spec.required, mapping=layout, key=spec.key
        )
        run = _new_run(report, spec, parsers, reader, layout)
        if reader.header is not None:
            await _apply_batches(
                db,
                run,
                reader,
                handle,
                total=total,
                progress=progress,
                full_export=full_export,
                confirmed=confirmed,
                dry_run=dry_run,
            )
    report.rows = reader.rows
    report.foreign_layout = reader.foreign_layout
    report.errors = sorted([*report.errors, *reader.errors], key=attrgetter("line"))
    return report


def _new_run(
    report: ImportReport,
    spec: Format,
    parsers: dict[str, Parser],
    reader: CsvReader,
    layout: Mapping | None,
) -> Run:
    """The import's state; optional columns the file lacks keep their stored values."""
    # A balance left out is computed, not kept, so it is never in `keep`.
    keep = spec.optional - reader.present - {"balance"}
    run = Run(report, spec, parsers, keep)
    if layout is not None:
        run.labels = layout.labels(set(parsers))
    return run


async def _apply_batches(
    db: Database,
    run: Run,
    reader: CsvReader,
    handle: BinaryIO,
    *,
    total: int,
    progress: Progress | None,
    full_export: bool,
    confirmed: bool,
    dry_run: bool,
) -> None:
    """Apply the file's batches in one transaction, rolled back on any error or a dry run."""
    report, spec = run.report, run.spec

    def read() -> tuple[Batch | None, int]:
        return run.take(records), handle.tell()

    records = iter(reader)
    # Reading and parsing the next batch (in a thread) overlaps writing this one.
    reading = asyncio.ensure_future(asyncio.to_thread(read))
    try:
        async with db.transaction() as session:
            conn = await session.connection()
            async with _tuned_for_batches(conn):
                if full_export:  # before the file reopens or adds any
                    report.open_before = await full.count_open(conn)
                dropped: list[bulk.Dropped] | None = None
                while True:
                    batch, done = await reading
                    if batch is None:
                        break
                    reading = asyncio.ensure_future(asyncio.to_thread(read))
                    if dropped is None and spec.table is not None:
                        # The file's size in rows, from the bytes per row of its first batch.
                        rows = bulk.estimated_rows(total, done, len(batch.good) + len(batch.bad))
                        dropped = await bulk.drop_secondary(conn, spec.table, spec.key, rows)
                    await spec.apply(conn, run, batch.good)
                    if batch.bad and spec.refs is not None:
                        await spec.refs(conn, run, batch.bad)
                    if progress is not None:
                        progress(done, total)
                failed = bool(report.errors or reader.errors)
                # Back before anything else reads the table. An import that will roll back
                # skips the builds: the rollback restores the indexes as they were, and a
                # dry run's closing list reads the open invoices in one scan without them.
                if dropped and not (failed or dry_run):
                    await bulk.recreate(conn, dropped)
                if full_export and not failed:
                    await _close_missing(conn, run, confirmed=confirmed)
            if report.errors or reader.errors or dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    finally:
        await asyncio.wait([reading])  # the file stays open until the reader is done
        if not reading.cancelled():
            reading.exception()  # retrieved: an error of both is raised, not logged
