"""Runtime settings in the Setting table: contact window, send time, holidays, global pause.

Admins change these by chat command; they override `.env` until changed again. The
planner and dispatcher read them through `effective_window` and `paused_all`, so a change
applies on the next tick without a restart. One-time confirmation nonces live here too.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import WEEKDAYS, parse_weekdays
from bot.i18n.staff_texts import keyed
from scheduler.window import Window
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
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?")


def parse_clock(text: str) -> dt.time:
    """`08:00`, `8.30` or `9` → a time; ValueError naming the text otherwise."""
    match = _CLOCK.fullmatch(text.strip())
    error = keyed(
        ValueError(f"not a time of day (HH:MM): {text!r}"), "parse.clock", text=repr(text)
    )
    if match is None:
        raise error
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise error
    return dt.time(hour, minute)


def clock_text(moment: dt.time) -> str:
    """A time as `HH:MM`."""
    return moment.strftime("%H:%M")


def days_text(days: frozenset[int]) -> str:
    """ISO weekday numbers as `mon-sat` or `mon,wed,fri` (runs joined by a dash)."""
    ordered, runs = sorted(days), []
    start = prev = ordered[0]
    for day in [*ordered[1:], None]:
        if day is not None and day == prev + 1:
            prev = day
            continue
        runs.append(WEEKDAYS[start] if start == prev else f"{WEEKDAYS[start]}-{WEEKDAYS[prev]}")
        if day is not None:
            start = prev = day
    return ",".join(runs)


def window_json(window: Window) -> dict[str, Any]:
    """What the audit log and `/window` show of a window."""
    return {
        "start": clock_text(window.start),
        "end": clock_text(window.end),
        "days": days_text(window.days),
        "send_time": clock_text(window.send_time),
        "holidays": window.holidays,
    }


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


def apply_overrides(default: Window, values: dict[str, Any]) -> Window:
    """The default window with the stored overrides applied (pure; bad values are ignored)."""
    window = default
    stored = values.get(WINDOW_KEY)
    try:
        if isinstance(stored, dict):
            window = replace(
                window,
                start=parse_clock(stored["start"]),
                end=parse_clock(stored["end"]),
                days=parse_weekdays(stored["days"]),
            )
        if isinstance(values.get(SEND_TIME_KEY), str):
            window = replace(window, send_time=parse_clock(values[SEND_TIME_KEY]))
        if isinstance(values.get(HOLIDAYS_KEY), bool):
            window = replace(window, holidays=values[HOLIDAYS_KEY])
    except (KeyError, TypeError, ValueError):
        # A hand-edited row must not stop the scheduler: fall back to `.env`.
        return default
    return window


async def effective_window(session: AsyncSession, default: Window) -> Window:
    """The contact window in force: `.env`'s (`default`) with the admins' changes applied."""
    keys = (WINDOW_KEY, SEND_TIME_KEY, HOLIDAYS_KEY)
    rows = (await session.exec(select(Setting).where(col(Setting.key).in_(keys)))).all()
    return apply_overrides(default, {row.key: row.value for row in rows})


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
