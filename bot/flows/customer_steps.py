"""Where each customer flow starts and how an answer continues it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from bot.flows import dispute, method, paid, promise
from bot.flows.common import named_invoices, narrowed, unpaid_invoices
from bot.flows.requests import handoff, instalment_step
from bot.flows.texts import t
from bot.flows.types import Facts, Outcome, RecordPaymentChoice, Reply, State, Turn
from bot.nlu.reading import (
    Intent,
    adds_to,
    asks_for_account,
    classify,
    names_a_pay_day,
    parse_amount,
    parse_count,
    parse_date,
    parse_dispute_reason,
    parse_method,
    parse_paid_date,
    retracts,
)

# Re-exported for the keypad path in bot/flows/customer.py.
claim_recorded = paid.claim_recorded
promise_recorded = promise.promise_recorded
__all__ = ["begin", "claim_recorded", "handoff", "promise_recorded", "resume"]

#: The method menu's note of the text that named a day to pay, for the promise after it.
PAY_DAY = "pay_day"
#: The invoices a claim or promise named ("buat inv-2"): its later steps see only those.
ONLY = "only"
#: The invoices named with a larger amount ("inv-2 … 1,5jt"): covered first, then the oldest.
FIRST = "first"

#: Intents strong enough to leave the current flow for another one.
SWITCHING = {
    Intent.PAID: "paid",
    Intent.METHOD: "method",
    Intent.DISPUTE: "dispute",
    Intent.INSTALMENT: "instalment",
    Intent.HANDOFF: "handoff",
}


def begin(flow: str, turn: Turn, facts: Facts, transcript: list[str]) -> Outcome:
    """Start `flow`; details already in the text ("bayar besok 2jt") skip their question.

    A claim or a promise naming invoices ("udh tf 1jt buat inv-2") is about those alone,
    through every later step of the flow.
    """
    named, first = _named_for(flow, turn.text, facts)
    if named:
        return _kept_to(named, flow, _begin(flow, turn, narrowed(facts, named), transcript))
    if first:
        made = _begin(flow, turn, replace(facts, first=tuple(first)), transcript)
        return _kept_to(first, flow, made, key=FIRST)
    return _begin(flow, turn, facts, transcript)


def _named_for(flow: str, text: str, facts: Facts) -> tuple[list[int], list[int]]:
    """The invoices a claim or promise names: (the only ones in play, those covered first).

    An amount more than the named ones owe ("sdh bayar inv-2 kemarin 6jt") covers them
    first, then the oldest. An invoice named as not paid ("kemarin, inv-2 blm") is the one
    left out.
    """
    if flow not in ("paid", "promise"):
        return [], []
    unpaid = set(unpaid_invoices(text, facts))
    named = [i for i in named_invoices(text, facts) if i not in unpaid]
    if unpaid and not named:
        named = [i.id for i in facts.invoices if i.id not in unpaid]
    amount = parse_amount(text) if named else None
    if amount is not None and amount > _owed(facts, named):
        return [], named
    return named, []


def _owed(facts: Facts, ids: list[int]) -> Decimal:
    """What the open invoices `ids` still owe."""
    return sum((i.balance for i in narrowed(facts, ids).invoices), Decimal(0))


def _kept_to(ids: list[int], flow: str, outcome: Outcome, *, key: str = ONLY) -> Outcome:
    """The outcome with `ids` noted in its state under `key`, while it stays in `flow`."""
    if outcome.state.flow != flow:
        return outcome
    return replace(outcome, state=replace(outcome.state, data={**outcome.state.data, key: ids}))


def _begin(flow: str, turn: Turn, facts: Facts, transcript: list[str]) -> Outcome:
    """`begin` on the invoices in play."""
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
        day = _pay_day(turn.text, facts)
        if day is not None:
            folded = _details_then_promise(chosen, turn.text, day, facts)
            if folded is not None:
                return folded
        if chosen is not None:
            return method.choose("choose", {}, turn, None, facts)
        asked = method.menu(facts, transcript)
        if day is None:
            return asked
        if asked.state.flow == "method":
            # "bayarnya lewat apa? saya mau bayar jumat": the menu keeps the day for after.
            return replace(asked, state=replace(asked.state, data={PAY_DAY: day}))
        if any(isinstance(effect, RecordPaymentChoice) for effect in asked.effects):
            return _then_promise(asked, day, facts)  # one way to pay: its details, the day
        return asked
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
    only, first = _in_play(flow, data, turn.text, facts)
    if only:
        facts = narrowed(facts, only)
    else:
        data = {key: value for key, value in data.items() if key not in (ONLY, FIRST)}
        if first:
            facts = replace(facts, first=tuple(first))
    free_text = (flow, step) in (("dispute", "details"), ("paid", "ask"))
    if payload is None and not turn.media:
        intent = classify(turn.text)
        other = SWITCHING.get(intent)
        if (flow, step) == ("paid", "ask") and _not_paid_after_all(turn.text):
            # "udah bayar", asked when and how much: "eh belum ding, besok ya" or "belum".
            made = begin("promise", turn, facts, transcript)
            return _kept_to(list(only), "promise", made) if only else made
        # Asked when and how much was paid, a customer may answer anything ("kemarin 5jt"),
        # but one who contests the bill instead ("kok ada denda?") has changed subject.
        contested = flow == "paid" and intent is Intent.DISPUTE
        answered = _answers_step(flow, step, turn.text, facts)
        if other is not None and other != flow and (not free_text or contested) and not answered:
            return None
    outcome = handler(step, data, turn, payload, facts)
    if only:
        outcome = _kept_to(list(only), flow, outcome)
    elif first:
        outcome = _kept_to(list(first), flow, outcome, key=FIRST)
    day = data.get(PAY_DAY) if flow == "method" else None
    if not isinstance(day, dict):
        return outcome
    if outcome.state.flow != "method":
        return _then_promise(outcome, day, facts)  # the way chosen: now the day kept
    # Asked again (an answer not understood): the day stays kept.
    return replace(outcome, state=replace(outcome.state, data={**outcome.state.data, PAY_DAY: day}))


def _in_play(
    flow: str, data: dict[str, Any], text: str, facts: Facts
) -> tuple[list[int] | None, list[int] | None]:
    """The invoices this answer is about: (the only ones, those covered first).

    "eh salah, yg inv-1 maksudnya" corrects the ones named before; "sekalian sama inv-1"
    adds to them. Named invoices closed meanwhile, or an amount more than they owe
    ("kemarin 6jt" after "sudah bayar inv-2"), leave every open invoice in play, the named
    ones covered first.
    """
    only: list[int] | None = data.get(ONLY)
    first: list[int] | None = data.get(FIRST)
    renamed, renamed_first = _named_for(flow, text, facts)
    if renamed:
        only = sorted({*only, *renamed}) if only and adds_to(text) else renamed
        first = None
    elif renamed_first:
        only, first = None, renamed_first
    amount = parse_amount(text)
    if only and narrowed(facts, only).invoices and (amount is None or amount <= _owed(facts, only)):
        return only, None
    return None, only or first


def _answers_step(flow: str, step: str, text: str, facts: Facts) -> bool:
    """Whether a reply that reads as another subject answers the question asked: "lunas"
    (a payment made) at "in full?", "ya tapi 3jt dulu" (instalments) at "… Benar?",
    "buktinya besok sy minta ke finance" (a person) at "send the receipt"."""
    if (flow, step) == ("promise", "amount"):
        return promise.answers_amount(text)
    if (flow, step) == ("promise", "confirm"):
        return promise.corrects(text, facts) and classify(text) is not Intent.PAID
    if (flow, step) == ("paid", "receipt"):
        return paid.no_receipt_now(text)
    return False


def _not_paid_after_all(text: str) -> bool:
    """ "belum", "eh belum ding, besok ya": the payment claimed was not made (yet); "sisanya
    belum" or an amount ("baru 1jt, sisanya belum") is a part paid, still a claim."""
    return retracts(text) and parse_amount(text) is None and "sisa" not in text.lower()


def _pay_day(text: str, facts: Facts) -> dict[str, str | None] | None:
    """The day (and amount) a way-to-pay question says it will pay on, read now: kept in
    the state as a date, not as words that would mean another day tomorrow."""
    when = parse_date(text, facts.today) if text and names_a_pay_day(text) else None
    if when is None:
        return None
    amount = parse_amount(text)
    return {"date": when.isoformat(), "amount": str(amount) if amount is not None else None}


def _details_then_promise(
    chosen: str | None, text: str, day: dict[str, str | None], facts: Facts
) -> Outcome | None:
    """ "jumat sy bayar, norek nya apa": how to pay, then the day read back as a promise;
    the day was lost when only the question was answered. None when the way asked for is
    not offered: the method flow answers that, as for any question."""
    asked = chosen or ("transfer" if asks_for_account(text) else None)
    if asked is None or method.method_info(asked, facts) is None:
        return None
    return _then_promise(
        method.choose("choose", {}, Turn(""), f"method:{asked}", facts), day, facts
    )


def _then_promise(details: Outcome, day: dict[str, Any], facts: Facts) -> Outcome:
    """The way to pay's details, then the promise flow on the day kept in `day`."""
    amount = Decimal(day["amount"]) if day.get("amount") else None
    then = promise.on_date(dt.date.fromisoformat(day["date"]), amount, facts)
    return Outcome((*details.replies, *then.replies), then.state, (*details.effects, *then.effects))


def _with_account(outcome: Outcome, turn: Turn, facts: Facts) -> Outcome:
    """The transfer details first when the customer asked for them on the way ("besok saya
    transfer, minta no rek nya"): a promise is no reason to leave that question unanswered."""
    info = method.method_info("transfer", facts) if asks_for_account(turn.text) else None
    if info is None:
        return outcome
    return replace(outcome, replies=(Reply(info), *outcome.replies))
