"""Where each customer flow starts and how an answer continues it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.flows import dispute, method, paid, promise
from bot.flows.requests import handoff, instalment_step
from bot.flows.texts import t
from bot.flows.types import Facts, Outcome, Reply, State, Turn
from bot.nlu.reading import (
    Intent,
    asks_for_account,
    classify,
    parse_amount,
    parse_count,
    parse_date,
    parse_dispute_reason,
    parse_method,
    parse_paid_date,
)

# Re-exported for the keypad path in bot/flows/customer.py.
claim_recorded = paid.claim_recorded
promise_recorded = promise.promise_recorded
__all__ = ["begin", "claim_recorded", "handoff", "promise_recorded", "resume"]

#: Intents strong enough to leave the current flow for another one.
SWITCHING = {
    Intent.PAID: "paid",
    Intent.METHOD: "method",
    Intent.DISPUTE: "dispute",
    Intent.INSTALMENT: "instalment",
    Intent.HANDOFF: "handoff",
}


def begin(flow: str, turn: Turn, facts: Facts, transcript: list[str]) -> Outcome:
    """Start `flow`; details already in the text ("bayar besok 2jt") skip their question."""
    lang = facts.language
    if flow == "paid":
        if parse_paid_date(turn.text, facts.today) or parse_amount(turn.text):
            return paid.step("ask", {}, turn, None, facts)
        kept = {"media": list(turn.media)} if turn.media else {}  # the receipt, if it came
        return Outcome((Reply(t("paid_ask", lang)),), State("paid", "ask", kept))
    if flow == "promise":
        if turn.text and parse_date(turn.text, facts.today):
            return _with_account(promise.from_date(turn, None, facts), turn, facts)
        return _with_account(promise.ask_date(facts), turn, facts)
    if flow == "method":
        chosen = parse_method(turn.text) if turn.text else None
        if chosen is not None:
            return method.choose("choose", {}, turn, None, facts)
        return method.menu(facts, transcript)
    if flow == "dispute":
        reason = parse_dispute_reason(turn.text) if turn.text else None
        if reason is not None:
            # The first message names the problem; the description is still asked for.
            return dispute.after_reason(facts, {"reason": reason, "said": turn.text.strip()})
        return dispute.ask_reason(facts)
    if flow == "instalment":
        if turn.text and parse_count(turn.text):
            return instalment_step("count", {}, turn, None, facts)
        return Outcome((Reply(t("instalment_ask_count", lang)),), State("instalment", "count"))
    return handoff(facts, transcript)


FLOWS: dict[str, Callable[[str, dict[str, Any], Turn, str | None, Facts], Outcome]] = {
    "paid": paid.step,
    "promise": promise.step,
    "method": method.choose,
    "dispute": dispute.step,
    "instalment": instalment_step,
}


def resume(
    flow: str,
    step: str,
    data: dict[str, Any],
    turn: Turn,
    payload: str | None,
    facts: Facts,
    transcript: list[str],
) -> Outcome | None:
    """Continue `flow` with this answer; None when the customer clearly changed subject."""
    handler = FLOWS.get(flow)
    if handler is None:
        return None
    free_text = (flow, step) in (("dispute", "details"), ("paid", "ask"))
    if payload is None and not turn.media:
        intent = classify(turn.text)
        other = SWITCHING.get(intent)
        # Asked when and how much was paid, a customer may answer anything ("kemarin 5jt"),
        # but one who contests the bill instead ("kok ada denda?") has changed subject.
        contested = flow == "paid" and intent is Intent.DISPUTE
        if other is not None and other != flow and (not free_text or contested):
            return None
    return handler(step, data, turn, payload, facts)


def _with_account(outcome: Outcome, turn: Turn, facts: Facts) -> Outcome:
    """The transfer details first when the customer asked for them on the way ("besok saya
    transfer, minta no rek nya"): a promise is no reason to leave that question unanswered."""
    info = method.method_info("transfer", facts) if asks_for_account(turn.text) else None
    if info is None:
        return outcome
    return replace(outcome, replies=(Reply(info), *outcome.replies))
