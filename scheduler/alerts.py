"""Queue alerts for the team: one note in the customer's log per alert, delivered later.

Every part of Tagih that wants a person to act (flows, promise checks, escalation steps,
failed contact) queues the same shape of note, `Message(direction="note", channel="alert",
template=<kind>, status="queued")`; `bot.staff.alerts.deliver_alerts` sends them.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n.staff_texts import Day, Summary, Word, summary, text
from storage.enums import Action, Direction, MessageStatus
from storage.models import Customer, FollowUp, FollowUpInvoice, Invoice, Message, Staff
from storage.queries.audit import audit
from storage.queries.staff import collectors_for, salesperson_for

#: The `channel` of alert notes in the communication log.
ALERT_CHANNEL = "alert"
#: Kinds the customer's salesperson gets too (besides the collector).
SALES_TOO = frozenset({"alert_sales", "credit_hold"})
#: The alert a policy step's action queues (reminding is the dispatcher's own business).
ACTION_KINDS = {
    Action.ALERT_COLLECTOR: "call_task",
    Action.ALERT_SALES: "alert_sales",
    Action.CREDIT_HOLD: "credit_hold",
    Action.AGENCY: "agency",
}


#: The key in an alert note's data holding the customer's newest invoice id at the time.
INVOICES_UPTO = "invoices_upto"


async def queue_alert(
    session: AsyncSession,
    *,
    customer_id: int,
    kind: str,
    summary: Summary | str,
    now: dt.datetime,
    followup_id: int | None = None,
) -> Message:
    """Queue one alert about the customer in the caller's transaction: a `Summary` is kept
    as keys and values (rendered in each recipient's language), the body in Indonesian.

    The note also keeps the customer's newest invoice id: its "Mark paid" button pays only
    invoices that existed when the alert was raised, never one imported since.
    """
    newest = (
        await session.exec(select(func.max(Invoice.id)).where(Invoice.customer_id == customer_id))
    ).one()
    data = summary.to_json() if isinstance(summary, Summary) else {}
    note = Message(
        customer_id=customer_id,
        followup_id=followup_id,
        direction=Direction.NOTE,
        channel=ALERT_CHANNEL,
        template=kind,
        body=summary.render("id") if isinstance(summary, Summary) else summary,
        data={**data, INVOICES_UPTO: newest},
        status=MessageStatus.QUEUED,
        created_at=now,
        updated_at=now,
    )
    session.add(note)
    await session.flush()
    return note


async def alert_recipients(session: AsyncSession, *, customer: Customer, kind: str) -> list[Staff]:
    """Who gets this alert: the collector(s), plus the salesperson for sales-facing kinds."""
    people = await collectors_for(session, customer=customer)
    if kind in SALES_TOO:
        sales = await salesperson_for(session, customer=customer)
        if sales is not None and all(s.id != sales.id for s in people):
            people.append(sales)
    return people


async def queue_escalations(
    session: AsyncSession, *, followup: FollowUp, actions: list[str], now: dt.datetime
) -> list[Message]:
    """Queue the alerts of a sent follow-up's actions (once per follow-up and kind);
    `credit_hold` also puts the customer on credit hold, audited."""
    kinds = [ACTION_KINDS[Action(a)] for a in actions if a in ACTION_KINDS]
    if not kinds or followup.id is None:
        return []
    customer = await session.get(Customer, followup.customer_id)
    assert customer is not None and customer.id is not None
    queued = await _queued_kinds(session, followup.id)
    steps_text = await _steps_text(session, followup.id)
    notes = []
    for kind in kinds:
        if kind in queued:
            continue  # a retried send must not alert twice
        if kind == "credit_hold" and not customer.credit_hold:
            _put_on_credit_hold(session, customer, now)
        day, what = Day(followup.local_date), Word(f"kind.{kind}")
        said = (
            text("alert.escalation", kind=what, date=day, steps=steps_text)
            if steps_text
            else text("alert.escalation_bare", kind=what, date=day)
        )
        notes.append(
            await queue_alert(
                session,
                customer_id=customer.id,
                kind=kind,
                summary=summary(said),
                now=now,
                followup_id=followup.id,
            )
        )
    return notes


async def _queued_kinds(session: AsyncSession, followup_id: int) -> set[str | None]:
    """The kinds of alert already queued for the follow-up."""
    return set(
        (
            await session.exec(
                select(Message.template).where(
                    Message.followup_id == followup_id,
                    Message.direction == Direction.NOTE,
                    Message.channel == ALERT_CHANNEL,
                )
            )
        ).all()
    )


async def _steps_text(session: AsyncSession, followup_id: int) -> str:
    """The follow-up's invoices and their offsets, `INV-1 +30, INV-2 +14` (empty if none)."""
    steps = (
        await session.exec(
            select(Invoice.number, FollowUpInvoice.offset_days)
            .join(FollowUpInvoice, col(FollowUpInvoice.invoice_id) == col(Invoice.id))
            .where(FollowUpInvoice.followup_id == followup_id)
            .order_by(col(Invoice.number))
        )
    ).all()
    return ", ".join(f"{number} {offset:+d}" for number, offset in steps)


def _put_on_credit_hold(session: AsyncSession, customer: Customer, now: dt.datetime) -> None:
    """Put the customer on credit hold, audited."""
    customer.credit_hold, customer.updated_at = True, now
    session.add(customer)
    audit(
        session,
        actor="scheduler",
        action="customer.credit_hold",
        entity="customer",
        entity_key=customer.code,
        before={"credit_hold": False},
        after={"credit_hold": True},
        now=now,
    )
