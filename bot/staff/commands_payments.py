"""Money matters recorded by collectors: `/paid` (a payment) and `/promise` (by phone)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.nlu.reading import names_no_positive_amount, parse_amount, parse_date
from bot.staff.commands_base import (
    COLLECTORS,
    Call,
    Command,
    CommandError,
    StaffReply,
    UsageError,
    find_customer,
    find_invoice,
    iso_day,
    money,
    past_day,
    say,
)
from storage.enums import PromiseStatus
from storage.models import Promise
from storage.queries.ledger import open_invoices, open_promises
from storage.queries.payments import PaymentRefused, Refusal, record_payment

#: Days a payment cannot have been made on yet.
_AHEAD = re.compile(r"\b(?:besok|lusa|tomorrow|minggu depan|bulan depan|next week|next month)\b")


def _a_year_before(day: dt.date) -> dt.date | None:
    """The same day a year earlier (None for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return None


#: Open promises a phone promise replaces (a payment claim's pause is left alone).
REPLACEABLE_SOURCES = ("chat", "voice", "phone")


async def paid(call: Call) -> list[StaffReply]:
    """Record a payment: reduce the balance, close the invoice at zero, refuse overpaying."""
    # "INV-1 Rp 2,5 juta 2026-03-20": an amount may be written in several words.
    if not 1 <= len(call.args) <= 6:
        raise UsageError(call.t("paid.usage"))
    invoice = await find_invoice(call, call.args[0])
    extra = " ".join(call.args[1:])
    if names_no_positive_amount(extra):
        raise UsageError(call.t("amount_positive"))  # "-500000" read as 500000 otherwise
    if _AHEAD.search(extra.lower()):
        raise UsageError(call.t("paid.future"))  # "besok": a payment is not made tomorrow
    amount = parse_amount(extra) if extra else None
    # An ISO date is taken as written (a future one is refused below), else the latest past.
    iso = next((d for d in map(iso_day, call.args[1:]) if d is not None), None)
    day = iso or (past_day(extra, call.today) if extra else None)
    if extra and amount is None and day is None:
        raise UsageError(call.t("paid.bad_extra", text=repr(extra)))
    if day is not None and day < invoice.issue_date:
        issued = call.day(invoice.issue_date)
        raise UsageError(
            call.t("paid.before_issue", date=call.day(day), number=invoice.number, issued=issued)
        )
    try:
        done = await record_payment(
            call.session,
            invoice=invoice,
            amount=amount,
            paid_on=day or call.today,
            today=call.today,
            actor=call.actor,
            staff_id=call.staff.id,
            now=call.now,
        )
    except PaymentRefused as exc:
        raise _refusal(exc, call) from None
    payment, invoice = done.payment, done.invoice
    return say(
        call.t(
            "paid.done_full" if invoice.balance == 0 else "paid.done_part",
            amount=money(payment.amount, invoice.currency, call.staff),
            number=invoice.number,
            date=call.day(payment.paid_on),
            reference=payment.reference,
            left=money(invoice.balance, invoice.currency, call.staff),
        )
    )


def _refusal(exc: PaymentRefused, call: Call) -> Exception:
    """The chat's words for a payment the shared operation refused."""
    number, currency, balance, amount = exc.number, exc.currency, exc.balance, exc.amount
    if exc.refusal == Refusal.ALREADY_PAID:
        return CommandError(call.t("paid.already", number=number))
    if exc.refusal == Refusal.NOT_POSITIVE:
        return UsageError(call.t("amount_positive"))
    if exc.refusal == Refusal.OVER_BALANCE and currency and balance is not None and amount:
        return CommandError(
            call.t(
                "paid.over",
                amount=money(amount, currency, call.staff),
                number=number,
                balance=money(balance, currency, call.staff),
            )
        )
    if exc.refusal == Refusal.FUTURE_DATE:
        return UsageError(call.t("paid.future"))
    return UsageError(call.t(f"paid.refusal.{exc.refusal.value}"))


async def promise(call: Call) -> list[StaffReply]:
    """Record a promise to pay obtained by phone (same limits as the chat flow)."""
    if len(call.args) < 2:
        raise UsageError(call.t("promise.usage"))
    session = call.session
    row = await find_customer(call, call.args[0])
    assert row.id is not None
    today = call.now.astimezone(ZoneInfo(row.timezone)).date()
    extra = " ".join(call.args[1:])
    if names_no_positive_amount(" ".join(call.args[2:]) if iso_day(call.args[1]) else extra):
        raise UsageError(call.t("amount_positive"))  # "-5jt" or "0" is no promise in full
    # The NLU reads "tgl 25 5jt" as a date and an amount: amounts are not taken from dates.
    when = iso_day(call.args[1]) or parse_date(extra, today)
    if when is None:
        raise UsageError(call.t("promise.no_date", text=repr(extra)))
    if when < today:
        raise CommandError(call.t("promise.past", date=call.day(when)))
    limit = today + dt.timedelta(days=call.config.max_promise_days)
    # Only a date written without its year is read forward into the next one.
    dated = iso_day(call.args[1]) is not None or re.search(r"\b\d{4}\b", extra) is not None
    year_before = None if dated else _a_year_before(when)
    if when > limit and year_before is not None and year_before < today:
        # "20/3" on 25 March is read forward to next year; the collector meant this one.
        raise CommandError(call.t("promise.past", date=call.day(year_before)))
    if when > limit:
        raise CommandError(call.t("promise.too_far", date=call.day(when), limit=call.day(limit)))
    amount = parse_amount(" ".join(call.args[2:])) if iso_day(call.args[1]) else parse_amount(extra)
    if amount is not None and amount <= 0:
        raise UsageError(call.t("amount_positive"))
    if amount is not None:
        # "50jt" for "5jt": a promise above everything the customer owes is a typo to fix,
        # not a promise to keep (the chat flow reads it back; here it is refused).
        invoices = await open_invoices(session, customer_id=row.id)
        owed = sum((i.balance for i in invoices), Decimal(0))
        currencies = {i.currency for i in invoices}
        currency = next(iter(currencies), "IDR")
        if len(currencies) == 1 and amount > owed:  # never summed across currencies
            raise CommandError(
                call.t(
                    "promise.over",
                    amount=money(amount, currency, call.staff),
                    code=row.code,
                    balance=money(owed, currency, call.staff),
                )
            )
    older = await open_promises(session, customer_id=row.id, sources=REPLACEABLE_SOURCES)
    for old in older:
        old.status, old.resolved_at = PromiseStatus.CANCELLED, call.now
        session.add(old)
    created = Promise(
        customer_id=row.id,
        promised_date=when,
        amount=amount,
        source="phone",
        staff_id=call.staff.id,
        created_at=call.now,
    )
    session.add(created)
    await session.flush()
    after = {"promise": created.id, "date": when.isoformat(), "amount": _text(amount)}
    before = {"replaced": [p.id for p in older]} if older else None
    call.audit("promise.phone", "customer", row.code, before, after)
    done = call.t(
        "promise.done", code=row.code, amount=_how_much(call, amount), date=call.day(when)
    )
    if older:
        # Said, so that a collector who meant a second promise beside the first knows.
        earlier = "; ".join(
            call.t(
                "promise.earlier",
                amount=_how_much(call, old.amount),
                date=call.day(old.promised_date),
            )
            for old in older
        )
        done += " " + call.t("promise.replaced", earlier=earlier)
    return say(done)


def _how_much(call: Call, amount: Decimal | None) -> str:
    """The promised amount in words: a sum of money, or "in full"."""
    if amount is None:
        return call.t("in_full")
    return money(amount, call.config.currency, call.staff)


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


COMMANDS = (
    Command("paid", COLLECTORS, paid),
    Command("promise", COLLECTORS, promise),
)
