"""A large import on SQLite drops its table's secondary indexes and builds them at the end.

The threshold (`bulk.MIN_ROWS`) is lowered so a few batches count as large. Every test
checks the indexes afterwards against the ones before, by name and statement, and
`PRAGMA integrity_check` that they hold exactly the table's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel import func, select

from storage.db import Database
from storage.importers import BATCH_SIZE, bulk, import_csv
from storage.models import Invoice, Payment
from tests.integration.test_importers import write

ROWS = 2 * BATCH_SIZE + 500
HEADER = "number,customer,issue_date,due_date,amount,item"


@pytest.fixture(autouse=True)
def large_from_a_hundred_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports of 100 rows and more count as large."""
    monkeypatch.setattr(bulk, "MIN_ROWS", 100)


def invoices(tmp_path: Path, rows: int, *, name: str = "i.csv", last: str | None = None) -> Path:
    """A file of `rows` invoices of customer C1 (or C2), the last row replaced by `last`."""
    lines = [
        f"INV-{n:05d},C{n % 2 + 1},2026-09-01,2026-10-{n % 28 + 1:02d},{1000 + n},Semen"
        for n in range(rows)
    ]
    if last is not None:
        lines[-1] = last
    return write(tmp_path, name, "\n".join([HEADER, *lines]) + "\n")


async def customers(db: Database, tmp_path: Path) -> None:
    """Customers C1 and C2."""
    path = write(tmp_path, "c.csv", "code,name,salesperson\nC1,PT Maju,Budi\nC2,CV Sinar,\n")
    assert (await import_csv(db, "customers", path)).ok


async def indexes(db: Database, table: str) -> dict[str, str | None]:
    """The table's indexes by name, each with its CREATE statement (None: a constraint's)."""
    async with db.engine.connect() as conn:
        if db.is_sqlite:
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t"
        rows = (await conn.execute(text(query), {"t": table})).all()
    return {name: sql for name, sql in rows}


async def intact(db: Database) -> None:
    """Every index of the database holds exactly its table's rows (SQLite)."""
    if db.is_sqlite:
        async with db.engine.connect() as conn:
            check = (await conn.execute(text("PRAGMA integrity_check"))).scalars().all()
        assert check == ["ok"]


async def count(db: Database, model: type[Invoice] | type[Payment]) -> int:
    """The rows of one table."""
    async with db.sessions() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    """Every statement the database runs while the test does."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine.sync_engine, "before_cursor_execute", record)


def ddl(statements: list[str], verb: str) -> list[str]:
    """The statements that start with `verb` (`DROP INDEX`, `CREATE INDEX`)."""
    return [s for s in statements if s.upper().startswith(verb)]


async def test_a_large_import_builds_the_indexes_once_at_the_end(
    db: Database, tmp_path: Path, statements: list[str]
) -> None:
    await customers(db, tmp_path)
    before = await indexes(db, "invoice")
    report = await import_csv(db, "invoices", invoices(tmp_path, ROWS))
    assert report.ok and report.created == ROWS
    assert await indexes(db, "invoice") == before
    assert await count(db, Invoice) == ROWS
    await intact(db)
    dropped, created = ddl(statements, "DROP INDEX"), ddl(statements, "CREATE INDEX")
    if not db.is_sqlite:  # an exclusive lock there: every reader would wait for the import
        assert dropped == created == []
        return
    secondary = {name for name, sql in before.items() if sql is not None}
    assert len(secondary) == 5
    assert {s.split()[-1].strip('"') for s in dropped} == secondary
    assert len(created) == len(secondary)
    # Gone while the rows went in: dropped before the first insert, built after the last.
    writes = [n for n, s in enumerate(statements) if s.upper().startswith("INSERT INTO INVOICE")]
    assert statements.index(dropped[-1]) < writes[0] < writes[-1] < statements.index(created[0])
    # By status, the query the reminders and the full export run, through its index again.
    async with db.engine.connect() as conn:
        plan = await conn.execute(
            text("EXPLAIN QUERY PLAN SELECT id FROM invoice WHERE status = 'open'")
        )
        assert "ix_invoice_status" in " ".join(str(row[-1]) for row in plan)


async def test_a_rolled_back_large_import_leaves_every_index(
    db: Database, tmp_path: Path, statements: list[str]
) -> None:
    if not db.is_sqlite:
        pytest.skip("nothing is dropped on PostgreSQL")
    await customers(db, tmp_path)
    before = await indexes(db, "invoice")
    # A dry run, a bad row in the last batch, and an error raised between two batches.
    report = await import_csv(db, "invoices", invoices(tmp_path, ROWS), dry_run=True)
    assert report.ok and report.created == ROWS
    bad = invoices(tmp_path, ROWS, name="bad.csv", last="INV-X,C9,2026-09-01,2026-10-01,1,Semen")
    report = await import_csv(db, "invoices", bad)
    assert [e.line for e in report.errors] == [ROWS + 1]

    def interrupt(done: int, total: int) -> None:
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        await import_csv(db, "invoices", invoices(tmp_path, ROWS), progress=interrupt)
    assert len(ddl(statements, "DROP INDEX")) == 3 * 5  # each run did drop them
    assert ddl(statements, "CREATE INDEX") == []  # and left the rollback to restore them
    assert await indexes(db, "invoice") == before
    assert await count(db, Invoice) == 0
    await intact(db)


async def test_indexes_stay_for_an_import_small_for_its_table(
    db: Database, tmp_path: Path, statements: list[str]
) -> None:
    if not db.is_sqlite:
        pytest.skip("nothing is dropped on PostgreSQL")
    await customers(db, tmp_path)
    assert (await import_csv(db, "invoices", invoices(tmp_path, ROWS))).ok
    statements.clear()
    # Fewer rows than the table holds: the builds would sort more than the import adds.
    assert (await import_csv(db, "invoices", invoices(tmp_path, ROWS // 2, name="half"))).ok
    assert ddl(statements, "DROP INDEX") == []
    await intact(db)


async def test_payments_keep_their_unique_reference(
    db: Database, tmp_path: Path, statements: list[str]
) -> None:
    await customers(db, tmp_path)
    assert (await import_csv(db, "invoices", invoices(tmp_path, ROWS))).ok
    before = await indexes(db, "payment")
    statements.clear()
    lines = [f"T{n:05d},INV-{n:05d},400,2026-10-02" for n in range(ROWS)]
    path = write(tmp_path, "p.csv", "\n".join(["reference,invoice,amount,paid_on", *lines]) + "\n")
    report = await import_csv(db, "payments", path)
    assert report.ok and report.created == ROWS
    assert await indexes(db, "payment") == before
    assert await count(db, Payment) == ROWS
    await intact(db)
    if db.is_sqlite:  # the unique index on `reference` serves every batch's lookup
        assert [s.split()[-1] for s in ddl(statements, "DROP INDEX")] == ['"ix_payment_invoice_id"']


async def test_a_large_full_export_closes_with_the_indexes_back(
    db: Database, tmp_path: Path, statements: list[str]
) -> None:
    await customers(db, tmp_path)
    old = [f"OLD-{n:02d},C1,2026-09-01,2026-10-01,1000,Semen" for n in range(20)]
    path = write(tmp_path, "old.csv", "\n".join([HEADER, *old]) + "\n")
    assert (await import_csv(db, "invoices", path)).ok
    before = await indexes(db, "invoice")
    listed = invoices(tmp_path, ROWS, name="ledger.csv")
    report = await import_csv(db, "invoices", listed, full_export=True, confirmed=True)
    assert report.ok and report.created == ROWS
    assert sorted(c.number for c in report.closed) == [f"OLD-{n:02d}" for n in range(20)]
    assert len(ddl(statements, "DROP INDEX")) == (5 if db.is_sqlite else 0)
    assert await indexes(db, "invoice") == before
    await intact(db)
