"""Dispatch at the providers' pace: WhatsApp's daily conversation limit, concurrent sends,
and reminders a dead worker reserved, reconciled with the provider before any resend."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.config import load_settings
from bot.sandbox.smtp import SmtpSink
from scheduler.dispatcher import RenderJob
from scheduler.messages import Rendered
from scheduler.policy import PolicySpec, Step
from scheduler.policy_store import save_spec
from storage.enums import Direction, FollowUpStatus, MessageStatus
from storage.models import Contact, Customer, FollowUp, Message, Policy
from tests.support.factories import add_customer
from tests.support.polling import until

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    server = SmtpSink(tmp_path / "mail")
    await server.start()
    yield server
    await server.stop()


async def open_app(db_url: str, sink: SmtpSink, tmp_path: Path, **extra: object) -> Tagih:
    values: dict[str, object] = {
        "smtp_timeout": 2,
        "sms_rate": 1000,
        "voice_rate": 1000,
        "whatsapp_rate": 1000,
    }
    settings = load_settings(
        database_url=db_url,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_starttls=False,
        sandbox_dir=tmp_path / "sandbox",
        load_examples=False,
        **(values | extra),
    )
    app = Tagih(settings, clock=lambda: NOW, worker="w")
    await app.open()
    return app


async def customer_on(app: Tagih, code: str, channels: tuple[str, ...], n: int) -> int:
    """A customer 1 day late whose +1 step uses `channels`, with WhatsApp, SMS and email."""
    customer_id = await add_customer(
        app.db, code, invoices=[(f"{code}-INV", dt.date(2026, 11, 22), "5000000")]
    )
    name = "+".join(channels)
    async with app.db.transaction() as session:
        policy = (await session.exec(select(Policy).where(Policy.name == name))).first()
        if policy is None:
            policy = await save_spec(session, spec=PolicySpec(name, (Step(1, channels),)))
        customer = await session.get(Customer, customer_id)
        assert customer is not None
        customer.policy_id = policy.id
        session.add(customer)
        phone = f"+62812{n:07d}"
        session.add(Contact(customer_id=customer_id, channel="whatsapp", address=phone))
        session.add(Contact(customer_id=customer_id, channel="sms", address=phone))
    return customer_id


async def reminders(app: Tagih) -> list[Message]:
    async with app.db.sessions() as session:
        return list(
            (
                await session.exec(
                    select(Message)
                    .where(col(Message.followup_id).is_not(None))
                    .order_by(col(Message.id))
                )
            ).all()
        )


async def test_past_the_whatsapp_daily_limit_reminders_fall_back_to_the_next_channel(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    app = await open_app(db_url, sink, tmp_path, whatsapp_daily_limit=3)
    try:
        for n in range(5):
            await customer_on(app, f"C{n}", ("whatsapp", "email"), n)
        _, stats = await app.send_due(NOW)
        assert stats.sent == 5
        sent = await reminders(app)
        by_channel = sorted(m.channel for m in sent if m.status == MessageStatus.SENT)
        assert by_channel == ["email", "email", "whatsapp", "whatsapp", "whatsapp"]
        twilio = app.providers.twilio_sandbox
        assert twilio is not None
        assert len([r for r in twilio.requests if r.path.endswith("/Messages.json")]) == 3
    finally:
        await app.close()


async def test_without_a_limit_every_whatsapp_customer_gets_whatsapp(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    app = await open_app(db_url, sink, tmp_path, whatsapp_daily_limit=0)
    try:
        for n in range(5):
            await customer_on(app, f"C{n}", ("whatsapp", "email"), n)
        _, stats = await app.send_due(NOW)
        assert stats.sent == 5
        assert {m.channel for m in await reminders(app)} == {"whatsapp"}
    finally:
        await app.close()


async def test_a_concurrent_tick_sends_each_reminder_exactly_once(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    app = await open_app(db_url, sink, tmp_path, dispatch_concurrency=8, dispatch_batch_size=7)
    try:
        for n in range(40):
            channels = (("sms",), ("whatsapp",), ("email",))[n % 3]
            await customer_on(app, f"C{n:02d}", channels, n)
        _, stats = await app.send_due(NOW)
        assert (stats.claimed, stats.sent) == (40, 40)
        sent = await reminders(app)
        assert len(sent) == 40 and len({m.idempotency_key for m in sent}) == 40
        assert len(sink.messages) == 13  # every third customer is on email
        async with app.db.sessions() as session:
            statuses = (await session.exec(select(FollowUp.status))).all()
        assert set(statuses) == {FollowUpStatus.SENT}
    finally:
        await app.close()


async def crashed_reservation(app: Tagih, customer_id: int, channel: str, at: dt.datetime) -> str:
    """The row a worker reserved before it died: `queued`, no provider id."""
    [row] = await followups_of(app, customer_id)
    key = f"fu:{customer_id}:{row.local_date.isoformat()}:1:{channel}"
    async with app.db.transaction() as session:
        session.add(
            Message(
                customer_id=customer_id,
                followup_id=row.id,
                direction="out",
                channel=channel,
                address="+628120000000",
                status=MessageStatus.QUEUED,
                idempotency_key=key,
                created_at=at,
                updated_at=at,
            )
        )
    return key


async def followups_of(app: Tagih, customer_id: int) -> list[FollowUp]:
    async with app.db.sessions() as session:
        return list(
            (await session.exec(select(FollowUp).where(FollowUp.customer_id == customer_id))).all()
        )


async def test_a_hanging_provider_holds_only_its_own_channel(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    """One send at a time per channel: while the email of the batch's first follow-up hangs
    in the SMTP DATA phase, the WhatsApp reminder of the second goes out (a gate for the
    whole batch made it wait for the email's timeout)."""
    app = await open_app(db_url, sink, tmp_path, dispatch_concurrency=1, smtp_timeout=8)
    try:
        await customer_on(app, "C001", ("email",), 1)  # first in the batch
        await customer_on(app, "C002", ("whatsapp",), 2)
        twilio = app.providers.twilio_sandbox
        assert twilio is not None
        hanging = sink.hang_next_data()
        tick = asyncio.create_task(app.send_due(NOW))
        await asyncio.wait_for(hanging.wait(), timeout=30)
        hung_at = time.monotonic()  # the stand-in stamps requests on the same clock
        # Sent while the email hangs, not after its 8 s timeout as with one shared gate
        # (waited for 4 s at most: a guard, not a pause).
        await until(lambda: bool(twilio.messages), seconds=4)
        [message] = twilio.messages
        assert message.to == "whatsapp:+628120000002"
        [requested_at] = twilio.requests_at
        assert requested_at - hung_at < 4, requested_at - hung_at
        # The mail server goes away after the content: the email's outcome is unknown, and
        # the tick ends now instead of at the timeout.
        sink.drop_connections()
        _, stats = await tick
        assert (stats.sent, stats.unknown) == (1, 1)
    finally:
        await app.close()


async def test_sms_a_dead_worker_reserved_but_never_sent_goes_out_once(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    app = await open_app(db_url, sink, tmp_path)
    try:
        customer_id = await customer_on(app, "C0", ("sms",), 0)
        await app.plan(NOW)
        key = await crashed_reservation(app, customer_id, "sms", NOW - dt.timedelta(minutes=6))
        _, stats = await app.send_due(NOW)
        assert stats.sent == 1 and stats.unknown == 0
        twilio = app.providers.twilio_sandbox
        assert twilio is not None
        creates = [r for r in twilio.requests if r.method == "POST"]
        assert len(creates) == 1  # asked first (a GET), then sent once
        [message] = [m for m in await reminders(app) if m.idempotency_key == key]
        assert message.status == MessageStatus.SENT and message.provider_id
    finally:
        await app.close()


async def test_sms_the_provider_already_has_is_recorded_not_resent(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    app = await open_app(db_url, sink, tmp_path)
    try:
        customer_id = await customer_on(app, "C0", ("sms",), 0)
        await app.plan(NOW)
        key = await crashed_reservation(app, customer_id, "sms", NOW - dt.timedelta(minutes=6))
        # The dead worker's request did reach Twilio before it died.
        twilio = app.providers.twilio_sandbox
        assert twilio is not None
        channel = app.channels["sms"]
        from scheduler.messages import Address, Outbound

        first = await channel.send(
            Outbound(to=Address("sms", "+628120000000"), body="Pengingat", idempotency_key=key)
        )
        assert first.provider_id
        _, stats = await app.send_due(NOW)
        assert stats.sent == 1
        assert len([r for r in twilio.requests if r.method == "POST"]) == 1  # no second send
        [message] = [m for m in await reminders(app) if m.idempotency_key == key]
        assert (message.status, message.provider_id) == (MessageStatus.SENT, first.provider_id)
    finally:
        await app.close()


async def test_while_the_provider_cannot_be_asked_nothing_is_resent(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    app = await open_app(db_url, sink, tmp_path, retry_backoff_seconds=600)
    try:
        customer_id = await customer_on(app, "C0", ("sms",), 0)
        await app.plan(NOW)
        key = await crashed_reservation(app, customer_id, "sms", NOW - dt.timedelta(minutes=6))
        twilio = app.providers.twilio_sandbox
        assert twilio is not None
        twilio.fail_next(503)  # the list read fails: Twilio cannot be asked now
        _, stats = await app.send_due(NOW)
        assert (stats.sent, stats.retried) == (0, 1)
        assert [r for r in twilio.requests if r.method == "POST"] == []
        [message] = [m for m in await reminders(app) if m.idempotency_key == key]
        assert message.status == MessageStatus.QUEUED
        [row] = await followups_of(app, customer_id)
        assert row.status == FollowUpStatus.PLANNED
        # Later the provider answers: it never had the message, so it goes out once.
        _, later = await app.send_due(NOW + dt.timedelta(minutes=11))
        assert later.sent == 1
        assert len([r for r in twilio.requests if r.method == "POST"]) == 1
    finally:
        await app.close()


async def test_a_whatsapp_quota_filled_while_the_batch_renders_moves_it_to_email(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    # Decided on WhatsApp with the limit of 2 still free; meanwhile another worker opens two
    # conversations. The reservation looks again and reaches both customers by email.
    app = await open_app(db_url, sink, tmp_path, whatsapp_daily_limit=2)
    try:
        for n in range(2):
            await customer_on(app, f"C{n}", ("whatsapp", "email"), n)
        await app.plan(NOW)
        dispatcher = await app.dispatcher()
        render = dispatcher.render

        meddled: list[bool] = []

        async def meanwhile(batch: Sequence[RenderJob]) -> list[Rendered]:
            if meddled:  # the steps moved to email, rendered again inside the reservation
                return await render(batch)
            meddled.append(True)
            async with app.db.transaction() as session:
                for n in (7, 8):
                    session.add(
                        Message(
                            customer_id=1,
                            followup_id=batch[0][0].followup.id,
                            direction=Direction.OUTBOUND,
                            channel="whatsapp",
                            address=f"+62899000000{n}",
                            body="elsewhere",
                            idempotency_key=f"other-worker:{n}",
                            status=MessageStatus.SENT,
                            created_at=NOW,
                            updated_at=NOW,
                        )
                    )
            return await render(batch)

        dispatcher.render = meanwhile
        stats = await dispatcher.tick(NOW)
        assert stats.sent == 2
        ours = [
            m for m in await reminders(app) if not (m.idempotency_key or "").startswith("other")
        ]
        assert sorted(m.channel for m in ours) == ["email", "email"]
        assert len(sink.messages) == 2
        twilio = app.providers.twilio_sandbox
        assert twilio is not None
        assert not [r for r in twilio.requests if r.path.endswith("/Messages.json")]
    finally:
        await app.close()
