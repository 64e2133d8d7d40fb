"""The payment-method flow: only the ways to pay that are configured, each with its details.

With none configured the customer is told how to reach their collector, and a handoff
case asks a person to send the details: a menu of "not available yet" answers is a loop.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.flows.requests import handoff
from bot.flows.texts import t
from bot.flows.types import (
    Facts,
    Option,
    Outcome,
    RecordPaymentChoice,
    Reply,
    State,
    Turn,
)
from bot.nlu.reading import parse_method
from i18n.format import format_money
from i18n.staff_texts import Word

METHODS = ("transfer", "va", "qris", "ewallet", "card")


def offered(facts: Facts) -> tuple[str, ...]:
    """The ways to pay this customer has details for, in menu order."""
    return tuple(m for m in METHODS if method_info(m, facts) is not None)


def menu(facts: Facts, transcript: list[str], preface: str | None = None) -> Outcome:
    """Offer the configured ways to pay; with none, a person takes over."""
    lang = facts.language
    methods = offered(facts)
    if not methods:
        reply = (
            t("method_none_collector", lang, collector=facts.collector)
            if facts.collector
            else t("method_none", lang)
        )
        return handoff(
            facts,
            transcript,
            reason="payment_details",
            why=Word("why.no_payment_details"),
            reply=reply,
        )
    if len(methods) == 1:
        # A menu of one is a question with one answer: give the details straight away.
        return _details(methods[0], facts, preface)
    options = tuple(Option(t(f"method_{m}", lang), f"method:{m}") for m in methods)
    lines = [preface, t("method_example", lang) if facts.payment.example else None]
    text = "\n".join([*(line for line in lines if line), t("method_ask", lang)])
    return Outcome((Reply(text, options),), State("method", "choose"))


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


def choose(
    step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts
) -> Outcome:
    """Answer with the chosen method's instructions and record the choice."""
    method = (
        payload.removeprefix("method:")
        if payload and payload.startswith("method:")
        else parse_method(turn.text)
    )
    if method not in METHODS:
        return menu(facts, [], t("not_understood", facts.language))
    if method_info(method, facts) is None:
        return menu(facts, [], t("method_unavailable", facts.language))
    return _details(method, facts)


def _details(method: str, facts: Facts, preface: str | None = None) -> Outcome:
    """The instructions of one offered method, and the choice recorded."""
    info = method_info(method, facts)
    assert info is not None, "only offered methods have details"
    lines = [preface, t("method_example", facts.language) if facts.payment.example else None]
    text = "\n".join([*(line for line in lines if line), info])
    single = facts.invoices[0].id if len(facts.invoices) == 1 else None
    return Outcome((Reply(text),), State(), (RecordPaymentChoice(method, single),))
