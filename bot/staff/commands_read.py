"""Read-only commands: `/queue` (what needs a person), `/customer CODE`, `/log CODE`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

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
from bot.staff.log_render import entry_text
from i18n.staff_texts import has_text
from storage.enums import CaseKind, InvoiceStatus, Role
from storage.models import Customer, Policy, Staff
from storage.queries.cases import open_cases, open_cases_with_codes
from storage.queries.ledger import (
    broken_promises_with_codes,
    open_invoices,
    open_promises,
    overdue_totals,
)
from storage.queries.staff import customers_of_collector
from storage.queries.timeline import Entry, customer_timeline

#: Lines per section of `/queue` and `/customer`; the rest is counted, not listed.
SECTION_LINES = 10
LOG_LINES = 15
#: Broken promises older than this have been dealt with or show up as overdue anyway.
BROKEN_RECENT = dt.timedelta(days=30)


def _section(call: Call, title: str, lines: list[str]) -> str:
    shown = lines[:SECTION_LINES]
    left = len(lines) - len(shown)
    more = [call.t("section_more", count=left)] if left > 0 else []
    head = call.t("section", title=call.t(title), count=len(lines))
    return "\n".join([head, *(shown or [call.t("none")]), *more])


async def _scope(call: Call) -> list[int] | None:
    """The customer ids a collector works (None = all: admins see the whole book)."""
    if call.staff.role == Role.ADMIN:
        return None
    mine = await customers_of_collector(call.session, staff=call.staff)
    return [c.id for c in mine if c.id is not None]


async def queue(call: Call) -> list[StaffReply]:
    """Claims to verify, open cases, recently broken promises, biggest overdue balances."""
    scope = await _scope(call)
    claims, others = await _queued_cases(call, scope)
    broken = await _broken_lines(call, scope)
    overdue = await _overdue_lines(call, scope)
    title = "queue.mine" if scope is not None else "queue.team"
    return say(
        call.t(title, date=call.day(call.today)),
        _section(call, "queue.claims", claims),
        _section(call, "queue.cases", others),
        _section(call, "queue.broken", broken),
        _section(call, "queue.overdue", overdue),
    )


async def _queued_cases(call: Call, scope: list[int] | None) -> tuple[list[str], list[str]]:
    """The open cases in scope, oldest first: payment claims to verify, and the others."""
    claims, others = [], []
    for case, code in await open_cases_with_codes(call.session, customer_ids=scope):
        age = (call.now - case.created_at).days
        if case.kind == CaseKind.PAYMENT_CLAIM:
            paid_on, amount = case.data.get("paid_on"), case.data.get("amount")
            claims.append(
                call.t(
                    "queue.claim",
                    id=case.id,
                    code=code,
                    amount=_claimed(amount, call),
                    date=_claimed_on(paid_on, call),
                    age=age,
                )
            )
        else:
            what = _case(call, case.kind, case.reason)
            others.append(call.t("queue.case", id=case.id, code=code, what=what, age=age))
    return claims, others


async def _broken_lines(call: Call, scope: list[int] | None) -> list[str]:
    """The promises in scope broken within `BROKEN_RECENT`, by promised date."""
    broken = await broken_promises_with_codes(
        call.session, since=call.now - BROKEN_RECENT, customer_ids=scope
    )
    return [
        call.t(
            "queue.broken_line",
            code=code,
            amount=_amount(p.amount, call),
            date=call.day(p.promised_date),
            source=_source(p.source, call),
        )
        for p, code in broken
    ]


async def _overdue_lines(call: Call, scope: list[int] | None) -> list[str]:
    """The overdue balance of each customer in scope, per currency, largest first."""
    totals = await overdue_totals(call.session, today=call.today, customer_ids=scope)
    return [f"  {code}: {money(t, cur, call.staff)}" for code, cur, t in totals]


def _amount(amount: Decimal | None, call: Call) -> str:
    """A promised amount (promises carry no currency: the business's own)."""
    return call.t("in_full") if amount is None else money(amount, call.config.currency, call.staff)


def _claimed(amount: object, call: Call) -> str:
    """A claimed amount as the case stored it (a decimal string), formatted; `in full` else."""
    try:
        value = Decimal(str(amount)) if amount not in (None, "") else None
    except ArithmeticError:
        return str(amount)
    return _amount(value, call)


def _claimed_on(paid_on: object, call: Call) -> str:
    """A claimed payment date as the case stored it (ISO), formatted; `?` when unknown."""
    try:
        return call.day(dt.date.fromisoformat(str(paid_on)))
    except ValueError:
        return "?"


def _case(call: Call, kind: str, reason: str) -> str:
    """A case's kind and reason in the caller's language (`sengketa (kualitas)`)."""
    what = call.t(f"digest.{kind}") if has_text(f"digest.{kind}") else kind
    if not reason:
        return what
    why = call.t(f"reason.{reason}") if has_text(f"reason.{reason}") else reason
    return f"{what} ({why})"


def _source(source: str, call: Call) -> str:
    """Where a promise came from (chat, voice, phone, claim), in the caller's language."""
    key = f"source.{source}"
    return call.t(key) if has_text(key) else source


async def _name(call: Call, staff_id: int | None) -> str:
    staff = await call.session.get(Staff, staff_id) if staff_id is not None else None
    return staff.name if staff is not None else "-"


async def customer(call: Call) -> list[StaffReply]:
    """One customer: who works it, open invoices, promises, cases, last messages."""
    if len(call.args) != 1:
        raise UsageError(call.t("one_code"))
    row = await find_customer(call, call.args[0])
    head = await _customer_head(call, row)
    paused = row.paused_until
    flags = [call.t("customer.paused", date=call.day(paused))] if paused else []
    flags += [call.t("customer.hold")] if row.credit_hold else []
    invoices = await _invoice_lines(call, row)
    promises = await _promise_lines(call, row)
    cases = await _case_lines(call, row)
    recent = [e for e in await customer_timeline(call.session, code=row.code) if e.kind != "audit"]
    zone = ZoneInfo(call.staff.timezone)
    return say(
        head,
        *(["; ".join(flags)] if flags else []),
        _section(call, "customer.invoices", invoices),
        _section(call, "customer.promises", promises),
        _section(call, "queue.cases", cases),
        call.t("customer.last"),
        *([_entry_line(call, e, zone) for e in recent[-5:]] or [call.t("none")]),
    )


async def _customer_head(call: Call, row: Customer) -> str:
    """The customer's name and code, who collects and sells, and the reminder policy."""
    policy = await call.session.get(Policy, row.policy_id) if row.policy_id is not None else None
    return call.t(
        "customer.head",
        name=row.name,
        code=row.code,
        collector=await _name(call, row.collector_id),
        sales=await _name(call, row.salesperson_id),
        policy=policy.name if policy else "standard",
    )


async def _invoice_lines(call: Call, row: Customer) -> list[str]:
    """The customer's chased invoices with a balance, oldest due first, and how late each is."""
    lines = []
    for inv in await open_invoices(call.session, customer_id=row.id):
        late = (call.today - inv.due_date).days
        when = (
            call.t("customer.late", days=late)
            if late > 0
            else call.t("customer.not_due" if late < 0 else "customer.due_today")
        )
        status = call.t("customer.disputed") if inv.status == InvoiceStatus.DISPUTED else ""
        lines.append(
            call.t(
                "customer.invoice",
                number=inv.number,
                date=call.day(inv.due_date),
                when=when,
                amount=money(inv.balance, inv.currency, call.staff),
                status=status,
            )
        )
    return lines


async def _promise_lines(call: Call, row: Customer) -> list[str]:
    """The customer's open promises to pay."""
    promises = await open_promises(call.session, customer_id=row.id)
    return [
        call.t(
            "customer.promise",
            amount=_amount(p.amount, call),
            date=call.day(p.promised_date),
            source=_source(p.source, call),
        )
        for p in promises
    ]


async def _case_lines(call: Call, row: Customer) -> list[str]:
    """The customer's open cases: number, kind and reason."""
    cases = await open_cases(call.session, customer_id=row.id)
    return [f"  #{c.id} {_case(call, c.kind, c.reason)}" for c in cases]


def _entry_line(call: Call, entry: Entry, zone: ZoneInfo) -> str:
    at = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    status = f" [{entry.status}]" if entry.status else ""
    said = entry_text(entry, language=call.lang, currency=call.config.currency)
    text = " ".join(said.split())
    text = text if len(text) <= 90 else text[:89] + "…"
    return f"  {at} {entry.kind} {entry.channel}{status}: {text}"


async def log(call: Call) -> list[StaffReply]:
    """The last lines of the customer's communication log, oldest first."""
    if len(call.args) != 1:
        raise UsageError(call.t("one_code"))
    row = await find_customer(call, call.args[0])
    entries = await customer_timeline(call.session, code=row.code, limit=LOG_LINES)
    zone = ZoneInfo(call.staff.timezone)
    lines = [_entry_line(call, e, zone) for e in entries] or [call.t("log.empty")]
    return say(call.t("log.head", name=row.name, code=row.code, count=LOG_LINES), *lines)


COMMANDS = (
    Command("queue", COLLECTORS, queue),
    Command("customer", EVERYONE, customer),
    Command("log", EVERYONE, log),
)
