"""One of several `tagih run`-like processes for the many-workers test
(tests/reliability/test_many_workers.py).

Like `tagih run` (bot/app/service.py): a leadership job and the dispatch tick run side by side
in one event loop; the leader plans on start and catches up when it takes over. Faster
than `tagih run` only in its cadence (the leadership is asked every `--watch` seconds,
ticks follow each other) and in its channel: an in-process stand-in provider that appends
each accepted message to a file, so what a SIGKILLed process handed over before dying is
on disk. Time flows from the test's fixed `NOW` at the wall clock's pace, shared by all
processes (leases are real: a dead worker's claims expire after `lease_seconds`).

Prints JSON lines: {"event": "said", "text": …} for the service's announcements and
{"event": "done", …} with what this process dispatched.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import ClassVar

from sqlmodel import col, func, or_, select

from bot.app.service import Service
from bot.app.tagih import Tagih
from bot.config import load_settings
from scheduler.channel import Capabilities
from scheduler.leader import PostgresLeadership
from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound
from storage.enums import FollowUpStatus
from storage.models import FollowUp


def emit(event: str, **fields: object) -> None:
    """One JSON line on stdout, stamped with the wall clock."""
    print(json.dumps({"event": event, "t": time.time(), **fields}), flush=True)


class RecordingProvider:
    """An "email" channel whose provider is a folder of append-only logs, one per process.

    `send` appends `key<TAB>provider id` with one write(2) before returning; `reconcile`
    reads every process's log, as a real provider would be asked (Twilio's message list).
    """

    name: ClassVar[str] = "email"
    capabilities: ClassVar[Capabilities] = Capabilities(html=True)

    def __init__(self, folder: Path, worker: str) -> None:
        self.folder, self.worker, self.sent = folder, worker, 0
        self._fd = os.open(folder / f"{worker}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        #: Set by SIGUSR1: the next send never returns (the test kills the process then,
        #: certain that it holds the claims of the batch under way).
        self.hang = asyncio.Event()

    async def send(self, message: Outbound) -> DeliveryResult:
        if self.hang.is_set():
            emit("hanging", worker=self.worker)
            await asyncio.Event().wait()
        self.sent += 1
        provider_id = f"{self.worker}:{self.sent}"
        os.write(self._fd, f"{message.idempotency_key}\t{provider_id}\n".encode())
        return DeliveryResult(DeliveryOutcome.SENT, provider_id=provider_id)

    async def reconcile(
        self, message: Outbound, *, reserved_at: dt.datetime, known: frozenset[str]
    ) -> DeliveryResult | None:
        for log in self.folder.glob("*.log"):
            for line in log.read_text().splitlines():
                key, _, provider_id = line.partition("\t")
                if key == message.idempotency_key and provider_id not in known:
                    return DeliveryResult(DeliveryOutcome.SENT, provider_id=provider_id)
        return None  # it never reached the provider: the dispatcher sends it

    async def close(self) -> None:
        """Nothing held between batches."""


async def remaining(app: Tagih, now: dt.datetime) -> int:
    """Follow-ups still due or claimed (by anyone, alive or dead)."""
    async with app.db.sessions() as session:
        due = or_(
            col(FollowUp.status) == FollowUpStatus.CLAIMED,
            (col(FollowUp.status) == FollowUpStatus.PLANNED) & (col(FollowUp.planned_at) <= now),
        )
        return (await session.exec(select(func.count()).select_from(FollowUp).where(due))).one()


async def main(args: argparse.Namespace) -> None:
    origin = dt.datetime.fromisoformat(args.now)

    def clock() -> dt.datetime:
        return origin + dt.timedelta(seconds=time.time() - args.t0)

    settings = load_settings(
        database_url=args.url,
        load_examples=False,
        lease_seconds=args.lease,
        dispatch_batch_size=args.batch,
    )
    app = Tagih(settings, clock=clock, worker=args.worker, leading=False)
    await app.open(with_channels=False)
    provider = RecordingProvider(Path(args.folder), args.worker)
    app.providers.channels["email"] = provider
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, provider.hang.set)
    service = Service(app, PostgresLeadership(args.url), lambda line: emit("said", text=line))
    finished = asyncio.Event()

    async def watch() -> None:  # the service's leadership job, at a test's cadence
        while not finished.is_set():
            await service.lead(clock())
            await asyncio.sleep(args.watch)

    try:
        if await service.lead(clock(), catch_up=False):
            await app.plan(clock())  # as `tagih run` does on start
        watcher = asyncio.create_task(watch())
        totals = {"claimed": 0, "sent": 0, "unknown": 0, "skipped": 0, "retried": 0}
        while True:
            stats = await app.tick(clock())
            for name in totals:
                totals[name] += getattr(stats, name)
            if not await remaining(app, clock()):
                break
            if not stats.claimed:
                await asyncio.sleep(0.1)  # the rest is leased to others, or to the dead
        finished.set()
        await watcher
        emit("done", worker=args.worker, provider_sent=provider.sent, **totals)
    finally:
        await service.close()
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("url", "now", "worker", "folder"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--t0", type=float, required=True)
    parser.add_argument("--lease", type=int, default=10)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--watch", type=float, default=0.25)
    asyncio.run(main(parser.parse_args(sys.argv[1:])))
