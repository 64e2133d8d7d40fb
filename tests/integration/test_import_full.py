"""`tagih import invoices FILE --full`: the file is the whole open ledger; what it omits is closed.

Through the command line on SQLite and PostgreSQL: the closing list comes first, a dry run
shows it and writes nothing, a large share needs `--yes`, a bad file closes nothing, and each
committed run leaves one audit entry naming the invoices it closed.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli.main import app
from storage.db import Database
from storage.models import AuditLog, Invoice
from tests.integration.test_importers import write

HEADER = "number,customer,issue_date,due_date,amount,currency,balance,item,salesperson"


def line(n: int, amount: int = 1_000_000) -> str:
    """One invoice row of customer C1."""
    return f"INV-{n:02d},C1,2026-09-01,2026-10-01,{amount},IDR,,Semen,"


def run(*args: str) -> Result:
    """Run `tagih` with `args`."""
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    """Run `tagih`, which must succeed; its output."""
    result = run(*args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.fixture
def ledger(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Ten open invoices (INV-10 disputed), INV-11 written off, INV-12 paid; the db URL."""
    monkeypatch.setenv("TAGIH_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    customers = write(tmp_path, "c.csv", "code,name\nC1,PT Maju Jaya\n")
    ok("import", "customers", str(customers))
    rows = [line(n) for n in range(1, 13)]
    ok("import", "invoices", str(write(tmp_path, "all.csv", "\n".join([HEADER, *rows]) + "\n")))
    paid = write(
        tmp_path, "p.csv", "reference,invoice,amount,paid_on\nT12,INV-12,1000000,2026-10-02\n"
    )
    ok("import", "payments", str(paid))

    async def mark() -> None:
        database = Database(db_url)
        try:
            async with database.transaction() as session:
                for number, status in (("INV-10", "disputed"), ("INV-11", "written_off")):
                    row = (
                        await session.exec(select(Invoice).where(Invoice.number == number))
                    ).one()
                    row.status = status
                    session.add(row)
        finally:
            await database.dispose()

    asyncio.run(mark())
    return db_url


def state(db_url: str) -> tuple[dict[str, tuple[Decimal, str]], list[AuditLog]]:
    """Every invoice's (balance, status) by number, and the audit entries of full exports."""

    async def read() -> tuple[dict[str, tuple[Decimal, str]], list[AuditLog]]:
        database = Database(db_url)
        try:
            async with database.sessions() as session:
                invoices = {
                    i.number: (i.balance, i.status) for i in await session.exec(select(Invoice))
                }
                query = select(AuditLog).where(AuditLog.action == "invoice.closed_by_full_export")
                return invoices, list(await session.exec(query))
        finally:
            await database.dispose()

    return asyncio.run(read())


def export(tmp_path: Path, numbers: range, name: str = "full.csv") -> Path:
    """A full export listing `numbers` (INV-01 of 2 000 000: changed, so a write shows)."""
    rows = [line(n, 2_000_000 if n == 1 else 1_000_000) for n in numbers]
    return write(tmp_path, name, "\n".join([HEADER, *rows]) + "\n")


def test_full_export_closes_what_it_no_longer_lists(ledger: str, tmp_path: Path) -> None:
    path = export(tmp_path, range(1, 9))  # INV-09 (open) and INV-10 (disputed) are gone
    output = ok("import", "invoices", str(path), "--full")
    lines = output.splitlines()
    closing = lines.index("Closed 2 of 10 open invoices no longer in the file (paid):")
    assert closing < next(i for i, text in enumerate(lines) if "imported 8 rows" in text)
    assert lines[closing + 1].split()[:2] == ["INV-09", "C1"]
    assert lines[closing + 2].split()[:2] == ["INV-10", "C1"]
    invoices, audits = state(ledger)
    assert invoices["INV-09"] == (Decimal(0), "paid")  # as a payment of the balance leaves it
    assert invoices["INV-10"] == (Decimal(0), "paid")
    assert invoices["INV-11"] == (Decimal(1_000_000), "written_off")  # not open: untouched
    assert invoices["INV-12"] == (Decimal(0), "paid")
    assert invoices["INV-01"] == (Decimal(2_000_000), "open")  # the rows are applied too
    [audit] = audits
    assert audit.actor == "import" and audit.entity_key == "full.csv"
    assert audit.after is not None and audit.after["closed"] == ["INV-09", "INV-10"]
    assert audit.before is not None and audit.before["open"] == 10
    assert audit.before["invoices"][1] == {
        "number": "INV-10",
        "balance": "1000000.00",
        "status": "disputed",
    }
    shown = json.loads(ok("audit", "--json"))
    assert [
        e["after"]["closed"] for e in shown if e["action"] == "invoice.closed_by_full_export"
    ] == [["INV-09", "INV-10"]]
    # The same export again closes nothing more, and says so.
    output = ok("import", "invoices", str(path), "--full")
    assert "Closed" not in output and "0 updated, 8 unchanged" in output
    assert [a.after["closed"] for a in state(ledger)[1] if a.after] == [["INV-09", "INV-10"], []]


def test_dry_run_lists_what_would_close_and_writes_nothing(ledger: str, tmp_path: Path) -> None:
    before = state(ledger)
    output = ok("import", "invoices", str(export(tmp_path, range(1, 9))), "--full", "--dry-run")
    assert "Would close 2 of 10 open invoices no longer in the file (paid):" in output
    assert "INV-09" in output and "INV-10" in output
    assert state(ledger) == before


def test_a_large_share_needs_yes(ledger: str, tmp_path: Path) -> None:
    before = state(ledger)
    path = export(tmp_path, range(1, 8))  # 3 of 10 open invoices missing: 30 % > 20 %
    result = run("import", "invoices", str(path), "--full")
    assert result.exit_code == 1, result.output
    assert "would close 3 of 10 open invoices (30 %), more than 20 %" in result.output
    assert "--yes" in result.output and "nothing was imported" in result.output
    assert state(ledger) == before  # not even INV-01's new amount
    dry = ok("import", "invoices", str(path), "--full", "--dry-run")
    assert "Would close 3 of 10" in dry and "--yes" in dry
    ok("import", "invoices", str(path), "--full", "--yes")
    invoices, audits = state(ledger)
    assert [n for n, (_, status) in sorted(invoices.items()) if status == "paid"] == [
        "INV-08", "INV-09", "INV-10", "INV-12",
    ]  # fmt: skip
    assert len(audits) == 1


def test_an_empty_export_closes_nothing_without_yes(ledger: str, tmp_path: Path) -> None:
    before = state(ledger)
    result = run("import", "invoices", str(write(tmp_path, "empty.csv", HEADER + "\n")), "--full")
    assert result.exit_code == 1 and "(100 %)" in result.output
    assert state(ledger) == before


def test_a_bad_file_closes_nothing(ledger: str, tmp_path: Path) -> None:
    before = state(ledger)
    rows = [line(n) for n in range(1, 9)] + ['INV-99,C1,2026-09-01,2026-10-01,"12,5jt",IDR,,,']
    path = write(tmp_path, "bad.csv", "\n".join([HEADER, *rows]) + "\n")
    result = run("import", "invoices", str(path), "--full", "--yes")
    assert result.exit_code == 1
    assert f"{path}:10: amount: not an amount: '12,5jt'" in result.output
    assert "Closed" not in result.output
    assert state(ledger) == before


def test_full_is_for_invoices_only(ledger: str, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "code,name\nC1,PT Maju Jaya\n")
    result = run("import", "customers", str(path), "--full")
    assert result.exit_code == 2
    assert "--full" in result.output and "invoices" in result.output
