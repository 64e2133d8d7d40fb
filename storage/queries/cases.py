"""Cases: the open ones and their invoices; closing one by its id (`tagih case resolve`, the
chat's `/case`): the case, its disputed invoices, the log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import CaseKind, CaseStatus, Direction, InvoiceStatus, MessageStatus
from storage.importers.base import invoice_status
from storage.models import AuditLog, Case, CaseInvoice, Customer, Invoice, Message

NOTE_LENGTH = 2000


class CaseRefused(ValueError):
    """A case that cannot be resolved as asked; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class Resolved:
    """The case just resolved, its customer's code and the invoices chased again."""

    case: Case
    code: str
    reopened: tuple[str, ...]


async def open_cases(session: AsyncSession, *, customer_id: int | None = None) -> list[Case]:
    """Every open case (or one customer's), oldest first."""
    query = select(Case).where(Case.status == CaseStatus.OPEN)
    if customer_id is not None:
        query = query.where(Case.customer_id == customer_id)
    return list((await session.exec(query.order_by(col(Case.created_at), col(Case.id)))).all())


async def open_cases_with_codes(
    session: AsyncSession, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Case, str]]:
    """Every open case (or those of `customer_ids`) with its customer's code, oldest first."""
    query = (
        select(Case, Customer.code)
        .join(Customer, col(Customer.id) == col(Case.customer_id))
        .where(Case.status == CaseStatus.OPEN)
        .order_by(col(Case.created_at), col(Case.id))
    )
    if customer_ids is not None:
        query = query.where(col(Case.customer_id).in_(list(customer_ids)))
    return list((await session.exec(query)).all())


async def open_case_of_kind(
    session: AsyncSession, *, customer_id: int | None, kind: CaseKind
) -> Case | None:
    """The customer's first open case of this kind (a handoff, a contact research…), or None."""
    query = select(Case).where(
        Case.customer_id == customer_id, Case.kind == kind, Case.status == CaseStatus.OPEN
    )
    return (await session.exec(query.order_by(col(Case.id)).limit(1))).first()


async def case_invoice_ids(session: AsyncSession, *, case_id: int) -> set[int]:
    """The ids of the invoices the case names."""
    query = select(CaseInvoice.invoice_id).where(CaseInvoice.case_id == case_id)
    return set((await session.exec(query)).all())


async def resolve_case(
    session: AsyncSession,
    *,
    case_id: int,
    actor: str,
    now: dt.datetime,
    note: str | None = None,
    staff_id: int | None = None,
) -> Resolved:
    """Resolve an open case in the caller's transaction, audited; its disputed invoices that
    no other open dispute covers are chased again; a note goes to the customer's log."""
    case = await _open_case(session, case_id)
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH or "\x00" in note:
        raise CaseRefused(f"the note is longer than {NOTE_LENGTH} characters")
    customer = await session.get(Customer, case.customer_id)
    assert customer is not None
    reopened = await _reopen_disputed(session, case_id, now)
    case.status, case.resolved_at = CaseStatus.RESOLVED, now
    if note:
        case.data = {**case.data, "resolution": note}
    session.add(case)
    _log_resolution(
        session, case_id, case, customer, note, reopened, actor=actor, staff_id=staff_id, now=now
    )
    await session.flush()
    return Resolved(case, customer.code, tuple(reopened))


async def _open_case(session: AsyncSession, case_id: int) -> Case:
    """The case numbered `case_id`, refused if there is none or it is no longer open."""
    case = await session.get(Case, case_id)
    if case is None:
        raise CaseRefused(f"no case #{case_id}")
    if case.status != CaseStatus.OPEN:
        when = f" on {case.resolved_at.date()}" if case.resolved_at else ""
        raise CaseRefused(f"case #{case_id} is already {case.status}{when}")
    return case


async def _reopen_disputed(session: AsyncSession, case_id: int, now: dt.datetime) -> list[str]:
    """Chase the case's disputed invoices again; the numbers of those reopened."""
    disputed = (
        await session.exec(
            select(Invoice)
            .join(CaseInvoice, col(CaseInvoice.invoice_id) == col(Invoice.id))
            .where(CaseInvoice.case_id == case_id, Invoice.status == InvoiceStatus.DISPUTED)
        )
    ).all()
    # An invoice another open dispute also covers stays disputed until that one is resolved.
    still = set(
        (
            await session.exec(
                select(CaseInvoice.invoice_id)
                .join(Case, col(Case.id) == col(CaseInvoice.case_id))
                .where(
                    col(CaseInvoice.invoice_id).in_([i.id for i in disputed]),
                    Case.id != case_id,
                    Case.status == CaseStatus.OPEN,
                    Case.kind == CaseKind.DISPUTE,
                )
            )
        ).all()
    )
    reopened = []
    for invoice in disputed:
        if invoice.id in still:
            continue
        invoice.status = invoice_status(InvoiceStatus.OPEN, invoice.balance)
        invoice.updated_at = now
        session.add(invoice)
        reopened.append(invoice.number)
    return reopened


def _log_resolution(
    session: AsyncSession,
    case_id: int,
    case: Case,
    customer: Customer,
    note: str,
    reopened: list[str],
    *,
    actor: str,
    staff_id: int | None,
    now: dt.datetime,
) -> None:
    """Add the note to the customer's log and the `case.resolve` audit entry."""
    text = f"case #{case_id} ({case.kind}) resolved" + (f": {note}" if note else "")
    session.add(
        Message(
            customer_id=customer.id,
            direction=Direction.NOTE,
            channel="note",
            address=actor,
            body=text,
            template="case",
            status=MessageStatus.RECEIVED,
            created_at=now,
            updated_at=now,
        )
    )
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            staff_id=staff_id,
            action="case.resolve",
            entity="case",
            entity_key=str(case_id),
            before={"status": CaseStatus.OPEN.value, "customer": customer.code},
            after={
                "status": CaseStatus.RESOLVED.value,
                "note": note or None,
                "reopened": reopened,
            },
        )
    )
