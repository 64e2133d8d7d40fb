"""A small team and portfolio for the staff tests, and staff-facing channels on sandboxes.

The Telegram channel is the real python-telegram-bot client talking to the sandbox Bot API,
paced on a virtual clock (many alerts to one chat would otherwise wait a second each).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app.channels import email_channel
from bot.app.tagih import Tagih
from bot.channels.email import EmailChannel
from bot.channels.telegram import SANDBOX_TOKEN, TelegramChannel
from bot.config import load_settings
from bot.sandbox.smtp import SmtpSink
from bot.sandbox.telegram import TelegramSandbox
from storage.db import Database
from storage.models import Customer, Staff
from tests.support.factories import add_customer
from tests.support.virtual_clock import VirtualClock, virtual_pacing

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
SARI, BUDI, ANI, RINA = 9001, 9002, 9003, 9004  # Telegram chats
TONO_MAIL = "tono@example.co.id"


@dataclass
class Team:
    """Staff ids by name and customer ids by code."""

    staff: dict[str, int]
    customers: dict[str, int]


async def seed(db: Database) -> Team:
    """Sari and Tono collect, Budi and Rina sell, Ani is admin; C002 has no collector."""
    people = [
        Staff(name="Sari", role="collector", telegram_user_id=SARI, language="id"),
        Staff(name="Budi", role="sales", telegram_user_id=BUDI, language="en"),
        Staff(name="Tono", role="collector", email=TONO_MAIL, language="en"),
        Staff(name="Ani", role="admin", telegram_user_id=ANI, language="id"),
        Staff(name="Rina", role="sales", telegram_user_id=RINA, language="id"),
    ]
    async with db.transaction() as session:
        session.add_all(people)
    staff = {s.name: s.id or 0 for s in people}
    customers = {
        "C001": await add_customer(
            db,
            "C001",
            name="PT Maju Jaya",
            invoices=[
                ("INV-1", dt.date(2026, 11, 10), "5000000"),
                ("INV-2", dt.date(2026, 11, 20), "1000000"),
            ],
        ),
        "C002": await add_customer(
            db, "C002", name="CV Sinar Abadi", invoices=[("INV-3", dt.date(2026, 10, 1), "2000000")]
        ),
        "C003": await add_customer(
            db, "C003", name="UD Berkah", invoices=[("INV-4", dt.date(2026, 9, 1), "3000000")]
        ),
    }
    people_of = {"C001": ("Sari", "Budi"), "C002": (None, "Budi"), "C003": ("Sari", "Rina")}
    async with db.transaction() as session:
        for customer in (await session.exec(select(Customer))).all():
            collector, sales = people_of[customer.code]
            customer.collector_id = staff[collector] if collector else None
            customer.salesperson_id = staff[sales]
            session.add(customer)
    return Team(staff, customers)


@dataclass
class StaffChannels:
    """The sandboxes and the channels alerts and digests go out on."""

    telegram_sandbox: TelegramSandbox
    telegram: TelegramChannel
    sink: SmtpSink
    email: EmailChannel

    def chat(self, chat_id: int) -> list[str]:
        """The texts the bot sent to one chat, in order."""
        return [m.text for m in self.telegram_sandbox.sent if m.chat_id == chat_id]


@pytest.fixture
async def channels(tmp_path: Path) -> AsyncIterator[StaffChannels]:
    """Telegram (sandbox Bot API, virtual pacing clock) and email (SMTP sink)."""
    clock = VirtualClock()
    sandbox = TelegramSandbox(SANDBOX_TOKEN, clock=clock)
    telegram = TelegramChannel(
        token=SANDBOX_TOKEN, api_base=await sandbox.start(), clock=clock, sleep=clock.sleep
    )
    await telegram.start()
    sink = SmtpSink(tmp_path / "mail")
    host, port = await sink.start()
    settings = load_settings(load_examples=False, sandbox_dir=tmp_path / "sandbox")
    email = email_channel(settings, sandbox=(host, port))
    yield StaffChannels(sandbox, telegram, sink, email)
    await email.close()
    await telegram.stop()
    await sandbox.stop()
    await sink.stop()


@asynccontextmanager
async def running_team(db_url: str, tmp_path: Path, worker: str) -> AsyncIterator[Tagih]:
    """A whole Tagih on the sandboxes at NOW, with the team and portfolio of `seed`."""
    settings = load_settings(
        database_url=db_url,
        load_examples=False,
        web_port=0,
        # Pacing is tested on a virtual clock elsewhere; here it would only wait.
        sms_rate=1000,
        voice_rate=1000,
        whatsapp_rate=1000,
        sandbox_dir=tmp_path / "sandbox",
        dispatch_concurrency=1,  # on the virtual pacing clock (see `virtual_pacing`)
    )
    app = Tagih(settings, clock=lambda: NOW, worker=worker, pacing=virtual_pacing())
    await app.open(with_web=True)
    try:
        await seed(app.db)
        yield app
    finally:
        await app.close()
