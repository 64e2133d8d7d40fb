"""Calendar arithmetic and the month and weekday names the date rules read."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

_MONTH_SPELLINGS: dict[int, tuple[str, ...]] = {
    1: ("januari", "january", "jan"),
    2: ("februari", "february", "pebruari", "febuari", "feb", "peb"),
    3: ("maret", "march", "mar"),
    4: ("april", "apr"),
    5: ("mei", "may"),
    6: ("juni", "june", "jun"),
    7: ("juli", "july", "jul"),
    8: ("agustus", "august", "agu", "agt", "ags", "aug"),
    9: ("september", "sept", "sep"),
    10: ("oktober", "october", "okt", "oct"),
    11: ("november", "nopember", "nov", "nop"),
    12: ("desember", "december", "des", "dec"),
}
MONTHS: dict[str, int] = {
    name: number for number, names in _MONTH_SPELLINGS.items() for name in names
}
_WEEKDAY_SPELLINGS: dict[int, tuple[str, ...]] = {
    # "senen", "rebo", "kemis", "setu": Javanese and Betawi spellings; the three-letter
    # forms are dateparser's `id` abbreviations ("min" is not: in chats it is "admin")
    0: ("senin", "snin", "senen", "sen", "monday", "mon"),
    1: ("selasa", "slasa", "sel", "tuesday", "tues", "tue"),
    2: ("rabu", "rebo", "rab", "wednesday", "wed"),
    3: ("kamis", "kemis", "kam", "thursday", "thurs", "thur", "thu"),
    4: ("jumat", "jumaat", "jmt", "jum", "friday", "fri"),
    5: ("sabtu", "setu", "sab", "saturday", "sat"),
    6: ("ahad", "sunday", "sun"),  # "minggu" is also "week": the date rules treat it apart
}
WEEKDAYS: dict[str, int] = {
    name: number for number, names in _WEEKDAY_SPELLINGS.items() for name in names
}
WEEKDAYS["minggu"] = 6


def alternation(names: Iterable[str]) -> str:
    """A regex alternation of names, longest first so "sept" is tried before "sep"."""
    return "|".join(sorted(names, key=len, reverse=True))


def last_day(year: int, month: int) -> int:
    """The number of days in a month."""
    return calendar.monthrange(year, month)[1]


def add_months(day: dt.date, months: int, day_of_month: int | None = None) -> dt.date:
    """The same (or the given) day of the month `months` later, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    wanted = day.day if day_of_month is None else day_of_month
    return dt.date(year, month + 1, min(wanted, last_day(year, month + 1)))


def end_of_month(day: dt.date, months: int = 0) -> dt.date:
    """The last day of this month, or of the month `months` later."""
    return add_months(day, months, 31)


def next_day_of_month(today: dt.date, day: int) -> dt.date | None:
    """The next "25th": this month unless that day has passed, clamped to short months."""
    if not 1 <= day <= 31:
        return None
    return add_months(today, 0 if day >= today.day else 1, day)


def previous_day_of_month(today: dt.date, day: int) -> dt.date:
    """The last "20th" before today: this month if passed, else the month before (clamped)."""
    return add_months(today, 0 if day < today.day else -1, day)


def weekday_before(today: dt.date, weekday: int) -> dt.date:
    """The last given weekday strictly before today, 1-7 days back."""
    return today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)


def explicit(year: int, month: int, day: int) -> dt.date | None:
    """A fully written date ("25/03/26" → 2026), or None when no such day exists."""
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def next_occurrence(today: dt.date, month: int, day: int) -> dt.date | None:
    """A day and month without a year: this year unless passed, else the next year it exists."""
    for year in range(today.year, today.year + 9):  # nine years always reach a 29 February
        candidate = explicit(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def monday_of(day: dt.date) -> dt.date:
    """The Monday that starts the (ISO) week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def weekday_after(today: dt.date, weekday: int, *, include_today: bool = False) -> dt.date:
    """The next given weekday: 1-7 days ahead, or 0-6 with `include_today`."""
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + dt.timedelta(days=ahead)
