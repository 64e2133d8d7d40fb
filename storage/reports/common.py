"""Shared pieces of the reports: filters, invoices as of a date, buckets and JSON numbers.

Open balance as of a date D: the invoice amount less its payments paid on or before D. It is
computed as the stored balance plus the payments dated after D, which is the same thing when
every payment is recorded, and also keeps a balance imported lower than its amount (credit
given before Tagih, with no date) as it is. Invoices issued after D do not exist yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Customer, Invoice, Payment, Staff

#: Aging buckets in days past due: not yet due, then 1-30, 31-60, 61-90 and over 90.
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
#: The label of a missing salesperson, collector, segment or item.
NONE_LABEL = "(none)"
ZERO = Decimal(0)


def bucket_of(days_late: int) -> str:
    """The aging bucket of an invoice `days_late` days past its due date (≤ 0: current)."""
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "1-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "90+"


def empty_buckets() -> dict[str, Decimal]:
    """Every bucket at zero, in order."""
    return dict.fromkeys(BUCKETS, ZERO)


def json_amount(amount: Decimal) -> int | float:
    """A JSON number in the currency's unit: `int` when whole, else `float` (2 places)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def json_ratio(part: Decimal | int, whole: Decimal | int) -> float | None:
    """`part / whole` rounded to 4 places, or None when there is nothing to divide by."""
    if not whole:
        return None
    return round(float(Decimal(part) / Decimal(whole)), 4)


def end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first instant after `day` in the business time zone (an exclusive upper bound)."""
    return start_of_day(day + dt.timedelta(days=1), zone)


def start_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first instant of `day` in the business time zone."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The business-local calendar date of an aware instant."""
    return moment.astimezone(zone).date()


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrow a report to one salesperson, collector, segment and/or currency (any case)."""

    # Invoice reports match the invoice's salesperson (else the customer's); promise and
    # channel reports, which have no invoice, match the customer's own.
    salesperson: str | None = None
    collector: str | None = None
    segment: str | None = None
    currency: str | None = None

    def matches(self, *, salesperson: str, collector: str, segment: str) -> bool:
        """True when every filter given matches the values (compared case-insensitively)."""
        pairs = (
            (self.salesperson, salesperson),
            (self.collector, collector),
            (self.segment, segment),
        )
        return all(want is None or want.casefold() == have.casefold() for want, have in pairs)


#: No filter at all: the default of every report.
NO_FILTERS = Filters()


@dataclass(frozen=True, slots=True)
class CustomerFact:
    """A customer with its people resolved to names."""

    id: int
    code: str
    name: str
    segment: str
    salesperson: str
    collector: str


@dataclass(frozen=True, slots=True)
class InvoiceFact:
    """An invoice as it stood at the end of the as-of date."""

    number: str
    customer: CustomerFact
    salesperson: str  # the invoice's own salesperson, else the customer's
    item: str
    currency: str
    amount: Decimal
    issue_date: dt.date
    due_date: dt.date
    status: str
    balance: Decimal  # open as of the date
    last_paid_on: dt.date | None  # the last payment on or before the date

    def days_late(self, as_of: dt.date) -> int:
        """Days past due on `as_of` (negative while not yet due)."""
        return (as_of - self.due_date).days


async def staff_names(session: AsyncSession) -> dict[int, str]:
    """Every staff member's name by id."""
    rows = (await session.exec(select(Staff.id, Staff.name))).all()
    return {staff_id: name for staff_id, name in rows if staff_id is not None}


async def load_customers(session: AsyncSession) -> dict[int, CustomerFact]:
    """Every customer by id, with salesperson and collector names."""
    names = await staff_names(session)
    out: dict[int, CustomerFact] = {}
    for c in (await session.exec(select(Customer))).all():
        assert c.id is not None
        out[c.id] = CustomerFact(
            id=c.id,
            code=c.code,
            name=c.name,
            segment=c.segment or NONE_LABEL,
            salesperson=names.get(c.salesperson_id or 0, NONE_LABEL),
            collector=names.get(c.collector_id or 0, NONE_LABEL),
        )
    return out


async def load_invoices(
    session: AsyncSession, *, as_of: dt.date, filters: Filters
) -> list[InvoiceFact]:
    """Invoices issued on or before `as_of`, as they stood then, narrowed by `filters`."""
    customers = await load_customers(session)
    names = await staff_names(session)
    later = dict(
        (
            await session.exec(
                select(Payment.invoice_id, func.sum(col(Payment.amount)))
                .where(col(Payment.paid_on) > as_of)
                .group_by(col(Payment.invoice_id))
            )
        ).all()
    )
    last = dict(
        (
            await session.exec(
                select(Payment.invoice_id, func.max(col(Payment.paid_on)))
                .where(col(Payment.paid_on) <= as_of)
                .group_by(col(Payment.invoice_id))
            )
        ).all()
    )
    invoices = await session.exec(
        select(Invoice).where(col(Invoice.issue_date) <= as_of).order_by(col(Invoice.number))
    )
    out: list[InvoiceFact] = []
    for inv in invoices.all():
        customer = customers[inv.customer_id]
        salesperson = names.get(inv.salesperson_id or 0, customer.salesperson)
        if filters.currency and inv.currency.upper() != filters.currency.upper():
            continue
        if not filters.matches(
            salesperson=salesperson, collector=customer.collector, segment=customer.segment
        ):
            continue
        balance = inv.balance + (later.get(inv.id or 0) or ZERO)
        out.append(
            InvoiceFact(
                number=inv.number,
                customer=customer,
                salesperson=salesperson,
                item=inv.item or NONE_LABEL,
                currency=inv.currency.upper(),
                amount=inv.amount,
                issue_date=inv.issue_date,
                due_date=inv.due_date,
                status=inv.status,
                balance=min(inv.amount, max(ZERO, balance)),
                last_paid_on=last.get(inv.id or 0),
            )
        )
    return out


def by_currency(
    facts: Iterable[InvoiceFact], *, default: str
) -> list[tuple[str, list[InvoiceFact]]]:
    """Facts split by currency, the business currency first, then A-Z; never empty."""
    groups: dict[str, list[InvoiceFact]] = {}
    for fact in facts:
        groups.setdefault(fact.currency, []).append(fact)
    if not groups:
        return [(default.upper(), [])]
    order = sorted(groups, key=lambda code: (code != default.upper(), code))
    return [(code, groups[code]) for code in order]
