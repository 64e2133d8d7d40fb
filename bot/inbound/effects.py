"""Apply what a flow decided: promises, claims, choices, cases, alerts, opt-outs, language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import assert_never

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
from i18n.staff_texts import summary, text
from scheduler.alerts import queue_alert
from storage.enums import CaseKind, InvoiceStatus, PromiseStatus
from storage.models import (
    AuditLog,
    Case,
    CaseInvoice,
    Contact,
    Conversation,
    Customer,
    Message,
    PaymentChoice,
    Promise,
    PromiseInvoice,
)
from storage.queries.cases import case_invoice_ids, open_case_of_kind
from storage.queries.ledger import invoices_of_customer, open_promises

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
    older = await open_promises(session, customer_id=customer.id, sources=(source,))
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
    if kind == CaseKind.HANDOFF and (
        waiting := await open_case_of_kind(session, customer_id=customer_id, kind=CaseKind.HANDOFF)
    ):
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
    linked = await case_invoice_ids(session, case_id=case.id)
    for invoice_id in dict.fromkeys(invoice_ids):
        if invoice_id not in linked:
            session.add(CaseInvoice(case_id=case.id, invoice_id=invoice_id))
    return case


@dataclass(frozen=True, slots=True)
class _Turn:
    """What every effect of one turn is recorded against."""

    session: AsyncSession
    customer: Customer
    customer_id: int
    contact: Contact
    conversation: Conversation
    message_id: int | None
    grace_days: int
    now: dt.datetime
    today: dt.date


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
    turn = _Turn(
        session, customer, customer.id, contact, conversation, message_id, grace_days, now, today
    )
    for effect in effects:
        match effect:
            case RecordPromise():
                await _record_promise(turn, effect)
            case RecordPaymentClaim():
                await _record_claim(turn, effect)
            case RecordPaymentChoice():
                _record_choice(turn, effect)
            case OpenCase():
                await _open_case(turn, effect)
            case AlertCollector():
                await queue_alert(
                    session,
                    customer_id=turn.customer_id,
                    kind=effect.kind,
                    summary=effect.summary,
                    now=now,
                )
            case OptOut() | OptIn():
                await _set_opt_out(turn, opted_out=isinstance(effect, OptOut))
            case SetLanguage():
                _set_language(turn, effect)
            case _:
                # mypy proves this unreachable: a new kind of effect must be handled above.
                assert_never(effect)


async def _record_promise(turn: _Turn, effect: RecordPromise) -> None:
    source = "voice" if turn.contact.channel == "voice" else "chat"
    await _promise(turn.session, turn.customer, effect, source, turn.message_id, turn.now)


async def _record_claim(turn: _Turn, effect: RecordPaymentClaim) -> None:
    """A claim to verify, and reminders paused meanwhile."""
    await _case(
        turn.session,
        turn.customer_id,
        CaseKind.PAYMENT_CLAIM,
        reason="verify",
        invoice_ids=effect.invoice_ids,
        message_id=turn.message_id,
        now=turn.now,
        data={
            "paid_on": effect.paid_on.isoformat() if effect.paid_on else None,
            "amount": str(effect.amount) if effect.amount else None,
            "media": list(effect.media),
        },
    )
    # Reminders pause while the claim is checked: a promise the calendar honours,
    # ending `pause_days` from today (the grace is already counted in).
    until = turn.today + dt.timedelta(days=max(effect.pause_days - turn.grace_days, 0))
    await _promise(
        turn.session,
        turn.customer,
        RecordPromise(until, effect.amount, effect.invoice_ids),
        CLAIM_SOURCE,
        turn.message_id,
        turn.now,
    )


def _record_choice(turn: _Turn, effect: RecordPaymentChoice) -> None:
    turn.session.add(
        PaymentChoice(
            customer_id=turn.customer_id,
            invoice_id=effect.invoice_id,
            method=effect.method,
            message_id=turn.message_id,
            created_at=turn.now,
        )
    )


async def _open_case(turn: _Turn, effect: OpenCase) -> None:
    await _case(
        turn.session,
        turn.customer_id,
        effect.kind,
        reason=effect.reason,
        details=effect.details,
        invoice_ids=effect.invoice_ids,
        data=dict(effect.data),
        message_id=turn.message_id,
        now=turn.now,
    )
    if effect.kind == CaseKind.DISPUTE:
        await _dispute(turn.session, turn.customer_id, effect.invoice_ids, turn.now)


async def _words_of(turn: _Turn) -> str:
    """The text of the inbound message this turn answers ("" without one)."""
    if turn.message_id is None:
        return ""
    message = await turn.session.get(Message, turn.message_id)
    return message.body.strip() if message is not None else ""


async def _set_opt_out(turn: _Turn, *, opted_out: bool) -> None:
    """Opt the contact out (the collector is told) or back in, audited."""
    contact = turn.contact
    contact.opted_out_at = turn.now if opted_out else None
    turn.session.add(contact)
    if opted_out:
        # The customer's own words go with it: "stop kirim pesan ini, sy sdh bayar" or
        # "nomor ini bukan punya PT Maju" carry what only a person can follow up.
        said = await _words_of(turn)
        words = (text("alert.their_words", text=said),) if len(said.split()) > 1 else ()
        await queue_alert(
            turn.session,
            customer_id=turn.customer_id,
            kind="opt_out",
            summary=summary(text("alert.opt_out", channel=contact.channel), *words),
            now=turn.now,
        )
    turn.session.add(
        AuditLog(
            at=turn.now,
            actor="customer",
            action="contact.opt_out" if opted_out else "contact.opt_in",
            entity="customer",
            entity_key=turn.customer.code,
            after={"channel": contact.channel},
        )
    )


def _set_language(turn: _Turn, effect: SetLanguage) -> None:
    customer = turn.customer
    turn.session.add(
        AuditLog(
            at=turn.now,
            actor="customer",
            action="customer.language",
            entity="customer",
            entity_key=customer.code,
            before={"language": customer.language},
            after={"language": effect.language},
        )
    )
    customer.language = turn.conversation.language = effect.language
    turn.session.add(customer)


async def _dispute(
    session: AsyncSession, customer_id: int, invoice_ids: tuple[int, ...], now: dt.datetime
) -> None:
    """Stop chasing the disputed invoices until the case is resolved (the customer's own
    only: a flow bug or a forged payload must never stop chasing someone else's)."""
    invoices = await invoices_of_customer(session, customer_id=customer_id, invoice_ids=invoice_ids)
    for invoice in invoices:
        if invoice.status == InvoiceStatus.OPEN:
            invoice.status, invoice.updated_at = InvoiceStatus.DISPUTED, now
            session.add(invoice)
