"""Re-check a claimed follow-up against the current state, inside the sending transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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


@dataclass(frozen=True, slots=True)
class _Batch:
    """What the re-check reads for a batch of follow-ups, a few IN queries in all."""

    customers: dict[int, Customer]
    links: dict[int, list[FollowUpInvoice]]
    invoices: dict[int, list[Invoice]]
    promised: dict[tuple[str, int], dt.date]
    contacts: dict[int, list[Contact]]
    failed: dict[int, set[str]]


async def _load_batch(
    session: AsyncSession, followups: Sequence[FollowUp], grace_days: int
) -> _Batch:
    customer_ids = sorted({f.customer_id for f in followups})
    followup_ids = [f.id for f in followups if f.id is not None]
    customers = {
        c.id: c
        for c in (
            await session.exec(select(Customer).where(col(Customer.id).in_(customer_ids)))
        ).all()
        if c.id is not None
    }
    links: dict[int, list[FollowUpInvoice]] = {}
    for link in (
        await session.exec(
            select(FollowUpInvoice).where(col(FollowUpInvoice.followup_id).in_(followup_ids))
        )
    ).all():
        links.setdefault(link.followup_id, []).append(link)
    invoices: dict[int, list[Invoice]] = {}
    for inv in (
        await session.exec(
            select(Invoice)
            .where(col(Invoice.customer_id).in_(customer_ids))
            .order_by(col(Invoice.due_date))
        )
    ).all():
        invoices.setdefault(inv.customer_id, []).append(inv)
    contacts: dict[int, list[Contact]] = {}
    for contact in (
        await session.exec(
            select(Contact)
            .where(col(Contact.customer_id).in_(customer_ids))
            .order_by(col(Contact.id))
        )
    ).all():
        contacts.setdefault(contact.customer_id, []).append(contact)
    failed: dict[int, set[str]] = {}
    for followup_id, channel in (
        await session.exec(
            select(Message.followup_id, Message.channel).where(
                col(Message.followup_id).in_(followup_ids),
                Message.status == MessageStatus.FAILED,
            )
        )
    ).all():
        if followup_id is not None:
            failed.setdefault(followup_id, set()).add(channel)
    # The calendar's own promise reading, for these customers.
    promised = await promised_until(session, customer_ids=customer_ids, grace_days=grace_days)
    return _Batch(customers, links, invoices, promised, contacts, failed)


def _decide(
    followup: FollowUp,
    batch: _Batch,
    *,
    enabled: frozenset[str],
    unavailable: frozenset[str],
) -> SendPlan:
    """Whether one follow-up still applies on its day, and on which channels (pure)."""
    today = followup.local_date
    customer = batch.customers[followup.customer_id]
    assert customer.id is not None
    links = batch.links.get(followup.id or 0, [])
    invoices = batch.invoices.get(customer.id, [])
    by_id = {inv.id: inv for inv in invoices}
    linked = [by_id[link.invoice_id] for link in links if link.invoice_id in by_id]
    until = batch.promised
    promised = {
        key[1]
        for key, last in until.items()
        if key[0] == "invoice" and today <= last and key[1] in by_id
    }
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
    for contact in batch.contacts.get(customer.id, []):
        if contact.opted_out_at is not None or not contact.consent:
            opted_out.add(contact.channel)
        elif contact.channel in enabled or contact.channel in unavailable:
            contacts.setdefault(contact.channel, contact)
    failed = batch.failed.get(followup.id or 0, set())
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


async def load_send_plans(
    session: AsyncSession,
    *,
    followups: Sequence[FollowUp],
    grace_days: int,
    enabled: frozenset[str],
    unavailable: frozenset[str] = frozenset(),
) -> dict[int, SendPlan]:
    """Load the customers' current state and decide, per follow-up, whether it still applies.

    `enabled` channels can send now; `unavailable` ones are configured but their provider
    is down: a contact there is not sent to, but it keeps the step from being skipped.
    """
    if not followups:
        return {}
    batch = await _load_batch(session, followups, grace_days)
    return {
        followup.id: _decide(followup, batch, enabled=enabled, unavailable=unavailable)
        for followup in followups
        if followup.id is not None
    }


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
