"""The team's side through the Telegram sandbox, the real python-telegram-bot client and the
router: commands by role, /policy set changing the preview, alerts with working buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from scheduler.preview import preview
from storage.models import AuditLog, Contact, Customer, Message
from tests.support.inbox_support import settle
from tests.support.staff_world import ANI, BUDI, SARI, running_team

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path) -> AsyncIterator[Tagih]:
    async with running_team(db_url, tmp_path, "staff-e2e") as app:
        yield app


async def say(app: Tagih, chat: int, text: str) -> str:
    telegram = app.providers.telegram_sandbox
    assert telegram is not None
    before = len(telegram.sent)
    await telegram.user_says(chat, text)
    await settle(app)
    return "\n".join(m.text for m in telegram.sent[before:])


async def audit(app: Tagih, action: str) -> list[AuditLog]:
    async with app.db.sessions() as session:
        return list((await session.exec(select(AuditLog).where(AuditLog.action == action))).all())


async def offsets_on(app: Tagih, day: dt.date) -> list[tuple[str, int]]:
    inputs, window = await app.planning_inputs()
    contacts = await preview(
        app.db, inputs=inputs, window=window, now=NOW, first=day, days=1, cap=3
    )
    return [(hit.invoice, hit.offset) for c in contacts for hit in c.steps]


async def test_help_and_roles(tagih: Tagih) -> None:
    admin_help = await say(tagih, ANI, "/help")
    collector_help = await say(tagih, SARI, "/help")
    assert "/policy" in admin_help and "/pauseall" in admin_help
    assert "/queue" in collector_help and "/policy" not in collector_help
    refused = await say(tagih, SARI, "/policy set standard -3,1,2 repeat 30")
    assert refused.startswith("tidak diizinkan: /policy")  # Sari reads Indonesian
    assert [a.actor for a in await audit(tagih, "refused")] == ["staff:Sari"]
    assert (await say(tagih, BUDI, "/paid INV-1")).startswith("not allowed")  # Budi: English


async def test_customers_and_strangers_never_reach_staff_commands(tagih: Tagih) -> None:
    async with tagih.db.transaction() as session:
        session.add(Contact(customer_id=1, channel="telegram", address="555"))
    customer_answer = await say(tagih, 555, "/pauseall")
    stranger_answer = await say(tagih, 556, "/pauseall")
    assert "Konfirmasi" not in customer_answer and "confirm" not in customer_answer.lower()
    assert "otomatis" in stranger_answer  # the neutral reply


async def test_admin_policy_set_changes_the_preview(tagih: Tagih) -> None:
    day = dt.date(2026, 11, 25)  # +5 of INV-2 (due 20 Nov) is not a standard step
    assert ("INV-2", 5) not in await offsets_on(tagih, day)
    answer = await say(tagih, ANI, "/policy set standard -3,1,3,5,7,14,28,58 repeat 30")
    assert "standard" in answer
    assert ("INV-2", 5) in await offsets_on(tagih, day)
    assert await audit(tagih, "policy.set") or await audit(tagih, "policy_set")


async def test_collector_commands_record_and_audit(tagih: Tagih) -> None:
    assert "INV-1" in await say(tagih, SARI, "/customer C001")
    await say(tagih, SARI, "/promise C001 jumat 5jt")
    await say(tagih, SARI, "/note C001 minta dikirim ulang fakturnya")
    await say(tagih, SARI, "/pause C001")
    async with tagih.db.sessions() as session:
        customer = await session.get(Customer, 1)
        notes = (
            await session.exec(
                select(Message).where(
                    col(Message.direction) == "note", col(Message.customer_id) == 1
                )
            )
        ).all()
    assert customer is not None and customer.paused_until == dt.date(2026, 11, 30)
    assert any("dikirim ulang" in n.body for n in notes)


async def test_pauseall_needs_a_button_confirmation(tagih: Tagih) -> None:
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None
    assert await say(tagih, ANI, "/pauseall")
    prompt = telegram.sent[-1]
    buttons = [row[0]["callback_data"] for row in (prompt.reply_markup or {})["inline_keyboard"]]
    confirm = next(b for b in buttons if b.startswith("confirm:"))
    assert not await audit(tagih, "pauseall")  # nothing happens before the press
    await telegram.user_presses(ANI, prompt.message_id, confirm)
    await settle(tagih)
    planned, paused = await tagih.send_due(NOW)
    assert planned.planned >= 1 and paused.claimed == 0  # due, yet nothing goes out
    await say(tagih, ANI, "/resumeall")
    _, resumed = await tagih.send_due(NOW)
    assert resumed.claimed >= 1


async def test_alert_reaches_the_collector_with_working_buttons(tagih: Tagih) -> None:
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None
    async with tagih.db.transaction() as session:
        session.add(Contact(customer_id=1, channel="whatsapp", address="+6281234567890"))
    twilio = tagih.providers.twilio_sandbox
    assert twilio is not None
    # The customer asks for a person on WhatsApp: Sari (C001's collector) gets the alert.
    await twilio.customer_replies("+6281234567890", "+622150000002", "6", channel="whatsapp")
    await settle(tagih)
    stats = await tagih.deliver_alerts(NOW)
    assert stats.sent >= 1
    alert = next(m for m in telegram.sent if m.chat_id == SARI)
    assert "PT Maju Jaya" in alert.text
    payloads: list[Any] = [
        b["callback_data"] for row in (alert.reply_markup or {})["inline_keyboard"] for b in row
    ]
    assert {p.split(":")[1] for p in payloads} == {"handled", "pause7", "paid", "log"}
    before = len(telegram.sent)
    pause = next(p for p in payloads if p.startswith("alert:pause7:"))
    await telegram.user_presses(SARI, alert.message_id, pause)
    await settle(tagih)
    assert telegram.sent[before:]  # the press was answered in the chat
    async with tagih.db.sessions() as session:
        customer = await session.get(Customer, 1)
    assert customer is not None and customer.paused_until == dt.date(2026, 11, 30)
