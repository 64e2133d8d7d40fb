"""`tagih report NAME`: receivables reports as terminal tables, JSON, CSV or a PNG chart.

Registered in bot/cli/main.py with `app.command("report")(report_command)`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from storage.constants import DSO_DAYS
from storage.csvfile import neutralise_formula
from storage.enums import ReportName

# The reports, the database and Babel are imported by the functions that use them, so that
# `tagih --help` stays light (tests/unit/test_cli_startup.py).
if TYPE_CHECKING:
    from bot.config import Settings
    from storage.reports import Report, ReportOptions, Tabular
    from storage.reports.table import Cell, CellKind

console = Console()
err = Console(stderr=True)
#: The reports that have a chart.
CHARTS = frozenset({ReportName.AGING, ReportName.SALES, ReportName.PROMISES})
#: The reports that look at a period starting on --since.
SINCE = frozenset({ReportName.PROMISES, ReportName.CHANNELS})


def parse_day(text: str | None, option: str) -> dt.date | None:
    """An ISO date (YYYY-MM-DD), or a usage error naming the option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text!r}", param_hint=option) from None


def cell_text(value: Cell, kind: CellKind, currency: str | None, language: str) -> str:
    """A cell as a reader sees it: Rp5.000.000, 70%, 45.2, 2026-03-31."""
    from i18n.format import format_money

    if value is None:
        return "—" if kind == "rate" else ""
    if kind == "money" and isinstance(value, Decimal) and currency:
        return format_money(value, currency, language)
    if kind == "rate" and isinstance(value, float):
        return f"{value:.0%}"
    if kind == "days" and isinstance(value, float | Decimal):
        # Halves up, as the JSON does (113.25 → 113.3), not float formatting's 113.2.
        return str(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        # Names and item texts come from imports: never hand a spreadsheet a formula.
        return neutralise_formula(value)
    return str(value)


def cell_csv(value: Cell) -> str:
    """A cell for a machine: plain numbers in the currency's unit, ISO dates."""
    from storage.reports import json_amount

    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(json_amount(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        # Names and item texts come from imports: never hand a spreadsheet a formula.
        return neutralise_formula(value)
    return str(value)


def rich_table(table: Tabular, language: str) -> Table:
    """A rich table: numbers right-aligned, groups separated, the total in bold."""
    out = Table(title=table.title, caption=" ".join(table.notes) or None, caption_justify="left")
    for column in table.columns:
        out.add_column(column.name, justify="left" if column.kind == "text" else "right")
    kinds = [c.kind for c in table.columns]

    def cells(row: Sequence[Cell]) -> list[str]:
        return [cell_text(v, k, table.currency, language) for v, k in zip(row, kinds, strict=True)]

    for index, row in enumerate(table.rows):
        if index in table.sections:
            out.add_section()
        out.add_row(*cells(row))
    if table.total is not None:
        out.add_section()
        out.add_row(*cells(table.total), style="bold")
    return out


def write_csv(reports: Sequence[Report], path: Path) -> int:
    """All tables of the reports in one CSV (a leading `currency` column for money reports)."""
    tables = [t for r in reports for t in r.tables()]
    with_currency = any(t.currency for t in tables)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = [c.name for c in tables[0].columns] if tables else []
        writer.writerow(["currency", *header] if with_currency else header)
        for table in tables:
            lines = [*table.rows, *([table.total] if table.total else [])]
            for line in lines:
                values = [cell_csv(v) for v in line]
                writer.writerow([table.currency or "", *values] if with_currency else values)
                rows += 1
    return rows


def draw(name: ReportName, result: Report, path: Path, top: int) -> Path:
    """Draw the report's chart (matplotlib is imported only when a chart is asked for)."""
    from bot.staff import charts
    from storage.reports import AgingReport, PromisesReport, SalesReport

    if isinstance(result, AgingReport):
        return charts.save(charts.aging_chart(result, top=top), path)
    if isinstance(result, SalesReport):
        return charts.save(charts.sales_chart(result), path)
    if isinstance(result, PromisesReport):
        return charts.save(charts.promises_chart(result), path)
    raise typer.BadParameter(f"{name} has no chart", param_hint="--png")


async def compute(settings: Settings, name: ReportName, options: ReportOptions) -> list[Report]:
    """Open the database, bring it up to date, run the report, close."""
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.reports import build_report

    db = Database(settings.database_url)
    try:
        await upgrade(db)
        async with db.transaction() as session:
            return list(await build_report(session, name, options))
    finally:
        await db.dispose()


def report_command(
    ctx: typer.Context,
    name: Annotated[ReportName, typer.Argument(help="Which report.", show_default=False)],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report as of this date (default: today).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write CSV to this file.", dir_okay=False)
    ] = None,
    png_file: Annotated[
        Path | None,
        typer.Option("--png", help="Draw a chart (aging, sales, promises).", dir_okay=False),
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="Only this currency (e.g. IDR, USD).")
    ] = None,
    salesperson: Annotated[
        str | None, typer.Option("--salesperson", help="Only this salesperson's.")
    ] = None,
    collector: Annotated[
        str | None, typer.Option("--collector", help="Only customers of this collector.")
    ] = None,
    segment: Annotated[
        str | None, typer.Option("--segment", help="Only customers in this segment.")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, help=f"dso: period (default {DSO_DAYS}).")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="promises, channels: from this date on.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Aging chart: customers shown.")] = 10,
) -> None:
    """Receivables reports: aging, sales, late-analysis, dso, promises, channels, payers.

    aging: open balances as of the date (amount less payments dated up to it) by days past
    due: current, 1-30, 31-60, 61-90, 90+, per customer. Written-off invoices are left out;
    disputed ones are still owed, so they count (the table names them). sales: the same per
    salesperson, ranked by the share more than 60 days late. late-analysis: invoices more
    than 60 days late grouped by salesperson, item, customer and segment. dso: days sales
    outstanding by the countback method: from the date, walk back month by month, taking
    each month's invoiced sales off the receivables, counting whole months and the fraction
    of the last; at most --days back, else "more than". promises: made, kept, broken, open
    and kept rate by collector and customer. channels: reminders sent, delivered, answered
    within 72 h and followed by a payment within 7 days. payers: on-time rate, average days
    late, good and habitual late payers.

    Currencies are never added together. With several currencies, aging, sales,
    late-analysis and dso show one table per currency, and --json prints a list of objects
    (one per currency) instead of one object; --currency keeps just one. --png draws one
    currency: --currency, else the business currency (TAGIH_CURRENCY) when present.
    """
    import asyncio

    settings = _settings(ctx)
    _check_options(name, json_out=json_out, csv=csv_file, png=png_file, since=since, days=days)
    options = _options(settings, as_of, since, days, salesperson, collector, segment, currency)
    results = asyncio.run(compute(settings, name, options))
    _print_results(name, results, settings.language, json_out, csv_file, png_file, top)


def _settings(ctx: typer.Context) -> Settings:
    """The settings the root callback built."""
    from bot.config import Settings

    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def _check_options(
    name: ReportName,
    *,
    json_out: bool,
    csv: Path | None,
    png: Path | None,
    since: str | None,
    days: int | None,
) -> None:
    """Refuse options that do not go together, or with this report, before any work."""
    if sum((json_out, csv is not None, png is not None)) > 1:
        raise typer.BadParameter("choose one of --json, --csv, --png")
    if png is not None and name not in CHARTS:
        raise typer.BadParameter(f"{name} has no chart (try aging, sales, promises)")
    if since is not None and name not in SINCE:
        raise typer.BadParameter("applies to promises and channels", param_hint="--since")
    if days is not None and name != ReportName.DSO:
        raise typer.BadParameter("applies to dso", param_hint="--days")


def _options(
    settings: Settings,
    as_of: str | None,
    since: str | None,
    days: int | None,
    salesperson: str | None,
    collector: str | None,
    segment: str | None,
    currency: str | None,
) -> ReportOptions:
    """The report's options from the command line's, with their defaults filled in."""
    from storage.reports import Filters, ReportOptions

    day = parse_day(as_of, "--as-of") or dt.datetime.now(settings.zone).date()
    return ReportOptions(
        as_of=day,
        zone=settings.zone,
        filters=Filters(salesperson, collector, segment, currency.upper() if currency else None),
        default_currency=settings.currency,
        days=days or DSO_DAYS,
        since=parse_day(since, "--since"),
    )


def _print_results(
    name: ReportName,
    results: list[Report],
    language: str,
    json_out: bool,
    csv_file: Path | None,
    png_file: Path | None,
    top: int,
) -> None:
    """The results as asked: JSON, a CSV file, a PNG chart, else terminal tables."""
    from storage.reports import json_of

    if json_out:
        typer.echo(json.dumps(json_of(results), ensure_ascii=False, indent=2))
    elif csv_file is not None:
        rows = write_csv(results, csv_file)
        err.print(f"{csv_file}: {rows} rows")
    elif png_file is not None:
        # The business currency comes first when there are several (see by_currency).
        if len(results) > 1:
            err.print("[yellow]one currency per chart:[/] pass --currency for the others")
        typer.echo(str(draw(name, results[0], png_file, top)))
    else:
        for result in results:
            for table in result.tables():
                console.print(rich_table(table, language))
