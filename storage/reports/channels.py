"""Channels: how reminders fare on each channel — sent, delivered, answered, followed by payment.

A reminder is an outbound message of a follow-up (direction "out", followup_id set) logged on
or before the as-of date (and on or after `since`). Of those:

- sent: status sent, delivered or read; delivered: delivered or read;
- replied: a sent reminder followed within 72 hours by an inbound message from the same
  customer on the same channel;
- paid: a sent reminder followed within 7 days by a payment on any invoice of the customer —
  recorded (created_at) within 7 days after the reminder, or dated (paid_on) from the
  reminder's local day to 7 days later.

Only what was known by the end of the as-of date counts. Rates are over the reminders sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import Direction, MessageStatus
from storage.models import Invoice, Message, Payment
from storage.reports.common import (
    NO_FILTERS,
    Filters,
    end_of_day,
    json_ratio,
    load_customers,
    local_date,
    start_of_day,
)
from storage.reports.table import (
    Column,
    Tabular,
)

SENT = frozenset({MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ})
DELIVERED = frozenset({MessageStatus.DELIVERED, MessageStatus.READ})
REPLY_WINDOW = dt.timedelta(hours=72)
PAYMENT_DAYS = 7


@dataclass(slots=True)
class ChannelStats:
    """Reminder outcomes on one channel."""

    channel: str
    reminders: int = 0
    sent: int = 0
    delivered: int = 0
    replied: int = 0
    paid: int = 0

    def to_json(self) -> dict[str, object]:
        """The counts and the delivered, reply and payment rates (over reminders sent)."""
        return {
            "channel": self.channel,
            "reminders": self.reminders,
            "sent": self.sent,
            "delivered": self.delivered,
            "replied": self.replied,
            "paid_within_7_days": self.paid,
            "delivered_rate": json_ratio(self.delivered, self.sent),
            "reply_rate": json_ratio(self.replied, self.sent),
            "paid_rate": json_ratio(self.paid, self.sent),
        }


@dataclass(frozen=True, slots=True)
class ChannelsReport:
    """Reminder outcomes per channel as of a date."""

    as_of: dt.date
    since: dt.date | None
    channels: list[ChannelStats]

    def to_json(self) -> dict[str, object]:
        """`{"as_of", "since", "channels": [...]}`."""
        return {
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "channels": [c.to_json() for c in self.channels],
        }

    def tables(self) -> list[Tabular]:
        """One table, a row per channel."""
        counts = ("reminders", "sent", "delivered", "replied", "paid in 7 days")
        rates = ("delivered %", "replied %", "paid %")
        return [
            Tabular(
                title=f"Reminders by channel, as of {self.as_of.isoformat()}",
                columns=(
                    Column("channel"),
                    *(Column(name, "count") for name in counts),
                    *(Column(name, "rate") for name in rates),
                ),
                rows=[
                    (
                        c.channel,
                        c.reminders,
                        c.sent,
                        c.delivered,
                        c.replied,
                        c.paid,
                        json_ratio(c.delivered, c.sent),
                        json_ratio(c.replied, c.sent),
                        json_ratio(c.paid, c.sent),
                    )
                    for c in self.channels
                ],
                notes=("Rates are over the reminders sent.",),
            )
        ]


async def channels_report(
    session: AsyncSession,
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    zone: ZoneInfo,
    filters: Filters = NO_FILTERS,
) -> ChannelsReport:
    """Reminder outcomes per channel, for reminders logged since `since` up to `as_of`."""
    customers = await load_customers(session)
    wanted = {
        cid
        for cid, c in customers.items()
        if filters.matches(salesperson=c.salesperson, collector=c.collector, segment=c.segment)
    }
    end = end_of_day(as_of, zone)
    query = select(Message).where(
        Message.direction == Direction.OUTBOUND,
        col(Message.followup_id).is_not(None),
        col(Message.created_at) < end,
    )
    if since is not None:
        query = query.where(col(Message.created_at) >= start_of_day(since, zone))
    reminders = [m for m in (await session.exec(query)).all() if m.customer_id in wanted]

    # What came in (per customer and channel) and what was paid (per customer): a customer
    # has few of each, so plain scans below stay cheap.
    replies = await _replies(session, end)
    paid_on, recorded = await _payments(session, as_of, end)
    stats = _tally(reminders, replies, paid_on, recorded, zone)
    return ChannelsReport(as_of, since, sorted(stats.values(), key=lambda c: c.channel))


async def _replies(
    session: AsyncSession, end: dt.datetime
) -> dict[tuple[int, str], list[dt.datetime]]:
    """When each customer wrote in on each channel, before `end`."""
    replies: dict[tuple[int, str], list[dt.datetime]] = {}
    for customer_id, channel, at in (
        await session.exec(
            select(col(Message.customer_id), col(Message.channel), col(Message.created_at)).where(
                Message.direction == Direction.INBOUND,
                col(Message.customer_id).is_not(None),
                col(Message.created_at) < end,
            )
        )
    ).all():
        if customer_id is not None:
            replies.setdefault((customer_id, channel), []).append(at)
    return replies


async def _payments(
    session: AsyncSession, as_of: dt.date, end: dt.datetime
) -> tuple[dict[int, list[dt.date]], dict[int, list[dt.datetime]]]:
    """Per customer, the day each payment known by `end` is dated and when it was recorded."""
    paid_on: dict[int, list[dt.date]] = {}
    recorded: dict[int, list[dt.datetime]] = {}
    for customer_id, day, at in (
        await session.exec(
            select(col(Invoice.customer_id), col(Payment.paid_on), col(Payment.created_at))
            .join(Invoice, col(Invoice.id) == col(Payment.invoice_id))
            .where(col(Payment.paid_on) <= as_of, col(Payment.created_at) < end)
        )
    ).all():
        paid_on.setdefault(customer_id, []).append(day)
        recorded.setdefault(customer_id, []).append(at)
    return paid_on, recorded


def _tally(
    reminders: list[Message],
    replies: dict[tuple[int, str], list[dt.datetime]],
    paid_on: dict[int, list[dt.date]],
    recorded: dict[int, list[dt.datetime]],
    zone: ZoneInfo,
) -> dict[str, ChannelStats]:
    """Each channel's reminders counted: sent, delivered, answered, followed by payment."""
    stats: dict[str, ChannelStats] = {}
    for m in reminders:
        line = stats.setdefault(m.channel, ChannelStats(m.channel))
        line.reminders += 1
        if m.status not in SENT:
            continue
        line.sent += 1
        line.delivered += m.status in DELIVERED
        assert m.customer_id is not None
        at, day = m.created_at, local_date(m.created_at, zone)
        inbound = replies.get((m.customer_id, m.channel), [])
        line.replied += any(at < t <= at + REPLY_WINDOW for t in inbound)
        week = dt.timedelta(days=PAYMENT_DAYS)
        line.paid += any(day <= d <= day + week for d in paid_on.get(m.customer_id, [])) or any(
            at <= t <= at + week for t in recorded.get(m.customer_id, [])
        )
    return stats
