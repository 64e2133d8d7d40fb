"""Payers: each customer's on-time rate and average days late, good and habitual late payers.

A paid invoice is one fully paid by the as-of date with at least one payment on record (a
balance imported at zero has no date to judge); its last payment on or before the date
decides: on time when on or before the due date, else late by that many days. Written-off
invoices are left out.

- good payers (loyalty candidates): on-time rate ≥ 0.9 over at least 3 paid invoices;
- habitual late payers: on-time rate < 0.5, or on average more than 30 days late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import InvoiceStatus
from storage.reports.common import (
    NO_FILTERS,
    Filters,
    InvoiceFact,
    json_ratio,
    load_invoices,
)
from storage.reports.table import (
    Column,
    Tabular,
)

GOOD_RATE = Decimal("0.9")
GOOD_MIN_PAID = 3
LATE_RATE = Decimal("0.5")
LATE_DAYS = 30


@dataclass(frozen=True, slots=True)
class Payer:
    """One customer's payment record as of a date."""

    customer: str
    name: str
    paid: int
    on_time: int
    days_late: int  # summed over paid invoices, early ones counting 0

    @property
    def on_time_rate(self) -> float | None:
        """Share of paid invoices paid on or before their due date."""
        return json_ratio(self.on_time, self.paid)

    @property
    def avg_days_late(self) -> float | None:
        """Mean of max(0, last payment - due) over paid invoices."""
        return round(self.days_late / self.paid, 1) if self.paid else None

    @property
    def kind(self) -> str:
        """ "good", "late" or "" (neither, or nothing paid yet)."""
        if not self.paid:
            return ""
        if self.on_time >= GOOD_RATE * self.paid and self.paid >= GOOD_MIN_PAID:
            return "good"
        if self.on_time < LATE_RATE * self.paid or self.days_late > LATE_DAYS * self.paid:
            return "late"
        return ""


@dataclass(frozen=True, slots=True)
class PayersReport:
    """Every customer's payment record as of a date."""

    as_of: dt.date
    payers: list[Payer]

    def to_json(self) -> dict[str, object]:
        """`{"as_of", "customers": [...], "good": [codes], "late": [codes]}`."""
        return {
            "as_of": self.as_of.isoformat(),
            "customers": [
                {
                    "customer": p.customer,
                    "paid_invoices": p.paid,
                    "on_time": p.on_time,
                    "on_time_rate": p.on_time_rate,
                    "avg_days_late": p.avg_days_late,
                    "class": p.kind or None,
                }
                for p in self.payers
            ],
            "good": [p.customer for p in self.payers if p.kind == "good"],
            "late": [p.customer for p in self.payers if p.kind == "late"],
        }

    def tables(self) -> list[Tabular]:
        """One table, a row per customer."""
        return [
            Tabular(
                title=f"Payers as of {self.as_of.isoformat()}",
                columns=(
                    Column("customer"),
                    Column("name"),
                    Column("paid invoices", "count"),
                    Column("on time", "count"),
                    Column("on-time rate", "rate"),
                    Column("avg days late", "days"),
                    Column("class"),
                ),
                rows=[
                    (p.customer, p.name, p.paid, p.on_time, p.on_time_rate, p.avg_days_late, p.kind)
                    for p in self.payers
                ],
                notes=(
                    "good: on time ≥ 90% over 3+ paid invoices; "
                    "late: on time < 50% or over 30 days late on average.",
                ),
            )
        ]


def payers_of(facts: Iterable[InvoiceFact], *, as_of: dt.date) -> PayersReport:
    """Payment records of the customers in facts (pure), by customer code."""
    tallies: dict[str, list[int]] = {}  # code → [paid, on time, days late]
    names: dict[str, str] = {}
    for f in facts:
        if f.status == InvoiceStatus.WRITTEN_OFF:
            continue
        names[f.customer.code] = f.customer.name
        tally = tallies.setdefault(f.customer.code, [0, 0, 0])
        if f.balance > 0 or f.last_paid_on is None:
            continue
        late = max(0, (f.last_paid_on - f.due_date).days)
        tally[0] += 1
        tally[1] += late == 0
        tally[2] += late
    payers = [Payer(code, names[code], *tallies[code]) for code in sorted(tallies)]
    return PayersReport(as_of, payers)


async def payers_report(
    session: AsyncSession, *, as_of: dt.date, filters: Filters = NO_FILTERS
) -> PayersReport:
    """Payment records as of `as_of` (every currency: rates and days have none)."""
    facts = await load_invoices(session, as_of=as_of, filters=filters)
    return payers_of(facts, as_of=as_of)
