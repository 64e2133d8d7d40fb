"""The promise-to-pay flow: a date, an amount, a confirmation in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bot.flows.common import money, open_ids
from bot.flows.nlu import parse_amount, parse_date
from bot.flows.texts import t
from bot.flows.types import (
    AlertCollector,
    Facts,
    Option,
    Outcome,
    RecordPromise,
    Reply,
    State,
    Turn,
)
from bot.i18n.format import format_date


def promise_recorded(facts: Facts, promise: RecordPromise, *, source: str = "chat") -> Outcome:
    """Record the promise and thank; reminders pause until the date plus grace."""
    text = t(
        "promise_done",
        facts.language,
        date=format_date(promise.promised_date, facts.language),
        amount=money(facts, promise.amount),
    )
    summary = (
        f"promise ({source}): {money(facts, promise.amount)} by {promise.promised_date.isoformat()}"
    )
    return Outcome((Reply(text),), State(), (promise, AlertCollector("promise_made", summary)))


def ask_date(facts: Facts, preface: str | None = None) -> Outcome:
    """Ask when the customer will pay, offering tomorrow and within a week."""
    lang = facts.language
    text = t("promise_ask_date", lang)
    options = (Option(t("opt_tomorrow", lang), "date:+1"), Option(t("opt_week", lang), "date:+7"))
    return Outcome(
        (Reply(f"{preface}\n{text}" if preface else text, options),), State("promise", "date")
    )


def from_date(turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Check the date given (not past, not too far), then ask or confirm the amount."""
    lang = facts.language
    if payload and payload.startswith("date:+"):
        when: dt.date | None = facts.today + dt.timedelta(days=int(payload[6:]))
    else:
        when = parse_date(turn.text, facts.today)
    if when is None:
        return ask_date(facts, t("not_understood", lang))
    if when < facts.today:
        return ask_date(facts, t("promise_past", lang, date=format_date(when, lang)))
    limit = facts.today + dt.timedelta(days=facts.max_promise_days)
    if when > limit:
        return ask_date(facts, t("promise_too_far", lang, limit=format_date(limit, lang)))
    amount = parse_amount(turn.text)
    data = {"date": when.isoformat()}
    if amount is None and len(facts.totals()) == 1:
        options = (Option(t("opt_full", lang), "full"),)
        text = t("promise_ask_amount", lang, total=money(facts, None))
        return Outcome((Reply(text, options),), State("promise", "amount", data))
    return _confirm(facts, data, amount)


def _confirm(facts: Facts, data: dict[str, Any], amount: Decimal | None) -> Outcome:
    lang = facts.language
    total = sum(facts.totals().values(), Decimal(0)) if len(facts.totals()) == 1 else None
    if amount is not None and total is not None and amount >= total:
        amount = None  # the full balance: recorded without an amount
    data = {**data, "amount": str(amount) if amount is not None else None}
    when = dt.date.fromisoformat(data["date"])
    text = t("promise_confirm", lang, date=format_date(when, lang), amount=money(facts, amount))
    options = (Option(t("opt_yes", lang), "yes"), Option(t("opt_change", lang), "change"))
    return Outcome((Reply(text, options),), State("promise", "confirm", data))


def step(step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Continue the promise: the date, the amount, then the confirmation."""
    if step == "date":
        return from_date(turn, payload, facts)
    if step == "amount":
        amount = None if payload == "full" else parse_amount(turn.text)
        if (
            amount is None
            and payload != "full"
            and turn.text.strip().lower() not in ("penuh", "full", "ya", "yes", "lunas")
        ):
            text = t("promise_ask_amount", facts.language, total=money(facts, None))
            return Outcome(
                (Reply(text, (Option(t("opt_full", facts.language), "full"),)),),
                State("promise", "amount", data),
            )
        return _confirm(facts, data, amount)
    # step "confirm"
    answer = payload or turn.text.strip().lower()
    if answer in ("yes", "ya", "y", "benar", "betul", "ok", "oke", "iya"):
        amount = Decimal(data["amount"]) if data.get("amount") else None
        promise = RecordPromise(dt.date.fromisoformat(data["date"]), amount, open_ids(facts))
        return promise_recorded(facts, promise)
    return ask_date(facts)
