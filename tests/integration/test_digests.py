"""Digests: what a collector and a salesperson read on a fixed morning, and when they go."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import select

from bot.staff.digest_send import DigestKind, send_digests
from bot.staff.digests import collector_digest, sales_digest
from storage.db import Database
from storage.models import Case, Customer, Promise, Staff
from tests.support.staff_world import (
    BUDI,
    NOW,
    RINA,
    SARI,
    TONO_MAIL,
    StaffChannels,
    Team,
    channels,
    seed,
)

__all__ = ["channels"]  # the fixture, used by name


async def portfolio(db: Database) -> Team:
    """The team's world plus promises broken lately and long ago, cases old and new."""
    team = await seed(db)
    c001, c002, c003 = (team.customers[c] for c in ("C001", "C002", "C003"))
    async with db.transaction() as session:
        session.add_all(
            [
                Promise(
                    customer_id=c001,
                    promised_date=dt.date(2026, 11, 20),
                    amount=Decimal(1000000),
                    status="broken",
                    resolved_at=NOW - dt.timedelta(days=2),
                ),
                Promise(
                    customer_id=c003,
                    promised_date=dt.date(2026, 11, 1),
                    status="broken",
                    resolved_at=NOW - dt.timedelta(days=10),
                ),
                Case(
                    customer_id=c001,
                    kind="dispute",
                    reason="not_received",
                    created_at=NOW - dt.timedelta(hours=2),
                ),
                Case(customer_id=c003, kind="instalment", created_at=NOW - dt.timedelta(days=3)),
                Case(
                    customer_id=c002,
                    kind="payment_claim",
                    reason="verify",
                    data={"amount": "2000000", "paid_on": "2026-11-18"},
                    created_at=NOW - dt.timedelta(days=5),
                ),
                Case(customer_id=c001, kind="handoff", status="resolved", created_at=NOW),
            ]
        )
        held = await session.get(Customer, c002)
        assert held is not None
        held.credit_hold = True
        session.add(held)
    return team


async def staff(db: Database, name: str) -> Staff:
    async with db.sessions() as session:
        return (await session.exec(select(Staff).where(Staff.name == name))).one()


async def test_collector_digest(db: Database) -> None:
    await portfolio(db)
    async with db.sessions() as session:
        text = await collector_digest(session, staff=await staff(db, "Sari"), now=NOW)
    assert text == (
        "Ringkasan penagihan · Sari · Senin, 23 November 2026\n"
        "\n"
        "Janji bayar tidak ditepati (7 hari terakhir):\n"
        "C001 PT Maju Jaya: janji 20 November 2026 Rp1.000.000\n"
        "\n"
        "Sengketa dan permintaan baru (24 jam):\n"
        "C001 PT Maju Jaya: sengketa (not_received)\n"
        "\n"
        "Klaim pembayaran untuk dicek:\n"
        "C002 CV Sinar Abadi: klaim bayar Rp2.000.000 pada 18 November 2026\n"
        "\n"
        "10 saldo terlambat terbesar:\n"
        "1. C001 PT Maju Jaya: Rp6.000.000 (terlambat 13 hari)\n"
        "2. C003 UD Berkah: Rp3.000.000 (terlambat 83 hari)\n"
        "3. C002 CV Sinar Abadi: Rp2.000.000 (terlambat 53 hari)"
    )
    # Tono collects only C002, which has no collector of its own.
    async with db.sessions() as session:
        text = await collector_digest(session, staff=await staff(db, "Tono"), now=NOW)
    assert text.splitlines()[2:4] == ["Broken promises (last 7 days):", "— none"]
    assert text.splitlines()[-1] == "1. C002 CV Sinar Abadi: Rp2,000,000 (53 days late)"


async def test_sales_digest(db: Database) -> None:
    await portfolio(db)
    async with db.sessions() as session:
        text = await sales_digest(session, staff=await staff(db, "Budi"), now=NOW)
    assert text == (
        "Sales digest · Budi · Monday, 23 November 2026\n"
        "\n"
        "Customers more than 30 days late:\n"
        "C002 CV Sinar Abadi: Rp2,000,000 (53 days late)\n"
        "\n"
        "Credit holds:\n"
        "C002 CV Sinar Abadi\n"
        "\n"
        "Salespeople ranked by share over 60 days late:\n"
        "1. Budi: 0% of Rp8,000,000 ← you\n"
        "2. Rina: 100% of Rp3,000,000"
    )
    async with db.sessions() as session:
        text = await sales_digest(session, staff=await staff(db, "Rina"), now=NOW)
    assert text.splitlines()[3] == "C003 UD Berkah: Rp3.000.000 (terlambat 83 hari)"
    assert text.splitlines()[-1] == "2. Rina: 100% dari Rp3.000.000 ← Anda"


async def test_send_digests_once_a_day_after_the_hour(
    db: Database, channels: StaffChannels
) -> None:
    await portfolio(db)

    async def sent(now: dt.datetime, kind: DigestKind, weekday: int | None = None) -> int:
        stats = await send_digests(
            db,
            telegram=channels.telegram,
            email=channels.email,
            now=now,
            kind=kind,
            weekday=weekday,
        )
        return stats.sent

    early = NOW - dt.timedelta(hours=2, minutes=30)  # 07:30 WIB
    assert await sent(early, "collector") == 0
    assert await sent(NOW, "collector") == 2  # Sari on Telegram, Tono by email; not Ani
    assert channels.chat(SARI)[0].startswith("Ringkasan penagihan · Sari")
    [mail] = channels.sink.messages
    assert mail["To"].addresses[0].addr_spec == TONO_MAIL
    assert mail["Subject"] == "Collections digest · Tono · Monday, 23 November 2026"
    later = NOW + dt.timedelta(hours=3)
    assert await sent(later, "collector") == 0
    # Weekly: the sales digest goes on its day only (Monday here), once.
    assert await sent(NOW, "sales", weekday=1) == 0
    assert await sent(NOW, "sales", weekday=0) == 2
    assert await sent(later, "sales", weekday=0) == 0
    assert channels.chat(BUDI)[0].startswith("Sales digest · Budi")
    assert channels.chat(RINA)[0].startswith("Ringkasan sales · Rina")
