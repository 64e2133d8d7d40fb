"""One customer's communication log: messages and the records they led to, in time order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    AuditLog,
    Case,
    Invoice,
    Message,
    Payment,
    PaymentChoice,
    Promise,
)
from storage.queries.ledger import customer_with_code


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the log."""

    at: dt.datetime
    kind: str  # "in", "out", "note", "promise", "claim", "choice", "case", "payment", "audit"
    channel: str
    text: str
    status: str = ""
    #: The raw values behind `text` (amounts, dates, the audit's before and after, an alert
    #: note's structured summary), for a reader's language to show them; `--json` omits them.
    facts: dict[str, Any] = field(default_factory=dict)


async def customer_timeline(session: AsyncSession, *, code: str, limit: int = 200) -> list[Entry]:
    """The last `limit` entries of the customer's log, oldest first; [] for no customer."""
    customer = await customer_with_code(session, code=code)
    if customer is None or customer.id is None:
        return []
    cid = customer.id
    # Appended source by source: the sort is stable, so entries of the same instant keep
    # this order.
    entries = await _message_entries(session, cid, limit)
    entries += await _promise_entries(session, cid)
    entries += await _choice_entries(session, cid)
    entries += await _case_entries(session, cid)
    entries += await _payment_entries(session, cid)
    entries += await _audit_entries(session, code)
    entries.sort(key=lambda e: e.at)
    return entries[-limit:]


async def _message_entries(session: AsyncSession, cid: int, limit: int) -> list[Entry]:
    """The customer's latest `limit` messages, in and out, and notes."""
    entries: list[Entry] = []
    for m in (
        await session.exec(
            select(Message)
            .where(Message.customer_id == cid)
            .order_by(col(Message.created_at).desc())
            .limit(limit)
        )
    ).all():
        kind = {"in": "in", "out": "out"}.get(m.direction, "note")
        label = m.template if kind == "note" and m.template else m.channel
        facts = dict(m.data) if m.data else {}
        entries.append(Entry(m.created_at, kind, label, m.subject or m.body, m.status, facts))
    return entries


async def _promise_entries(session: AsyncSession, cid: int) -> list[Entry]:
    """The customer's promises to pay and payment claims."""
    entries: list[Entry] = []
    for p in (await session.exec(select(Promise).where(Promise.customer_id == cid))).all():
        kind = "claim" if p.source == "claim" else "promise"
        amount = f" {p.amount}" if p.amount is not None else ""
        entries.append(
            Entry(
                p.created_at,
                kind,
                p.source,
                f"pay{amount} by {p.promised_date.isoformat()}",
                p.status,
                {
                    "amount": str(p.amount) if p.amount is not None else None,
                    "date": p.promised_date.isoformat(),
                },
            )
        )
    return entries


async def _choice_entries(session: AsyncSession, cid: int) -> list[Entry]:
    """The payment methods the customer chose."""
    entries: list[Entry] = []
    for c in (
        await session.exec(select(PaymentChoice).where(PaymentChoice.customer_id == cid))
    ).all():
        entries.append(
            Entry(
                c.created_at,
                "choice",
                "",
                f"payment method: {c.method}",
                facts={"method": c.method},
            )
        )
    return entries


async def _case_entries(session: AsyncSession, cid: int) -> list[Entry]:
    """The customer's cases: disputes, requests, handoffs, claims."""
    entries: list[Entry] = []
    for case in (await session.exec(select(Case).where(Case.customer_id == cid))).all():
        detail = f"{case.kind} {case.reason}".strip()
        text = f"{detail}: {case.details}" if case.details else detail
        entries.append(Entry(case.created_at, "case", "", text, case.status))
    return entries


async def _payment_entries(session: AsyncSession, cid: int) -> list[Entry]:
    """The payments on the customer's invoices."""
    entries: list[Entry] = []
    for pay, number, currency in (
        await session.exec(
            select(Payment, Invoice.number, Invoice.currency)
            .join(Invoice, col(Invoice.id) == col(Payment.invoice_id))
            .where(Invoice.customer_id == cid)
        )
    ).all():
        entries.append(
            Entry(
                pay.created_at,
                "payment",
                pay.source,
                f"{pay.reference}: {pay.amount} on {number} ({pay.paid_on})",
                facts={
                    "reference": pay.reference,
                    "amount": str(pay.amount),
                    "currency": currency,
                    "invoice": number,
                    "paid_on": pay.paid_on.isoformat(),
                },
            )
        )
    return entries


async def _audit_entries(session: AsyncSession, code: str) -> list[Entry]:
    """The audit log's changes to the customer's own record."""
    entries: list[Entry] = []
    for audit in (
        await session.exec(
            select(AuditLog).where(AuditLog.entity == "customer", AuditLog.entity_key == code)
        )
    ).all():
        entries.append(
            Entry(
                audit.at,
                "audit",
                audit.actor,
                f"{audit.action} {audit.after or ''}".strip(),
                facts={"action": audit.action, "before": audit.before, "after": audit.after},
            )
        )
    return entries
