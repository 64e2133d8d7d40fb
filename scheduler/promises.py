"""Promise checks: a promise whose date (plus grace) has passed is kept or broken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from storage.db import Database
from storage.enums import InvoiceStatus, PromiseStatus
from storage.models import AuditLog, Customer, Invoice, Promise, PromiseInvoice, utcnow


@dataclass
class PromiseStats:
    """What a promise check did."""

    kept: int = 0
    broken: int = 0


async def check_promises(db: Database, *, now: dt.datetime, grace_days: int) -> PromiseStats:
    """Close every open promise whose last protected day has passed in the customer's zone.

    Kept when every invoice it covers (every open invoice of the customer when it names
    none) has been paid; broken otherwise, which lets reminders resume.
    """
    stats = PromiseStats()
    # Coarse filter in SQL (no zone is more than a day ahead of UTC); exact check below.
    latest = now.date() + dt.timedelta(days=1) - dt.timedelta(days=grace_days + 1)
    async with db.transaction() as session:
        rows = (
            await session.exec(
                select(Promise, Customer.timezone)
                .join(Customer, col(Customer.id) == col(Promise.customer_id))
                .where(Promise.status == PromiseStatus.OPEN, col(Promise.promised_date) <= latest)
            )
        ).all()
        for promise, timezone in rows:
            today = now.astimezone(ZoneInfo(timezone)).date()
            if today <= promise.promised_date + dt.timedelta(days=grace_days):
                continue
            linked = (
                await session.exec(
                    select(Invoice)
                    .join(PromiseInvoice, col(PromiseInvoice.invoice_id) == col(Invoice.id))
                    .where(PromiseInvoice.promise_id == promise.id)
                )
            ).all()
            if not linked:
                linked = (
                    await session.exec(
                        select(Invoice).where(
                            Invoice.customer_id == promise.customer_id,
                            Invoice.status == InvoiceStatus.OPEN,
                        )
                    )
                ).all()
            paid = all(inv.balance <= 0 for inv in linked)
            promise.status = PromiseStatus.KEPT if paid else PromiseStatus.BROKEN
            promise.resolved_at = utcnow()
            session.add(promise)
            session.add(
                AuditLog(
                    actor="scheduler",
                    action=f"promise.{promise.status}",
                    entity="promise",
                    entity_key=str(promise.id),
                    before={"status": "open"},
                    after={"status": promise.status},
                )
            )
            if paid:
                stats.kept += 1
            else:
                stats.broken += 1
    return stats
