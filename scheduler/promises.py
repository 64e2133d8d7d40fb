"""Promise checks: a promise whose date (plus grace) has passed is kept or broken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.staff.alert_queue import queue_alert
from storage.db import Database
from storage.enums import InvoiceStatus, PromiseStatus
from storage.models import AuditLog, Customer, Invoice, Promise, PromiseInvoice


@dataclass
class PromiseStats:
    """What a promise check did."""

    kept: int = 0
    broken: int = 0


async def check_promises(db: Database, *, now: dt.datetime, grace_days: int) -> PromiseStats:
    """Settle open promises: kept once paid, broken once their date plus grace has passed.

    Kept as soon as every invoice a promise covers is paid; broken when its last protected
    day (in the customer's zone) has passed unpaid, which alerts the collector and lets
    reminders resume.
    """
    stats = PromiseStats()
    async with db.transaction() as session:
        # Open promises are few (one per customer at most): check each one.
        rows = (
            await session.exec(
                select(Promise, Customer.timezone)
                .join(Customer, col(Customer.id) == col(Promise.customer_id))
                .where(Promise.status == PromiseStatus.OPEN)
            )
        ).all()
        for promise, timezone in rows:
            today = now.astimezone(ZoneInfo(timezone)).date()
            due = today > promise.promised_date + dt.timedelta(days=grace_days)
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
            if not paid and not due:
                continue
            if paid:
                promise.status = PromiseStatus.KEPT
            elif promise.source == "claim":
                # A payment claim's pause simply ends: the collector was asked to verify it.
                promise.status = PromiseStatus.CANCELLED
            else:
                promise.status = PromiseStatus.BROKEN
                numbers = ", ".join(inv.number for inv in linked)
                await queue_alert(
                    session,
                    customer_id=promise.customer_id,
                    kind="promise_broken",
                    summary=f"promise broken: {numbers} not paid by {promise.promised_date}",
                    now=now,
                )
            promise.resolved_at = now
            session.add(promise)
            session.add(
                AuditLog(
                    at=now,
                    actor="scheduler",
                    action=f"promise.{promise.status}",
                    entity="promise",
                    entity_key=str(promise.id),
                    before={"status": "open"},
                    after={"status": promise.status},
                )
            )
            stats.kept += promise.status == PromiseStatus.KEPT
            stats.broken += promise.status == PromiseStatus.BROKEN
    return stats
