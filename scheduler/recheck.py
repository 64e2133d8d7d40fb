"""Re-check a claimed follow-up against the current state, inside the sending transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.views import promised_until
from storage.enums import (
    CaseKind,
    CaseStatus,
    InvoiceStatus,
    MessageStatus,
    SkipReason,
)
from storage.models import (
    Case,
    Contact,
    Customer,
    FollowUp,
    FollowUpInvoice,
    Invoice,
    Message,
)


@dataclass(frozen=True, slots=True)
class SendPlan:
    """Everything needed to render and send one follow-up, or why not to."""

    followup: FollowUp
    customer: Customer
    open_invoices: tuple[Invoice, ...]
    triggered: frozenset[int]
    lead_offset: int
    contacts: dict[str, Contact]
    failed_channels: frozenset[str]
    skip: SkipReason | None
    telegram_bound: bool = False  # a usable Telegram chat exists (no deep link needed)
    #: Channels of the step the customer could be reached on once their provider is back.
    waiting: tuple[str, ...] = ()


async def load_send_plan(
    session: AsyncSession,
    *,
    followup: FollowUp,
    today: dt.date,
    grace_days: int,
    enabled: frozenset[str],
    unavailable: frozenset[str] = frozenset(),
) -> SendPlan:
    """Load the customer's current state and decide whether the follow-up still applies.

    `enabled` channels can send now; `unavailable` ones are configured but their provider
    is down: a contact there is not sent to, but it keeps the step from being skipped.
    """
    customer = await session.get(Customer, followup.customer_id)
    assert customer is not None and customer.id is not None
    links = (
        await session.exec(
            select(FollowUpInvoice).where(FollowUpInvoice.followup_id == followup.id)
        )
    ).all()
    invoices = (
        await session.exec(
            select(Invoice)
            .where(Invoice.customer_id == customer.id)
            .order_by(col(Invoice.due_date))
        )
    ).all()
    by_id = {inv.id: inv for inv in invoices}
    linked = [by_id[link.invoice_id] for link in links if link.invoice_id in by_id]
    # The calendar's own promise reading, for this one customer on the follow-up's day.
    until = await promised_until(session, customer_ids=[customer.id], grace_days=grace_days)
    promised = {key[1] for key, last in until.items() if key[0] == "invoice" and today <= last}
    all_promised = today <= until.get(("customer", customer.id), dt.date.min)
    still_owed = [inv for inv in linked if inv.balance > 0 and inv.status == InvoiceStatus.OPEN]
    active = [inv for inv in still_owed if not all_promised and inv.id not in promised]
    skip: SkipReason | None = None
    if customer.paused_until is not None and today <= customer.paused_until:
        skip = SkipReason.PAUSED
    elif not active:
        if any(inv.status == InvoiceStatus.DISPUTED and inv.balance > 0 for inv in linked):
            skip = SkipReason.DISPUTED
        elif still_owed:
            skip = SkipReason.PROMISE
        else:
            skip = SkipReason.PAID
    contacts: dict[str, Contact] = {}
    opted_out: set[str] = set()
    for contact in (
        await session.exec(
            select(Contact).where(Contact.customer_id == customer.id).order_by(col(Contact.id))
        )
    ).all():
        if contact.opted_out_at is not None or not contact.consent:
            opted_out.add(contact.channel)
        elif contact.channel in enabled or contact.channel in unavailable:
            contacts.setdefault(contact.channel, contact)
    failed = (
        await session.exec(
            select(Message.channel).where(
                Message.followup_id == followup.id, Message.status == MessageStatus.FAILED
            )
        )
    ).all()
    reachable = [name for name in followup.channels if name in contacts and name not in failed]
    usable = [name for name in reachable if name in enabled]
    waiting = tuple(name for name in reachable if name not in enabled)
    if skip is None and not reachable:
        wanted_opted = any(name in opted_out for name in followup.channels)
        skip = SkipReason.OPTED_OUT if wanted_opted and not failed else SkipReason.NO_CONTACT
    open_invoices = tuple(
        inv
        for inv in invoices
        if inv.balance > 0 and inv.status in (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED)
    )
    return SendPlan(
        followup=followup,
        customer=customer,
        open_invoices=open_invoices,
        triggered=frozenset(inv.id for inv in active if inv.id is not None),
        lead_offset=max((link.offset_days for link in links), default=0),
        contacts={name: contacts[name] for name in usable},
        failed_channels=frozenset(failed),
        skip=skip,
        telegram_bound="telegram" in contacts,
        waiting=waiting,
    )


async def open_research_case(session: AsyncSession, *, customer_id: int, details: str) -> bool:
    """Open a "research contact" case unless one is already open; True when opened."""
    existing = (
        await session.exec(
            select(Case.id).where(
                Case.customer_id == customer_id,
                Case.kind == CaseKind.CONTACT_RESEARCH,
                Case.status == CaseStatus.OPEN,
            )
        )
    ).first()
    if existing is not None:
        return False
    session.add(
        Case(
            customer_id=customer_id,
            kind=CaseKind.CONTACT_RESEARCH,
            reason="no_usable_contact",
            details=details,
        )
    )
    return True
