"""Runtime settings in the Setting table: the keys admins change by chat, the global
pause, and one-time confirmation nonces.

The window, send time and holidays stored here override `.env` until changed again
(`scheduler.window_overrides` applies them); the dispatcher reads `paused_all` on every
tick, so a change applies without a restart.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Setting

#: {"start": "08:00", "end": "20:00", "days": "mon-sat"}
WINDOW_KEY = "window"
#: "09:00"
SEND_TIME_KEY = "send_time"
#: true / false
HOLIDAYS_KEY = "holidays"
#: {"paused": true, "by": "staff:Ani", "at": "2026-03-25T02:00:00+00:00"}
PAUSED_KEY = "paused_all"
CONFIRM_PREFIX = "confirm:"
#: A confirmation button left unpressed this long no longer applies.
CONFIRM_TTL = dt.timedelta(minutes=10)


async def get_setting(session: AsyncSession, *, key: str) -> Any:
    """The stored value of `key`, or None."""
    row = await session.get(Setting, key)
    return row.value if row is not None else None


async def put_setting(session: AsyncSession, *, key: str, value: Any, now: dt.datetime) -> Any:
    """Store `value` under `key`; the value it replaces (None when new)."""
    row = await session.get(Setting, key)
    before = row.value if row is not None else None
    if row is None:
        row = Setting(key=key)
    row.value, row.updated_at = value, now
    session.add(row)
    await session.flush()
    return before


async def paused_all(session: AsyncSession) -> bool:
    """True while an admin's global stop switch is on: nothing goes out to customers."""
    value = await get_setting(session, key=PAUSED_KEY)
    return isinstance(value, dict) and value.get("paused") is True


async def set_paused_all(
    session: AsyncSession, *, paused: bool, actor: str, now: dt.datetime
) -> bool:
    """Turn the global stop switch on or off; whether it was on before."""
    before = await paused_all(session)
    value = {"paused": paused, "by": actor, "at": now.isoformat()}
    await put_setting(session, key=PAUSED_KEY, value=value, now=now)
    return before


@dataclass(frozen=True, slots=True)
class Confirmation:
    """An action waiting for its button press: who asked, what, with which arguments."""

    nonce: str
    action: str
    staff_id: int
    data: dict[str, Any]


async def create_confirmation(
    session: AsyncSession, *, action: str, staff_id: int, data: dict[str, Any], now: dt.datetime
) -> str:
    """Store a one-time nonce for `action` asked by `staff_id`; the nonce for the button."""
    # Expired nonces are dropped here: there are few, and no job needs to sweep them.
    await session.exec(
        delete(Setting).where(
            col(Setting.key).startswith(CONFIRM_PREFIX), col(Setting.updated_at) < now - CONFIRM_TTL
        )
    )
    nonce = secrets.token_urlsafe(9)
    value = {"action": action, "staff_id": staff_id, "data": data}
    await put_setting(session, key=CONFIRM_PREFIX + nonce, value=value, now=now)
    return nonce


async def find_confirmation(
    session: AsyncSession, *, nonce: str, action: str, now: dt.datetime
) -> Confirmation | None:
    """The pending confirmation for this nonce and action; None when unknown or expired."""
    row = await session.get(Setting, CONFIRM_PREFIX + nonce)
    if row is None or row.updated_at < now - CONFIRM_TTL or not isinstance(row.value, dict):
        return None
    value = row.value
    if value.get("action") != action:
        return None
    return Confirmation(nonce, action, int(value["staff_id"]), dict(value.get("data") or {}))


async def drop_confirmation(session: AsyncSession, *, nonce: str) -> None:
    """Use up a nonce: a second press of the same button does nothing."""
    row = await session.get(Setting, CONFIRM_PREFIX + nonce)
    if row is not None:
        await session.delete(row)
        await session.flush()
