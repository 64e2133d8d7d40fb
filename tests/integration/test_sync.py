"""`tagih sync FOLDER` (issue 13): exports dropped in a folder are imported, then moved.

A real SQLite database; time is injected (the timestamped names), polls are called by
hand, so "stable" is two polls with nothing changed in between.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.app.folder_sync import SyncFolder, watch
from storage.db import Database
from tests.integration.test_mapping import EXAMPLES, EXPORTS, MAPPINGS, customers, invoices, ok

__all__ = ["customers"]  # the fixture, shared

NOW = dt.datetime(2026, 11, 20, 1, 2, 3, tzinfo=dt.UTC)


def folder_of(tmp_path: Path, db_url: str) -> tuple[Path, SyncFolder]:
    """A watched folder and its `SyncFolder` on a real database at a fixed time."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder, SyncFolder(folder, Database(db_url), clock=lambda: NOW)


def poll(sync: SyncFolder) -> list[str]:
    """One poll; each outcome as `NAME ok|failed`."""

    async def run() -> list[str]:
        try:
            return [f"{o.file.name} {'ok' if o.ok else 'failed'}" for o in await sync.poll()]
        finally:
            await sync.db.dispose()

    return asyncio.run(run())


def test_stable_file_imported_with_the_folders_mapping_then_moved(
    customers: str, tmp_path: Path
) -> None:
    """Imported only once unchanged across two polls; moved to done/ with a timestamp."""
    folder, sync = folder_of(tmp_path, customers)
    shutil.copy(MAPPINGS / "xero-invoices.toml", folder / "mapping.toml")
    export = folder / "export.csv"
    lines = (EXPORTS / "xero-invoices.csv").read_text().splitlines(keepends=True)
    export.write_text("".join(lines[:2]))  # half written
    assert poll(sync) == []
    with export.open("a") as handle:
        handle.write("".join(lines[2:]))  # grew since: still not read
    assert poll(sync) == []
    assert invoices(customers) == {}
    assert poll(sync) == ["export.csv ok"]
    assert set(invoices(customers)) == {"INV-0001", "INV-0002"}
    assert not export.exists()
    assert (folder / "done" / "20261120T010203Z-export.csv").is_file()
    assert (folder / "mapping.toml").is_file()  # the mapping stays


def test_bad_file_goes_to_failed_with_its_errors_and_writes_nothing(
    customers: str, tmp_path: Path
) -> None:
    """A file with a bad row: nothing imported, moved to failed/ with NAME.errors.txt."""
    folder, sync = folder_of(tmp_path, customers)
    good = (EXAMPLES / "invoices.csv").read_text().splitlines()[:3]
    (folder / "invoices-week.csv").write_text("\n".join([*good, "X-1,C001,bad,2026-11-01,1,,,,\n"]))
    poll(sync)
    assert poll(sync) == ["invoices-week.csv failed"]
    assert invoices(customers) == {}  # the good rows were rolled back with the bad one
    report = (folder / "failed" / "20261120T010203Z-invoices-week.csv.errors.txt").read_text()
    assert "invoices-week.csv:4: issue_date: not a date: 'bad'" in report
    assert (folder / "failed" / "20261120T010203Z-invoices-week.csv").is_file()


def test_unknown_kind_fails_and_watch_stops(customers: str, tmp_path: Path) -> None:
    """No --kind, no mapping kind, no telling file name: failed/ says how to tell it."""
    folder, sync = folder_of(tmp_path, customers)
    (folder / "export.csv").write_text("a,b\n1,2\n")
    seen: list[str] = []
    stop = asyncio.Event()

    async def tick(_: float) -> None:
        if len(seen) or (sync.seen and not (folder / "export.csv").exists()):
            stop.set()

    async def run() -> None:
        try:
            await watch(
                sync, interval=0, report=lambda o: seen.append(o.summary), stop=stop, sleep=tick
            )
        finally:
            await sync.db.dispose()

    asyncio.run(run())
    assert seen == ["bad mapping"]
    errors = (folder / "failed" / "20261120T010203Z-export.csv.errors.txt").read_text()
    assert "cannot tell customers, invoices or payments" in errors


def test_sync_once_command(customers: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tagih sync FOLDER --once` imports what is there and exits (for cron)."""
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(EXAMPLES / "invoices.csv", folder / "invoices.csv")
    output = ok("sync", str(folder), "--once", "--interval", "0")
    assert "invoices.csv: imported 120 rows of invoices" in output
    assert len(invoices(customers)) == 120
    assert list((folder / "done").iterdir())


def test_tagih_run_watches_the_sync_dir_as_leader(customers: str, tmp_path: Path) -> None:
    """TAGIH_SYNC_DIR: `tagih run`'s leader job imports a dropped export and says so."""
    from bot.app.service import Service
    from bot.app.tagih import Tagih
    from bot.config import load_settings
    from scheduler.leader import leadership_for

    folder = tmp_path / "drop"  # made by the service
    settings = load_settings(
        database_url=customers, sync_dir=folder, load_examples=False, sandbox_dir=tmp_path / "sb"
    )
    lines: list[str] = []

    async def run() -> None:
        app = Tagih(settings, clock=lambda: NOW)
        await app.open(with_web=False)
        service = Service(app, leadership_for(customers), lines.append)
        try:
            job = service.folder_job()
            assert job is not None and folder.is_dir()
            shutil.copy(MAPPINGS / "xero-invoices.toml", folder / "mapping.toml")
            shutil.copy(EXPORTS / "xero-invoices.csv", folder / "xero.csv")
            await job(NOW)  # the first look
            await job(NOW)  # unchanged since: imported
        finally:
            await service.close()
            await app.close()

    asyncio.run(run())
    assert set(invoices(customers)) == {"INV-0001", "INV-0002"}
    assert any(line.startswith("sync: xero.csv imported") for line in lines), lines
    assert (folder / "done" / "20261120T010203Z-xero.csv").is_file()
    unset = load_settings(database_url=customers, load_examples=False)
    assert Service(Tagih(unset), leadership_for(customers), lines.append).folder_job() is None


def test_a_foreign_export_fails_with_a_hint_to_detect_a_mapping(
    customers: str, tmp_path: Path
) -> None:
    """An export in another layout, no mapping.toml: the errors say how to get a mapping."""
    folder, sync = folder_of(tmp_path, customers)
    (folder / "invoices-xero.csv").write_text(
        "InvoiceNumber,ContactName,InvoiceDate,DueDate,Total\nINV-1,C001,2026-11-01,2026-11-30,100\n"
    )
    poll(sync)
    assert poll(sync) == ["invoices-xero.csv failed"]
    report = (folder / "failed" / "20261120T010203Z-invoices-xero.csv.errors.txt").read_text()
    assert "invoices-xero.csv:1:" in report
    assert "tagih import invoices --detect invoices-xero.csv" in report
    assert str(folder / "mapping.toml") in report
