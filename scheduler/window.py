"""The contact window: which local days and hours a customer may be contacted (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

#: Public holidays plus cuti bersama (joint leave days), as Indonesian collectors observe.
HOLIDAY_CATEGORIES = ("public", "government")
MAX_SEARCH_DAYS = 60


@lru_cache(maxsize=64)
def _holiday_dates(country: str, year: int) -> frozenset[dt.date]:
    # Imported on first use: `holidays` loads its country modules (a fifth of a second), and
    # every command that reads the settings imports this module for `parse_weekdays`.
    import holidays as holidays_lib

    try:
        calendar = holidays_lib.country_holidays(
            country, years=[year], categories=HOLIDAY_CATEGORIES
        )
    except NotImplementedError:
        # Countries without a "government" category still have public holidays.
        calendar = holidays_lib.country_holidays(country, years=[year])
    return frozenset(calendar.keys())


@dataclass(frozen=True, slots=True)
class Window:
    """Allowed local hours and weekdays, the daily send time, and the holiday calendar."""

    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(20, 0)
    days: frozenset[int] = field(default_factory=lambda: frozenset(range(6)))
    send_time: dt.time = dt.time(9, 0)
    holidays: bool = True
    country: str = "ID"
    # Planning asks the same window about the same days for every customer: its hash keys
    # those caches, so it is computed once rather than over every field at each lookup.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Refuse windows that can never open."""
        if not self.start < self.end:
            raise ValueError(f"window start {self.start} is not before end {self.end}")
        if not self.days:
            raise ValueError("a contact window needs at least one weekday")
        fields = (self.start, self.end, self.days, self.send_time, self.holidays, self.country)
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        """The hash of the fields, computed once."""
        return self._hash

    def is_holiday(self, day: dt.date) -> bool:
        """True when `day` is a holiday in the configured calendar."""
        return self.holidays and day in _holiday_dates(self.country, day.year)

    def is_open_day(self, day: dt.date) -> bool:
        """True when contacts are allowed on this local day."""
        return day.weekday() in self.days and not self.is_holiday(day)

    def next_open_day(self, day: dt.date) -> dt.date:
        """`day` itself when open, else the next open day."""
        return _next_open_day(self, day)

    def _search_open_day(self, day: dt.date) -> dt.date:
        for delta in range(MAX_SEARCH_DAYS):
            candidate = day + dt.timedelta(days=delta)
            if self.is_open_day(candidate):
                return candidate
        raise ValueError(f"no open day within {MAX_SEARCH_DAYS} days of {day}")

    def send_moment(self, day: dt.date, zone: ZoneInfo) -> dt.datetime:
        """The planned send time on a local day, as an aware UTC datetime."""
        return _send_moment(self, day, zone)

    def is_open_at(self, moment: dt.datetime, zone: ZoneInfo) -> bool:
        """True when an aware `moment` falls inside the window in the customer's zone."""
        local = moment.astimezone(zone)
        return self.is_open_day(local.date()) and self.start <= local.time() < self.end

    def next_opening(self, moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """`moment` when inside the window, else the next time the window opens (UTC)."""
        if self.is_open_at(moment, zone):
            return moment.astimezone(dt.UTC)
        local = moment.astimezone(zone)
        day = local.date()
        if self.is_open_day(day) and local.time() < self.start:
            return dt.datetime.combine(day, self.start, tzinfo=zone).astimezone(dt.UTC)
        day = self.next_open_day(day + dt.timedelta(days=1))
        return dt.datetime.combine(day, self.start, tzinfo=zone).astimezone(dt.UTC)


@lru_cache(maxsize=65536)
def _next_open_day(window: Window, day: dt.date) -> dt.date:
    """Cached: planning asks the same few hundred days for every customer."""
    return window._search_open_day(day)


@lru_cache(maxsize=65536)
def _send_moment(window: Window, day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Cached: every customer of a zone is planned at the same moment of a day."""
    at = min(max(window.send_time, window.start), window.end)
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _keyed(exc: ValueError, key: str, **values: str) -> ValueError:
    """`i18n.staff_texts.keyed`, imported only when a setting is wrong (it loads Babel)."""
    from i18n.staff_texts import keyed

    return keyed(exc, key, **values)


def parse_weekdays(text: str) -> frozenset[int]:
    """Parse `mon-sat` or `mon,wed,fri` into ISO weekday numbers (Monday = 0)."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise _keyed(
                    ValueError(f"unknown weekday in {part!r} (use mon..sun)"),
                    "parse.weekday",
                    text=repr(part),
                )
            start, end = WEEKDAYS.index(first), WEEKDAYS.index(last)
            if end < start:
                raise _keyed(
                    ValueError(f"range {part!r} runs backwards"), "parse.backwards", text=repr(part)
                )
            days.update(range(start, end + 1))
        elif part in WEEKDAYS:
            days.add(WEEKDAYS.index(part))
        else:
            raise _keyed(
                ValueError(f"unknown weekday {part!r} (use mon..sun)"),
                "parse.weekday",
                text=repr(part),
            )
    if not days:
        raise _keyed(ValueError("no weekdays given"), "parse.no_weekdays")
    return frozenset(days)
