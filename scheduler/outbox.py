"""The one outbox: reserve a log row under an idempotency key → send → record the outcome.

Reminders (the dispatcher), alerts and digests to the team (bot/staff/outbox.py) all go
out through these functions, so a message is logged, deduplicated and reconciled the same
way whoever sends it:

- `reserve` writes the row `queued` before anything reaches a provider, in the caller's
  transaction. A row found still `queued` was reserved by a process that died before it
  recorded the outcome: `Reservation.reserved_at` says so, and the channel is asked
  (`reconcile`) before anything is sent again.
- `send` and `reconcile` never raise: an unclassified exception is an unknown outcome,
  which is never resent blindly.
- `record` maps the outcome onto the row (one map for every sender).

A batch (the dispatcher's) reserves with `reserve_many` and records with `record_many`:
one multi-row statement each instead of an ORM object and a flush per message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.channel import Channel
from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound
from storage.enums import Direction, MessageStatus
from storage.models import Message, table_of
from storage.queries.contacts import recorded_provider_ids
from storage.queries.messages import message_by_key

log = logging.getLogger(__name__)

_M = table_of(Message)

#: The log status of each delivery outcome.
STATUS_OF = {
    DeliveryOutcome.SENT: MessageStatus.SENT,
    DeliveryOutcome.PERMANENT: MessageStatus.FAILED,
    DeliveryOutcome.RETRYABLE: MessageStatus.RETRY,
    DeliveryOutcome.UNKNOWN: MessageStatus.UNKNOWN,
}
#: A message in one of these states went out, or may have: it is never sent again.
OUT = frozenset(
    {MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.UNKNOWN}
)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A reserved row to send now, or the status of an earlier try that settles it."""

    message: Message | None
    #: Set when the row was left `queued` by a process that died: reconcile first.
    reserved_at: dt.datetime | None = None
    known: frozenset[str] = frozenset()
    settled: MessageStatus | None = None  # sent, unknown or failed before: do not send
    #: The row's id when `reserve_many` wrote it set-based (no ORM object behind it).
    row_id: int | None = None

    @property
    def message_id(self) -> int:
        """The reserved row's id (known once the row is flushed)."""
        if self.row_id is not None:
            return self.row_id
        assert self.message is not None and self.message.id is not None
        return self.message.id


@dataclass(frozen=True, slots=True)
class Request:
    """One message of a batch to reserve (`reserve_many`)."""

    outbound: Outbound
    customer_id: int | None
    followup_id: int | None = None
    #: The row already holding the key (looked up by the caller with `find_many`), if any.
    existing: Message | None = None


async def find_many(session: AsyncSession, keys: list[str]) -> dict[str, Message]:
    """The log rows holding any of these idempotency keys, by key (one query)."""
    if not keys:
        return {}
    rows = await session.exec(select(Message).where(col(Message.idempotency_key).in_(keys)))
    return {row.idempotency_key: row for row in rows.all() if row.idempotency_key is not None}


async def reserve(
    session: AsyncSession,
    outbound: Outbound,
    *,
    customer_id: int | None,
    now: dt.datetime,
    followup_id: int | None = None,
    existing: Message | None = None,
    looked_up: bool = False,
    flush: bool = True,
    reconcile_unknown: bool = False,
) -> Reservation:
    """Reserve the row for `outbound` (`queued`), unless an earlier try settles it.

    With `reconcile_unknown`, a row whose outcome was unknown is reserved again, to be
    reconciled with the provider before any resend (the dispatcher's reminders).

    `existing` is the row holding the key when the caller `looked_up` already; without
    `flush` the caller flushes (once for a batch) before reading the row's id.
    """
    row = existing if looked_up else await message_by_key(session, key=outbound.idempotency_key)
    reserved_at, known = None, frozenset[str]()
    if row is not None and row.status == MessageStatus.QUEUED:
        # Reserved by a process that died before recording: ask the provider first.
        reserved_at = row.updated_at
        known = await recorded_provider_ids(
            session, customer_id=customer_id, channel=row.channel, since=reserved_at
        )
    elif row is not None and row.status == MessageStatus.UNKNOWN and reconcile_unknown:
        # The send's outcome was unknown (a 5xx, a timeout) and no status callback has
        # settled it since: ask the provider about everything since the row was reserved
        # (the provider dates the message from the send, before the outcome was recorded).
        reserved_at = row.created_at
        known = await recorded_provider_ids(
            session, customer_id=customer_id, channel=row.channel, since=reserved_at
        )
    elif row is not None and row.status != MessageStatus.RETRY:
        return Reservation(None, settled=MessageStatus(row.status))
    row = row or Message(
        customer_id=customer_id,
        followup_id=followup_id,
        direction=Direction.OUTBOUND,
        channel=outbound.to.channel,
        idempotency_key=outbound.idempotency_key,
        created_at=now,
    )
    row.address, row.subject, row.body = outbound.to.value, outbound.subject, outbound.body
    row.template, row.status = outbound.template, MessageStatus.QUEUED
    # A re-reserved row keeps its first reservation time: the provider is asked about
    # everything since then.
    row.updated_at = reserved_at or now
    session.add(row)
    if flush:
        await session.flush()
    return Reservation(row, reserved_at, known)


async def reserve_many(
    session: AsyncSession, requests: Sequence[Request], *, now: dt.datetime
) -> list[Reservation]:
    """Reserve a batch, in order: new rows with one multi-row INSERT, rows tried before
    (left `queued` or `retry`) through `reserve`, one by one: they are rare."""
    fresh = [request for request in requests if request.existing is None]
    ids: dict[str, int] = {}
    if fresh:
        conn = await session.connection()
        rows = await conn.execute(
            insert(_M).returning(_M.c.id, _M.c.idempotency_key),
            [_new_row(request, now) for request in fresh],
        )
        ids = {key: row_id for row_id, key in rows.all()}
    reservations = []
    for request in requests:
        if request.existing is None:
            reservations.append(Reservation(None, row_id=ids[request.outbound.idempotency_key]))
            continue
        reservation = await reserve(
            session,
            request.outbound,
            customer_id=request.customer_id,
            followup_id=request.followup_id,
            now=now,
            existing=request.existing,
            looked_up=True,
            flush=False,
            reconcile_unknown=True,
        )
        reservations.append(reservation)
    return reservations


def _new_row(request: Request, now: dt.datetime) -> dict[str, object]:
    """The columns of a freshly reserved row (every row of a batch names the same ones)."""
    outbound = request.outbound
    return {
        "customer_id": request.customer_id,
        "followup_id": request.followup_id,
        "direction": Direction.OUTBOUND.value,
        "channel": outbound.to.channel,
        "address": outbound.to.value,
        "subject": outbound.subject,
        "body": outbound.body,
        "template": outbound.template,
        "idempotency_key": outbound.idempotency_key,
        "status": MessageStatus.QUEUED.value,
        "created_at": now,
        "updated_at": now,
    }


async def send(channel: Channel, outbound: Outbound) -> DeliveryResult:
    """Send through the channel; an unexpected exception is an unknown outcome."""
    try:
        return await channel.send(outbound)
    except Exception as exc:  # a bug or an unclassified failure: never resend blindly
        log.exception("channel %s raised while sending", channel.name)
        return DeliveryResult(DeliveryOutcome.UNKNOWN, error_message=repr(exc))


async def reconcile(
    channel: Channel, outbound: Outbound, reservation: Reservation
) -> DeliveryResult | None:
    """What the provider has of a message a dead process reserved; None: it never arrived."""
    assert reservation.reserved_at is not None
    try:
        return await channel.reconcile(
            outbound, reserved_at=reservation.reserved_at, known=reservation.known
        )
    except Exception as exc:  # never resend on a failed look-up: ask again later
        log.exception("channel %s raised while reconciling", channel.name)
        return DeliveryResult(DeliveryOutcome.UNKNOWN, error_message=repr(exc))


async def send_reserved(
    channel: Channel, outbound: Outbound, reservation: Reservation
) -> DeliveryResult | None:
    """Send a reserved message, reconciling first when a dead process had reserved it.

    None when the provider cannot tell yet whether it has the message: keep the row
    `queued` and ask again later.
    """
    if reservation.reserved_at is not None:
        found = await reconcile(channel, outbound, reservation)
        if found is not None:
            return None if found.outcome is DeliveryOutcome.UNKNOWN else found
    return await send(channel, outbound)


def record(row: Message, result: DeliveryResult, now: dt.datetime) -> MessageStatus:
    """Write the outcome onto the row; returns its new status."""
    row.status, row.provider_id = STATUS_OF[result.outcome], result.provider_id
    row.error_code, row.error_message = result.error_code, result.error_message
    row.updated_at = now
    return MessageStatus(row.status)


#: One outcome onto its row; executed once per batch with a parameter set per message.
_RECORD = (
    update(_M)
    .where(_M.c.id == bindparam("row_id"))
    .values(
        status=bindparam("new_status"),
        provider_id=bindparam("new_provider_id"),
        error_code=bindparam("new_error_code"),
        error_message=bindparam("new_error_message"),
        updated_at=bindparam("now"),
    )
)


async def record_many(
    session: AsyncSession, outcomes: Sequence[tuple[int, DeliveryResult]], now: dt.datetime
) -> None:
    """Write each outcome onto its row (by id), as `record` does, in one statement."""
    if not outcomes:
        return
    conn = await session.connection()
    await conn.execute(
        _RECORD,
        [
            {
                "row_id": row_id,
                "new_status": STATUS_OF[result.outcome].value,
                "new_provider_id": result.provider_id,
                "new_error_code": result.error_code,
                "new_error_message": result.error_message,
                "now": now,
            }
            for row_id, result in outcomes
        ],
    )
