"""A `tagih send-due`-like worker for the kill -9 test (tests/reliability/test_kill9.py).

Real channels against the stand-ins of `python -m bot.sandbox` (another process, which
outlives every worker): it opens Tagih as `tagih run` does, then runs dispatch ticks until
nothing is due or claimed. Workers are forked from a preloaded server
(`multiprocessing`'s forkserver) so that a restart costs milliseconds, not the seconds of
importing Tagih: a round can kill and restart many times. Each worker is named `host:pid`,
as a real one is, so that a restarted worker frees the dead's leases at once.

Each channel is wrapped in a `Journal`: before a send it appends `send <key>` to the
worker's own file, after it `done <key> <outcome> <provider id>` (one write(2) each, so a
SIGKILL leaves whole lines). A message the provider got twice can then be traced to a
worker killed while it was in flight. Progress goes to `<folder>/<pid>.events` as JSON
lines (ready, done).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from sqlmodel import col, func, or_, select

from bot.app.tagih import Tagih
from bot.config import load_settings
from scheduler.channel import Channel
from scheduler.messages import DeliveryResult, Outbound
from storage.enums import FollowUpStatus
from storage.models import Contact, FollowUp

#: Follow-ups due within this much of now keep a worker going (a short retry after a 429).
HORIZON = dt.timedelta(seconds=30)


class Journal:
    """A channel that notes each send before and after it, in an append-only file."""

    def __init__(self, inner: Channel, fd: int) -> None:
        self.inner, self.fd = inner, fd

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _note(self, *fields: object) -> None:
        os.write(self.fd, ("\t".join(str(f) for f in fields) + "\n").encode())

    async def send(self, message: Outbound) -> DeliveryResult:
        self._note("send", message.idempotency_key, self.inner.name)
        result = await self.inner.send(message)
        self._note("done", message.idempotency_key, result.outcome.value, result.provider_id)
        return result

    async def reconcile(
        self, message: Outbound, *, reserved_at: dt.datetime, known: frozenset[str]
    ) -> DeliveryResult | None:
        result = await self.inner.reconcile(message, reserved_at=reserved_at, known=known)
        found = None if result is None else f"{result.outcome.value}:{result.provider_id}"
        self._note("reconcile", message.idempotency_key, found)
        return result

    async def close(self) -> None:
        await self.inner.close()


async def busy(app: Tagih, now: dt.datetime) -> int:
    """Follow-ups claimed (by anyone, alive or dead) or due within the horizon."""
    async with app.db.sessions() as session:
        due = or_(
            col(FollowUp.status) == FollowUpStatus.CLAIMED,
            (col(FollowUp.status) == FollowUpStatus.PLANNED)
            & (col(FollowUp.planned_at) <= now + HORIZON),
        )
        query = select(func.count()).select_from(FollowUp).where(due)
        return (await session.exec(query)).one()


async def work(config: dict[str, Any]) -> None:
    """Open Tagih on the stand-ins and dispatch until nothing is due or claimed."""
    folder = Path(config["folder"])
    pid = os.getpid()
    events = os.open(folder / f"{pid}.events", os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    def emit(event: str, **fields: object) -> None:
        line = json.dumps({"event": event, "pid": pid, "t": time.time(), **fields})
        os.write(events, (line + "\n").encode())

    # The channels' warnings (reconciles after a kill, mostly) go to the worker's own file.
    logging.basicConfig(
        filename=folder / f"{pid}.log",
        level=logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        force=True,
    )
    offset = dt.timedelta(seconds=config["clock_offset"])

    def clock() -> dt.datetime:
        # The test's fixed moment, flowing at the wall clock's pace, shared with the
        # stand-ins (which date Twilio records with it: reconcile compares the two).
        return dt.datetime.now(dt.UTC) + offset

    emit("begin")
    settings = load_settings(**config["settings"])
    app = Tagih(settings, clock=clock)
    await app.open()
    journal = os.open(folder / f"{pid}.journal", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    for name, channel in list(app.providers.channels.items()):
        app.providers.channels[name] = Journal(channel, journal)  # type: ignore[assignment]
    emit("ready", worker=app.worker)
    totals = {"claimed": 0, "sent": 0, "unknown": 0, "retried": 0, "failed": 0}
    try:
        while True:
            stats = await app.tick(clock())
            for name in totals:
                totals[name] += getattr(stats, name)
            if not await busy(app, clock()):
                break
            if not stats.claimed:
                await asyncio.sleep(0.05)  # the rest is leased to others, or due shortly
        emit("done", **totals)
    finally:
        await app.close()


async def warm_up(folder: Path) -> None:
    """Send one reminder per channel through in-process sandboxes, so that what Tagih loads
    on first use (migrations, templates, locale data, client sessions) is loaded once, in
    the fork server, not in every worker."""
    from bot.sandbox.standins import key_in  # noqa: F401  (imported for the fork server)
    from tests.support.factories import add_customer

    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'warm.db'}",
        load_examples=False,
        sandbox_dir=str(folder / "sandbox"),
        sms_rate=1000,
        whatsapp_rate=1000,
    )
    now = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)
    app = Tagih(settings, clock=lambda: now, worker="warm-up")
    await app.open()
    try:
        for n, (channel, address) in enumerate(
            [("sms", "+6281300000001"), ("whatsapp", "+6281300000002"), ("telegram", "5001")]
        ):
            customer = await add_customer(
                app.db, f"W{n}", invoices=[(f"W{n}", dt.date(2026, 11, 22), "1000")]
            )
            async with app.db.transaction() as session:
                session.add(Contact(customer_id=customer, channel=channel, address=address))
        await app.send_due(now)
    finally:
        await app.close()


def preload() -> None:
    """What the fork server runs once before forking workers (see `tests.support.kill9_preload`)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tagih-warm-") as folder:
        asyncio.run(warm_up(Path(folder)))


def run(config: dict[str, Any]) -> None:
    """The worker process's target (`multiprocessing.Process(target=run, args=(config,))`)."""
    asyncio.run(work(config))
