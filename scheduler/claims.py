"""The lease contract on FollowUp rows (like APScheduler 4's data stores): claim, extend,
reclaim the dead's, release (in the transaction that records the outcome)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_, update
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database, retried
from storage.enums import FollowUpStatus
from storage.models import FollowUp, table_of

_F = table_of(FollowUp)


async def claim_due(
    db: Database, *, worker: str, now: dt.datetime, limit: int, lease: dt.timedelta
) -> list[int]:
    """Lease up to `limit` due follow-ups to `worker`; expired leases are claimable again.

    PostgreSQL skips rows another worker holds (`FOR UPDATE SKIP LOCKED`); SQLite has a
    single writer, and our transactions take its lock at BEGIN, so claims never overlap.
    """
    # The UPDATE's re-check of what is due. SQLite planned it on the status indexes (a
    # MULTI-INDEX OR reading every due row, then keeping the batch's ids): each claim cost
    # grew with the backlog, quadratic over a tick (43 ms a claim at 100k due, 3 ms by id).
    # SQLite's unary + (its documented way to keep a term off the indexes) leaves the ids.
    status: ColumnElement[str] = _F.c.status
    if db.is_sqlite:
        status = UnaryExpression(status, operator=custom_op("+"), type_=status.type)
    due = or_(
        and_(status == FollowUpStatus.PLANNED.value, _F.c.planned_at <= now),
        and_(status == FollowUpStatus.CLAIMED.value, _F.c.lease_expires_at < now),
    )
    # Two index-ordered reads (status, planned_at) that stop at `limit`: one OR-query over
    # both kinds sorted every due row for each batch, quadratic in what is due.
    expired = (
        select(_F.c.id)
        .where(_F.c.status == FollowUpStatus.CLAIMED.value, _F.c.lease_expires_at < now)
        .order_by(_F.c.planned_at)
        .limit(limit)
    )
    planned = (
        select(_F.c.id)
        .where(_F.c.status == FollowUpStatus.PLANNED.value, _F.c.planned_at <= now)
        .order_by(_F.c.planned_at)
    )
    if not db.is_sqlite:
        expired = expired.with_for_update(skip_locked=True)
        planned = planned.with_for_update(skip_locked=True)

    async def claim() -> list[int]:
        async with db.transaction() as session:
            return await _claim(session, expired, planned, due, worker, now, limit, lease)

    # A claim that failed on a lock or a lost connection left nothing behind: run it again.
    return await retried(claim)


async def _claim(
    session: AsyncSession,
    expired: Select[tuple[int]],
    planned: Select[tuple[int]],
    due: ColumnElement[bool],
    worker: str,
    now: dt.datetime,
    limit: int,
    lease: dt.timedelta,
) -> list[int]:
    """One claim transaction's statements (see `claim_due`)."""
    conn = await session.connection()
    candidates = list((await conn.execute(expired)).scalars())
    if len(candidates) < limit:
        more = planned.limit(limit - len(candidates))
        candidates += (await conn.execute(more)).scalars()
    if not candidates:
        return []
    # The UPDATE repeats the due condition: PostgreSQL re-evaluates it after waiting
    # for a row lock, so even a row read by two workers is claimed by one only.
    claimed = await conn.execute(
        update(_F)
        .where(_F.c.id.in_(candidates), due)
        .values(
            status=FollowUpStatus.CLAIMED.value,
            lease_owner=worker,
            lease_expires_at=now + lease,
            attempts=_F.c.attempts + 1,
            updated_at=now,
        )
        .returning(_F.c.id)
    )
    return sorted(claimed.scalars().all())


async def held_leases(
    session: AsyncSession, *, ids: Sequence[int], worker: str, lock: bool = False
) -> set[int]:
    """Which of these follow-ups `worker` still holds (`lock`: FOR UPDATE, PostgreSQL)."""
    query = select(_F.c.id).where(
        _F.c.id.in_(ids),
        _F.c.status == FollowUpStatus.CLAIMED.value,
        _F.c.lease_owner == worker,
    )
    if lock:
        query = query.with_for_update()
    conn = await session.connection()
    return set((await conn.execute(query)).scalars())


#: A lease ended with the follow-up's new state; one parameter set per follow-up.
_RELEASE = (
    update(_F)
    .where(
        _F.c.id == bindparam("b_id"),
        _F.c.status == FollowUpStatus.CLAIMED.value,
        _F.c.lease_owner == bindparam("b_worker"),
    )
    .values(
        status=bindparam("b_status"),
        planned_at=bindparam("b_planned_at"),
        last_error=bindparam("b_last_error"),
        lease_owner=None,
        lease_expires_at=None,
        updated_at=bindparam("b_updated_at"),
    )
)


@dataclass(frozen=True, slots=True)
class LeaseEnd:
    """How a claimed follow-up leaves its worker: its new status, planned time and error."""

    id: int
    status: FollowUpStatus
    planned_at: dt.datetime
    last_error: str | None
    updated_at: dt.datetime


async def release_leases(session: AsyncSession, *, ends: Sequence[LeaseEnd], worker: str) -> None:
    """End `worker`'s leases on these follow-ups as `ends` says, in one statement."""
    if not ends:
        return
    conn = await session.connection()
    await conn.execute(
        _RELEASE,
        [
            {
                "b_id": end.id,
                "b_worker": worker,
                "b_status": end.status.value,
                "b_planned_at": end.planned_at,
                "b_last_error": end.last_error,
                "b_updated_at": end.updated_at,
            }
            for end in ends
        ],
    )


def process_gone(worker: str, host: str | None = None) -> bool:
    """True when `worker` ("host:pid", optionally ":tag") ran on this host and its process
    no longer exists; a worker of another host, or this very process, is never gone."""
    worker_host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if worker_host != (host or socket.gethostname()) or not pid.isdecimal():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


async def reclaim_dead_leases(
    db: Database, *, worker: str, now: dt.datetime, host: str | None = None
) -> int:
    """Free at once the leases of dead workers of this host (a `kill -9`, then a restart).

    Their follow-ups would otherwise wait for the lease to expire (minutes); freed, the next
    claim takes them, and a message one of them had reserved is reconciled, not resent.
    Workers are named "host:pid"; a worker on another host keeps its lease until it expires.
    """
    host = host or socket.gethostname()
    async with db.sessions() as session:
        owners = (
            await session.exec(
                select(FollowUp.lease_owner)
                .where(
                    col(FollowUp.status) == FollowUpStatus.CLAIMED,
                    col(FollowUp.lease_owner).is_not(None),
                    col(FollowUp.lease_owner) != worker,
                )
                .distinct()
            )
        ).all()
    dead = [owner for owner in owners if owner is not None and process_gone(owner, host)]
    if not dead:
        return 0
    async with db.transaction() as session:
        result = await session.exec(
            update(FollowUp)
            .where(
                col(FollowUp.status) == FollowUpStatus.CLAIMED,
                col(FollowUp.lease_owner).in_(dead),
            )
            .values(lease_expires_at=now - dt.timedelta(seconds=1), updated_at=now)
        )
    return int(result.rowcount or 0)


async def extend_leases(db: Database, *, ids: list[int], worker: str, until: dt.datetime) -> int:
    """Push `worker`'s leases on these follow-ups to `until` (a long batch still at work)."""
    async with db.transaction() as session:
        result = await session.exec(
            update(FollowUp)
            .where(
                col(FollowUp.id).in_(ids),
                col(FollowUp.status) == FollowUpStatus.CLAIMED,
                col(FollowUp.lease_owner) == worker,
            )
            .values(lease_expires_at=until)
        )
    return int(result.rowcount or 0)
