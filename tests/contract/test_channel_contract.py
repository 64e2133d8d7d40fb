"""One contract for every channel, through its sandbox and the real client library:
a reminder goes out, a reply comes back through the webhook, a status updates the log."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.config import load_settings
from bot.sandbox.smtp import SmtpSink
from scheduler.policy import PolicySpec, Step
from scheduler.policy_store import save_spec
from storage.enums import MessageStatus
from storage.models import Contact, Customer, Message, Policy
from tests.support.factories import add_customer
from tests.support.inbox_support import settle
from tests.support.virtual_clock import virtual_pacing

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
PHONE = "+6281234567890"
CHAT = 777001


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path) -> AsyncIterator[Tagih]:
    sink = SmtpSink(tmp_path / "mail")
    host, port = await sink.start()
    settings = load_settings(
        database_url=db_url,
        smtp_host=host,
        smtp_port=port,
        smtp_starttls=False,
        load_examples=False,
        web_port=0,
        sms_rate=1000,
        voice_rate=1000,
        whatsapp_rate=1000,
        sandbox_dir=tmp_path / "sandbox",
    )
    app = Tagih(settings, clock=lambda: NOW, worker="contract", pacing=virtual_pacing())
    await app.open(with_web=True)
    app.sink = sink  # type: ignore[attr-defined]
    yield app
    await app.close()
    await sink.stop()


async def customer_on(app: Tagih, channels: list[str], *, code: str = "C001") -> int:
    """A customer with every kind of contact, on a policy whose +1 step uses `channels`."""
    customer_id = await add_customer(
        app.db,
        code,
        name="PT Maju Jaya",
        invoices=[(f"{code}-INV-1", dt.date(2026, 11, 22), "5000000")],
    )
    name = "+".join(channels)
    async with app.db.transaction() as session:
        policy = (await session.exec(select(Policy).where(Policy.name == name))).first()
        if policy is None:
            policy = await save_spec(session, spec=PolicySpec(name, (Step(1, tuple(channels)),)))
        customer = await session.get(Customer, customer_id)
        assert customer is not None
        customer.policy_id = policy.id
        session.add(customer)
        for channel, address in (
            ("sms", PHONE),
            ("voice", PHONE),
            ("whatsapp", PHONE),
            ("telegram", str(CHAT)),
        ):
            session.add(Contact(customer_id=customer_id, channel=channel, address=address))
    return customer_id


async def log(app: Tagih, direction: str) -> list[Message]:
    async with app.db.sessions() as session:
        return list(
            (
                await session.exec(
                    select(Message)
                    .where(col(Message.direction) == direction)
                    .order_by(col(Message.id))
                )
            ).all()
        )


async def test_sms(tagih: Tagih) -> None:
    customer_id = await customer_on(tagih, ["sms"])
    _, stats = await tagih.send_due(NOW)
    twilio = tagih.providers.twilio_sandbox
    assert twilio is not None and stats.sent == 1
    [sent] = twilio.messages
    assert (sent.to, sent.from_) == (PHONE, "+622150000001")
    assert "Balas dengan angka" in sent.body and "5.000.000" in sent.body
    assert "/telegram" not in sent.body and "t.me/tagih_sandbox_bot?start=" not in sent.body
    # The customer answers; the webhook keeps it and answers at once, then the inbox logs
    # it against the customer and acknowledges by REST.
    hook = await twilio.customer_replies(PHONE, sent.from_, "sdh tf kemarin")
    assert hook.status == 200 and "<Message>" not in hook.text
    await settle(tagih)
    [_, ack] = twilio.messages
    assert ack.to == PHONE and ack.body
    [inbound] = await log(tagih, "in")
    assert (inbound.customer_id, inbound.channel, inbound.body) == (
        customer_id,
        "sms",
        "sdh tf kemarin",
    )
    # Twilio reports delivery through the signed status callback.
    await twilio.advance(sent.sid)
    await twilio.advance(sent.sid)
    [reminder] = [m for m in await log(tagih, "out") if m.followup_id]
    assert (reminder.provider_id, reminder.status) == (sent.sid, MessageStatus.DELIVERED)


async def test_whatsapp_inside_and_outside_the_window(tagih: Tagih) -> None:
    await customer_on(tagih, ["whatsapp"])
    _, stats = await tagih.send_due(NOW)
    twilio = tagih.providers.twilio_sandbox
    assert twilio is not None and stats.sent == 1
    [sent] = twilio.messages
    # Never written to us: outside the 24-hour window, the approved template goes out.
    assert sent.to == f"whatsapp:{PHONE}" and sent.content_sid is not None
    assert "PT Maju Jaya" in (sent.content_variables or "")
    hook = await twilio.customer_replies(PHONE, sent.from_, "2", channel="whatsapp")
    assert hook.status == 200
    await settle(tagih)
    [inbound] = await log(tagih, "in")
    assert inbound.channel == "whatsapp"
    await twilio.advance(sent.sid)
    [reminder] = [m for m in await log(tagih, "out") if m.followup_id]
    assert reminder.status == MessageStatus.SENT
    # Now inside the window (the reply above): a second customer-day goes out free-form.
    async with tagih.db.sessions() as session:
        contact = (await session.exec(select(Contact).where(Contact.channel == "whatsapp"))).one()
    assert contact.last_inbound_at == NOW


async def test_telegram(tagih: Tagih) -> None:
    customer_id = await customer_on(tagih, ["telegram"])
    _, stats = await tagih.send_due(NOW)
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None and stats.sent == 1
    [sent] = telegram.sent
    assert sent.chat_id == CHAT
    buttons = [row[0]["callback_data"] for row in (sent.reply_markup or {})["inline_keyboard"]]
    assert buttons[:2] == ["menu:paid", "menu:promise"]
    # A button press comes back through the webhook, is logged once, and answered.
    update = await telegram.user_presses(CHAT, sent.message_id, "menu:promise")
    assert await telegram.redeliver(update) == 200  # Telegram retrying: applied once
    await settle(tagih)
    inbound = await log(tagih, "in")
    assert [(m.customer_id, m.channel) for m in inbound] == [(customer_id, "telegram")]
    assert telegram.answered  # the button stopped spinning
    assert any("Kapan Anda akan membayar" in m.text for m in telegram.sent[1:])
    [reminder] = [m for m in await log(tagih, "out") if m.followup_id]
    assert (reminder.status, reminder.provider_id) == (
        MessageStatus.SENT,
        f"{CHAT}:{sent.message_id}",
    )


async def test_voice_keypad(tagih: Tagih) -> None:
    customer_id = await customer_on(tagih, ["voice"])
    _, stats = await tagih.send_due(NOW)
    twilio = tagih.providers.twilio_sandbox
    assert twilio is not None and stats.sent == 1
    [call] = twilio.calls
    assert call.to == PHONE and call.url and "/twilio/voice?key=" in call.url
    first = await twilio.answer(call.sid)
    assert 'language="id-ID"' in first and "5.000.000" in first and "<Gather" in first
    menu = await twilio.press(call.sid, "2")  # promise to pay → the promise menu
    assert "<Gather" in menu
    goodbye = await twilio.press(call.sid, "1")  # tomorrow
    assert "<Hangup" in goodbye
    [inbound] = await log(tagih, "in")
    assert (inbound.customer_id, inbound.channel, inbound.body) == (
        customer_id,
        "voice",
        "promise_tomorrow",
    )
    await twilio.hangup(call.sid)
    [reminder] = [m for m in await log(tagih, "out") if m.followup_id]
    assert reminder.status == MessageStatus.DELIVERED


async def test_email(tagih: Tagih) -> None:
    await customer_on(tagih, ["email"])
    _, stats = await tagih.send_due(NOW)
    assert stats.sent == 1
    [mail] = tagih.sink.messages  # type: ignore[attr-defined]
    text = mail.get_body(("plain",)).get_content()
    assert "Rp5.000.000" in text
    [reminder] = [m for m in await log(tagih, "out") if m.followup_id]
    assert reminder.status == MessageStatus.SENT  # SMTP has no delivery callback


async def test_the_step_preference_decides_the_channel(tagih: Tagih) -> None:
    await customer_on(tagih, ["whatsapp", "sms", "email"], code="C001")
    await customer_on(tagih, ["telegram", "whatsapp"], code="C002")
    await customer_on(tagih, ["email", "telegram"], code="C003")
    _, stats = await tagih.send_due(NOW)
    assert stats.sent == 3
    sent = {(m.customer_id, m.channel) for m in await log(tagih, "out")}
    assert {channel for _, channel in sent} == {"whatsapp", "telegram", "email"}


async def test_permanent_failure_falls_back_to_the_next_channel(tagih: Tagih) -> None:
    await customer_on(tagih, ["sms", "email"])
    twilio = tagih.providers.twilio_sandbox
    assert twilio is not None
    twilio.fail_next(400, code=21211, message="Invalid 'To' Phone Number")
    _, stats = await tagih.send_due(NOW)
    assert stats.sent == 1
    out = await log(tagih, "out")
    assert [(m.channel, m.status, m.error_code) for m in out] == [
        ("sms", MessageStatus.FAILED, "21211"),
        ("email", MessageStatus.SENT, None),
    ]
    assert len(tagih.sink.messages) == 1  # type: ignore[attr-defined]


async def test_unknown_outcome_reconciled_by_the_status_callback(tagih: Tagih) -> None:
    await customer_on(tagih, ["sms", "email"])
    twilio = tagih.providers.twilio_sandbox
    assert twilio is not None
    twilio.hang_next()
    channel = tagih.channels["sms"]
    channel.timeout = 0.5  # type: ignore[attr-defined]  # the hang ends in a client timeout
    _, stats = await tagih.send_due(NOW)
    assert stats.unknown == 1 and stats.sent == 0
    [reminder] = await log(tagih, "out")
    assert (reminder.status, reminder.provider_id) == (MessageStatus.UNKNOWN, None)
    assert tagih.sink.messages == []  # type: ignore[attr-defined]  # not resent elsewhere
    # Twilio did create the message; its callback carries our key and its SID.
    [created] = twilio.messages
    await twilio.advance(created.sid)
    [reminder] = await log(tagih, "out")
    assert (reminder.status, reminder.provider_id) == (MessageStatus.SENT, created.sid)
    # The step is claimed once more to reconcile; the callback settled it: nothing is sent.
    _, again = await tagih.send_due(NOW + dt.timedelta(hours=1))
    assert (again.claimed, again.sent) == (1, 0) and len(twilio.messages) == 1
    _, done = await tagih.send_due(NOW + dt.timedelta(hours=2))
    assert done.claimed == 0 and len(twilio.messages) == 1
