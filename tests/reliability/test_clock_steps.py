"""The clock stepped forward and back by two hours: every follow-up is sent exactly once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.sandbox.smtp import SmtpSink
from storage.models import Message
from tests.support.email_app import email_app
from tests.support.factories import add_customer

WIB = dt.timezone(dt.timedelta(hours=7))
DAY = dt.date(2026, 11, 23)  # a Monday


def at(hour: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=WIB)


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[Tagih, SmtpSink]]:
    async with email_app(db_url, tmp_path) as running:
        yield running


@pytest.mark.parametrize(
    "hours",
    [
        (10, 8, 12, 10),  # stepped back two hours, then forward past the first run
        (8, 10, 12, 10, 14),  # stepped forward, then back
        (7, 9, 7, 11),  # before the window, inside, back before it, inside again
    ],
)
async def test_each_follow_up_is_sent_once_whatever_the_clock_does(
    tagih: tuple[Tagih, SmtpSink], hours: tuple[int, ...]
) -> None:
    app, sink = tagih
    for n, due in enumerate((DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=3), DAY)):
        await add_customer(
            app.db, f"C{n}", email=f"c{n}@example.co.id", invoices=[(f"INV-{n}", due, "1000")]
        )
    for hour in hours:
        await app.send_due(at(hour))
    # The next day too, then the clock back into the first day.
    await app.send_due(at(10, DAY + dt.timedelta(days=1)))
    await app.send_due(at(12))
    async with app.db.sessions() as session:
        keys = (
            await session.exec(
                select(Message.idempotency_key).where(col(Message.followup_id).is_not(None))
            )
        ).all()
    per_recipient = Counter(m["To"].addresses[0].addr_spec for m in sink.messages)
    # C0 (+1) and C1 (+3) once today; C2 (due today) its missed H-3 today and its +1
    # tomorrow; nothing more when the clock goes back into today.
    assert per_recipient == {"c0@example.co.id": 1, "c1@example.co.id": 1, "c2@example.co.id": 2}
    assert len(keys) == len(set(keys)) == len(sink.messages) == 4
