"""`parse_date`: the date a reply names, in Indonesian or English, anywhere in a sentence.

All rules run over the `canon` text. The answer is the match of the most specific tier
(1: a written month, 2: a day of the month, 3: relative words and weekdays), earliest in
the text, longest at the same place. A rule may match text that is no usable date ("31/2",
the duration "2 minggu"); such a match shadows the shorter matches it overlaps, so
"tgl 31/2" is not read as "tgl 31" and "2 minggu" is not Sunday.

The date is what the text says, past included ("kemarin", "25/03/2025"); callers that want
a promise check it is not before today. A past reference stays past: in a payment said to
be made ("sudah saya transfer tgl 10") a day without a year is the last such day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

from bot.nlu.date_relative import RELATIVE
from bot.nlu.date_rules import ABSOLUTE
from bot.nlu.text import canon

_RULES = (*ABSOLUTE, *RELATIVE)


@dataclass(frozen=True, slots=True)
class _Match:
    tier: int
    start: int
    end: int
    value: dt.date | None
    sure: bool

    def contains(self, other: _Match) -> bool:
        return self.start <= other.start and other.end <= self.end and self != other


def _matches(canonical: str, today: dt.date) -> list[_Match]:
    found = [
        _Match(rule.tier, m.start(), m.end(), rule.handler(m, today), rule.sure)
        for rule in _RULES
        for m in rule.pattern.finditer(canonical)
    ]
    return sorted(found, key=lambda m: (m.tier, m.start, m.start - m.end))


class DateReading(NamedTuple):
    """A date read from a reply, and whether the text named one day rather than a span."""

    value: dt.date
    sure: bool


# A payment said to be made ("sudah saya transfer", "udah dibayar", "paid", "lunas dari")
# names a past day: its "tgl 10" is the last 10th, not the next. A plan or a modal ("sudah
# saya jadwalkan", "sudah bisa", "depan") keeps the next one.
_DONE = re.compile(
    r"\b(?:sudah|telah|already)\b(?:\s+\w+){0,3}?\s+(?:di|ter|me[mn]?)?(?:bayar|transfer|lunas"
    r"|setor)\w*|\b(?:paid|transferred|settled)\b|\blunas\w* (?:dari|sejak|since)\b"
)
_PLAN = re.compile(
    r"\b(?:bisa|akan|mau|will|jadwal\w*|rencana\w*|schedul\w*|depan|besok|lusa|lagi|nanti"
    r"|next|tomorrow|belum|tidak|not)\b"
)


def read_date(text: str, today: dt.date) -> DateReading | None:
    """The date `text` names and whether it is sure ("minggu lalu" is a span read as a day)."""
    canonical = canon(text)
    reading = _pick(canonical, today)
    if reading is None or reading.value <= today:
        return reading
    if not _DONE.search(canonical) or _PLAN.search(canonical):
        return reading
    # Read from days further back, keep the latest not after today: the last "10th",
    # the last Friday, the last 30 November. A written year never moves.
    earlier = (_pick(canonical, today - dt.timedelta(days=back)) for back in (7, 31, 62, 366))
    past = [r for r in earlier if r is not None and r.value <= today]
    return max(past, key=lambda r: r.value) if past else reading


def _pick(canonical: str, today: dt.date) -> DateReading | None:
    """The most specific, earliest date match that no blocker shadows."""
    found = _matches(canonical, today)
    blockers = [m for m in found if m.value is None]
    for match in found:
        shadowed = any(
            b.start < match.end and match.start < b.end and not match.contains(b) for b in blockers
        )
        if match.value is not None and not shadowed:
            return DateReading(match.value, match.sure)
    return None


def parse_paid_date(text: str, today: dt.date) -> dt.date | None:
    """The day a payment said to be made names: the most recent such day, never after today.

    "tgl 28" on 30 September is 28 September, "27 Sep" is this year's, "senin" last Monday;
    a day that can only be future (a written year ahead) is no payment date.
    """
    canonical = canon(text)
    reading = _pick(canonical, today)
    if reading is not None and reading.value <= today:
        return reading.value
    earlier = (_pick(canonical, today - dt.timedelta(days=back)) for back in (7, 31, 62, 366))
    past = [r.value for r in earlier if r is not None and r.value <= today]
    return max(past) if past else None


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """The date `text` names relative to `today` ("besok", "tgl 25", "25/3"), or None."""
    reading = read_date(text, today)
    return reading.value if reading is not None else None


_CLAUSES = re.compile(r",|;|\btapi\b|\bbut\b|\bmaksudnya\b|\bi mean\b", re.IGNORECASE)


#: A clause that rules a day out, wherever the word sits: "bukan jumat", "jumat tidak bisa",
#: "gak bisa jumat" (canonical: "tidak bisa"), "not friday".
_NEGATED = re.compile(r"\b(?:bukan|jangan|tidak|not|no|never|instead of|can not)\b")


def parse_last_date(text: str, today: dt.date) -> dt.date | None:
    """The day a correction means: the first clause not negated that names one ("bukan
    jumat, senin", "senin aja, bukan jumat" mean Monday); without a negated clause, the
    whole text ("tgl 5, bulan depan" is 5 December)."""
    clauses = _CLAUSES.split(text)
    if not any(_NEGATED.search(canon(clause)) for clause in clauses):
        return parse_date(text, today)
    for clause in clauses:
        when = None if _NEGATED.search(canon(clause)) else parse_date(clause, today)
        if when is not None:
            return when
    return None


def date_spans(canonical: str) -> list[tuple[int, int]]:
    """Where date-like text sits in `canon` text, so amounts are not read out of dates."""
    reference = dt.date(2000, 1, 1)  # any day: only the positions matter
    return [(m.start, m.end) for m in _matches(canonical, reference)]
