"""Reports on the receivables: aging, salespeople, late invoices, DSO, promises, channels, payers.

Each report is a small query plus a pure computation returning a frozen result that knows its
JSON object (`to_json`) and its tables (`tables`); money stays `Decimal` and becomes a JSON
number in the currency's unit — `int` when whole, else `float`. Money reports (aging, sales,
late-analysis, dso) come one per currency, never summed across currencies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import ReportName
from storage.reports.aging import AgingLine, AgingReport, aging_of, aging_report
from storage.reports.channels import ChannelsReport, ChannelStats, channels_report
from storage.reports.common import (
    BUCKETS,
    NO_FILTERS,
    Filters,
    InvoiceFact,
    bucket_of,
    json_amount,
    load_invoices,
)
from storage.reports.dso import DEFAULT_DAYS, DsoReport, countback, dso_report
from storage.reports.late import LateReport, late_report
from storage.reports.payers import Payer, PayersReport, payers_report
from storage.reports.promises import PromiseCounts, PromisesReport, promises_report
from storage.reports.sales import SalesLine, SalesReport, rank_lines, sales_report
from storage.reports.table import (
    Column,
    Report,
    Tabular,
    json_of,
)

__all__ = [
    "BUCKETS",
    "DEFAULT_DAYS",
    "AgingLine",
    "AgingReport",
    "ChannelStats",
    "ChannelsReport",
    "Column",
    "DsoReport",
    "Filters",
    "InvoiceFact",
    "LateReport",
    "Payer",
    "PayersReport",
    "PromiseCounts",
    "PromisesReport",
    "Report",
    "ReportName",
    "ReportOptions",
    "SalesLine",
    "SalesReport",
    "Tabular",
    "aging_of",
    "aging_report",
    "bucket_of",
    "build_report",
    "channels_report",
    "countback",
    "dso_report",
    "json_amount",
    "json_of",
    "late_report",
    "load_invoices",
    "payers_report",
    "promises_report",
    "rank_lines",
    "sales_report",
]


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a report is asked for: the date, filters and the report-specific knobs."""

    as_of: dt.date
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))
    filters: Filters = NO_FILTERS
    default_currency: str = "IDR"
    days: int = DEFAULT_DAYS  # dso: the period looked back over
    since: dt.date | None = None  # promises, channels: made or sent on or after


async def build_report(
    session: AsyncSession, name: ReportName, options: ReportOptions
) -> Sequence[Report]:
    """Compute one report: a list with one result per currency, or a single result."""
    o = options
    day, only, home = o.as_of, o.filters, o.default_currency
    match name:
        case ReportName.AGING:
            return await aging_report(session, as_of=day, filters=only, default_currency=home)
        case ReportName.SALES:
            return await sales_report(session, as_of=day, filters=only, default_currency=home)
        case ReportName.LATE_ANALYSIS:
            return await late_report(session, as_of=day, filters=only, default_currency=home)
        case ReportName.DSO:
            return await dso_report(
                session, as_of=day, days=o.days, filters=only, default_currency=home
            )
        case ReportName.PROMISES:
            return [
                await promises_report(session, as_of=day, since=o.since, zone=o.zone, filters=only)
            ]
        case ReportName.CHANNELS:
            return [
                await channels_report(session, as_of=day, since=o.since, zone=o.zone, filters=only)
            ]
        case ReportName.PAYERS:
            return [await payers_report(session, as_of=day, filters=only)]
