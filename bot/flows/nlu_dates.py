"""`parse_date`: the date a reply names, in Indonesian or English, anywhere in a sentence.

All rules run over the `canon` text. The answer is the match of the most specific tier
(1: a written month, 2: a day of the month, 3: relative words and weekdays), earliest in
the text, longest at the same place. A rule may match text that is no usable date ("31/2",
the duration "2 minggu"); such a match shadows the shorter matches it overlaps, so
"tgl 31/2" is not read as "tgl 31" and "2 minggu" is not Sunday.

The date is what the text says, past included ("kemarin", "25/03/2025"); callers that want
a promise check it is not before today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.flows.nlu_date_relative import RELATIVE
from bot.flows.nlu_date_rules import ABSOLUTE
from bot.flows.nlu_text import canon

_RULES = (*ABSOLUTE, *RELATIVE)


@dataclass(frozen=True, slots=True)
class _Match:
    tier: int
    start: int
    end: int
    value: dt.date | None

    def contains(self, other: _Match) -> bool:
        return self.start <= other.start and other.end <= self.end and self != other


def _matches(canonical: str, today: dt.date) -> list[_Match]:
    found = [
        _Match(rule.tier, m.start(), m.end(), rule.handler(m, today))
        for rule in _RULES
        for m in rule.pattern.finditer(canonical)
    ]
    return sorted(found, key=lambda m: (m.tier, m.start, m.start - m.end))


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """The date `text` names relative to `today` ("besok", "tgl 25", "25/3"), or None."""
    found = _matches(canon(text), today)
    blockers = [m for m in found if m.value is None]
    for match in found:
        shadowed = any(
            b.start < match.end and match.start < b.end and not match.contains(b) for b in blockers
        )
        if match.value is not None and not shadowed:
            return match.value
    return None


def date_spans(canonical: str) -> list[tuple[int, int]]:
    """Where date-like text sits in `canon` text, so amounts are not read out of dates."""
    reference = dt.date(2000, 1, 1)  # any day: only the positions matter
    return [(m.start, m.end) for m in _matches(canonical, reference)]
