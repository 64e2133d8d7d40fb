"""The contact window in force: `.env`'s window with the admins' chat changes applied.

Admins change the window, send time and holidays by chat command; the rows in the Setting
table override `.env` until changed again. The planner and dispatcher read them through
`effective_window`, so a change applies on the next tick without a restart.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n.staff_texts import keyed
from scheduler.window import WEEKDAYS, Window, parse_weekdays
from storage.models import Setting
from storage.queries.settings import HOLIDAYS_KEY, SEND_TIME_KEY, WINDOW_KEY

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
