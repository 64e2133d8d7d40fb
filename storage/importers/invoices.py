"""Importing invoices, keyed by invoice number; an empty balance is the amount less payments."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.enums import Role
from storage.importers.base import (
    OPEN,
    ZERO,
    Context,
    Format,
    Parser,
    Row,
    Run,
    Upsert,
    among,
    differs,
    fetch,
    invoice_status,
    merged,
    name_field,
    resolve_customers,
    resolve_staff,
    staff_wanted,
    text_field,
)
from storage.models import Customer, Invoice, Payment, Staff, table_of, utcnow
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


_INVOICE, _PAYMENT = table_of(Invoice), table_of(Payment)
#: What a row of the file sets; `number` is the key, `created_at` is written only once.
COLUMNS = (
    "customer_id",
    "issue_date",
    "due_date",
    "currency",
    "amount",
    "balance",
    "item",
    "salesperson_id",
    "status",
)


async def apply(conn: AsyncConnection, run: Run, rows: list[Row]) -> None:
    """Create or update a batch of invoices; an empty balance is the amount less payments."""
    await resolve_staff(conn, run, staff_wanted(rows, ("salesperson", Role.SALES)))
    await resolve_customers(conn, run, {row.fields["customer"] for row in rows})
    numbers = [row.fields["number"] for row in rows]
    existing = await fetch(conn, _INVOICE, "number", numbers, "id", *COLUMNS)
    paid = await _already_paid(conn, rows, existing)
    new, changed = _sort_rows(run, rows, existing, paid)
    statement = run.prepared(
        "invoices",
        lambda: Upsert.build(
            conn,
            _INVOICE,
            "number",
            COLUMNS,
            ("created_at", "updated_at"),
            update=(*COLUMNS, "updated_at"),
            keep=run.keep,
        ),
    )
    now = utcnow()
    await statement.run(conn, new, changed, {"created_at": now, "updated_at": now})


async def _already_paid(
    conn: AsyncConnection, rows: list[Row], existing: dict[str, dict[str, Any]]
) -> dict[int, Decimal]:
    """What was paid on each stored invoice the batch gives no balance (one query, if any)."""
    # An empty balance is the amount less what the invoice was already paid.
    unpaid = [
        invoice["id"]
        for row in rows
        if row.fields["balance"] is None and (invoice := existing.get(row.fields["number"]))
    ]
    paid: dict[int, Decimal] = {}
    if unpaid:
        query = (
            select(_PAYMENT.c.invoice_id, func.sum(_PAYMENT.c.amount))
            .where(among(conn, _PAYMENT.c.invoice_id, unpaid))
            .group_by(_PAYMENT.c.invoice_id)
        )
        paid = {id_: total for id_, total in await conn.execute(query)}
    return paid


def _sort_rows(
    run: Run,
    rows: list[Row],
    existing: dict[str, dict[str, Any]],
    paid: dict[int, Decimal],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The batch's new and changed invoices; each row that cannot be imported is reported."""
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        fields = row.fields
        customer = run.customers.get(fields["customer"])
        if customer is None:
            run.error(row.line, "customer", f"no customer with code {fields['customer']!r}")
        invoice = existing.get(fields["number"])
        balance = fields["balance"]
        if balance is None:
            already = paid.get(invoice["id"], ZERO) if invoice else ZERO
            balance = fields["amount"] - already
            if balance < 0:
                run.error(row.line, "amount", f"less than the {already} already paid")
        if customer is None or balance < 0:
            continue
        values = {
            "number": fields["number"],
            "customer_id": customer,
            "issue_date": fields["issue_date"],
            "due_date": fields["due_date"],
            "currency": fields["currency"],
            "amount": fields["amount"],
            "balance": balance,
            "item": fields["item"],
            "salesperson_id": run.staff.get(fields["salesperson"] or ""),
            "status": invoice_status(invoice["status"] if invoice else OPEN, balance),
        }
        if invoice is None:
            run.count(created=True)
            new.append(values)
        elif differs(invoice, values, run.keep):
            run.count(changed=True)
            changed.append(merged(invoice, values, run.keep))
        else:
            run.count()
    return new, changed


async def refs(conn: AsyncConnection, run: Run, rows: list[Row]) -> None:
    """Report each unknown customer among rows that had other problems."""
    codes = {code for row in rows if (code := row.fields.get("customer"))}
    await resolve_customers(conn, run, codes)
    for row in rows:
        if (code := row.fields.get("customer")) and code not in run.customers:
            run.error(row.line, "customer", f"no customer with code {code!r}")


FORMAT = Format(
    "number",
    frozenset({"number", "customer", "issue_date", "due_date", "amount"}),
    frozenset({"currency", "balance", "item", "salesperson"}),
    parsers,
    apply,
    check,
    texts=("number", "customer", "item", "salesperson"),
    refs=refs,
    table=_INVOICE.name,
)
