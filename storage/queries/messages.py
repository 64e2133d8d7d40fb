"""The communication log: messages found by idempotency key, provider id or thread, what was
said lately, the outcome of a send, and the alert notes taken for delivery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.enums import Direction, MessageStatus
from storage.models import Message, table_of

#: The status of an alert note being delivered; a process that died leaves it so.
SENDING = "sending"
_MESSAGE = table_of(Message)


async def message_by_key(session: AsyncSession, *, key: str) -> Message | None:
    """The message holding idempotency key `key`, if any."""
    return (await session.exec(select(Message).where(Message.idempotency_key == key))).first()


async def message_by_provider_id(session: AsyncSession, *, provider_id: str) -> Message | None:
    """The message the provider knows by `provider_id`, if any."""
    query = select(Message).where(Message.provider_id == provider_id)
    return (await session.exec(query)).first()


async def sent_message(session: AsyncSession, *, channel: str, provider_id: str) -> Message | None:
    """The message we sent on `channel` that the provider knows by `provider_id`, if any."""
    query = select(Message).where(
        Message.provider_id == provider_id,
        Message.channel == channel,
        Message.direction == Direction.OUTBOUND,
    )
    return (await session.exec(query)).first()


async def latest_sent_to_customer(
    session: AsyncSession, *, channel: str, provider_ids: Collection[str]
) -> Message | None:
    """Of the messages we sent a customer on `channel` among `provider_ids` (a mail thread's
    Message-IDs), the latest."""
    query = (
        select(Message)
        .where(
            col(Message.provider_id).in_(list(provider_ids)),
            Message.channel == channel,
            Message.direction == Direction.OUTBOUND,
            col(Message.customer_id).is_not(None),
        )
        .order_by(col(Message.id).desc())
    )
    return (await session.exec(query)).first()


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


async def template_sent_since(
    session: AsyncSession, *, channel: str, address: str, template: str, since: dt.datetime
) -> bool:
    """True when a message of `template` was logged to this address after `since`."""
    query = select(Message.id).where(
        Message.channel == channel,
        Message.address == address,
        Message.template == template,
        col(Message.created_at) > since,
    )
    return (await session.exec(query)).first() is not None


async def key_in_use(session: AsyncSession, *, keys: Collection[str]) -> bool:
    """True when a message holding one of these idempotency keys went out or may have (it
    neither failed nor waits to be retried)."""
    query = select(Message.id).where(
        col(Message.idempotency_key).in_(list(keys)),
        Message.status != MessageStatus.RETRY,
        Message.status != MessageStatus.FAILED,
    )
    return (await session.exec(query)).first() is not None


async def record_outcome(
    session: AsyncSession,
    *,
    key: str,
    status: str,
    now: dt.datetime,
    provider_id: str | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
) -> None:
    """Write a send's outcome onto the message holding `key`; the provider id and error
    fields only when given (not empty)."""
    values: dict[str, object] = {"status": status, "updated_at": now}
    if provider_id:
        values["provider_id"] = provider_id
    if error_code:
        values["error_code"] = error_code
    if error_message:
        values["error_message"] = error_message
    conn = await session.connection()
    await conn.execute(update(_MESSAGE).where(_MESSAGE.c.idempotency_key == key).values(**values))


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
