"""Render one alert for one staff member (id/en): customer, invoices, excerpt, buttons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.i18n.format import format_date, format_money
from bot.messages import Button

#: The title of each alert kind; an unknown kind shows its own name.
TITLES: dict[str, dict[str, str]] = {
    "promise_made": {"id": "Janji bayar", "en": "Promise to pay"},
    "promise_broken": {"id": "Janji bayar tidak ditepati", "en": "Promise broken"},
    "payment_claimed": {"id": "Klaim sudah bayar, mohon cek", "en": "Payment claimed, verify"},
    "dispute": {"id": "Sengketa / keluhan", "en": "Dispute"},
    "instalment": {"id": "Permintaan cicilan", "en": "Instalment request"},
    "handoff": {"id": "Minta bicara dengan petugas", "en": "Asks for a person"},
    "opt_out": {"id": "Pelanggan berhenti menerima pesan", "en": "Customer opted out"},
    "call_task": {"id": "Tugas: telepon pelanggan", "en": "Task: call the customer"},
    "alert_sales": {"id": "Eskalasi ke sales", "en": "Escalated to sales"},
    "credit_hold": {"id": "Kredit ditahan (stop order)", "en": "Credit hold (stop orders)"},
    "agency": {"id": "Serahkan ke agen penagihan", "en": "Hand over to an agency"},
    "research_contact": {"id": "Kontak tidak bisa dihubungi", "en": "No usable contact"},
}
_WORDS: dict[str, dict[str, str]] = {
    "open": {"id": "Sisa tagihan", "en": "Open"},
    "overdue": {"id": "terlambat {days} hari", "en": "{days} days overdue"},
    "not_due": {"id": "belum jatuh tempo", "en": "not yet due"},
    "due": {"id": "jatuh tempo", "en": "due"},
    "more": {"id": "dan {count} faktur lain", "en": "and {count} more invoices"},
    "last": {"id": "Pesan terakhir:", "en": "Last messages:"},
    "customer": {"id": "pelanggan", "en": "customer"},
    "none": {"id": "Tidak ada faktur terbuka.", "en": "No open invoices."},
    "email_hint": {
        "id": "Tombol tersedia di Telegram. Log lengkap: tagih log {code}",
        "en": "Buttons are in Telegram. Full log: tagih log {code}",
    },
}
_BUTTONS = (
    ("handled", {"id": "Sudah ditangani", "en": "Handled"}),
    ("pause7", {"id": "Tunda 7 hari", "en": "Pause 7 days"}),
    ("paid", {"id": "Tandai lunas", "en": "Mark paid"}),
    ("log", {"id": "Buka log", "en": "Open log"}),
)
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
    summary: str
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
    texts = _WORDS[key]
    return texts.get(language, texts["id"]).format(**values)


def title(kind: str, language: str) -> str:
    """The alert kind's title in the language."""
    texts = TITLES.get(kind)
    return texts.get(language, texts["id"]) if texts else kind


def customer_ref(code: str, customer_id: int) -> str:
    """The customer in a button payload: the code, or `#<id>` when the code would not fit."""
    if ":" in code or len(f"alert:pause7:{code}".encode()) > PAYLOAD_BYTES:
        return f"#{customer_id}"
    return code


def alert_buttons(view: AlertView, language: str) -> tuple[Button, ...]:
    """Handled, Pause 7 days, Mark paid, Open log."""
    ref = customer_ref(view.customer_code, view.customer_id)
    args = {"handled": str(view.note_id), "pause7": ref, "paid": ref, "log": ref}
    return tuple(
        Button(labels.get(language, labels["id"]), f"alert:{action}:{args[action]}")
        for action, labels in _BUTTONS
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
    if view.summary:
        summary = view.summary.strip()
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
