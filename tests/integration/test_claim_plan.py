"""The claim reads only the batch it takes: SQLite plans it on an index, with no sort of
every due row (the OR-query it replaced sorted them all for each batch: quadratic)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from scheduler.claims import claim_due
from storage.db import Database
from storage.models import FollowUp
from tests.support.factories import add_customer

NOW = dt.datetime(2026, 11, 23, 2, 5, tzinfo=dt.UTC)


@pytest.fixture
async def db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database of the test's own."""
    path = tmp_path / "tagih.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite+aiosqlite:///{path}")
    yield db
    await db.dispose()


@contextmanager
def recorded(db: Database, verb: str) -> Iterator[list[tuple[str, Any]]]:
    """The statements starting with `verb` that run inside the block, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(verb):
            seen.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)


async def query_plan(db: Database, statement: str, parameters: Any) -> str:
    """SQLite's plan for `statement`, its steps joined by " | "."""
    async with db.engine.connect() as conn:
        rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return " | ".join(str(row[-1]) for row in rows)


async def test_claim_reads_through_the_status_index(db: Database) -> None:
    with recorded(db, "SELECT") as seen:
        await claim_due(db, worker="w", now=NOW, limit=100, lease=dt.timedelta(minutes=5))
    assert len(seen) == 2  # expired leases, then planned rows
    for statement, parameters in seen:
        plan = await query_plan(db, statement, parameters)
        assert "ix_followup_status_planned" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


async def test_claim_update_finds_its_rows_by_id(db: Database) -> None:
    """The UPDATE re-checks what is due on the batch's ids: planned on the status indexes
    (a MULTI-INDEX OR) it read every due row for each batch, quadratic over a backlog."""
    customer_id = await add_customer(db, "C1")
    async with db.transaction() as session:
        # A batch of 20: from ten ids or so SQLite turned to the status indexes.
        for day in range(20):
            session.add(
                FollowUp(
                    customer_id=customer_id,
                    local_date=dt.date(2026, 11, 3) + dt.timedelta(days=day),
                    planned_at=NOW - dt.timedelta(days=20 - day),
                )
            )
    with recorded(db, "UPDATE") as seen:
        ids = await claim_due(db, worker="w", now=NOW, limit=100, lease=dt.timedelta(minutes=5))
    assert len(ids) == 20 and len(seen) == 1
    plan = await query_plan(db, *seen[0])
    assert plan == "SEARCH followup USING INTEGER PRIMARY KEY (rowid=?)", plan
