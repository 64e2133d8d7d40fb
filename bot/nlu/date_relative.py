"""Tier-3 date rules: words relative to today ("besok", "2 minggu lagi") and weekdays.

Weekdays: a bare "jumat"/"friday" is the next Friday strictly after today; "jumat ini" /
"this friday" may be today; "jumat depan" / "next friday" / "jumat minggu depan" is the
Friday of the next calendar week (weeks run Monday to Sunday), so said on a Monday it is
11 days away, not 4. "minggu depan" alone is simply today + 7.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from bot.nlu import calendar as cal
from bot.nlu.date_rules import NUMBER, Rule, rule
from bot.nlu.text import small_number

RELATIVE: list[Rule] = []


def _days(n: int) -> Callable[[dt.date], dt.date]:
    return lambda today: today + dt.timedelta(days=n)


def _week_day(weeks: int, weekday: int) -> Callable[[dt.date], dt.date]:
    return lambda today: cal.monday_of(today) + dt.timedelta(days=7 * weeks + weekday)


def _weekend(today: dt.date) -> dt.date:
    return cal.weekday_after(today, 5, include_today=True)


_PHRASES: tuple[tuple[str, Callable[[dt.date], dt.date]], ...] = (
    (
        r"hari ini|today|sekarang|right now|tonight|later today"
        r"|nanti (?:pagi|siang|sore|malam)|(?:pagi|siang|sore|malam) ini"
        r"|this (?:morning|afternoon|evening)|jam ini|menit ini",
        _days(0),
    ),
    # a payment made earlier today: "baru saja", "barusan", "tadi pagi", "just now"
    (
        r"baru saja|barusan|tadi(?: (?:pagi|siang|sore))?|just now|earlier today",
        _days(0),
    ),
    (r"besok|tomorrow", _days(1)),
    (r"besok lusa|lusa|(?:the )?day after tomorrow", _days(2)),
    (r"kemarin|yesterday|semalam|semalem|tadi malam|last night", _days(-1)),
    (r"kemarin lusa|kemarin dulu|(?:the )?day before yesterday", _days(-2)),
    (r"minggu depan|pekan depan|next week|minggu berikutnya", _days(7)),
    (
        r"awal (?:minggu|pekan)(?: depan)?|(?:early|beginning of|start of) next week",
        _week_day(1, 0),
    ),
    (r"akhir (?:minggu|pekan)(?: ini)?|(?:this )?weekend|end of (?:the |this )?week", _weekend),
    (r"akhir (?:minggu|pekan) depan|next weekend|end of next week", _week_day(1, 5)),
    (r"akhir bulan(?: ini)?|end of (?:the |this )?month|month end", cal.end_of_month),
    (r"akhir bulan depan|end of next month", lambda today: cal.end_of_month(today, 1)),
    (
        r"(?:awal )?bulan depan|awal bulan|(?:early )?next month|bulan berikutnya"
        r"|(?:beginning|start) of (?:the )?next month",
        lambda today: cal.add_months(today, 1, 1),
    ),
    (
        r"(?:per)?tengah(?:an)? bulan(?: ini)?|mid ?month|middle of the month",
        lambda today: cal.add_months(today, 0 if today.day <= 15 else 1, 15),
    ),
    (r"(?:per)?tengah(?:an)? bulan depan|mid next month", lambda t: cal.add_months(t, 1, 15)),
    (r"akhir tahun(?: ini)?|end of (?:the |this )?year", lambda t: dt.date(t.year, 12, 31)),
    (r"(?:awal )?tahun depan|(?:early )?next year", lambda t: dt.date(t.year + 1, 1, 1)),
)


# Vague spans read as one day ("minggu lalu" = a week ago): the flow confirms them.
_VAGUE: tuple[tuple[str, Callable[[dt.date], dt.date]], ...] = (
    (r"minggu (?:lalu|kemarin|yang lalu)|pekan (?:lalu|kemarin)|last week", _days(-7)),
    (r"bulan (?:lalu|kemarin|yang lalu)|last month", lambda t: cal.add_months(t, -1)),
    (r"tahun (?:lalu|kemarin|yang lalu)|last year", lambda t: cal.add_months(t, -12)),
)


def _phrase_handler(when: Callable[[dt.date], dt.date]) -> Callable[..., dt.date]:
    return lambda m, today: when(today)


for _pattern, _when in _PHRASES:
    RELATIVE.append(Rule(3, re.compile(rf"\b(?:{_pattern})\b"), _phrase_handler(_when)))
for _pattern, _when in _VAGUE:
    RELATIVE.append(Rule(3, re.compile(rf"\b(?:{_pattern})\b"), _phrase_handler(_when), False))

_UNIT = r"(hari|h|days?|minggu|pekan|weeks?|bulan|months?|tahun|years?)"
_LATER = r"(?:lagi|ke ?depan|dari sekarang|from now|later)"
_AGO = r"(?:yang\s+)?(?:lalu|sebelumnya|ago)"
# Hours, minutes and seconds: a collections bot records days, so these stay within today.
_CLOCK = r"(?:jam|menit|detik|hours?|minutes?|mins?|seconds?|secs?)"


def _shift(today: dt.date, count: int | None, unit: str, sign: int = 1) -> dt.date | None:
    if count is None or not 0 < count <= 366:
        return None
    if unit.startswith(("bulan", "month", "tahun", "year")):
        years = unit.startswith(("tahun", "year"))
        return cal.add_months(today, sign * count * (12 if years else 1))
    weeks = unit.startswith(("minggu", "pekan", "week"))
    return today + dt.timedelta(days=sign * count * (7 if weeks else 1))


@rule(RELATIVE, 3, rf"(?<![\d.,])\b({NUMBER})\s*{_UNIT}\s+{_AGO}\b")
def _ago(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _shift(today, small_number(m[1]), m[2], -1)  # "3 hari yang lalu", "2 h lalu"


# Tier 4, below every day rule: "senin jam 10" is Monday, "nanti jam 3" alone is today.
@rule(
    RELATIVE,
    4,
    rf"\b(?:{NUMBER})\s*{_CLOCK}\s*(?:{_AGO}|{_LATER})"
    rf"|\b(?:dalam|within|in)\s+(?:waktu\s+)?(?:{NUMBER})\s*{_CLOCK}\b"
    r"|\bnanti\s+(?:jam|pukul|pkl)\s*\d{1,2}(?:[.:]\d{2})?\b"  # a bare "jam 10.30" is no day
    r"|\b(?:jam|pukul|pkl)\s*\d{1,2}(?:[.:]\d{2})?\s+nanti\b",
)
def _within_today(m: re.Match[str], today: dt.date) -> dt.date | None:
    return today


@rule(RELATIVE, 3, rf"\b({NUMBER})\s*-\s*({NUMBER})\s*{_UNIT}\s*{_LATER}")
def _range_later(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _shift(today, small_number(m[2]), m[3])  # "2-3 hari lagi": the later end


@rule(RELATIVE, 3, rf"(?<![\d.,])\b({NUMBER})\s*{_UNIT}\s*{_LATER}")
def _later(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _shift(today, small_number(m[1]), m[2])


@rule(RELATIVE, 3, rf"\b(?:dalam|within|in)\s+(?:waktu\s+)?({NUMBER})\s*{_UNIT}\b")
def _within(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _shift(today, small_number(m[1]), m[2])


# A bare duration or count ("cicil 3 bulan", "tiap minggu", "minggu lalu") is no date; as a
# match it also stops "minggu" in it from being read as Sunday.
@rule(
    RELATIVE,
    3,
    rf"(?<![\d.,])\b(?:{NUMBER}|beberapa|tiap|setiap|per)\s*{_UNIT}\b"
    r"|\bminggu ini\b|\bthis week\b",
)
def _duration(m: re.Match[str], today: dt.date) -> dt.date | None:
    return None


_WEEKDAY = cal.alternation(name for name in cal.WEEKDAYS if name != "minggu")
_NEXT_WEEK = r"depan|minggu depan|pekan depan|next week"


@rule(
    RELATIVE,
    3,
    rf"\b(?:(next|this|coming|on|last)\s+)?(?:hari\s+(minggu)\b|(?:hari\s+)?({_WEEKDAY}|minggu"
    rf"(?!\s*(?:depan|ini|lagi|lalu|kemarin|ke ?depan|berikutnya|yang)\b))\b)"
    rf"(?:\s*,?\s*({_NEXT_WEEK}|ini|this week|besok|kemarin|lalu|yang lalu))?",
)
def _weekday(m: re.Match[str], today: dt.date) -> dt.date | None:
    weekday = cal.WEEKDAYS[m[2] or m[3]]
    prefix, suffix = m[1] or "", m[4] or ""
    if prefix == "last" or suffix in ("kemarin", "lalu", "yang lalu"):
        return cal.weekday_before(today, weekday)  # "jumat kemarin": a past reference
    if prefix == "next" or re.fullmatch(_NEXT_WEEK, suffix):
        return cal.monday_of(today) + dt.timedelta(days=7 + weekday)
    this = prefix == "this" or suffix in ("ini", "this week")
    return cal.weekday_after(today, weekday, include_today=this)
