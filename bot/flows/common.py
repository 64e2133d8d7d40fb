"""Helpers the customer flows share: money in words, which invoices an answer covers, dates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from bot.flows.types import Facts, InvoiceFact
from bot.nlu.reading import is_yes
from i18n.format import format_money


def confirmed(payload: str | None, text: str) -> bool:
    """Whether the answer confirms: the Yes button (payload "yes"), or a typed yes as
    customers write it ("ya pak", "siap", "iya bener", "👍")."""
    return payload == "yes" if payload else is_yes(text)


def money(facts: Facts, amount: Decimal | None, currency: str | None = None) -> str:
    """An amount in `currency` (the first chased invoice's by default), or every open total."""
    if amount is not None:
        return format_money(amount, currency or main_currency(facts), facts.language)
    return totals_text(facts.invoices, facts.language)


def totals_text(invoices: Iterable[InvoiceFact], language: str) -> str:
    """The balance of `invoices` per currency, never summed across currencies."""
    sums: dict[str, Decimal] = {}
    for invoice in invoices:
        sums[invoice.currency] = sums.get(invoice.currency, Decimal(0)) + invoice.balance
    return " + ".join(format_money(total, cur, language) for cur, total in sums.items())


def numbers(invoices: Iterable[InvoiceFact]) -> str:
    """Invoice numbers as a customer reads them: `INV-1, INV-2`."""
    return ", ".join(invoice.number for invoice in invoices)


def open_ids(facts: Facts) -> tuple[int, ...]:
    """The ids of the customer's open invoices."""
    return tuple(invoice.id for invoice in facts.invoices)


def chased(facts: Facts) -> tuple[InvoiceFact, ...]:
    """The invoices a promise or claim without an amount is about: those due by today.

    An invoice not yet due is included only when nothing is due yet: a customer paying
    early is welcome, but a promise for the overdue invoice must not silently cover the
    next month's one too.
    """
    due = tuple(invoice for invoice in facts.invoices if invoice.due_date <= facts.today)
    return due or facts.invoices


def main_currency(facts: Facts) -> str:
    """The currency an amount the customer types is read in: the oldest chased invoice's."""
    first = chased(facts)
    return first[0].currency if first else "IDR"


def balance(facts: Facts, currency: str) -> Decimal:
    """The open balance in one currency (invoices due or not)."""
    return sum((i.balance for i in facts.invoices if i.currency == currency), Decimal(0))


def cover(facts: Facts, amount: Decimal | None) -> tuple[InvoiceFact, ...]:
    """The invoices an amount pays, those the customer named first, then the oldest due,
    in the amount's currency only."""
    if amount is None:
        return chased(facts)
    currency = main_currency(facts)
    covered: list[InvoiceFact] = []
    running = Decimal(0)
    order = sorted(facts.invoices, key=lambda i: (i.id not in facts.first, i.due_date, i.number))
    for invoice in order:
        if invoice.currency != currency:
            continue
        if running >= amount:
            break
        covered.append(invoice)
        running += invoice.balance
    return tuple(covered)


def named_invoices(text: str, facts: Facts) -> list[int]:
    """The open invoices whose numbers the text names as words ("inv-2", not in "inv-20")."""
    lowered = text.lower()
    return [
        inv.id
        for inv in facts.invoices
        if re.search(rf"(?<![\w-]){re.escape(inv.number.lower())}(?![\w-])", lowered)
    ]


def narrowed(facts: Facts, ids: Iterable[int]) -> Facts:
    """The facts as if only the invoices `ids` were open (a claim or promise for one)."""
    keep = set(ids)
    return replace(facts, invoices=tuple(i for i in facts.invoices if i.id in keep))


def unpaid_invoices(text: str, facts: Facts) -> list[int]:
    """The open invoices the text names as not paid ("inv-1 blm", "INV-2 belum", "inv-2 not
    yet"): in a claim, the ones it is not about."""
    lowered = text.lower()
    return [
        inv.id
        for inv in facts.invoices
        if re.search(
            # "inv-2 blm", "inv-2nya belum", "belum inv-2"; never across a comma ("tf inv-1,
            # belum inv-2" leaves INV-1 paid)
            rf"(?<![\w-]){re.escape(inv.number.lower())}(?:nya)?(?![\w-])[^\w,]*"
            r"(?:belum|blm|not yet|unpaid|not paid)\b"
            rf"|\b(?:belum|blm|not yet)[^\w,]*{re.escape(inv.number.lower())}(?![\w-])",
            lowered,
        )
    ]
