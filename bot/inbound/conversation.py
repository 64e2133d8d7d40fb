"""Run one customer turn: load the stored state, step the flow, apply effects, save."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels import capabilities_of
from bot.config import Settings
from bot.flows.customer import step
from bot.flows.types import Facts, InvoiceFact, PaymentInfo, Reply, State, Turn
from bot.inbound.effects import apply_effects
from scheduler.messages import Address, Button, Inbound, Outbound
from storage.enums import CaseKind, InvoiceStatus
from storage.models import Contact, Conversation, Customer, Invoice, Staff
from storage.queries.cases import open_case_of_kind
from storage.queries.contacts import find_conversation
from storage.queries.ledger import open_invoices

#: What `tagih run` offers out of the box on its sandboxes, so "cara bayar" works at once;
#: every answer that shows these says they are examples.
EXAMPLE_PAYMENT = PaymentInfo(
    bank_accounts=("BCA 000-000-0000 a.n. PT Contoh (CONTOH)",),
    ewallet="GoPay/OVO 0800-0000-0000 a.n. PT Contoh (CONTOH); cantumkan nomor faktur.",
    pay_link_template="https://pay.example.invalid/{invoice}?amount={amount}",
    example=True,
)


@dataclass(frozen=True, slots=True)
class ConversationConfig:
    """Settings the conversation needs (from `Settings`)."""

    payment: PaymentInfo
    idle: dt.timedelta = dt.timedelta(hours=24)
    max_promise_days: int = 60
    grace_days: int = 1


def render_reply(reply: Reply, to: Address, key: str, language: str) -> Outbound:
    """Options as buttons where the channel carries them, else as numbered lines."""
    if capabilities_of(to.channel).buttons:
        buttons = tuple(Button(o.label, o.payload) for o in reply.options)
        return Outbound(
            to=to, body=reply.text, idempotency_key=key, language=language, buttons=buttons
        )
    lines = [reply.text, *(f"{i}. {o.label}" for i, o in enumerate(reply.options, start=1))]
    return Outbound(to=to, body="\n".join(lines), idempotency_key=key, language=language)


def _fact(invoice: Invoice) -> InvoiceFact:
    return InvoiceFact(
        invoice.id or 0, invoice.number, invoice.balance, invoice.currency, invoice.due_date
    )


async def _facts(
    session: AsyncSession,
    customer: Customer,
    language: str,
    channel: str,
    today: dt.date,
    config: ConversationConfig,
) -> Facts:
    # Open invoices, due or not (paying early is the best outcome there is), and disputed
    # ones, which are not chased but which the customer may well bring up.
    invoices = await open_invoices(session, customer_id=customer.id)
    # A customer who already waits for a person (an open handoff case) is told so.
    handoff = await open_case_of_kind(session, customer_id=customer.id, kind=CaseKind.HANDOFF)
    payment = replace(config.payment, virtual_account=customer.virtual_account)
    return Facts(
        customer_name=customer.name,
        language=language,
        today=today,
        channel=channel,
        invoices=tuple(_fact(inv) for inv in invoices if inv.status == InvoiceStatus.OPEN),
        disputed=tuple(_fact(inv) for inv in invoices if inv.status == InvoiceStatus.DISPUTED),
        payment=payment,
        max_promise_days=config.max_promise_days,
        collector=await _collector(session, customer),
        handoff_open=handoff is not None,
    )


async def _collector(session: AsyncSession, customer: Customer) -> str:
    """The customer's own collector as a customer may contact them: name and phone or email."""
    staff = await session.get(Staff, customer.collector_id) if customer.collector_id else None
    if staff is None or not staff.active:
        return ""
    reach = staff.phone or staff.email
    return f"{staff.name} ({reach})" if reach else staff.name


async def converse(
    session: AsyncSession,
    *,
    inbound: Inbound,
    contact: Contact,
    customer: Customer,
    message_id: int | None,
    now: dt.datetime,
    config: ConversationConfig,
) -> list[Outbound]:
    """One turn of the customer's conversation on this channel and address."""
    channel, address = inbound.sender.channel, inbound.sender.value
    conversation = await find_conversation(session, channel=channel, address=address)
    if conversation is None:
        conversation = Conversation(
            channel=channel, address=address, customer_id=customer.id, updated_at=now
        )
    expired = conversation.expires_at is not None and conversation.expires_at <= now
    state = (
        State()
        if expired
        else State(conversation.flow, conversation.state, dict(conversation.data))
    )
    language = conversation.language or customer.language
    today = now.astimezone(ZoneInfo(customer.timezone)).date()
    facts = await _facts(session, customer, language, channel, today, config)
    outcome = step(state, Turn(inbound.text, inbound.payload, inbound.media), facts)
    await apply_effects(
        session,
        effects=outcome.effects,
        customer=customer,
        contact=contact,
        conversation=conversation,
        message_id=message_id,
        grace_days=config.grace_days,
        now=now,
        today=today,
    )
    conversation.customer_id = customer.id
    conversation.flow, conversation.state = outcome.state.flow, outcome.state.step
    conversation.data = dict(outcome.state.data)
    conversation.updated_at, conversation.expires_at = now, now + config.idle
    session.add(conversation)
    language = conversation.language or customer.language
    base = f"reply:{channel}:{inbound.provider_id or now.isoformat()}"
    return [
        render_reply(reply, inbound.sender, f"{base}:{i}", language)
        for i, reply in enumerate(outcome.replies)
    ]


def conversation_config(settings: Settings) -> ConversationConfig:
    """The conversation's settings: payment instructions, idle time, promise limits."""
    accounts = tuple(part.strip() for part in settings.bank_accounts.split(";") if part.strip())
    payment = PaymentInfo(
        bank_accounts=accounts,
        qris=settings.qris_info or None,
        ewallet=settings.ewallet_info or None,
        pay_link_template=settings.pay_link_template or None,
    )
    examples = settings.payment_examples
    if examples is None:
        examples = settings.sandbox_only
    if examples and payment == PaymentInfo():
        payment = EXAMPLE_PAYMENT
    return ConversationConfig(
        payment=payment,
        idle=dt.timedelta(minutes=settings.conversation_idle_minutes),
        max_promise_days=settings.max_promise_days,
        grace_days=settings.promise_grace_days,
    )
