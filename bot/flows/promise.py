"""The promise-to-pay flow: a date, an amount checked against the balance, a confirmation.

A promise covers the invoices its amount pays, oldest due first (without an amount, those
due by today), and says which: it never silently covers next month's invoice too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bot.flows.common import (
    balance,
    chased,
    confirmed,
    cover,
    main_currency,
    money,
    numbers,
    totals_text,
)
from bot.flows.texts import t
from bot.flows.types import (
    AlertCollector,
    Facts,
    InvoiceFact,
    Option,
    Outcome,
    RecordPromise,
    Reply,
    State,
    Turn,
)
from bot.nlu.reading import (
    only,
    parse_amount,
    parse_date,
    parse_last_date,
    says_already,
    without_amount,
)
from i18n.format import format_date
from i18n.staff_texts import Day, Word, money_of, totals
from i18n.staff_texts import summary as staff_summary
from i18n.staff_texts import text as staff_text

#: Answers to "in full?" that say yes.
FULL_WORDS = frozenset(
    {"penuh", "full", "ya", "yes", "lunas", "semua", "semuanya", "sekaligus", "sekalian"}
    | {"langsung", "all", "oke"}
)


#: Answers to "in full?" that say "only part" ("sebagian", "1jt dulu" once the amount is
#: read).
PART_WORDS = frozenset({"sebagian", "partial", "part", "dulu", "some", "first"})


def answers_amount(text: str) -> bool:
    """Whether a reply at "in full?" answers it ("lunas", "1jt dulu", "sebagian"), though
    it reads elsewhere as a payment made or an instalment request; "udah tf 1jt kemarin"
    or "cicil 500rb per bulan" say more and leave the promise."""
    if says_already(text):
        return False  # "sudah lunas kok pak": paid already, not a promise in full
    if only(text, FULL_WORDS) or only(text, PART_WORDS):
        return True
    if parse_amount(text) is None:
        return False
    rest = without_amount(text)
    return not rest or only(rest, PART_WORDS)


def is_full(payload: str | None, text: str) -> bool:
    """Whether the answer to "in full?" is yes ("penuh", "full pak", "lunas semua", "1")."""
    return payload == "full" if payload else only(text, FULL_WORDS) and not says_already(text)


def _what(facts: Facts, amount: Decimal | None, invoices: tuple[InvoiceFact, ...]) -> str:
    """`Rp1.450.000 (INV-1)`: the amount, or the covered balance per currency, and invoices."""
    total = money(facts, amount) if amount is not None else totals_text(invoices, facts.language)
    return f"{total} ({numbers(invoices)})" if invoices else total


def promise_recorded(
    facts: Facts, promise: RecordPromise, *, source: str = "chat", over: bool = False
) -> Outcome:
    """Record the promise and thank; reminders pause until the date plus grace (`over`: the
    customer confirmed an amount above the open balance, which the collector is told)."""
    invoices = tuple(i for i in facts.invoices if i.id in promise.invoice_ids)
    what = _what(facts, promise.amount, invoices)
    text = t(
        "promise_done",
        facts.language,
        date=format_date(promise.promised_date, facts.language),
        amount=what,
    )
    promised = (
        money_of(promise.amount, main_currency(facts))
        if promise.amount is not None
        else totals((i.balance, i.currency) for i in invoices)
    )
    said = staff_text(
        "alert.promise_made",
        source=Word(f"source.{source}"),
        amount=promised,
        date=Day(promise.promised_date),
        invoices=numbers(invoices) or "-",
    )
    open_total = totals((i.balance, i.currency) for i in facts.invoices)
    summary = staff_summary(said, staff_text("alert.over_balance", balance=open_total))
    summary = summary if over else staff_summary(said)
    return Outcome((Reply(text),), State(), (promise, AlertCollector("promise_made", summary)))


def ask_date(facts: Facts, preface: str | None = None) -> Outcome:
    """Ask when the customer will pay, offering tomorrow and within a week."""
    lang = facts.language
    text = t("promise_ask_date", lang)
    options = (Option(t("opt_tomorrow", lang), "date:+1"), Option(t("opt_week", lang), "date:+7"))
    return Outcome(
        (Reply(f"{preface}\n{text}" if preface else text, options),), State("promise", "date")
    )


def _ask_amount(facts: Facts, data: dict[str, Any], preface: str | None = None) -> Outcome:
    lang = facts.language
    text = t("promise_ask_amount", lang, total=_what(facts, None, chased(facts)))
    options = (Option(t("opt_full", lang), "full"),)
    return Outcome(
        (Reply(f"{preface}\n{text}" if preface else text, options),),
        State("promise", "amount", data),
    )


def from_date(turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Check the date given (not past, not too far), then ask or check the amount."""
    if payload and payload.startswith("date:+"):
        when: dt.date | None = facts.today + dt.timedelta(days=int(payload[6:]))
    else:
        when = parse_date(turn.text, facts.today)
    return on_date(when, parse_amount(turn.text), facts)


def on_date(
    when: dt.date | None, amount: Decimal | None, facts: Facts, *, full: bool = False
) -> Outcome:
    """The promise on `when` (checked: not past, not too far), then the amount asked or
    checked; `full`: the whole balance was already agreed, so it is not asked again."""
    lang = facts.language
    if when is None:
        return ask_date(facts, t("not_understood", lang))
    if when < facts.today:
        return ask_date(facts, t("promise_past", lang, date=format_date(when, lang)))
    limit = facts.today + dt.timedelta(days=facts.max_promise_days)
    if when > limit:
        return ask_date(facts, t("promise_too_far", lang, limit=format_date(limit, lang)))
    data = {"date": when.isoformat()}
    if amount is None and full:
        return _confirm(facts, data, None)
    if amount is None and len({i.currency for i in chased(facts)}) == 1:
        return _ask_amount(facts, data)
    return _checked(facts, data, amount)


def _checked(facts: Facts, data: dict[str, Any], amount: Decimal | None) -> Outcome:
    """An amount above the whole open balance is read back before anything is recorded."""
    lang = facts.language
    if amount is not None and amount > balance(facts, main_currency(facts)):
        text = t(
            "amount_over",
            lang,
            amount=money(facts, amount),
            balance=_what(facts, None, tuple(cover(facts, amount))),
        )
        options = (Option(t("opt_yes", lang), "yes"),)
        return Outcome(
            (Reply(text, options),),
            State("promise", "over", {**data, "amount": str(amount)}),
        )
    return _confirm(facts, data, amount)


def _confirm(facts: Facts, data: dict[str, Any], amount: Decimal | None) -> Outcome:
    lang = facts.language
    invoices = cover(facts, amount)
    covered_total = sum((i.balance for i in invoices), Decimal(0))
    if (
        amount is not None
        and amount == covered_total
        and amount <= balance(facts, main_currency(facts))
    ):
        amount = None  # exactly the balance of the invoices it covers: recorded as in full
    data = {
        **data,
        "amount": str(amount) if amount is not None else None,
        "invoices": [i.id for i in invoices],
    }
    when = dt.date.fromisoformat(data["date"])
    text = t(
        "promise_confirm",
        lang,
        date=format_date(when, lang),
        amount=_what(facts, amount, invoices),
    )
    options = (Option(t("opt_yes", lang), "yes"), Option(t("opt_change", lang), "change"))
    return Outcome((Reply(text, options),), State("promise", "confirm", data))


def step(step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Continue the promise: the date, the amount (checked), then the confirmation."""
    lang = facts.language
    if step == "date":
        return from_date(turn, payload, facts)
    if step == "amount":
        if is_full(payload, turn.text):
            return _confirm(facts, data, None)
        amount = parse_amount(turn.text)
        if amount is None and only(turn.text, PART_WORDS):
            how_much = Reply(t("promise_how_much", lang))  # "sebagian": so how much?
            return Outcome((how_much,), State("promise", "amount", data))
        if amount is None:
            return _ask_amount(facts, data, t("not_understood", lang))
        return _checked(facts, data, amount)
    if step == "over":
        amount = parse_amount(turn.text)
        if amount is not None:
            return _checked(facts, {"date": data["date"]}, amount)
        if confirmed(payload, turn.text):
            return _confirm(facts, {**data, "over": True}, Decimal(data["amount"]))
        return _checked(facts, {"date": data["date"]}, Decimal(data["amount"]))
    # step "confirm"
    if confirmed(payload, turn.text):
        amount = Decimal(data["amount"]) if data.get("amount") else None
        ids = tuple(int(i) for i in data.get("invoices") or [i.id for i in cover(facts, amount)])
        promise = RecordPromise(dt.date.fromisoformat(data["date"]), amount, ids)
        return promise_recorded(facts, promise, over=bool(data.get("over")))
    # A correction is read, not dropped: "ok tgl 28 aja", "ya tapi 3jt dulu".
    when, amount = parse_last_date(turn.text, facts.today), parse_amount(turn.text)
    kept = Decimal(data["amount"]) if data.get("amount") else None
    if when is not None:  # a new day; the amount as agreed unless one is given
        return on_date(when, amount if amount is not None else kept, facts, full=kept is None)
    if amount is not None:
        return _checked(facts, {"date": data["date"]}, amount)
    return ask_date(facts)


def corrects(text: str, facts: Facts) -> bool:
    """Whether a reply to "… Benar?" corrects the day or the amount ("ya tapi 3jt dulu")."""
    return parse_date(text, facts.today) is not None or parse_amount(text) is not None
