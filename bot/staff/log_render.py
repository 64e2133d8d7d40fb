"""The communication log and the audit log as a person reads them: names, not ids; money and
dates in the reader's language; before → after per field, not JSON. `--json` keeps the raw."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from i18n.format import format_date, format_money
from i18n.staff_texts import Summary, has_text, st
from storage.queries.timeline import Entry

#: Fields holding an amount of money.
MONEY_FIELDS = frozenset({"amount", "balance", "received", "total"})
#: Fields holding an id, and the table whose names `storage.queries.audit.names_by_id` reads
#: for them.
ID_FIELDS = {
    "policy_id": "policy",
    "staff_id": "staff",
    "collector_id": "staff",
    "salesperson_id": "staff",
    "customer_id": "customer",
}
#: Names per table (`policy`, `staff`, `customer`): id → name.
Names = Mapping[str, Mapping[int, str]]


def label(field: str, language: str) -> str:
    """A field's name for people (`paused_until` → `ditunda sampai`); unknown ones as they are."""
    key = f"field.{field}"
    return st(key, language) if has_text(key) else field


def show(field: str, value: Any, *, language: str, currency: str, names: Names) -> str:
    """One value as a person reads it: money and dates formatted, ids as names, no JSON."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return st("value.yes" if value else "value.no", language)
    if isinstance(value, list):
        return ", ".join(
            show(field, v, language=language, currency=currency, names=names) for v in value
        )
    if isinstance(value, dict):
        return ", ".join(
            f"{label(k, language)} {show(k, v, language=language, currency=currency, names=names)}"
            for k, v in value.items()
        )
    table = ID_FIELDS.get(field)
    if table is not None and isinstance(value, int | str) and str(value).isdecimal():
        return names.get(table, {}).get(int(value), f"#{value}")
    if field in MONEY_FIELDS:
        try:
            return format_money(Decimal(str(value)), currency, language)
        except InvalidOperation:
            return str(value)
    if isinstance(value, str) and len(value) == 10:
        try:
            return format_date(dt.date.fromisoformat(value), language, weekday=False)
        except ValueError:
            return value
    return str(value)


def change(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    language: str,
    currency: str,
    names: Names,
) -> str:
    """`peran: sales → collector; aktif: ya → tidak`: each changed field, before and after."""
    before, after = before or {}, after or {}
    fields = [*before, *(k for k in after if k not in before)]
    # A field both sides hold unchanged says nothing (a whole row written back, say).
    fields = [k for k in fields if not (k in before and k in after and before[k] == after[k])]
    if not fields:
        return "—"
    parts = []
    for field in fields:
        old, new = (
            show(field, side.get(field), language=language, currency=currency, names=names)
            for side in (before, after)
        )
        parts.append(f"{label(field, language)}: {old} → {new}")
    return "; ".join(parts)


def entry_text(entry: Entry, *, language: str, currency: str, names: Names | None = None) -> str:
    """A line of a customer's log in the reader's language (the raw `text` when it has no
    facts to read again)."""
    facts, names = entry.facts, names or {}
    if entry.kind in ("promise", "claim") and "date" in facts:
        amount = facts.get("amount")
        money = (
            show("amount", amount, language=language, currency=currency, names=names)
            if amount is not None
            else st("in_full", language)
        )
        day = show("date", facts["date"], language=language, currency=currency, names=names)
        return st("log.promise", language, amount=money, date=day)
    if entry.kind == "choice" and "method" in facts:
        return st("log.choice", language, method=facts["method"])
    if entry.kind == "payment" and "amount" in facts:
        cur = str(facts.get("currency") or currency)
        return st(
            "log.payment",
            language,
            reference=facts.get("reference") or "-",
            amount=show("amount", facts["amount"], language=language, currency=cur, names=names),
            invoice=facts.get("invoice") or "-",
            date=show(
                "paid_on", facts.get("paid_on"), language=language, currency=cur, names=names
            ),
        )
    if entry.kind == "audit" and "action" in facts:
        said = change(
            facts.get("before"),
            facts.get("after"),
            language=language,
            currency=currency,
            names=names,
        )
        return st("log.audit", language, action=facts["action"], change=said)
    summary = Summary.from_json(facts)
    if summary is not None:
        return summary.render(language)
    return entry.text
