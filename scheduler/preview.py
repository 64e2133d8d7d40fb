"""What would go out on some local days, computed like the planner but written nowhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.calendar import PlannedContact
from scheduler.planner import customer_plan
from scheduler.views import (
    PlanningInputs,
    contact_history,
    customer_ids_with_open_invoices,
    load_views,
)
from scheduler.window import Window
from storage.db import Database


def contact_json(contact: PlannedContact) -> dict[str, Any]:
    """The JSON shape of `tagih preview --json` for one customer and day."""
    return {
        "customer": contact.customer,
        "date": contact.day.isoformat(),
        "planned_at": contact.planned_at.isoformat(),
        "steps": [{"invoice": hit.invoice, "offset": hit.offset} for hit in contact.steps],
        "channels": list(contact.channels),
        "actions": list(contact.actions),
        "invoices": list(contact.invoices),
        "skipped": contact.skipped.value if contact.skipped else None,
    }


async def preview(
    db: Database,
    *,
    inputs: PlanningInputs,
    window: Window,
    now: dt.datetime,
    first: dt.date,
    days: int,
    cap: int,
    batch_size: int = 500,
) -> list[PlannedContact]:
    """Contacts on local days [first, first + days) for every owing customer, by day."""
    async with db.sessions() as session:
        return await preview_in(
            session,
            inputs=inputs,
            window=window,
            now=now,
            first=first,
            days=days,
            cap=cap,
            batch_size=batch_size,
        )


async def preview_in(
    session: AsyncSession,
    *,
    inputs: PlanningInputs,
    window: Window,
    now: dt.datetime,
    first: dt.date,
    days: int,
    cap: int,
    batch_size: int = 500,
) -> list[PlannedContact]:
    """`preview` inside the caller's session (a chat command runs in its own transaction)."""
    last = first + dt.timedelta(days=days - 1)
    found: list[PlannedContact] = []
    batches = [ids async for ids in customer_ids_with_open_invoices(session, batch_size=batch_size)]
    for ids in batches:
        views = await load_views(session, customer_ids=ids, inputs=inputs)
        since = min(first, now.date()) - dt.timedelta(days=60)
        history, anchors = await contact_history(session, customer_ids=ids, since=since)
        for customer_id, view in views.items():
            today = now.astimezone(view.zone).date()
            horizon = max((last - today).days, 0)
            contacts = customer_plan(
                view,
                window,
                today,
                horizon,
                cap=cap,
                history=history.get(customer_id, []),
                anchor=anchors.get(customer_id),
            )
            # Shown in the customer's own zone: "09:00+08:00" reads better than UTC.
            found.extend(
                c._replace(planned_at=c.planned_at.astimezone(view.zone))
                for c in contacts
                if first <= c.day <= last
            )
    return sorted(found, key=lambda c: (c.day, c.customer))
