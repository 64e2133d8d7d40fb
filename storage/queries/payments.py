"""Recording one payment by hand: the operation behind `tagih payment add` and the chat's `/paid`.

The CSV import applies files of payments set-based (storage/importers/payments.py); both
move the balance and the status by the same rule (`invoice_status`). The planner re-plans
the customer on its next pass: a changed balance or status changes their plan fingerprint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.constants import MANUAL as MANUAL  # re-exported: it was defined here
from storage.enums import InvoiceStatus
from storage.importers.base import YEARS_BACK, invoice_status
from storage.models import AuditLog, Invoice, Payment
from storage.parsing import MAX_AMOUNT, shift_years

REFERENCE_LENGTH = 64
METHOD_LENGTH = 32


class Refusal(StrEnum):
    """Why a payment was not recorded; each surface words it in its own language."""

    UNKNOWN_INVOICE = "unknown_invoice"
    ALREADY_PAID = "already_paid"
    NOT_POSITIVE = "not_positive"
    TOO_LARGE = "too_large"
    OVER_BALANCE = "over_balance"
    FUTURE_DATE = "future_date"
    TOO_OLD = "too_old"
    REFERENCE_TAKEN = "reference_taken"
    BAD_TEXT = "bad_text"


class PaymentRefused(ValueError):
    """A payment that was not recorded, with what the caller needs to say why."""

    def __init__(
        self,
        refusal: Refusal,
        field: str,
        message: str,
        *,
        invoice: Invoice | None = None,
        amount: Decimal | None = None,
    ) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.field = field  # the argument at fault: invoice, amount, paid_on, method, reference
        # Plain values, not the row: the transaction is rolled back when this is caught.
        self.number = invoice.number if invoice else None
        self.currency = invoice.currency if invoice else None
        self.balance = invoice.balance if invoice else None
        self.amount = amount


@dataclass(frozen=True, slots=True)
class Recorded:
    """A payment just recorded and the invoice as it now stands."""

    payment: Payment
    invoice: Invoice
    over: Decimal  # paid beyond the open balance (only with allow_over), else zero


async def find_invoice(session: AsyncSession, *, number: str) -> Invoice | None:
    """The invoice with this number (any case), or None."""
    query = select(Invoice).where(func.lower(Invoice.number) == number.strip().lower())
    return (await session.exec(query)).first()


async def _next_reference(session: AsyncSession, invoice: Invoice) -> str:
    """`manual-<number>-<n>`: one more than the invoice's payments, skipping taken ones."""
    count = (
        await session.exec(
            select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice.id)
        )
    ).one()
    while True:
        count += 1  # a deleted or imported payment may have taken the number: the next one
        reference = f"{MANUAL}-{invoice.number}-{count}"[:REFERENCE_LENGTH]
        if not (
            await session.exec(select(Payment.id).where(Payment.reference == reference))
        ).first():
            return reference


async def record_payment(
    session: AsyncSession,
    *,
    invoice: Invoice | str,
    amount: Decimal | None,
    paid_on: dt.date,
    today: dt.date,
    actor: str,
    now: dt.datetime,
    method: str = MANUAL,
    reference: str | None = None,
    allow_over: bool = False,
    staff_id: int | None = None,
) -> Recorded:
    """Record a payment in the caller's transaction: reduce the balance, mark paid at zero,
    audit it; `amount` None pays the whole balance. Raises PaymentRefused, writing nothing.

    An overpayment is refused unless `allow_over`: then the invoice is paid in full and
    the excess is kept on the payment and in the audit entry, for a person to settle.
    """
    # Every check comes before the first write, so a refusal leaves the session untouched.
    invoice = await _payable_invoice(session, invoice)
    assert invoice.id is not None  # checked there; narrows the type here
    amount, over = _checked_amount(invoice, amount, allow_over=allow_over)
    _check_paid_on(paid_on, today)
    method = _checked_method(method)
    if reference is not None:
        reference = await _free_reference(session, reference)
    else:
        reference = await _next_reference(session, invoice)
    before = {"balance": str(invoice.balance), "status": invoice.status}
    payment = Payment(
        reference=reference,
        invoice_id=invoice.id,
        amount=amount,
        paid_on=paid_on,
        method=method,
        source=MANUAL,
        created_at=now,
    )
    session.add(payment)
    invoice.balance -= amount - over
    invoice.status = invoice_status(invoice.status, invoice.balance)
    invoice.updated_at = now
    session.add(invoice)
    _audit_paid(session, invoice, before, reference, over, actor=actor, staff_id=staff_id, now=now)
    await session.flush()
    return Recorded(payment, invoice, over)


async def _payable_invoice(session: AsyncSession, invoice: Invoice | str) -> Invoice:
    """The invoice (looked up when given by number), refused if unknown or already paid."""
    if isinstance(invoice, str):
        found = await find_invoice(session, number=invoice)
        if found is None:
            raise PaymentRefused(
                Refusal.UNKNOWN_INVOICE, "invoice", f"no invoice numbered {invoice!r}"
            )
        invoice = found
    assert invoice.id is not None
    if invoice.balance <= 0 or invoice.status == InvoiceStatus.PAID:
        raise PaymentRefused(
            Refusal.ALREADY_PAID, "invoice", f"{invoice.number} is already paid", invoice=invoice
        )
    return invoice


def _checked_amount(
    invoice: Invoice, amount: Decimal | None, *, allow_over: bool
) -> tuple[Decimal, Decimal]:
    """The amount to record (None: the whole balance) and what it pays beyond the balance."""
    amount = invoice.balance if amount is None else amount
    if amount <= 0:
        raise PaymentRefused(
            Refusal.NOT_POSITIVE, "amount", f"must be more than zero, got {amount}", amount=amount
        )
    if amount >= MAX_AMOUNT:
        raise PaymentRefused(Refusal.TOO_LARGE, "amount", f"too large: {amount}", amount=amount)
    over = max(amount - invoice.balance, Decimal(0))
    if over and not allow_over:
        raise PaymentRefused(
            Refusal.OVER_BALANCE,
            "amount",
            f"{amount} is more than the open balance of {invoice.number} ({invoice.balance})",
            invoice=invoice,
            amount=amount,
        )
    return amount, over


def _check_paid_on(paid_on: dt.date, today: dt.date) -> None:
    """Refuse a payment date in the future or before the import's earliest."""
    if paid_on > today:
        raise PaymentRefused(
            Refusal.FUTURE_DATE, "paid_on", f"{paid_on} is in the future (today {today})"
        )
    earliest = shift_years(today, -YEARS_BACK)
    if paid_on < earliest:
        # The CSV import's bound: older is a typo (`0026-03-25`), not a receivable.
        raise PaymentRefused(Refusal.TOO_OLD, "paid_on", f"{paid_on} is before {earliest}")


def _checked_method(method: str) -> str:
    """The method, stripped; refused if too long or holding a NUL."""
    method = method.strip()
    if len(method) > METHOD_LENGTH or "\x00" in method:
        raise PaymentRefused(Refusal.BAD_TEXT, "method", f"longer than {METHOD_LENGTH} characters")
    return method


async def _free_reference(session: AsyncSession, reference: str) -> str:
    """The caller's reference, stripped; refused if malformed or already on a payment."""
    reference = reference.strip()
    if not reference or len(reference) > REFERENCE_LENGTH or "\x00" in reference:
        raise PaymentRefused(Refusal.BAD_TEXT, "reference", f"1 to {REFERENCE_LENGTH} characters")
    taken = (
        await session.exec(
            select(Payment, Invoice.number)
            .join(Invoice, col(Invoice.id) == col(Payment.invoice_id))
            .where(Payment.reference == reference)
        )
    ).first()
    if taken is not None:
        raise PaymentRefused(
            Refusal.REFERENCE_TAKEN,
            "reference",
            f"{reference} is already recorded (on {taken[1]}, {taken[0].paid_on})",
        )
    return reference


def _audit_paid(
    session: AsyncSession,
    invoice: Invoice,
    before: dict[str, str],
    reference: str,
    over: Decimal,
    *,
    actor: str,
    staff_id: int | None,
    now: dt.datetime,
) -> None:
    """Add the `invoice.paid` audit entry: the balance and status before and after."""
    after: dict[str, object] = {
        "balance": str(invoice.balance),
        "status": invoice.status,
        "payment": reference,
    }
    if over:
        after["over"] = str(over)
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            staff_id=staff_id,
            action="invoice.paid",
            entity="invoice",
            entity_key=invoice.number,
            before=before,
            after=after,
        )
    )
