"""Babel formatting and the reminder templates, in Indonesian and English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from i18n.format import format_date, format_money, locale_for
from i18n.render import ReminderContext, StatementLine, render_reminder

DUE = dt.date(2026, 3, 25)  # a Wednesday
DASH = "\N{EN DASH}"  # the templates separate with an en dash, not a hyphen


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("5000000", "IDR", "id", "Rp5.000.000"),
        ("5000000", "IDR", "en", "Rp5,000,000"),
        ("5000000.00", "IDR", "id", "Rp5.000.000"),
        ("1234.50", "IDR", "id", "Rp1.235"),  # IDR shows no decimals: half a rupiah rounds up
        ("-750000", "IDR", "id", "-Rp750.000"),
        ("1250.50", "USD", "id", "US$1.250,50"),
        ("1250.50", "USD", "en", "$1,250.50"),
        ("100", "USD", "en", "$100.00"),  # other currencies keep their usual precision
        ("100", "SGD", "id", "SGD100,00"),
        ("5000", "JPY", "en", "¥5,000"),
        ("5000000", "idr", "id", "Rp5.000.000"),
        ("5000000", "IDR", "fr", "Rp5.000.000"),  # unknown language: Indonesian
        ("5000000", "IDR", "en_US", "Rp5,000,000"),
    ],
)
def test_format_money(amount: str, currency: str, language: str, expected: str) -> None:
    assert format_money(Decimal(amount), currency, language) == expected


@pytest.mark.parametrize(
    ("language", "weekday", "expected"),
    [
        ("id", True, "Rabu, 25 Maret 2026"),
        ("id", False, "25 Maret 2026"),
        ("en", True, "Wednesday, 25 March 2026"),
        ("en", False, "25 March 2026"),
        ("xx", True, "Rabu, 25 Maret 2026"),
    ],
)
def test_format_date(language: str, weekday: bool, expected: str) -> None:
    assert format_date(DUE, language, weekday=weekday) == expected


def test_locales() -> None:
    assert locale_for("id") == "id_ID"
    assert locale_for("EN-gb") == "en"
    assert locale_for("jv") == "id_ID"


def _line(
    number: str,
    due: dt.date,
    *,
    triggered: bool = False,
    currency: str = "IDR",
    amount: str = "5000000",
    balance: str | None = None,
    item: str = "Semen 50 kg",
) -> StatementLine:
    return StatementLine(
        number=number,
        item=item,
        issue_date=due - dt.timedelta(days=30),
        due_date=due,
        amount=Decimal(amount),
        balance=Decimal(balance if balance is not None else amount),
        currency=currency,
        triggered=triggered,
    )


def _context(
    *lines: StatementLine, offset: int, language: str = "id", **kwargs: str
) -> ReminderContext:
    return ReminderContext(
        customer_name=kwargs.get("customer_name", "PT Sinar Jaya"),
        customer_code="C-0042",
        language=language,
        company_name="CV Sumber Rejeki",
        today=DUE + dt.timedelta(days=offset),
        lines=lines,
        offset_days=offset,
        pay_link=kwargs.get("pay_link"),
    )


STATEMENT = (
    _line("INV-002", DUE + dt.timedelta(days=6), amount="2500000", item="Besi beton"),
    _line("INV-001", DUE, triggered=True, amount="7500000", balance="5000000"),
    _line("INV-003", DUE + dt.timedelta(days=2), currency="USD", amount="1250.50"),
)


def test_overdue_statement_in_indonesian() -> None:
    message = render_reminder(_context(*STATEMENT, offset=3))
    assert (
        message.subject
        == f"Tagihan lewat jatuh tempo 3 hari: faktur INV-001 {DASH} CV Sumber Rejeki"
    )
    text = message.text
    assert text.startswith("Yth. Bapak/Ibu PT Sinar Jaya,\n")
    assert (
        "Menurut catatan kami, faktur INV-001 telah jatuh tempo pada Rabu, 25 Maret 2026"
        " dan pembayarannya belum kami terima." in text
    )
    assert "(kode pelanggan C-0042) per Sabtu, 28 Maret 2026:" in text
    # Every open invoice is listed, by due date; only the triggering one is starred.
    assert (
        f"★ INV-001 {DASH} Semen 50 kg\n"
        "  Tanggal faktur: 23 Februari 2026\n"
        "  Jatuh tempo: 25 Maret 2026 (lewat 3 hari)\n"
        "  Sisa tagihan: Rp5.000.000 (dari Rp7.500.000)\n"
        "\n"
        f"  INV-003 {DASH} Semen 50 kg\n"
    ) in text
    assert "  Jatuh tempo: 27 Maret 2026 (lewat 1 hari)\n  Sisa tagihan: US$1.250,50\n" in text
    assert "  Jatuh tempo: 31 Maret 2026 (jatuh tempo dalam 3 hari)\n" in text
    assert text.index("INV-001") < text.index("INV-003") < text.index("INV-002")
    # Currencies are totalled separately, never summed together.
    assert "Total tagihan terbuka per mata uang:\n  IDR: Rp7.500.000\n  USD: US$1.250,50\n" in text
    assert "Mohon abaikan pesan ini apabila pembayaran telah dilakukan." in text
    assert "silakan balas email ini" in text
    assert text.endswith("Hormat kami,\nCV Sumber Rejeki\n")
    assert "\n\n\n" not in text


def test_overdue_statement_in_english() -> None:
    message = render_reminder(_context(*STATEMENT, offset=3, language="en"))
    assert message.subject == f"Overdue by 3 days: invoice INV-001 {DASH} CV Sumber Rejeki"
    text = message.text
    assert text.startswith("Dear PT Sinar Jaya,\n")
    assert "invoice INV-001 was due on Wednesday, 25 March 2026" in text
    assert "  Due date: 25 March 2026 (3 days overdue)\n" in text
    assert "  Due date: 27 March 2026 (1 day overdue)\n" in text
    assert "  Due date: 31 March 2026 (due in 3 days)\n" in text
    assert "  Balance due: Rp5,000,000 (of Rp7,500,000)\n" in text
    assert "Total outstanding per currency:\n  IDR: Rp7,500,000\n  USD: $1,250.50\n" in text
    assert "If you have already paid, please disregard this message." in text
    assert "reply to this email" in text


@pytest.mark.parametrize(
    ("language", "offset", "expected"),
    [
        ("id", -3, f"Pengingat: faktur INV-001 jatuh tempo 25 Maret 2026 {DASH} CV Sumber Rejeki"),
        ("id", 0, f"Pengingat: faktur INV-001 jatuh tempo hari ini {DASH} CV Sumber Rejeki"),
        ("id", 7, f"Tagihan lewat jatuh tempo 7 hari: faktur INV-001 {DASH} CV Sumber Rejeki"),
        ("en", -3, f"Reminder: invoice INV-001 is due on 25 March 2026 {DASH} CV Sumber Rejeki"),
        ("en", 0, f"Reminder: invoice INV-001 is due today {DASH} CV Sumber Rejeki"),
        ("en", 1, f"Overdue by 1 day: invoice INV-001 {DASH} CV Sumber Rejeki"),
    ],
)
def test_subject_follows_the_step(language: str, offset: int, expected: str) -> None:
    line = _line("INV-001", DUE, triggered=True)
    assert render_reminder(_context(line, offset=offset, language=language)).subject == expected


def test_several_triggering_invoices() -> None:
    lines = (_line("A-1", DUE, triggered=True), _line("A-2", DUE, triggered=True))
    message = render_reminder(_context(*lines, offset=-3))
    assert (
        message.subject == f"Pengingat: 2 faktur jatuh tempo 25 Maret 2026 {DASH} CV Sumber Rejeki"
    )
    assert "bahwa 2 faktur bertanda ★ akan jatuh tempo pada Rabu, 25 Maret 2026." in message.text
    assert "Total tagihan terbuka: Rp10.000.000\n" in message.text


def test_numbers_come_from_dates_when_a_step_was_deferred() -> None:
    # The +7 step fell on a holiday and goes out a day later: the text says 8 days.
    message = render_reminder(
        ReminderContext(
            customer_name="PT Sinar Jaya",
            customer_code="C-0042",
            language="en",
            company_name="CV Sumber Rejeki",
            today=DUE + dt.timedelta(days=8),
            lines=(_line("INV-001", DUE, triggered=True),),
            offset_days=7,
        )
    )
    assert message.subject.startswith("Overdue by 8 days:")


def test_html_escapes_and_marks() -> None:
    line = _line("INV-<1>", DUE, triggered=True, item="Besi <beton> & baut")
    message = render_reminder(
        _context(
            line,
            _line("INV-2", DUE + dt.timedelta(days=9)),
            offset=3,
            customer_name="PT <Maju> & Jaya",
            pay_link="https://pay.example/i?a=1&b=2",
        )
    )
    html = message.html
    assert "Yth. Bapak/Ibu PT &lt;Maju&gt; &amp; Jaya," in html
    assert "<Maju>" not in html
    assert "Besi &lt;beton&gt; &amp; baut" in html
    assert "★ INV-&lt;1&gt;" in html
    assert 'style="background:#fff4e0;font-weight:bold;"' in html  # the triggering row
    assert html.count('<tr style="background:#fff4e0') == 1
    assert 'href="https://pay.example/i?a=1&amp;b=2"' in html
    assert "Rp5.000.000" in html
    # The plain text is not HTML: it keeps the characters as they are.
    assert "Yth. Bapak/Ibu PT <Maju> & Jaya," in message.text
    assert "https://pay.example/i?a=1&b=2" in message.text
    assert "faktur INV-<1>" in message.subject


def test_pay_link_is_optional() -> None:
    message = render_reminder(_context(_line("INV-1", DUE, triggered=True), offset=1))
    assert "tautan" not in message.text
    assert "<a " not in message.html


def test_unknown_language_falls_back_to_indonesian() -> None:
    message = render_reminder(
        _context(_line("INV-1", DUE, triggered=True), offset=1, language="fr")
    )
    assert message.text.startswith("Yth. Bapak/Ibu")
    assert "Rp5.000.000" in message.text
    assert '<html lang="id">' in message.html


def test_subject_is_one_line() -> None:
    line = _line("INV-1\nBcc: x@example.com", DUE, triggered=True)
    subject = render_reminder(_context(line, offset=1)).subject
    assert "\n" not in subject
    assert "INV-1 Bcc: x@example.com" in subject


def test_empty_statement_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        render_reminder(_context(offset=1))
