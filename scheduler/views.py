"""Read the calendar's inputs from the database, a batch of customers at a time."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Result,
    Row,
    Select,
    String,
    cast,
    literal,
    type_coerce,
)
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection
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
from storage.types import MONEY_SCALE

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


def among(column: ColumnElement[int], ids: Collection[int]) -> ColumnElement[bool]:
    """`column IN ids`, or a range holding them when they are dense; callers filter.

    A pass plans batches of consecutive customers: one range is one index range scan and
    two parameters, where IN binds, renders and probes a parameter per id. At most half
    of a range lies outside `ids`, so a range reads at most twice the rows.
    """
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return column.between(low, high)
    return column.in_(list(ids))


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
    # Core row tuples, not ORM entities: hydrating Customer/Invoice/Contact objects cost
    # more than the calendar itself in a cold pass.
    conn = await session.connection()
    cus, inv, con = table_of(Customer).c, table_of(Invoice).c, table_of(Contact).c
    wanted = set(customer_ids)
    customers = await conn.execute(
        sa_select(cus.id, cus.code, cus.timezone, cus.policy_id, cus.paused_until).where(
            among(cus.id, wanted)
        )
    )
    invoices = await conn.execute(
        sa_select(
            inv.customer_id,
            inv.id,
            inv.number,
            inv.due_date,
            # Hundredths as stored (Money's format): one Decimal multiplication per row here
            # costs a fraction of the type's per-row conversion.
            type_coerce(inv.balance, BigInteger),
            inv.status,
        ).where(
            among(inv.customer_id, wanted),
            inv.status.in_(CHASED_STATUSES),
            inv.balance > 0,
        )
    )
    promised = await promised_until(
        session, customer_ids=customer_ids, grace_days=inputs.grace_days
    )
    contacts = await conn.execute(
        sa_select(con.customer_id, con.channel, con.consent, con.opted_out_at.is_(None)).where(
            among(con.customer_id, wanted)
        )
    )
    usable, opted = _channels_by_customer(contacts, wanted, inputs.enabled_channels)
    by_customer = _invoice_views(invoices, wanted, promised)
    return _customer_views(customers, wanted, inputs, usable, opted, by_customer)


def _channels_by_customer(
    contacts: Result[Any], wanted: set[int], enabled: frozenset[str]
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Enabled channels per customer: those with a usable contact, and those opted out."""
    usable: dict[int, set[str]] = {}
    opted: dict[int, set[str]] = {}
    for customer_id, channel, consent, opted_in in contacts:
        if channel not in enabled or customer_id not in wanted:
            continue
        bucket = usable if consent and opted_in else opted
        bucket.setdefault(customer_id, set()).add(channel)
    return usable, opted


def _invoice_views(
    invoices: Result[Any], wanted: set[int], promised: dict[tuple[str, int], dt.date]
) -> dict[int, list[InvoiceView]]:
    """Each customer's chased invoices, with the last day an open promise protects."""
    by_customer: dict[int, list[InvoiceView]] = {}
    for customer_id, invoice_id, number, due_date, hundredths, status in invoices:
        if customer_id not in wanted:
            continue
        balance = Decimal(hundredths) * MONEY_SCALE
        until = (
            promised.get(("invoice", invoice_id)) or promised.get(("customer", customer_id))
            if promised
            else None
        )
        by_customer.setdefault(customer_id, []).append(
            InvoiceView(invoice_id, number, due_date, balance, status, until)
        )
    return by_customer


def _customer_views(
    customers: Result[Any],
    wanted: set[int],
    inputs: PlanningInputs,
    usable: dict[int, set[str]],
    opted: dict[int, set[str]],
    by_customer: dict[int, list[InvoiceView]],
) -> dict[int, CustomerView]:
    """One view per wanted customer row, from its invoices and channels."""
    views: dict[int, CustomerView] = {}
    default = inputs.policies[inputs.default_policy_id]
    no_channels: frozenset[str] = frozenset()
    for customer_id, code, zone_name, policy_id, paused_until in customers:
        if customer_id not in wanted:
            continue
        channels = frozenset(usable.get(customer_id, no_channels))
        views[customer_id] = CustomerView(
            id=customer_id,
            code=code,
            zone=_zone(zone_name),
            policy=inputs.policies.get(policy_id or inputs.default_policy_id) or default,
            invoices=tuple(by_customer.get(customer_id, ())),
            channels=channels,
            opted_out=frozenset(opted[customer_id]) - channels
            if customer_id in opted
            else no_channels,
            telegram_bound=ChannelKind.TELEGRAM in channels,
            paused_until=paused_until,
        )
    return views


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    """The time zone called `name` (a handful exist; asking ZoneInfo each time costs more)."""
    return ZoneInfo(name)


async def promised_until(
    session: AsyncSession, *, customer_ids: list[int], grace_days: int
) -> dict[tuple[str, int], dt.date]:
    """Last protected day per invoice (or per customer, for promises naming no invoice)."""
    prom, link = table_of(Promise).c, table_of(PromiseInvoice).c
    conn = await session.connection()
    wanted = set(customer_ids)
    rows = await conn.execute(
        sa_select(prom.customer_id, prom.promised_date, link.invoice_id)
        .select_from(table_of(Promise).outerjoin(table_of(PromiseInvoice)))
        .where(among(prom.customer_id, wanted), prom.status == PromiseStatus.OPEN)
    )
    grace = dt.timedelta(days=grace_days)
    result: dict[tuple[str, int], dt.date] = {}
    for customer_id, promised_date, invoice_id in rows:
        if customer_id not in wanted:
            continue
        until = promised_date + grace
        key = ("invoice", invoice_id) if invoice_id is not None else ("customer", customer_id)
        result[key] = max(until, result.get(key, until))
    return result


async def contact_history(
    session: AsyncSession, *, customer_ids: list[int], since: dt.date
) -> tuple[dict[int, list[dt.date]], dict[int, dt.date]]:
    """Per customer: days contacted since `since`, and the anchor (last attempted day).

    The anchor is the latest local day the dispatcher acted on (sent, claimed, skipped or
    failed). The planner owns every day after it, so re-planning never moves it.
    """
    fol = table_of(FollowUp).c
    conn = await session.connection()
    wanted = set(customer_ids)
    rows = await conn.execute(
        sa_select(fol.customer_id, fol.local_date).where(
            among(fol.customer_id, wanted),
            fol.local_date >= since,
            fol.status.in_(CONTACTED),
        )
    )
    contacted: dict[int, list[dt.date]] = {}
    for customer_id, day in rows:
        if customer_id in wanted:
            contacted.setdefault(customer_id, []).append(day)
    anchors = await conn.execute(
        sa_select(fol.customer_id, func.max(fol.local_date))
        .where(among(fol.customer_id, wanted), fol.status.in_(ATTEMPTED))
        .group_by(fol.customer_id)
    )
    return contacted, {customer_id: day for customer_id, day in anchors if customer_id in wanted}


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
    invoices, promises, contacts = await _aggregated_inputs(conn, only)
    anchors, planned = await _anchors_and_planned(conn, only)
    cus = table_of(Customer).c
    wanted = set(invoices) | planned
    customers = (
        await conn.execute(
            _scoped(
                sa_select(cus.id, cus.timezone, cus.policy_id, cus.paused_until, cus.plan_key),
                cus.id,
                only,
            )
        )
    ).all()
    result: dict[int, tuple[str, str | None]] = {}
    for cid, zone_name, policy_id, paused, stored in customers:
        if cid not in wanted:
            continue
        zone = _zone(zone_name)
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


def _scoped(
    query: Select[Any], column: ColumnElement[int], only: Collection[int] | None
) -> Select[Any]:
    """`query`, limited to the customers in `only` when given."""
    return query if only is None else query.where(column.in_(list(only)))


async def _aggregated_inputs(
    conn: AsyncConnection, only: Collection[int] | None
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Per customer, one string each for open invoices, open promises and contacts."""
    inv, prom, link = table_of(Invoice).c, table_of(Promise).c, table_of(PromiseInvoice).c
    con = table_of(Contact).c
    sep = literal(":")

    def agg(*parts: ColumnElement[Any]) -> ColumnElement[str]:
        """The parts of each row, `:`-joined, aggregated into one `,`-joined string."""
        pieces: ColumnElement[Any] = cast(parts[0], String)
        for part in parts[1:]:
            pieces = pieces.concat(sep).concat(cast(part, String))
        return func.aggregate_strings(pieces, ",")

    invoices = _grouped(
        await conn.execute(
            _scoped(
                sa_select(inv.customer_id, agg(inv.id, inv.due_date, inv.balance, inv.status))
                .where(inv.status.in_(CHASED_STATUSES), inv.balance > 0)
                .group_by(inv.customer_id),
                inv.customer_id,
                only,
            )
        )
    )
    promises = _grouped(
        await conn.execute(
            _scoped(
                sa_select(
                    prom.customer_id,
                    agg(prom.id, prom.promised_date, func.coalesce(link.invoice_id, 0)),
                )
                .select_from(table_of(Promise).outerjoin(table_of(PromiseInvoice)))
                .where(prom.status == PromiseStatus.OPEN)
                .group_by(prom.customer_id),
                prom.customer_id,
                only,
            )
        )
    )
    contacts = _grouped(
        await conn.execute(
            _scoped(
                sa_select(
                    con.customer_id,
                    agg(con.channel, con.consent, con.opted_out_at.is_(None)),
                ).group_by(con.customer_id),
                con.customer_id,
                only,
            )
        )
    )
    return invoices, promises, contacts


async def _anchors_and_planned(
    conn: AsyncConnection, only: Collection[int] | None
) -> tuple[dict[int, dt.date], set[int]]:
    """Each customer's last attempted day, and the customers with planned follow-ups."""
    fol = table_of(FollowUp).c
    anchors: dict[int, dt.date] = {
        cid: day
        for cid, day in await conn.execute(
            _scoped(
                sa_select(fol.customer_id, func.max(fol.local_date))
                .where(fol.status.in_(ATTEMPTED))
                .group_by(fol.customer_id),
                fol.customer_id,
                only,
            )
        )
    }
    planned = set(
        (
            await conn.execute(
                _scoped(
                    sa_select(fol.customer_id)
                    .where(fol.status == FollowUpStatus.PLANNED)
                    .distinct(),
                    fol.customer_id,
                    only,
                )
            )
        ).scalars()
    )
    return anchors, planned
