"""Deep links (issue 11, security): one-time, expiring, unguessable, and a refused link
binds nothing and says nothing about anyone."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.inbound.router import InboundRouter
from scheduler.messages import Address, Inbound
from storage.db import Database
from storage.models import Contact
from storage.queries.contacts import LINK_TOKEN_DAYS, link_token_for
from tests.support.factories import add_customer

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


def start(token: str, chat: str, at: dt.datetime, n: int) -> Inbound:
    """`/start TOKEN` from a Telegram chat, as the channel turns it into an inbound."""
    return Inbound(
        sender=Address("telegram", chat),
        text=f"/start {token}",
        received_at=at,
        provider_id=f"tg:{n}",
        payload=f"start:{token}",
    )


async def telegram_contacts(db: Database) -> list[tuple[int, str]]:
    async with db.sessions() as session:
        rows = (await session.exec(select(Contact).where(Contact.channel == "telegram"))).all()
    return [(c.customer_id, c.address) for c in rows]


async def test_an_expired_link_binds_nothing_and_reveals_nothing(db: Database) -> None:
    customer_id = await add_customer(db, "C001", name="PT Maju Jaya", invoices=[])
    async with db.transaction() as session:
        token = await link_token_for(session, customer_id=customer_id, now=NOW)
    late = NOW + dt.timedelta(days=LINK_TOKEN_DAYS, seconds=1)
    router = InboundRouter(db, default_language="id", clock=lambda: late)
    routed = await router.handle(start(token, "555001", late, 1))
    [reply] = routed.replies
    assert "tidak berlaku" in reply.body and "Maju" not in reply.body
    assert routed.customer_id is None
    assert await telegram_contacts(db) == []
    # Within its validity the same kind of link binds (the test above is not vacuous).
    async with db.transaction() as session:
        fresh = await link_token_for(session, customer_id=customer_id, now=late)
    assert fresh != token  # an expired token is never handed out again
    routed = await router.handle(start(fresh, "555001", late, 2))
    assert routed.customer_id == customer_id
    assert await telegram_contacts(db) == [(customer_id, "555001")]


async def test_a_guessed_or_reused_link_binds_nothing(db: Database) -> None:
    customer_id = await add_customer(db, "C001", name="PT Maju Jaya", invoices=[])
    async with db.transaction() as session:
        token = await link_token_for(session, customer_id=customer_id, now=NOW)
    router = InboundRouter(db, default_language="id", clock=lambda: NOW)
    assert (await router.handle(start(token, "555001", NOW, 1))).customer_id == customer_id
    for n, (guess, chat) in enumerate(
        [(token, "666"), (token[:-1] + ("A" if token[-1] != "A" else "B"), "667"), ("1", "668")],
        start=2,
    ):
        routed = await router.handle(start(guess, chat, NOW, n))
        assert routed.customer_id is None and "Maju" not in routed.replies[0].body
    assert await telegram_contacts(db) == [(customer_id, "555001")]


async def test_tokens_are_unguessable(db: Database) -> None:
    """At least 128 random bits each (Telegram allows 64 characters of [A-Za-z0-9_-])."""
    ids = [await add_customer(db, f"C{n:03}", invoices=[]) for n in range(50)]
    async with db.transaction() as session:
        tokens = {await link_token_for(session, customer_id=i, now=NOW) for i in ids}
    assert len(tokens) == 50
    assert all(len(t) >= 22 and len(t) <= 64 for t in tokens)  # 22 base64 chars = 132 bits
    assert all(
        set(t) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        for t in tokens
    )
