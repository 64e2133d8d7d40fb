"""Keyword-only queries shared across the bot, returning plain values or rows."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import ChannelKind, Direction, MessageStatus
from storage.models import Contact, Conversation, LinkToken, Message

#: A deep link in a reminder stays valid this long.
LINK_TOKEN_DAYS = 30


async def link_token_for(
    session: AsyncSession,
    *,
    customer_id: int | None = None,
    staff_id: int | None = None,
    now: dt.datetime,
) -> str:
    """An unused, unexpired Telegram deep-link token for the customer (or staff), reused
    while valid so every reminder of the month carries the same link."""
    if (customer_id is None) == (staff_id is None):
        raise ValueError("a link token binds exactly one customer or one staff member")
    query = select(LinkToken).where(
        col(LinkToken.used_at).is_(None),
        col(LinkToken.expires_at) > now,
        LinkToken.customer_id == customer_id
        if customer_id is not None
        else LinkToken.staff_id == staff_id,
    )
    existing = (await session.exec(query)).first()
    if existing is not None:
        return existing.token
    # Telegram allows [A-Za-z0-9_-]{1,64} in a start parameter.
    token = secrets.token_urlsafe(24)
    session.add(
        LinkToken(
            token=token,
            customer_id=customer_id,
            staff_id=staff_id,
            created_at=now,
            expires_at=now + dt.timedelta(days=LINK_TOKEN_DAYS),
        )
    )
    await session.flush()
    return token


async def redeem_link_token(
    session: AsyncSession, *, token: str, now: dt.datetime
) -> LinkToken | None:
    """Mark a valid token used and return it; None when unknown, used or expired."""
    row = (await session.exec(select(LinkToken).where(LinkToken.token == token))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    session.add(row)
    return row


async def find_contact(
    session: AsyncSession, *, channel: str, address: str, any_case: bool = False
) -> Contact | None:
    """The contact with this address on this channel (the oldest, if shared); with
    `any_case`, the address matched without regard to case (an email address)."""
    same = (
        func.lower(Contact.address) == address.lower() if any_case else Contact.address == address
    )
    query = select(Contact).where(Contact.channel == channel, same).order_by(col(Contact.id))
    return (await session.exec(query)).first()


async def find_conversation(
    session: AsyncSession, *, channel: str, address: str
) -> Conversation | None:
    """The stored conversation held on this channel with this address, if any."""
    query = select(Conversation).where(
        Conversation.channel == channel, Conversation.address == address
    )
    return (await session.exec(query)).first()


async def recorded_provider_ids(
    session: AsyncSession,
    *,
    customer_id: int | None,
    channel: str,
    since: dt.datetime,
    skew: dt.timedelta = dt.timedelta(minutes=10),
) -> frozenset[str]:
    """Provider ids already in the customer's log on `channel` since `since` (less a skew).

    A provider asked about a message a dead worker reserved must not match one of these.
    """
    rows = await session.exec(
        select(Message.provider_id).where(
            Message.customer_id == customer_id,
            Message.channel == channel,
            col(Message.provider_id).is_not(None),
            col(Message.updated_at) >= since - skew,
        )
    )
    return frozenset(pid for pid in rows.all() if pid is not None)


#: Key of the PostgreSQL advisory lock that serialises counting against the WhatsApp limit.
WHATSAPP_QUOTA_LOCK = 0x7A61_0001


async def whatsapp_conversations(session: AsyncSession, *, since: dt.datetime) -> set[str]:
    """Addresses sent a WhatsApp reminder since `since`: the business-initiated conversations
    counted against Meta's daily limit (replies inside a service window are not reminders).

    On PostgreSQL the caller's transaction first takes an advisory lock held until it
    commits, so workers deciding at once count each other's reservations (SQLite has one
    writer already).
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.exec(select(func.pg_advisory_xact_lock(WHATSAPP_QUOTA_LOCK)))
    rows = await session.exec(
        select(Message.address)
        .where(
            Message.channel == ChannelKind.WHATSAPP,
            Message.direction == Direction.OUTBOUND,
            col(Message.followup_id).is_not(None),
            col(Message.created_at) >= since,
            col(Message.status).not_in((MessageStatus.FAILED, MessageStatus.RETRY)),
        )
        .distinct()
    )
    return set(rows.all())
