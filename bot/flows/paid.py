"""The "already paid" flow: when and how much (checked against the balance), a receipt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bot.flows.common import (
    YES_WORDS,
    balance,
    cover,
    main_currency,
    money,
    numbers,
    past_date,
    totals_text,
)
from bot.flows.nlu import parse_amount
from bot.flows.texts import t
from bot.flows.types import (
    AlertCollector,
    Facts,
    Option,
    Outcome,
    RecordPaymentClaim,
    Reply,
    State,
    Turn,
)
from bot.i18n.format import format_date
from bot.i18n.staff_texts import Day, money_of, totals
from bot.i18n.staff_texts import summary as staff_summary
from bot.i18n.staff_texts import text as staff_text

SKIP_WORDS = frozenset({"lewati", "skip", "tidak ada", "gak ada", "nggak ada"})


def claim_recorded(
    facts: Facts,
    paid_on: dt.date | None,
    amount: Decimal | None,
    media: tuple[str, ...],
    *,
    over: bool = False,
) -> Outcome:
    """Record the claim for the invoices it pays, tell the collector to verify, thank."""
    when = paid_on or facts.today
    invoices = cover(facts, amount)
    what = money(facts, amount) if amount is not None else totals_text(invoices, facts.language)
    claim = RecordPaymentClaim(when, amount, tuple(i.id for i in invoices), media)
    said = staff_text(
        "alert.payment_claimed",
        amount=(
            money_of(amount, main_currency(facts))
            if amount is not None
            else totals((i.balance, i.currency) for i in invoices)
        ),
        date=Day(when),
        invoices=numbers(invoices) or "-",
    )
    open_total = totals((i.balance, i.currency) for i in facts.invoices)
    over_text = staff_text("alert.over_balance", balance=open_total)
    summary = staff_summary(said, over_text) if over else staff_summary(said)
    listed = f"{what} ({numbers(invoices)})" if invoices else what
    text = t("paid_done", facts.language, amount=listed, date=format_date(when, facts.language))
    return Outcome((Reply(text),), State(), (claim, AlertCollector("payment_claimed", summary)))


def _receipt(facts: Facts, data: dict[str, Any]) -> Outcome:
    lang = facts.language
    return Outcome(
        (Reply(t("paid_receipt", lang), (Option(t("opt_skip", lang), "skip"),)),),
        State("paid", "receipt", data),
    )


def _checked(facts: Facts, data: dict[str, Any], amount: Decimal | None) -> Outcome:
    """An amount above the whole open balance is read back: a typo, or a payment to check."""
    lang = facts.language
    data = {**data, "amount": str(amount) if amount is not None else None}
    if amount is not None and amount > balance(facts, main_currency(facts)):
        open_total = totals_text(cover(facts, amount), lang)
        listed = numbers(cover(facts, amount))
        text = t(
            "amount_over",
            lang,
            amount=money(facts, amount),
            balance=f"{open_total} ({listed})" if listed else open_total,
        )
        return Outcome(
            (Reply(text, (Option(t("opt_yes", lang), "yes"),)),), State("paid", "over", data)
        )
    return _receipt(facts, data)


def step(step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Continue the claim: when and how much, a check of the amount, then the receipt."""
    typed = " ".join(turn.text.lower().split()).strip(".!")
    if step == "ask":
        paid_on = past_date(turn.text, facts.today)
        data = {"paid_on": (paid_on or facts.today).isoformat()}
        return _checked(facts, data, parse_amount(turn.text))
    if step == "over":
        amount = parse_amount(turn.text)
        if amount is not None:
            return _checked(facts, data, amount)
        if (payload or typed) in YES_WORDS:
            return _receipt(facts, {**data, "over": True})
        return _checked(facts, data, Decimal(data["amount"]))
    # step "receipt": a photo or document, or Skip
    paid_on = dt.date.fromisoformat(data.get("paid_on") or facts.today.isoformat())
    amount = Decimal(data["amount"]) if data.get("amount") else None
    if turn.media or payload == "skip" or typed in SKIP_WORDS:
        return claim_recorded(facts, paid_on, amount, turn.media, over=bool(data.get("over")))
    return _receipt(facts, data)
