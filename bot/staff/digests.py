"""Digests: each collector's daily queue and each salesperson's weekly picture, as text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from i18n.format import format_date, format_money
from i18n.staff_texts import has_text, st
from storage.enums import CaseKind
from storage.models import Customer, Invoice, Staff
from storage.queries.cases import open_cases
from storage.queries.ledger import (
    CHASED,
    broken_promises,
    credit_held_customers,
    late_invoices,
)
from storage.queries.staff import customers_of_collector
from storage.reports.common import NONE_LABEL
from storage.reports.sales import sales_report

#: Each section lists this many lines; the rest are counted.
SECTION_LINES = 10
#: A customer is on the "naughty list" with an invoice more than this many days late.
NAUGHTY_DAYS = 30
BROKEN_WINDOW = dt.timedelta(days=7)
NEW_WINDOW = dt.timedelta(days=1)


def _t(key: str, language: str, **values: object) -> str:
    return st(f"digest.{key}", language, **values)


def _section(name: str, lines: Sequence[str], language: str, cap: int = SECTION_LINES) -> list[str]:
    """A titled section, capped at `cap` lines."""
    shown = list(lines[:cap]) or [_t("none", language)]
    if len(lines) > cap:
        shown.append(_t("more", language, count=len(lines) - cap))
    return ["", f"{_t(name, language)}:", *shown]


def _who(customer: Customer) -> str:
    return f"{customer.code} {customer.name}"


def _header(kind: str, staff: Staff, today: dt.date) -> str:
    return f"{_t(kind, staff.language)} · {staff.name} · {format_date(today, staff.language)}"


def _overdue(
    rows: Iterable[tuple[Invoice, Customer]], today: dt.date, min_days: int
) -> list[tuple[Customer, str, Decimal, int]]:
    """(customer, currency, total, days of the oldest) of invoices over `min_days` late,
    biggest total first."""
    groups: dict[tuple[int, str], tuple[Customer, Decimal, int]] = {}
    for inv, customer in rows:
        days = (today - inv.due_date).days
        if days <= min_days or inv.balance <= 0 or inv.status not in CHASED:
            continue
        key = (inv.customer_id, inv.currency)
        _, total, oldest = groups.get(key, (customer, Decimal(0), 0))
        groups[key] = (customer, total + inv.balance, max(oldest, days))
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1][1], kv[1][0].code))
    return [(c, currency, total, days) for (_, currency), (c, total, days) in ordered]


async def collector_digest(
    session: AsyncSession, *, staff: Staff, now: dt.datetime, currency: str = "IDR"
) -> str:
    """Broken promises, new cases, claims to verify and the ten largest overdue balances.

    Promises and claims carry no currency of their own: they are shown in `currency`.
    """
    lang, today = staff.language, now.astimezone(ZoneInfo(staff.timezone)).date()
    customers = {c.id: c for c in await customers_of_collector(session, staff=staff)}
    # Each section is filtered to these customers in Python, not with SQL IN: a collector
    # of every customer would need one parameter per customer, past SQLite's limit on a
    # big portfolio.
    broken_lines = await _broken_lines(session, customers, now, currency, lang)
    new_lines, claim_lines = await _case_lines(session, customers, now, currency, lang)
    largest = await _largest_lines(session, customers, today, lang)
    return "\n".join(
        [
            _header("collector", staff, today),
            *_section("broken", broken_lines, lang),
            *_section("new", new_lines, lang),
            *_section("claims", claim_lines, lang),
            *_section("largest", largest, lang),
        ]
    )


async def _broken_lines(
    session: AsyncSession,
    customers: dict[int | None, Customer],
    now: dt.datetime,
    currency: str,
    lang: str,
) -> list[str]:
    """The promises of these customers broken within `BROKEN_WINDOW`, latest first."""
    broken = await broken_promises(session, since=now - BROKEN_WINDOW)
    broken_lines = []
    for p in (p for p in broken if p.customer_id in customers):
        amount = f" {format_money(p.amount, currency, lang)}" if p.amount is not None else ""
        promised = _t("promised", lang, date=format_date(p.promised_date, lang, weekday=False))
        broken_lines.append(f"{_who(customers[p.customer_id])}: {promised}{amount}")
    return broken_lines


async def _case_lines(
    session: AsyncSession,
    customers: dict[int | None, Customer],
    now: dt.datetime,
    currency: str,
    lang: str,
) -> tuple[list[str], list[str]]:
    """These customers' open cases, oldest first, as (new, claims): the cases other than
    payment claims opened within `NEW_WINDOW`, and every payment claim still to verify."""
    cases = await open_cases(session)
    new_lines, claim_lines = [], []
    for case in (c for c in cases if c.customer_id in customers):
        who = _who(customers[case.customer_id])
        if case.kind == CaseKind.PAYMENT_CLAIM:
            claimed = case.data.get("amount")
            money = format_money(Decimal(claimed), currency, lang) if claimed else "?"
            paid_on = case.data.get("paid_on")
            when = ""
            if paid_on:
                day = format_date(dt.date.fromisoformat(paid_on), lang, weekday=False)
                when = " " + _t("on", lang, date=day)
            claim_lines.append(f"{who}: {_t('claimed', lang, amount=money)}{when}")
        elif case.created_at >= now - NEW_WINDOW:
            label = _t(case.kind, lang) if has_text(f"digest.{case.kind}") else case.kind
            reason = f" ({case.reason})" if case.reason else ""
            new_lines.append(f"{who}: {label}{reason}")
    return new_lines, claim_lines


async def _largest_lines(
    session: AsyncSession, customers: dict[int | None, Customer], today: dt.date, lang: str
) -> list[str]:
    """The ten largest overdue balances of these customers, per currency, numbered."""
    late = await late_invoices(session, due_before=today)
    invoices = [(inv, c) for inv, c in late if c.id in customers]
    return [
        f"{n}. {_who(c)}: {format_money(total, cur, lang)} ({_t('late', lang, days=days)})"
        for n, (c, cur, total, days) in enumerate(_overdue(invoices, today, 0)[:10], start=1)
    ]


async def sales_digest(
    session: AsyncSession, *, staff: Staff, now: dt.datetime, currency: str = "IDR"
) -> str:
    """Their late payers (the "naughty list"), credit holds, and the salesperson ranking."""
    lang, today = staff.language, now.astimezone(ZoneInfo(staff.timezone)).date()
    assert staff.id is not None
    # An invoice belongs to its own salesperson, else to its customer's (as in the reports).
    invoices = await late_invoices(
        session, due_before=today - dt.timedelta(days=NAUGHTY_DAYS), salesperson_id=staff.id
    )
    naughty = [
        f"{_who(c)}: {format_money(total, cur, lang)} ({_t('late', lang, days=days)})"
        for c, cur, total, days in _overdue(invoices, today, NAUGHTY_DAYS)
    ]
    held = await credit_held_customers(session, salesperson_id=staff.id)
    reports = await sales_report(session, as_of=today, default_currency=currency)
    lines = [s for s in reports[0].salespeople if s.salesperson != NONE_LABEL]
    ranking, own = [], ""
    for n, line in enumerate(lines, start=1):
        share = f"{line.share_60_plus:.0%}" if line.share_60_plus is not None else "—"
        total = _t("of", lang, total=format_money(line.aging.total, reports[0].currency, lang))
        you = _t("you", lang) if line.salesperson == staff.name else ""
        ranking.append(f"{n}. {line.salesperson}: {share} {total}{you}")
        own = ranking[-1] if you else own
    if own and own not in ranking[:SECTION_LINES]:
        # Everyone sees the top of the ranking and where they stand themselves.
        ranking = [*ranking[: SECTION_LINES - 1], "…", own]
    return "\n".join(
        [
            _header("sales", staff, today),
            *_section("naughty", naughty, lang),
            *_section("holds", [_who(c) for c in held], lang),
            *_section("ranking", ranking, lang),
        ]
    )
