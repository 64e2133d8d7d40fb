"""The buttons under an alert: handled, pause 7 days, mark paid, open log.

Payloads are `alert:<action>:<arg>` (see `bot.staff.alert_render.alert_buttons`): the
alert note's id for `handled`, `n<note id>` for `paid`, else the customer's code (or
`#<id>` for a long code).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.staff.log_render import entry_text
from bot.staff.roles import ALERT_ACTIONS, may_press
from i18n.format import format_date, format_money
from i18n.staff_texts import st
from scheduler.alerts import ALERT_CHANNEL, INVOICES_UPTO
from storage.enums import Direction, MessageStatus
from storage.models import Customer, Message, Staff
from storage.queries.audit import actor_of, audit
from storage.queries.ledger import customer_with_code, open_invoices
from storage.queries.payments import record_payment
from storage.queries.staff import staff_by_telegram
from storage.queries.timeline import Entry, customer_timeline

#: How many lines of the customer's log the "Open log" button shows.
LOG_LINES = 10


def _t(key: str, language: str, **values: object) -> str:
    return st(f"button.{key}", language, **values)


def customer_currency(entries: list[Entry]) -> str:
    """The currency of the customer's payments in the log (promises carry none), else IDR."""
    return next((str(e.facts["currency"]) for e in entries if "currency" in e.facts), "IDR")


def is_alert_payload(payload: str | None) -> bool:
    """True for the payload of an alert button (for the router to hand it here)."""
    return bool(payload) and str(payload).startswith("alert:")


async def answer_alert_press(
    session: AsyncSession, *, telegram_user_id: int, payload: str, now: dt.datetime
) -> str | None:
    """The answer to an alert button pressed in a Telegram chat; None when the chat is not
    an active staff member's (the router then treats it as any other message)."""
    staff = await staff_by_telegram(session, telegram_user_id=telegram_user_id)
    if staff is None:
        return None
    return await handle_alert_button(session, staff=staff, payload=payload, now=now)


async def _customer(session: AsyncSession, ref: str) -> Customer | None:
    if ref.startswith("#"):
        return await session.get(Customer, int(ref[1:])) if _row_id(ref[1:]) else None
    return await customer_with_code(session, code=ref)


async def handle_alert_button(
    session: AsyncSession, *, staff: Staff, payload: str, now: dt.datetime
) -> str:
    """Apply one alert button pressed by `staff` in the caller's transaction; the answer."""
    lang = staff.language
    _, action, arg = [*payload.split(":", 2), "", ""][:3]
    if action not in ALERT_ACTIONS or not arg:
        return _t("bad", lang)
    if not may_press(staff, action):
        return _t("refused", lang)
    if action == "handled":
        return await _handled(session, staff, arg, now)
    if action == "paid":
        return await _paid_from_alert(session, staff, arg, now)
    customer = await _customer(session, arg)
    if customer is None or customer.id is None:
        return _t("no_customer", lang)
    if action == "pause7":
        return _pause(session, staff, customer, now)
    return await _log(session, staff, customer)


async def _paid_from_alert(session: AsyncSession, staff: Staff, arg: str, now: dt.datetime) -> str:
    """ "Mark paid" under one alert: what was open when that alert was raised.

    An older button names the customer only (`alert:paid:C001`): it could pay invoices
    added after the alert, so it is refused with a pointer to /paid.
    """
    note_id = arg[1:] if arg.startswith("n") else ""
    note = await session.get(Message, int(note_id)) if _row_id(note_id) else None
    if note is None or note.channel != ALERT_CHANNEL or note.customer_id is None:
        return _t("outdated" if note_id == "" else "bad", staff.language)
    data = note.data or {}
    if INVOICES_UPTO not in data:
        return _t("outdated", staff.language)  # a note from before the newest id was kept
    upto = data[INVOICES_UPTO]
    if not isinstance(upto, int):
        upto = 0  # the customer had no invoice when the alert was raised: nothing to pay
    customer = await session.get(Customer, note.customer_id)
    if customer is None or customer.id is None:
        return _t("no_customer", staff.language)
    return await _paid(session, staff, customer, now, upto=upto)


def _row_id(text: str) -> bool:
    """Whether a payload's id can be a row id (a forged "99999999999999" overflows
    PostgreSQL's integer before any row is looked at)."""
    return text.isdecimal() and 0 < int(text) < 2**31


async def _handled(session: AsyncSession, staff: Staff, arg: str, now: dt.datetime) -> str:
    note = await session.get(Message, int(arg)) if _row_id(arg) else None
    if note is None or note.direction != Direction.NOTE or note.channel != ALERT_CHANNEL:
        return _t("bad", staff.language)
    if note.status == MessageStatus.READ:
        return _t("already", staff.language)
    before = note.status
    note.status, note.updated_at = MessageStatus.READ, now
    session.add(note)
    customer = await session.get(Customer, note.customer_id) if note.customer_id else None
    audit(
        session,
        actor=actor_of(staff),
        staff_id=staff.id,
        action="alert.handled",
        entity="customer",  # so the customer's log shows who handled what
        entity_key=customer.code if customer else "",
        before={"alert": note.id, "kind": note.template, "status": before},
        after={"alert": note.id, "kind": note.template, "status": MessageStatus.READ.value},
        now=now,
    )
    return _t("handled", staff.language)


def _pause(session: AsyncSession, staff: Staff, customer: Customer, now: dt.datetime) -> str:
    today = now.astimezone(ZoneInfo(customer.timezone)).date()
    until = today + dt.timedelta(days=7)
    before = customer.paused_until
    customer.paused_until, customer.updated_at = until, now
    session.add(customer)
    audit(
        session,
        actor=actor_of(staff),
        staff_id=staff.id,
        action="customer.pause",
        entity="customer",
        entity_key=customer.code,
        before={"paused_until": before.isoformat() if before else None},
        after={"paused_until": until.isoformat()},
        now=now,
    )
    date = format_date(until, staff.language)
    return _t("paused", staff.language, name=customer.name, date=date)


async def _paid(
    session: AsyncSession,
    staff: Staff,
    customer: Customer,
    now: dt.datetime,
    *,
    upto: int,
) -> str:
    """Record a manual payment of the balance of each open invoice the alert knew of (ids
    up to `upto`), and close it."""
    invoices = [
        inv
        for inv in await open_invoices(session, customer_id=customer.id)
        if inv.id is not None and inv.id <= upto
    ]
    if not invoices:
        return _t("nothing", staff.language, name=customer.name)
    today = now.astimezone(ZoneInfo(customer.timezone)).date()
    before = {inv.number: str(inv.balance) for inv in invoices}
    items = []
    for inv in invoices:
        items.append(f"{inv.number} {format_money(inv.balance, inv.currency, staff.language)}")
        # The one operation behind `tagih payment add` and `/paid`: same reference scheme,
        # status rule and per-invoice audit entry.
        await record_payment(
            session,
            invoice=inv,
            amount=None,
            paid_on=today,
            today=today,
            actor=actor_of(staff),
            now=now,
            staff_id=staff.id,
        )
    audit(
        session,
        actor=actor_of(staff),
        staff_id=staff.id,
        action="customer.marked_paid",
        entity="customer",
        entity_key=customer.code,
        before={"open": before},
        after={"paid": sorted(before), "paid_on": today.isoformat()},
        now=now,
    )
    return _t("paid", staff.language, name=customer.name, items=", ".join(items))


async def _log(session: AsyncSession, staff: Staff, customer: Customer) -> str:
    entries = await customer_timeline(session, code=customer.code, limit=LOG_LINES)
    if not entries:
        return _t("empty_log", staff.language, name=customer.name)
    zone = ZoneInfo(staff.timezone)
    lines = [f"{customer.code} · {customer.name}"]
    for e in entries:
        said = entry_text(e, language=staff.language, currency=customer_currency(entries))
        text = " ".join(said.split())
        text = text if len(text) <= 120 else text[:119] + "…"
        where = f" {e.channel}" if e.channel else ""
        status = f" [{e.status}]" if e.status else ""
        lines.append(f"{e.at.astimezone(zone):%d/%m %H:%M} {e.kind}{where}: {text}{status}")
    return "\n".join(lines)
