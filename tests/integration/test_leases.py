"""A restarted worker frees at once the leases of dead workers of its host (after kill -9)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.sandbox.smtp import SmtpSink
from scheduler.channel import Capabilities
from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound
from storage.db import Database
from storage.enums import FollowUpStatus
from storage.models import FollowUp
from tests.support.email_app import email_app
from tests.support.factories import add_customer

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
HOST = socket.gethostname()


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[Tagih, SmtpSink]]:
    worker = f"{HOST}:{os.getpid()}"
    async with email_app(db_url, tmp_path, clock=lambda: NOW, worker=worker) as running:
        yield running


async def claimed_by(app: Tagih, owners: list[str]) -> None:
    """Plan one follow-up per owner and leave it claimed by that worker for 5 minutes."""
    for n in range(len(owners)):
        await add_customer(
            app.db,
            f"C{n}",
            email=f"c{n}@example.co.id",
            invoices=[(f"INV-{n}", dt.date(2026, 11, 22), "1000000")],
        )
    await app.plan(NOW)
    async with app.db.transaction() as session:
        rows = (await session.exec(select(FollowUp).order_by(col(FollowUp.id)))).all()
        for row, owner in zip(rows, owners, strict=True):
            await session.exec(
                update(FollowUp)
                .where(col(FollowUp.id) == row.id)
                .values(
                    status=FollowUpStatus.CLAIMED,
                    lease_owner=owner,
                    lease_expires_at=NOW + dt.timedelta(minutes=5),
                    attempts=1,
                )
            )


async def test_dead_workers_of_this_host_lose_their_leases_at_once(
    tagih: tuple[Tagih, SmtpSink],
) -> None:
    app, sink = tagih
    dead = f"{HOST}:{dead_pid()}"
    alive = f"{HOST}:{os.getppid()}"  # the process that started pytest is still running
    elsewhere = "another-host:4242"
    await claimed_by(app, [dead, alive, elsewhere])
    _, stats = await app.send_due(NOW)
    # The dead worker's follow-up goes out now, not five minutes later; the live worker's and
    # the other host's (whose liveness cannot be known here) keep their leases.
    assert (stats.claimed, stats.sent) == (1, 1)
    assert [m["To"].addresses[0].addr_spec for m in sink.messages] == ["c0@example.co.id"]
    async with app.db.sessions() as session:
        owners = {
            row.lease_owner
            for row in (await session.exec(select(FollowUp))).all()
            if row.status == FollowUpStatus.CLAIMED
        }
    assert owners == {alive, elsewhere}


class LeaseWatcher:
    """An email channel that notes, as each message goes out, its follow-up's lease."""

    name: ClassVar[str] = "email"
    capabilities: ClassVar[Capabilities] = Capabilities(html=True)

    def __init__(self, db: Database) -> None:
        self.db = db
        self.leases: list[dt.datetime] = []

    async def send(self, message: Outbound) -> DeliveryResult:
        _, customer_id, day, *_ = message.idempotency_key.split(":")
        async with self.db.sessions() as session:
            row = (
                await session.exec(
                    select(FollowUp).where(
                        FollowUp.customer_id == int(customer_id),
                        FollowUp.local_date == dt.date.fromisoformat(day),
                    )
                )
            ).one()
        assert row.lease_expires_at is not None
        self.leases.append(row.lease_expires_at)
        return DeliveryResult(DeliveryOutcome.SENT, provider_id=message.idempotency_key)

    async def reconcile(
        self, message: Outbound, *, reserved_at: dt.datetime, known: frozenset[str]
    ) -> DeliveryResult | None:
        return None

    async def close(self) -> None:
        return None


async def test_a_long_tick_claims_its_later_batches_with_live_leases(
    tagih: tuple[Tagih, SmtpSink],
) -> None:
    app, _ = tagih
    for n in range(6):
        await add_customer(
            app.db,
            f"C{n}",
            email=f"c{n}@example.co.id",
            invoices=[(f"INV-{n}", dt.date(2026, 11, 22), "1000000")],
        )
    await app.plan(NOW)
    dispatcher = await app.dispatcher()
    dispatcher.config = replace(dispatcher.config, batch_size=2)
    watcher = LeaseWatcher(app.db)
    dispatcher.channels = {"email": watcher}
    # Each look at the clock finds the tick ten minutes older (a backlog draining slowly).
    ticks = iter(range(0, 100_000, 600))
    dispatcher.monotonic = lambda: float(next(ticks))
    stats = await dispatcher.tick(NOW)
    assert stats.sent == 6 and len(watcher.leases) == 6
    # Later batches are claimed well into the tick: each lease runs 5 minutes past its
    # claim, not past the tick's start (which would have made them expired at birth).
    assert sorted(watcher.leases)[-1] >= NOW + dt.timedelta(minutes=20 + 5)
