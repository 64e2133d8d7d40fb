"""The instalment request and the handoff to a person: both open a case for the team."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.flows.common import open_ids
from bot.flows.texts import t
from bot.flows.types import (
    AlertCollector,
    Facts,
    OpenCase,
    Outcome,
    Reply,
    State,
    Turn,
)
from bot.nlu.reading import parse_count, parse_date
from i18n.format import format_date
from i18n.staff_texts import Day, Word
from i18n.staff_texts import summary as staff_summary
from i18n.staff_texts import text as staff_text


def instalment_step(
    step: str, data: dict[str, Any], turn: Turn, payload: str | None, facts: Facts
) -> Outcome:
    """Continue the instalment request: how many, then the first date."""
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
        "instalment",
        "",
        "",
        open_ids(facts),
        {"count": data["count"], "first_date": when.isoformat()},
    )
    said = staff_text("alert.instalment", count=int(data["count"]), date=Day(when))
    alert = AlertCollector("instalment", staff_summary(said))
    text = t("instalment_done", lang, count=data["count"], date=format_date(when, lang))
    return Outcome((Reply(text),), State(), (case, alert))


#: Why a person is asked to take over, when the customer simply asked for one.
ASKS_FOR_PERSON = Word("why.person")


def handoff(
    facts: Facts,
    transcript: list[str],
    *,
    reason: str = "customer_request",
    why: Word = ASKS_FOR_PERSON,
    reply: str | None = None,
) -> Outcome:
    """Ask a person to take over, with the conversation so far.

    Open to every known customer, owing or not: disputed invoices are linked too, since
    a dispute is often what the customer wants to talk about. A customer already waiting
    for a person is told so; the open case takes the new messages (one case, not one per
    ask) and the collector hears that the customer asked again.
    """
    excerpt = "\n".join(transcript[-10:])
    ids = (*open_ids(facts), *(invoice.id for invoice in facts.disputed))
    case = OpenCase("handoff", reason, excerpt, ids)
    if facts.handoff_open:
        said = staff_text("alert.handoff_again", why=why, excerpt=excerpt)
        alert = AlertCollector("handoff", staff_summary(said))
        again = (
            t("handoff_again_collector", facts.language, collector=facts.collector)
            if facts.collector
            else t("handoff_again", facts.language)
        )
        return Outcome((Reply(reply or again),), State(), (case, alert))
    alert = AlertCollector(
        "handoff", staff_summary(staff_text("alert.handoff", why=why, excerpt=excerpt))
    )
    text = reply or t("handoff_done", facts.language)
    return Outcome((Reply(text),), State(), (case, alert))
