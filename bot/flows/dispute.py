"""The dispute flow: a reason, the invoices concerned, a description, a summary; one case."""

from __future__ import annotations

import re
from typing import Any

from bot.flows.common import confirmed, named_invoices, numbers, open_ids
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
from bot.nlu.reading import is_yes, parse_dispute_reason
from i18n.staff_texts import Word
from i18n.staff_texts import summary as staff_summary
from i18n.staff_texts import text as staff_text

REASONS = ("wrong_invoice", "not_received", "quality", "price", "other")
SKIP_WORDS = frozenset({"lewati", "skip", "tidak ada", "-", "gak ada", "nggak ada", "no"})
ALL_WORDS = frozenset({"semua", "semuanya", "all", "semua faktur", "all invoices", "keduanya"})
#: "1, 2", "1 dan 2", "1 & 3": several options picked by number.
_NUMBER_LIST = re.compile(r"\d+(?:\s*(?:,|dan|and|&|\+|\s)\s*\d+)+")


def ask_reason(facts: Facts, preface: str | None = None) -> Outcome:
    """Ask what the problem is."""
    lang = facts.language
    options = tuple(Option(t(f"reason_{r}", lang), f"reason:{r}") for r in REASONS)
    text = t("dispute_ask_reason", lang)
    return Outcome(
        (Reply(f"{preface}\n{text}" if preface else text, options),), State("dispute", "reason")
    )


def after_reason(facts: Facts, data: dict[str, Any]) -> Outcome:
    """After the reason: which invoice(s) when there are several, then the description."""
    lang = facts.language
    named = named_invoices(str(data.get("said") or ""), facts)
    if len(named) == 1 and "invoices" not in data:
        # "inv-1 harganya gak sesuai PO": not asked again. Two named ("inv-2 salah harga,
        # yg inv-1 aman") may be one contested and one fine: asked, as before.
        data = {**data, "invoices": named}
    if len(facts.invoices) > 1 and "invoices" not in data:
        options = (
            *(Option(inv.number, f"invoice:{inv.id}") for inv in facts.invoices),
            Option(t("opt_all", lang), "invoice:all"),
        )
        return Outcome(
            (Reply(t("dispute_ask_invoice", lang), options),), State("dispute", "invoice", data)
        )
    data = {**data, "invoices": data.get("invoices") or list(open_ids(facts))}
    skip = (Option(t("opt_skip", lang), "skip"),)
    return Outcome(
        (Reply(t("dispute_ask_details", lang), skip),), State("dispute", "details", data)
    )


def summary(facts: Facts, data: dict[str, Any]) -> Outcome:
    """Read back reason, invoices and description before anything is recorded."""
    lang = facts.language
    ids = {int(i) for i in data["invoices"]}
    text = t(
        "dispute_summary",
        lang,
        reason=t(f"reason_{data['reason']}", lang),
        invoices=numbers(inv for inv in facts.invoices if inv.id in ids),
        details=data.get("details") or data.get("said") or "-",
    )
    options = (Option(t("opt_yes", lang), "yes"), Option(t("opt_change", lang), "change"))
    return Outcome((Reply(text, options),), State("dispute", "confirm", data))


def done(facts: Facts, data: dict[str, Any]) -> Outcome:
    """Open the one dispute case, stop chasing those invoices, alert the collector."""
    ids = tuple(int(i) for i in data["invoices"])
    listed = numbers(inv for inv in facts.invoices if inv.id in ids)
    said = str(data.get("said") or "")
    # Without a description, what the customer first wrote is the description.
    details = str(data.get("details") or said)
    case = OpenCase("dispute", data["reason"], details, ids, {"said": said} if said else {})
    reason = Word(f"reason.{data['reason']}")
    head = (
        staff_text("alert.dispute", reason=reason, invoices=listed, details=details)
        if details
        else staff_text("alert.dispute_no_details", reason=reason, invoices=listed)
    )
    first = (staff_text("alert.first_message", text=said),) if said and said != details else ()
    alert = AlertCollector("dispute", staff_summary(head, *first))
    return Outcome((Reply(t("dispute_done", facts.language)),), State(), (case, alert))


def _picked_invoices(text: str, payload: str | None, facts: Facts) -> list[int] | None:
    """The invoices the customer picked: a button, "semua", numbers, or invoice numbers."""
    if payload and payload.startswith("invoice:"):
        choice = payload.removeprefix("invoice:")
        return list(open_ids(facts)) if choice == "all" else [int(choice)]
    typed = " ".join(text.lower().split()).strip(".!")
    if typed in ALL_WORDS:
        return list(open_ids(facts))
    if _NUMBER_LIST.fullmatch(typed):
        # Option numbers as listed: the invoices in order, then "all".
        picks = {int(n) for n in re.findall(r"\d+", typed)}
        if all(1 <= n <= len(facts.invoices) for n in picks):
            return [inv.id for n, inv in enumerate(facts.invoices, start=1) if n in picks]
    return named_invoices(typed, facts) or None


def _again(outcome: Outcome, language: str) -> Outcome:
    """The same question once more, saying the answer was not understood."""
    reply = outcome.replies[0]
    again = Reply(f"{t('not_understood', language)}\n{reply.text}", reply.options)
    return Outcome((again,), outcome.state)


def step(step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts) -> Outcome:
    """Continue the dispute: reason, invoice(s), description, confirmation."""
    lang = facts.language
    if step == "reason":
        reason = (
            payload.removeprefix("reason:")
            if payload and payload.startswith("reason:")
            else parse_dispute_reason(turn.text)
        )
        if reason not in REASONS:
            return ask_reason(facts, t("not_understood", lang))
        # "barang kurang 2 karton" says more than its reason and is kept; "faktur salah" not.
        typed = turn.text.strip()
        said = {"said": typed} if payload is None and len(typed.split()) > 2 else {}
        return after_reason(facts, {"reason": reason, **said})
    if step == "invoice":
        chosen = _picked_invoices(turn.text, payload, facts)
        if chosen is None:
            kept = {k: v for k, v in data.items() if k != "invoices"}
            return _again(after_reason(facts, kept), lang)
        return after_reason(facts, {**data, "invoices": chosen})
    if step == "details":
        typed = turn.text.strip()
        # "ya" to "describe the problem" is no description (the first message may be one).
        skipped = payload == "skip" or typed.lower().strip(".!") in SKIP_WORDS or is_yes(typed)
        return summary(facts, {**data, "details": "" if skipped else typed})
    # step "confirm"
    answer = payload or " ".join(turn.text.lower().split()).strip(".!")
    if confirmed(payload, turn.text):
        return done(facts, data)
    if answer in ("change", "ubah", "salah", "ganti"):
        return ask_reason(facts)
    outcome = summary(facts, data)
    again = Reply(
        f"{t('not_understood', lang)}\n{outcome.replies[0].text}", outcome.replies[0].options
    )
    return Outcome((again,), outcome.state)
