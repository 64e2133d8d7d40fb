"""Importing payments, keyed by reference: each moves its invoice's balance by what changed."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.importers.base import (
    ZERO,
    Context,
    Format,
    Parser,
    Row,
    Run,
    Upsert,
    differs,
    fetch,
    invoice_status,
    merged,
    text_field,
    updating,
)
from storage.models import Invoice, Payment, table_of, utcnow
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


_INVOICE, _PAYMENT = table_of(Invoice), table_of(Payment)
#: What a row of the file sets; `reference` is the key, `invoice_id` never moves.
COLUMNS = ("invoice_id", "amount", "paid_on", "method")


async def apply(conn: AsyncConnection, run: Run, rows: list[Row]) -> None:
    """Record a batch of payments, moving each invoice's balance by what changed."""
    numbers = {row.fields["invoice"] for row in rows}
    found = await fetch(conn, _INVOICE, "number", numbers, "id", "amount", "balance", "status")
    # Mutable copies, shared by the batch, so earlier rows of the file count too.
    invoices = {number: dict(invoice) for number, invoice in found.items()}
    statuses = {invoice["id"]: invoice["status"] for invoice in found.values()}
    refs = [row.fields["reference"] for row in rows]
    existing = await fetch(conn, _PAYMENT, "reference", refs, *COLUMNS)
    now = utcnow()
    new, changed, moved = _sort_rows(run, rows, invoices, existing)
    statement = run.prepared(
        "payments",
        lambda: Upsert.build(
            conn,
            _PAYMENT,
            "reference",
            COLUMNS,
            ("source", "created_at"),
            update=COLUMNS,
            keep=run.keep,
        ),
    )
    await statement.run(conn, new, changed, {"source": "import", "created_at": now})
    await _move_balances(conn, run, moved, statuses, now)


def _sort_rows(
    run: Run,
    rows: list[Row],
    invoices: dict[str, dict[str, Any]],
    existing: dict[str, dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """The batch's new and changed payments, and the invoices whose balance moves.

    Each row's payment moves `invoices` (the batch's shared copies) as it is checked.
    """
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    moved: dict[int, dict[str, Any]] = {}  # invoice id → its new balance and status
    for row in rows:
        fields = row.fields
        invoice = invoices.get(fields["invoice"])
        if invoice is None:
            run.error(row.line, "invoice", f"no invoice numbered {fields['invoice']!r}")
            continue
        payment = existing.get(fields["reference"])
        if payment is not None and payment["invoice_id"] != invoice["id"]:
            run.error(row.line, "invoice", "this reference is recorded against another invoice")
            continue
        open_balance = invoice["balance"] + (payment["amount"] if payment else ZERO)
        balance = open_balance - fields["amount"]
        if balance < 0:
            run.error(row.line, "amount", f"more than the open balance {open_balance}")
            continue
        if balance > invoice["amount"]:
            run.error(row.line, "amount", f"would leave {balance} open, over the invoice amount")
            continue
        if balance != invoice["balance"]:
            invoice["balance"] = balance
            invoice["status"] = invoice_status(invoice["status"], balance)
            moved[invoice["id"]] = invoice
        values = {
            "reference": fields["reference"],
            "invoice_id": invoice["id"],
            "amount": fields["amount"],
            "paid_on": fields["paid_on"],
            "method": fields["method"],
        }
        if payment is None:
            run.count(created=True)
            new.append(values)
        elif differs(payment, values, run.keep):
            run.count(changed=True)
            changed.append(merged(payment, values, run.keep))
        else:
            run.count()
    return new, changed, moved


async def _move_balances(
    conn: AsyncConnection,
    run: Run,
    moved: dict[int, dict[str, Any]],
    statuses: dict[int, str],
    now: dt.datetime,
) -> None:
    """Write the moved invoices' balances and statuses; `statuses` holds those before."""
    shared = {"updated_at": now}
    restate = run.prepared(
        "statuses", lambda: updating(conn, _INVOICE, "id", ("balance", "status"), list(shared))
    )
    if restate.columnar:
        await restate.run(conn, list(moved.values()), shared)
        return
    # SQLite rewrites the status index of every row whose UPDATE names the column, changed
    # or not: only the invoices whose status changes have it written.
    balances = run.prepared(
        "balances", lambda: updating(conn, _INVOICE, "id", ("balance",), list(shared))
    )
    await balances.run(
        conn, [i for i in moved.values() if i["status"] == statuses[i["id"]]], shared
    )
    await restate.run(conn, [i for i in moved.values() if i["status"] != statuses[i["id"]]], shared)


async def refs(conn: AsyncConnection, run: Run, rows: list[Row]) -> None:
    """Report each unknown invoice among rows that had other problems."""
    numbers = {number for row in rows if (number := row.fields.get("invoice"))}
    found = await fetch(conn, _INVOICE, "number", numbers, "id")
    for row in rows:
        if (number := row.fields.get("invoice")) and number not in found:
            run.error(row.line, "invoice", f"no invoice numbered {number!r}")


FORMAT = Format(
    "reference",
    frozenset({"reference", "invoice", "amount", "paid_on"}),
    frozenset({"method"}),
    parsers,
    apply,
    texts=("reference", "invoice", "method"),
    refs=refs,
    table=_PAYMENT.name,
)
