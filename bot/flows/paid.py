"""The "already paid" flow: when and how much, a receipt, a claim to verify."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bot.flows.common import money, open_ids, past_date
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


def claim_recorded(
    facts: Facts, paid_on: dt.date | None, amount: Decimal | None, media: tuple[str, ...]
) -> Outcome:
    """Record the claim, tell the collector to verify, thank the customer."""
    when = paid_on or facts.today
    claim = RecordPaymentClaim(when, amount, open_ids(facts), media)
    summary = f"payment claimed: {money(facts, amount)} on {when.isoformat()}"
    text = t(
        "paid_done",
        facts.language,
        amount=money(facts, amount),
        date=format_date(when, facts.language),
    )
    return Outcome((Reply(text),), State(), (claim, AlertCollector("payment_claimed", summary)))


def step(step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Continue the claim: first when and how much, then the receipt (or Skip)."""
    lang = facts.language
    if step == "ask":
        paid_on = past_date(turn.text, facts.today)
        amount = parse_amount(turn.text)
        data = {
            "paid_on": (paid_on or facts.today).isoformat(),
            "amount": str(amount) if amount is not None else None,
        }
        return Outcome(
            (Reply(t("paid_receipt", lang), (Option(t("opt_skip", lang), "skip"),)),),
            State("paid", "receipt", data),
        )
    # step "receipt": a photo or document, or Skip
    paid_on = dt.date.fromisoformat(data.get("paid_on") or facts.today.isoformat())
    amount = Decimal(data["amount"]) if data.get("amount") else None
    if turn.media or payload == "skip" or turn.text.strip().lower() in ("lewati", "skip"):
        return claim_recorded(facts, paid_on, amount, turn.media)
    return Outcome(
        (Reply(t("paid_receipt", lang), (Option(t("opt_skip", lang), "skip"),)),),
        State("paid", "receipt", data),
    )
