"""Who is on the team and who collects from (or sells to) whom: reads of the Staff table."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import Role
from storage.models import Customer, Invoice, Staff


async def find_staff(session: AsyncSession, *, name: str) -> Staff | None:
    """The staff member with this name (any case), active or not."""
    query = select(Staff).where(func.lower(Staff.name) == name.strip().lower())
    return (await session.exec(query)).first()


async def staff_by_telegram(
    session: AsyncSession, *, telegram_user_id: int, include_removed: bool = False
) -> Staff | None:
    """The active staff member (or anyone, removed or not) whose Telegram chat this is."""
    query = select(Staff).where(Staff.telegram_user_id == telegram_user_id)
    if not include_removed:
        query = query.where(col(Staff.active))
    return (await session.exec(query)).first()


def alert_channels_of(staff: Staff, channels: Collection[str]) -> list[str]:
    """The channels among `channels` on which alerts can reach this staff member."""
    usable = []
    if staff.telegram_user_id is not None and "telegram" in channels:
        usable.append("telegram")
    if staff.email and "email" in channels:
        usable.append("email")
    return usable


def unreachable_staff(team: Sequence[Staff], channels: Collection[str]) -> list[Staff]:
    """Active staff whom no alert can reach: no bound Telegram chat, no email (among
    `channels`, the open alert channels)."""
    return [s for s in team if s.active and not alert_channels_of(s, channels)]


async def list_staff(session: AsyncSession, *, include_removed: bool = False) -> list[Staff]:
    """The team by role, then name."""
    query = select(Staff)
    if not include_removed:
        query = query.where(col(Staff.active))
    rows = (await session.exec(query.order_by(col(Staff.role), col(Staff.name)))).all()
    return list(rows)


def pick_collectors(customer: Customer, team: Sequence[Staff]) -> list[Staff]:
    """Who collects from this customer: its own collector (or admin) when active, else every
    collector, else (a team without collectors) every admin."""
    collecting = [s for s in team if can_collect(s)]
    own = [s for s in collecting if s.id == customer.collector_id]
    if own:
        return own
    pool = [s for s in collecting if s.role == Role.COLLECTOR]
    return pool or [s for s in collecting if s.role == Role.ADMIN]


async def collectors_for(session: AsyncSession, *, customer: Customer) -> list[Staff]:
    """The staff who collect from this customer (see `pick_collectors`)."""
    return pick_collectors(customer, await list_staff(session))


async def salesperson_for(session: AsyncSession, *, customer: Customer) -> Staff | None:
    """The customer's salesperson, when set and still on the team."""
    if customer.salesperson_id is None:
        return None
    staff = await session.get(Staff, customer.salesperson_id)
    return staff if staff is not None and staff.active else None


async def customers_of_collector(session: AsyncSession, *, staff: Staff) -> list[Customer]:
    """The customers whose alerts reach this staff member as collector, by code."""
    team = await list_staff(session)
    customers = (await session.exec(select(Customer).order_by(col(Customer.code)))).all()
    return [c for c in customers if any(s.id == staff.id for s in pick_collectors(c, team))]


def can_collect(staff: Staff) -> bool:
    """True for collectors and admins: an admin may also collect."""
    return staff.active and staff.role in (Role.COLLECTOR, Role.ADMIN)


async def named_collectors(session: AsyncSession) -> set[int]:
    """The ids of the staff named as collector of some customer."""
    rows = (await session.exec(select(Customer.collector_id))).all()
    return {i for i in rows if i is not None}


async def named_salespeople(session: AsyncSession) -> set[int]:
    """The ids of the staff named as salesperson of some customer or invoice."""
    by_customer = (await session.exec(select(Customer.salesperson_id))).all()
    by_invoice = (await session.exec(select(Invoice.salesperson_id).distinct())).all()
    return {i for i in (*by_customer, *by_invoice) if i is not None}
