"""Provider status callbacks: reconcile the communication log, reopen failed follow-ups."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.enums import FollowUpStatus, MessageStatus
from storage.models import FollowUp, InboundEvent, Message
from storage.queries.inbox import event_applied
from storage.queries.messages import message_by_key, message_by_provider_id

log = logging.getLogger(__name__)

#: Twilio's MessageStatus / CallStatus values mapped onto our log's statuses.
TWILIO_STATUS = {
    "accepted": MessageStatus.QUEUED,
    "scheduled": MessageStatus.QUEUED,
    "queued": MessageStatus.QUEUED,
    "sending": MessageStatus.QUEUED,
    "sent": MessageStatus.SENT,
    "initiated": MessageStatus.SENT,
    "ringing": MessageStatus.SENT,
    "in-progress": MessageStatus.DELIVERED,
    "answered": MessageStatus.DELIVERED,
    "completed": MessageStatus.DELIVERED,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
    "undelivered": MessageStatus.FAILED,
    "busy": MessageStatus.FAILED,
    "no-answer": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}
# Callbacks may arrive out of order: a status never moves backwards.
_RANK = {
    MessageStatus.UNKNOWN: 0,
    MessageStatus.RETRY: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
    MessageStatus.FAILED: 5,
}


async def apply_status(
    db: Database,
    *,
    key: str | None,
    provider_id: str,
    status: str,
    error_code: str | None,
    now: dt.datetime,
) -> bool:
    """Record one status callback; True when it changed the log.

    A failure after the follow-up was counted as sent reopens it, so the dispatcher
    tries the step's next channel (the failed one is excluded by its log row).
    """
    new = TWILIO_STATUS.get(status)
    if new is None:
        log.warning("unknown provider status %r for %s", status, provider_id)
        return False
    try:
        async with db.transaction() as session:
            event = f"{provider_id}:{status}"
            if await event_applied(session, provider="status", event_id=event):
                return False
            session.add(InboundEvent(provider="status", event_id=event, received_at=now))
            message = (
                await message_by_key(session, key=key)
                if key
                else await message_by_provider_id(session, provider_id=provider_id)
            )
            if message is None:
                log.warning("status %s for a message we do not know (%s)", status, provider_id)
                return False
            # An unknown outcome learns its provider id here (the POST answer was lost).
            message.provider_id = message.provider_id or provider_id
            if _RANK[new] < _RANK.get(MessageStatus(message.status), 0):
                session.add(message)
                return False
            message.status, message.updated_at = new, now
            if new is MessageStatus.FAILED:
                message.error_code = error_code or message.error_code
                await _reopen(session, message, now)
            session.add(message)
            return True
    except IntegrityError:
        return False  # the same callback, delivered twice at once


async def _reopen(session: AsyncSession, message: Message, now: dt.datetime) -> None:
    """Put a sent follow-up back in the queue so its next channel is tried."""
    if message.followup_id is None:
        return
    followup = await session.get(FollowUp, message.followup_id)
    if followup is not None and followup.status == FollowUpStatus.SENT:
        followup.status, followup.planned_at, followup.updated_at = (
            FollowUpStatus.PLANNED,
            now,
            now,
        )
        session.add(followup)
