"""Everyone a conversation can be held with: customers with their contacts and next planned
contact, and the active staff; plus the inbound messages and logged bodies of their threads.

The sandbox inbox (bot/sandbox/inbox_page.py) draws its list and threads from these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import Direction, FollowUpStatus
from storage.models import Contact, Customer, FollowUp, Message, Staff

#: Where the list stops: the sandbox holds demo data, not a ledger of thousands.
MAX_PEOPLE = 500


@dataclass(frozen=True, slots=True)
class NextContact:
    """A customer's earliest planned follow-up."""

    at: dt.datetime
    local_date: dt.date
    channels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomerEntry:
    """One customer: who, their addresses per channel, and what is planned next."""

    customer: Customer
    contacts: dict[str, list[str]] = field(default_factory=dict)
    next_contact: NextContact | None = None


@dataclass(frozen=True, slots=True)
class People:
    """The customers (by code) and active staff (by name), each list in that order."""

    customers: list[CustomerEntry]
    staff: list[Staff]


async def everyone(session: AsyncSession, *, limit: int = MAX_PEOPLE) -> People:
    """Customers with their contacts and next planned contact, and the active staff."""
    customers = (
        await session.exec(select(Customer).order_by(col(Customer.code)).limit(limit))
    ).all()
    staff = (
        await session.exec(
            select(Staff).where(col(Staff.active)).order_by(col(Staff.role), col(Staff.name))
        )
    ).all()
    return People(customers=await customer_entries(session, customers=customers), staff=list(staff))


async def customer_entries(
    session: AsyncSession, *, customers: Sequence[Customer]
) -> list[CustomerEntry]:
    """Each customer with their addresses per channel and their next planned contact."""
    ids = [c.id for c in customers if c.id is not None]
    contacts: dict[int, dict[str, list[str]]] = {}
    if ids:
        rows = await session.exec(
            select(Contact)
            .where(col(Contact.customer_id).in_(ids))
            .order_by(col(Contact.channel), col(Contact.id))
        )
        for contact in rows.all():
            by_channel = contacts.setdefault(contact.customer_id, {})
            by_channel.setdefault(contact.channel, []).append(contact.address)
    planned = await _next_contacts(session, ids)
    return [
        CustomerEntry(c, contacts.get(c.id or 0, {}), planned.get(c.id or 0)) for c in customers
    ]


async def _next_contacts(session: AsyncSession, ids: list[int]) -> dict[int, NextContact]:
    """The earliest planned follow-up of each customer in `ids`."""
    if not ids:
        return {}
    first = (
        select(FollowUp.customer_id, func.min(FollowUp.planned_at).label("at"))
        .where(col(FollowUp.customer_id).in_(ids), FollowUp.status == FollowUpStatus.PLANNED)
        .group_by(col(FollowUp.customer_id))
        .subquery()
    )
    rows = await session.exec(
        select(FollowUp).join(
            first,
            (col(FollowUp.customer_id) == first.c.customer_id)
            & (col(FollowUp.planned_at) == first.c.at),
        )
    )
    found: dict[int, NextContact] = {}
    for followup in rows.all():
        if followup.status != FollowUpStatus.PLANNED or followup.customer_id in found:
            continue
        found[followup.customer_id] = NextContact(
            followup.planned_at, followup.local_date, tuple(followup.channels)
        )
    return found


async def inbound_messages(
    session: AsyncSession, *, channel: str, addresses: Collection[str], limit: int = 200
) -> list[Message]:
    """The last `limit` messages received on `channel` from any of `addresses`, oldest first."""
    if not addresses:
        return []
    rows = await session.exec(
        select(Message)
        .where(
            Message.direction == Direction.INBOUND,
            Message.channel == channel,
            col(Message.address).in_(list(addresses)),
        )
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(limit)
    )
    return list(reversed(rows.all()))


async def logged_bodies(session: AsyncSession, *, provider_ids: Collection[str]) -> dict[str, str]:
    """The logged body of each sent message by provider id (what a template rendered)."""
    if not provider_ids:
        return {}
    rows = await session.exec(
        select(Message.provider_id, Message.body).where(
            col(Message.provider_id).in_(list(provider_ids))
        )
    )
    return {pid: body for pid, body in rows.all() if pid is not None}
