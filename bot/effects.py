"""Apply what a flow decided: promises, claims, choices, cases, alerts, opt-outs, language."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows.types import (
    AlertCollector,
    Effect,
    OpenCase,
    OptIn,
    OptOut,
    RecordPaymentChoice,
    RecordPaymentClaim,
    RecordPromise,
    SetLanguage,
)
from bot.i18n.staff_texts import summary, text
from bot.staff.alert_queue import queue_alert
from storage.enums import CaseKind, CaseStatus, InvoiceStatus, PromiseStatus
from storage.models import (
    AuditLog,
    Case,
    CaseInvoice,
    Contact,
    Conversation,
    Customer,
    Invoice,
    PaymentChoice,
    Promise,
    PromiseInvoice,
)

#: Promises recorded for a payment claim only pause reminders while it is verified.
CLAIM_SOURCE = "claim"


async def _promise(
    session: AsyncSession,
    customer: Customer,
    effect: RecordPromise,
    source: str,
    message_id: int | None,
    now: dt.datetime,
) -> Promise:
    """A new promise replaces the customer's open ones for the same invoices."""
    assert customer.id is not None
    older = (
        await session.exec(
            select(Promise).where(
                Promise.customer_id == customer.id,
                Promise.status == PromiseStatus.OPEN,
                Promise.source == source,
            )
        )
    ).all()
    for promise in older:
        promise.status, promise.resolved_at = PromiseStatus.CANCELLED, now
        session.add(promise)
    promise = Promise(
        customer_id=customer.id,
        promised_date=effect.promised_date,
        amount=effect.amount,
        source=source,
        message_id=message_id,
        created_at=now,
    )
    session.add(promise)
    await session.flush()
    assert promise.id is not None
    for invoice_id in effect.invoice_ids:
        session.add(PromiseInvoice(promise_id=promise.id, invoice_id=invoice_id))
    return promise


async def _case(
    session: AsyncSession,
    customer_id: int,
    kind: str,
    *,
    reason: str = "",
    details: str = "",
    invoice_ids: tuple[int, ...] = (),
    data: dict[str, object],
    message_id: int | None,
    now: dt.datetime,
) -> Case:
    if kind == CaseKind.HANDOFF and (waiting := await _open_handoff(session, customer_id)):
        return await _add_to_case(session, waiting, details, invoice_ids)
    case = Case(
        customer_id=customer_id,
        kind=kind,
        reason=reason,
        details=details,
        data=data,
        message_id=message_id,
        created_at=now,
    )
    session.add(case)
    await session.flush()
    assert case.id is not None
    for invoice_id in invoice_ids:
        session.add(CaseInvoice(case_id=case.id, invoice_id=invoice_id))
    return case


async def _open_handoff(session: AsyncSession, customer_id: int) -> Case | None:
    """The customer's open handoff case, if a person was already asked to take over."""
    query = select(Case).where(
        Case.customer_id == customer_id,
        Case.kind == CaseKind.HANDOFF,
        Case.status == CaseStatus.OPEN,
    )
    return (await session.exec(query.order_by(col(Case.id)).limit(1))).first()


async def _add_to_case(
    session: AsyncSession, case: Case, details: str, invoice_ids: tuple[int, ...]
) -> Case:
    """A repeated ask joins the open case: its new lines appended, new invoices linked."""
    known = set(case.details.splitlines())
    new = [line for line in details.splitlines() if line not in known]
    if new:
        case.details = "\n".join([case.details, *new]).strip()
        session.add(case)
    assert case.id is not None
    linked = (
        await session.exec(select(CaseInvoice.invoice_id).where(CaseInvoice.case_id == case.id))
    ).all()
    for invoice_id in dict.fromkeys(invoice_ids):
        if invoice_id not in linked:
            session.add(CaseInvoice(case_id=case.id, invoice_id=invoice_id))
    return case


async def apply_effects(
    session: AsyncSession,
    *,
    effects: tuple[Effect, ...],
    customer: Customer,
    contact: Contact,
    conversation: Conversation,
    message_id: int | None,
    grace_days: int,
    now: dt.datetime,
    today: dt.date,
) -> None:
    """Record every effect of one turn, inside the caller's transaction."""
    assert customer.id is not None
    for effect in effects:
        if isinstance(effect, RecordPromise):
            source = "voice" if contact.channel == "voice" else "chat"
            await _promise(session, customer, effect, source, message_id, now)
        elif isinstance(effect, RecordPaymentClaim):
            await _case(
                session,
                customer.id,
                CaseKind.PAYMENT_CLAIM,
                reason="verify",
                invoice_ids=effect.invoice_ids,
                message_id=message_id,
                now=now,
                data={
                    "paid_on": effect.paid_on.isoformat() if effect.paid_on else None,
                    "amount": str(effect.amount) if effect.amount else None,
                    "media": list(effect.media),
                },
            )
            # Reminders pause while the claim is checked: a promise the calendar honours,
            # ending `pause_days` from today (the grace is already counted in).
            until = today + dt.timedelta(days=max(effect.pause_days - grace_days, 0))
            await _promise(
                session,
                customer,
                RecordPromise(until, effect.amount, effect.invoice_ids),
                CLAIM_SOURCE,
                message_id,
                now,
            )
        elif isinstance(effect, RecordPaymentChoice):
            session.add(
                PaymentChoice(
                    customer_id=customer.id,
                    invoice_id=effect.invoice_id,
                    method=effect.method,
                    message_id=message_id,
                    created_at=now,
                )
            )
        elif isinstance(effect, OpenCase):
            await _case(
                session,
                customer.id,
                effect.kind,
                reason=effect.reason,
                details=effect.details,
                invoice_ids=effect.invoice_ids,
                data=dict(effect.data),
                message_id=message_id,
                now=now,
            )
            if effect.kind == CaseKind.DISPUTE:
                await _dispute(session, customer.id, effect.invoice_ids, now)
        elif isinstance(effect, AlertCollector):
            await queue_alert(
                session, customer_id=customer.id, kind=effect.kind, summary=effect.summary, now=now
            )
        elif isinstance(effect, OptOut | OptIn):
            contact.opted_out_at = now if isinstance(effect, OptOut) else None
            session.add(contact)
            if isinstance(effect, OptOut):
                await queue_alert(
                    session,
                    customer_id=customer.id,
                    kind="opt_out",
                    summary=summary(text("alert.opt_out", channel=contact.channel)),
                    now=now,
                )
            action = "contact.opt_out" if isinstance(effect, OptOut) else "contact.opt_in"
            session.add(
                AuditLog(
                    at=now,
                    actor="customer",
                    action=action,
                    entity="customer",
                    entity_key=customer.code,
                    after={"channel": contact.channel},
                )
            )
        elif isinstance(effect, SetLanguage):
            session.add(
                AuditLog(
                    at=now,
                    actor="customer",
                    action="customer.language",
                    entity="customer",
                    entity_key=customer.code,
                    before={"language": customer.language},
                    after={"language": effect.language},
                )
            )
            customer.language = conversation.language = effect.language
            session.add(customer)


async def _dispute(
    session: AsyncSession, customer_id: int, invoice_ids: tuple[int, ...], now: dt.datetime
) -> None:
    """Stop chasing the disputed invoices until the case is resolved (the customer's own
    only: a flow bug or a forged payload must never stop chasing someone else's)."""
    query = select(Invoice).where(
        col(Invoice.id).in_(invoice_ids), Invoice.customer_id == customer_id
    )
    invoices = (await session.exec(query)).all()
    for invoice in invoices:
        if invoice.status == InvoiceStatus.OPEN:
            invoice.status, invoice.updated_at = InvoiceStatus.DISPUTED, now
            session.add(invoice)
