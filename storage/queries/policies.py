"""Reminder policies as rows: one by name, how many customers follow it, deleting steps or all.

Policies are read and written as specs (steps, repeat, window) by `scheduler.policy_store`,
and changed through the audited operations of `bot.staff.policies`.
"""

from __future__ import annotations

from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Customer, Policy, PolicyStep


async def find_policy(session: AsyncSession, *, name: str) -> Policy | None:
    """The policy called `name` (exactly), or None."""
    return (await session.exec(select(Policy).where(Policy.name == name))).first()


async def count_customers_on(session: AsyncSession, *, name: str, default: bool = False) -> int:
    """How many customers are put on the policy called `name`; with `default`, the
    customers on no policy too (they follow the default one)."""
    query = (
        select(func.count())
        .select_from(Customer)
        .join(Policy, col(Policy.id) == col(Customer.policy_id))
        .where(Policy.name == name)
    )
    count = (await session.exec(query)).one()
    if default:
        none = select(func.count()).select_from(Customer).where(col(Customer.policy_id).is_(None))
        count += (await session.exec(none)).one()
    return count


async def drop_steps(session: AsyncSession, *, policy_id: int | None) -> None:
    """Delete every step of the policy (to write new ones, or with the policy)."""
    await session.exec(delete(PolicyStep).where(col(PolicyStep.policy_id) == policy_id))


async def drop_policy(session: AsyncSession, *, policy: Policy) -> None:
    """Delete the policy and its steps (the caller made sure no customer follows it)."""
    await drop_steps(session, policy_id=policy.id)
    await session.delete(policy)
    await session.flush()
