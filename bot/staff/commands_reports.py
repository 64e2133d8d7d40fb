"""Report commands: `/aging`, `/sales`, `/promises` answer with a chart and a short summary.

A command gathers its report inside the router's transaction and returns the chart undrawn
(`StaffReply.chart`); the router draws it in memory after the commit, off the event loop, so
matplotlib never holds a write transaction open and no file is left anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

from bot.staff.commands_base import (
    EVERYONE,
    Call,
    Command,
    StaffReply,
    UsageError,
    iso_day,
    money,
    past_day,
)
from storage.enums import Role
from storage.reports import (
    AgingReport,
    Filters,
    PromisesReport,
    SalesReport,
    aging_report,
    promises_report,
    sales_report,
)
from storage.reports.sales import late_share

#: Customers the aging chart names; the rest are summed as "others".
TOP = 8


def _aging_png(report: AgingReport, language: str) -> bytes:
    from bot.staff import charts  # matplotlib only when a chart is drawn

    return charts.aging_chart(report, top=TOP, language=language)


def _sales_png(report: SalesReport, language: str) -> bytes:
    from bot.staff import charts

    return charts.sales_chart(report, language=language)


def _promises_png(report: PromisesReport, language: str) -> bytes:
    from bot.staff import charts

    return charts.promises_chart(report, language=language)


def scope(call: Call, *, team_ranking: bool = False) -> tuple[Filters, str]:
    """What the caller may see and how to say it: collectors their customers, sales their own.

    Admins see everything; `/sales` ranks the team, so salespeople see it whole.
    """
    name = call.staff.name
    if call.staff.role == Role.COLLECTOR:
        return Filters(collector=name), call.t("report.scope.collector", name=name)
    if call.staff.role == Role.SALES and not team_ranking:
        return Filters(salesperson=name), call.t("report.scope.sales", name=name)
    return Filters(), call.t("report.scope.all")


def business_today(call: Call) -> dt.date:
    """Today in the business's time zone."""
    return call.now.astimezone(call.config.zone).date()


def day_argument(call: Call) -> dt.date | None:
    """The optional date after the command (`2026-11-01`, `1/11`, `kemarin`); None without."""
    text = call.rest.strip()
    if not text:
        return None
    today = business_today(call)
    day = iso_day(text) or past_day(text, today)
    if day is None or day > today:
        raise UsageError(call.t("report.bad_day", text=repr(text)))
    return day


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _others(call: Call, reports: Sequence[AgingReport] | Sequence[SalesReport]) -> list[str]:
    rest = [r.currency for r in reports[1:]]
    return [call.t("report.others", currencies=", ".join(rest))] if rest else []


def aging_text(report: AgingReport, call: Call, shown: str) -> str:
    """Total open, share more than 60 days late, the largest bucket and customer."""
    cur, staff, total = report.currency, call.staff, report.total
    lines = [
        call.t("report.aging.head", shown=shown, date=call.day(report.as_of)),
        call.t("report.open", amount=money(total.total, cur, staff)),
        call.t("report.late60", share=_percent(late_share(total))),
    ]
    if total.total:
        bucket, amount = max(total.buckets.items(), key=lambda item: item[1])
        biggest = max(report.customers, key=lambda line: line.total)
        lines.append(
            call.t("report.largest_bucket", bucket=bucket, amount=money(amount, cur, staff))
        )
        lines.append(
            call.t(
                "report.largest_balance",
                customer=biggest.key,
                amount=money(biggest.total, cur, staff),
            )
        )
    return "\n".join(lines)


def sales_text(report: SalesReport, call: Call, shown: str) -> str:
    """Total open, share 60+ days late, the best and the worst salesperson by that share."""
    cur, staff, total = report.currency, call.staff, report.total
    lines = [
        call.t("report.sales.head", shown=shown, date=call.day(report.as_of)),
        call.t("report.open", amount=money(total.total, cur, staff)),
        call.t("report.late60", share=_percent(late_share(total))),
    ]
    ranked = report.salespeople
    if ranked:
        best, worst = ranked[0], ranked[-1]
        share = _percent(best.share_60_plus)
        lines.append(call.t("report.best", name=best.salesperson, share=share))
        if len(ranked) > 1:
            share = _percent(worst.share_60_plus)
            lines.append(call.t("report.worst", name=worst.salesperson, share=share))
    return "\n".join(lines)


def promises_text(report: PromisesReport, call: Call, shown: str) -> str:
    """Promises made, kept, broken and open, the kept rate and the collector keeping fewest."""
    total = report.total
    since = call.t("report.since", date=call.day(report.since)) if report.since else ""
    lines = [
        call.t("report.promises.head", shown=shown, since=since, date=call.day(report.as_of)),
        call.t(
            "report.made",
            made=total.made,
            kept=total.kept,
            broken=total.broken,
            open=total.open,
        ),
        call.t("report.kept_rate", rate=_percent(total.kept_rate)),
    ]
    rated = [
        (c.kept_rate, name) for name, c in report.by_collector.items() if c.kept_rate is not None
    ]
    if len(rated) > 1:
        rate, name = min(rated)
        lines.append(call.t("report.lowest", name=name, rate=_percent(rate)))
    return "\n".join(lines)


async def aging(call: Call) -> list[StaffReply]:
    """Open balances by days late, as of today or the date given, with a chart."""
    day = day_argument(call) or business_today(call)
    only, shown = scope(call)
    reports = await aging_report(
        call.session, as_of=day, filters=only, default_currency=call.config.currency
    )
    report = reports[0]  # the business currency first
    text = "\n".join([aging_text(report, call, shown), *_others(call, reports)])
    return [StaffReply(text, chart=partial(_aging_png, report, call.lang))]


async def sales(call: Call) -> list[StaffReply]:
    """Salespeople ranked by the share of their receivables more than 60 days late."""
    day = day_argument(call) or business_today(call)
    only, shown = scope(call, team_ranking=True)
    reports = await sales_report(
        call.session, as_of=day, filters=only, default_currency=call.config.currency
    )
    report = reports[0]
    text = "\n".join([sales_text(report, call, shown), *_others(call, reports)])
    return [StaffReply(text, chart=partial(_sales_png, report, call.lang))]


async def promises(call: Call) -> list[StaffReply]:
    """Promise outcomes (made, kept, broken, open) since the date given, with a chart."""
    since = day_argument(call)
    only, shown = scope(call)
    report = await promises_report(
        call.session, as_of=business_today(call), since=since, zone=call.config.zone, filters=only
    )
    chart = partial(_promises_png, report, call.lang)
    return [StaffReply(promises_text(report, call, shown), chart=chart)]


COMMANDS = [
    Command("aging", EVERYONE, aging),
    Command("sales", EVERYONE, sales),
    Command("promises", EVERYONE, promises),
]
