"""The steps of each customer flow: already paid, promise, method, dispute, instalments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bot.flows.nlu import (
    Intent,
    classify,
    parse_amount,
    parse_count,
    parse_date,
    parse_dispute_reason,
    parse_method,
)
from bot.flows.texts import t
from bot.flows.types import (
    AlertCollector,
    Facts,
    OpenCase,
    Option,
    Outcome,
    RecordPaymentChoice,
    RecordPaymentClaim,
    RecordPromise,
    Reply,
    State,
    Turn,
)
from bot.i18n.format import format_date, format_money

METHODS = ("transfer", "va", "qris", "ewallet", "card")
REASONS = ("wrong_invoice", "not_received", "quality", "price", "other")
#: Intents strong enough to leave the current flow for another one.
SWITCHING = {
    Intent.PAID: "paid",
    Intent.METHOD: "method",
    Intent.DISPUTE: "dispute",
    Intent.INSTALMENT: "instalment",
    Intent.HANDOFF: "handoff",
}


def _money(facts: Facts, amount: Decimal | None) -> str:
    """An amount in the customer's main currency, or every open total when None."""
    if amount is not None:
        currency = facts.invoices[0].currency if facts.invoices else "IDR"
        return format_money(amount, currency, facts.language)
    return ", ".join(
        format_money(total, currency, facts.language) for currency, total in facts.totals().items()
    )


def _ids(facts: Facts) -> tuple[int, ...]:
    return tuple(invoice.id for invoice in facts.invoices)


def _yesterday_today(text: str, today: dt.date) -> dt.date | None:
    """Past dates a payment claim may name ("kemarin", "tadi", "yesterday")."""
    lowered = text.lower()
    if "kemarin" in lowered or "kmrn" in lowered or "yesterday" in lowered:
        return today - dt.timedelta(days=1)
    if "tadi" in lowered or "barusan" in lowered or "hari ini" in lowered or "today" in lowered:
        return today
    # parse_date gives the next occurrence after a reference day; reading from several
    # days back and keeping the latest one not after today gives the most recent past one
    # ("tgl 20" on the 23rd is the 20th of this month, "senin" last Monday).
    found = {parse_date(text, today - dt.timedelta(days=back)) for back in (0, 7, 31, 62, 366)}
    past = [day for day in found if day is not None and day <= today]
    return max(past) if past else None


# --- already paid -----------------------------------------------------------------------


def claim_recorded(
    facts: Facts, paid_on: dt.date | None, amount: Decimal | None, media: tuple[str, ...]
) -> Outcome:
    """Record the claim, tell the collector to verify, thank the customer."""
    when = paid_on or facts.today
    claim = RecordPaymentClaim(when, amount, _ids(facts), media)
    summary = f"payment claimed: {_money(facts, amount)} on {when.isoformat()}"
    text = t(
        "paid_done",
        facts.language,
        amount=_money(facts, amount),
        date=format_date(when, facts.language),
    )
    return Outcome((Reply(text),), State(), (claim, AlertCollector("payment_claimed", summary)))


def _paid(
    step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts
) -> Outcome:
    lang = facts.language
    if step == "ask":
        paid_on = _yesterday_today(turn.text, facts.today)
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


# --- promise to pay -----------------------------------------------------------------------


def promise_recorded(facts: Facts, promise: RecordPromise, *, source: str = "chat") -> Outcome:
    """Record the promise and thank; reminders pause until the date plus grace."""
    text = t(
        "promise_done",
        facts.language,
        date=format_date(promise.promised_date, facts.language),
        amount=_money(facts, promise.amount),
    )
    summary = (
        f"promise ({source}): {_money(facts, promise.amount)} "
        f"by {promise.promised_date.isoformat()}"
    )
    return Outcome((Reply(text),), State(), (promise, AlertCollector("promise_made", summary)))


def _ask_date(facts: Facts, preface: str | None = None) -> Outcome:
    lang = facts.language
    text = t("promise_ask_date", lang)
    options = (Option(t("opt_tomorrow", lang), "date:+1"), Option(t("opt_week", lang), "date:+7"))
    return Outcome(
        (Reply(f"{preface}\n{text}" if preface else text, options),), State("promise", "date")
    )


def _promise_date(turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    lang = facts.language
    if payload and payload.startswith("date:+"):
        when: dt.date | None = facts.today + dt.timedelta(days=int(payload[6:]))
    else:
        when = parse_date(turn.text, facts.today)
    if when is None:
        return _ask_date(facts, t("not_understood", lang))
    if when < facts.today:
        return _ask_date(facts, t("promise_past", lang, date=format_date(when, lang)))
    limit = facts.today + dt.timedelta(days=facts.max_promise_days)
    if when > limit:
        return _ask_date(facts, t("promise_too_far", lang, limit=format_date(limit, lang)))
    amount = parse_amount(turn.text)
    data = {"date": when.isoformat()}
    if amount is None and len(facts.totals()) == 1:
        options = (Option(t("opt_full", lang), "full"),)
        text = t("promise_ask_amount", lang, total=_money(facts, None))
        return Outcome((Reply(text, options),), State("promise", "amount", data))
    return _confirm(facts, data, amount)


def _confirm(facts: Facts, data: dict[str, Any], amount: Decimal | None) -> Outcome:
    lang = facts.language
    total = sum(facts.totals().values(), Decimal(0)) if len(facts.totals()) == 1 else None
    if amount is not None and total is not None and amount >= total:
        amount = None  # the full balance: recorded without an amount
    data = {**data, "amount": str(amount) if amount is not None else None}
    when = dt.date.fromisoformat(data["date"])
    text = t("promise_confirm", lang, date=format_date(when, lang), amount=_money(facts, amount))
    options = (Option(t("opt_yes", lang), "yes"), Option(t("opt_change", lang), "change"))
    return Outcome((Reply(text, options),), State("promise", "confirm", data))


def _promise(
    step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts
) -> Outcome:
    if step == "date":
        return _promise_date(turn, payload, facts)
    if step == "amount":
        amount = None if payload == "full" else parse_amount(turn.text)
        if (
            amount is None
            and payload != "full"
            and turn.text.strip().lower() not in ("penuh", "full", "ya", "yes", "lunas")
        ):
            text = t("promise_ask_amount", facts.language, total=_money(facts, None))
            return Outcome(
                (Reply(text, (Option(t("opt_full", facts.language), "full"),)),),
                State("promise", "amount", data),
            )
        return _confirm(facts, data, amount)
    # step "confirm"
    answer = payload or turn.text.strip().lower()
    if answer in ("yes", "ya", "y", "benar", "betul", "ok", "oke", "iya"):
        amount = Decimal(data["amount"]) if data.get("amount") else None
        promise = RecordPromise(dt.date.fromisoformat(data["date"]), amount, _ids(facts))
        return promise_recorded(facts, promise)
    return _ask_date(facts)


# --- payment method ---------------------------------------------------------------------


def _method_menu(facts: Facts, preface: str | None = None) -> Outcome:
    lang = facts.language
    options = tuple(Option(t(f"method_{m}", lang), f"method:{m}") for m in METHODS)
    text = t("method_ask", lang)
    return Outcome(
        (Reply(f"{preface}\n{text}" if preface else text, options),), State("method", "choose")
    )


def _link_amount(amount: Decimal) -> str:
    """A payment link's amount: whole units when whole (`5000000`), else two decimals."""
    return str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"


def method_info(method: str, facts: Facts) -> str | None:
    """The configured instructions for a payment method, or None when not offered."""
    lang, pay = facts.language, facts.payment
    if method == "transfer" and pay.bank_accounts:
        return t("method_transfer_info", lang, accounts="\n".join(pay.bank_accounts))
    if method == "va" and pay.virtual_account:
        return t("method_va_info", lang, va=pay.virtual_account)
    if method == "qris" and pay.qris:
        return pay.qris
    if method == "ewallet" and pay.ewallet:
        return pay.ewallet
    if method in ("card", "qris", "ewallet") and pay.pay_link_template and facts.invoices:
        lines = [
            t(
                "method_link_info",
                lang,
                invoice=inv.number,
                amount=format_money(inv.balance, inv.currency, lang),
                link=pay.pay_link_template.format(
                    invoice=inv.number, amount=_link_amount(inv.balance)
                ),
            )
            for inv in facts.invoices
        ]
        return "\n".join(lines)
    return None


def _method(
    step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts
) -> Outcome:
    method = (
        payload.removeprefix("method:")
        if payload and payload.startswith("method:")
        else parse_method(turn.text)
    )
    if method not in METHODS:
        return _method_menu(facts, t("not_understood", facts.language))
    info = method_info(method, facts)
    if info is None:
        return _method_menu(facts, t("method_unavailable", facts.language))
    single = facts.invoices[0].id if len(facts.invoices) == 1 else None
    return Outcome((Reply(info),), State(), (RecordPaymentChoice(method, single),))


# --- dispute ------------------------------------------------------------------------------


def _dispute_reasons(facts: Facts) -> Outcome:
    lang = facts.language
    options = tuple(Option(t(f"reason_{r}", lang), f"reason:{r}") for r in REASONS)
    return Outcome((Reply(t("dispute_ask_reason", lang), options),), State("dispute", "reason"))


def _dispute_after_reason(facts: Facts, data: dict[str, Any]) -> Outcome:
    lang = facts.language
    if len(facts.invoices) > 1 and "invoices" not in data:
        options = (
            *(Option(inv.number, f"invoice:{inv.id}") for inv in facts.invoices),
            Option(t("opt_all", lang), "invoice:all"),
        )
        return Outcome(
            (Reply(t("dispute_ask_invoice", lang), options),), State("dispute", "invoice", data)
        )
    data = {**data, "invoices": data.get("invoices") or list(_ids(facts))}
    if data.get("details"):
        return _dispute_done(facts, data)
    return Outcome((Reply(t("dispute_ask_details", lang)),), State("dispute", "details", data))


def _dispute_done(facts: Facts, data: dict[str, Any]) -> Outcome:
    ids = tuple(int(i) for i in data["invoices"])
    numbers = ", ".join(inv.number for inv in facts.invoices if inv.id in ids)
    case = OpenCase("dispute", data["reason"], data.get("details", ""), ids)
    alert = AlertCollector(
        "dispute", f"dispute ({data['reason']}) on {numbers}: {data.get('details', '')}"
    )
    return Outcome((Reply(t("dispute_done", facts.language)),), State(), (case, alert))


def _dispute(
    step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts
) -> Outcome:
    if step == "reason":
        reason = (
            payload.removeprefix("reason:")
            if payload and payload.startswith("reason:")
            else parse_dispute_reason(turn.text)
        )
        if reason not in REASONS:
            return _dispute_reasons(facts)
        return _dispute_after_reason(facts, {"reason": reason})
    if step == "invoice":
        choice = (
            payload.removeprefix("invoice:") if payload and payload.startswith("invoice:") else None
        )
        if choice is None:
            numbers = {inv.number.lower(): inv.id for inv in facts.invoices}
            found = [i for n, i in numbers.items() if n in turn.text.lower()]
            choice = ",".join(str(i) for i in found) if found else None
        if choice is None:
            return _dispute_after_reason(facts, {k: v for k, v in data.items() if k != "invoices"})
        chosen = list(_ids(facts)) if choice == "all" else [int(c) for c in choice.split(",")]
        return _dispute_after_reason(facts, {**data, "invoices": chosen})
    return _dispute_done(facts, {**data, "details": turn.text.strip()})


# --- instalments and handoff -----------------------------------------------------------


def _instalment(
    step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts
) -> Outcome:
    lang = facts.language
    if step == "count":
        count = parse_count(turn.text)
        if count is None or not 2 <= count <= 12:
            hint = t("instalment_bad_count", lang) if count is not None else None
            text = t("instalment_ask_count", lang)
            return Outcome(
                (Reply(f"{hint}\n{text}" if hint else text),), State("instalment", "count")
            )
        return Outcome(
            (Reply(t("instalment_ask_date", lang)),), State("instalment", "date", {"count": count})
        )
    when = parse_date(turn.text, facts.today)
    limit = facts.today + dt.timedelta(days=facts.max_promise_days)
    if when is None or not facts.today <= when <= limit:
        return Outcome((Reply(t("instalment_ask_date", lang)),), State("instalment", "date", data))
    case = OpenCase(
        "instalment", "", "", _ids(facts), {"count": data["count"], "first_date": when.isoformat()}
    )
    alert = AlertCollector(
        "instalment", f"instalments requested: {data['count']} from {when.isoformat()}"
    )
    text = t("instalment_done", lang, count=data["count"], date=format_date(when, lang))
    return Outcome((Reply(text),), State(), (case, alert))


def handoff(facts: Facts, transcript: list[str]) -> Outcome:
    """Ask a person to take over, with the conversation so far."""
    excerpt = "\n".join(transcript[-10:])
    case = OpenCase("handoff", "customer_request", excerpt, _ids(facts))
    alert = AlertCollector("handoff", f"customer asks for a person:\n{excerpt}")
    return Outcome((Reply(t("handoff_done", facts.language)),), State(), (case, alert))


# --- entry points -------------------------------------------------------------------------


def begin(flow: str, turn: Turn, facts: Facts, transcript: list[str]) -> Outcome:
    """Start `flow`; details already in the text ("bayar besok 2jt") skip their question."""
    lang = facts.language
    if flow == "paid":
        if _yesterday_today(turn.text, facts.today) or parse_amount(turn.text):
            return _paid("ask", {}, turn, None, facts)
        return Outcome((Reply(t("paid_ask", lang)),), State("paid", "ask"))
    if flow == "promise":
        if turn.text and parse_date(turn.text, facts.today):
            return _promise_date(turn, None, facts)
        return _ask_date(facts)
    if flow == "method":
        method = parse_method(turn.text) if turn.text else None
        if method is not None:
            return _method("choose", {}, turn, None, facts)
        return _method_menu(facts)
    if flow == "dispute":
        reason = parse_dispute_reason(turn.text) if turn.text else None
        if reason is not None:
            return _dispute_after_reason(facts, {"reason": reason, "details": turn.text.strip()})
        return _dispute_reasons(facts)
    if flow == "instalment":
        if turn.text and parse_count(turn.text):
            return _instalment("count", {}, turn, None, facts)
        return Outcome((Reply(t("instalment_ask_count", lang)),), State("instalment", "count"))
    return handoff(facts, transcript)


FLOWS = {
    "paid": _paid,
    "promise": _promise,
    "method": _method,
    "dispute": _dispute,
    "instalment": _instalment,
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
    if payload is None and not free_text and not turn.media:
        other = SWITCHING.get(classify(turn.text))
        if other is not None and other != flow:
            return None
    return handler(step, data, turn, payload, facts)
