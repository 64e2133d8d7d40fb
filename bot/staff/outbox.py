"""Send a message to a staff member exactly as the log says: reserve, send, record.

A copy's row (unique idempotency key) is reserved `queued` before sending; a row found still
`queued` was in flight when a process died, so it becomes `unknown` and is never sent
blindly again. A permanent failure moves on to the next channel (Telegram, then email).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import select

from bot.channels.base import Channel
from bot.messages import DeliveryOutcome, DeliveryResult, Outbound
from storage.db import Database
from storage.enums import Direction, MessageStatus
from storage.models import Message

log = logging.getLogger(__name__)
STATUS_OF = {
    DeliveryOutcome.SENT: MessageStatus.SENT,
    DeliveryOutcome.PERMANENT: MessageStatus.FAILED,
    DeliveryOutcome.RETRYABLE: MessageStatus.RETRY,
    DeliveryOutcome.UNKNOWN: MessageStatus.UNKNOWN,
}
#: A copy in one of these states went out, or may have: it is never sent again.
OUT = frozenset(
    {MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.UNKNOWN}
)


@dataclass
class CopyResult:
    """Where a copy ended up, and the outcome of each send made now (none if done before)."""

    status: MessageStatus
    outcomes: list[DeliveryOutcome] = field(default_factory=list)


async def _reserve(
    db: Database, outbound: Outbound, customer_id: int | None, now: dt.datetime
) -> int | MessageStatus:
    """The row's id to send now, or the status of a copy tried before."""
    async with db.transaction() as session:
        key = outbound.idempotency_key
        row = (await session.exec(select(Message).where(Message.idempotency_key == key))).first()
        if row is not None and row.status != MessageStatus.RETRY:
            if row.status == MessageStatus.QUEUED:
                row.status, row.updated_at = MessageStatus.UNKNOWN, now
                session.add(row)
            return MessageStatus(row.status)
        row = row or Message(
            customer_id=customer_id,
            direction=Direction.OUTBOUND,
            channel=outbound.to.channel,
            idempotency_key=key,
            created_at=now,
        )
        row.address, row.subject, row.body = outbound.to.value, outbound.subject, outbound.body
        row.template, row.status, row.updated_at = outbound.template, MessageStatus.QUEUED, now
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def _send(channel: Channel, outbound: Outbound) -> DeliveryResult:
    try:
        return await channel.send(outbound)
    except Exception as exc:  # an unclassified failure may have sent it: never resend blindly
        log.exception("channel %s raised while sending to staff", channel.name)
        return DeliveryResult(DeliveryOutcome.UNKNOWN, error_message=repr(exc))


async def send_copy(
    db: Database,
    outbounds: Sequence[Outbound],
    *,
    customer_id: int | None,
    channels: Mapping[str, Channel],
    now: dt.datetime,
) -> CopyResult:
    """Send one copy on its channels in order; each try logged under its own key."""
    result = CopyResult(MessageStatus.FAILED)
    for outbound in outbounds:
        reserved = await _reserve(db, outbound, customer_id, now)
        if reserved == MessageStatus.FAILED:
            continue  # this channel failed for good before: the next one may work
        if isinstance(reserved, MessageStatus):
            result.status = reserved
            return result
        sent = await _send(channels[outbound.to.channel], outbound)
        async with db.transaction() as session:
            row = await session.get(Message, reserved)
            assert row is not None
            row.status, row.provider_id = STATUS_OF[sent.outcome], sent.provider_id
            row.error_code, row.error_message = sent.error_code, sent.error_message
            row.updated_at = now
            session.add(row)
        result.outcomes.append(sent.outcome)
        result.status = STATUS_OF[sent.outcome]
        if sent.outcome is not DeliveryOutcome.PERMANENT:
            return result
    return result
