"""Collectors' log and case work: `/note`, `/call`, `/pause`, `/resume`, `/case`."""

from __future__ import annotations

import datetime as dt

from bot.staff.commands_base import (
    COLLECTORS,
    Call,
    Command,
    StaffReply,
    UsageError,
    find_customer,
    read_day,
    say,
)
from storage.enums import Direction, InvoiceStatus, MessageStatus
from storage.importers.base import invoice_status
from storage.models import Customer, Message
from storage.queries.cases import open_cases, resolve_case
from storage.queries.ledger import disputed_invoices

#: `/pause CODE` without a date pauses reminders this long.
DEFAULT_PAUSE = dt.timedelta(days=7)
CALL_OUTCOMES = ("reached", "no_answer", "wrong_number", "promised")


async def _note(call: Call, customer: Customer, body: str, kind: str) -> Message:
    """A note in the customer's communication log, signed by the staff member."""
    note = Message(
        customer_id=customer.id,
        direction=Direction.NOTE,
        channel="note",
        address=call.actor,
        body=body,
        template=kind,
        status=MessageStatus.RECEIVED,
        created_at=call.now,
        updated_at=call.now,
    )
    call.session.add(note)
    await call.session.flush()
    # Keyed by message, not customer: the note itself already shows in the customer's log.
    call.audit(f"{kind}.add", "message", str(note.id), None, {"customer": customer.code})
    return note


async def note(call: Call) -> list[StaffReply]:
    """Write a free-text note on the customer's log."""
    code, _, text = call.rest.partition(" ")
    if not code or not text.strip():
        raise UsageError(call.t("note.usage"))
    row = await find_customer(call, code)
    await _note(call, row, text.strip(), "note")
    return say(call.t("note.done", code=row.code))


async def call_outcome(call: Call) -> list[StaffReply]:
    """Log a phone call's outcome as a note (`call: <outcome>`)."""
    code, _, outcome = call.rest.partition(" ")
    if not code or not outcome.strip():
        raise UsageError(call.t("call.usage", outcomes=", ".join(CALL_OUTCOMES)))
    row = await find_customer(call, code)
    await _note(call, row, f"call: {outcome.strip()}", "call")
    return say(call.t("call.done", code=row.code, outcome=outcome.strip()))


async def pause(call: Call) -> list[StaffReply]:
    """Stop reminders to a customer until a date (a week by default)."""
    if not 1 <= len(call.args) <= 4:
        raise UsageError(call.t("pause.usage"))
    row = await find_customer(call, call.args[0])
    extra = " ".join(call.args[1:])
    until = read_day(call, extra) if extra else call.today + DEFAULT_PAUSE
    if until < call.today:
        raise UsageError(call.t("past_date", date=call.day(until)))
    before = {"paused_until": row.paused_until.isoformat() if row.paused_until else None}
    row.paused_until, row.updated_at = until, call.now
    call.session.add(row)
    call.audit("customer.pause", "customer", row.code, before, {"paused_until": until.isoformat()})
    return say(call.t("pause.done", code=row.code, date=call.day(until)))


async def resume(call: Call) -> list[StaffReply]:
    """Lift a customer's pause."""
    if len(call.args) != 1:
        raise UsageError(call.t("one_code"))
    row = await find_customer(call, call.args[0])
    if row.paused_until is None:
        return say(call.t("resume.not_paused", code=row.code))
    before = {"paused_until": row.paused_until.isoformat()}
    row.paused_until, row.updated_at = None, call.now
    call.session.add(row)
    call.audit("customer.resume", "customer", row.code, before, {"paused_until": None})
    return say(call.t("resume.done", code=row.code))


async def case(call: Call) -> list[StaffReply]:
    """Resolve the customer's open cases through the one case operation (the CLI's `tagih
    case resolve`): audited per case, a note in the log, disputed invoices chased again."""
    if len(call.args) != 2 or call.args[1].lower() != "resolve":
        raise UsageError(call.t("case.usage"))
    session = call.session
    row = await find_customer(call, call.args[0])
    cases = await open_cases(session, customer_id=row.id)
    disputed = await disputed_invoices(session, customer_id=row.id)
    if not cases and not disputed:
        return say(call.t("case.none", code=row.code))
    for item in cases:
        assert item.id is not None
        await resolve_case(
            session, case_id=item.id, actor=call.actor, now=call.now, staff_id=call.staff.id
        )
    # Invoices marked disputed with no open case (an import's status) are chased again too.
    orphans = await disputed_invoices(session, customer_id=row.id)
    for inv in orphans:
        inv.status = invoice_status(InvoiceStatus.OPEN, inv.balance)
        inv.updated_at = call.now
        session.add(inv)
    if orphans:
        before = {"disputed": [i.number for i in orphans]}
        call.audit("invoice.undispute", "customer", row.code, before, {"invoices": "open"})
    if disputed:
        return say(
            call.t("case.done_disputed", count=len(cases), code=row.code, disputed=len(disputed))
        )
    return say(call.t("case.done", count=len(cases), code=row.code))


COMMANDS = (
    Command("note", COLLECTORS, note),
    Command("call", COLLECTORS, call_outcome),
    Command("pause", COLLECTORS, pause),
    Command("resume", COLLECTORS, resume),
    Command("case", COLLECTORS, case),
)
