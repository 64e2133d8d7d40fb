"""Read the calendar's inputs from the database, a batch of customers at a time."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Collection, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, String, cast, literal
from sqlalchemy import select as sa_select
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.calendar import CustomerView, InvoiceView
from scheduler.policy import PolicySpec
from storage.enums import ChannelKind, FollowUpStatus, InvoiceStatus, PromiseStatus
from storage.models import (
    Contact,
    Customer,
    FollowUp,
    Invoice,
    Promise,
    PromiseInvoice,
    table_of,
)

CHASED_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED)
#: Follow-ups that count as a contact made (for the frequency cap and catch-up cursor).
CONTACTED = (FollowUpStatus.SENT, FollowUpStatus.CLAIMED)
#: Follow-ups the dispatcher acted on: days up to the latest of them are history, not plan.
ATTEMPTED = (
    FollowUpStatus.SENT,
    FollowUpStatus.CLAIMED,
    FollowUpStatus.SKIPPED,
    FollowUpStatus.FAILED,
)


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
) -> tuple[dict[int, list[dt.date]], dict[int, dt.date]]:
    """Per customer: days contacted since `since`, and the anchor (last attempted day).

    The anchor is the latest local day the dispatcher acted on (sent, claimed, skipped or
    failed). The planner owns every day after it, so re-planning never moves it.
    """
    rows = (
        await session.exec(
            select(col(FollowUp.customer_id), col(FollowUp.local_date), col(FollowUp.status)).where(
                col(FollowUp.customer_id).in_(customer_ids),
                col(FollowUp.local_date) >= since,
                col(FollowUp.status).in_(CONTACTED),
            )
        )
    ).all()
    contacted: dict[int, list[dt.date]] = {}
    for customer_id, day, _status in rows:
        contacted.setdefault(customer_id, []).append(day)
    anchors = (
        await session.exec(
            select(FollowUp.customer_id, func.max(FollowUp.local_date))
            .where(
                col(FollowUp.customer_id).in_(customer_ids),
                col(FollowUp.status).in_(ATTEMPTED),
            )
            .group_by(col(FollowUp.customer_id))
        )
    ).all()
    return contacted, dict(anchors)


def _grouped(rows: Iterable[Row[tuple[int, str | None]]]) -> dict[int, str]:
    """Aggregated strings per customer, items sorted (SQL aggregates have no stable order)."""
    return {cid: ",".join(sorted((text or "").split(","))) for cid, text in rows}


async def plan_fingerprints(
    session: AsyncSession,
    *,
    now: dt.datetime,
    inputs_key: str,
    only: Collection[int] | None = None,
) -> dict[int, tuple[str, str | None]]:
    """(fresh fingerprint, stored plan key) of every customer that owes or has planned rows.

    A fingerprint digests everything a customer's plan is computed from — the pass's
    inputs, the local day, the anchor, the open invoices, open promises, contacts and the
    customer's own settings — in a handful of aggregate queries, so an hourly pass finds
    the few customers whose plan may change without loading anyone's calendar.
    """
    conn = await session.connection()
    inv, prom, link = table_of(Invoice).c, table_of(Promise).c, table_of(PromiseInvoice).c
    con, cus, fol = table_of(Contact).c, table_of(Customer).c, table_of(FollowUp).c
    sep = literal(":")

    def agg(*parts: ColumnElement[Any]) -> ColumnElement[str]:
        pieces: ColumnElement[Any] = cast(parts[0], String)
        for part in parts[1:]:
            pieces = pieces.concat(sep).concat(cast(part, String))
        return func.aggregate_strings(pieces, ",")

    def scoped(query: Select[Any], column: ColumnElement[int]) -> Select[Any]:
        return query if only is None else query.where(column.in_(list(only)))

    invoices = _grouped(
        await conn.execute(
            scoped(
                sa_select(inv.customer_id, agg(inv.id, inv.due_date, inv.balance, inv.status))
                .where(inv.status.in_(CHASED_STATUSES), inv.balance > 0)
                .group_by(inv.customer_id),
                inv.customer_id,
            )
        )
    )
    promises = _grouped(
        await conn.execute(
            scoped(
                sa_select(
                    prom.customer_id,
                    agg(prom.id, prom.promised_date, func.coalesce(link.invoice_id, 0)),
                )
                .select_from(table_of(Promise).outerjoin(table_of(PromiseInvoice)))
                .where(prom.status == PromiseStatus.OPEN)
                .group_by(prom.customer_id),
                prom.customer_id,
            )
        )
    )
    contacts = _grouped(
        await conn.execute(
            scoped(
                sa_select(
                    con.customer_id,
                    agg(con.channel, con.consent, con.opted_out_at.is_(None)),
                ).group_by(con.customer_id),
                con.customer_id,
            )
        )
    )
    anchors: dict[int, dt.date] = {
        cid: day
        for cid, day in await conn.execute(
            scoped(
                sa_select(fol.customer_id, func.max(fol.local_date))
                .where(fol.status.in_(ATTEMPTED))
                .group_by(fol.customer_id),
                fol.customer_id,
            )
        )
    }
    planned = set(
        (
            await conn.execute(
                scoped(
                    sa_select(fol.customer_id)
                    .where(fol.status == FollowUpStatus.PLANNED)
                    .distinct(),
                    fol.customer_id,
                )
            )
        ).scalars()
    )
    wanted = set(invoices) | planned
    customers = (
        await conn.execute(
            scoped(
                sa_select(cus.id, cus.timezone, cus.policy_id, cus.paused_until, cus.plan_key),
                cus.id,
            )
        )
    ).all()
    result: dict[int, tuple[str, str | None]] = {}
    zones: dict[str, ZoneInfo] = {}
    for cid, zone_name, policy_id, paused, stored in customers:
        if cid not in wanted:
            continue
        zone = zones.get(zone_name) or zones.setdefault(zone_name, ZoneInfo(zone_name))
        material = "|".join(
            (
                inputs_key,
                now.astimezone(zone).date().isoformat(),
                str(anchors.get(cid)),
                f"{zone_name};{policy_id};{paused}",
                invoices.get(cid, ""),
                promises.get(cid, ""),
                contacts.get(cid, ""),
            )
        )
        result[cid] = (hashlib.sha256(material.encode()).hexdigest()[:32], stored)
    return result
