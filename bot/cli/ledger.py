"""Everyday ledger commands: `tagih customers list|show`, `tagih invoices list`,
`tagih payment add`, `tagih case list|resolve`, `tagih promise list`.

Registered in bot/cli/main.py with `app.add_typer(customers_app, name="customers")` and the like.
Amounts are formatted for the business language (`Rp1.250.000`); tables fit the terminal by
wrapping text and dropping the least useful columns, never by cutting a number. Bad input
gets one line naming the argument and exit 2; a refusal (unknown code, overpayment) exit 1;
nothing is written either way.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from storage.constants import MANUAL
from storage.enums import Action, PromiseStatus

# The ledger, the planner, the database and Babel are imported by the functions that use
# them, so that `tagih --help` stays light (tests/unit/test_cli_startup.py).
if TYPE_CHECKING:
    from bot.app.tagih import Tagih
    from bot.config import Settings
    from scheduler.calendar import PlannedContact
    from storage.queries.ledger import (
        CaseLine,
        CustomerCard,
        CustomerLine,
        InvoiceLine,
        PromiseLine,
    )
    from storage.queries.payments import PaymentRefused, Recorded

customers_app = typer.Typer(help="Customers: who owes what.", no_args_is_help=True)
invoices_app = typer.Typer(help="Invoices and their open balances.", no_args_is_help=True)
payment_app = typer.Typer(help="Record payments received.", no_args_is_help=True)
case_app = typer.Typer(help="Cases: disputes, instalment requests, handoffs.", no_args_is_help=True)
promise_app = typer.Typer(help="Promises to pay.", no_args_is_help=True)
T = TypeVar("T")
#: How far ahead `customers show` looks for the next contacts, and how many it lists.
PLAN_DAYS = 62
PLAN_SHOWN = 3
#: Why a planned day sends nothing, in words.
HELD = {
    "promise": "a promise to pay",
    "paused": "reminders paused",
    "disputed": "a dispute",
    "opted_out": "opted out of the step's channels",
    "no_contact": "no contact on the step's channels",
}
#: A text column is never squeezed below this (it wraps inside it).
TEXT_MIN = 8
#: A word longer than this (an email address, say) may be folded rather than drop a column.
WORD_MAX = 20

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
NowOption = Annotated[
    str | None, typer.Option(help="Act as if it were this ISO date-time (for tests and replays).")
]
CustomerOption = Annotated[str | None, typer.Option("--customer", help="Only this customer.")]


def _out() -> Console:
    # Made per command, not at import: the width (COLUMNS or the terminal) is read now.
    return Console()


def _err() -> Console:
    return Console(stderr=True)


def fail(argument: str, reason: str, code: int = 2) -> NoReturn:
    """One line naming the argument at fault, then exit (2 for bad input, 1 for a refusal)."""
    _err().print(f"error: {argument}: {reason}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _settings(ctx: typer.Context) -> Settings:
    from bot.config import Settings

    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def _run(ctx: typer.Context, work: Callable[[Tagih], Awaitable[T]]) -> T:
    """Open Tagih without channels (migrated, default policy in place), run `work`, close."""
    import asyncio

    from bot.app.tagih import Tagih

    async def main() -> T:
        tagih = Tagih(_settings(ctx))
        await tagih.open(with_channels=False)
        try:
            return await work(tagih)
        finally:
            await tagih.close()

    return asyncio.run(main())


def _now(text: str | None, settings: Settings) -> dt.datetime:
    """`--now` as an aware datetime (a naive one is in the business zone), else the clock."""
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        fail("--now", f"not an ISO date-time: {text!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.zone)


def _day(text: str, argument: str) -> dt.date:
    """A date as the CSV files write it: `2026-03-25` or `25/03/2026`."""
    from storage.parsing import FieldError, parse_date

    try:
        return parse_date(text)
    except FieldError as exc:
        fail(argument, str(exc))


def _write_json(rows: Any) -> None:
    sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")


def _money(amounts: dict[str, Decimal], language: str) -> str:
    """Amounts per currency, one per line (never summed across currencies)."""
    from i18n.format import format_money

    return "\n".join(format_money(v, c, language) for c, v in sorted(amounts.items()))


def _json_money(amounts: dict[str, Decimal]) -> dict[str, int | float]:
    from storage.reports.common import json_amount

    return {currency: json_amount(value) for currency, value in sorted(amounts.items())}


@dataclass(frozen=True, slots=True)
class Col:
    """A column of a fitted table: `fixed` ones (amounts, dates, codes) are never cut or
    wrapped; text wraps. The highest `drop` goes first when the terminal is too narrow."""

    header: str
    fixed: bool = False
    drop: int = 0  # 0: always shown
    right: bool = False


def fitted(
    console: Console, cols: Sequence[Col], rows: Sequence[Sequence[str]], title: str | None = None
) -> Table:
    """A table that fits `console.width`: columns dropped by priority until the fixed ones
    at full width and the text ones at their longest word fit; the text columns then wrap."""

    def lines(i: int) -> list[str]:
        return [
            line
            for cell in (cols[i].header, *(row[i] for row in rows))
            for line in cell.split("\n")
        ]

    def natural(i: int) -> int:
        return max(Text(line).cell_len for line in lines(i))

    def least(i: int) -> int:
        # Text wraps at spaces: its longest word (up to WORD_MAX) is as narrow as it goes
        # without breaking a word.
        words = [Text(word).cell_len for line in lines(i) for word in line.split()]
        return min(natural(i), max(TEXT_MIN, min(max(words, default=0), WORD_MAX)))

    keep = list(range(len(cols)))

    def needed() -> int:
        widths = [natural(i) if cols[i].fixed else least(i) for i in keep]
        return sum(widths) + 3 * len(keep) + 1  # padding of 1 each side and the borders

    while needed() > console.width:
        droppable = [i for i in keep if cols[i].drop]
        if not droppable:
            break  # the fixed columns alone are wider: the terminal wraps, nothing is cut
        keep.remove(max(droppable, key=lambda i: (cols[i].drop, i)))
    table = Table(title=title, title_justify="left", title_style="bold")
    for i in keep:
        col = cols[i]
        if col.fixed:
            table.add_column(
                col.header,
                no_wrap=True,
                min_width=natural(i),
                justify="right" if col.right else "left",
            )
        else:
            table.add_column(col.header, overflow="fold")
    for row in rows:
        table.add_row(*(escape(row[i]) for i in keep))
    return table


def _listing(cols: Sequence[Col], rows: Sequence[Sequence[str]], what: str) -> None:
    """A fitted table and its count; no empty table when there is nothing."""
    console = _out()
    if rows:
        console.print(fitted(console, cols, rows))
    console.print(f"{len(rows)} {what}", markup=False, highlight=False)


# customers ------------------------------------------------------------------------------


def _days_late(due: dt.date | None, today: dt.date) -> int | None:
    return (today - due).days if due is not None else None


def _customer_json(line: CustomerLine, today: dt.date) -> dict[str, Any]:
    return {
        "code": line.code,
        "name": line.name,
        "collector": line.collector,
        "open_invoices": line.invoices,
        "balance": _json_money(line.balance),
        "overdue": _json_money(line.overdue),
        "oldest_due": line.oldest_due.isoformat() if line.oldest_due else None,
        "days_late": _days_late(line.oldest_due, today),
        "paused_until": line.paused_until.isoformat() if line.paused_until else None,
        "credit_hold": line.credit_hold,
    }


_CUSTOMER_COLS = [
    Col("code", fixed=True),
    Col("name"),
    Col("collector", drop=3),
    Col("inv.", fixed=True, drop=2, right=True),
    Col("open", fixed=True, right=True),
    Col("overdue", fixed=True, right=True),
    Col("late", fixed=True, drop=1, right=True),
    Col("flags", drop=4),
]


def _customer_row(line: CustomerLine, today: dt.date, language: str) -> list[str]:
    late = _days_late(line.oldest_due, today)
    flags = [f"paused to {line.paused_until}"] if line.paused_until else []
    flags += ["credit hold"] if line.credit_hold else []
    return [
        line.code,
        line.name,
        line.collector or "-",
        str(line.invoices),
        _money(line.balance, language),
        _money(line.overdue, language),
        f"{late} d" if late is not None else "",
        ", ".join(flags),
    ]


@customers_app.command("list")
def customers_list(
    ctx: typer.Context,
    overdue: Annotated[
        bool,
        typer.Option("--overdue", help="Only customers with an overdue balance, largest first."),
    ] = False,
    collector: Annotated[
        str | None,
        typer.Option("--collector", help="Only the customers this staff member collects."),
    ] = None,
    as_json: JsonOption = False,
    now: NowOption = None,
) -> None:
    """Customers with their open and overdue balances."""
    from storage.queries.ledger import customer_lines
    from storage.queries.staff import find_staff

    settings = _settings(ctx)
    today = _now(now, settings).astimezone(settings.zone).date()

    async def work(tagih: Tagih) -> list[CustomerLine] | None:
        async with tagih.db.sessions() as session:
            staff_id = None
            if collector is not None:
                staff = await find_staff(session, name=collector)
                if staff is None:
                    return None
                staff_id = staff.id
            return await customer_lines(
                session, today=today, overdue_only=overdue, collector_id=staff_id
            )

    lines = _run(ctx, work)
    if lines is None:
        fail("--collector", f"no staff member named {collector!r}", 1)
    if as_json:
        _write_json([_customer_json(line, today) for line in lines])
        return
    rows = [_customer_row(line, today, settings.language) for line in lines]
    _listing(_CUSTOMER_COLS, rows, "customer(s)")


def _card_json(
    card: CustomerCard, plan: list[PlannedContact], today: dt.date, settings: Settings
) -> dict[str, Any]:
    from storage.queries.ledger import InvoiceLine

    row = card.customer
    upcoming, held = _split(plan)
    return {
        "code": row.code,
        "name": row.name,
        "segment": row.segment,
        "language": row.language,
        "timezone": row.timezone,
        "collector": card.collector,
        "salesperson": card.salesperson,
        "policy": card.policy or "standard",
        "paused_until": row.paused_until.isoformat() if row.paused_until else None,
        "credit_hold": row.credit_hold,
        "contacts": [
            {
                "channel": c.channel,
                "address": c.address,
                "consent": c.consent,
                "opted_out": c.opted_out_at is not None,
                "verified": c.verified,
            }
            for c in card.contacts
        ],
        "invoices": [
            _invoice_json(InvoiceLine(i, row.code, row.name), today) for i in card.invoices
        ],
        "promises": [_promise_json(p, settings) for p in card.promises],
        "cases": [_case_json(c, settings) for c in card.cases],
        "resolved_cases": card.resolved_cases,
        "next": [_contact_json(c) for c in upcoming],
        "held": [{"date": c.day.isoformat(), "reason": c.skipped} for c in held],
    }


def _contact_json(contact: PlannedContact) -> dict[str, Any]:
    return {
        "date": contact.day.isoformat(),
        "planned_at": contact.planned_at.isoformat(),
        "channels": list(contact.channels),
        "actions": list(contact.actions),
        "steps": [{"invoice": hit.invoice, "offset": hit.offset} for hit in contact.steps],
    }


def _split(plan: list[PlannedContact]) -> tuple[list[PlannedContact], list[PlannedContact]]:
    """The next `PLAN_SHOWN` contacts that go out, and the planned days held before the last
    of them (a promise, a pause, a dispute or no usable contact: nothing is sent then)."""
    upcoming = [c for c in plan if c.skipped is None][:PLAN_SHOWN]
    last = upcoming[-1].day if upcoming else dt.date.max
    return upcoming, [c for c in plan if c.skipped is not None and c.day <= last]


async def plan_ahead(
    tagih: Tagih, *, customer_id: int, now: dt.datetime, days: int = PLAN_DAYS
) -> list[PlannedContact]:
    """The customer's next contacts as the planner would plan them now, written nowhere.

    `scheduler.preview` computes the same for the whole book; this is its loop for one
    customer (a `show` must not cost a pass over every customer).
    """
    from scheduler.planner import customer_plan
    from scheduler.views import contact_history, load_views

    inputs, window = await tagih.planning_inputs()
    async with tagih.db.sessions() as session:
        view = (await load_views(session, customer_ids=[customer_id], inputs=inputs)).get(
            customer_id
        )
        if view is None or not view.invoices:
            return []
        today = now.astimezone(view.zone).date()
        since = today - dt.timedelta(days=60)
        history, anchors = await contact_history(session, customer_ids=[customer_id], since=since)
    contacts = customer_plan(
        view,
        window,
        today,
        days,
        cap=tagih.settings.max_contacts_per_week,
        history=history.get(customer_id, []),
        anchor=anchors.get(customer_id),
    )
    # In the customer's own zone, as `tagih preview` shows it.
    return [c._replace(planned_at=c.planned_at.astimezone(view.zone)) for c in contacts]


@customers_app.command("show")
def customers_show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Customer code.")],
    as_json: JsonOption = False,
    now: NowOption = None,
) -> None:
    """One customer: people, contacts, open invoices, promises, cases, the next contacts."""
    from storage.queries.ledger import customer_card, find_customer

    settings = _settings(ctx)
    moment = _now(now, settings)
    today = moment.astimezone(settings.zone).date()

    async def work(tagih: Tagih) -> tuple[CustomerCard, list[PlannedContact]] | None:
        async with tagih.db.sessions() as session:
            row = await find_customer(session, code=code)
            if row is None or row.id is None:
                return None
            card = await customer_card(session, customer=row)
        return card, await plan_ahead(tagih, customer_id=row.id, now=moment)

    found = _run(ctx, work)
    if found is None:
        fail("CODE", f"no customer with code {code!r}", 1)
    card, plan = found
    if as_json:
        _write_json(_card_json(card, plan, today, settings))
        return
    _print_card(_out(), card, plan, today, settings)


def _print_card(
    console: Console,
    card: CustomerCard,
    plan: list[PlannedContact],
    today: dt.date,
    settings: Settings,
) -> None:
    """The card `customers show` prints: who, how to reach them, what is open, what is next."""
    _print_who(console, card)
    _print_contacts(console, card)
    _print_invoices(console, card, today, settings.language)
    _print_promises_and_cases(console, card, settings)
    _print_next(console, plan)


def _say(console: Console, text: str) -> None:
    """One line printed verbatim: names and addresses are data, never Rich markup."""
    console.print(text, markup=False, highlight=False)


def _print_who(console: Console, card: CustomerCard) -> None:
    """The customer's name, settings and people, and any pause or credit hold."""
    row = card.customer
    _say(console, f"{row.name} ({row.code})")
    _say(
        console,
        f"segment {row.segment or '-'} · language {row.language} · zone {row.timezone} · "
        f"policy {card.policy or 'standard'}",
    )
    _say(console, f"collector {card.collector or '-'} · salesperson {card.salesperson or '-'}")
    if row.paused_until:
        _say(console, f"reminders paused until {row.paused_until} (inclusive)")
    if row.credit_hold:
        _say(console, "CREDIT HOLD: no new orders")
    _say(console, "")


def _print_contacts(console: Console, card: CustomerCard) -> None:
    """The customer's contacts and whether reminders may use each."""
    contacts = [
        [
            c.channel,
            c.address,
            "opted out" if c.opted_out_at else "no consent" if not c.consent else "ok",
        ]
        for c in card.contacts
    ]
    if contacts:
        cols = [Col("channel", fixed=True), Col("address"), Col("status", fixed=True, drop=1)]
        console.print(fitted(console, cols, contacts, title="Contacts"))
    else:
        _say(console, "Contacts: none — reminders cannot reach this customer")


def _print_invoices(console: Console, card: CustomerCard, today: dt.date, language: str) -> None:
    """The open invoices under a title with their balance per currency."""
    from storage.queries.ledger import InvoiceLine

    row = card.customer
    totals: dict[str, Decimal] = {}
    for inv in card.invoices:
        totals[inv.currency] = totals.get(inv.currency, Decimal(0)) + inv.balance
    total = _money(totals, language).replace("\n", " + ")
    title = f"Open invoices ({len(card.invoices)}): {total or 'none'}"
    if card.invoices:
        lines = [InvoiceLine(i, row.code, row.name) for i in card.invoices]
        rows = [_invoice_row(line, today, language) for line in lines]
        console.print(fitted(console, _INVOICE_COLS, rows, title=title))
    else:
        _say(console, title)


def _print_promises_and_cases(console: Console, card: CustomerCard, settings: Settings) -> None:
    """The open and broken promises, then the open cases (and how many closed earlier)."""
    if card.promises:
        rows = [_promise_row(p, settings) for p in card.promises]
        console.print(fitted(console, _PROMISE_COLS, rows, title="Promises (open and broken)"))
    else:
        _say(console, "Promises: none open or broken")
    more = f"; {card.resolved_cases} closed earlier" if card.resolved_cases else ""
    if card.cases:
        rows = [_case_row(c, settings) for c in card.cases]
        console.print(fitted(console, _CASE_COLS, rows, title=f"Open cases{more}"))
    else:
        _say(console, f"Open cases: none{more}")


def _print_next(console: Console, plan: list[PlannedContact]) -> None:
    """The days held before the next contacts, then the next contacts as planned now."""
    upcoming, held = _split(plan)
    if held:
        reasons = ", ".join(sorted({HELD.get(str(c.skipped), str(c.skipped)) for c in held}))
        _say(console, f"Held on {len(held)} planned day(s) up to {held[-1].day}: {reasons}")
    if not upcoming:
        reason = "nothing open to chase" if not plan else f"none in the next {PLAN_DAYS} days"
        _say(console, f"Next contacts: {reason}")
        return
    rows = [
        [
            c.planned_at.strftime("%Y-%m-%d %H:%M"),
            ", ".join(c.channels) or "-",
            ", ".join(f"{hit.invoice} {hit.offset:+d}" for hit in c.steps),
            ", ".join(a for a in c.actions if a != Action.REMIND),
        ]
        for c in upcoming
    ]
    cols = [
        Col("when (their time)", fixed=True),
        Col("channels"),
        Col("invoices, days from due", drop=1),
        Col("also", drop=2),
    ]
    console.print(fitted(console, cols, rows, title="Next contacts, as planned now"))


# invoices -------------------------------------------------------------------------------

_INVOICE_COLS = [
    Col("number", fixed=True),
    Col("customer", fixed=True, drop=4),
    Col("due", fixed=True),
    Col("late", fixed=True, drop=1, right=True),
    Col("amount", fixed=True, drop=3, right=True),
    Col("balance", fixed=True, right=True),
    Col("status", fixed=True, drop=2),
    Col("item", drop=5),
]


def _invoice_row(line: InvoiceLine, today: dt.date, language: str) -> list[str]:
    from i18n.format import format_money

    inv = line.invoice
    late = (today - inv.due_date).days
    return [
        inv.number,
        line.code,
        inv.due_date.isoformat(),
        f"{late} d" if late > 0 and inv.balance > 0 else "",
        format_money(inv.amount, inv.currency, language),
        format_money(inv.balance, inv.currency, language),
        inv.status,
        inv.item,
    ]


def _invoice_json(line: InvoiceLine, today: dt.date) -> dict[str, Any]:
    from storage.reports.common import json_amount

    inv = line.invoice
    return {
        "number": inv.number,
        "customer": line.code,
        "customer_name": line.name,
        "issue_date": inv.issue_date.isoformat(),
        "due_date": inv.due_date.isoformat(),
        "days_late": (today - inv.due_date).days,
        "currency": inv.currency,
        "amount": json_amount(inv.amount),
        "balance": json_amount(inv.balance),
        "status": inv.status,
        "item": inv.item,
    }


@invoices_app.command("list")
def invoices_list(
    ctx: typer.Context,
    customer: CustomerOption = None,
    overdue: Annotated[
        int | None,
        typer.Option("--overdue", min=0, help="Only open invoices at least DAYS days past due."),
    ] = None,
    include_closed: Annotated[
        bool, typer.Option("--all", help="Paid and written-off invoices too.")
    ] = False,
    as_json: JsonOption = False,
    now: NowOption = None,
) -> None:
    """Open invoices (or all), oldest due first."""
    from storage.queries.ledger import find_customer, invoice_lines

    settings = _settings(ctx)
    today = _now(now, settings).astimezone(settings.zone).date()

    async def work(tagih: Tagih) -> list[InvoiceLine] | None:
        async with tagih.db.sessions() as session:
            customer_id = None
            if customer is not None:
                row = await find_customer(session, code=customer)
                if row is None:
                    return None
                customer_id = row.id
            return await invoice_lines(
                session,
                today=today,
                customer_id=customer_id,
                min_days_late=overdue,
                include_closed=include_closed,
            )

    lines = _run(ctx, work)
    if lines is None:
        fail("--customer", f"no customer with code {customer!r}", 1)
    if as_json:
        _write_json([_invoice_json(line, today) for line in lines])
        return
    rows = [_invoice_row(line, today, settings.language) for line in lines]
    totals: dict[str, Decimal] = {}
    for line in lines:
        inv = line.invoice
        totals[inv.currency] = totals.get(inv.currency, Decimal(0)) + inv.balance
    total = _money(totals, settings.language).replace("\n", " + ")
    _listing(_INVOICE_COLS, rows, f"invoice(s), balance {total or '0'}")


# payments -------------------------------------------------------------------------------

#: The command-line argument behind each field the payment operation names.
_ARGUMENTS = {
    "invoice": "INVOICE",
    "amount": "AMOUNT",
    "paid_on": "--on",
    "method": "--method",
    "reference": "--reference",
}


def _refused(exc: PaymentRefused, language: str) -> NoReturn:
    from i18n.format import format_money
    from storage.queries.payments import Refusal

    # Refusals that are about the ledger's state rather than the input's form: exit 1.
    state = {
        Refusal.UNKNOWN_INVOICE,
        Refusal.ALREADY_PAID,
        Refusal.OVER_BALANCE,
        Refusal.REFERENCE_TAKEN,
    }
    argument = _ARGUMENTS.get(exc.field, exc.field)
    code = 1 if exc.refusal in state else 2
    number, currency, balance, amount = exc.number, exc.currency, exc.balance, exc.amount
    if exc.refusal == Refusal.OVER_BALANCE and currency and balance is not None and amount:
        paid, left = (
            format_money(amount, currency, language),
            format_money(balance, currency, language),
        )
        fail(
            argument,
            f"{paid} is more than the open balance of {number} ({left}); nothing was "
            "recorded (--allow-over records it and closes the invoice)",
            code,
        )
    fail(argument, str(exc), code)


@payment_app.command("add")
def payment_add(
    ctx: typer.Context,
    invoice: Annotated[str, typer.Argument(help="Invoice number.")],
    amount: Annotated[
        str, typer.Argument(help="Amount received: 1250000, 1.250.000, Rp 1.250.000.")
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", help="Date paid: 2026-03-25 or 25/03/2026 (default today)."),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="How it was paid: transfer BCA, QRIS, cash…")
    ] = MANUAL,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference", help="The bank or receipt reference (default manual-INVOICE-N)."
        ),
    ] = None,
    allow_over: Annotated[
        bool, typer.Option("--allow-over", help="Record more than the open balance anyway.")
    ] = False,
    now: NowOption = None,
) -> None:
    """Record a payment: the balance drops, the invoice closes at zero, reminders follow."""
    from storage.models import Customer
    from storage.queries.audit import CLI_ACTOR
    from storage.queries.payments import PaymentRefused, record_payment

    settings = _settings(ctx)
    moment = _now(now, settings)
    today = moment.astimezone(settings.zone).date()
    received = _parse_amount(amount)
    paid_on = _day(on, "--on") if on is not None else today

    async def work(tagih: Tagih) -> tuple[Recorded, str]:
        async with tagih.db.transaction() as session:
            done = await record_payment(
                session,
                invoice=invoice,
                amount=received,
                paid_on=paid_on,
                today=today,
                actor=CLI_ACTOR,
                now=moment,
                method=method,
                reference=reference,
                allow_over=allow_over,
            )
            # Named in the reply: a mistyped number may well be another customer's invoice.
            owner = await session.get(Customer, done.invoice.customer_id)
            return done, f"{owner.name} ({owner.code})" if owner else "?"

    try:
        done, owner = _run(ctx, work)
    except PaymentRefused as exc:
        _refused(exc, settings.language)
    _print_recorded(done, owner, settings.language)


def _parse_amount(text: str) -> Decimal:
    """AMOUNT as typed (`1.250.000`, `Rp 1.250.000`), positive; exit 2 otherwise."""
    from storage.parsing import FieldError, parse_positive_amount

    try:
        return parse_positive_amount(text)
    except FieldError as exc:
        fail("AMOUNT", str(exc))


def _print_recorded(done: Recorded, owner: str, language: str) -> None:
    """One line: the payment, whose invoice it went to, and what is left open (or over)."""
    from i18n.format import format_money

    inv = done.invoice
    paid = format_money(done.payment.amount, inv.currency, language)
    state = (
        "paid in full"
        if inv.balance == 0
        else f"{format_money(inv.balance, inv.currency, language)} still open"
    )
    if done.over:
        over = format_money(done.over, inv.currency, language)
        state += f"; {over} more than the balance, to settle by hand (refund or credit)"
    _out().print(
        f"recorded {paid} on {inv.number} of {owner} "
        f"({done.payment.paid_on}, {done.payment.reference}): "
        f"{state}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


# cases ----------------------------------------------------------------------------------

_CASE_COLS = [
    Col("id", fixed=True, right=True),
    Col("customer", fixed=True),
    Col("kind", fixed=True),
    Col("status", fixed=True, drop=2),
    Col("opened", fixed=True, drop=3),
    Col("invoices", drop=4),
    Col("reason / details", drop=1),
]


def _case_row(line: CaseLine, settings: Settings) -> list[str]:
    c = line.case
    about = " — ".join(part for part in (c.reason, c.details) if part)
    if resolution := c.data.get("resolution"):
        about = f"{about} (resolved: {resolution})" if about else f"resolved: {resolution}"
    return [
        f"#{c.id}",
        line.code,
        c.kind,
        c.status,
        c.created_at.astimezone(settings.zone).date().isoformat(),
        ", ".join(line.invoices),
        about,
    ]


def _case_json(line: CaseLine, settings: Settings) -> dict[str, Any]:
    c = line.case
    zone = settings.zone
    return {
        "id": c.id,
        "customer": line.code,
        "kind": c.kind,
        "status": c.status,
        "reason": c.reason,
        "details": c.details,
        "invoices": list(line.invoices),
        "opened": c.created_at.astimezone(zone).isoformat(),
        "resolved": c.resolved_at.astimezone(zone).isoformat() if c.resolved_at else None,
        "resolution": c.data.get("resolution"),
    }


async def _customer_id(tagih: Tagih, code: str | None) -> int | None:
    """The id of the customer with this code; fails with exit 1 when there is none."""
    from storage.queries.ledger import find_customer

    if code is None:
        return None
    async with tagih.db.sessions() as session:
        row = await find_customer(session, code=code)
    if row is None:
        fail("--customer", f"no customer with code {code!r}", 1)
    return row.id


@case_app.command("list")
def case_list(
    ctx: typer.Context,
    only_open: Annotated[bool, typer.Option("--open", help="Only open cases.")] = False,
    customer: CustomerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cases, oldest first."""
    from storage.queries.ledger import case_lines

    settings = _settings(ctx)

    async def work(tagih: Tagih) -> list[CaseLine]:
        customer_id = await _customer_id(tagih, customer)
        async with tagih.db.sessions() as session:
            return await case_lines(session, open_only=only_open, customer_id=customer_id)

    lines = _run(ctx, work)
    if as_json:
        _write_json([_case_json(line, settings) for line in lines])
        return
    _listing(_CASE_COLS, [_case_row(line, settings) for line in lines], "case(s)")


@case_app.command("resolve")
def case_resolve(
    ctx: typer.Context,
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case number (#12 or 12).")],
    note: Annotated[
        str | None, typer.Option("--note", help="How it was resolved (kept in the log).")
    ] = None,
    now: NowOption = None,
) -> None:
    """Resolve a case; its disputed invoices are chased again."""
    from storage.queries.audit import CLI_ACTOR
    from storage.queries.cases import CaseRefused, resolve_case

    settings = _settings(ctx)
    moment = _now(now, settings)
    digits = case_id.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit()):
        fail("ID", f"not a case number: {case_id!r}")

    async def work(tagih: Tagih) -> tuple[str, tuple[str, ...]]:
        async with tagih.db.transaction() as session:
            done = await resolve_case(
                session, case_id=int(digits), actor=CLI_ACTOR, now=moment, note=note
            )
            return done.code, done.reopened

    try:
        code, reopened = _run(ctx, work)
    except CaseRefused as exc:
        fail("ID", str(exc), 1)
    back = f"; chased again: {', '.join(reopened)}" if reopened else ""
    _out().print(
        f"case #{int(digits)} of {code} resolved{back}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


# promises -------------------------------------------------------------------------------

_PROMISE_COLS = [
    Col("id", fixed=True, right=True, drop=5),
    Col("customer", fixed=True),
    Col("by", fixed=True),
    Col("amount", fixed=True, right=True),
    Col("status", fixed=True, drop=1),
    Col("source", fixed=True, drop=3),
    Col("invoices", drop=4),
    Col("made", fixed=True, drop=2),
]


def _promise_amount(line: PromiseLine, settings: Settings) -> str:
    from i18n.format import format_money

    amount = line.promise.amount
    # A promise carries no currency: it is the business's own.
    return (
        "in full" if amount is None else format_money(amount, settings.currency, settings.language)
    )


def _promise_row(line: PromiseLine, settings: Settings) -> list[str]:
    p = line.promise
    return [
        f"#{p.id}",
        line.code,
        p.promised_date.isoformat(),
        _promise_amount(line, settings),
        p.status,
        p.source,
        ", ".join(line.invoices) or "all open",
        p.created_at.astimezone(settings.zone).date().isoformat(),
    ]


def _promise_json(line: PromiseLine, settings: Settings) -> dict[str, Any]:
    from storage.reports.common import json_amount

    p = line.promise
    zone = settings.zone
    return {
        "id": p.id,
        "customer": line.code,
        "promised_date": p.promised_date.isoformat(),
        "amount": json_amount(p.amount) if p.amount is not None else None,
        "status": p.status,
        "source": p.source,
        "invoices": list(line.invoices),
        "made": p.created_at.astimezone(zone).isoformat(),
        "resolved": p.resolved_at.astimezone(zone).isoformat() if p.resolved_at else None,
    }


@promise_app.command("list")
def promise_list(
    ctx: typer.Context,
    broken: Annotated[bool, typer.Option("--broken", help="Broken promises only.")] = False,
    everything: Annotated[
        bool, typer.Option("--all", help="Kept, broken and cancelled promises too.")
    ] = False,
    customer: CustomerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open promises to pay (or broken, or all), by promised date."""
    from storage.queries.ledger import promise_lines

    settings = _settings(ctx)
    if broken and everything:
        fail("--broken", "give --broken or --all, not both")
    statuses = None if everything else (PromiseStatus.BROKEN,) if broken else (PromiseStatus.OPEN,)

    async def work(tagih: Tagih) -> list[PromiseLine]:
        customer_id = await _customer_id(tagih, customer)
        async with tagih.db.sessions() as session:
            return await promise_lines(session, statuses=statuses, customer_id=customer_id)

    lines = _run(ctx, work)
    if as_json:
        _write_json([_promise_json(line, settings) for line in lines])
        return
    _listing(_PROMISE_COLS, [_promise_row(p, settings) for p in lines], "promise(s)")
