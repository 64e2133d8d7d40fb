"""Aging: open balances as of a date by bucket of days past due, per customer and in total.

Written-off invoices are left out; disputed ones are counted (they are still owed) and the
tables name them. Each currency is a report of its own: amounts are never summed across
currencies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import InvoiceStatus
from storage.reports.common import (
    BUCKETS,
    NO_FILTERS,
    ZERO,
    Filters,
    InvoiceFact,
    bucket_of,
    by_currency,
    empty_buckets,
    json_amount,
    load_invoices,
)
from storage.reports.table import (
    Cell,
    Column,
    Tabular,
)


@dataclass(slots=True)
class AgingLine:
    """Open balances of one customer (or salesperson, or everyone) by bucket."""

    key: str
    name: str = ""
    buckets: dict[str, Decimal] = field(default_factory=empty_buckets)
    disputed: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """The sum over the buckets."""
        return sum(self.buckets.values(), ZERO)

    def add(self, fact: InvoiceFact, as_of: dt.date) -> None:
        """Count the fact's open balance in its bucket."""
        self.buckets[bucket_of(fact.days_late(as_of))] += fact.balance
        if fact.status == InvoiceStatus.DISPUTED:
            self.disputed += fact.balance

    def buckets_json(self) -> dict[str, int | float]:
        """The buckets as JSON numbers."""
        return {name: json_amount(amount) for name, amount in self.buckets.items()}


def owed(facts: Iterable[InvoiceFact]) -> list[InvoiceFact]:
    """The facts still owed: a positive open balance and not written off."""
    return [f for f in facts if f.balance > 0 and f.status != InvoiceStatus.WRITTEN_OFF]


def group_aging(
    facts: Iterable[InvoiceFact],
    as_of: dt.date,
    key: Callable[[InvoiceFact], tuple[str, str]],
) -> tuple[AgingLine, list[AgingLine]]:
    """The total line and one line per `key` (key, name), largest total first, then by key."""
    total = AgingLine("TOTAL")
    lines: dict[str, AgingLine] = {}
    for fact in facts:
        code, name = key(fact)
        lines.setdefault(code, AgingLine(code, name)).add(fact, as_of)
        total.add(fact, as_of)
    return total, sorted(lines.values(), key=lambda line: (-line.total, line.key))


@dataclass(frozen=True, slots=True)
class AgingReport:
    """Aging of one currency as of a date."""

    as_of: dt.date
    currency: str
    total: AgingLine
    customers: list[AgingLine]
    disputed: list[tuple[str, str]]  # (invoice number, customer code), counted in the figures

    def to_json(self) -> dict[str, object]:
        """`{"as_of", "currency", "total", "buckets", "customers": [...]}`."""
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "total": json_amount(self.total.total),
            "buckets": self.total.buckets_json(),
            "customers": [
                {"customer": c.key, "total": json_amount(c.total), "buckets": c.buckets_json()}
                for c in self.customers
            ],
        }

    def tables(self) -> list[Tabular]:
        """One table: a row per customer, the total as footer."""
        columns = (
            Column("customer"),
            Column("name"),
            *(Column(b, "money") for b in BUCKETS),
            Column("total", "money"),
            Column("disputed", "money"),
        )

        def row(line: AgingLine) -> tuple[Cell, ...]:
            return (line.key, line.name, *line.buckets.values(), line.total, line.disputed)

        notes: tuple[str, ...] = ()
        if self.disputed:
            listed = ", ".join(f"{number} ({code})" for number, code in self.disputed)
            notes = (f"Disputed invoices are counted, they are still owed: {listed}.",)
        return [
            Tabular(
                title=f"Aging as of {self.as_of.isoformat()} ({self.currency})",
                columns=columns,
                rows=[row(c) for c in self.customers],
                currency=self.currency,
                total=row(self.total),
                notes=notes,
            )
        ]


def aging_of(facts: Iterable[InvoiceFact], *, as_of: dt.date, currency: str) -> AgingReport:
    """The aging of facts in one currency (pure)."""
    open_facts = owed(facts)
    total, customers = group_aging(open_facts, as_of, lambda f: (f.customer.code, f.customer.name))
    disputed = [
        (f.number, f.customer.code) for f in open_facts if f.status == InvoiceStatus.DISPUTED
    ]
    return AgingReport(as_of, currency, total, customers, disputed)


async def aging_report(
    session: AsyncSession,
    *,
    as_of: dt.date,
    filters: Filters = NO_FILTERS,
    default_currency: str = "IDR",
) -> list[AgingReport]:
    """Aging as of `as_of`, one report per currency (the business currency first)."""
    facts = await load_invoices(session, as_of=as_of, filters=filters)
    return [
        aging_of(group, as_of=as_of, currency=code)
        for code, group in by_currency(facts, default=default_currency)
    ]
