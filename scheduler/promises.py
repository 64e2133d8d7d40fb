"""Promise checks: a promise whose date (plus grace) has passed is kept or broken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n.staff_texts import Day, StaffText, money_of, summary, text
from scheduler.alerts import queue_alert
from storage.db import Database
from storage.enums import InvoiceStatus, PromiseStatus
from storage.models import AuditLog, Customer, Invoice, Payment, Promise, PromiseInvoice


@dataclass
class PromiseStats:
    """What a promise check did."""

    kept: int = 0
    broken: int = 0


async def check_promises(db: Database, *, now: dt.datetime, grace_days: int) -> PromiseStats:
    """Settle open promises: kept once paid, broken once their date plus grace has passed.

    Kept as soon as every invoice a promise covers is paid, or, for a promise of an amount,
    once payments on those invoices dated from the day it was made add up to it; broken
    when its last protected day (in the customer's zone) has passed short of that, which
    alerts the collector and lets reminders resume.
    """
    stats = PromiseStats()
    async with db.transaction() as session:
        # Open promises are few (one per customer at most): check each one.
        query = (
            select(Promise, Customer.timezone)
            .join(Customer, col(Customer.id) == col(Promise.customer_id))
            .where(Promise.status == PromiseStatus.OPEN)
        )
        if not db.is_sqlite:
            # Two processes that both believe they lead (a handover) settle each promise
            # once: one alert per broken promise.
            query = query.with_for_update(of=Promise, skip_locked=True)
        rows = (await session.exec(query)).all()
        for promise, timezone in rows:
            today = now.astimezone(ZoneInfo(timezone)).date()
            due = today > promise.promised_date + dt.timedelta(days=grace_days)
            linked = await _covered_invoices(session, promise)
            paid, received = await _paid(session, promise, linked, timezone)
            if not paid and not due:
                continue
            if paid:
                promise.status = PromiseStatus.KEPT
            elif promise.source == "claim":
                # A payment claim's pause simply ends: the collector was asked to verify it.
                promise.status = PromiseStatus.CANCELLED
            else:
                promise.status = PromiseStatus.BROKEN
                await queue_alert(
                    session,
                    customer_id=promise.customer_id,
                    kind="promise_broken",
                    summary=summary(_broken_text(promise, linked, received)),
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


async def _covered_invoices(session: AsyncSession, promise: Promise) -> Sequence[Invoice]:
    """The invoices the promise names; one naming none covers the customer's open ones."""
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
    return linked


async def _paid(
    session: AsyncSession, promise: Promise, linked: Sequence[Invoice], timezone: str
) -> tuple[bool, Decimal]:
    """Whether the promise is met, and what was received towards its amount (if it has one).

    The payments are only summed for a promise of an amount on invoices not all paid yet.
    """
    paid = all(inv.balance <= 0 for inv in linked)
    received = Decimal(0)
    if promise.amount is not None and not paid:
        made = promise.created_at.astimezone(ZoneInfo(timezone)).date()
        received = (
            await session.exec(
                select(func.coalesce(func.sum(Payment.amount), 0)).where(
                    col(Payment.invoice_id).in_([inv.id for inv in linked]),
                    col(Payment.paid_on) >= made,
                )
            )
        ).one()
        received = Decimal(str(received))
        paid = received >= promise.amount
    return paid, received


def _broken_text(promise: Promise, linked: Sequence[Invoice], received: Decimal) -> StaffText:
    """The collector's alert for a broken promise: short of its amount, or unpaid."""
    numbers = ", ".join(inv.number for inv in linked)
    by = Day(promise.promised_date)
    said = text("alert.promise_broken", invoices=numbers or "-", date=by)
    if promise.amount is not None:
        # Promises carry no currency: the linked invoices' (the business's own).
        cur = linked[0].currency if linked else "IDR"
        said = text(
            "alert.promise_short",
            received=money_of(received, cur),
            amount=money_of(promise.amount, cur),
            invoices=numbers or "-",
            date=by,
        )
    return said
