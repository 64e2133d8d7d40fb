"""A dispatch tick costs what is due, not the size of the portfolio.

Two SQLite databases hold the same 50 due follow-ups among 1,000 or 100,000 planned
ones (future days of 1,000 customers). The tick — claim by the (status, planned_at)
index, re-check, render, send to a loopback SMTP sink, record — is timed on both;
the naive baseline loads every planned row and filters in Python, as a scheduler
keeping its queue in memory would after a restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlmodel import insert, select

from bench.common import Report
from bot.app.tagih import Tagih
from bot.config import load_settings
from bot.sandbox.smtp import SmtpSink
from storage.enums import FollowUpStatus
from storage.models import Contact, Customer, FollowUp, FollowUpInvoice, Invoice, utcnow

CUSTOMERS = 1_000
DUE = 50
SIZES = (1_000, 100_000)
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # 10:00 WIB, a Monday


async def _fill(app: Tagih, planned: int) -> None:
    """Customers, the due follow-ups (with invoices and contacts) and `planned` future ones."""
    stamp = utcnow()
    async with app.db.transaction() as session:
        await session.exec(
            insert(Customer),
            params=[  # type: ignore[call-overload]
                {
                    "id": n + 1,
                    "code": f"C{n:05d}",
                    "name": f"PT Pelanggan {n}",
                    "segment": "",
                    "language": "id",
                    "timezone": "Asia/Jakarta",
                    "credit_hold": False,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for n in range(CUSTOMERS)
            ],
        )
        await session.exec(
            insert(Contact),
            params=[  # type: ignore[call-overload]
                {
                    "customer_id": n + 1,
                    "channel": "email",
                    "address": f"ar{n}@pelanggan.example",
                    "consent": True,
                    "verified": False,
                    "created_at": stamp,
                }
                for n in range(DUE)
            ],
        )
        await session.exec(
            insert(Invoice),
            params=[  # type: ignore[call-overload]
                {
                    "id": n + 1,
                    "number": f"INV-{n}",
                    "customer_id": n + 1,
                    "issue_date": dt.date(2026, 10, 22),
                    "due_date": dt.date(2026, 11, 22),
                    "currency": "IDR",
                    "amount": Decimal(5_000_000),
                    "balance": Decimal(5_000_000),
                    "item": "Semen",
                    "status": "open",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for n in range(DUE)
            ],
        )
        rows = [
            {
                "customer_id": n + 1,
                "local_date": dt.date(2026, 11, 23),
                "planned_at": NOW - dt.timedelta(hours=1),
            }
            for n in range(DUE)
        ]
        per_customer = planned // CUSTOMERS
        rows += [
            {
                "customer_id": n + 1,
                "local_date": dt.date(2026, 11, 24) + dt.timedelta(days=d),
                "planned_at": NOW + dt.timedelta(days=d + 1),
            }
            for n in range(CUSTOMERS)
            for d in range(per_customer)
        ]
        for chunk in range(0, len(rows), 10_000):
            await session.exec(
                insert(FollowUp),
                params=[  # type: ignore[call-overload]
                    {
                        **row,
                        "status": "planned",
                        "channels": ["email"],
                        "actions": ["remind"],
                        "template": "reminder",
                        "attempts": 0,
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                    for row in rows[chunk : chunk + 10_000]
                ],
            )
        await session.exec(
            insert(FollowUpInvoice),
            params=[  # type: ignore[call-overload]
                {"followup_id": n + 1, "invoice_id": n + 1, "offset_days": 1} for n in range(DUE)
            ],
        )


async def _measure(planned: int, folder: Path) -> tuple[float, float, int]:
    """Seconds for one tick, seconds for the naive scan, and mails received."""
    sink = SmtpSink(folder / "mail")
    host, port = await sink.start()
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'bench.db'}",
        smtp_host=host,
        smtp_port=port,
        smtp_starttls=False,
        load_examples=False,
    )
    app = Tagih(settings, worker="bench")
    await app.open()
    try:
        await _fill(app, planned)
        started = time.perf_counter()
        async with app.db.sessions() as session:
            everything = (
                await session.exec(
                    select(FollowUp).where(FollowUp.status == FollowUpStatus.PLANNED)
                )
            ).all()
            due = [row for row in everything if row.planned_at <= NOW]
        naive = time.perf_counter() - started
        assert len(due) == DUE
        dispatcher = await app.dispatcher()
        started = time.perf_counter()
        stats = await dispatcher.tick(NOW)
        tick = time.perf_counter() - started
        assert stats.sent == DUE, stats
        return tick, naive, len(sink.messages)
    finally:
        await app.close()
        await sink.stop()


def run() -> Report:
    """Time the tick and the naive scan at both portfolio sizes; report the ratios."""
    results = {}
    for size in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            results[size] = asyncio.run(_measure(size, Path(folder)))
    report = Report("tick_scaling", f"a tick costs what is due ({DUE} due), not the portfolio")
    for size in SIZES:
        tick, naive, mails = results[size]
        report.raw[str(size)] = {"tick_s": tick, "naive_scan_s": naive, "mails": mails}
        report.add(f"tick_ms_{size}", f"tick, {size:,} planned rows", tick * 1000, "ms")
        report.add(
            f"scan_ms_{size}", f"baseline: scan all planned, {size:,} rows", naive * 1000, "ms"
        )
    small, large = (results[size] for size in SIZES)
    report.add(
        "tick_ratio", f"tick {SIZES[1]:,} / {SIZES[0]:,} planned rows", large[0] / small[0], "x"
    )
    report.add("scan_ratio", "baseline scan ratio", large[1] / small[1], "x")
    return report
