"""Keyword-only queries shared across the bot, returning plain values or rows."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Contact, LinkToken

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


async def find_contact(session: AsyncSession, *, channel: str, address: str) -> Contact | None:
    """The contact with this address on this channel (the oldest, if shared)."""
    return (
        await session.exec(
            select(Contact)
            .where(Contact.channel == channel, Contact.address == address)
            .order_by(col(Contact.id))
        )
    ).first()
