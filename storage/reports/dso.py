"""Days sales outstanding by the countback method.

Receivables R: the open balances as of the date D (written-off invoices left out, disputed
ones in). Then walk back month by month from D — each window runs from the same day of the
previous month (exclusive; month ends stay month ends) to its end (inclusive) — taking each
window's invoiced sales S (by issue date, whatever became of the invoice):

- while R ≥ S, count the window's days in full and subtract: R <- R - S;
- once R < S, count the fraction R / S of the window's days and stop.

The walk looks back at most `days` days (the last window is cut at D - days); when the
receivables outlast the period, DSO is reported as the period itself, `capped`: "more than".

Worked example, D = 2026-03-31, R = 150: March sold 100 → 31 days, 50 left; February sold
100 → 50/100 * 28 = 14 days; DSO = 45.0.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.constants import DSO_DAYS
from storage.reports.aging import owed
from storage.reports.common import (
    NO_FILTERS,
    ZERO,
    Filters,
    InvoiceFact,
    by_currency,
    json_amount,
    load_invoices,
)
from storage.reports.table import (
    Column,
    Tabular,
)

DEFAULT_DAYS = DSO_DAYS


def month_back(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier: month ends map to month ends, else clamped."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, last if at_end else min(day.day, last))


def _hundredths(days: Decimal) -> Decimal:
    """Days to two places, halves up (a fraction of a month can run to many digits)."""
    return days.quantize(Decimal("0.01"), ROUND_HALF_UP)


def windows(as_of: dt.date, days: int) -> list[tuple[dt.date, dt.date]]:
    """The (first, last) days of each month window back from `as_of`, within `days` days."""
    floor = as_of - dt.timedelta(days=days)  # exclusive: the period is (floor, as_of]
    out: list[tuple[dt.date, dt.date]] = []
    end, k = as_of, 0
    while end > floor:
        k += 1
        start = max(month_back(as_of, k), floor)
        out.append((start + dt.timedelta(days=1), end))
        end = start
    return out


@dataclass(frozen=True, slots=True)
class DsoMonth:
    """One window of the walk: its sales, what was left to explain, the days it counted."""

    first: dt.date
    last: dt.date
    sales: Decimal
    remaining: Decimal  # receivables still unexplained when this window was reached
    counted: Decimal  # days this window adds to the DSO

    @property
    def days(self) -> int:
        """Calendar days in the window."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class DsoReport:
    """Countback DSO of one currency as of a date."""

    as_of: dt.date
    currency: str
    days: int
    receivables: Decimal
    months: list[DsoMonth]
    dso: Decimal
    capped: bool  # receivables outlasted the period: DSO is "more than `days`"

    @property
    def rounded(self) -> Decimal:
        """The DSO to one decimal place, halves up."""
        return self.dso.quantize(Decimal("0.1"), ROUND_HALF_UP)

    def to_json(self) -> dict[str, object]:
        """`{"as_of", "currency", "days", "receivables", "dso", "capped", "months": [...]}`."""
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "days": self.days,
            "receivables": json_amount(self.receivables),
            "dso": float(self.rounded),
            "capped": self.capped,
            "months": [
                {
                    "first": m.first.isoformat(),
                    "last": m.last.isoformat(),
                    "days": m.days,
                    "sales": json_amount(m.sales),
                    "remaining": json_amount(m.remaining),
                    "counted_days": float(_hundredths(m.counted)),
                }
                for m in self.months
            ],
        }

    def tables(self) -> list[Tabular]:
        """One table: the walk, month by month."""
        more = "more than " if self.capped else ""
        return [
            Tabular(
                title=f"DSO (countback) on {self.as_of.isoformat()}, last {self.days} days "
                f"({self.currency})",
                columns=(
                    Column("from", "date"),
                    Column("to", "date"),
                    Column("days", "count"),
                    Column("sales", "money"),
                    Column("left to explain", "money"),
                    Column("counted days", "days"),
                ),
                rows=[
                    (m.first, m.last, m.days, m.sales, m.remaining, _hundredths(m.counted))
                    for m in self.months
                ],
                currency=self.currency,
                total=(
                    f"DSO{' >' if self.capped else ''}",
                    None,
                    None,
                    None,
                    self.receivables,
                    self.rounded,
                ),
                notes=(f"DSO: {more}{self.rounded} days.",),
            )
        ]


def countback(
    *,
    as_of: dt.date,
    days: int,
    receivables: Decimal,
    sales: Iterable[tuple[dt.date, Decimal]],
    currency: str = "IDR",
) -> DsoReport:
    """The countback walk over (issue date, amount) sales (pure; see the module docstring)."""
    sales = list(sales)
    remaining, dso = receivables, ZERO
    months: list[DsoMonth] = []
    for first, last in windows(as_of, days):
        if remaining <= 0:
            break
        sold = sum((amount for day, amount in sales if first <= day <= last), ZERO)
        span = Decimal((last - first).days + 1)
        counted = span if remaining >= sold else span * remaining / sold
        months.append(DsoMonth(first, last, sold, remaining, counted))
        dso += counted
        remaining = max(ZERO, remaining - sold)
    return DsoReport(as_of, currency, days, receivables, months, dso, remaining > 0)


def dso_of(facts: Iterable[InvoiceFact], *, as_of: dt.date, days: int, currency: str) -> DsoReport:
    """Countback DSO of facts in one currency (pure)."""
    facts = list(facts)
    receivables = sum((f.balance for f in owed(facts)), ZERO)
    sales = [(f.issue_date, f.amount) for f in facts]
    return countback(
        as_of=as_of, days=days, receivables=receivables, sales=sales, currency=currency
    )


async def dso_report(
    session: AsyncSession,
    *,
    as_of: dt.date,
    days: int = DEFAULT_DAYS,
    filters: Filters = NO_FILTERS,
    default_currency: str = "IDR",
) -> list[DsoReport]:
    """Countback DSO as of `as_of` over the last `days` days, one report per currency."""
    facts = await load_invoices(session, as_of=as_of, filters=filters)
    return [
        dso_of(group, as_of=as_of, days=days, currency=code)
        for code, group in by_currency(facts, default=default_currency)
    ]
