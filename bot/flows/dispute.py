"""The dispute flow: a reason, the invoices concerned, a description; a case."""

from __future__ import annotations

from typing import Any

from bot.flows.common import open_ids
from bot.flows.nlu import parse_dispute_reason
from bot.flows.texts import t
from bot.flows.types import (
    AlertCollector,
    Facts,
    OpenCase,
    Option,
    Outcome,
    Reply,
    State,
    Turn,
)

REASONS = ("wrong_invoice", "not_received", "quality", "price", "other")


def ask_reason(facts: Facts) -> Outcome:
    """Ask what the problem is."""
    lang = facts.language
    options = tuple(Option(t(f"reason_{r}", lang), f"reason:{r}") for r in REASONS)
    return Outcome((Reply(t("dispute_ask_reason", lang), options),), State("dispute", "reason"))


def after_reason(facts: Facts, data: dict[str, Any]) -> Outcome:
    """After the reason: which invoice (when several), then the description."""
    lang = facts.language
    if len(facts.invoices) > 1 and "invoices" not in data:
        options = (
            *(Option(inv.number, f"invoice:{inv.id}") for inv in facts.invoices),
            Option(t("opt_all", lang), "invoice:all"),
        )
        return Outcome(
            (Reply(t("dispute_ask_invoice", lang), options),), State("dispute", "invoice", data)
        )
    data = {**data, "invoices": data.get("invoices") or list(open_ids(facts))}
    if data.get("details"):
        return done(facts, data)
    return Outcome((Reply(t("dispute_ask_details", lang)),), State("dispute", "details", data))


def done(facts: Facts, data: dict[str, Any]) -> Outcome:
    """Open the dispute case, stop chasing those invoices, alert the collector."""
    ids = tuple(int(i) for i in data["invoices"])
    numbers = ", ".join(inv.number for inv in facts.invoices if inv.id in ids)
    case = OpenCase("dispute", data["reason"], data.get("details", ""), ids)
    alert = AlertCollector(
        "dispute", f"dispute ({data['reason']}) on {numbers}: {data.get('details', '')}"
    )
    return Outcome((Reply(t("dispute_done", facts.language)),), State(), (case, alert))


def step(step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Continue the dispute: reason, invoice, description."""
    if step == "reason":
        reason = (
            payload.removeprefix("reason:")
            if payload and payload.startswith("reason:")
            else parse_dispute_reason(turn.text)
        )
        if reason not in REASONS:
            return ask_reason(facts)
        return after_reason(facts, {"reason": reason})
    if step == "invoice":
        choice = (
            payload.removeprefix("invoice:") if payload and payload.startswith("invoice:") else None
        )
        if choice is None:
            numbers = {inv.number.lower(): inv.id for inv in facts.invoices}
            found = [i for n, i in numbers.items() if n in turn.text.lower()]
            choice = ",".join(str(i) for i in found) if found else None
        if choice is None:
            return after_reason(facts, {k: v for k, v in data.items() if k != "invoices"})
        chosen = list(open_ids(facts)) if choice == "all" else [int(c) for c in choice.split(",")]
        return after_reason(facts, {**data, "invoices": chosen})
    return done(facts, {**data, "details": turn.text.strip()})
