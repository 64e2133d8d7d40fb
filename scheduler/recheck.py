"""Re-check a claimed follow-up against the current state, inside the sending transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.views import promised_until
from storage.enums import (
    CaseKind,
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
    table_of,
)
from storage.queries.cases import open_case_of_kind


@dataclass(frozen=True, slots=True)
class CustomerView:
    """The customer's columns that the re-check and the renderer read."""

    id: int
    code: str
    name: str
    language: str
    timezone: str
    policy_id: int | None
    paused_until: dt.date | None


@dataclass(frozen=True, slots=True)
class InvoiceView:
    """An invoice's columns that the re-check and the statement read."""

    id: int
    number: str
    customer_id: int
    issue_date: dt.date
    due_date: dt.date
    currency: str
    amount: Decimal
    balance: Decimal
    item: str
    status: str


@dataclass(frozen=True, slots=True)
class ContactView:
    """A contact's columns that the re-check and the sender read."""

    id: int
    customer_id: int
    channel: str
    address: str
    consent: bool
    opted_out_at: dt.datetime | None
    last_inbound_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class SendPlan:
    """Everything needed to render and send one follow-up, or why not to."""

    followup: FollowUp
    customer: CustomerView
    open_invoices: tuple[InvoiceView, ...]
    triggered: frozenset[int]
    lead_offset: int
    contacts: dict[str, ContactView]
    failed_channels: frozenset[str]
    skip: SkipReason | None
    telegram_bound: bool = False  # a usable Telegram chat exists (no deep link needed)
    #: Channels of the step the customer could be reached on once their provider is back.
    waiting: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Batch:
    """What the re-check reads for a batch of follow-ups, a few IN queries in all."""

    customers: dict[int, CustomerView]
    links: dict[int, list[tuple[int, int]]]  # follow-up → (invoice id, offset in days)
    invoices: dict[int, list[InvoiceView]]
    promised: dict[tuple[str, int], dt.date]
    contacts: dict[int, list[ContactView]]
    failed: dict[int, set[str]]


def _columns(view: type[Any], model: type[SQLModel]) -> list[Column[Any]]:
    """The model's columns named like the view's fields, in their order."""
    table = table_of(model)
    return [table.c[f.name] for f in fields(view)]


_CUSTOMER = _columns(CustomerView, Customer)
_INVOICE = _columns(InvoiceView, Invoice)
_CONTACT = _columns(ContactView, Contact)
_LINK = table_of(FollowUpInvoice).c
_MESSAGE = table_of(Message).c


async def _load_batch(
    session: AsyncSession, followups: Sequence[FollowUp], grace_days: int
) -> _Batch:
    # Plain rows into slotted views: ORM entities cost more to build than all the rest of
    # the re-check, and nothing here is written back.
    customer_ids = sorted({f.customer_id for f in followups})
    followup_ids = [f.id for f in followups if f.id is not None]
    conn = await session.connection()
    customers = {
        row.id: CustomerView(*row)
        for row in await conn.execute(select(*_CUSTOMER).where(_CUSTOMER[0].in_(customer_ids)))
    }
    links: dict[int, list[tuple[int, int]]] = {}
    for followup_id, invoice_id, offset in await conn.execute(
        select(_LINK.followup_id, _LINK.invoice_id, _LINK.offset_days).where(
            _LINK.followup_id.in_(followup_ids)
        )
    ):
        links.setdefault(followup_id, []).append((invoice_id, offset))
    invoices: dict[int, list[InvoiceView]] = {}
    invoice_table = table_of(Invoice).c
    for row in await conn.execute(
        select(*_INVOICE)
        .where(invoice_table.customer_id.in_(customer_ids))
        .order_by(invoice_table.due_date)
    ):
        invoices.setdefault(row.customer_id, []).append(InvoiceView(*row))
    contacts: dict[int, list[ContactView]] = {}
    contact_table = table_of(Contact).c
    for row in await conn.execute(
        select(*_CONTACT)
        .where(contact_table.customer_id.in_(customer_ids))
        .order_by(contact_table.id)
    ):
        contacts.setdefault(row.customer_id, []).append(ContactView(*row))
    failed: dict[int, set[str]] = {}
    for followup_id, channel in await conn.execute(
        select(_MESSAGE.followup_id, _MESSAGE.channel).where(
            _MESSAGE.followup_id.in_(followup_ids),
            _MESSAGE.status == MessageStatus.FAILED.value,
        )
    ):
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
    links = batch.links.get(followup.id or 0, [])
    invoices = batch.invoices.get(customer.id, [])
    by_id = {inv.id: inv for inv in invoices}
    linked = [by_id[invoice_id] for invoice_id, _ in links if invoice_id in by_id]
    still_owed, active = _owed(today, customer.id, linked, by_id, batch.promised)
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
    contacts, opted_out = _contacts_by_channel(
        batch.contacts.get(customer.id, []), enabled, unavailable
    )
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
        triggered=frozenset(inv.id for inv in active),
        lead_offset=max((offset for _, offset in links), default=0),
        contacts={name: contacts[name] for name in usable},
        failed_channels=frozenset(failed),
        skip=skip,
        telegram_bound="telegram" in contacts,
        waiting=waiting,
    )


def _owed(
    today: dt.date,
    customer_id: int,
    linked: list[InvoiceView],
    by_id: dict[int, InvoiceView],
    until: dict[tuple[str, int], dt.date],
) -> tuple[list[InvoiceView], list[InvoiceView]]:
    """The linked invoices still owed, and those of them no open promise covers `today`."""
    promised = {
        key[1]
        for key, last in until.items()
        if key[0] == "invoice" and today <= last and key[1] in by_id
    }
    all_promised = today <= until.get(("customer", customer_id), dt.date.min)
    still_owed = [inv for inv in linked if inv.balance > 0 and inv.status == InvoiceStatus.OPEN]
    active = [inv for inv in still_owed if not all_promised and inv.id not in promised]
    return still_owed, active


def _contacts_by_channel(
    contacts: list[ContactView], enabled: frozenset[str], unavailable: frozenset[str]
) -> tuple[dict[str, ContactView], set[str]]:
    """The first usable contact per configured channel, and the channels opted out of."""
    usable: dict[str, ContactView] = {}
    opted_out: set[str] = set()
    for contact in contacts:
        if contact.opted_out_at is not None or not contact.consent:
            opted_out.add(contact.channel)
        elif contact.channel in enabled or contact.channel in unavailable:
            usable.setdefault(contact.channel, contact)
    return usable, opted_out


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
    if await open_case_of_kind(session, customer_id=customer_id, kind=CaseKind.CONTACT_RESEARCH):
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
