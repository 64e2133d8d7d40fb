"""The audit trail: write one entry per change (who, what, before, after) and list them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditLog, Customer, Policy, Staff

#: The actor of changes made from the command line.
CLI_ACTOR = "cli"


def actor_of(staff: Staff) -> str:
    """How a staff member appears as the actor of an entry: their name."""
    return staff.name


def audit(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: dt.datetime,
    staff_id: int | None = None,
) -> AuditLog:
    """Add an audit entry to the caller's transaction (written with the change or not at all)."""
    entry = AuditLog(
        at=now,
        actor=actor,
        staff_id=staff_id,
        action=action,
        entity=entity,
        entity_key=entity_key,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


async def list_audit(
    session: AsyncSession, *, since: dt.datetime | None = None, limit: int = 500
) -> list[AuditLog]:
    """The latest `limit` entries at or after `since`, oldest first."""
    query = select(AuditLog)
    if since is not None:
        query = query.where(col(AuditLog.at) >= since)
    query = query.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(limit)
    rows = list((await session.exec(query)).all())
    rows.reverse()
    return rows


async def names_by_id(session: AsyncSession) -> dict[str, dict[int, str]]:
    """The names an audit entry's ids stand for, per table: `policy`, `staff`, `customer`
    (its code and name)."""
    return {
        "policy": {p.id: p.name for p in (await session.exec(select(Policy))).all() if p.id},
        "staff": {s.id: s.name for s in (await session.exec(select(Staff))).all() if s.id},
        "customer": {
            c.id: f"{c.code} {c.name}" for c in (await session.exec(select(Customer))).all() if c.id
        },
    }


def entry_json(entry: AuditLog, zone: ZoneInfo) -> dict[str, Any]:
    """A JSON-friendly entry, its time in the business zone."""
    return {
        "at": entry.at.astimezone(zone).isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_key": entry.entity_key,
        "before": entry.before,
        "after": entry.after,
    }
