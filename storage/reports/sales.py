"""Receivables aging per salesperson, ranked: who keeps their customers paying on time.

An invoice belongs to its own salesperson, else to its customer's. Each salesperson's share
of balances more than 60 days late is (61-90 + 90+) / their total open balance; the ranking
puts the lowest share first, ties broken by the larger total (a clean book that is bigger
ranks higher), then by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.reports.aging import AgingLine, group_aging, owed
from storage.reports.common import (
    BUCKETS,
    NO_FILTERS,
    Filters,
    InvoiceFact,
    by_currency,
    json_amount,
    json_ratio,
    load_invoices,
)
from storage.reports.table import (
    Column,
    Tabular,
)

#: The buckets that count as "more than 60 days late".
LATE_60 = ("61-90", "90+")


@dataclass(frozen=True, slots=True)
class SalesLine:
    """One salesperson's aging, 60+ share and rank."""

    aging: AgingLine
    share_60_plus: float | None  # None when nothing is open
    rank: int

    @property
    def salesperson(self) -> str:
        """The salesperson's name."""
        return self.aging.key


def late_amount(line: AgingLine) -> Decimal:
    """The part of the line's open balance that is more than 60 days late."""
    return sum((line.buckets[b] for b in LATE_60), Decimal(0))


def late_share(line: AgingLine) -> float | None:
    """The share of the line's open balance that is more than 60 days late (4 places)."""
    return json_ratio(late_amount(line), line.total)


def rank_lines(lines: Iterable[AgingLine]) -> list[SalesLine]:
    """Rank by 60+ share (lowest first), then larger total, then name."""

    def order(line: AgingLine) -> tuple[Decimal, Decimal, str]:
        # Exact shares: two that round alike must still rank by their true values.
        share = late_amount(line) / line.total if line.total else Decimal(0)
        return share, -line.total, line.key

    ranked = sorted(lines, key=order)
    return [SalesLine(line, late_share(line), rank) for rank, line in enumerate(ranked, start=1)]


@dataclass(frozen=True, slots=True)
class SalesReport:
    """Aging per salesperson in one currency as of a date."""

    as_of: dt.date
    currency: str
    total: AgingLine
    salespeople: list[SalesLine]

    def to_json(self) -> dict[str, object]:
        """Like aging, with `salespeople` (`share_60_plus`, `rank`) instead of customers."""
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "total": json_amount(self.total.total),
            "buckets": self.total.buckets_json(),
            "salespeople": [
                {
                    "salesperson": s.salesperson,
                    "total": json_amount(s.aging.total),
                    "buckets": s.aging.buckets_json(),
                    "share_60_plus": s.share_60_plus,
                    "rank": s.rank,
                }
                for s in self.salespeople
            ],
        }

    def tables(self) -> list[Tabular]:
        """One table, best salesperson first."""
        columns = (
            Column("rank", "count"),
            Column("salesperson"),
            *(Column(b, "money") for b in BUCKETS),
            Column("total", "money"),
            Column("60+ share", "rate"),
        )
        rows = [
            (s.rank, s.salesperson, *s.aging.buckets.values(), s.aging.total, s.share_60_plus)
            for s in self.salespeople
        ]
        total = (None, "TOTAL", *self.total.buckets.values(), self.total.total)
        return [
            Tabular(
                title=f"Receivables aging by salesperson, {self.as_of.isoformat()} "
                f"({self.currency})",
                columns=columns,
                rows=rows,
                currency=self.currency,
                total=(*total, late_share(self.total)),
                notes=("Ranked by the share more than 60 days late, lowest first.",),
            )
        ]


def sales_of(facts: Iterable[InvoiceFact], *, as_of: dt.date, currency: str) -> SalesReport:
    """The salesperson ranking of facts in one currency (pure)."""
    total, lines = group_aging(owed(facts), as_of, lambda f: (f.salesperson, f.salesperson))
    return SalesReport(as_of, currency, total, rank_lines(lines))


async def sales_report(
    session: AsyncSession,
    *,
    as_of: dt.date,
    filters: Filters = NO_FILTERS,
    default_currency: str = "IDR",
) -> list[SalesReport]:
    """The salesperson ranking as of `as_of`, one report per currency."""
    facts = await load_invoices(session, as_of=as_of, filters=filters)
    return [
        sales_of(group, as_of=as_of, currency=code)
        for code, group in by_currency(facts, default=default_currency)
    ]
