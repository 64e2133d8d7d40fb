"""Read-only commands: `/queue` (what needs a person), `/customer CODE`, `/log CODE`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select

from bot.staff.commands_base import (
    COLLECTORS,
    EVERYONE,
    Call,
    Command,
    StaffReply,
    UsageError,
    find_customer,
    money,
    say,
)
from bot.staff.directory import customers_of_collector
from storage.enums import CaseKind, CaseStatus, InvoiceStatus, PromiseStatus, Role
from storage.models import Case, Customer, Invoice, Policy, Promise, Staff
from storage.timeline import Entry, customer_timeline

#: Lines per section of `/queue` and `/customer`; the rest is counted, not listed.
SECTION_LINES = 10
LOG_LINES = 15
#: Broken promises older than this have been dealt with or show up as overdue anyway.
BROKEN_RECENT = dt.timedelta(days=30)
CHASED = (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED)


def _section(title: str, lines: list[str]) -> str:
    shown = lines[:SECTION_LINES]
    more = [f"  … and {len(lines) - len(shown)} more"] if len(lines) > len(shown) else []
    return "\n".join([f"{title} ({len(lines)}):", *(shown or ["  none"]), *more])


async def _scope(call: Call) -> list[int] | None:
    """The customer ids a collector works (None = all: admins see the whole book)."""
    if call.staff.role == Role.ADMIN:
        return None
    mine = await customers_of_collector(call.session, staff=call.staff)
    return [c.id for c in mine if c.id is not None]


async def queue(call: Call) -> list[StaffReply]:
    """Claims to verify, open cases, recently broken promises, biggest overdue balances."""
    session, scope = call.session, await _scope(call)
    cases_q = select(Case, Customer.code).join(Customer, col(Customer.id) == col(Case.customer_id))
    cases_q = cases_q.where(Case.status == CaseStatus.OPEN).order_by(col(Case.created_at))
    broken_q = (
        select(Promise, Customer.code)
        .join(Customer, col(Customer.id) == col(Promise.customer_id))
        .where(
            Promise.status == PromiseStatus.BROKEN,
            col(Promise.resolved_at) >= call.now - BROKEN_RECENT,
        )
        .order_by(col(Promise.promised_date))
    )
    overdue_q = (
        select(Customer.code, Invoice.currency, func.sum(Invoice.balance))
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .where(
            Invoice.status == InvoiceStatus.OPEN,
            col(Invoice.balance) > 0,
            col(Invoice.due_date) < call.today,
        )
        .group_by(col(Customer.code), col(Invoice.currency))
    )
    if scope is not None:
        cases_q = cases_q.where(col(Case.customer_id).in_(scope))
        broken_q = broken_q.where(col(Promise.customer_id).in_(scope))
        overdue_q = overdue_q.where(col(Invoice.customer_id).in_(scope))
    claims, others = [], []
    for case, code in (await session.exec(cases_q)).all():
        age = (call.now - case.created_at).days
        if case.kind == CaseKind.PAYMENT_CLAIM:
            paid_on, amount = case.data.get("paid_on"), case.data.get("amount")
            said = f"paid {amount or 'in full'} on {paid_on or '?'}"
            claims.append(f"  #{case.id} {code}: {said} ({age} d ago)")
        else:
            what = f"{case.kind} {case.reason}".strip()
            others.append(f"  #{case.id} {code}: {what} ({age} d)")
    broken = [
        f"  {code}: promised {_amount(p.amount, call)} by {p.promised_date} ({p.source})"
        for p, code in (await session.exec(broken_q)).all()
    ]
    totals = sorted((await session.exec(overdue_q)).all(), key=lambda row: -Decimal(row[2]))
    overdue = [f"  {code}: {money(Decimal(t), cur, call.staff)}" for code, cur, t in totals]
    title = "Your queue" if scope is not None else "Team queue"
    return say(
        f"{title} — {call.today.isoformat()}",
        _section("Payment claims to verify", claims),
        _section("Open cases", others),
        _section("Promises broken in the last 30 days", broken),
        _section("Biggest overdue", overdue),
    )


def _amount(amount: Decimal | None, call: Call) -> str:
    """A promised amount (promises carry no currency: the business's own)."""
    return "in full" if amount is None else money(amount, call.config.currency, call.staff)


async def _name(call: Call, staff_id: int | None) -> str:
    staff = await call.session.get(Staff, staff_id) if staff_id is not None else None
    return staff.name if staff is not None else "-"


async def customer(call: Call) -> list[StaffReply]:
    """One customer: who works it, open invoices, promises, cases, last messages."""
    if len(call.args) != 1:
        raise UsageError("Give one customer code.")
    session, staff = call.session, call.staff
    row = await find_customer(session, call.args[0])
    policy = await session.get(Policy, row.policy_id) if row.policy_id is not None else None
    flags = [f"paused until {row.paused_until}"] if row.paused_until else []
    flags += ["CREDIT HOLD"] if row.credit_hold else []
    head = (
        f"{row.name} ({row.code}) — collector {await _name(call, row.collector_id)}, "
        f"sales {await _name(call, row.salesperson_id)}, "
        f"policy {policy.name if policy else 'standard'}"
    )
    invoices = (
        await session.exec(
            select(Invoice)
            .where(
                Invoice.customer_id == row.id,
                col(Invoice.status).in_(CHASED),
                col(Invoice.balance) > 0,
            )
            .order_by(col(Invoice.due_date))
        )
    ).all()
    lines = []
    for inv in invoices:
        late = (call.today - inv.due_date).days
        when = f"{late} d late" if late > 0 else "not yet due" if late < 0 else "due today"
        status = " [disputed]" if inv.status == InvoiceStatus.DISPUTED else ""
        lines.append(
            f"  {inv.number} due {inv.due_date} ({when}): "
            f"{money(inv.balance, inv.currency, staff)}{status}"
        )
    promises = (
        await session.exec(
            select(Promise).where(
                Promise.customer_id == row.id, Promise.status == PromiseStatus.OPEN
            )
        )
    ).all()
    cases = (
        await session.exec(
            select(Case).where(Case.customer_id == row.id, Case.status == CaseStatus.OPEN)
        )
    ).all()
    recent = [e for e in await customer_timeline(session, code=row.code) if e.kind != "audit"]
    zone = ZoneInfo(staff.timezone)
    return say(
        head,
        *(["; ".join(flags)] if flags else []),
        _section("Open invoices", lines),
        _section(
            "Open promises",
            [f"  {_amount(p.amount, call)} by {p.promised_date} ({p.source})" for p in promises],
        ),
        _section("Open cases", [f"  #{c.id} {c.kind} {c.reason}".rstrip() for c in cases]),
        "Last messages:",
        *([_entry_line(e, zone) for e in recent[-5:]] or ["  none"]),
    )


def _entry_line(entry: Entry, zone: ZoneInfo) -> str:
    at = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    status = f" [{entry.status}]" if entry.status else ""
    text = " ".join(entry.text.split())
    text = text if len(text) <= 90 else text[:89] + "…"
    return f"  {at} {entry.kind} {entry.channel}{status}: {text}"


async def log(call: Call) -> list[StaffReply]:
    """The last lines of the customer's communication log, oldest first."""
    if len(call.args) != 1:
        raise UsageError("Give one customer code.")
    row = await find_customer(call.session, call.args[0])
    entries = await customer_timeline(call.session, code=row.code, limit=LOG_LINES)
    zone = ZoneInfo(call.staff.timezone)
    lines = [_entry_line(e, zone) for e in entries] or ["  nothing logged yet"]
    return say(f"Log of {row.name} ({row.code}), last {LOG_LINES}:", *lines)


COMMANDS = (
    Command(
        "queue", COLLECTORS, "/queue", "/queue", "claims, cases, broken promises, overdue", queue
    ),
    Command(
        "customer",
        EVERYONE,
        "/customer CODE",
        "/customer C001",
        "a customer's invoices, promises, cases, last messages",
        customer,
    ),
    Command("log", EVERYONE, "/log CODE", "/log C001", "the customer's last 15 log lines", log),
)
