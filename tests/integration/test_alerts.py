"""Alerts to the team: who gets which kind, on Telegram (buttons) or email, exactly once;
the buttons; escalation steps queueing alerts and credit holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from bot.channels.telegram import SANDBOX_TOKEN, TelegramChannel
from bot.sandbox.telegram import TelegramSandbox
from bot.staff.alert_actions import answer_alert_press, handle_alert_button
from bot.staff.alert_render import customer_ref
from bot.staff.alerts import deliver_alerts, queue_alert, queue_escalations
from bot.staff.directory import update_staff
from storage.db import Database
from storage.models import (
    AuditLog,
    Customer,
    FollowUp,
    FollowUpInvoice,
    Invoice,
    Message,
    Payment,
    Staff,
)
from storage.queries.staff import unreachable_staff
from tests.support.staff_world import (
    ANI,
    BUDI,
    NOW,
    SARI,
    TONO_MAIL,
    StaffChannels,
    channels,
    seed,
)
from tests.support.virtual_clock import VirtualClock

__all__ = ["channels"]  # the fixture, used by name

KINDS = [
    "promise_made",
    "promise_broken",
    "payment_claimed",
    "dispute",
    "instalment",
    "handoff",
    "opt_out",
    "call_task",
    "research_contact",
    "agency",
    "alert_sales",
    "credit_hold",
]


async def queue(db: Database, customer_id: int, kind: str, summary: str = "") -> int:
    async with db.transaction() as session:
        note = await queue_alert(
            session, customer_id=customer_id, kind=kind, summary=summary or kind, now=NOW
        )
        assert note.id is not None
        return note.id


async def rows(db: Database, model: type, *where: Any) -> list[Any]:
    async with db.sessions() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def talk(db: Database, customer_id: int) -> None:
    """A customer's message and Tagih's reply, for the alert's excerpt."""
    async with db.transaction() as session:
        for minutes, direction, body in ((10, "in", "ada masalah"), (9, "out", "Faktur mana?")):
            at = NOW - dt.timedelta(minutes=minutes)
            session.add(
                Message(
                    customer_id=customer_id,
                    direction=direction,
                    channel="telegram",
                    body=body,
                    status="received" if direction == "in" else "sent",
                    created_at=at,
                )
            )


async def test_each_kind_reaches_the_right_people(db: Database, channels: StaffChannels) -> None:
    team = await seed(db)
    await talk(db, team.customers["C001"])
    notes = {k: await queue(db, team.customers["C001"], k) for k in KINDS}
    dispute = await queue(db, team.customers["C001"], "dispute", "sengketa: semen belum dikirim")
    orphan = await queue(db, team.customers["C002"], "dispute", "barang rusak")
    stats = await deliver_alerts(db, telegram=channels.telegram, email=channels.email, now=NOW)
    assert (stats.alerts, stats.sent, stats.failed) == (14, 17, 0)

    # Sari collects C001 (every kind) and, with Tono, C002 (no collector of its own).
    sari = channels.chat(SARI)
    assert len(sari) == 14
    assert [t.splitlines()[0] for t in sari[:3]] == [
        "[Janji bayar] C001 · PT Maju Jaya",
        "[Janji bayar tidak ditepati] C001 · PT Maju Jaya",
        "[Klaim sudah bayar, mohon cek] C001 · PT Maju Jaya",
    ]
    assert sari[12] == (
        "[Sengketa / keluhan] C001 · PT Maju Jaya\n"
        "sengketa: semen belum dikirim\n"
        "\n"
        "Sisa tagihan: Rp6.000.000 · terlambat 13 hari\n"
        "• INV-1 Rp5.000.000, jatuh tempo 10 November 2026 (terlambat 13 hari)\n"
        "• INV-2 Rp1.000.000, jatuh tempo 20 November 2026 (terlambat 3 hari)\n"
        "\n"
        "Pesan terakhir:\n"
        "23/11 09:50 ← pelanggan (telegram): ada masalah\n"
        "23/11 09:51 → Tagih (telegram): Faktur mana?"
    )
    # The salesperson only gets the sales-facing kinds, in English.
    assert [t.splitlines()[0] for t in channels.chat(BUDI)] == [
        "[Escalated to sales] C001 · PT Maju Jaya",
        "[Credit hold (stop orders)] C001 · PT Maju Jaya",
    ]
    assert channels.chat(ANI) == []  # an admin collects only for customers naming her
    [mail] = channels.sink.messages
    assert mail["To"].addresses[0].addr_spec == TONO_MAIL
    assert mail["Subject"] == "[Dispute] C002 · CV Sinar Abadi"
    body = mail.get_body().get_content()  # type: ignore[union-attr]
    assert "Open: Rp2,000,000 · 53 days overdue" in body and "barang rusak" in body
    assert "Full log: tagih log C002" in body

    # Four buttons under each Telegram alert, in the reader's language.
    to_sari = [m for m in channels.telegram_sandbox.sent if m.chat_id == SARI]
    keyboard = to_sari[KINDS.index("dispute")].reply_markup or {}
    buttons = [(row[0]["text"], row[0]["callback_data"]) for row in keyboard["inline_keyboard"]]
    assert buttons == [
        ("Sudah ditangani", f"alert:handled:{notes['dispute']}"),
        ("Tunda 7 hari", "alert:pause7:C001"),
        ("Tandai lunas", f"alert:paid:n{notes['dispute']}"),
        ("Buka log", "alert:log:C001"),
    ]
    budi = next(m for m in channels.telegram_sandbox.sent if m.chat_id == BUDI)
    labels = [row[0]["text"] for row in (budi.reply_markup or {})["inline_keyboard"]]
    assert labels == ["Handled", "Pause 7 days", "Mark paid", "Open log"]

    # Every note is sent; every copy is a logged outbound row with its key; a rerun is a no-op.
    statuses = {m.id: m.status for m in await rows(db, Message, Message.channel == "alert")}
    assert set(statuses.values()) == {"sent"}
    copies = await rows(db, Message, col(Message.template).startswith("alert:"))
    keys = {m.idempotency_key for m in copies}
    assert f"alert:{orphan}:{team.staff['Tono']}" in keys
    assert f"alert:{dispute}:{team.staff['Sari']}" in keys
    assert {m.customer_id for m in copies} == {team.customers["C001"], team.customers["C002"]}
    again = await deliver_alerts(db, telegram=channels.telegram, email=channels.email, now=NOW)
    assert (again.alerts, len(channels.telegram_sandbox.sent)) == (0, 16)


async def test_fallback_retry_and_crash_safety(db: Database, channels: StaffChannels) -> None:
    team = await seed(db)
    async with db.transaction() as session:
        sari = await session.get(Staff, team.staff["Sari"])
        assert sari is not None
        sari.email = "sari@example.co.id"
        session.add(sari)
        session.add(Staff(name="Dedi", role="collector"))  # reachable nowhere
    channels.telegram_sandbox.block(SARI)  # Sari blocked the bot: email instead
    c001, c002 = team.customers["C001"], team.customers["C002"]
    blocked = await queue(db, c001, "handoff")
    held = await queue(db, c001, "credit_hold")
    # A process died after reserving Budi's copy of the credit hold. The Bot API cannot be
    # asked what it has, so the copy goes out once more (at least once, never lost).
    async with db.transaction() as session:
        key = f"alert:{held}:{team.staff['Budi']}"
        crash = Message(customer_id=c001, direction="out", channel="telegram", status="queued")
        crash.idempotency_key = key
        session.add(crash)
    channels.sink.fail_next_rcpt(450)  # the first email (Sari's handoff) must wait
    first = await deliver_alerts(db, telegram=channels.telegram, email=channels.email, now=NOW)
    assert (first.retried, first.unknown) == (1, 0)
    assert len(channels.chat(BUDI)) == 1
    [crashed] = await rows(db, Message, Message.idempotency_key == key)
    assert crashed.status == "sent" and crashed.provider_id
    later = NOW + dt.timedelta(minutes=5)
    second = await deliver_alerts(db, telegram=channels.telegram, email=channels.email, now=later)
    assert second.alerts == 1
    subjects = [m["Subject"] for m in channels.sink.messages]
    assert subjects.count("[Minta bicara dengan petugas] C001 · PT Maju Jaya") == 1
    mine = col(Message.idempotency_key).startswith(f"alert:{blocked}:")
    copies = {m.idempotency_key: m.status for m in await rows(db, Message, mine)}
    sid = team.staff["Sari"]
    assert copies == {f"alert:{blocked}:{sid}": "failed", f"alert:{blocked}:{sid}:email": "sent"}
    # An alert nobody can receive fails with a reason instead of waiting forever.
    async with db.transaction() as session:
        for s in (await session.exec(select(Staff))).all():
            s.active = s.name == "Dedi"
            session.add(s)
    lost = await queue(db, c002, "dispute")
    await deliver_alerts(db, telegram=channels.telegram, email=channels.email, now=later)
    [note] = await rows(db, Message, Message.id == lost)
    assert (note.status, note.error_code) == ("failed", "undeliverable")
    [held_note] = await rows(db, Message, Message.id == held)
    assert held_note.status == "sent"


async def test_alert_for_an_unreachable_collector_goes_to_the_admins(
    db: Database, channels: StaffChannels
) -> None:
    """Staff made by the customer import have no chat or email: their alerts reach the
    admins, saying for whom, until `update_staff` gives them a contact."""
    team = await seed(db)
    async with db.transaction() as session:
        dewi = Staff(name="Dewi", role="collector")  # as the customer import makes her
        session.add(dewi)
        await session.flush()
        c003 = await session.get(Customer, team.customers["C003"])
        assert c003 is not None and dewi.id is not None
        c003.collector_id = dewi.id
        session.add(c003)
    async with db.sessions() as session:
        team_now = list((await session.exec(select(Staff))).all())
    assert [s.name for s in unreachable_staff(team_now, {"telegram", "email"})] == ["Dewi"]
    # With Telegram not running, only Tono (email) can be reached.
    without_telegram = {s.name for s in unreachable_staff(team_now, {"email"})}
    assert without_telegram == {"Sari", "Budi", "Ani", "Rina", "Dewi"}

    first = await queue(db, team.customers["C003"], "handoff")
    stats = await deliver_alerts(db, telegram=channels.telegram, email=channels.email, now=NOW)
    assert (stats.alerts, stats.sent, stats.failed) == (1, 1, 1)
    [forwarded] = channels.chat(ANI)
    assert forwarded.splitlines()[0] == (
        "Diteruskan kepada Anda: peringatan ini tidak dapat sampai ke Dewi (tidak ada chat "
        "Telegram atau email yang berfungsi; `tagih staff update` memperbaikinya)."
    )
    assert forwarded.splitlines()[2] == "[Minta bicara dengan petugas] C003 · UD Berkah"
    [note] = await rows(db, Message, Message.id == first)
    assert note.status == "sent"

    async with db.transaction() as session:
        await update_staff(session, name="dewi", actor="cli", now=NOW, email="dewi@example.co.id")
    second = await queue(db, team.customers["C003"], "handoff")
    await deliver_alerts(db, telegram=channels.telegram, email=channels.email, now=NOW)
    [mail] = channels.sink.messages
    assert mail["To"].addresses[0].addr_spec == "dewi@example.co.id"
    assert len(channels.chat(ANI)) == 1  # nothing more forwarded
    [note] = await rows(db, Message, Message.id == second)
    assert note.status == "sent"
    [entry] = await rows(db, AuditLog, AuditLog.action == "staff.update")
    assert entry.entity_key == "Dewi"


async def test_a_restarted_telegram_sandbox_repeats_no_provider_id(
    db: Database, tmp_path: Path
) -> None:
    """Issue 12, point 8: a second `tagih send-due` (a new sandbox Bot API) numbered its
    messages from 1 again and crashed on `message.provider_id`'s uniqueness; its updates
    would have repeated update_ids, which the inbox drops as duplicates."""
    team = await seed(db)
    update_ids = []
    for run in range(2):
        clock = VirtualClock()
        sandbox = TelegramSandbox(SANDBOX_TOKEN, clock=clock)
        telegram = TelegramChannel(
            token=SANDBOX_TOKEN, api_base=await sandbox.start(), clock=clock, sleep=clock.sleep
        )
        await telegram.start()
        try:
            await queue(db, team.customers["C003"], "handoff")
            stats = await deliver_alerts(db, telegram=telegram, email=None, now=NOW)
            assert (stats.sent, stats.failed) == (1, 0), f"run {run}"
            update_ids.append(sandbox.state.updates.new("message", {})["update_id"])
        finally:
            await telegram.stop()
            await sandbox.stop()
    copies = await rows(db, Message, col(Message.template) == "alert:handoff")
    assert [c.status for c in copies] == ["sent", "sent"]
    assert len({c.provider_id for c in copies}) == 2
    assert update_ids[1] > update_ids[0]

    # Should a provider still repeat an id, the copy is recorded as sent without it: the
    # pass goes on and nothing is sent twice.
    clock = VirtualClock()
    sandbox = TelegramSandbox(SANDBOX_TOKEN, clock=clock)
    telegram = TelegramChannel(
        token=SANDBOX_TOKEN, api_base=await sandbox.start(), clock=clock, sleep=clock.sleep
    )
    await telegram.start()
    try:
        async with db.transaction() as session:
            taken = f"{SARI}:{sandbox.state.first_message_id}"
            # Started within the same tenth of a second as the run before, this sandbox
            # already repeats that run's id; else the id is taken here.
            held = select(Message.id).where(Message.provider_id == taken)
            if (await session.exec(held)).first() is None:
                session.add(Message(direction="out", channel="telegram", provider_id=taken))
        third = await queue(db, team.customers["C003"], "handoff")
        stats = await deliver_alerts(db, telegram=telegram, email=None, now=NOW)
        again = await deliver_alerts(db, telegram=telegram, email=None, now=NOW)
    finally:
        await telegram.stop()
        await sandbox.stop()
    assert (stats.sent, stats.failed, again.alerts, len(sandbox.sent)) == (1, 0, 0, 1)
    [copy] = await rows(
        db, Message, Message.idempotency_key == f"alert:{third}:{team.staff['Sari']}"
    )
    assert (copy.status, copy.provider_id) == ("sent", None)


async def press(db: Database, name: str, payload: str) -> str:
    async with db.transaction() as session:
        staff = (await session.exec(select(Staff).where(Staff.name == name))).one()
        return await handle_alert_button(session, staff=staff, payload=payload, now=NOW)


async def test_buttons(db: Database) -> None:
    team = await seed(db)
    c001 = team.customers["C001"]
    note = await queue(db, c001, "dispute")
    assert await press(db, "Sari", f"alert:handled:{note}") == "Tercatat: sudah ditangani."
    assert await press(db, "Sari", f"alert:handled:{note}") == "Peringatan ini sudah ditangani."
    [handled] = await rows(db, Message, Message.id == note)
    assert handled.status == "read"
    paused = await press(db, "Sari", "alert:pause7:C001")
    assert paused == "Pengingat untuk PT Maju Jaya ditunda sampai Senin, 30 November 2026."
    [customer] = await rows(db, Customer, Customer.id == c001)
    assert customer.paused_until == dt.date(2026, 11, 30)
    # A salesperson may read the log but not mark anything paid.
    refused = await press(db, "Budi", f"alert:paid:n{note}")
    assert refused == "Sorry, only a collector or an admin may do this."
    assert await press(db, "Budi", "alert:pause7:C001") == refused
    # An older button naming only the customer could pay invoices added since: refused.
    assert "/paid" in await press(db, "Ani", "alert:paid:C001")
    # An invoice imported after the alert is not the alert's to pay (found playing staff).
    async with db.transaction() as session:
        late = Invoice(
            customer_id=c001,
            number="INV-9",
            issue_date=dt.date(2026, 11, 22),
            due_date=dt.date(2026, 12, 22),
            amount=Decimal(9_000_000),
            balance=Decimal(9_000_000),
        )
        session.add(late)
    paid = await press(db, "Ani", f"alert:paid:n{note}")
    assert paid == "Dicatat lunas untuk PT Maju Jaya: INV-1 Rp5.000.000, INV-2 Rp1.000.000."
    invoices = await rows(db, Invoice, Invoice.customer_id == c001)
    assert {(i.number, i.status, i.balance) for i in invoices} == {
        ("INV-1", "paid", Decimal(0)),
        ("INV-2", "paid", Decimal(0)),
        ("INV-9", "open", Decimal(9_000_000)),
    }
    payments = await rows(db, Payment)
    assert sorted((p.reference, p.amount, p.source, p.paid_on) for p in payments) == [
        ("manual-INV-1-1", Decimal(5_000_000), "manual", dt.date(2026, 11, 23)),
        ("manual-INV-2-1", Decimal(1_000_000), "manual", dt.date(2026, 11, 23)),
    ]  # the references `tagih payment add` and `/paid` give: one operation for all three
    assert (
        await press(db, "Ani", f"alert:paid:n{note}") == "PT Maju Jaya tidak punya faktur terbuka."
    )
    log = await press(db, "Budi", "alert:log:C001")
    lines = log.splitlines()
    assert lines[0] == "C001 · PT Maju Jaya" and len(lines) == 7
    assert "23/11 10:00 audit Ani: customer.marked_paid" in log
    assert "23/11 10:00 payment manual: manual-" in log
    audits = [a.action for a in await rows(db, AuditLog)]
    assert audits == [
        "alert.handled",
        "customer.pause",
        "invoice.paid",
        "invoice.paid",
        "customer.marked_paid",
    ]
    assert await press(db, "Sari", "alert:explode:C001") == "Tombol ini tidak dikenal."
    assert await press(db, "Sari", "alert:log:NOPE") == "Pelanggan tidak ditemukan."
    # A code too long for Telegram's 64-byte callback data travels as the customer's id.
    assert customer_ref("X" * 60, 7) == "#7"
    assert (await press(db, "Sari", f"alert:log:#{c001}")).startswith("C001 · PT Maju Jaya")
    # What the router calls with the pressing chat: staff get an answer, strangers None.
    async with db.transaction() as session:
        stranger = await answer_alert_press(
            session, telegram_user_id=1234, payload="alert:log:C001", now=NOW
        )
        sari = await answer_alert_press(
            session, telegram_user_id=SARI, payload="alert:pause7:C001", now=NOW
        )
    assert stranger is None and sari is not None and sari.startswith("Pengingat untuk")


async def test_escalation_steps_queue_alerts_and_hold_credit(db: Database) -> None:
    team = await seed(db)
    c001 = team.customers["C001"]
    async with db.transaction() as session:
        followup = FollowUp(customer_id=c001, local_date=dt.date(2026, 11, 23), planned_at=NOW)
        session.add(followup)
        await session.flush()
        assert followup.id is not None
        for invoice in await session.exec(select(Invoice).where(Invoice.customer_id == c001)):
            assert invoice.id is not None
            offset = (dt.date(2026, 11, 23) - invoice.due_date).days
            link = FollowUpInvoice(followup_id=followup.id, invoice_id=invoice.id, offset_days=0)
            link.offset_days = offset
            session.add(link)
    actions = ["remind", "alert_collector", "alert_sales", "credit_hold"]
    for _ in range(2):  # a retried send queues nothing more
        async with db.transaction() as session:
            await queue_escalations(session, followup=followup, actions=actions, now=NOW)
    notes = await rows(db, Message, Message.channel == "alert")
    assert sorted((n.template, n.body) for n in notes) == [
        ("alert_sales", "eskalasi ke sales (23 November 2026): INV-1 +13, INV-2 +3"),
        ("call_task", "tugas telepon (23 November 2026): INV-1 +13, INV-2 +3"),
        ("credit_hold", "kredit ditahan (23 November 2026): INV-1 +13, INV-2 +3"),
    ]
    [customer] = await rows(db, Customer, Customer.id == c001)
    assert customer.credit_hold
    [entry] = await rows(db, AuditLog)
    assert (entry.actor, entry.action, entry.entity_key, entry.after) == (
        "scheduler",
        "customer.credit_hold",
        "C001",
        {"credit_hold": True},
    )


async def test_mark_paid_with_nothing_to_pay_and_forged_ids(db: Database) -> None:
    """An alert raised while the customer had no invoice says so (not "outdated"); an id
    too large for PostgreSQL's integer is an unknown button, not a database error."""
    await seed(db)
    async with db.transaction() as session:
        bare = Customer(code="C900", name="PT Tanpa Faktur")
        session.add(bare)
        await session.flush()
        assert bare.id is not None
        bare_id = bare.id
    note = await queue(db, bare_id, "dispute")
    assert "tidak punya faktur terbuka" in await press(db, "Ani", f"alert:paid:n{note}")
    for forged in (
        "alert:paid:n99999999999999",
        "alert:handled:99999999999999",
        "alert:log:#9" * 1,
    ):
        answer = await press(db, "Ani", forged)
        assert answer  # answered, no exception from the database
