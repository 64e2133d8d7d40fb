"""Helpers the customer flows share: money in words, the open invoices, past dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.flows.nlu import parse_date
from bot.flows.types import Facts
from bot.i18n.format import format_money


def money(facts: Facts, amount: Decimal | None) -> str:
    """An amount in the customer's main currency, or every open total when None."""
    if amount is not None:
        currency = facts.invoices[0].currency if facts.invoices else "IDR"
        return format_money(amount, currency, facts.language)
    return ", ".join(
        format_money(total, currency, facts.language) for currency, total in facts.totals().items()
    )


def open_ids(facts: Facts) -> tuple[int, ...]:
    """The ids of the customer's open invoices."""
    return tuple(invoice.id for invoice in facts.invoices)


def past_date(text: str, today: dt.date) -> dt.date | None:
    """Past dates a payment claim may name ("kemarin", "tadi", "yesterday")."""
    lowered = text.lower()
    if "kemarin" in lowered or "kmrn" in lowered or "yesterday" in lowered:
        return today - dt.timedelta(days=1)
    if "tadi" in lowered or "barusan" in lowered or "hari ini" in lowered or "today" in lowered:
        return today
    # parse_date gives the next occurrence after a reference day; reading from several
    # days back and keeping the latest one not after today gives the most recent past one
    # ("tgl 20" on the 23rd is the 20th of this month, "senin" last Monday).
    found = {parse_date(text, today - dt.timedelta(days=back)) for back in (0, 7, 31, 62, 366)}
    past = [day for day in found if day is not None and day <= today]
    return max(past) if past else None
