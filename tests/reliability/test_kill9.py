"""Kill -9 mid-dispatch: workers SIGKILLed at random points, the providers in a process that
survives them; every due reminder reaches its provider once, none is stuck, none is lost.

The stand-ins run as `python -m bot.sandbox` (Twilio API, Telegram Bot API, SMTP sink; rate
limits lifted for Twilio, Telegram's kept and respected by pacing). Workers
(tests/support/kill9_worker.py) are `tagih send-due`-like processes with the real channels. A round
adds customers on email, SMS, WhatsApp and Telegram, starts the workers, kills one or all
of them when a random share of the round's reminders is out (anywhere: during start-up,
after a claim, mid-batch, after the provider accepted a message and before the worker
recorded it), then restarts them; a final clean run follows the rounds. Counted at the
stand-ins afterwards, per recipient:

- SMS and WhatsApp: exactly one message. A message a dead worker left `queued` is
  reconciled by listing Twilio's messages, never sent blindly again.
- Email: exactly one Message-ID. SMTP cannot be asked what it accepted, so a mail a dead
  worker had in flight is sent again with the same Message-ID (receivers deduplicate).
- Telegram: at least one message, a second one only for a send a killed worker had in
  flight (the Bot API cannot be asked either). Traced through the workers' journals.
- In the database: every follow-up `sent`, one log row each, `sent`, with the provider's
  id; none `claimed`, `queued`, `unknown` or due.

SQLite with one worker, PostgreSQL with two and three. A few rounds by default;
`TAGIH_SOAK=1` (`make soak`) runs 50 rounds of each and prints the figures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlmodel
from sqlmodel import col, func

from bot.app.tagih import Tagih
from bot.config import load_settings
from scheduler.policy import PolicySpec, Step
from scheduler.policy_store import save_spec
from storage.enums import FollowUpStatus
from storage.models import Contact, Customer, FollowUp, Message
from tests.support.factories import add_customer
from tests.support.kill9_worker import run

ROOT = Path(__file__).resolve().parents[2]
SOAK = bool(os.environ.get("TAGIH_SOAK"))
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
DUE = dt.date(2026, 11, 22)  # a day late: the policy's step is due today
CHANNELS = ("email", "sms", "whatsapp", "telegram")
PER_ROUND = 32 if SOAK else 16  # customers added each round, a quarter on each channel
SEED = int(os.environ.get("TAGIH_KILL9_SEED", "20261123"))


@dataclass
class Standins:
    """The `python -m bot.sandbox` process and what it announced."""

    proc: subprocess.Popen[bytes]
    where: dict[str, Any]

    @property
    def control(self) -> str:
        return str(self.where["control"])

    async def records(self) -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.control}/records") as r:
            records: list[dict[str, Any]] = await r.json()
            return records


@pytest.fixture(scope="module")
def clock_offset() -> float:
    """Seconds from the wall clock to the test's moment, shared by every process."""
    return (NOW - dt.datetime.now(dt.UTC)).total_seconds()


@pytest.fixture(scope="module")
def standins(tmp_path_factory: pytest.TempPathFactory, clock_offset: float) -> Iterator[Standins]:
    """The stand-ins in their own process, for the whole module (they outlive every worker)."""
    mail = tmp_path_factory.mktemp("standins") / "mail"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.sandbox",
            *("--mail-dir", str(mail), "--clock-offset", str(clock_offset)),
            *("--sms-rate", "0", "--whatsapp-rate", "0", "--call-rate", "0"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "python -m bot.sandbox announced nothing within 60 s"
        yield Standins(proc, json.loads(proc.stdout.readline()))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == 0


@pytest.fixture(scope="module")
def forkserver() -> multiprocessing.context.ForkServerContext:
    """Workers forked from a server that imported Tagih once: a restart takes milliseconds."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.support.kill9_preload"])
    return context


@dataclass
class Fleet:
    """The worker processes of one test: started, killed, waited for."""

    context: multiprocessing.context.ForkServerContext
    config: dict[str, Any]
    folder: Path
    alive: list[BaseProcess] = field(default_factory=list)
    killed: set[int] = field(default_factory=set)
    started: int = 0

    def start(self, count: int) -> None:
        for _ in range(count):
            proc = self.context.Process(target=run, args=(self.config,), daemon=True)
            proc.start()
            self.alive.append(proc)
            self.started += 1

    def kill(self, victims: list[BaseProcess]) -> int:
        """SIGKILL those of `victims` still running (others finished first); how many."""
        count = 0
        for proc in victims:
            if proc.exitcode is not None or proc.pid is None:
                continue  # it finished its work before the chosen moment: it stays reaped
            os.kill(proc.pid, signal.SIGKILL)
            proc.join()
            self.killed.add(proc.pid)
            self.alive.remove(proc)
            count += 1
        return count

    async def wait(self, within: float = 120) -> None:
        """Until every live worker has finished; each must end cleanly."""
        deadline = time.monotonic() + within
        while any(proc.exitcode is None for proc in self.alive):
            assert time.monotonic() < deadline, f"workers still running: {self.logs()}"
            await asyncio.sleep(0.02)
        codes = [proc.exitcode for proc in self.alive]
        assert codes == [0] * len(codes), f"worker exit codes {codes}: {self.logs()}"
        self.alive.clear()

    def running(self) -> bool:
        return any(proc.exitcode is None for proc in self.alive)

    def logs(self) -> str:
        tails = [p.read_text()[-2000:] for p in sorted(self.folder.glob("*.log"))]
        return "\n".join(tails[-3:])

    def stop(self) -> None:
        for proc in self.alive:
            if proc.exitcode is None and proc.pid is not None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.join()


def worker_settings(
    standins: Standins, db_url: str, tmp_path: Path, workers: int
) -> dict[str, Any]:
    """load_settings() arguments for a worker on these stand-ins."""
    settings: dict[str, Any] = {
        name.removeprefix("TAGIH_").lower(): value
        for name, value in standins.where["settings"].items()
    }
    settings["whatsapp_templates"] = json.loads(settings["whatsapp_templates"])
    settings.pop("twilio_voice_from")  # no voice customers here
    return settings | {
        "database_url": db_url,
        "load_examples": False,
        "sandbox_dir": str(tmp_path / "sandbox"),
        # A StatusCallback carrying the idempotency key (nobody answers it: no matter).
        "public_url": "http://127.0.0.1:9",
        "lease_seconds": 10,
        "dispatch_batch_size": 8,
        "dispatch_concurrency": 8,
        "retry_backoff_seconds": 1,
        "max_attempts": 1000,
        "sms_rate": 1000,
        "whatsapp_rate": 1000,
        "whatsapp_daily_limit": 0,
        # Telegram's 30/s overall is the stand-in's to enforce: the workers share it.
        "telegram_rate": 24 / workers,
    }


async def add_round(app: Tagih, variant: int, number: int, policy_id: int) -> list[int]:
    """PER_ROUND customers a day late, each with one contact on one channel."""
    ids = []
    for i in range(PER_ROUND):
        channel = CHANNELS[i % len(CHANNELS)]
        code = f"K{variant}-{number:03d}-{i:02d}"
        customer_id = await add_customer(app.db, code, email=None, invoices=[(code, DUE, "1000")])
        if channel == "email":
            address = f"k{variant}r{number}c{i}@example.co.id"
        elif channel == "telegram":
            address = str(10_000_000 * (variant + 1) + number * 100 + i)
        else:
            address = f"+62813{variant}{number:03d}{i:02d}"
        async with app.db.transaction() as session:
            customer = await session.get(Customer, customer_id)
            assert customer is not None
            customer.policy_id = policy_id
            session.add(customer)
            session.add(Contact(customer_id=customer_id, channel=channel, address=address))
        ids.append(customer_id)
    return ids


async def sent_among(app: Tagih, customers: list[int]) -> int:
    async with app.db.sessions() as session:
        query = (
            sqlmodel.select(func.count())
            .select_from(FollowUp)
            .where(
                col(FollowUp.customer_id).in_(customers),
                col(FollowUp.status) == FollowUpStatus.SENT,
            )
        )
        return (await session.exec(query)).one()


async def in_flight(app: Tagih) -> int:
    """Reminders reserved and not recorded: what the dead left with the provider, or not."""
    async with app.db.sessions() as session:
        query = sqlmodel.select(func.count()).select_from(Message).where(Message.status == "queued")
        return (await session.exec(query)).one()


def journals(folder: Path, pids: set[int]) -> Counter[str]:
    """How many sends of each idempotency key the workers `pids` began."""
    began: Counter[str] = Counter()
    for pid in pids:
        path = folder / f"{pid}.journal"
        if path.exists():
            for line in path.read_text().splitlines():
                kind, key, *_ = line.split("\t")
                began[key] += kind == "send"
    return began


VARIANTS = [
    pytest.param("sqlite", 1, 2, id="sqlite-1-worker"),
    pytest.param("postgresql", 2, 2, id="postgresql-2-workers"),
    pytest.param("postgresql", 3, 1, id="postgresql-3-workers"),
]


@pytest.mark.parametrize(("db_url", "workers", "rounds"), VARIANTS, indirect=["db_url"])
async def test_workers_killed_mid_dispatch_send_each_reminder_once(
    db_url: str,
    workers: int,
    rounds: int,
    standins: Standins,
    forkserver: multiprocessing.context.ForkServerContext,
    clock_offset: float,
    tmp_path: Path,
) -> None:
    rounds = 50 if SOAK else rounds
    variant = workers  # one variant per worker count: addresses never collide
    rng = random.Random(SEED + variant)
    settings = worker_settings(standins, db_url, tmp_path, workers)
    folder = tmp_path / "workers"
    folder.mkdir()
    config = {"settings": settings, "clock_offset": clock_offset, "folder": str(folder)}
    fleet = Fleet(forkserver, config, folder)

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=clock_offset)

    app = Tagih(load_settings(**settings), clock=clock, worker="setup")
    await app.open(with_channels=False)
    started = time.monotonic()
    kills: Counter[str] = Counter()
    left_in_flight: list[int] = []
    try:
        async with app.db.transaction() as session:
            policy = await save_spec(session, spec=PolicySpec("kill9", (Step(1, CHANNELS),)))
            policy_id = policy.id
        assert policy_id is not None
        customers: list[int] = []
        for number in range(rounds):
            batch = await add_round(app, variant, number, policy_id)
            customers += batch
            planned = await app.plan(clock())
            assert planned.planned >= PER_ROUND
            fleet.start(workers)
            target = rng.uniform(0, 0.9) * PER_ROUND
            # Other processes' progress, read from the database: nothing to wait on but time.
            while fleet.running() and await sent_among(app, batch) < target:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            await asyncio.sleep(rng.uniform(0, 0.05))
            everyone = workers == 1 or rng.random() < 0.5
            victims = list(fleet.alive) if everyone else [rng.choice(fleet.alive)]
            killed = fleet.kill(victims)
            kills["all" if everyone else "one"] += killed > 0
            kills["too late"] += killed == 0
            if everyone and killed:
                left_in_flight.append(await in_flight(app))
            fleet.start(killed)  # restarted: they free the dead's leases at once
            await fleet.wait()
        fleet.start(workers)  # the final clean run
        await fleet.wait()
        elapsed = time.monotonic() - started

        # --- in the database: every follow-up sent once, one log row each, nothing stuck
        async with app.db.sessions() as session:
            followups = (
                await session.exec(
                    sqlmodel.select(FollowUp).where(col(FollowUp.customer_id).in_(customers))
                )
            ).all()
            rows = (
                await session.exec(
                    sqlmodel.select(Message).where(col(Message.customer_id).in_(customers))
                )
            ).all()
        assert len(followups) == len(customers) == rounds * PER_ROUND
        assert Counter(f.status for f in followups) == {FollowUpStatus.SENT: len(customers)}
        assert all(f.lease_owner is None for f in followups)
        assert Counter(m.status for m in rows) == {"sent": len(customers)}
        assert len({m.followup_id for m in rows}) == len(customers)

        # --- at the stand-ins, per recipient
        at_provider: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for record in await standins.records():
            at_provider[(record["channel"], record["to"])].append(record)
        began = journals(folder, fleet.killed)
        twice: Counter[str] = Counter()
        for row in rows:
            assert row.address is not None and row.idempotency_key is not None
            got = at_provider.pop((row.channel, row.address), [])
            ids = [record["provider_id"] for record in got]
            in_flight_when_killed = began[row.idempotency_key]
            if row.channel in ("sms", "whatsapp"):
                assert ids == [row.provider_id], (row.channel, row.address, got)
                assert got[0]["key"] == row.idempotency_key
            elif row.channel == "email":
                assert set(ids) == {row.provider_id}, got
                assert all(record["key"] == row.idempotency_key for record in got)
                assert len(got) <= 1 + in_flight_when_killed, (row.idempotency_key, got)
            else:
                assert row.provider_id in ids, got
                assert len(got) <= 1 + in_flight_when_killed, (row.idempotency_key, got)
            twice[row.channel] += len(got) - 1
        assert not [where for where in at_provider if where[1].startswith(f"+62813{variant}")]

        print(
            f"\n{db_url.partition(':')[0]}, {workers} worker(s): {rounds} rounds, "
            f"{len(customers)} reminders in {elapsed:.1f} s; {fleet.started} worker starts, "
            f"kills: {dict(kills)}; reminders in flight at a kill of all: "
            f"{sum(left_in_flight)} (in {sum(1 for n in left_in_flight if n)} of "
            f"{len(left_in_flight)} kills); sent again after a kill (same Message-ID for "
            f"email; Telegram cannot be asked): {dict(twice) or 'none'}"
        )
        if SOAK:
            assert sum(left_in_flight) > 0, "no kill landed between reserve and record"
    finally:
        fleet.stop()
        await app.close()
