"""Render one alert for one staff member (id/en): customer, invoices, excerpt, buttons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from i18n.format import format_date, format_money
from i18n.staff_texts import Summary, has_text, st
from scheduler.messages import Button

#: The alert kinds (each has its `title.<kind>` in the staff catalog).
KINDS = (
    "promise_made",
    "promise_broken",
    "payment_claimed",
    "dispute",
    "instalment",
    "handoff",
    "opt_out",
    "call_task",
    "alert_sales",
    "credit_hold",
    "agency",
    "research_contact",
    "plan_failed",
)
_BUTTONS = ("handled", "pause7", "paid", "log")
#: At most this many invoices are listed; the rest are counted.
MAX_INVOICES = 10
#: Each excerpt line is cut to this many characters.
EXCERPT_CHARS = 160
#: A summary longer than this is cut (Telegram takes 4096 characters per message).
SUMMARY_CHARS = 1200
#: Telegram's callback data limit, in bytes.
PAYLOAD_BYTES = 64


@dataclass(frozen=True, slots=True)
class AlertInvoice:
    """An open invoice as the alert shows it."""

    number: str
    balance: Decimal
    currency: str
    due_date: dt.date


@dataclass(frozen=True, slots=True)
class ExcerptLine:
    """A message of the conversation: `in` from the customer, `out` from Tagih."""

    at: dt.datetime
    direction: str
    channel: str
    text: str


@dataclass(frozen=True, slots=True)
class AlertView:
    """Everything one alert shows, read once and rendered per recipient."""

    note_id: int
    kind: str
    summary: Summary | str  # a str: a note written before summaries were structured
    customer_id: int
    customer_code: str
    customer_name: str
    today: dt.date  # in the customer's zone: days overdue count from it
    invoices: tuple[AlertInvoice, ...] = ()
    excerpt: tuple[ExcerptLine, ...] = ()

    def totals(self) -> dict[str, Decimal]:
        """Open balance per currency (never summed across currencies)."""
        sums: dict[str, Decimal] = {}
        for inv in self.invoices:
            sums[inv.currency] = sums.get(inv.currency, Decimal(0)) + inv.balance
        return sums

    def days_overdue(self) -> int:
        """Days the oldest open invoice is past due (0 when none is)."""
        return max((max((self.today - i.due_date).days, 0) for i in self.invoices), default=0)


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    """An alert ready for a channel."""

    subject: str
    text: str
    buttons: tuple[Button, ...]


def _w(key: str, language: str, **values: object) -> str:
    return st(f"alert.word.{key}", language, **values)


def title(kind: str, language: str) -> str:
    """The alert kind's title in the language (an unknown kind shows its own name)."""
    key = f"title.{kind}"
    return st(key, language) if has_text(key) else kind


def customer_ref(code: str, customer_id: int) -> str:
    """The customer in a button payload: the code, or `#<id>` when the code would not fit."""
    if ":" in code or len(f"alert:pause7:{code}".encode()) > PAYLOAD_BYTES:
        return f"#{customer_id}"
    return code


def alert_buttons(view: AlertView, language: str) -> tuple[Button, ...]:
    """Handled, Pause 7 days, Mark paid, Open log."""
    ref = customer_ref(view.customer_code, view.customer_id)
    # "Mark paid" names the alert, not the customer: it pays what was open when the alert
    # was raised, never an invoice added since (a stale button must not pay that too).
    paid = f"n{view.note_id}"
    args = {"handled": str(view.note_id), "pause7": ref, "paid": paid, "log": ref}
    return tuple(
        Button(st(f"alert.button.{action}", language), f"alert:{action}:{args[action]}")
        for action in _BUTTONS
    )


def _invoice_line(inv: AlertInvoice, today: dt.date, language: str) -> str:
    days = (today - inv.due_date).days
    late = _w("overdue", language, days=days) if days > 0 else _w("not_due", language)
    money = format_money(inv.balance, inv.currency, language)
    due = format_date(inv.due_date, language, weekday=False)
    return f"• {inv.number} {money}, {_w('due', language)} {due} ({late})"


def _excerpt_line(line: ExcerptLine, zone: ZoneInfo, language: str) -> str:
    who = _w("customer", language) if line.direction == "in" else "Tagih"
    arrow = "←" if line.direction == "in" else "→"
    text = " ".join(line.text.split())
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1] + "…"
    return f"{line.at.astimezone(zone):%d/%m %H:%M} {arrow} {who} ({line.channel}): {text}"


def render_alert(
    view: AlertView, *, language: str, zone: ZoneInfo, with_buttons: bool = True
) -> RenderedAlert:
    """The alert's text in the staff member's language, times in their zone."""
    head = f"[{title(view.kind, language)}] {view.customer_code} · {view.customer_name}"
    lines = [head]
    said = view.summary.render(language) if isinstance(view.summary, Summary) else view.summary
    if said:
        summary = said.strip()
        cut = len(summary) > SUMMARY_CHARS
        lines.append(summary[: SUMMARY_CHARS - 1] + "…" if cut else summary)
    lines.append("")
    if view.invoices:
        money = ", ".join(format_money(v, c, language) for c, v in view.totals().items())
        days = view.days_overdue()
        late = f" · {_w('overdue', language, days=days)}" if days else ""
        lines.append(f"{_w('open', language)}: {money}{late}")
        lines += [_invoice_line(i, view.today, language) for i in view.invoices[:MAX_INVOICES]]
        if len(view.invoices) > MAX_INVOICES:
            lines.append(_w("more", language, count=len(view.invoices) - MAX_INVOICES))
    else:
        lines.append(_w("none", language))
    if view.excerpt:
        lines += ["", _w("last", language)]
        lines += [_excerpt_line(line, zone, language) for line in view.excerpt]
    if not with_buttons:
        lines += ["", _w("email_hint", language, code=view.customer_code)]
    return RenderedAlert(
        subject=head,
        text="\n".join(lines),
        buttons=alert_buttons(view, language) if with_buttons else (),
    )
