"""Scoring a corpus of replies as the flows would record them (issue 16).

The date scored is the one the flow records for the intent read: a promise's date
(`parse_date`), a payment claim's most recent past day (`parse_paid_date`), none otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from bot.nlu.reading import classify, parse_amount, parse_date, parse_paid_date

SCORES = ("intent", "amount", "date", "all")


class Case(NamedTuple):
    """One reply of a corpus and what a collector reads in it."""

    text: str
    # intent is one of: promise, paid, method, dispute, instalment, handoff, opt_out, opt_in,
    # language, unknown
    intent: str
    amount: Decimal | None  # money amount stated, in rupiah; None when no money amount is stated
    date: dt.date | None  # payment date for paid, promised date for promise, else None


def rp(n: int) -> Decimal:
    """An amount in rupiah, as the corpora write it."""
    return Decimal(n)


def reading(text: str, today: dt.date) -> tuple[str, Decimal | None, dt.date | None]:
    """(intent, amount, date) as the flows would record them."""
    intent = classify(text).value
    if intent == "promise":
        date = parse_date(text, today)
    elif intent == "paid":
        date = parse_paid_date(text, today)
    else:
        date = None
    return intent, parse_amount(text), date


def score(cases: Sequence[Case], today: dt.date) -> tuple[dict[str, float], list[str]]:
    """Each score as a share of the cases, and a line for every case not read in full."""
    counts = dict.fromkeys(SCORES, 0)
    misses: list[str] = []
    for case in cases:
        got = reading(case.text, today)
        want = (case.intent, case.amount, case.date)
        hits = [g == w for g, w in zip(got, want, strict=True)]
        for name, hit in zip(SCORES, [*hits, all(hits)], strict=True):
            counts[name] += hit
        if not all(hits):
            misses.append(f"{case.text!r}: got {got}, want {want}")
    return {name: count / len(cases) for name, count in counts.items()}, misses


def report(scores: dict[str, float], size: int) -> str:
    """`intent 150/161 (93.2%), ...`"""
    return ", ".join(f"{n} {round(s * size)}/{size} ({s:.1%})" for n, s in scores.items())
