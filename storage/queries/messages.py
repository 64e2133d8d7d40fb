"""The communication log: what was said lately, whether a key is taken, and the alert notes
taken for delivery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.enums import Direction, MessageStatus
from storage.models import Message

#: The status of an alert note being delivered; a process that died leaves it so.
SENDING = "sending"


async def recent_talk(session: AsyncSession, *, customer_id: int, limit: int) -> list[Message]:
    """The customer's latest `limit` messages in and out (no notes), the newest first."""
    query = (
        select(Message)
        .where(
            Message.customer_id == customer_id,
            col(Message.direction).in_((Direction.INBOUND, Direction.OUTBOUND)),
        )
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def key_in_use(session: AsyncSession, *, keys: Collection[str]) -> bool:
    """True when a message holding one of these idempotency keys went out or may have (it
    neither failed nor waits to be retried)."""
    query = select(Message.id).where(
        col(Message.idempotency_key).in_(list(keys)),
        Message.status != MessageStatus.RETRY,
        Message.status != MessageStatus.FAILED,
    )
    return (await session.exec(query)).first() is not None


async def claim_notes(
    db: Database, *, channel: str, now: dt.datetime, lease: dt.timedelta, limit: int
) -> list[int]:
    """Mark up to `limit` queued notes on `channel` (and notes `SENDING` for longer than
    `lease`: their deliverer died) as `SENDING` now; their ids, in order."""
    due = and_(
        col(Message.direction) == Direction.NOTE,
        col(Message.channel) == channel,
        or_(
            col(Message.status) == MessageStatus.QUEUED,
            and_(col(Message.status) == SENDING, col(Message.updated_at) < now - lease),
        ),
    )
    query = select(Message.id).where(due).order_by(col(Message.id)).limit(limit)
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    async with db.transaction() as session:
        ids = [i for i in (await session.exec(query)).all() if i is not None]
        if not ids:
            return []
        claimed = await session.exec(
            update(Message)
            .where(col(Message.id).in_(ids), due)
            .values(status=SENDING, updated_at=now)
            .returning(col(Message.id))
        )
        return sorted(claimed.scalars().all())
