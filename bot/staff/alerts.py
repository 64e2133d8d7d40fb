"""Deliver queued alert notes to the team: Telegram with buttons, email as the fallback.

Each recipient's copy is an outbound row in the customer's log with the idempotency key
`alert:<note id>:<staff id>` (`…:email` for the fallback after Telegram failed for good),
reserved before sending through the one outbox (`scheduler.outbox`): a copy found still
`queued` was in flight when a process died, and the provider is asked before any resend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.staff.alert_render import AlertInvoice, AlertView, ExcerptLine, render_alert
from bot.staff.outbox import OUT, send_copy
from bot.staff.roles import Role
from i18n.staff_texts import Summary, st
from scheduler.alerts import (
    ALERT_CHANNEL,
    alert_recipients,
    queue_alert,
    queue_escalations,
)
from scheduler.channel import Channel
from scheduler.messages import Address, DeliveryOutcome, Outbound
from storage.db import Database
from storage.enums import MessageStatus
from storage.models import Customer, Message, Staff
from storage.queries.ledger import open_invoices
from storage.queries.messages import claim_notes, recent_talk
from storage.queries.staff import list_staff

__all__ = ["AlertStats", "deliver_alerts", "load_view", "queue_alert", "queue_escalations"]

#: A note still being sent after this long was left by a process that died: taken again.
LEASE = dt.timedelta(minutes=5)
#: A note whose copies keep failing with retryable errors is given up after this long.
RETRY_FOR = dt.timedelta(hours=24)
#: How many messages of the conversation an alert quotes.
EXCERPT_MESSAGES = 5


@dataclass
class AlertStats:
    """What one delivery pass did: notes taken, copies sent, failed, unknown, put back."""

    alerts: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    retried: int = 0


@dataclass(frozen=True, slots=True)
class _Copy:
    """One recipient's copy, on each usable channel in order of preference."""

    staff_id: int
    outbounds: tuple[Outbound, ...]


async def load_view(
    session: AsyncSession, *, note: Message, customer: Customer, now: dt.datetime
) -> AlertView:
    """The alert's content: open invoices and the last messages with the customer."""
    assert note.id is not None and customer.id is not None
    invoices = await open_invoices(session, customer_id=customer.id)
    recent = await recent_talk(session, customer_id=customer.id, limit=EXCERPT_MESSAGES * 4)
    # Copies of earlier alerts and digests sit in the same log; they are not the conversation.
    talk = [m for m in recent if not (m.template or "").startswith(("alert:", "digest:"))]
    excerpt = tuple(
        ExcerptLine(m.created_at, m.direction, m.channel, m.body or m.subject)
        for m in reversed(talk[:EXCERPT_MESSAGES])
    )
    return AlertView(
        note_id=note.id,
        kind=note.template or "alert",
        summary=Summary.from_json(note.data) or note.body,
        customer_id=customer.id,
        customer_code=customer.code,
        customer_name=customer.name,
        today=now.astimezone(ZoneInfo(customer.timezone)).date(),
        invoices=tuple(AlertInvoice(i.number, i.balance, i.currency, i.due_date) for i in invoices),
        excerpt=excerpt,
    )


def _copy(
    view: AlertView,
    staff: Staff,
    channels: Mapping[str, Channel],
    *,
    forwarded_for: str | None = None,
) -> _Copy:
    """The staff member's copy on Telegram (with buttons) and/or email (without); an
    admin's copy of an alert that could not reach `forwarded_for` says so first."""
    assert staff.id is not None
    zone, key = ZoneInfo(staff.timezone), f"alert:{view.note_id}:{staff.id}"
    outbounds: list[Outbound] = []
    template = f"alert:{view.kind}"
    lead = ""
    if forwarded_for is not None:
        lead = st("alert.forwarded", staff.language, names=forwarded_for)
        lead += "\n\n"
    if staff.telegram_user_id is not None and "telegram" in channels:
        shown = render_alert(view, language=staff.language, zone=zone)
        outbounds.append(
            Outbound(
                Address("telegram", str(staff.telegram_user_id), staff.name),
                lead + shown.text,
                key,
                subject=shown.subject,
                language=staff.language,
                template=template,
                buttons=shown.buttons,
            )
        )
    if staff.email and "email" in channels:
        shown = render_alert(view, language=staff.language, zone=zone, with_buttons=False)
        outbounds.append(
            Outbound(
                Address("email", staff.email, staff.name),
                lead + shown.text,
                f"{key}:email" if outbounds else key,
                subject=shown.subject,
                language=staff.language,
                template=template,
            )
        )
    return _Copy(staff.id, tuple(outbounds))


async def _deliver_note(
    db: Database,
    note_id: int,
    channels: Mapping[str, Channel],
    now: dt.datetime,
    stats: AlertStats,
) -> tuple[list[MessageStatus], dt.datetime]:
    """Every recipient's copy of one note, and the admins' when a recipient cannot be
    reached; their statuses and the note's age."""
    async with db.transaction() as session:
        note = await session.get(Message, note_id)
        assert note is not None
        customer = await session.get(Customer, note.customer_id) if note.customer_id else None
        if customer is None or customer.id is None:
            return [], note.created_at
        view = await load_view(session, note=note, customer=customer, now=now)
        people = await alert_recipients(session, customer=customer, kind=view.kind)
        team = await list_staff(session)
    statuses = []
    missed: list[Staff] = []
    for staff in people:
        status = await _send(db, _copy(view, staff, channels), customer.id, channels, now, stats)
        statuses.append(status)
        if status is MessageStatus.FAILED:
            missed.append(staff)
    # Someone who should act cannot be reached (no chat, no email, or both failed for
    # good): the admins get the alert, saying for whom, so it is never lost in silence.
    tried = {s.id for s in people}
    admins = [s for s in team if s.role == Role.ADMIN and s.id not in tried]
    for admin in admins if missed else []:
        names = ", ".join(s.name for s in missed)
        copy = _copy(view, admin, channels, forwarded_for=names)
        statuses.append(await _send(db, copy, customer.id, channels, now, stats))
    return statuses, note.created_at


async def _send(
    db: Database,
    copy: _Copy,
    customer_id: int,
    channels: Mapping[str, Channel],
    now: dt.datetime,
    stats: AlertStats,
) -> MessageStatus:
    """Send one copy through the outbox, counted in `stats`."""
    result = await send_copy(
        db, copy.outbounds, customer_id=customer_id, channels=channels, now=now
    )
    stats.sent += result.outcomes.count(DeliveryOutcome.SENT)
    stats.unknown += result.outcomes.count(DeliveryOutcome.UNKNOWN)
    stats.failed += result.status == MessageStatus.FAILED
    return result.status


async def _finish(
    db: Database,
    note_id: int,
    statuses: list[MessageStatus],
    created: dt.datetime,
    now: dt.datetime,
    stats: AlertStats,
) -> None:
    """The note is sent once every copy is out (or may be), failed when none can be."""
    error: tuple[str, str] | None = None
    # RETRY: a retryable failure; QUEUED: a copy a dead process had reserved, which the
    # provider could not account for yet. Both are taken again next pass.
    waiting = MessageStatus.RETRY in statuses or MessageStatus.QUEUED in statuses
    if waiting and now - created < RETRY_FOR:
        status = MessageStatus.QUEUED  # taken again next pass; sent copies are skipped
        stats.retried += 1
    elif any(s in OUT for s in statuses):
        status = MessageStatus.SENT
    else:
        status = MessageStatus.FAILED
        error = ("no_recipient", "no staff member can be reached for this alert")
        if statuses:
            error = ("undeliverable", "every copy of this alert failed")
    async with db.transaction() as session:
        note = await session.get(Message, note_id)
        assert note is not None
        note.status, note.updated_at = status, now
        if error is not None:
            note.error_code, note.error_message = error
        session.add(note)


async def deliver_alerts(
    db: Database,
    *,
    telegram: Channel | None,
    email: Channel | None,
    now: dt.datetime,
    limit: int = 100,
) -> AlertStats:
    """Send up to `limit` queued alerts to the people who should act on them."""
    channels = {n: c for n, c in (("telegram", telegram), ("email", email)) if c is not None}
    stats = AlertStats()
    try:
        claimed = await claim_notes(db, channel=ALERT_CHANNEL, now=now, lease=LEASE, limit=limit)
        for note_id in claimed:
            stats.alerts += 1
            statuses, created = await _deliver_note(db, note_id, channels, now, stats)
            await _finish(db, note_id, statuses, created, now, stats)
    finally:
        for channel in channels.values():
            await channel.close()
    return stats
