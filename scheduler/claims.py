"""The lease contract on FollowUp rows (like APScheduler 4's data stores): claim, extend,
reclaim the dead's; the dispatcher releases a lease in the transaction that records it."""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from storage.db import Database
from storage.enums import FollowUpStatus
from storage.models import FollowUp


async def claim_due(
    db: Database, *, worker: str, now: dt.datetime, limit: int, lease: dt.timedelta
) -> list[int]:
    """Lease up to `limit` due follow-ups to `worker`; expired leases are claimable again.

    PostgreSQL skips rows another worker holds (`FOR UPDATE SKIP LOCKED`); SQLite has a
    single writer, and our transactions take its lock at BEGIN, so claims never overlap.
    """
    due = or_(
        and_(col(FollowUp.status) == FollowUpStatus.PLANNED, col(FollowUp.planned_at) <= now),
        and_(col(FollowUp.status) == FollowUpStatus.CLAIMED, col(FollowUp.lease_expires_at) < now),
    )
    query = select(FollowUp.id).where(due).order_by(col(FollowUp.planned_at)).limit(limit)
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    async with db.transaction() as session:
        candidates = [i for i in (await session.exec(query)).all() if i is not None]
        if not candidates:
            return []
        # The UPDATE repeats the due condition: PostgreSQL re-evaluates it after waiting
        # for a row lock, so even a row read by two workers is claimed by one only.
        claimed = await session.exec(
            update(FollowUp)
            .where(col(FollowUp.id).in_(candidates), due)
            .values(
                status=FollowUpStatus.CLAIMED,
                lease_owner=worker,
                lease_expires_at=now + lease,
                attempts=col(FollowUp.attempts) + 1,
                updated_at=now,
            )
            .returning(col(FollowUp.id))
        )
        return sorted(claimed.scalars().all())


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
