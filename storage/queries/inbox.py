"""The durable inbox's queries: keep a raw event, lease the next one of each conversation, settle.

A webhook calls `keep` (one short INSERT … ON CONFLICT DO NOTHING) and answers; a worker
calls `lease`, applies the event, and `settle`s it — inside the transaction that applied it
when it can. An event is leased only when no older event of its conversation is still open,
so the events of one conversation are applied in the order they arrived, even with several
processes draining one database; a lease that runs out (its worker died) is taken over.

The router keeps its own ledger of the provider events it applied (`InboundEvent`), which
outlives the purged inbox: `event_applied` asks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select as orm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import InboundEvent, InboxItem, table_of


class InboxStatus(StrEnum):
    """Where an inbox event stands."""

    PENDING = "pending"  # kept, not applied yet
    SENDING = "sending"  # applied; its stored replies are still to be sent
    DONE = "done"
    FAILED = "failed"  # given up after retries (`error` says why)
    REJECTED = "rejected"  # malformed, never applicable: settled at once (`error` says why)


#: Statuses that still hold their conversation's later events back.
OPEN = (InboxStatus.PENDING.value, InboxStatus.SENDING.value)
#: Statuses that are final.
SETTLED = (InboxStatus.DONE, InboxStatus.FAILED, InboxStatus.REJECTED)
_T = table_of(InboxItem)


#: The statement a webhook's event is kept with, compiled once per dialect.
_KEEP = {
    dialect.dialect.name: dialect.insert(_T)
    .on_conflict_do_nothing(index_elements=["provider", "event_id"])
    .returning(_T.c.id, _T.c.provider, _T.c.event_id)
    for dialect in (postgresql, sqlite)
}


def event(
    *,
    provider: str,
    event_id: str,
    kind: str,
    conversation: str,
    payload: dict[str, Any],
    now: dt.datetime,
) -> dict[str, Any]:
    """One raw event as `keep` takes it."""
    return {
        "provider": provider,
        "event_id": event_id[:128],
        "kind": kind,
        "conversation": conversation[:300],
        "payload": payload,
        "status": InboxStatus.PENDING.value,
        "attempts": 0,
        "received_at": now,
        "due_at": now,
    }


async def keep(db: Database, *, events: Sequence[dict[str, Any]]) -> list[int | None]:
    """Keep raw events with one INSERT … ON CONFLICT DO NOTHING; for each its id, or None
    when that provider event was kept before (a retry).

    PostgreSQL runs it in autocommit (no BEGIN/COMMIT round trips); SQLite in a
    transaction of its own behind the process's write gate (`Database.transaction`).
    """
    if not events:
        return []
    statement = _KEEP[db.engine.dialect.name]
    if db.is_sqlite:
        async with db.transaction() as session:
            conn = await session.connection()
            rows = (await conn.execute(statement, list(events))).all()
    else:
        async with db.engine.connect() as plain:
            conn = await plain.execution_options(isolation_level="AUTOCOMMIT")
            rows = (await conn.execute(statement, list(events))).all()
    ids = {(row.provider, row.event_id): row.id for row in rows}
    return [ids.get((e["provider"], e["event_id"])) for e in events]


async def find(
    db: Database, *, item_id: int | None = None, provider: str = "", event_id: str = ""
) -> InboxItem | None:
    """A kept event, by its id or by its provider's event id."""
    where = (
        _T.c.id == item_id
        if item_id is not None
        else (_T.c.provider == provider) & (_T.c.event_id == event_id[:128])
    )
    async with db.transaction() as session:
        conn = await session.connection()
        row = (await conn.execute(select(*_T.c).where(where))).first()
    return InboxItem(**row._mapping) if row is not None else None


async def lease(
    db: Database, *, worker: str, now: dt.datetime, lease_for: dt.timedelta, limit: int
) -> list[InboxItem]:
    """Lease the oldest due open event of up to `limit` conversations, oldest first.

    Never an event while an older one of its conversation is open (pending, sending, or
    leased by anyone): that one goes first.
    """
    earlier = _T.alias("earlier")
    older_open = exists().where(
        earlier.c.conversation == _T.c.conversation,
        earlier.c.status.in_(OPEN),
        earlier.c.id < _T.c.id,
    )
    heads = (
        select(_T.c.id)
        .where(
            _T.c.status.in_(OPEN),
            _T.c.due_at <= now,
            or_(_T.c.claimed_until.is_(None), _T.c.claimed_until <= now),
            ~older_open,
        )
        .order_by(_T.c.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        heads = heads.with_for_update(skip_locked=True, of=_T)
    async with db.transaction() as session:
        conn = await session.connection()
        ids = list((await conn.execute(heads)).scalars())
        if not ids:
            return []
        claimed = await conn.execute(
            update(_T)
            .where(
                _T.c.id.in_(ids),
                or_(_T.c.claimed_until.is_(None), _T.c.claimed_until <= now),
            )
            .values(claimed_by=worker, claimed_until=now + lease_for)
            .returning(*_T.c)
        )
        items = [InboxItem(**row._mapping) for row in claimed]
    return sorted(items, key=lambda item: item.id or 0)


async def lease_holders(db: Database) -> set[str]:
    """The workers holding leases on open events."""
    query = select(_T.c.claimed_by).where(_T.c.status.in_(OPEN), _T.c.claimed_by.is_not(None))
    async with db.transaction() as session:
        conn = await session.connection()
        return {str(owner) for owner in (await conn.execute(query.distinct())).scalars()}


async def free_leases(db: Database, *, holders: Sequence[str]) -> int:
    """Free the leases of workers known to be dead (their events are leased again at once)."""
    if not holders:
        return 0
    async with db.transaction() as session:
        conn = await session.connection()
        result = await conn.execute(
            update(_T)
            .where(_T.c.status.in_(OPEN), _T.c.claimed_by.in_(list(holders)))
            .values(claimed_by=None, claimed_until=None)
        )
    return int(result.rowcount or 0)


async def settle(
    session: AsyncSession,
    *,
    item_id: int,
    worker: str,
    status: InboxStatus,
    now: dt.datetime,
    replies: Sequence[dict[str, Any]] | None = None,
    error: str | None = None,
    attempts: int | None = None,
) -> bool:
    """Mark a leased event applied (`sending`, with its replies: the lease is kept for the
    sending), done or failed, in the caller's transaction; False when the lease was lost."""
    values: dict[str, Any] = {"status": status.value}
    if status is not InboxStatus.SENDING:
        values.update(claimed_by=None, claimed_until=None)
    if replies is not None:
        values["replies"] = list(replies)
    if error is not None:
        values["error"] = error
    if attempts is not None:
        values["attempts"] = attempts
    if status in SETTLED:
        values["done_at"] = now
    return await _update_leased(session, item_id=item_id, worker=worker, values=values)


async def _update_leased(
    session: AsyncSession, *, item_id: int, worker: str, values: dict[str, Any]
) -> bool:
    """Update an event `worker` still holds; False when its lease was lost meanwhile."""
    conn = await session.connection()
    result = await conn.execute(
        update(_T).where(_T.c.id == item_id, _T.c.claimed_by == worker).values(**values)
    )
    return bool(result.rowcount)


async def postpone(
    db: Database,
    *,
    item_id: int,
    worker: str,
    due_at: dt.datetime,
    attempts: int,
    error: str | None = None,
    replies: Sequence[dict[str, Any]] | None = None,
) -> bool:
    """Give a leased event back, to be tried again at `due_at`; False when the lease was lost."""
    values: dict[str, Any] = {
        "claimed_by": None,
        "claimed_until": None,
        "due_at": due_at,
        "attempts": attempts,
    }
    if error is not None:
        values["error"] = error
    if replies is not None:
        values["replies"] = list(replies)
    async with db.transaction() as session:
        return await _update_leased(session, item_id=item_id, worker=worker, values=values)


async def finish(
    db: Database,
    *,
    item_id: int,
    worker: str,
    status: InboxStatus,
    now: dt.datetime,
    replies: Sequence[dict[str, Any]] | None = None,
    error: str | None = None,
    attempts: int | None = None,
) -> bool:
    """`settle` in a transaction of its own."""
    async with db.transaction() as session:
        return await settle(
            session,
            item_id=item_id,
            worker=worker,
            status=status,
            now=now,
            replies=replies,
            error=error,
            attempts=attempts,
        )


async def purge(db: Database, *, before: dt.datetime) -> int:
    """Delete events settled (done, failed or rejected) before `before`; how many.

    Replays of a purged event are still applied once: the router's own ledger of applied
    provider events (`InboundEvent`) keeps them.
    """
    async with db.transaction() as session:
        conn = await session.connection()
        result = await conn.execute(
            delete(_T).where(
                _T.c.status.in_([status.value for status in SETTLED]),
                _T.c.done_at < before,
            )
        )
    return int(result.rowcount or 0)


async def open_count(db: Database) -> int:
    """How many events are still open (pending or sending)."""
    query = select(func.count()).select_from(_T).where(_T.c.status.in_(OPEN))
    async with db.transaction() as session:
        conn = await session.connection()
        count: int = (await conn.execute(query)).scalar_one()
    return count


async def event_applied(session: AsyncSession, *, provider: str, event_id: str) -> bool:
    """True when this provider event is in the ledger of applied events."""
    query = orm_select(InboundEvent.id).where(
        InboundEvent.provider == provider, InboundEvent.event_id == event_id
    )
    return (await session.exec(query)).first() is not None
