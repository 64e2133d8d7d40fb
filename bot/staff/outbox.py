"""Send a message to a staff member exactly as the log says, through the one outbox.

Each copy is reserved, sent and recorded by `scheduler.outbox` (the same path reminders
take): a copy found still `queued` was in flight when a process died, and the channel is
asked what became of it before anything is resent. A permanent failure moves on to the
next channel (Telegram, then email).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.exc import IntegrityError

from scheduler import outbox
from scheduler.channel import Channel
from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound
from scheduler.outbox import OUT, STATUS_OF
from storage.db import Database
from storage.enums import MessageStatus
from storage.models import Message

__all__ = ["OUT", "STATUS_OF", "CopyResult", "send_copy"]

log = logging.getLogger(__name__)


@dataclass
class CopyResult:
    """Where a copy ended up, and the outcome of each send made now (none if done before)."""

    status: MessageStatus
    outcomes: list[DeliveryOutcome] = field(default_factory=list)


async def _record(
    db: Database, message_id: int | None, sent: DeliveryResult, now: dt.datetime
) -> None:
    async with db.transaction() as session:
        row = await session.get(Message, message_id)
        assert row is not None
        session.add(row)
        outbox.record(row, sent, now)


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
        async with db.transaction() as session:
            reservation = await outbox.reserve(session, outbound, customer_id=customer_id, now=now)
        if reservation.settled == MessageStatus.FAILED:
            continue  # this channel failed for good before: the next one may work
        if reservation.settled is not None:
            result.status = reservation.settled
            return result
        assert reservation.message is not None
        channel = channels[outbound.to.channel]
        sent = await outbox.send_reserved(channel, outbound, reservation)
        if sent is None:  # the provider cannot tell yet: the row stays queued
            result.status = MessageStatus.QUEUED
            return result
        try:
            await _record(db, reservation.message.id, sent, now)
        except IntegrityError:
            # The provider reused an id another row holds (a sandbox restarted on this
            # database did): the copy did go out, so record it without the id rather than
            # crash the pass and send it again next time.
            log.warning(
                "%s: provider id %s already recorded; kept without it",
                outbound.to.channel,
                sent.provider_id,
            )
            await _record(db, reservation.message.id, replace(sent, provider_id=None), now)
        result.outcomes.append(sent.outcome)
        result.status = STATUS_OF[sent.outcome]
        if sent.outcome is not DeliveryOutcome.PERMANENT:
            return result
    return result
