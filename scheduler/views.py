"""Read the calendar's inputs from the database, a batch of customers at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.calendar import CustomerView, InvoiceView
from scheduler.policy import PolicySpec
from storage.enums import ChannelKind, FollowUpStatus, InvoiceStatus, PromiseStatus
from storage.models import Contact, Customer, FollowUp, Invoice, Promise, PromiseInvoice

CHASED_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED)
#: Follow-ups that count as a contact made (for the frequency cap and catch-up cursor).
CONTACTED = (FollowUpStatus.SENT, FollowUpStatus.CLAIMED)


@dataclass(frozen=True, slots=True)
class PlanningInputs:
    """Shared inputs of one planning or preview pass."""

    policies: dict[int, PolicySpec]
    default_policy_id: int
    enabled_channels: frozenset[str]
    grace_days: int


async def customer_ids_with_open_invoices(
    session: AsyncSession, *, batch_size: int = 500, only: Collection[int] | None = None
) -> AsyncIterator[list[int]]:
    """Ids of customers owing money, in ascending batches (keyset pagination)."""
    after = 0
    while True:
        query = (
            select(Invoice.customer_id)
            .where(
                col(Invoice.status).in_(CHASED_STATUSES),
                col(Invoice.balance) > 0,
                col(Invoice.customer_id) > after,
            )
            .group_by(col(Invoice.customer_id))
            .order_by(col(Invoice.customer_id))
            .limit(batch_size)
        )
        if only is not None:
            query = query.where(col(Invoice.customer_id).in_(list(only)))
        ids = list((await session.exec(query)).all())
        if not ids:
            return
        yield ids
        after = ids[-1]


async def load_views(
    session: AsyncSession, *, customer_ids: list[int], inputs: PlanningInputs
) -> dict[int, CustomerView]:
    """Calendar views of the given customers."""
    customers = (
        await session.exec(select(Customer).where(col(Customer.id).in_(customer_ids)))
    ).all()
    invoices = (
        await session.exec(
            select(Invoice).where(
                col(Invoice.customer_id).in_(customer_ids),
                col(Invoice.status).in_(CHASED_STATUSES),
                col(Invoice.balance) > 0,
            )
        )
    ).all()
    promised = await promised_until(
        session, customer_ids=customer_ids, grace_days=inputs.grace_days
    )
    contacts = (
        await session.exec(select(Contact).where(col(Contact.customer_id).in_(customer_ids)))
    ).all()
    usable: dict[int, set[str]] = {}
    opted: dict[int, set[str]] = {}
    for contact in contacts:
        if contact.channel not in inputs.enabled_channels:
            continue
        bucket = opted if contact.opted_out_at is not None or not contact.consent else usable
        bucket.setdefault(contact.customer_id, set()).add(contact.channel)
    by_customer: dict[int, list[InvoiceView]] = {}
    for inv in invoices:
        assert inv.id is not None
        until = promised.get(("invoice", inv.id)) or promised.get(("customer", inv.customer_id))
        by_customer.setdefault(inv.customer_id, []).append(
            InvoiceView(inv.id, inv.number, inv.due_date, inv.balance, inv.status, until)
        )
    views: dict[int, CustomerView] = {}
    for customer in customers:
        assert customer.id is not None
        channels = usable.get(customer.id, set())
        policy = inputs.policies.get(customer.policy_id or inputs.default_policy_id)
        views[customer.id] = CustomerView(
            id=customer.id,
            code=customer.code,
            zone=ZoneInfo(customer.timezone),
            policy=policy or inputs.policies[inputs.default_policy_id],
            invoices=tuple(by_customer.get(customer.id, ())),
            channels=frozenset(channels),
            opted_out=frozenset(opted.get(customer.id, set()) - channels),
            telegram_bound=ChannelKind.TELEGRAM in channels,
            paused_until=customer.paused_until,
        )
    return views


async def promised_until(
    session: AsyncSession, *, customer_ids: list[int], grace_days: int
) -> dict[tuple[str, int], dt.date]:
    """Last protected day per invoice (or per customer, for promises naming no invoice)."""
    rows = (
        await session.exec(
            select(Promise, PromiseInvoice.invoice_id)
            .join(PromiseInvoice, col(PromiseInvoice.promise_id) == col(Promise.id), isouter=True)
            .where(col(Promise.customer_id).in_(customer_ids), Promise.status == PromiseStatus.OPEN)
        )
    ).all()
    result: dict[tuple[str, int], dt.date] = {}
    for promise, invoice_id in rows:
        until = promise.promised_date + dt.timedelta(days=grace_days)
        key = (
            ("invoice", invoice_id) if invoice_id is not None else ("customer", promise.customer_id)
        )
        result[key] = max(until, result.get(key, until))
    return result


async def contact_history(
    session: AsyncSession, *, customer_ids: list[int], since: dt.date
) -> tuple[dict[int, list[dt.date]], dict[int, dt.date], dict[int, dt.date]]:
    """Per customer: days contacted since `since`, last planned day, oldest unsent past day."""
    rows = (
        await session.exec(
            select(col(FollowUp.customer_id), col(FollowUp.local_date), col(FollowUp.status)).where(
                col(FollowUp.customer_id).in_(customer_ids), col(FollowUp.local_date) >= since
            )
        )
    ).all()
    contacted: dict[int, list[dt.date]] = {}
    for customer_id, day, status in rows:
        if status in CONTACTED:
            contacted.setdefault(customer_id, []).append(day)
    cursor_rows = (
        await session.exec(
            select(FollowUp.customer_id, func.max(FollowUp.local_date))
            .where(col(FollowUp.customer_id).in_(customer_ids))
            .group_by(col(FollowUp.customer_id))
        )
    ).all()
    stale_rows = (
        await session.exec(
            select(FollowUp.customer_id, func.min(FollowUp.local_date))
            .where(
                col(FollowUp.customer_id).in_(customer_ids),
                FollowUp.status == FollowUpStatus.PLANNED,
            )
            .group_by(col(FollowUp.customer_id))
        )
    ).all()
    return contacted, dict(cursor_rows), dict(stale_rows)
