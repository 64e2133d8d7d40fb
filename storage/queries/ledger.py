"""The receivables ledger as finance reads it: customers and what they owe, invoices, cases,
promises — the queries behind `tagih customers|invoices|case|promise` (bot/cli/ledger.py),
the staff's chat commands and digests (bot/staff/) and a customer's conversation.

Amounts are kept per currency, never summed across currencies. "Open" means what Tagih
chases: an open or disputed invoice with a balance; "overdue" an open one past its due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import CaseStatus, InvoiceStatus, PromiseStatus
from storage.models import (
    Case,
    CaseInvoice,
    Contact,
    Customer,
    Invoice,
    Policy,
    Promise,
    PromiseInvoice,
    Staff,
)

CHASED = (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED)
ZERO = Decimal("0.00")


@dataclass(slots=True)
class CustomerLine:
    """One customer of `tagih customers list`: who collects, what is open and overdue."""

    code: str
    name: str
    collector: str | None
    invoices: int = 0  # open invoices
    balance: dict[str, Decimal] = field(default_factory=dict)  # open balance per currency
    overdue: dict[str, Decimal] = field(default_factory=dict)  # past due, per currency
    oldest_due: dt.date | None = None  # due date of the oldest overdue invoice
    paused_until: dt.date | None = None
    credit_hold: bool = False


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """An invoice with its customer's code and name."""

    invoice: Invoice
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class CaseLine:
    """A case with its customer's code and the numbers of the invoices it concerns."""

    case: Case
    code: str
    invoices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PromiseLine:
    """A promise with its customer's code and the numbers of the invoices it covers."""

    promise: Promise
    code: str
    invoices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomerCard:
    """Everything `tagih customers show` prints about one customer, but the plan ahead."""

    customer: Customer
    collector: str | None
    salesperson: str | None
    policy: str | None  # None: the default policy
    contacts: Sequence[Contact]
    invoices: Sequence[Invoice]  # open, oldest due first
    promises: Sequence[PromiseLine]  # open and broken, latest first
    cases: Sequence[CaseLine]  # open, oldest first
    resolved_cases: int


async def find_customer(session: AsyncSession, *, code: str) -> Customer | None:
    """The customer with this code (any case), or None."""
    query = select(Customer).where(func.lower(Customer.code) == code.strip().lower())
    return (await session.exec(query)).first()


async def customer_with_code(session: AsyncSession, *, code: str) -> Customer | None:
    """The customer whose code is exactly `code` (as stored, case and all), or None."""
    return (await session.exec(select(Customer).where(Customer.code == code))).first()


async def credit_held_customers(session: AsyncSession, *, salesperson_id: int) -> list[Customer]:
    """The salesperson's customers on credit hold, by code."""
    query = (
        select(Customer)
        .where(Customer.salesperson_id == salesperson_id, col(Customer.credit_hold))
        .order_by(col(Customer.code))
    )
    return list((await session.exec(query)).all())


async def open_invoices(session: AsyncSession, *, customer_id: int | None) -> list[Invoice]:
    """The customer's open and disputed invoices with a balance, oldest due first."""
    query = (
        select(Invoice)
        .where(
            Invoice.customer_id == customer_id,
            col(Invoice.status).in_(CHASED),
            col(Invoice.balance) > 0,
        )
        .order_by(col(Invoice.due_date), col(Invoice.number))
    )
    return list((await session.exec(query)).all())


async def oldest_open_invoice(session: AsyncSession) -> Invoice | None:
    """Of all open (not disputed) invoices with a balance, the one due first (lowest id among
    equals)."""
    query = (
        select(Invoice)
        .where(Invoice.status == InvoiceStatus.OPEN, col(Invoice.balance) > 0)
        .order_by(col(Invoice.due_date), col(Invoice.id))
    )
    return (await session.exec(query)).first()


async def disputed_invoices(session: AsyncSession, *, customer_id: int | None) -> list[Invoice]:
    """The customer's invoices under dispute now."""
    query = select(Invoice).where(
        Invoice.customer_id == customer_id, Invoice.status == InvoiceStatus.DISPUTED
    )
    return list((await session.exec(query)).all())


async def invoices_of_customer(
    session: AsyncSession, *, customer_id: int, invoice_ids: Collection[int]
) -> list[Invoice]:
    """The invoices among `invoice_ids` that are this customer's (another's never)."""
    query = select(Invoice).where(
        col(Invoice.id).in_(list(invoice_ids)), Invoice.customer_id == customer_id
    )
    return list((await session.exec(query)).all())


async def late_invoices(
    session: AsyncSession, *, due_before: dt.date, salesperson_id: int | None = None
) -> list[tuple[Invoice, Customer]]:
    """Invoices with a balance due before `due_before`, each with its customer, any status;
    with `salesperson_id` only that salesperson's (an invoice's own, else its customer's)."""
    query = (
        select(Invoice, Customer)
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .where(col(Invoice.due_date) < due_before, col(Invoice.balance) > 0)
    )
    if salesperson_id is not None:
        query = query.where(
            or_(
                col(Invoice.salesperson_id) == salesperson_id,
                col(Invoice.salesperson_id).is_(None)
                & (col(Customer.salesperson_id) == salesperson_id),
            )
        )
    return list((await session.exec(query)).all())


async def overdue_totals(
    session: AsyncSession, *, today: dt.date, customer_ids: Collection[int] | None = None
) -> list[tuple[str, str, Decimal]]:
    """(customer code, currency, overdue balance) of every customer (or those in
    `customer_ids`) with an open invoice past due, the largest first."""
    query = (
        select(Customer.code, Invoice.currency, func.sum(Invoice.balance))
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .where(
            Invoice.status == InvoiceStatus.OPEN,
            col(Invoice.balance) > 0,
            col(Invoice.due_date) < today,
        )
        .group_by(col(Customer.code), col(Invoice.currency))
    )
    if customer_ids is not None:
        query = query.where(col(Invoice.customer_id).in_(list(customer_ids)))
    rows = (await session.exec(query)).all()
    totals = [(code, currency, Decimal(total)) for code, currency, total in rows]
    return sorted(totals, key=lambda row: -row[2])


async def open_promises(
    session: AsyncSession, *, customer_id: int | None, sources: Collection[str] | None = None
) -> list[Promise]:
    """The customer's open promises to pay (or those made through one of `sources`)."""
    query = select(Promise).where(
        Promise.customer_id == customer_id, Promise.status == PromiseStatus.OPEN
    )
    if sources is not None:
        query = query.where(col(Promise.source).in_(list(sources)))
    return list((await session.exec(query)).all())


async def broken_promises(session: AsyncSession, *, since: dt.datetime) -> list[Promise]:
    """Every promise broken at or after `since`, the latest broken first."""
    query = (
        select(Promise)
        .where(Promise.status == PromiseStatus.BROKEN, col(Promise.resolved_at) >= since)
        .order_by(col(Promise.resolved_at).desc())
    )
    return list((await session.exec(query)).all())


async def broken_promises_with_codes(
    session: AsyncSession, *, since: dt.datetime, customer_ids: Collection[int] | None = None
) -> list[tuple[Promise, str]]:
    """The promises of every customer (or those in `customer_ids`) broken at or after
    `since`, each with its customer's code, by promised date."""
    query = (
        select(Promise, Customer.code)
        .join(Customer, col(Customer.id) == col(Promise.customer_id))
        .where(Promise.status == PromiseStatus.BROKEN, col(Promise.resolved_at) >= since)
        .order_by(col(Promise.promised_date))
    )
    if customer_ids is not None:
        query = query.where(col(Promise.customer_id).in_(list(customer_ids)))
    return list((await session.exec(query)).all())


async def customer_lines(
    session: AsyncSession,
    *,
    today: dt.date,
    overdue_only: bool = False,
    collector_id: int | None = None,
) -> list[CustomerLine]:
    """Every customer (or one collector's) with open and overdue balances, by code; with
    `overdue_only`, only those with an overdue balance, the largest first."""
    customers = (
        select(Customer, Staff.name)
        .outerjoin(Staff, col(Staff.id) == col(Customer.collector_id))
        .order_by(col(Customer.code))
    )
    late = and_(col(Invoice.status) == InvoiceStatus.OPEN, col(Invoice.due_date) < today)
    totals = (
        sa_select(
            col(Invoice.customer_id),
            col(Invoice.currency),
            func.count(),
            func.sum(col(Invoice.balance)),
            func.sum(case((late, col(Invoice.balance)), else_=ZERO)),
            func.min(case((late, col(Invoice.due_date)), else_=None)),
        )
        .where(col(Invoice.status).in_(CHASED), col(Invoice.balance) > 0)
        .group_by(col(Invoice.customer_id), col(Invoice.currency))
    )
    if collector_id is not None:
        customers = customers.where(Customer.collector_id == collector_id)
        totals = totals.join(Customer, col(Customer.id) == col(Invoice.customer_id)).where(
            col(Customer.collector_id) == collector_id
        )
    lines: dict[int, CustomerLine] = {}
    for customer, collector in (await session.exec(customers)).all():
        assert customer.id is not None
        lines[customer.id] = CustomerLine(
            customer.code,
            customer.name,
            collector,
            paused_until=customer.paused_until,
            credit_hold=customer.credit_hold,
        )
    conn = await session.connection()
    for customer_id, currency, count, balance, overdue, oldest in await conn.execute(totals):
        line = lines[customer_id]
        line.invoices += count
        line.balance[currency] = Decimal(balance)
        if overdue:
            line.overdue[currency] = Decimal(overdue)
        if oldest is not None:
            # SQLite hands back MIN() over a CASE as text: the column type is lost in the CASE.
            due = oldest if isinstance(oldest, dt.date) else dt.date.fromisoformat(str(oldest))
            line.oldest_due = min(due, line.oldest_due or due)
    found = list(lines.values())
    if overdue_only:
        found = [line for line in found if line.overdue]
        found.sort(key=lambda line: (-max(line.overdue.values()), line.code))
    return found


async def _names(session: AsyncSession, ids: Collection[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(wanted)))
    return {staff_id: name for staff_id, name in rows.all() if staff_id is not None}


async def customer_card(session: AsyncSession, *, customer: Customer) -> CustomerCard:
    """The customer's people, contacts, open invoices, open and broken promises, open cases."""
    cid = customer.id
    names = await _names(session, (customer.collector_id, customer.salesperson_id))
    policy = await session.get(Policy, customer.policy_id) if customer.policy_id else None
    contacts = (
        await session.exec(
            select(Contact)
            .where(Contact.customer_id == cid)
            .order_by(col(Contact.channel), col(Contact.id))
        )
    ).all()
    invoices = await open_invoices(session, customer_id=cid)
    promises = await promise_lines(
        session, statuses=(PromiseStatus.OPEN, PromiseStatus.BROKEN), customer_id=cid
    )
    cases = await case_lines(session, open_only=True, customer_id=cid)
    resolved = (
        await session.exec(
            select(func.count())
            .select_from(Case)
            .where(Case.customer_id == cid, Case.status != CaseStatus.OPEN)
        )
    ).one()
    return CustomerCard(
        customer=customer,
        collector=names.get(customer.collector_id or 0),
        salesperson=names.get(customer.salesperson_id or 0),
        policy=policy.name if policy else None,
        contacts=contacts,
        invoices=invoices,
        promises=sorted(promises, key=lambda p: p.promise.promised_date, reverse=True),
        cases=cases,
        resolved_cases=resolved,
    )


async def invoice_lines(
    session: AsyncSession,
    *,
    today: dt.date,
    customer_id: int | None = None,
    min_days_late: int | None = None,
    include_closed: bool = False,
) -> list[InvoiceLine]:
    """Open invoices (or all), oldest due first; `min_days_late` keeps the open ones at
    least that many days past due."""
    query = (
        select(Invoice, Customer.code, Customer.name)
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .order_by(col(Invoice.due_date), col(Invoice.number))
    )
    if not include_closed:
        query = query.where(col(Invoice.status).in_(CHASED), col(Invoice.balance) > 0)
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    if min_days_late is not None:
        query = query.where(
            Invoice.status == InvoiceStatus.OPEN,
            col(Invoice.balance) > 0,
            col(Invoice.due_date) <= today - dt.timedelta(days=min_days_late),
        )
    return [InvoiceLine(*row) for row in (await session.exec(query)).all()]


async def _numbers(
    session: AsyncSession,
    owner: Mapped[int],
    invoice: Mapped[int],
    ids: list[int],
) -> dict[int, tuple[str, ...]]:
    """Invoice numbers per case (or promise) id, through its link table's two columns."""
    if not ids:
        return {}
    rows = await session.exec(
        select(owner, Invoice.number)
        .join(Invoice, col(Invoice.id) == invoice)
        .where(owner.in_(ids))
        .order_by(col(Invoice.number))
    )
    found: dict[int, tuple[str, ...]] = {}
    for owner_id, number in rows.all():
        found[owner_id] = (*found.get(owner_id, ()), number)
    return found


async def case_lines(
    session: AsyncSession, *, open_only: bool = False, customer_id: int | None = None
) -> list[CaseLine]:
    """Cases (or the open ones), oldest first, with their invoices."""
    query = (
        select(Case, Customer.code)
        .join(Customer, col(Customer.id) == col(Case.customer_id))
        .order_by(col(Case.created_at), col(Case.id))
    )
    if open_only:
        query = query.where(Case.status == CaseStatus.OPEN)
    if customer_id is not None:
        query = query.where(Case.customer_id == customer_id)
    rows = (await session.exec(query)).all()
    ids = [c.id for c, _ in rows if c.id is not None]
    numbers = await _numbers(session, col(CaseInvoice.case_id), col(CaseInvoice.invoice_id), ids)
    return [CaseLine(c, code, numbers.get(c.id or 0, ())) for c, code in rows]


async def promise_lines(
    session: AsyncSession,
    *,
    statuses: Collection[PromiseStatus] | None = None,
    customer_id: int | None = None,
) -> list[PromiseLine]:
    """Promises (or those in `statuses`), by promised date, with the invoices they cover."""
    query = (
        select(Promise, Customer.code)
        .join(Customer, col(Customer.id) == col(Promise.customer_id))
        .order_by(col(Promise.promised_date), col(Promise.id))
    )
    if statuses is not None:
        query = query.where(col(Promise.status).in_([s.value for s in statuses]))
    if customer_id is not None:
        query = query.where(Promise.customer_id == customer_id)
    rows = (await session.exec(query)).all()
    ids = [p.id for p, _ in rows if p.id is not None]
    numbers = await _numbers(
        session, col(PromiseInvoice.promise_id), col(PromiseInvoice.invoice_id), ids
    )
    return [PromiseLine(p, code, numbers.get(p.id or 0, ())) for p, code in rows]
