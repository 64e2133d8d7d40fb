"""Send the digests when each staff member's local time comes: once per person and day.

Run it often (every few minutes): a staff member gets the digest the first time a run finds
their local time past `at` (on `weekday`, for a weekly one); the idempotency key
`digest:<kind>:<staff id>:<local date>` makes every later run that day a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.staff.digests import collector_digest, sales_digest
from bot.staff.outbox import send_copy
from bot.staff.roles import Role
from scheduler.channel import Channel
from scheduler.messages import Address, DeliveryOutcome, Outbound
from storage.db import Database
from storage.enums import MessageStatus
from storage.models import Staff
from storage.queries.messages import key_in_use
from storage.queries.staff import list_staff, named_collectors, named_salespeople

DigestKind = Literal["collector", "sales"]
_Render = Callable[..., Awaitable[str]]
_RENDER: dict[str, _Render] = {"collector": collector_digest, "sales": sales_digest}


@dataclass
class DigestStats:
    """What one run did: digests sent, not sent (no channel), failed, unknown."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    unknown: int = 0


async def _named(session: AsyncSession, kind: DigestKind) -> set[int]:
    """Staff named as collector (or salesperson) of some customer or invoice."""
    if kind == "collector":
        return await named_collectors(session)
    return await named_salespeople(session)


def _wants(staff: Staff, kind: DigestKind, named: set[int]) -> bool:
    """Collectors (salespeople) get their digest; an admin gets it when named on customers."""
    own = Role.COLLECTOR if kind == "collector" else Role.SALES
    return staff.role == own or (staff.role == Role.ADMIN and staff.id in named)


def _outbounds(staff: Staff, text: str, key: str, kind: str) -> tuple[Outbound, ...]:
    """Telegram when bound, else (or after it failed for good) email."""
    subject, template = text.splitlines()[0], f"digest:{kind}"
    out: list[Outbound] = []
    if staff.telegram_user_id is not None:
        to = Address("telegram", str(staff.telegram_user_id), staff.name)
        out.append(Outbound(to, text, key, subject, language=staff.language, template=template))
    if staff.email:
        to = Address("email", staff.email, staff.name)
        email_key = f"{key}:email" if out else key
        out.append(
            Outbound(to, text, email_key, subject, language=staff.language, template=template)
        )
    return tuple(out)


async def send_digests(
    db: Database,
    *,
    telegram: Channel | None,
    email: Channel | None,
    now: dt.datetime,
    kind: DigestKind,
    at: dt.time = dt.time(8, 0),
    weekday: int | None = None,
    currency: str = "IDR",
) -> DigestStats:
    """Send today's `kind` digest to each staff member whose local time is past `at`
    (on `weekday`, Monday = 0, when given) and who has not had it today."""
    channels = {n: c for n, c in (("telegram", telegram), ("email", email)) if c is not None}
    stats = DigestStats()
    plans: list[tuple[Staff, tuple[Outbound, ...]]] = []
    async with db.sessions() as session:
        named = await _named(session, kind)
        for staff in await list_staff(session):
            local = now.astimezone(ZoneInfo(staff.timezone))
            late_enough = local.time() >= at and weekday in (None, local.weekday())
            if not late_enough or not _wants(staff, kind, named):
                continue
            key = f"digest:{kind}:{staff.id}:{local.date().isoformat()}"
            if await key_in_use(session, keys=(key, f"{key}:email")):
                continue
            text = await _RENDER[kind](session, staff=staff, now=now, currency=currency)
            usable = [o for o in _outbounds(staff, text, key, kind) if o.to.channel in channels]
            if not usable:
                stats.unreachable += 1
                continue
            plans.append((staff, tuple(usable)))
    try:
        for _, outbounds in plans:
            result = await send_copy(db, outbounds, customer_id=None, channels=channels, now=now)
            stats.sent += result.outcomes.count(DeliveryOutcome.SENT)
            stats.unknown += result.outcomes.count(DeliveryOutcome.UNKNOWN)
            stats.failed += result.status == MessageStatus.FAILED
    finally:
        for channel in channels.values():
            await channel.close()
    return stats
