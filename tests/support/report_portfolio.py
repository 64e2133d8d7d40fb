"""A fixed portfolio for the report tests, built through the models; as-of date 2026-03-31.

Staff: salespeople Budi and Citra, collectors Sari and Joko.

| customer | segment | sales | collector |
| --- | --- | --- | --- |
| C001 PT Sumber Rejeki | retail | Budi | Sari |
| C002 CV Maju Jaya | horeca | Citra | Sari |
| C003 UD Berkah | retail | Budi | Joko |
| C004 PT Global Niaga (USD) | export | Citra | Joko |
| C005 Toko Lancar | horeca | Citra | (none) |

Every figure the tests expect is derived, with its reason, in tests/integration/test_reports.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from storage.db import Database
from storage.models import (
    Customer,
    FollowUp,
    Invoice,
    Message,
    Payment,
    Promise,
    Staff,
)

AS_OF = dt.date(2026, 3, 31)
WIB = ZoneInfo("Asia/Jakarta")

STAFF = [("Budi", "sales"), ("Citra", "sales"), ("Sari", "collector"), ("Joko", "collector")]
# code, name, segment, salesperson, collector
CUSTOMERS = [
    ("C001", "PT Sumber Rejeki", "retail", "Budi", "Sari"),
    ("C002", "CV Maju Jaya", "horeca", "Citra", "Sari"),
    ("C003", "UD Berkah", "retail", "Budi", "Joko"),
    ("C004", "PT Global Niaga", "export", "Citra", "Joko"),
    ("C005", "Toko Lancar", "horeca", "Citra", None),
]
# number, customer, issued, due, currency, amount, item, invoice salesperson, status override
INVOICES: list[tuple[str, str, str, str, str, str, str, str | None, str | None]] = [
    ("INV-1", "C001", "2025-12-16", "2026-01-15", "IDR", "5000000", "Semen", None, None),
    ("INV-2", "C001", "2026-02-20", "2026-03-20", "IDR", "2000000", "Pasir", None, None),
    ("INV-3", "C001", "2026-03-10", "2026-04-09", "IDR", "3000000", "Semen", None, None),
    ("INV-P1", "C001", "2025-10-01", "2025-10-31", "IDR", "1000000", "Semen", None, None),
    ("INV-4", "C002", "2025-11-01", "2025-12-01", "IDR", "4000000", "Besi", "Budi", "disputed"),
    ("INV-5", "C002", "2026-01-05", "2026-02-04", "IDR", "2500000", "Pasir", None, None),
    ("INV-6", "C002", "2026-04-05", "2026-05-05", "IDR", "1000000", "Pasir", None, None),
    ("INV-P2", "C002", "2026-01-01", "2026-01-31", "IDR", "1000000", "Besi", None, None),
    ("INV-P3", "C002", "2025-09-01", "2025-10-01", "IDR", "1000000", "Besi", None, None),
    ("INV-7", "C003", "2025-10-15", "2025-11-14", "IDR", "6000000", "Semen", None, None),
    ("INV-8", "C003", "2025-06-01", "2025-07-01", "IDR", "3000000", "Semen", None, "written_off"),
    ("INV-9", "C003", "2026-01-20", "2026-01-30", "IDR", "1500000", "Besi", None, None),
    ("INV-10", "C005", "2026-01-02", "2026-02-01", "IDR", "800000", "Pasir", None, None),
    ("INV-11", "C005", "2026-02-01", "2026-03-03", "IDR", "800000", "Pasir", None, None),
    ("INV-12", "C005", "2026-02-15", "2026-03-17", "IDR", "800000", "Pasir", None, None),
    ("INV-13", "C005", "2026-03-20", "2026-04-19", "IDR", "1200000", "Pasir", None, None),
    ("INV-U1", "C004", "2026-01-10", "2026-02-09", "USD", "1250.50", "Kopi", None, None),
    ("INV-U2", "C004", "2025-12-01", "2025-12-31", "USD", "2000.00", "Kopi", None, None),
    ("INV-U3", "C004", "2026-03-05", "2026-04-04", "USD", "300.00", "Kopi", None, None),
]
# reference, invoice, amount, paid on (recorded the same day at 10:00 WIB)
PAYMENTS = [
    ("PAY-1", "INV-1", "1000000", "2026-04-02"),  # after the as-of date
    ("PAY-2", "INV-2", "500000", "2026-03-25"),
    ("PAY-3", "INV-P1", "1000000", "2025-11-20"),
    ("PAY-4", "INV-5", "500000", "2026-03-01"),
    ("PAY-5", "INV-P2", "600000", "2026-01-20"),
    ("PAY-6", "INV-P2", "400000", "2026-01-31"),
    ("PAY-7", "INV-P3", "1000000", "2025-12-10"),
    ("PAY-8", "INV-7", "1000000", "2026-02-10"),
    ("PAY-9", "INV-9", "1500000", "2026-04-10"),  # after the as-of date
    ("PAY-10", "INV-10", "800000", "2026-01-30"),
    ("PAY-11", "INV-11", "800000", "2026-03-03"),
    ("PAY-12", "INV-12", "800000", "2026-03-10"),
    ("PAY-13", "INV-U2", "500.00", "2026-03-15"),
]
# customer, created (WIB date), promised, status now, resolved (WIB date)
PROMISES: list[tuple[str, str, str, str, str | None]] = [
    ("C001", "2026-03-02", "2026-03-06", "kept", "2026-03-06"),
    ("C001", "2026-03-10", "2026-03-13", "broken", "2026-03-16"),
    ("C002", "2026-03-16", "2026-03-20", "broken", "2026-03-23"),
    ("C002", "2026-03-25", "2026-04-03", "open", None),
    ("C003", "2026-03-03", "2026-03-05", "kept", "2026-03-05"),
    ("C003", "2026-03-26", "2026-03-30", "broken", "2026-04-02"),  # settled after the date
    ("C005", "2026-04-01", "2026-04-03", "open", None),  # made after the date
    ("C004", "2026-02-10", "2026-02-20", "cancelled", "2026-02-11"),
]
# customer, direction, channel, status, at (UTC ISO), reminder?
MESSAGES = [
    ("C001", "out", "whatsapp", "read", "2026-03-02T02:00", True),  # M1
    ("C001", "in", "whatsapp", "received", "2026-03-02T05:00", False),  # reply to M1
    ("C001", "out", "email", "sent", "2026-03-20T02:00", True),  # M2
    ("C001", "in", "whatsapp", "received", "2026-03-21T03:00", False),  # not email
    ("C002", "out", "whatsapp", "delivered", "2026-03-10T02:00", True),  # M3
    ("C002", "out", "sms", "failed", "2026-03-10T02:00", True),  # M4
    ("C002", "in", "whatsapp", "received", "2026-03-14T03:00", False),  # 97 h after M3
    ("C003", "out", "whatsapp", "delivered", "2026-02-05T02:00", True),  # M5
    ("C003", "in", "whatsapp", "received", "2026-02-05T10:00", False),  # reply to M5
    ("C005", "out", "email", "delivered", "2026-03-01T01:00", True),  # M6
    ("C001", "out", "whatsapp", "sent", "2026-03-05T04:00", False),  # M7: a chat reply
    ("C001", "out", "whatsapp", "delivered", "2026-04-01T02:00", True),  # M8: after the date
    ("C001", "out", "whatsapp", "sent", "2026-03-30T02:00", True),  # M9
]


def day(text: str) -> dt.date:
    """An ISO date."""
    return dt.date.fromisoformat(text)


def wib(text: str, hour: int = 10) -> dt.datetime:
    """`hour` o'clock on an ISO date in Jakarta."""
    return dt.datetime.combine(day(text), dt.time(hour), tzinfo=WIB)


async def build_portfolio(db: Database) -> None:
    """Insert the whole portfolio in one transaction."""
    async with db.transaction() as session:
        staff = {name: Staff(name=name, role=role) for name, role in STAFF}
        session.add_all(staff.values())
        await session.flush()
        customers = {
            code: Customer(
                code=code,
                name=name,
                segment=segment,
                salesperson_id=staff[sales].id,
                collector_id=staff[collector].id if collector else None,
            )
            for code, name, segment, sales, collector in CUSTOMERS
        }
        session.add_all(customers.values())
        await session.flush()
        paid: dict[str, Decimal] = {}
        for _, number, amount, _ in PAYMENTS:
            paid[number] = paid.get(number, Decimal(0)) + Decimal(amount)
        invoices: dict[str, Invoice] = {}
        for number, code, issued, due, cur, amount, item, sales, status in INVOICES:
            balance = Decimal(amount) - paid.get(number, Decimal(0))
            invoices[number] = Invoice(
                number=number,
                customer_id=customers[code].id,
                issue_date=day(issued),
                due_date=day(due),
                currency=cur,
                amount=Decimal(amount),
                balance=balance,
                item=item,
                salesperson_id=staff[sales].id if sales else None,
                status=status or ("paid" if balance == 0 else "open"),
            )
        session.add_all(invoices.values())
        await session.flush()
        for reference, number, amount, on in PAYMENTS:
            session.add(
                Payment(
                    reference=reference,
                    invoice_id=invoices[number].id,
                    amount=Decimal(amount),
                    paid_on=day(on),
                    created_at=wib(on),
                )
            )
        for code, created, promised, status, resolved in PROMISES:
            session.add(
                Promise(
                    customer_id=customers[code].id,
                    promised_date=day(promised),
                    status=status,
                    created_at=wib(created),
                    resolved_at=wib(resolved, 18) if resolved else None,
                )
            )
        followups: dict[tuple[str, dt.date], FollowUp] = {}
        for code, direction, channel, status, at, reminder in MESSAGES:
            moment = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
            followup_id = None
            if reminder:
                key = (code, moment.astimezone(WIB).date())
                if key not in followups:
                    followups[key] = FollowUp(
                        customer_id=customers[code].id,
                        local_date=key[1],
                        planned_at=moment,
                        status="sent",
                    )
                    session.add(followups[key])
                    await session.flush()
                followup_id = followups[key].id
            session.add(
                Message(
                    customer_id=customers[code].id,
                    followup_id=followup_id,
                    direction=direction,
                    channel=channel,
                    status=status,
                    body="Pengingat tagihan" if direction == "out" else "ok",
                    created_at=moment,
                )
            )
