"""From an invoice to an email on a real SMTP server: planning, dispatch, re-check, leases."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.config import load_settings
from bot.sandbox.smtp import SmtpSink
from scheduler.claims import claim_due
from scheduler.messages import Address, Outbound
from storage.db import Database
from storage.enums import FollowUpStatus, MessageStatus
from storage.models import (
    Case,
    Contact,
    Customer,
    FollowUp,
    Invoice,
    Message,
    Promise,
    PromiseInvoice,
)
from tests.support.factories import add_customer

JAKARTA = dt.timezone(dt.timedelta(hours=7))
# Monday 23 November 2026, 10:00 WIB: inside the contact window.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=JAKARTA)
D = dt.date


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    server = SmtpSink(tmp_path / "mail")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def tagih(db_url: str, sink: SmtpSink, tmp_path: Path) -> AsyncIterator[Tagih]:
    host, port = sink.host, sink.port
    settings = load_settings(
        database_url=db_url,
        smtp_host=host,
        smtp_port=port,
        smtp_starttls=False,
        sandbox_dir=tmp_path / "sandbox",
        load_examples=False,
        retry_backoff_seconds=600,
        smtp_timeout=1,
    )
    app = Tagih(settings, worker="worker-a")
    await app.open()
    yield app
    await app.close()


async def messages(db: Database) -> list[Message]:
    """The reminders sent to customers (alert notes for the team are left out)."""
    async with db.sessions() as session:
        return list(
            (
                await session.exec(
                    select(Message)
                    .where(col(Message.followup_id).is_not(None))
                    .order_by(col(Message.id))
                )
            ).all()
        )


async def followups(db: Database, day: dt.date | None = None) -> list[FollowUp]:
    async with db.sessions() as session:
        rows = list((await session.exec(select(FollowUp).order_by(col(FollowUp.local_date)))).all())
    return [row for row in rows if day is None or row.local_date == day]


async def test_one_statement_per_customer_and_nothing_new_on_second_run(
    tagih: Tagih, sink: SmtpSink
) -> None:
    # INV-1 is 1 day late and INV-2 3 days late today: one statement lists both.
    await add_customer(
        tagih.db,
        "C001",
        name="PT Sumber Rejeki",
        invoices=[
            ("INV-1", D(2026, 11, 22), "5000000"),
            ("INV-2", D(2026, 11, 20), "1250000"),
            ("INV-3", D(2026, 12, 20), "700000"),
        ],
    )
    await add_customer(
        tagih.db,
        "C002",
        email="finance@maju.example",
        language="en",
        invoices=[("INV-9", D(2026, 11, 26), "300000")],
    )  # H-3 today
    _, stats = await tagih.send_due(NOW)
    assert stats.sent == 2
    assert len(sink.messages) == 2
    by_to = {m["To"].addresses[0].addr_spec: m for m in sink.messages}
    statement = by_to["ap@example.co.id"]
    assert "  " not in statement["Subject"]  # no folding artefacts before encoded words
    text = statement.get_body(("plain",)).get_content()
    assert "INV-1" in text and "INV-2" in text and "INV-3" in text
    assert "Rp5.000.000" in text
    assert statement.get_body(("html",)) is not None
    english = by_to["finance@maju.example"].get_body(("plain",)).get_content()
    assert "INV-9" in english
    logged = await messages(tagih.db)
    assert [m.status for m in logged] == [MessageStatus.SENT, MessageStatus.SENT]
    assert all(m.idempotency_key and m.provider_id for m in logged)
    # Same day again (later in the day): nothing new goes out.
    _, again = await tagih.send_due(NOW + dt.timedelta(hours=3))
    assert again.sent == 0
    assert len(sink.messages) == 2
    assert len(await messages(tagih.db)) == 2


async def test_reminder_never_sent_for_an_invoice_paid_after_planning(
    tagih: Tagih, sink: SmtpSink
) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 22), "5000000")])
    await tagih.plan(NOW - dt.timedelta(hours=3))  # planned at 07:00, due at 09:00
    async with tagih.db.transaction() as session:
        invoice = (await session.exec(select(Invoice))).one()
        invoice.balance, invoice.status = Decimal(0), "paid"
        session.add(invoice)
    dispatcher = await tagih.dispatcher()
    stats = await dispatcher.tick(NOW)
    assert stats.skipped == 1 and stats.sent == 0
    assert sink.messages == []
    [row] = await followups(tagih.db, NOW.date())
    assert (row.status, row.skip_reason) == (FollowUpStatus.SKIPPED, "paid")


async def test_outside_the_window_waits_for_it(tagih: Tagih, sink: SmtpSink) -> None:
    await add_customer(
        tagih.db, "C001", timezone="Asia/Jayapura", invoices=[("INV-1", D(2026, 11, 22), "5000000")]
    )
    # 19:30 WIB is 21:30 WIT: the Jayapura customer's window has closed.
    late = dt.datetime(2026, 11, 23, 19, 30, tzinfo=JAKARTA)
    _, stats = await tagih.send_due(late)
    assert stats.deferred == 1 and sink.messages == []
    [row] = await followups(tagih.db, NOW.date())
    assert row.status == FollowUpStatus.PLANNED
    # Tuesday 08:00 WIT = Monday 23:00 UTC.
    assert row.planned_at == dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)
    dispatcher = await tagih.dispatcher()
    assert (await dispatcher.tick(row.planned_at)).sent == 1


async def test_no_usable_contact_opens_a_research_case(tagih: Tagih, sink: SmtpSink) -> None:
    await add_customer(
        tagih.db, "C001", email=None, invoices=[("INV-1", D(2026, 11, 22), "5000000")]
    )
    _, stats = await tagih.send_due(NOW)
    assert stats.skipped == 1 and sink.messages == []
    async with tagih.db.sessions() as session:
        case = (await session.exec(select(Case))).one()
    assert (case.kind, case.status) == ("contact_research", "open")
    # Issue 12, point 7: the text said "no usable contact among " and stopped there.
    assert case.details == (
        "tidak ada kontak yang bisa dipakai: tidak ada alamat email, nomor telepon, nomor "
        "WhatsApp atau chat Telegram yang tercatat dan belum berhenti berlangganan"
    )


async def test_expired_lease_is_claimed_by_another_worker(tagih: Tagih, sink: SmtpSink) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 22), "5000000")])
    await tagih.plan(NOW)
    lease = dt.timedelta(minutes=5)
    # Worker "dead" claims the row and never comes back.
    assert len(await claim_due(tagih.db, worker="dead", now=NOW, limit=10, lease=lease)) == 1
    dispatcher = await tagih.dispatcher()
    assert (await dispatcher.tick(NOW + dt.timedelta(minutes=1))).claimed == 0
    stats = await dispatcher.tick(NOW + dt.timedelta(minutes=6))
    assert (stats.claimed, stats.sent) == (1, 1)
    assert len(sink.messages) == 1


async def test_email_reserved_by_a_dead_worker_is_resent_once_with_the_same_message_id(
    tagih: Tagih, sink: SmtpSink
) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 22), "5000000")])
    await tagih.plan(NOW)
    [row] = await followups(tagih.db, NOW.date())
    async with tagih.db.transaction() as session:
        session.add(
            Message(
                customer_id=row.customer_id,
                followup_id=row.id,
                direction="out",
                channel="email",
                status=MessageStatus.QUEUED,
                idempotency_key=f"fu:{row.customer_id}:2026-11-23:1:email",
            )
        )
    dispatcher = await tagih.dispatcher()
    stats = await dispatcher.tick(NOW)
    # The worker may have died before the provider had it: email cannot be asked, so it
    # goes out again with the Message-ID the first attempt used (receivers deduplicate).
    assert stats.sent == 1 and stats.unknown == 0
    [mail] = sink.messages
    [message] = await messages(tagih.db)
    assert message.status == MessageStatus.SENT
    assert message.provider_id == mail["Message-ID"]
    again = tagih.channels["email"].build(
        Outbound(
            to=Address("email", "ap@example.co.id"),
            body="x",
            idempotency_key=f"fu:{row.customer_id}:2026-11-23:1:email",
        )
    )
    assert again["Message-ID"] == mail["Message-ID"]


async def test_catch_up_after_downtime_sends_only_the_latest_step(
    tagih: Tagih, sink: SmtpSink
) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", D(2026, 10, 20), "5000000")])
    # Planned on 21 Oct (+1 on the 21st); then the service was down for a month.
    await tagih.plan(dt.datetime(2026, 10, 21, 7, 0, tzinfo=JAKARTA))
    _, stats = await tagih.send_due(NOW)
    assert stats.sent == 1
    rows = await followups(tagih.db)
    sent = [r for r in rows if r.status == FollowUpStatus.SENT]
    superseded = [r for r in rows if r.status == FollowUpStatus.SUPERSEDED]
    assert [r.local_date for r in sent] == [D(2026, 11, 23)]
    # The row planned before the downtime (21 Oct) is superseded; the missed
    # +3, +7, +14 steps were never written only to be superseded.
    assert [r.local_date for r in superseded] == [D(2026, 10, 21)]
    async with tagih.db.sessions() as session:
        from storage.models import FollowUpInvoice

        link = (
            await session.exec(
                select(FollowUpInvoice).where(FollowUpInvoice.followup_id == sent[0].id)
            )
        ).one()
    assert link.offset_days == 28


async def test_retryable_failure_backs_off_then_sends_once(tagih: Tagih, sink: SmtpSink) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 22), "5000000")])
    sink.fail_next_rcpt(451)
    _, stats = await tagih.send_due(NOW)
    assert stats.retried == 1 and sink.messages == []
    [row] = await followups(tagih.db, NOW.date())
    assert row.status == FollowUpStatus.PLANNED
    assert row.planned_at == NOW + dt.timedelta(seconds=600)
    [message] = await messages(tagih.db)
    assert (message.status, message.error_code) == (MessageStatus.RETRY, "451")
    dispatcher = await tagih.dispatcher()
    assert (await dispatcher.tick(NOW + dt.timedelta(seconds=599))).claimed == 0
    assert (await dispatcher.tick(NOW + dt.timedelta(seconds=600))).sent == 1
    [message] = await messages(tagih.db)  # the same log row, same idempotency key
    assert message.status == MessageStatus.SENT
    assert len(sink.messages) == 1


async def test_permanent_failure_without_another_channel_asks_for_research(
    tagih: Tagih, sink: SmtpSink
) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 22), "5000000")])
    sink.fail_next_rcpt(550)
    _, stats = await tagih.send_due(NOW)
    assert stats.skipped == 1 and sink.messages == []
    [message] = await messages(tagih.db)
    assert (message.status, message.error_code) == (MessageStatus.FAILED, "550")
    [row] = await followups(tagih.db, NOW.date())
    assert (row.status, row.skip_reason) == (FollowUpStatus.SKIPPED, "no_contact")
    async with tagih.db.sessions() as session:
        case = (await session.exec(select(Case))).one()
    assert case.kind == "contact_research"
    assert case.details == (
        "tidak ada kontak yang bisa dipakai lagi: email gagal permanen; cari kontak lain"
    )


async def test_unknown_outcome_is_reconciled_then_settled(tagih: Tagih, sink: SmtpSink) -> None:
    """An email whose outcome is unknown is sent once more after RECONCILE_AFTER with the
    same Message-ID (receivers deduplicate on it), under the same log row; then it is done."""
    await add_customer(tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 22), "5000000")])
    sink.hang_next_data()
    _, stats = await tagih.send_due(NOW)
    assert stats.unknown == 1
    [message] = await messages(tagih.db)
    assert message.status == MessageStatus.UNKNOWN
    assert (await tagih.tick(NOW + dt.timedelta(minutes=14))).claimed == 0
    _, again = await tagih.send_due(NOW + dt.timedelta(hours=1))
    assert (again.claimed, again.sent) == (1, 1)
    [message] = await messages(tagih.db)
    assert message.status == MessageStatus.SENT
    ids = {m["Message-ID"] for m in sink.messages}
    assert len(ids) == 1 and len(sink.messages) >= 1
    _, done = await tagih.send_due(NOW + dt.timedelta(hours=2))
    assert done.claimed == 0 and len(await messages(tagih.db)) == 1


async def test_planning_is_idempotent(tagih: Tagih) -> None:
    await add_customer(tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 22), "5000000")])
    await tagih.plan(NOW)
    first = [(r.id, r.local_date, r.status, r.planned_at) for r in await followups(tagih.db)]
    await tagih.plan(NOW + dt.timedelta(minutes=30))
    again = [(r.id, r.local_date, r.status, r.planned_at) for r in await followups(tagih.db)]
    assert first == again


@pytest.mark.parametrize("reason", ["promise", "paused", "disputed", "opted_out"])
async def test_recheck_skips_with_reason(tagih: Tagih, sink: SmtpSink, reason: str) -> None:
    customer_id = await add_customer(
        tagih.db, "C001", invoices=[("INV-1", D(2026, 11, 22), "5000000")]
    )
    await tagih.plan(NOW - dt.timedelta(hours=3))
    async with tagih.db.transaction() as session:
        invoice = (await session.exec(select(Invoice))).one()
        if reason == "promise":
            promise = Promise(customer_id=customer_id, promised_date=D(2026, 11, 25))
            session.add(promise)
            await session.flush()
            assert promise.id is not None and invoice.id is not None
            session.add(PromiseInvoice(promise_id=promise.id, invoice_id=invoice.id))
        elif reason == "paused":
            customer = await session.get(Customer, customer_id)
            assert customer is not None
            customer.paused_until = D(2026, 11, 30)
            session.add(customer)
        elif reason == "disputed":
            invoice.status = "disputed"
            session.add(invoice)
        else:
            contact = (await session.exec(select(Contact))).one()
            contact.opted_out_at = NOW
            session.add(contact)
    stats = await (await tagih.dispatcher()).tick(NOW)
    assert (stats.skipped, stats.sent) == (1, 0)
    assert sink.messages == []
    [row] = await followups(tagih.db, NOW.date())
    assert (row.status, row.skip_reason) == (FollowUpStatus.SKIPPED, reason)
