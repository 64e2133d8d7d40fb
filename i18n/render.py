"""Render a customer's reminder (subject, plain text, HTML) from the jinja2 templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import jinja2

from i18n.format import DEFAULT_LANGUAGE, format_date, format_money, normalize_language


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One open invoice of the customer as the statement shows it."""

    number: str
    item: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    balance: Decimal
    currency: str
    triggered: bool  # this invoice's step is why the reminder goes out today


@dataclass(frozen=True, slots=True)
class ReminderContext:
    """Everything a reminder template may show; the caller has already re-checked it all."""

    customer_name: str
    customer_code: str
    language: str
    company_name: str
    today: dt.date
    lines: tuple[StatementLine, ...]  # every open invoice of the customer
    offset_days: int  # the leading step: negative = days before due (H-3), positive = overdue
    template: str = "reminder"
    pay_link: str | None = None  # shown when given


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """A rendered message: a one-line subject, a plain-text body and an HTML body."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class _Row:
    """A statement line with what the templates should not compute themselves."""

    line: StatementLine
    days_overdue: int  # negative = days until due
    partly_paid: bool


@jinja2.pass_context
def _money_filter(context: jinja2.runtime.Context, amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, str(context["language"]))


@jinja2.pass_context
def _date_filter(
    context: jinja2.runtime.Context, d: dt.date, weekday: bool = True, language: str | None = None
) -> str:
    # The macros pass `language`: imported without context, they see no template variables.
    return format_date(d, language or str(context["language"]), weekday=weekday)


class FlatGlobalsEnvironment(jinja2.Environment):
    """An environment whose templates hold their globals in a plain dict.

    jinja gives each template a ChainMap over the environment's globals, and every render
    copies it into the new context key by key, in Python: a third of the time of rendering
    a reminder's subject. Ours (jinja's defaults) never change once the environment is
    built, so a copy taken when a template loads is the same.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's globals overlaid with the template's own, as one dict."""
        return {**self.globals, **(d or {})}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared template environment (built on first use, not at import)."""
    env = FlatGlobalsEnvironment(
        loader=jinja2.PackageLoader("i18n", "templates"),
        # Only the HTML templates escape: the text and subject go out as they are written.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates ship inside the package and never change under a running process:
        # with auto_reload on, every get_template stats the file (the tick's top syscall).
        auto_reload=False,
        # A plain dict, not jinja's LRU cache (a lock and a reordering on every lookup, and
        # every render looks the macros up again): the package holds a dozen templates.
        cache_size=-1,
    )
    env.filters["money"] = _money_filter
    env.filters["date"] = _date_filter
    return env


@lru_cache(maxsize=256)
def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    """`env`'s compiled template `name`, looked up once: an environment's templates (the
    package's, an admin's overrides read when it was built) do not change while it lives."""
    return env.get_template(name)


@lru_cache(maxsize=256)
def _resolve_language(template: str, language: str) -> str:
    """The requested language when its templates exist, else Indonesian.

    Cached: the packaged templates are fixed for the life of the process, and a template
    that is missing would otherwise be looked up (and fail) on every reminder.
    """
    code = normalize_language(language)
    try:
        environment().get_template(f"{template}.{code}.txt.j2")
    except jinja2.TemplateNotFound:
        return DEFAULT_LANGUAGE
    return code


def totals_by_currency(lines: tuple[StatementLine, ...]) -> tuple[tuple[str, Decimal], ...]:
    """Open balance per currency, in order of first appearance: never summed across them."""
    sums: dict[str, Decimal] = {}
    for line in lines:
        sums[line.currency] = sums.get(line.currency, Decimal(0)) + line.balance
    return tuple(sums.items())


def _tone(triggered: list[_Row]) -> str:
    """`before`, `today` or `overdue` when all triggering invoices agree, else `mixed`."""
    kinds = {
        "before" if r.days_overdue < 0 else "overdue" if r.days_overdue else "today"
        for r in triggered
    }
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _tidy_text(text: str) -> str:
    """Drop trailing spaces and runs of blank lines left by template blocks."""
    tidy = "\n".join(line.rstrip() for line in text.strip().splitlines())
    # Each pass shortens every run of three or more newlines; most texts need none (a
    # regular expression scanned every newline of every message: 10 us a reminder).
    while "\n\n\n" in tidy:
        tidy = tidy.replace("\n\n\n", "\n\n")
    return tidy + "\n"


def render_template(env: jinja2.Environment, name: str, variables: dict[str, object]) -> str:
    """Render `env`'s template `name` with `variables`, plus `reminder`: the same variables
    as one object, which the templates hand to their macros.

    The macros are imported without context, so jinja runs their module once per process;
    imported with context, it ran it again for every part of every message (the costliest
    part of a dispatch tick). An override written for the older templates (macros called
    with no argument, imported with context) still works: `reminder` is their default.
    """
    if "reminder" in variables:  # shared by the parts of one message (see render_reminder)
        return _template(env, name).render(variables)
    return _template(env, name).render(variables, reminder=SimpleNamespace(**variables))


def reminder_variables(context: ReminderContext) -> tuple[str, dict[str, object]]:
    """The template language and the variables every reminder template shares."""
    if not context.lines:
        raise ValueError("a reminder needs at least one open invoice")
    language = _resolve_language(context.template, context.language)
    ordered = sorted(context.lines, key=lambda line: (line.due_date, line.number))
    rows = [
        _Row(
            line=line,
            days_overdue=(context.today - line.due_date).days,
            partly_paid=line.balance != line.amount,
        )
        for line in ordered
    ]
    triggered = [row for row in rows if row.line.triggered] or rows
    # Dates, not the planned step, give the numbers: a step deferred past a Sunday or a
    # holiday goes out a day late, and the reader checks the text against the due date.
    lead = max(triggered, key=lambda row: row.days_overdue)
    variables = {
        "customer_name": context.customer_name,
        "customer_code": context.customer_code,
        "company_name": context.company_name,
        "today": context.today,
        "language": language,
        "offset_days": context.offset_days,
        "lead": lead,
        "tone": _tone(triggered),
        "same_due": len({row.line.due_date for row in triggered}) == 1,
        "pay_link": context.pay_link,
        "rows": rows,
        "triggered": triggered,
        "marked": any(row.line.triggered for row in rows),
        "totals": totals_by_currency(tuple(ordered)),
    }
    return language, variables


def render_reminder(
    context: ReminderContext, *, env: jinja2.Environment | None = None
) -> RenderedMessage:
    """Render one reminder listing all the customer's open invoices as a statement.

    `env` may carry an admin's edited templates (see i18n/template_overrides.py).
    """
    env = env or environment()
    language, variables = reminder_variables(context)
    prefix = f"{context.template}.{language}"
    variables["reminder"] = SimpleNamespace(**variables)  # one for the three parts
    subject = render_template(env, f"{prefix}.subject.j2", variables)
    text = render_template(env, f"{prefix}.txt.j2", variables)
    html = render_template(env, f"{prefix}.html.j2", variables)
    # A subject is one header line: newlines from a customer name must not split it.
    return RenderedMessage(subject=" ".join(subject.split()), text=_tidy_text(text), html=html)


def render_short(
    context: ReminderContext,
    *,
    menu: str = "",
    buttons: bool = False,
    chat_link: str | None = None,
    stop_hint: bool = False,
    env: jinja2.Environment | None = None,
) -> str:
    """A short reminder for chat and SMS: what is due, the total, and how to answer."""
    language, variables = reminder_variables(context)
    variables.update(
        marked=False, menu=menu, buttons=buttons, chat_link=chat_link, stop_hint=stop_hint
    )
    env = env or environment()
    text = render_template(env, f"{context.template}.{language}.short.j2", variables)
    return _tidy_text(text)


def render_voice(context: ReminderContext, *, env: jinja2.Environment | None = None) -> str:
    """The reminder as one spoken paragraph (the keypad menu is added by the TwiML)."""
    language, variables = reminder_variables(context)
    variables.update(marked=False)  # a listener cannot see a mark
    env = env or environment()
    text = render_template(env, f"{context.template}.{language}.voice.j2", variables)
    return " ".join(text.split())
