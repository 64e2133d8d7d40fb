"""Importing payments, keyed by reference: each moves its invoice's balance by what changed."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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
    text_field,
)
from storage.models import Invoice, Payment, utcnow
from storage.parsing import parse_date_in, parse_positive_amount

#: A payment is never in the future; one day of slack covers time zones ahead of the server's.
PAID_DAYS_AHEAD = 1


def parsers(context: Context) -> dict[str, Parser]:
    """The parser of each payment column (payments take no defaults, only today's date)."""
    return {
        "reference": text_field(Payment, "reference", required=True),
        "invoice": text_field(Invoice, "number", required=True),
        "amount": parse_positive_amount,
        "paid_on": partial(parse_date_in, within=context.dates(days_ahead=PAID_DAYS_AHEAD)),
        "method": text_field(Payment, "method"),
    }


async def apply(session: AsyncSession, run: Run, rows: list[Row]) -> None:
    """Record a batch of payments, moving each invoice's balance by what changed."""
    numbers = {row.fields["invoice"] for row in rows}
    query_i = select(Invoice).where(col(Invoice.number).in_(numbers))
    invoices = {invoice.number: invoice for invoice in await session.exec(query_i)}
    refs = [row.fields["reference"] for row in rows]
    query_p = select(Payment).where(col(Payment.reference).in_(refs))
    existing = {payment.reference: payment for payment in await session.exec(query_p)}
    fresh = defaults(Payment) | {"source": "import"}
    new: list[dict[str, Any]] = []
    for row in rows:
        fields = row.fields
        invoice = invoices.get(fields["invoice"])
        if invoice is None or invoice.id is None:
            run.error(row.line, "invoice", f"no invoice numbered {fields['invoice']!r}")
            continue
        payment = existing.get(fields["reference"])
        if payment is not None and payment.invoice_id != invoice.id:
            run.error(row.line, "invoice", "this reference is recorded against another invoice")
            continue
        # The invoice object is shared by the batch, so earlier rows of the file count too.
        open_balance = invoice.balance + (payment.amount if payment else ZERO)
        balance = open_balance - fields["amount"]
        if balance < 0:
            run.error(row.line, "amount", f"more than the open balance {open_balance}")
            continue
        if balance > invoice.amount:
            run.error(row.line, "amount", f"would leave {balance} open, over the invoice amount")
            continue
        if balance != invoice.balance:
            invoice.balance = balance
            invoice.status = invoice_status(invoice.status, balance)
            invoice.updated_at = utcnow()
        values = {"amount": fields["amount"], "paid_on": fields["paid_on"]}
        values["method"] = fields["method"]
        if payment is None:
            new.append(
                fresh | values | {"reference": fields["reference"], "invoice_id": invoice.id}
            )
            run.count(created=True)
        else:
            run.count(changed=assign(payment, values, run.keep))
    if new:
        await session.exec(insert(Payment), params=new)


FORMAT = Format(
    "reference",
    frozenset({"reference", "invoice", "amount", "paid_on"}),
    frozenset({"method"}),
    parsers,
    apply,
)
