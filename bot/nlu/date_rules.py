"""Date rules where the day is written: "25/3", "25 Maret 2026", "March 25th", "tgl 25"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.nlu import calendar as cal
from bot.nlu.text import NUMBER_WORD_PATTERN

Handler = Callable[[re.Match[str], dt.date], "dt.date | None"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A regex over `canon` text, its tier (1 = most specific) and what date it names.

    A handler returning None marks text that is *not* a usable date ("31/2", the duration
    "2 minggu"); the match still shadows the shorter matches it overlaps.
    """

    tier: int
    pattern: re.Pattern[str]
    handler: Handler
    sure: bool = True  # False for a vague span read as one day ("minggu lalu"): confirm it


def rule(
    rules: list[Rule], tier: int, pattern: str, *, sure: bool = True
) -> Callable[[Handler], Handler]:
    """Register the decorated handler in `rules` with its tier and pattern."""

    def register(handler: Handler) -> Handler:
        rules.append(Rule(tier, re.compile(pattern), handler, sure))
        return handler

    return register


ABSOLUTE: list[Rule] = []

_MONTH = cal.alternation(cal.MONTHS)
_PREFIX = r"(?:on\s+|tanggal(?:nya)?\.?\s*)?(?:the\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)"
NUMBER = rf"(?:\d{{1,3}}|{NUMBER_WORD_PATTERN})"
# A number followed by one of these is a duration, an amount or a count, never a day.
NOT_A_DAY = (
    r"(?!\s*(?:hari|days?|minggu|pekan|weeks?|bulan|months?|juta|ribu|k|x|kali|jam|%)(?!\w))"
)

# --- tier 1: the month is written -------------------------------------------------------


@rule(ABSOLUTE, 1, r"\b(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\b")
def _iso(m: re.Match[str], today: dt.date) -> dt.date | None:
    return cal.explicit(int(m[1]), int(m[3]), int(m[4]))


@rule(
    ABSOLUTE,
    1,
    rf"\b{_PREFIX}(?<![\d/.,-])(\d{{1,2}})\s*([/-])\s*(\d{{1,2}})"
    rf"(?:\s*\2\s*(\d{{4}}|\d{{2}}))?(?![/-]?\d){NOT_A_DAY}",
)
def _numeric(m: re.Match[str], today: dt.date) -> dt.date | None:
    day, month = int(m[1]), int(m[3])  # day first: the Indonesian order
    if m[4]:
        return cal.explicit(int(m[4]), month, day)
    return cal.next_occurrence(today, month, day) if 1 <= month <= 12 else None


@rule(ABSOLUTE, 1, rf"\b{_PREFIX}(?<![\d.,])(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}})\b")
def _dotted(m: re.Match[str], today: dt.date) -> dt.date | None:
    return cal.explicit(int(m[3]), int(m[2]), int(m[1]))


@rule(
    ABSOLUTE,
    1,
    rf"\b{_PREFIX}(\d{{1,2}}){_ORDINAL}?[\s-]*(?:of\s+)?({_MONTH})\b\.?"
    rf"(?:[\s,-]*(\d{{4}}|\d{{2}})(?!\w){NOT_A_DAY})?",
)
def _day_month(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _with_year(today, m[3], cal.MONTHS[m[2]], int(m[1]))


@rule(ABSOLUTE, 1, rf"\b({_MONTH})\b\.?[\s-]*(\d{{1,2}}){_ORDINAL}?(?:\s*,?\s*(\d{{4}}))?(?!\w)")
def _month_day(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _with_year(today, m[3], cal.MONTHS[m[1]], int(m[2]))


@rule(
    ABSOLUTE,
    1,
    rf"\b(awal|early|beginning of|bulan|in|akhir|end of|(?:per)?tengah(?:an)?|mid|middle of)"
    rf"\s+({_MONTH})\b(?!\.?\s*\d)",
)
def _part_of_month(m: re.Match[str], today: dt.date) -> dt.date | None:
    month = cal.MONTHS[m[2]]  # "awal Desember" = 1 Dec, "akhir Desember" = 31 Dec
    if m[1] in ("akhir", "end of"):
        day = cal.last_day(today.year + (month < today.month), month)
    else:
        day = 15 if m[1].startswith(("per", "teng", "mid")) else 1
    return cal.next_occurrence(today, month, day)


def _with_year(today: dt.date, year: str | None, month: int, day: int) -> dt.date | None:
    if year:
        return cal.explicit(int(year), month, day)
    return cal.next_occurrence(today, month, day)


# --- tier 2: a day of the month ---------------------------------------------------------


@rule(ABSOLUTE, 2, r"\btanggal(?:nya)?\.?\s*(\d{1,2})(?:\s*an)?\s+(?:bulan depan|next month)\b")
def _day_next_month(m: re.Match[str], today: dt.date) -> dt.date | None:
    day = int(m[1])
    return cal.add_months(today, 1, day) if 1 <= day <= 31 else None


# A past reference stays past: "tgl 20 kemarin" said on 28 December is 20 December, never
# 20 January; "tgl 25 bulan lalu" is in the previous month.
@rule(
    ABSOLUTE,
    2,
    r"\btanggal(?:nya)?\.?\s*(\d{1,2})(?:an)?\s+(?:(bulan|month)\s+)?(?:kemarin|lalu|yang lalu"
    r"|sebelumnya|last|ago)\b",
)
def _day_before(m: re.Match[str], today: dt.date) -> dt.date | None:
    day = int(m[1])
    if not 1 <= day <= 31:
        return None
    if m[2]:
        return cal.add_months(today, -1, day)
    return cal.previous_day_of_month(today, day)


@rule(ABSOLUTE, 2, r"\btanggal(?:nya)?\.?\s*(\d{1,2})(?:\s*an)?\s+(?:bulan ini|this month)\b")
def _day_this_month(m: re.Match[str], today: dt.date) -> dt.date | None:
    day = int(m[1])  # "tgl 1 bulan ini": this month's, before or after today
    return cal.add_months(today, 0, day) if 1 <= day <= 31 else None


@rule(ABSOLUTE, 2, r"\btanggal(?:nya)?\.?\s*(?:ke\s*-?\s*)?(\d{1,2})(?:an)?(?![\d/.-]?\d)")
def _day_of_month(m: re.Match[str], today: dt.date) -> dt.date | None:
    return cal.next_day_of_month(today, int(m[1]))


@rule(ABSOLUTE, 2, rf"\b(?:on\s+)?(?:the\s+)?(\d{{1,2}}){_ORDINAL}\b")
def _ordinal(m: re.Match[str], today: dt.date) -> dt.date | None:
    return cal.next_day_of_month(today, int(m[1]))
