"""Late analysis: what the invoices more than 60 days late have in common.

The invoices more than `threshold` days past due as of the date (open balance > 0, not
written off; disputed ones count) grouped four ways — salesperson, item, customer, segment —
each group with its count, its open amount and its share of the whole late amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.reports.aging import owed
from storage.reports.common import (
    NO_FILTERS,
    ZERO,
    Filters,
    InvoiceFact,
    by_currency,
    json_amount,
    json_ratio,
    load_invoices,
)
from storage.reports.table import (
    Cell,
    Column,
    Tabular,
)

#: Late means more than this many days past due.
LATE_DAYS = 60
#: The ways the late invoices are grouped, with how each reads an invoice.
DIMENSIONS: dict[str, Callable[[InvoiceFact], str]] = {
    "salesperson": lambda f: f.salesperson,
    "item": lambda f: f.item,
    "customer": lambda f: f.customer.code,
    "segment": lambda f: f.customer.segment,
}


@dataclass(frozen=True, slots=True)
class LateGroup:
    """Late invoices sharing one value of one dimension."""

    key: str
    count: int
    amount: Decimal
    share: float | None


@dataclass(frozen=True, slots=True)
class LateReport:
    """The late invoices of one currency and their groups."""

    as_of: dt.date
    currency: str
    invoices: list[tuple[InvoiceFact, int]]  # (invoice, days late), most late first
    groups: dict[str, list[LateGroup]]

    @property
    def total(self) -> Decimal:
        """The late amount."""
        return sum((f.balance for f, _ in self.invoices), ZERO)

    def to_json(self) -> dict[str, object]:
        """`{"as_of", "currency", "count", "total", "groups": {dimension: [...]}, "invoices"}`."""
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "count": len(self.invoices),
            "total": json_amount(self.total),
            "groups": {
                name: [
                    {
                        "key": g.key,
                        "count": g.count,
                        "amount": json_amount(g.amount),
                        "share": g.share,
                    }
                    for g in groups
                ]
                for name, groups in self.groups.items()
            },
            "invoices": [
                {
                    "invoice": f.number,
                    "customer": f.customer.code,
                    "days_late": days,
                    "amount": json_amount(f.balance),
                    "status": f.status,
                }
                for f, days in self.invoices
            ],
        }

    def tables(self) -> list[Tabular]:
        """One table, a section per dimension."""
        rows: list[tuple[Cell, ...]] = []
        sections: list[int] = []
        for name, groups in self.groups.items():
            sections.append(len(rows))
            rows.extend((name, g.key, g.count, g.amount, g.share) for g in groups)
        return [
            Tabular(
                title=f"Invoices more than {LATE_DAYS} days late on {self.as_of.isoformat()} "
                f"({self.currency})",
                columns=(
                    Column("by"),
                    Column("value"),
                    Column("invoices", "count"),
                    Column("amount", "money"),
                    Column("share", "rate"),
                ),
                rows=rows,
                currency=self.currency,
                total=("all", "", len(self.invoices), self.total, 1.0 if self.invoices else None),
                sections=tuple(sections[1:]),
            )
        ]


def group_late(
    invoices: list[tuple[InvoiceFact, int]], read: Callable[[InvoiceFact], str]
) -> list[LateGroup]:
    """Group late invoices by one dimension: largest amount first, then by key."""
    counts: dict[str, int] = {}
    amounts: dict[str, Decimal] = {}
    for fact, _ in invoices:
        key = read(fact)
        counts[key] = counts.get(key, 0) + 1
        amounts[key] = amounts.get(key, ZERO) + fact.balance
    whole = sum(amounts.values(), ZERO)
    groups = [LateGroup(k, counts[k], amounts[k], json_ratio(amounts[k], whole)) for k in counts]
    return sorted(groups, key=lambda g: (-g.amount, g.key))


def late_of(
    facts: Iterable[InvoiceFact], *, as_of: dt.date, currency: str, days: int = LATE_DAYS
) -> LateReport:
    """The late analysis of facts in one currency (pure)."""
    late = [(f, f.days_late(as_of)) for f in owed(facts) if f.days_late(as_of) > days]
    late.sort(key=lambda pair: (-pair[1], pair[0].number))
    groups = {name: group_late(late, read) for name, read in DIMENSIONS.items()}
    return LateReport(as_of, currency, late, groups)


async def late_report(
    session: AsyncSession,
    *,
    as_of: dt.date,
    filters: Filters = NO_FILTERS,
    default_currency: str = "IDR",
) -> list[LateReport]:
    """The late analysis as of `as_of`, one report per currency."""
    facts = await load_invoices(session, as_of=as_of, filters=filters)
    return [
        late_of(group, as_of=as_of, currency=code)
        for code, group in by_currency(facts, default=default_currency)
    ]
