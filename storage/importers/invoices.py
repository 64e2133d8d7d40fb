"""Importing invoices, keyed by invoice number; an empty balance is the amount less payments."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import InvoiceStatus, Role
from storage.importers.base import (
    ZERO,
    Context,
    Format,
    Parser,
    Row,
    Run,
    assign,
    defaults,
    invoice_status,
    name_field,
    resolve_staff,
    staff_wanted,
    text_field,
)
from storage.models import Customer, Invoice, Payment, Staff, utcnow
from storage.parsing import (
    optional,
    parse_currency,
    parse_date_in,
    parse_nonnegative_amount,
    parse_positive_amount,
)

#: How far ahead an invoice may be issued, and fall due, from the day of the import.
ISSUE_YEARS_AHEAD = 1
DUE_YEARS_AHEAD = 5


def parsers(context: Context) -> dict[str, Parser]:
    """The parser of each invoice column, with the operator's default currency filled in."""
    return {
        "number": text_field(Invoice, "number", required=True),
        "customer": text_field(Customer, "code", required=True),
        "issue_date": partial(parse_date_in, within=context.dates(years_ahead=ISSUE_YEARS_AHEAD)),
        "due_date": partial(parse_date_in, within=context.dates(years_ahead=DUE_YEARS_AHEAD)),
        "amount": parse_positive_amount,
        "currency": partial(parse_currency, default=context.currency),
        "balance": optional(parse_nonnegative_amount),
        "item": text_field(Invoice, "item"),
        "salesperson": name_field(Staff, "name"),
    }


def check(run: Run, line: int, fields: dict[str, Any]) -> bool:
    """Rules between fields of one invoice row (those of its fields that parsed)."""
    ok = True
    issue, due = fields.get("issue_date"), fields.get("due_date")
    if issue is not None and due is not None and due < issue:
        run.error(line, "due_date", f"before issue_date {issue}")
        ok = False
    balance, amount = fields.get("balance"), fields.get("amount")
    if balance is not None and amount is not None and not ZERO <= balance <= amount:
        run.error(line, "balance", f"must be between 0 and the amount {fields['amount']}")
        ok = False
    return ok


async def apply(session: AsyncSession, run: Run, rows: list[Row]) -> None:
    """Create or update a batch of invoices; an empty balance is the amount less payments."""
    await resolve_staff(session, run, staff_wanted(rows, ("salesperson", Role.SALES)))
    codes = {row.fields["customer"] for row in rows}
    query_c = select(Customer.code, Customer.id).where(col(Customer.code).in_(codes))
    customers = {code: id_ for code, id_ in await session.exec(query_c)}
    query_i = select(Invoice).where(col(Invoice.number).in_([row.fields["number"] for row in rows]))
    existing = {invoice.number: invoice for invoice in await session.exec(query_i)}
    query_p = (
        select(Payment.invoice_id, func.sum(Payment.amount))
        .where(col(Payment.invoice_id).in_([invoice.id for invoice in existing.values()]))
        .group_by(col(Payment.invoice_id))
    )
    paid: dict[int, Decimal] = {id_: total for id_, total in await session.exec(query_p)}
    fresh = defaults(Invoice)
    new: list[dict[str, Any]] = []
    for row in rows:
        fields = row.fields
        customer_id = customers.get(fields["customer"])
        if customer_id is None:
            run.error(row.line, "customer", f"no customer with code {fields['customer']!r}")
        invoice = existing.get(fields["number"])
        balance = fields["balance"]
        if balance is None:
            already = paid.get(invoice.id, ZERO) if invoice and invoice.id else ZERO
            balance = fields["amount"] - already
            if balance < 0:
                run.error(row.line, "amount", f"less than the {already} already paid")
        if customer_id is None or balance < 0:
            continue
        values = {
            "customer_id": customer_id,
            "issue_date": fields["issue_date"],
            "due_date": fields["due_date"],
            "currency": fields["currency"],
            "amount": fields["amount"],
            "balance": balance,
            "item": fields["item"],
            "salesperson_id": run.staff.get(fields["salesperson"] or ""),
        }
        if invoice is None:
            status = invoice_status(InvoiceStatus.OPEN, balance)
            new.append(fresh | values | {"number": fields["number"], "status": status})
            run.count(created=True)
        else:
            values["status"] = invoice_status(invoice.status, balance)
            changed = assign(invoice, values, run.keep)
            if changed:
                invoice.updated_at = utcnow()
            run.count(changed=changed)
    if new:
        await session.exec(insert(Invoice), params=new)


FORMAT = Format(
    "number",
    frozenset({"number", "customer", "issue_date", "due_date", "amount"}),
    frozenset({"currency", "balance", "item", "salesperson"}),
    parsers,
    apply,
    check,
)
