"""Load: simulated customers reply concurrently over loopback HTTP while the dispatcher sends.

The app is the one `tagih run` serves (`Tagih.open(with_web=True)`: the real web app, its
durable inbox, the real Twilio and Telegram channels on their in-process stand-ins, SMTP on
a sink). Half the customers write by SMS (signed Twilio webhooks), half by Telegram (updates
with the webhook secret); each waits for its answer, thinks a moment, writes again, and
every seventh message is delivered twice at once, as a provider retry can be. Meanwhile
dispatch ticks send the due reminders of as many quiet customers by email.

Afterwards: no answer but 200, every inbound message in the log exactly once and in the
order it was sent, every inbox event applied, every due reminder sent, none claimed. The
webhook latency's p99 is printed, not asserted (the machine is shared; the client runs in
the server's event loop, so it is a ceiling).

`make test`: 40 customers for 8 s on each backend. `TAGIH_SOAK=1` (`make soak`): the
issue's 200 customers for 60 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import col, select
from twilio.request_validator import RequestValidator
from yarl import URL

from bot.app.tagih import Tagih
from bot.config import load_settings
from bot.inbound.web import EMPTY_TWIML
from storage.enums import FollowUpStatus
from storage.models import Contact, FollowUp, InboxItem, Message
from storage.queries.inbox import InboxStatus
from tests.support.factories import add_customer
from tests.support.inbox_support import settle

SOAK = bool(os.environ.get("TAGIH_SOAK"))
CUSTOMERS = 200 if SOAK else 40
SECONDS = 60.0 if SOAK else 8.0
#: A customer's pause between messages (seconds, uniform): the offered load is about
#: CUSTOMERS / THINK[1] messages per second.
THINK = (1.0, 3.0)
#: Between dispatch ticks (the service ticks on a cadence, not back to back).
TICK_EVERY = 0.5
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
DUE = dt.date(2026, 11, 22)  # a day late: the first reminder is due now
SECRET = "load-secret_0123456789"
BODIES = ("2", "jumat", "1", "halo", "saya sudah transfer kemarin")
CHAT_BASE = 7_000_000


def phone(i: int) -> str:
    return f"+62812{i:07d}"


def address(i: int) -> str:
    """Customer i's chat address: even ones write by SMS, odd ones by Telegram."""
    return phone(i) if i % 2 == 0 else str(CHAT_BASE + i)


async def open_app(db_url: str, tmp_path: Path, clock: Any = lambda: NOW, **extra: Any) -> Tagih:
    """Tagih serving its webhooks on loopback, its providers the in-process stand-ins."""
    app = Tagih(
        load_settings(
            database_url=db_url,
            load_examples=False,
            web_port=0,
            sandbox_dir=tmp_path / "sandbox",
            telegram_webhook_secret=SECRET,
            # The stand-ins take what the account allows: pacing is not under test here.
            **{"sms_rate": 1000, "telegram_rate": 1000, **extra},
        ),
        clock=clock,
        worker="load",
    )
    await app.open(with_web=True)
    return app


async def add_customers(app: Tagih, count: int) -> None:
    """`count` customers who write (SMS or Telegram) and `count` quiet ones reminded by email."""
    for i in range(count):
        customer_id = await add_customer(
            app.db, f"C{i:04d}", email=None, invoices=[(f"INV-{i}", DUE, "5000000")]
        )
        async with app.db.transaction() as session:
            channel = "sms" if i % 2 == 0 else "telegram"
            session.add(Contact(customer_id=customer_id, channel=channel, address=address(i)))
        await add_customer(
            app.db, f"Q{i:04d}", email=f"q{i}@example.co.id", invoices=[(f"Q-{i}", DUE, "1000")]
        )


@dataclass
class Crowd:
    """The simulated customers: what each sent, every answer's status and latency."""

    app: Tagih
    http: aiohttp.ClientSession
    sent: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    latencies: list[float] = field(default_factory=list)
    duplicates: int = 0

    @property
    def url(self) -> str:
        assert self.app.web_url is not None
        return self.app.web_url

    async def _post(self, path: str, body: bytes | dict[str, str], headers: dict[str, str]) -> int:
        started = time.perf_counter()
        async with self.http.post(
            URL(self.url + path, encoded=True), data=body, headers=headers
        ) as r:
            text = await r.text()
        self.latencies.append(time.perf_counter() - started)
        self.statuses[r.status] += 1
        if r.status == 200 and path.startswith("/twilio"):
            assert text == EMPTY_TWIML  # answered at once; the replies follow by REST
        return r.status

    async def sms(self, i: int, n: int, body: str, copies: int) -> None:
        """Customer i's n-th message as Twilio posts it (signed), `copies` times at once."""
        form = {
            "From": phone(i),
            "To": "+622150000001",
            "Body": body,
            "MessageSid": f"SM{i:016d}{n:016d}",
            "AccountSid": "AC" + "0" * 32,
            "NumMedia": "0",
        }
        token = self.app.providers.twilio_auth_token
        assert token is not None
        path = "/twilio/messages"
        signature = RequestValidator(token).compute_signature(self.url + path, form)
        headers = {"X-Twilio-Signature": signature}
        await asyncio.gather(*(self._post(path, form, headers) for _ in range(copies)))

    async def telegram(self, i: int, body: str, copies: int) -> None:
        """Customer i's message as Telegram posts the update (with the secret)."""
        sandbox = self.app.providers.telegram_sandbox
        assert sandbox is not None
        update = sandbox.state.user_message(CHAT_BASE + i, body, first_name="Budi", username=None)
        payload = json.dumps(update).encode()
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        await asyncio.gather(
            *(self._post("/telegram/webhook", payload, headers) for _ in range(copies))
        )

    async def customer(self, i: int, until: float) -> None:
        """Write, wait for the answer, think, write again until `until` (monotonic)."""
        rng = random.Random(i)
        n = 0
        # Customers do not all write in the same instant: the first message comes after a
        # think time too (else p99 measures one burst of them all at once).
        await asyncio.sleep(rng.uniform(0, THINK[1]))
        while time.monotonic() < until:
            body = BODIES[(i + n) % len(BODIES)]
            copies = 2 if (i + n) % 7 == 0 else 1
            self.duplicates += copies - 1
            self.sent[address(i)].append(body)
            if i % 2 == 0:
                await self.sms(i, n, body, copies)
            else:
                await self.telegram(i, body, copies)
            n += 1
            # Think time shapes the load (a customer does not type continuously); nothing
            # is waited for here.
            await asyncio.sleep(rng.uniform(*THINK))

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


async def dispatching(app: Tagih, stop: asyncio.Event, now: Any = lambda: NOW) -> int:
    """The service's dispatch tick on a cadence until `stop` (planning is its own, rarer
    job); how many ticks ran."""
    ticks = 0
    while not stop.is_set():
        await app.tick(now())
        ticks += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), TICK_EVERY)  # the cadence, or stop at once
    return ticks


async def logged_inbound(app: Tagih) -> dict[str, list[str]]:
    """The inbound messages in the log, per address, in the order they were applied."""
    async with app.db.sessions() as session:
        rows = (
            await session.exec(
                select(Message).where(col(Message.direction) == "in").order_by(col(Message.id))
            )
        ).all()
    logged: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        logged[row.address].append(row.body)
    return logged


async def followups(app: Tagih) -> list[FollowUp]:
    async with app.db.sessions() as session:
        return list((await session.exec(select(FollowUp))).all())


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path) -> AsyncIterator[Tagih]:
    app = await open_app(db_url, tmp_path)
    yield app
    await app.close()


async def test_customers_reply_while_the_dispatcher_sends(tagih: Tagih) -> None:
    app = tagih
    await add_customers(app, CUSTOMERS)
    await app.plan(NOW)
    stop = asyncio.Event()
    dispatcher = asyncio.create_task(dispatching(app, stop))
    connector = aiohttp.TCPConnector(limit=0)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector) as http:
        crowd = Crowd(app, http)
        until = started + SECONDS
        await asyncio.gather(*(crowd.customer(i, until) for i in range(CUSTOMERS)))
    elapsed = time.monotonic() - started
    stop.set()
    ticks = await dispatcher  # a tick that raised fails the test here
    await app.send_due(NOW)
    await settle(app)

    messages = sum(len(bodies) for bodies in crowd.sent.values())
    assert dict(crowd.statuses) == {200: messages + crowd.duplicates}  # no 5xx, no 4xx
    async with app.db.sessions() as session:
        items = (await session.exec(select(InboxItem))).all()
    assert [(i.status, i.error) for i in items if i.status != InboxStatus.DONE] == []
    logged = await logged_inbound(app)
    # Every message in the log exactly once, in the order its customer sent it.
    assert {a: logged.get(a, []) for a in crowd.sent} == dict(crowd.sent)
    rows = await followups(app)
    assert [r for r in rows if r.status == FollowUpStatus.CLAIMED] == []
    assert len([r for r in rows if r.status == FollowUpStatus.SENT]) >= CUSTOMERS  # the quiet
    sink = app.providers.smtp_sink
    assert sink is not None
    assert sorted(parseaddr(m["To"])[1] for m in sink.messages) == sorted(
        f"q{i}@example.co.id" for i in range(CUSTOMERS)
    )  # each reminder by email once
    print(
        f"\nload on {app.db.engine.dialect.name}: {CUSTOMERS} customers, {elapsed:.0f} s, "
        f"{messages} messages (+{crowd.duplicates} duplicates), {ticks} dispatch ticks; "
        f"webhook p50 {crowd.percentile_ms(0.5):.0f} ms, "
        f"p99 {crowd.percentile_ms(0.99):.0f} ms, max {max(crowd.latencies) * 1000:.0f} ms"
    )
