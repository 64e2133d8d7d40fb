"""The `tagih` command line: import, send-due, run, preview, policy, db."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from bot.cli.demo import demo_command
from bot.cli.ledger import case_app, customers_app, invoices_app, payment_app, promise_app
from bot.cli.policy import policy_app
from bot.cli.report import report_command
from bot.cli.staff import audit_command, staff_app
from storage.constants import SHARE_PERCENT
from storage.enums import ImportKind

# Start-up stays light (`tagih --help` in well under a second of CPU): the database, the
# channels, the reports and the settings are imported by the commands that use them, and a
# test (tests/unit/test_cli_startup.py) keeps it so.
if TYPE_CHECKING:
    from bot.app.folder_sync import Outcome
    from bot.app.tagih import Tagih
    from bot.config import Settings
    from scheduler.calendar import PlannedContact
    from storage.importers import ImportReport, Mapping
    from storage.queries.timeline import Entry

app = typer.Typer(help="Tagih: accounts-receivable reminders and chat.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(policy_app, name="policy")
app.command("report")(report_command)
app.add_typer(staff_app, name="staff")
app.command("audit")(audit_command)
app.add_typer(customers_app, name="customers")
app.add_typer(invoices_app, name="invoices")
app.add_typer(payment_app, name="payment")
app.add_typer(case_app, name="case")
app.add_typer(promise_app, name="promise")
app.command("demo")(demo_command)
console = Console()
#: How many import problems are listed; the rest are counted (a wholly wrong file has one a cell).
ERRORS_SHOWN = 100
err = Console(stderr=True)
T = TypeVar("T")


def settings_of(ctx: typer.Context) -> Settings:
    """The settings built once by the root callback."""
    from bot.config import Settings

    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def run_with_app(
    settings: Settings, work: Callable[[Tagih], Awaitable[T]], *, channels: bool = False
) -> T:
    """Open Tagih, run `work`, close it, all in one event loop."""
    import asyncio

    from bot.app.tagih import Tagih

    async def main() -> T:
        tagih = Tagih(settings)
        await tagih.open(with_channels=channels)
        try:
            return await work(tagih)
        finally:
            await tagih.close()

    return asyncio.run(main())


def parse_moment(text: str | None, settings: Settings) -> dt.datetime | None:
    """An ISO datetime; a naive one is read in the business time zone."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date-time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.zone)


@app.callback()
def root(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    """Load the settings once (environment and .env) for every command."""
    from bot.config import ConfigError, load_settings
    from bot.logmask import configure_logging

    handler = RichHandler(console=err, show_path=False)
    # Masked at every level: libraries' debug output (SQL parameters, request bodies) stays
    # off, and emails, phone numbers and the configured secrets are redacted in every line.
    configure_logging(handler, verbose=verbose, secrets=())
    try:
        ctx.obj = settings = load_settings()
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/] {exc}")
        raise typer.Exit(2) from None
    configure_logging(handler, verbose=verbose, secrets=settings.secret_values())


@app.command("import")
def import_command(
    ctx: typer.Context,
    kind: Annotated[
        ImportKind | None, typer.Argument(help="customers, invoices or payments")
    ] = None,
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False, readable=True)] = None,
    mapping_option: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="The export's own layout: a mapping file (TOML, see examples/mappings/) or "
            "inline 'No. Faktur=number,Kode Pelanggan=customer,...' (one header feeding "
            "several fields: 'No. HP=phone+whatsapp').",
        ),
    ] = None,
    detect: Annotated[
        Path | None,
        typer.Option(
            "--detect",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Guess FILE's encoding, delimiter, header, date and number formats and print "
            "a proposed mapping (TOML) to save; writes nothing.",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
    full_export: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Invoices: the file is the whole open ledger; open invoices it leaves out "
            "are closed (paid).",
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            help=f"With --full: close even more than {SHARE_PERCENT} % of the open invoices.",
        ),
    ] = False,
) -> None:
    """Import a CSV file atomically: any bad row imports nothing and is listed."""
    if detect is not None:
        print_detection(detect, kind)
        return
    if kind is None or file is None:
        raise typer.BadParameter("give KIND and FILE (or --detect FILE)", param_hint="KIND FILE")
    settings = settings_of(ctx)
    mapping = load_mapping(mapping_option, kind)
    if full_export and kind is not ImportKind.INVOICES:
        raise typer.BadParameter("--full is for invoices only", param_hint="--full")
    report = _run_import(
        settings, kind, file, mapping, dry_run=dry_run, full_export=full_export, confirmed=yes
    )
    _print_import(report, file, dry_run=dry_run)


def _run_import(
    settings: Settings,
    kind: ImportKind,
    file: Path,
    mapping: Mapping | None,
    *,
    dry_run: bool,
    full_export: bool,
    confirmed: bool,
) -> ImportReport:
    """Import the file, with a progress bar on a terminal; the report, problems and all."""
    from storage.importers import ImportReport, import_csv

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )
    task = progress.add_task(f"importing {file.name}", total=file.stat().st_size)

    async def work(tagih: Tagih) -> object:
        with progress:
            return await import_csv(
                tagih.db,
                kind,
                file,
                dry_run=dry_run,
                full_export=full_export,
                confirmed=confirmed,
                default_currency=settings.currency,
                default_language=settings.language,
                default_timezone=settings.timezone,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                layout=mapping,
            )

    report = run_with_app(settings, work)
    assert isinstance(report, ImportReport)
    return report


def _print_import(report: ImportReport, file: Path, *, dry_run: bool) -> None:
    """What the import did, or would do; exit 1 when it imported nothing."""
    if report.closed and not report.errors:
        print_closed(report)
    for warning in report.warnings:
        err.print(str(warning), markup=False, highlight=False, soft_wrap=True)
    if report.warnings:
        count = len(report.warnings)
        err.print(f"[yellow]{count} warning{'' if count == 1 else 's'}: check these cells.[/]")
    if report.errors:
        _print_errors(report)
        if report.foreign_layout:
            _print_detect_hint(report, file)
        raise typer.Exit(1)
    if report.needs_confirmation and not dry_run:
        refuse_share(report)
        raise typer.Exit(1)
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{file}: {verb} {report.rows} rows: {report.created} new, "
        f"{report.updated} updated, {report.unchanged} unchanged"
    )


def _print_errors(report: ImportReport) -> None:
    """The first `ERRORS_SHOWN` problems, how many more, and that nothing was imported."""
    for error in report.errors[:ERRORS_SHOWN]:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
    if (more := len(report.errors) - ERRORS_SHOWN) > 0:
        err.print(f"… and {more} more problem{'' if more == 1 else 's'}", markup=False)
    count, rows = len(report.errors), len({error.line for error in report.errors})
    err.print(
        f"[red]{count} problem{'' if count == 1 else 's'} in {rows} "
        f"row{'' if rows == 1 else 's'}: nothing was imported.[/]"
    )


def _print_detect_hint(report: ImportReport, file: Path) -> None:
    """Point a header that is not Tagih's layout at `tagih import --detect`."""
    from storage.importers.detect import command as detect_command

    # Last, after the FILE:LINE lines, which scripts and editors read as they are.
    command = detect_command(report.kind, file)
    err.print(
        f"hint: an accounting package's export? try `{command}` to propose a mapping of its "
        "columns, then import it with --map",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def load_mapping(option: str | None, kind: ImportKind) -> Mapping | None:
    """The mapping `--map` names (a file, or the inline form), checked; exit 2 if it is bad."""
    from storage.importers import MappingError
    from storage.importers import load_mapping as load_mapping_file

    if option is None:
        return None
    path = Path(option)
    try:
        if path.is_file() or option.endswith(".toml") or "=" not in option:
            return load_mapping_file(kind, path)
        return load_mapping_file(kind, None, inline=option)
    except MappingError as exc:
        err.print(f"[red]bad mapping:[/]\n{escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def print_detection(path: Path, kind: ImportKind | None) -> None:
    """`tagih import --detect FILE`: the guesses, as a TOML mapping on stdout, notes on stderr."""
    from storage.importers.detect import DetectError
    from storage.importers.detect import detect as detect_layout

    try:
        guess = detect_layout(path, kind)
    except DetectError as exc:
        err.print(f"[red]{escape(str(exc))}[/]", highlight=False)
        raise typer.Exit(1) from None
    for note in guess.notes:
        err.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
    sys.stdout.write(guess.toml())


def print_closed(report: ImportReport) -> None:
    """List the open invoices a full export leaves out, first, before anything else."""
    count = len(report.closed)
    verb = "Closed" if report.ok and not report.dry_run else "Would close"
    total = report.open_before
    console.print(
        f"{verb} {count} of {total} open invoice{'' if total == 1 else 's'}"
        " no longer in the file (paid):",
        markup=False,
        highlight=False,
    )
    for invoice in report.closed:
        console.print(
            f"  {invoice.number}  {invoice.customer}  {invoice.currency} {invoice.balance}"
            f"  ({invoice.status})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if report.needs_confirmation and report.dry_run:
        console.print(f"More than {SHARE_PERCENT} %: the import itself will need --yes.")


def refuse_share(report: ImportReport) -> None:
    """Say why a full export closing a large share of the ledger was not imported."""
    count, total = len(report.closed), report.open_before
    err.print(
        f"{report.file}: would close {count} of {total} open invoices "
        f"({count * 100 // total} %), more than {SHARE_PERCENT} %: is the export cut short? "
        "Check it, then run again with --yes; nothing was imported.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command("sync")
def sync_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False, writable=True)],
    once: Annotated[
        bool, typer.Option("--once", help="Import what is there now, then exit (for cron).")
    ] = False,
    kind: Annotated[
        ImportKind | None,
        typer.Option(help="What the files hold; default: mapping.toml's kind, or the file name."),
    ] = None,
    full_export: Annotated[
        bool, typer.Option("--full", help="Invoices: each file is the whole open ledger.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help=f"With --full: close more than {SHARE_PERCENT} %.")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.0, help="Seconds between polls of the folder.")
    ] = 10.0,
) -> None:
    """Import each export dropped in FOLDER once stable; move it to done/ or failed/."""
    import asyncio

    from bot.app.folder_sync import SyncFolder, watch

    settings = settings_of(ctx)

    def show(outcome: Outcome) -> None:
        line = f"{outcome.file.name}: {outcome.summary} -> {outcome.moved_to}"
        (console if outcome.ok else err).print(line, markup=False, highlight=False)

    async def work(tagih: Tagih) -> int:
        watched = SyncFolder(
            folder,
            tagih.db,
            kind=kind,
            full_export=full_export,
            confirmed=yes,
            currency=settings.currency,
            language=settings.language,
            timezone=settings.timezone,
        )
        if once:
            watched.stable()  # the first look; a file still growing differs at the second
            await asyncio.sleep(min(interval, 2.0))
            outcomes = await watched.poll()
            for outcome in outcomes:
                show(outcome)
            return sum(not outcome.ok for outcome in outcomes)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        console.print(f"Watching {folder} every {interval:g} s; Ctrl-C stops.", markup=False)
        await watch(watched, interval=interval, report=show, stop=stop)
        return 0

    failed = run_with_app(settings, work)
    if failed:
        raise typer.Exit(1)


@app.command("send-due")
def send_due(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option(help="Act as if it were this ISO date-time.")] = None,
) -> None:
    """Run one planning and dispatch pass now (or at --now) and exit."""
    settings = settings_of(ctx)
    moment = parse_moment(now, settings)

    async def work(tagih: Tagih) -> tuple[str, list[str]]:
        planned, stats = await tagih.send_due(moment)
        lines = [
            *tagih.announcements,
            f"planned {planned.planned} follow-up(s) for {planned.customers} customer(s)",
            f"sent {stats.sent}, skipped {stats.skipped}, waiting for the window "
            f"{stats.deferred}, retry later {stats.retried}, failed {stats.failed}, "
            f"unknown {stats.unknown}",
        ]
        warnings = [
            *tagih.warnings,
            *(
                f"{channel}: unreachable during this pass ({reason}); its steps fell back "
                "to each customer's next channel or wait for the next run"
                for channel, reason in stats.down.items()
            ),
        ]
        return "\n".join(lines), warnings

    report, warnings = run_with_app(settings, work, channels=True)
    console.print(report, markup=False)
    for warning in warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


@app.command()
def run(ctx: typer.Context) -> None:
    """Run the service: dispatch every minute until Ctrl-C or SIGTERM."""
    import asyncio

    from bot.app.service import serve
    from bot.app.tagih import Tagih

    settings = settings_of(ctx)
    asyncio.run(serve(Tagih(settings), announce=lambda line: console.print(line, markup=False)))


@app.command("preview")
def preview_command(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option(help="First local date (YYYY-MM-DD); default today.")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="How many days.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    now: Annotated[str | None, typer.Option(help="Act as if it were this ISO date-time.")] = None,
) -> None:
    """Show what would go out on those local dates, sending nothing."""
    from scheduler.preview import contact_json, preview

    settings = settings_of(ctx)
    moment = parse_moment(now, settings) or dt.datetime.now(dt.UTC)
    try:
        first = dt.date.fromisoformat(on) if on else moment.astimezone(settings.zone).date()
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {on!r}", param_hint="--on") from None
    today = moment.astimezone(settings.zone).date()
    if first < today:
        # Missed steps are folded into today's catch-up contact: the past has no preview.
        raise typer.BadParameter(f"{first} is before today ({today})", param_hint="--on")

    async def work(tagih: Tagih) -> list[PlannedContact]:
        inputs, window = await tagih.planning_inputs()
        return await preview(
            tagih.db,
            inputs=inputs,
            window=window,
            now=moment,
            first=first,
            days=days,
            cap=settings.max_contacts_per_week,
        )

    contacts = run_with_app(settings, work)
    if as_json:
        rows = [contact_json(c) for c in contacts]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("date", "customer", "planned at", "steps", "channels", "actions", "skipped")
    for c in contacts:
        table.add_row(
            c.day.isoformat(),
            c.customer,
            c.planned_at.strftime("%H:%M %z"),
            ", ".join(f"{hit.invoice} {hit.offset:+d}" for hit in c.steps),
            ", ".join(c.channels),
            ", ".join(c.actions),
            c.skipped or "",
        )
    console.print(table)
    console.print(f"{len(contacts)} contact(s)")


@app.command("log")
def log_command(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer code.")],
    limit: Annotated[int, typer.Option(min=1, help="Show the last N entries.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A customer's communication log with the promises, claims, choices and cases it led to."""
    from bot.staff.log_render import entry_text
    from storage.queries.audit import names_by_id
    from storage.queries.timeline import customer_timeline

    settings = settings_of(ctx)

    async def work(tagih: Tagih) -> tuple[list[Entry], dict[str, dict[int, str]]]:
        async with tagih.db.sessions() as session:
            entries = await customer_timeline(session, code=customer, limit=limit)
            return entries, await names_by_id(session)

    entries, names = run_with_app(settings, work)
    if not entries:
        err.print(f"no customer {customer!r}, or nothing logged yet")
        raise typer.Exit(1)
    if as_json:
        rows = [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "channel": e.channel,
                "text": e.text,
                "status": e.status,
            }
            for e in entries
        ]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("when", "what", "channel", "text", "status", title=f"log of {customer}")
    zone = settings.zone
    for e in entries:
        text = entry_text(e, language=settings.language, currency=settings.currency, names=names)
        table.add_row(
            e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), e.kind, e.channel, text, e.status
        )
    console.print(table)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database schema up to date (the service does this itself too)."""
    import asyncio

    settings = settings_of(ctx)
    from storage.db import Database
    from storage.migrate import upgrade

    async def main() -> None:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
        finally:
            await db.dispose()

    asyncio.run(main())
    console.print("database is up to date")


def main() -> None:
    """Entry point of the `tagih` console script."""
    # Process-wide settings belong here, not in the library: python-telegram-bot 22 warns
    # (PTBDeprecationWarning) each time it builds a RetryAfter unless the process opts in to
    # its coming timedelta values; bot.channels.telegram_outcome reads either form.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    app()
