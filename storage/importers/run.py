"""The import loop: read a file in batches, apply each, and commit only if every row was good."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import zoneinfo
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

from storage.csvfile import CsvReader
from storage.db import Database
from storage.importers import customers, invoices, payments
from storage.importers.base import Context, Format, ImportKind, ImportReport, Run

Progress = Callable[[int, int], None]

FORMATS: dict[ImportKind, Format] = {
    ImportKind.CUSTOMERS: customers.FORMAT,
    ImportKind.INVOICES: invoices.FORMAT,
    ImportKind.PAYMENTS: payments.FORMAT,
}


class _Rollback(Exception):
    """Raised inside the transaction to undo it (errors found, or a dry run)."""


async def import_csv(
    db: Database,
    kind: str,
    path: Path,
    *,
    dry_run: bool = False,
    default_currency: str = "IDR",
    default_language: str = "id",
    default_timezone: str = "Asia/Jakarta",
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Import one CSV file of `kind` in one transaction; nothing is written if any row is bad.

    Dates are checked against `today`, the business day of the import; callers with a
    clock pass it. Left out, it is read once here, in `default_timezone`.
    """
    kind = ImportKind(kind)
    spec = FORMATS[kind]
    report = ImportReport(kind=kind, file=str(path), dry_run=dry_run)
    if today is None:
        today = dt.datetime.now(zoneinfo.ZoneInfo(default_timezone)).date()
    context = Context(default_currency, default_language, default_timezone, today)
    parsers = spec.parsers(context)
    # File reads and row parsing run in a worker thread so the event loop stays responsive.
    with await asyncio.to_thread(path.open, "rb") as handle:
        total = os.fstat(handle.fileno()).st_size
        reader = await asyncio.to_thread(CsvReader, handle, report.file, parsers, spec.required)
        # A balance left out is computed, not kept, so it is never in `keep`.
        keep = spec.optional - reader.present - {"balance"}
        run = Run(report, spec, parsers, keep)
        if reader.header is not None:
            try:
                async with db.transaction() as session:
                    records = iter(reader)
                    while (batch := await asyncio.to_thread(run.take, records)) is not None:
                        await spec.apply(session, run, batch)
                        await session.flush()
                        session.expunge_all()  # bounded memory: forget this batch's objects
                        if progress is not None:
                            progress(handle.tell(), total)
                    if report.errors or reader.errors or dry_run:
                        raise _Rollback
            except _Rollback:
                pass
    report.rows = reader.rows
    report.errors = sorted([*report.errors, *reader.errors], key=attrgetter("line"))
    return report
