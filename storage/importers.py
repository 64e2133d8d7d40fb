"""CSV import of customers, invoices and payments: atomic, idempotent, streamed in batches.

A file is imported in one transaction. Rows are read and validated in batches;
each batch looks up what it references with `IN (...)` queries, writes, flushes
and forgets its ORM objects, so memory stays bounded whatever the file size
(only the keys seen so far are kept, to report duplicates). Bad rows are all
collected; if there is any, or on a dry run, the transaction is rolled back.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlalchemy import String, func, insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.enums import ChannelKind, InvoiceStatus, Role
from storage.models import Contact, Customer, Invoice, Payment, Policy, Staff, utcnow
from storage.parsing import (
    CsvReader,
    FieldError,
    RowError,
    optional,
    parse_amount,
    parse_chat_id,
    parse_currency,
    parse_date,
    parse_email,
    parse_language,
    parse_phone,
    parse_positive_amount,
    parse_required,
    parse_text,
    parse_timezone,
)

__all__ = ["BATCH_SIZE", "ImportKind", "ImportReport", "RowError", "import_csv"]

BATCH_SIZE = 1000
ZERO = Decimal(0)

Parser = Callable[[str], Any]
Progress = Callable[[int, int], None]


class ImportKind(StrEnum):
    """What a CSV file holds."""

    CUSTOMERS = "customers"
    INVOICES = "invoices"
    PAYMENTS = "payments"


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or with errors, would have done)."""

    kind: ImportKind
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when every row was valid (and, unless a dry run, the import was committed)."""
        return not self.errors


@dataclass(slots=True)
class _Row:
    line: int
    fields: dict[str, Any]


@dataclass
class _Run:
    """The state of one import: report, parsers, keys seen and names already resolved."""

    report: ImportReport
    key: str
    parsers: dict[str, Parser]
    keep: frozenset[str]  # optional columns absent from the file: existing values stay
    seen: dict[str, int] = field(default_factory=dict)
    staff: dict[str, int] = field(default_factory=dict)
    policies: dict[str, int] = field(default_factory=dict)

    def error(self, line: int, column: str, reason: str) -> None:
        self.report.errors.append(RowError(self.report.file, line, column, reason))

    def parse(self, line: int, texts: dict[str, str]) -> _Row | None:
        """Parse every field of a record, reporting each bad one; None if any was bad."""
        fields: dict[str, Any] = {}
        for column, parser in self.parsers.items():
            try:
                fields[column] = parser(texts[column])
            except FieldError as exc:
                self.error(line, column, str(exc))
        key = texts[self.key]
        if key and (first := self.seen.setdefault(key, line)) != line:
            self.error(line, self.key, f"duplicate of line {first}")
            return None
        if len(fields) < len(self.parsers) or not _cross_check(self, line, fields):
            return None
        return _Row(line, fields)

    def take(self, records: Iterator[tuple[int, dict[str, str]]]) -> list[_Row] | None:
        """Read and parse the next batch; None at the end of the file."""
        chunk = list(itertools.islice(records, BATCH_SIZE))
        if not chunk:
            return None
        return [row for line, texts in chunk if (row := self.parse(line, texts)) is not None]

    def count(self, *, created: bool = False, changed: bool = False) -> None:
        if created:
            self.report.created += 1
        elif changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1


def _cross_check(run: _Run, line: int, fields: dict[str, Any]) -> bool:
    """Rules between fields of one invoice row."""
    ok = True
    if "due_date" in fields and fields["due_date"] < fields["issue_date"]:
        run.error(line, "due_date", f"before issue_date {fields['issue_date']}")
        ok = False
    balance = fields.get("balance")
    if balance is not None and not ZERO <= balance <= fields["amount"]:
        run.error(line, "balance", f"must be between 0 and the amount {fields['amount']}")
        ok = False
    return ok


def _width(model: type[SQLModel], column: str) -> int:
    """The declared length of a text column, so parsers refuse what the database would."""
    column_type = model.metadata.tables[str(model.__tablename__)].c[column].type
    assert isinstance(column_type, String) and column_type.length is not None
    return column_type.length


def _text(model: type[SQLModel], column: str, *, required: bool = False) -> Parser:
    return partial(parse_required if required else parse_text, max_length=_width(model, column))


def _name(model: type[SQLModel], column: str) -> Parser:
    """A reference by name or code: empty reads as None."""
    return optional(_text(model, column))


def _assign(record: SQLModel, values: dict[str, Any], keep: frozenset[str]) -> bool:
    """Copy `values` onto `record`, except columns the file left out; True if any differed."""
    changed = False
    for attr, value in values.items():
        if attr.removesuffix("_id") not in keep and getattr(record, attr) != value:
            setattr(record, attr, value)
            changed = True
    return changed


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """The model's field defaults, evaluated now: bulk inserts bypass the model's constructor."""
    fields = model.model_fields.items()
    return {
        name: info.get_default(call_default_factory=True)
        for name, info in fields
        if not info.is_required() and name != "id"
    }


def _status(current: str, balance: Decimal) -> str:
    """Paid at zero; otherwise open, unless a person marked it disputed or written off."""
    if balance == 0:
        return InvoiceStatus.PAID.value
    if current in (InvoiceStatus.DISPUTED, InvoiceStatus.WRITTEN_OFF):
        return current
    return InvoiceStatus.OPEN.value


async def _resolve_staff(session: AsyncSession, run: _Run, wanted: dict[str, Role]) -> None:
    """Fill `run.staff` for the names in `wanted`, creating missing staff with the given role."""
    missing = [name for name in wanted if name not in run.staff]
    if not missing:
        return
    query = select(Staff.name, Staff.id).where(col(Staff.name).in_(missing))
    run.staff.update({name: id_ for name, id_ in await session.exec(query) if id_ is not None})
    new = [Staff(name=name, role=wanted[name]) for name in missing if name not in run.staff]
    session.add_all(new)
    await session.flush()
    run.staff.update({staff.name: staff.id for staff in new if staff.id is not None})


def _staff_wanted(rows: list[_Row], *columns: tuple[str, Role]) -> dict[str, Role]:
    return {row.fields[c]: role for row in rows for c, role in columns if row.fields[c]}


# Which contacts each customer column feeds: a phone number is reached by SMS and by voice.
_CONTACT_COLUMNS: dict[str, tuple[ChannelKind, ...]] = {
    "email": (ChannelKind.EMAIL,),
    "phone": (ChannelKind.SMS, ChannelKind.VOICE),
    "whatsapp": (ChannelKind.WHATSAPP,),
    "telegram": (ChannelKind.TELEGRAM,),
}


def _customer_parsers(currency: str, language: str, timezone: str) -> dict[str, Parser]:
    return {
        "code": _text(Customer, "code", required=True),
        "name": _text(Customer, "name", required=True),
        "email": optional(parse_email),
        "phone": optional(parse_phone),
        "whatsapp": optional(parse_phone),
        "telegram": optional(parse_chat_id),
        "language": partial(parse_language, default=language),
        "timezone": partial(parse_timezone, default=timezone),
        "segment": _text(Customer, "segment"),
        "salesperson": _name(Staff, "name"),
        "collector": _name(Staff, "name"),
        "policy": _name(Policy, "name"),
    }


def _contact_changes(
    run: _Run, row: _Row, current: list[Contact]
) -> tuple[list[Contact], list[tuple[str, str]]]:
    """Contacts to delete and `(channel, address)` pairs to add so the row's columns hold.

    A contact whose address is unchanged is kept as it is, with its opt-out and consent.
    """
    drop: list[Contact] = []
    add: list[tuple[str, str]] = []
    for column, channels in _CONTACT_COLUMNS.items():
        if column in run.keep:
            continue
        address = row.fields[column]
        for channel in channels:
            mine = [contact for contact in current if contact.channel == channel]
            drop += [contact for contact in mine if contact.address != address]
            if address is not None and all(contact.address != address for contact in mine):
                add.append((channel, address))
    return drop, add


async def _apply_customers(session: AsyncSession, run: _Run, rows: list[_Row]) -> None:
    """Create or update a batch of customers and their contacts."""
    wanted = _staff_wanted(rows, ("salesperson", Role.SALES), ("collector", Role.COLLECTOR))
    await _resolve_staff(session, run, wanted)
    if names := {row.fields["policy"] for row in rows} - {None} - run.policies.keys():
        query_n = select(Policy.name, Policy.id).where(col(Policy.name).in_(names))
        run.policies.update({name: id_ for name, id_ in await session.exec(query_n) if id_})
    query_c = select(Customer).where(col(Customer.code).in_([row.fields["code"] for row in rows]))
    existing = {customer.code: customer for customer in await session.exec(query_c)}
    ids = {code: customer.id for code, customer in existing.items()}
    contacts: dict[int | None, list[Contact]] = {}
    query_k = select(Contact).where(col(Contact.customer_id).in_(list(ids.values())))
    for contact in await session.exec(query_k):
        contacts.setdefault(contact.customer_id, []).append(contact)
    fresh = _defaults(Customer)
    new: list[dict[str, Any]] = []
    additions: list[tuple[str, str, str]] = []
    for row in rows:
        code, policy = row.fields["code"], row.fields["policy"]
        if policy is not None and policy not in run.policies:
            run.error(row.line, "policy", f"no policy named {policy!r}")
            continue
        values = {column: row.fields[column] for column in ("name", "segment", "language")}
        values["timezone"] = row.fields["timezone"]
        for column in ("salesperson", "collector"):
            values[f"{column}_id"] = run.staff.get(row.fields[column] or "")
        values["policy_id"] = run.policies.get(policy or "")
        customer = existing.get(code)
        drop, add = _contact_changes(run, row, contacts.get(ids.get(code), []))
        additions += [(code, channel, address) for channel, address in add]
        if customer is None:
            new.append(fresh | values | {"code": code})
            run.count(created=True)
            continue
        for contact in drop:
            await session.delete(contact)
        changed = _assign(customer, values, run.keep) or bool(drop or add)
        if changed:
            customer.updated_at = utcnow()
        run.count(changed=changed)
    if new:
        await session.exec(insert(Customer), params=new)
        query_i = select(Customer.code, Customer.id)
        query_i = query_i.where(col(Customer.code).in_([values["code"] for values in new]))
        ids.update({code: id_ for code, id_ in await session.exec(query_i)})
    if additions:
        fresh = _defaults(Contact)
        params = [
            fresh | {"customer_id": ids[code], "channel": channel, "address": address}
            for code, channel, address in additions
        ]
        await session.exec(insert(Contact), params=params)


def _invoice_parsers(currency: str, language: str, timezone: str) -> dict[str, Parser]:
    return {
        "number": _text(Invoice, "number", required=True),
        "customer": _text(Customer, "code", required=True),
        "issue_date": parse_date,
        "due_date": parse_date,
        "amount": parse_positive_amount,
        "currency": partial(parse_currency, default=currency),
        "balance": optional(parse_amount),
        "item": _text(Invoice, "item"),
        "salesperson": _name(Staff, "name"),
    }


async def _apply_invoices(session: AsyncSession, run: _Run, rows: list[_Row]) -> None:
    """Create or update a batch of invoices; an empty balance is the amount less payments."""
    await _resolve_staff(session, run, _staff_wanted(rows, ("salesperson", Role.SALES)))
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
    fresh = _defaults(Invoice)
    new: list[dict[str, Any]] = []
    for row in rows:
        fields = row.fields
        customer_id = customers.get(fields["customer"])
        if customer_id is None:
            run.error(row.line, "customer", f"no customer with code {fields['customer']!r}")
            continue
        invoice = existing.get(fields["number"])
        balance = fields["balance"]
        if balance is None:
            already = paid.get(invoice.id, ZERO) if invoice and invoice.id else ZERO
            balance = fields["amount"] - already
            if balance < 0:
                run.error(row.line, "amount", f"less than the {already} already paid")
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
            status = _status(InvoiceStatus.OPEN, balance)
            new.append(fresh | values | {"number": fields["number"], "status": status})
            run.count(created=True)
        else:
            values["status"] = _status(invoice.status, balance)
            changed = _assign(invoice, values, run.keep)
            if changed:
                invoice.updated_at = utcnow()
            run.count(changed=changed)
    if new:
        await session.exec(insert(Invoice), params=new)


def _payment_parsers(currency: str, language: str, timezone: str) -> dict[str, Parser]:
    return {
        "reference": _text(Payment, "reference", required=True),
        "invoice": _text(Invoice, "number", required=True),
        "amount": parse_positive_amount,
        "paid_on": parse_date,
        "method": _text(Payment, "method"),
    }


async def _apply_payments(session: AsyncSession, run: _Run, rows: list[_Row]) -> None:
    """Record a batch of payments, moving each invoice's balance by what changed."""
    numbers = {row.fields["invoice"] for row in rows}
    query_i = select(Invoice).where(col(Invoice.number).in_(numbers))
    invoices = {invoice.number: invoice for invoice in await session.exec(query_i)}
    refs = [row.fields["reference"] for row in rows]
    query_p = select(Payment).where(col(Payment.reference).in_(refs))
    existing = {payment.reference: payment for payment in await session.exec(query_p)}
    fresh = _defaults(Payment) | {"source": "import"}
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
            invoice.status = _status(invoice.status, balance)
            invoice.updated_at = utcnow()
        values = {"amount": fields["amount"], "paid_on": fields["paid_on"]}
        values["method"] = fields["method"]
        if payment is None:
            new.append(
                fresh | values | {"reference": fields["reference"], "invoice_id": invoice.id}
            )
            run.count(created=True)
        else:
            run.count(changed=_assign(payment, values, run.keep))
    if new:
        await session.exec(insert(Payment), params=new)


@dataclass(frozen=True)
class _Format:
    """The columns of one kind of file and how its rows are parsed and applied."""

    key: str
    required: frozenset[str]
    optional: frozenset[str]  # when absent from the header, existing values are kept
    parsers: Callable[[str, str, str], dict[str, Parser]]
    apply: Callable[[AsyncSession, _Run, list[_Row]], Awaitable[None]]


_FORMATS = {
    ImportKind.CUSTOMERS: _Format(
        "code",
        frozenset({"code", "name"}),
        frozenset(_CONTACT_COLUMNS)
        | {"language", "timezone", "segment", "salesperson", "collector", "policy"},
        _customer_parsers,
        _apply_customers,
    ),
    ImportKind.INVOICES: _Format(
        "number",
        frozenset({"number", "customer", "issue_date", "due_date", "amount"}),
        frozenset({"currency", "balance", "item", "salesperson"}),
        _invoice_parsers,
        _apply_invoices,
    ),
    ImportKind.PAYMENTS: _Format(
        "reference",
        frozenset({"reference", "invoice", "amount", "paid_on"}),
        frozenset({"method"}),
        _payment_parsers,
        _apply_payments,
    ),
}


class _Rollback(Exception):
    """Raised inside the transaction to undo it (errors found, or a dry run)."""


async def import_csv(
    db: Database,
    kind: str,
    path: Path,
    *,
    dry_run: bool = False,
    default_currency: str = "IDR",
    default_language: str = "id",
    default_timezone: str = "Asia/Jakarta",
    progress: Progress | None = None,
) -> ImportReport:
    """Import one CSV file of `kind` in one transaction; nothing is written if any row is bad."""
    kind = ImportKind(kind)
    spec = _FORMATS[kind]
    report = ImportReport(kind=kind, file=str(path), dry_run=dry_run)
    parsers = spec.parsers(default_currency, default_language, default_timezone)
    # File reads and row parsing run in a worker thread so the event loop stays responsive.
    with await asyncio.to_thread(path.open, "rb") as handle:
        total = os.fstat(handle.fileno()).st_size
        reader = await asyncio.to_thread(CsvReader, handle, report.file, parsers, spec.required)
        # A balance left out is computed, not kept, so it is never in `keep`.
        keep = spec.optional - reader.present - {"balance"}
        run = _Run(report, spec.key, parsers, keep)
        if reader.header is not None:
            try:
                async with db.transaction() as session:
                    records = iter(reader)
                    while (batch := await asyncio.to_thread(run.take, records)) is not None:
                        await spec.apply(session, run, batch)
                        await session.flush()
                        session.expunge_all()  # bounded memory: forget this batch's objects
                        if progress is not None:
                            progress(handle.tell(), total)
                    if report.errors or reader.errors or dry_run:
                        raise _Rollback
            except _Rollback:
                pass
    report.rows = reader.rows
    report.errors = sorted([*report.errors, *reader.errors], key=attrgetter("line"))
    return report
