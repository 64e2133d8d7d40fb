"""Every reminder a channel sends stays byte-identical to the recorded output (issue 10).

The dispatcher's rendering was sped up (macros imported without context, formatting done once
per row); these cases pin its output: every template part, Indonesian and English (and a
language that falls back), every channel, every tone of the opening and the subject, marks,
partial payments, several currencies, characters HTML must escape, a pay link, a Telegram
invitation, and admins' overrides written against the older templates.

`tests/golden/render.json` holds a SHA-256 of each case (the full texts would be 2 MB); it was
recorded from the templates before the speed-up. Re-record only when a template is meant to
change: `TAGIH_RECORD_GOLDEN=1 pytest tests/unit/test_render_golden.py`, and read the new texts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.channels.email import EmailChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.twilio_sms import TwilioSmsChannel
from bot.channels.twilio_voice import TwilioVoiceChannel
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.reminders import ReminderRenderer
from i18n.render import (
    ReminderContext,
    StatementLine,
    render_reminder,
    render_short,
    render_voice,
)
from i18n.template_overrides import override_environment
from scheduler.recheck import CustomerView, InvoiceView, SendPlan
from storage.models import FollowUp
from tests.unit.test_i18n import _line  # the same statement lines as the i18n tests

GOLDEN = Path(__file__).parent / "golden" / "render.json"
DUE = dt.date(2026, 3, 25)
#: Each real channel's declared capabilities, by the channel's name in the golden keys.
CHANNELS = {
    channel.name: channel.capabilities
    for channel in (
        EmailChannel,
        TwilioVoiceChannel,
        TelegramChannel,
        TwilioSmsChannel,
        TwilioWhatsAppChannel,
    )
}
LANGUAGES = ("id", "en", "jv", "EN-us")

#: Admins' overrides in the style of the templates before the speed-up: the macros imported
#: with context and called without arguments, and a macros file reading the context.
OVERRIDES = {
    "reminder.id.txt.j2": (
        '{% import "reminder.id.macros.j2" as m with context %}\n'
        "ADMIN {{ customer_name }}: {{ m.opening() }}\n"
        "{{ m.subject() }} / {{ m.invoices() }}\n"
        "{% for row in rows %}{{ m.status(row.days_overdue) }} {{ row.line.due_date | date }} "
        "{{ row.line.balance | money(row.line.currency) }}\n{% endfor %}"
    ),
    "reminder.en.macros.j2": (
        "{% macro status(days) %}{{ days }}d ({{ language }}){% endmacro %}\n"
        "{% macro invoices() %}{{ triggered | length }} bill(s){% endmacro %}\n"
        "{% macro subject() %}Bills: {{ invoices() }} [{{ tone }}] - {{ company_name }}"
        "{% endmacro %}\n"
        "{% macro opening() %}Dear {{ customer_name }}, {{ invoices() }} due "
        "{{ lead.line.due_date | date }}.{% endmacro %}\n"
    ),
    "reminder.en.short.j2": (
        '{% import "reminder.en.macros.j2" as m with context %}\n'
        "{{ m.opening() }} {{ menu }}{{ chat_link or '' }}\n"
    ),
}


def _day(days: int) -> dt.date:
    return DUE + dt.timedelta(days=days)


#: name → (statement lines, days from DUE to the statement's day, leading step offset).
SCENARIOS: dict[str, tuple[tuple[StatementLine, ...], int, int]] = {
    "overdue_one": ((_line("INV-1", DUE, triggered=True),), 1, 1),
    "overdue_statement": (
        (
            _line("INV-002", _day(6), amount="2500000", item="Besi beton"),
            _line("INV-001", DUE, triggered=True, amount="7500000", balance="5000000"),
            _line("INV-003", _day(2), currency="USD", amount="1250.50"),
        ),
        3,
        3,
    ),
    "before_one": ((_line("INV-7", DUE, triggered=True, amount="1250000.4"),), -3, -3),
    "today_one": ((_line("INV-8", DUE, triggered=True, currency="USD", amount="99.99"),), 0, 0),
    "before_same_due": (
        (_line("A-1", DUE, triggered=True), _line("A-2", DUE, triggered=True)),
        -3,
        -3,
    ),
    "before_mixed_due": (
        (_line("B-1", DUE, triggered=True), _line("B-2", _day(2), triggered=True)),
        -3,
        -3,
    ),
    "overdue_mixed_due": (
        (_line("C-1", DUE, triggered=True), _line("C-2", _day(-7), triggered=True)),
        7,
        7,
    ),
    "mixed_tone": (
        (
            _line("D-1", _day(-14), triggered=True),
            _line("D-2", DUE, triggered=True),
            _line("D-3", _day(3), triggered=True),
        ),
        0,
        14,
    ),
    "many_triggered": (
        tuple(
            _line(f"E-{i}", _day(-i * 3), triggered=True, amount=str(1_000_000 * (i + 1)))
            for i in range(7)
        ),
        1,
        19,
    ),
    "none_marked": ((_line("F-1", DUE), _line("F-2", _day(-30), amount="250000")), 2, 2),
    "three_currencies": (
        (
            _line("G-1", DUE, triggered=True, currency="EUR", amount="1000.5", balance="500"),
            _line("G-2", _day(-1), currency="USD", amount="12.3"),
            _line("G-3", _day(-2), amount="123456789", balance="1"),
            _line("G-4", _day(-3), currency="usd", amount="7"),
        ),
        4,
        4,
    ),
    "deferred_step": ((_line("H-1", DUE, triggered=True),), 2, 1),
    "escapes": (
        (
            _line(
                "<INV>&\"9'",
                DUE,
                triggered=True,
                item="<script>alert('x')</script> & \"kutip\"",
            ),
            _line("K&K-2", _day(1), item="Café ½ \u2013 5 % off"),
        ),
        1,
        1,
    ),
}
NAMES = {
    "escapes": ("PT <Maju> & \"Jaya\" 'Abadi'\nCabang 2", "C<&>1", 'CV "Rejeki" & <Co>'),
}


def _context(name: str, language: str, **extra: Any) -> ReminderContext:
    lines, days, offset = SCENARIOS[name]
    customer, code, company = NAMES.get(name, ("PT Sinar Jaya", "C-0042", "CV Sumber Rejeki"))
    return ReminderContext(
        customer_name=customer,
        customer_code=code,
        language=language,
        company_name=company,
        today=_day(days),
        lines=lines,
        offset_days=offset,
        **extra,
    )


def _plan(name: str, language: str) -> SendPlan:
    """The re-checked follow-up the dispatcher would hand to the renderer."""
    context = _context(name, language)
    invoices = tuple(
        InvoiceView(
            id=index + 1,
            number=line.number,
            customer_id=42,
            issue_date=line.issue_date,
            due_date=line.due_date,
            currency=line.currency,
            amount=line.amount,
            balance=line.balance,
            item=line.item,
            status="open",
        )
        for index, line in enumerate(context.lines)
    )
    followup = FollowUp(
        id=7, customer_id=42, local_date=context.today, planned_at=dt.datetime.now(dt.UTC)
    )
    return SendPlan(
        followup=followup,
        customer=CustomerView(
            id=42,
            code=context.customer_code,
            name=context.customer_name,
            language=language,
            timezone="Asia/Jakarta",
            policy_id=None,
            paused_until=None,
        ),
        open_invoices=invoices,
        triggered=frozenset(
            inv.id for inv, line in zip(invoices, context.lines, strict=True) if line.triggered
        ),
        lead_offset=context.offset_days,
        contacts={},
        failed_channels=frozenset(),
        skip=None,
    )


def _renderings() -> dict[str, Any]:
    """Every case, by a stable name, as JSON-ready values."""
    out: dict[str, Any] = {}
    renderers = {
        "package": ReminderRenderer(company_name="CV Sumber Rejeki", default_language="en"),
        "override": ReminderRenderer(
            company_name="CV Sumber Rejeki",
            default_language="id",
            env=override_environment(dict(OVERRIDES)),
        ),
    }
    for scenario in SCENARIOS:
        for language in LANGUAGES:
            for label, renderer in renderers.items():
                plan = _plan(scenario, language)
                for channel, carries in CHANNELS.items():
                    for link in (None, "https://t.me/tagih_bot?start=abc&x=<1>"):
                        rendered = renderer(plan, carries, link)
                        key = f"{label}/{scenario}/{language}/{channel}/{'link' if link else '-'}"
                        out[key] = {
                            "subject": rendered.subject,
                            "text": rendered.text,
                            "html": rendered.html,
                            "language": rendered.language,
                            "template": rendered.template,
                            "buttons": [[b.label, b.payload] for b in rendered.buttons],
                            "variables": [list(pair) for pair in rendered.variables],
                        }
            paid = _context(scenario, language, pay_link="https://pay.example/x?a=1&b=<2>")
            message = render_reminder(paid)
            out[f"direct/{scenario}/{language}/pay_link"] = {
                "subject": message.subject,
                "text": message.text,
                "html": message.html,
                "short": render_short(
                    paid, menu="1. Ya\n2. Tidak", chat_link="https://t.me/x", stop_hint=True
                ),
                "short_buttons": render_short(paid, buttons=True),
                "short_plain": render_short(paid),
                "voice": render_voice(paid),
            }
    return out


def _digest(value: Any) -> str:
    return hashlib.sha256(
        json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


def test_rendering_is_byte_identical_to_the_recording() -> None:
    """Every rendered case equals the recorded one, byte for byte."""
    got = {key: _digest(value) for key, value in _renderings().items()}
    if os.environ.get("TAGIH_RECORD_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        pytest.skip("recorded")
    expected = json.loads(GOLDEN.read_text())
    assert sorted(got) == sorted(expected)
    changed = [key for key, value in expected.items() if got[key] != value]
    assert not changed, f"{len(changed)} renderings changed, e.g. {changed[:5]}"
