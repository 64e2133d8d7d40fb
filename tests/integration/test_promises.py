"""Promises: kept when paid by the date, broken after date + grace, and reminders resume."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app.tagih import Tagih
from bot.config import load_settings
from scheduler.jobs import build_scheduler
from scheduler.preview import preview
from storage.models import Invoice, Message, Payment, Promise, PromiseInvoice
from tests.support.factories import add_customer

WIB = dt.timezone(dt.timedelta(hours=7))
D = dt.date


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path) -> AsyncIterator[Tagih]:
    app = Tagih(
        load_settings(database_url=db_url, load_examples=False, sandbox_dir=tmp_path / "sandbox")
    )
    await app.open(with_channels=False)
    yield app
    await app.close()


async def _promise(app: Tagih, customer_id: int, day: dt.date) -> int:
    async with app.db.transaction() as session:
        invoice = (await session.exec(select(Invoice))).one()
        promise = Promise(customer_id=customer_id, promised_date=day)
        session.add(promise)
        await session.flush()
        assert promise.id is not None and invoice.id is not None
        session.add(PromiseInvoice(promise_id=promise.id, invoice_id=invoice.id))
        return promise.id


async def _status(app: Tagih, promise_id: int) -> str:
    async with app.db.sessions() as session:
        promise = await session.get(Promise, promise_id)
        assert promise is not None
        return promise.status


async def _preview(app: Tagih, now: dt.datetime, day: dt.date) -> list[str | None]:
    inputs, window = await app.planning_inputs()
    contacts = await preview(
        app.db, inputs=inputs, window=window, now=now, first=day, days=1, cap=3
    )
    return [c.skipped for c in contacts]


async def test_broken_promise_resumes_reminders(tagih: Tagih) -> None:
    customer_id = await add_customer(
        tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 20), "5000000")]
    )
    promise_id = await _promise(tagih, customer_id, D(2026, 11, 25))
    # +3 on the 23rd falls under the promise: no reminder.
    assert await _preview(tagih, dt.datetime(2026, 11, 23, 7, tzinfo=WIB), D(2026, 11, 23)) == [
        "promise"
    ]
    # Grace of one day: still protected on the 26th.
    stats = await tagih.check_promises(dt.datetime(2026, 11, 26, 23, 0, tzinfo=WIB))
    assert (stats.kept, stats.broken) == (0, 0)
    assert await _status(tagih, promise_id) == "open"
    stats = await tagih.check_promises(dt.datetime(2026, 11, 27, 0, 30, tzinfo=WIB))
    assert (stats.kept, stats.broken) == (0, 1)
    assert await _status(tagih, promise_id) == "broken"
    # +7 (SMS, email) on the 27th goes out again.
    assert await _preview(tagih, dt.datetime(2026, 11, 27, 1, tzinfo=WIB), D(2026, 11, 27)) == [
        None
    ]


async def test_paid_promise_is_kept(tagih: Tagih) -> None:
    customer_id = await add_customer(
        tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 10), "5000000")]
    )
    promise_id = await _promise(tagih, customer_id, D(2026, 11, 20))
    async with tagih.db.transaction() as session:
        invoice = (await session.exec(select(Invoice))).one()
        invoice.balance, invoice.status = Decimal(0), "paid"
        session.add(invoice)
    stats = await tagih.check_promises(dt.datetime(2026, 11, 23, 9, 0, tzinfo=WIB))
    assert (stats.kept, stats.broken) == (1, 0)
    assert await _status(tagih, promise_id) == "kept"


async def _partial(app: Tagih, code: str, amount: str, paid: str, paid_on: dt.date) -> int:
    """A promise of `amount` on a 5,000,000 invoice made on 18 November, then `paid`."""
    customer_id = await add_customer(
        app.db, code, invoices=[(f"INV-{code}", D(2026, 11, 10), "5000000")]
    )
    made = dt.datetime(2026, 11, 18, 9, tzinfo=WIB)
    async with app.db.transaction() as session:
        invoice = (await session.exec(select(Invoice).where(Invoice.number == f"INV-{code}"))).one()
        promise = Promise(
            customer_id=customer_id,
            promised_date=D(2026, 11, 20),
            amount=Decimal(amount),
            created_at=made,
        )
        session.add(promise)
        await session.flush()
        assert promise.id is not None and invoice.id is not None
        session.add(PromiseInvoice(promise_id=promise.id, invoice_id=invoice.id))
        # Paid before the promise was made: not part of it.
        session.add(
            Payment(
                reference=f"old-{code}",
                invoice_id=invoice.id,
                amount=Decimal(1),
                paid_on=D(2026, 11, 1),
            )
        )
        session.add(
            Payment(
                reference=f"p-{code}", invoice_id=invoice.id, amount=Decimal(paid), paid_on=paid_on
            )
        )
        invoice.balance -= Decimal(paid) + 1
        session.add(invoice)
        return promise.id


async def test_a_promised_amount_paid_keeps_the_promise(tagih: Tagih) -> None:
    """Issue 12, point 6: a promise of part of the balance is kept by paying that part,
    not broken because the invoice is still open."""
    kept = await _partial(tagih, "C1", "2000000", "2000000", D(2026, 11, 19))
    short = await _partial(tagih, "C2", "2000000", "1999999", D(2026, 11, 19))
    stats = await tagih.check_promises(dt.datetime(2026, 11, 19, 12, 0, tzinfo=WIB))
    assert (stats.kept, stats.broken) == (1, 0)  # kept at once; the other may still pay
    assert (await _status(tagih, kept), await _status(tagih, short)) == ("kept", "open")
    stats = await tagih.check_promises(dt.datetime(2026, 11, 23, 9, 0, tzinfo=WIB))
    assert (stats.kept, stats.broken) == (0, 1)
    assert await _status(tagih, short) == "broken"
    async with tagih.db.sessions() as session:
        notes = (
            await session.exec(select(Message).where(Message.template == "promise_broken"))
        ).all()
    assert [n.body for n in notes] == [
        "janji tidak ditepati: baru Rp1.999.999 dari Rp2.000.000 yang dijanjikan untuk INV-C2 "
        "dibayar sampai 20 November 2026"
    ]


def test_scheduler_runs_only_recurring_jobs() -> None:
    async def job(now: dt.datetime) -> None:
        del now

    scheduler = build_scheduler(
        tick=job,
        plan=job,
        promises=job,
        digests=job,
        clock=lambda: dt.datetime.now(dt.UTC),
        tick_seconds=60,
        timezone="Asia/Jakarta",
    )
    jobs = {j.id: str(j.trigger) for j in scheduler.get_jobs()}
    assert jobs == {
        "dispatch-tick": "interval[0:01:00]",
        "promise-check": "cron[minute='4']",
        "planning-pass": "cron[minute='5']",
        "digests": "cron[minute='*/5']",
    }
