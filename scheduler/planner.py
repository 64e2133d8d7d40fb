"""The planning pass: turn each owing customer's calendar into FollowUp rows (idempotent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.calendar import (
    FIRST_PLAN_LOOKBACK_DAYS,
    CustomerView,
    PlannedContact,
    catch_up,
    plan_customer,
)
from scheduler.views import (
    PlanningInputs,
    contact_history,
    customer_ids_with_open_invoices,
    load_views,
)
from scheduler.window import Window
from storage.db import Database
from storage.enums import FollowUpStatus, SkipReason
from storage.models import FollowUp, FollowUpInvoice, utcnow

#: Rows the planner may rewrite: nothing has been attempted for them yet.
REPLACEABLE = (FollowUpStatus.PLANNED, FollowUpStatus.SKIPPED)


@dataclass
class PlanStats:
    """What a planning pass did."""

    customers: int = 0
    planned: int = 0
    skipped: int = 0
    superseded: int = 0
    removed: int = 0


def plan_start(today: dt.date, cursor: dt.date | None, stale: dt.date | None) -> dt.date:
    """First day to (re)plan: after the last planned day, or the oldest unsent one."""
    floor = today - dt.timedelta(days=FIRST_PLAN_LOOKBACK_DAYS)
    first = cursor + dt.timedelta(days=1) if cursor is not None else floor
    if stale is not None:
        first = min(first, stale)
    return min(max(first, floor), today)


def customer_plan(
    view: CustomerView,
    window: Window,
    today: dt.date,
    horizon_days: int,
    *,
    cap: int,
    history: list[dt.date],
    cursor: dt.date | None,
    stale: dt.date | None,
) -> list[PlannedContact]:
    """The contacts of one customer from the last planned day through `today + horizon`."""
    first = plan_start(today, cursor, stale)
    last = today + dt.timedelta(days=horizon_days)
    earlier = [d for d in history if d < first]
    # Missed days were never contacted: planned on their own, they must not use up the
    # frequency cap of today and the days ahead.
    missed = (
        plan_customer(view, window, first, today - dt.timedelta(days=1), cap=cap, history=earlier)
        if first < today
        else []
    )
    ahead = plan_customer(view, window, today, last, cap=cap, history=earlier)
    return catch_up([*missed, *ahead], today, view.policy.window or window, view.zone)


async def _write(
    session: AsyncSession,
    customer_id: int,
    contacts: list[PlannedContact],
    today: dt.date,
    first: dt.date,
    stats: PlanStats,
) -> None:
    """Upsert this customer's rows from `first` on; a row already attempted is kept as is."""
    days = {c.day for c in contacts} | {d for c in contacts for d in c.superseded}
    existing = {
        row.local_date: row
        for row in (
            await session.exec(
                select(FollowUp).where(
                    FollowUp.customer_id == customer_id,
                    col(FollowUp.local_date) >= min(days | {first, today}),
                )
            )
        ).all()
    }
    now = utcnow()
    for contact in contacts:
        for day in contact.superseded:
            row = existing.get(day)
            if row is None:
                row = FollowUp(
                    customer_id=customer_id, local_date=day, planned_at=contact.planned_at
                )
            elif row.status not in REPLACEABLE:
                continue
            row.status, row.skip_reason, row.updated_at = (
                FollowUpStatus.SUPERSEDED,
                SkipReason.SUPERSEDED,
                now,
            )
            session.add(row)
            stats.superseded += 1
        row = existing.get(contact.day)
        if row is not None and row.status not in REPLACEABLE:
            continue
        row = row or FollowUp(
            customer_id=customer_id, local_date=contact.day, planned_at=contact.planned_at
        )
        row.planned_at = contact.planned_at
        row.channels, row.actions, row.template = (
            list(contact.channels),
            list(contact.actions),
            contact.template,
        )
        # Even a contact predicted to be skipped stays planned: the dispatcher re-checks
        # every row when it falls due and is the one place that records skips and their
        # side effects (a research case for a customer with no usable contact).
        row.status, row.skip_reason = FollowUpStatus.PLANNED, None
        row.updated_at = now
        session.add(row)
        await session.flush()
        assert row.id is not None
        await session.exec(
            delete(FollowUpInvoice).where(col(FollowUpInvoice.followup_id) == row.id)
        )
        for hit in contact.steps:
            session.add(
                FollowUpInvoice(
                    followup_id=row.id, invoice_id=hit.invoice_id, offset_days=hit.offset
                )
            )
        stats.skipped += bool(contact.skipped)
        stats.planned += not contact.skipped
    for day, row in existing.items():
        if day in days or row.status not in REPLACEABLE:
            continue
        if day >= today:  # no longer needed (paid, moved by a policy change...)
            await session.delete(row)
            stats.removed += 1
        else:  # missed while nobody sent it: catch-up folded it into today's contact
            row.status, row.skip_reason, row.updated_at = (
                FollowUpStatus.SUPERSEDED,
                SkipReason.SUPERSEDED,
                now,
            )
            session.add(row)
            stats.superseded += 1
    await session.flush()


async def plan_pass(
    db: Database,
    *,
    inputs: PlanningInputs,
    window: Window,
    now: dt.datetime,
    horizon_days: int = 2,
    cap: int = 3,
    batch_size: int = 200,
    only: Collection[int] | None = None,
) -> PlanStats:
    """Plan every owing customer (or `only` these) as of `now`; one transaction per batch."""
    stats = PlanStats()
    async with db.sessions() as reader:
        batches = [
            ids
            async for ids in customer_ids_with_open_invoices(
                reader, batch_size=batch_size, only=only
            )
        ]
    for ids in batches:
        async with db.transaction() as session:
            views = await load_views(session, customer_ids=ids, inputs=inputs)
            since = now.date() - dt.timedelta(days=FIRST_PLAN_LOOKBACK_DAYS + 14)
            history, cursors, stale = await contact_history(session, customer_ids=ids, since=since)
            for customer_id, view in views.items():
                today = now.astimezone(view.zone).date()
                contacts = customer_plan(
                    view,
                    window,
                    today,
                    horizon_days,
                    cap=cap,
                    history=history.get(customer_id, []),
                    cursor=cursors.get(customer_id),
                    stale=stale.get(customer_id),
                )
                first = plan_start(today, cursors.get(customer_id), stale.get(customer_id))
                await _write(session, customer_id, contacts, today, first, stats)
                stats.customers += 1
    return stats
