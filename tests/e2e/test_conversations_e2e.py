"""The customer conversations end to end: Telegram and WhatsApp through their sandboxes,
with the real python-telegram-bot and twilio clients, records checked in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.config import Settings, load_settings
from storage.models import (
    Case,
    Contact,
    Customer,
    Invoice,
    Message,
    PaymentChoice,
    Promise,
)
from storage.queries.timeline import customer_timeline
from tests.support.factories import add_customer
from tests.support.inbox_support import align_whatsapp_clock, settle
from tests.support.virtual_clock import virtual_pacing

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
PHONE = "+6281234567890"
CHAT = 777001


def make_settings(db_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        database_url=db_url,
        load_examples=False,
        web_port=0,
        sms_rate=1000,
        voice_rate=1000,
        whatsapp_rate=1000,
        sandbox_dir=tmp_path / "sandbox",
        bank_accounts="BCA 123-456-7890 a.n. PT Tagih Demo",
    )


class Chat:
    """A customer on one channel, talking to Tagih through the sandbox."""

    def __init__(self, app: Tagih, channel: str) -> None:
        self.app, self.channel = app, channel

    async def say(self, text: str) -> str:
        """Send a message; the bot's answer (sent once the inbox applied the message)."""
        if self.channel == "telegram":
            telegram = self.app.providers.telegram_sandbox
            assert telegram is not None
            before = len(telegram.sent)
            await telegram.user_says(CHAT, text)
            await settle(self.app)
            return "\n".join(m.text for m in telegram.sent[before:])
        twilio = self.app.providers.twilio_sandbox
        assert twilio is not None
        align_whatsapp_clock(self.app, NOW)
        before = len(twilio.messages)
        hook = await twilio.customer_replies(PHONE, "+622150000002", text, channel="whatsapp")
        assert hook.status == 200 and "<Message>" not in hook.text  # the replies follow by REST
        await settle(self.app)
        return "\n".join(m.body or "" for m in twilio.messages[before:])

    async def choose(self, number: int) -> str:
        """Pick option `number`: a button press on Telegram, a digit on WhatsApp."""
        if self.channel != "telegram":
            return await self.say(str(number))
        telegram = self.app.providers.telegram_sandbox
        assert telegram is not None
        last = telegram.sent[-1]
        payload = (last.reply_markup or {})["inline_keyboard"][number - 1][0]["callback_data"]
        before = len(telegram.sent)
        await telegram.user_presses(CHAT, last.message_id, payload)
        await settle(self.app)
        return "\n".join(m.text for m in telegram.sent[before:])


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path) -> AsyncIterator[Tagih]:
    app = Tagih(
        make_settings(db_url, tmp_path), clock=lambda: NOW, worker="e2e", pacing=virtual_pacing()
    )
    await app.open(with_web=True)
    await add_customer(
        app.db,
        "C001",
        name="PT Maju Jaya",
        invoices=[
            ("INV-1", dt.date(2026, 11, 10), "5000000"),
            ("INV-2", dt.date(2026, 11, 20), "1000000"),
        ],
    )
    async with app.db.transaction() as session:
        for channel, address in (("whatsapp", PHONE), ("telegram", str(CHAT))):
            session.add(Contact(customer_id=1, channel=channel, address=address))
    yield app
    await app.close()


async def rows(app: Tagih, model: type, *where: Any) -> list[Any]:
    async with app.db.sessions() as session:
        return list((await session.exec(select(model).where(*where))).all())


CHANNELS = ["telegram", "whatsapp"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_already_paid(tagih: Tagih, channel: str) -> None:
    chat = Chat(tagih, channel)
    assert "Silakan pilih" in await chat.say("halo")
    assert "Kapan dan berapa" in await chat.choose(1)
    assert "bukti transfer" in await chat.say("kemarin 6jt")
    done = await chat.say("lewati")
    assert "Rp6.000.000" in done and "3 hari" in done
    [case] = await rows(tagih, Case)
    assert (case.kind, case.data["amount"]) == ("payment_claim", "6000000")
    [pause] = await rows(tagih, Promise)
    assert (pause.source, pause.promised_date) == ("claim", dt.date(2026, 11, 25))
    alerts = await rows(tagih, Message, col(Message.direction) == "note")
    assert [a.template for a in alerts] == ["payment_claimed"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_promise_to_pay(tagih: Tagih, channel: str) -> None:
    chat = Chat(tagih, channel)
    assert "Kapan Anda akan membayar" in await chat.say("2")
    assert "penuh Rp6.000.000" in await chat.say("jumat")
    confirm = await chat.choose(1)
    assert "Jumat, 27 November 2026" in confirm and "Benar?" in confirm
    assert "sudah kami catat" in await chat.choose(1)
    [promise] = await rows(tagih, Promise)
    assert (promise.promised_date, promise.amount, promise.status) == (
        dt.date(2026, 11, 27),
        None,
        "open",
    )
    # Reminders pause until the date plus grace: nothing is due today.
    _, stats = await tagih.send_due(NOW)
    assert stats.sent == 0


@pytest.mark.parametrize("channel", CHANNELS)
async def test_payment_method(tagih: Tagih, channel: str) -> None:
    chat = Chat(tagih, channel)
    assert "BCA 123-456-7890" in await chat.say("3")  # the one configured method, at once
    [choice] = await rows(tagih, PaymentChoice)
    assert choice.method == "transfer"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_dispute(tagih: Tagih, channel: str) -> None:
    chat = Chat(tagih, channel)
    await chat.say("ada masalah")
    assert "Faktur mana" in await chat.choose(2)
    assert "Ceritakan" in await chat.choose(1)
    assert "Benar?" in await chat.say("semen belum dikirim")
    assert "keluhan Anda sudah kami catat" in await chat.choose(1)
    [case] = await rows(tagih, Case)
    assert (case.kind, case.reason, case.details) == (
        "dispute",
        "not_received",
        "semen belum dikirim",
    )
    statuses = {i.number: i.status for i in await rows(tagih, Invoice)}
    assert statuses == {"INV-1": "disputed", "INV-2": "open"}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_instalments(tagih: Tagih, channel: str) -> None:
    chat = Chat(tagih, channel)
    assert "berapa kali" in await chat.say("bisa dicicil?")
    assert "cicilan pertama" in await chat.say("3x")
    assert "persetujuan" in await chat.say("tgl 1 desember")
    [case] = await rows(tagih, Case)
    assert (case.kind, case.data) == ("instalment", {"count": 3, "first_date": "2026-12-01"})


@pytest.mark.parametrize("channel", CHANNELS)
async def test_handoff(tagih: Tagih, channel: str) -> None:
    chat = Chat(tagih, channel)
    await chat.say("halo")
    assert "petugas kami akan segera" in await chat.choose(6)
    [case] = await rows(tagih, Case)
    assert case.kind == "handoff" and "halo" in case.details


@pytest.mark.parametrize("channel", CHANNELS)
async def test_stop_then_nothing_more_then_start(tagih: Tagih, channel: str) -> None:
    chat = Chat(tagih, channel)
    assert "tidak akan mengirim pesan lagi" in await chat.say("BERHENTI")
    [contact] = await rows(tagih, Contact, Contact.channel == channel)
    assert contact.opted_out_at == NOW
    # A chat-only step (+3 of INV-2 today) reaches nobody on the opted-out channel.
    async with tagih.db.transaction() as session:
        customer = await session.get(Customer, 1)
        assert customer is not None
        customer.policy_id = None
    _, stats = await tagih.send_due(NOW)
    sent = await rows(tagih, Message, col(Message.followup_id).is_not(None))
    assert all(m.channel != channel for m in sent)
    assert "aktif kembali" in await chat.say("MULAI")
    [contact] = await rows(tagih, Contact, Contact.channel == channel)
    assert contact.opted_out_at is None
    del stats


@pytest.mark.parametrize("channel", CHANNELS)
async def test_language_switch(tagih: Tagih, channel: str) -> None:
    chat = Chat(tagih, channel)
    assert "English" in await chat.say("english please")
    assert "When will you pay" in await chat.say("2")
    [customer] = await rows(tagih, Customer)
    assert customer.language == "en"


async def test_unknown_sender_learns_nothing(tagih: Tagih) -> None:
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None
    before = len(telegram.sent)
    await telegram.user_says(999, "berapa tagihan PT Maju Jaya?")
    await telegram.user_says(999, "halo?")
    await settle(tagih)
    replies = [m.text for m in telegram.sent[before:]]
    assert len(replies) == 1 and "Maju" not in replies[0] and "Rp" not in replies[0]


async def test_restart_in_the_middle_of_a_conversation(db_url: str, tmp_path: Path) -> None:
    first = Tagih(make_settings(db_url, tmp_path), clock=lambda: NOW)
    await first.open(with_web=True)
    await add_customer(first.db, "C001", invoices=[("INV-1", dt.date(2026, 11, 10), "5000000")])
    async with first.db.transaction() as session:
        session.add(Contact(customer_id=1, channel="whatsapp", address=PHONE))
    assert "Kapan Anda akan membayar" in await Chat(first, "whatsapp").say("2")
    await first.close()
    second = Tagih(make_settings(db_url, tmp_path), clock=lambda: NOW)
    await second.open(with_web=True)
    try:
        assert "penuh" in await Chat(second, "whatsapp").say("besok")
    finally:
        await second.close()


async def test_voice_keypad_promise(tagih: Tagih) -> None:
    async with tagih.db.transaction() as session:
        session.add(Contact(customer_id=1, channel="voice", address=PHONE))
        from scheduler.policy import PolicySpec, Step
        from scheduler.policy_store import save_spec

        policy = await save_spec(session, spec=PolicySpec("call", (Step(3, ("voice",)),)))
        customer = await session.get(Customer, 1)
        assert customer is not None
        customer.policy_id = policy.id
    _, stats = await tagih.send_due(NOW)
    twilio = tagih.providers.twilio_sandbox
    assert twilio is not None and stats.sent == 1
    [call] = twilio.calls
    await twilio.answer(call.sid)
    await twilio.press(call.sid, "2")
    goodbye = await twilio.press(call.sid, "2")  # within a week
    assert "<Hangup" in goodbye and "30 November 2026" in goodbye
    [promise] = await rows(tagih, Promise)
    assert (promise.promised_date, promise.source) == (dt.date(2026, 11, 30), "voice")


async def test_promise_kept_when_the_payment_is_imported(tagih: Tagih, tmp_path: Path) -> None:
    chat = Chat(tagih, "whatsapp")
    for text in ("2", "jumat", "1", "1"):
        await chat.say(text)
    from storage.importers import import_csv

    payments = tmp_path / "payments.csv"
    payments.write_text(
        "reference,invoice,amount,paid_on,method\n"
        "PAY-1,INV-1,5000000,2026-11-24,transfer\n"
        "PAY-2,INV-2,1000000,2026-11-24,transfer\n"
    )
    assert (await import_csv(tagih.db, "payments", payments)).ok
    stats = await tagih.check_promises(NOW + dt.timedelta(days=1))
    assert (stats.kept, stats.broken) == (1, 0)
    [promise] = await rows(tagih, Promise)
    assert promise.status == "kept"


async def test_promise_broken_alerts_and_reminders_resume(tagih: Tagih) -> None:
    chat = Chat(tagih, "whatsapp")
    for text in ("2", "besok", "1", "1"):  # Tuesday 24th, protected through the 25th
        await chat.say(text)
    later = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC)  # Thursday 10:00 WIB
    stats = await tagih.check_promises(later)
    assert stats.broken == 1
    alerts = [m.template for m in await rows(tagih, Message, col(Message.direction) == "note")]
    assert "promise_broken" in alerts
    _, sent = await tagih.send_due(later)
    assert sent.sent == 1  # the missed steps catch up in one reminder


async def test_log_shows_records_next_to_messages(tagih: Tagih) -> None:
    chat = Chat(tagih, "whatsapp")
    for text in ("2", "jumat", "1", "1"):
        await chat.say(text)
    await chat.say("3")
    await chat.say("1")
    async with tagih.db.sessions() as session:
        entries = await customer_timeline(session, code="C001")
    kinds = [entry.kind for entry in entries]
    assert {"promise", "choice", "in", "out", "note"} <= set(kinds)
    # The promise sits right after the customer's confirming message.
    assert kinds.index("promise") > kinds.index("in")
    promise = entries[kinds.index("promise")]
    assert promise.text == "pay by 2026-11-27" and promise.status == "open"


async def test_transfer_receipt_photo_on_telegram(tagih: Tagih) -> None:
    chat = Chat(tagih, "telegram")
    await chat.say("sudah transfer kemarin 6jt")
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None
    before = len(telegram.sent)
    await telegram.user_sends_photo(CHAT, "bukti tf")
    await settle(tagih)
    assert "3 hari" in "\n".join(m.text for m in telegram.sent[before:])
    [case] = await rows(tagih, Case)
    assert case.kind == "payment_claim"
    assert case.data["media"] and case.data["media"][0].startswith("telegram-file:photo-")


async def test_receipt_photo_with_the_claim_in_its_caption(tagih: Tagih) -> None:
    """The receipt sent with the claim itself is kept, not asked for again."""
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None
    await telegram.user_sends_photo(CHAT, "sudah transfer kemarin 6jt")
    await settle(tagih)
    assert "bukti transfer" not in telegram.sent[-1].text and "3 hari" in telegram.sent[-1].text
    [case] = await rows(tagih, Case)
    assert case.kind == "payment_claim" and case.data["amount"] == "6000000"
    assert case.data["media"][0].startswith("telegram-file:photo-")


async def test_receipt_photo_before_saying_when_and_how_much(tagih: Tagih) -> None:
    """A photo captioned only "sudah bayar": asked when and how much, then recorded with it."""
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None
    await telegram.user_sends_photo(CHAT, "sudah bayar")
    await settle(tagih)
    assert "Kapan dan berapa" in telegram.sent[-1].text
    assert "3 hari" in await Chat(tagih, "telegram").say("kemarin 6jt")
    [case] = await rows(tagih, Case)
    assert case.data["media"][0].startswith("telegram-file:photo-")
