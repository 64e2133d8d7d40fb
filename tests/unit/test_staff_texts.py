"""The staff catalog (issue 13): every text in Indonesian and English with the same
placeholders, Indonesian renderings free of English words, summaries stored and rendered
per reader, and staff on Telegram answered and alerted in their own language."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal
from pathlib import Path

from sqlmodel import select

from bot.app.tagih import Tagih
from bot.flows.texts import TEXTS as CUSTOMER_TEXTS
from bot.staff.log_render import change, entry_text
from i18n.staff_texts import (
    LANGUAGES,
    STAFF_TEXTS,
    Day,
    StaffText,
    Summary,
    Word,
    money_of,
    st,
    summary,
    text,
    totals,
)
from storage.models import Contact, Message, Staff
from storage.queries.timeline import Entry
from tests.support.inbox_support import settle
from tests.support.staff_world import SARI, running_team

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB

#: Words an Indonesian staff text may keep from the English catalog, each reviewed:
#: product and channel names; what staff type as it is (subcommands, roles, `on`/`off`,
#: weekday abbreviations, template keys, `resolve`); loanwords Indonesian business uses
#: (admin, sales, chat, log, offset, stop order, bot); and the Indonesian words and names
#: the English examples themselves hold (`Yth.`, `mohon dibayar`, `Budi Santoso`, `5jt`).
ALLOWED = frozenset(
    {
        # products, channels, Tagih itself
        "whatsapp", "telegram", "email", "tagih", "bot", "me",
        # typed as they are: subcommands, roles, switches, weekdays, keys, outcomes
        "list", "show", "set", "channels", "assign", "delete", "repeat", "add", "role",
        "remove", "reset", "resolve", "on", "off", "mon", "sat", "start", "update",
        "admin", "collector", "sales", "staff", "standard", "reminder", "short", "id", "sun",
        "no_answer", "mm",
        # loanwords and Latin both languages use ("per 15 November": as of)
        "chat", "log", "offset", "stop", "per", "total", "status",
        # Indonesian in the English examples
        "cuti", "bersama", "yth", "mohon", "dibayar", "budi", "santoso", "inv", "jt",
    }
)  # fmt: skip
WORD = re.compile(r"[A-Za-z_]{2,}")


def fields(template: str) -> set[str]:
    """The placeholder names of a catalog text."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def sample(template: str) -> dict[str, str]:
    """A value for each placeholder that is no word of either language."""
    return {name: "C001" for name in fields(template)}


def words(texts: list[str]) -> set[str]:
    """The words of some texts, lower case, placeholders and `/commands` left out."""
    found = set()
    for item in texts:
        item = re.sub(r"\{[^{}]*\}", " ", item)
        item = re.sub(r"/\w+", " ", item)
        item = re.sub(r"`[^`]*`", " ", item)  # commands to type, as they are
        found |= {w.lower() for w in WORD.findall(item)}
    return found


def test_every_key_has_both_languages_and_the_same_placeholders() -> None:
    for key, texts in STAFF_TEXTS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(value.strip() for value in texts.values()), key
        assert fields(texts["id"]) == fields(texts["en"]), key


def test_indonesian_renderings_leave_no_english_word() -> None:
    english_only = words([t["en"] for t in STAFF_TEXTS.values()]) - ALLOWED
    assert {"the", "customer", "invoice", "paid", "reminders"} <= english_only
    for key, texts in STAFF_TEXTS.items():
        rendered = st(key, "id", **sample(texts["id"]))
        left = words([rendered]) & english_only
        assert not left, (key, rendered, left)
        # And the English rendering really is the English text, not a fallback.
        assert st(key, "en", **sample(texts["en"])) == texts["en"].format(**sample(texts["en"]))


def test_summaries_are_stored_as_keys_and_values_and_read_back() -> None:
    said = summary(
        text(
            "alert.payment_claimed",
            amount=money_of(Decimal("1250000"), "IDR"),
            date=Day(dt.date(2026, 3, 25)),
            invoices="INV-1",
        ),
        text("alert.over_balance", balance=totals([(Decimal(5), "USD"), (Decimal(7), "USD")])),
        text("alert.promise_made", source=Word("source.phone"), amount="x", invoices="I", date="d"),
    )
    again = Summary.from_json(said.to_json())
    assert again == said
    assert again.render("id").splitlines() == [
        "klaim sudah bayar: Rp1.250.000 pada 25 Maret 2026 untuk INV-1",
        "— LEBIH dari sisa tagihan US$12,00 (pelanggan sudah mengonfirmasinya)",
        "janji bayar (telepon): x (I) paling lambat d",
    ]
    assert again.render("en").splitlines()[0] == (
        "payment claimed: Rp1,250,000 on 25 March 2026 for INV-1"
    )
    assert Summary.from_json(None) is None and Summary.from_json({"summary": [{}]}) is None
    gone = {"summary": [{"key": "alert.no_such_key", "values": {}}]}
    missing = {"summary": [{"key": "alert.opt_out", "values": {}}]}
    assert Summary.from_json(gone) is None and Summary.from_json(missing) is None
    assert StaffText("alert.opt_out", (("channel", "sms"),)).render("en") == "opted out of sms"


async def _claim(app: Tagih, phone: str, amount: str) -> None:
    twilio = app.providers.twilio_sandbox
    assert twilio is not None
    for said in (f"sudah bayar kemarin {amount}", "lewati"):
        await twilio.customer_replies(phone, "+622150000002", said, channel="whatsapp")
        await settle(app)


async def _say(app: Tagih, chat: int, said: str) -> str:
    telegram = app.providers.telegram_sandbox
    assert telegram is not None
    before = len(telegram.sent)
    await telegram.user_says(chat, said)
    await settle(app)
    return "\n".join(m.text for m in telegram.sent[before:])


async def test_collector_reads_alerts_and_replies_in_their_language(
    db_url: str, tmp_path: Path
) -> None:
    async with running_team(db_url, tmp_path, "staff-texts") as app:
        telegram = app.providers.telegram_sandbox
        assert telegram is not None
        phone = "+6281234567890"
        async with app.db.transaction() as session:
            session.add(Contact(customer_id=1, channel="whatsapp", address=phone))
        # Sari (C001's collector) reads Indonesian.
        await _claim(app, phone, "5jt")
        await app.deliver_alerts(NOW)
        alert = [m.text for m in telegram.sent if m.chat_id == SARI][-1]
        assert alert.startswith("[Klaim sudah bayar, mohon cek] C001 · PT Maju Jaya")
        assert "klaim sudah bayar: Rp5.000.000 pada 22 November 2026 untuk INV-1" in alert
        assert "payment" not in alert and "Rp5,000,000" not in alert
        reply = await _say(app, SARI, "/note C001 minta bukti transfer")
        assert reply == "Catatan ditambahkan ke log C001."
        async with app.db.sessions() as session:
            note = (
                await session.exec(select(Message).where(Message.template == "payment_claimed"))
            ).one()
        # The log keeps an Indonesian body; the structured summary is beside it.
        assert note.body.startswith("klaim sudah bayar: Rp5.000.000")
        assert note.data is not None and note.data["summary"][0]["key"] == "alert.payment_claimed"

        # The same collector switched to English: the next alert and reply are English.
        async with app.db.transaction() as session:
            sari = (await session.exec(select(Staff).where(Staff.name == "Sari"))).one()
            sari.language = "en"
            session.add(sari)
        await _claim(app, phone, "1jt")
        await app.deliver_alerts(NOW)
        alert = [m.text for m in telegram.sent if m.chat_id == SARI][-1]
        assert alert.startswith("[Payment claimed, verify] C001 · PT Maju Jaya")
        assert "payment claimed: Rp1,000,000 on 22 November 2026 for INV-1" in alert
        reply = await _say(app, SARI, "/note C001 asked for the receipt")
        assert reply == "Note added to C001's log."


def test_log_and_audit_lines_read_as_sentences_not_ids_or_json() -> None:
    names = {"policy": {1: "standard", 2: "gentle"}, "staff": {3: "Sari"}}
    kw = {"currency": "IDR", "names": names}
    assert change(None, {"paused_until": "2026-04-01"}, language="id", **kw) == (
        "ditunda sampai: — → 1 April 2026"
    )
    assert change({"policy_id": 1}, {"policy_id": 2}, language="id", **kw) == (
        "kebijakan: standard → gentle"
    )
    assert change({"collector_id": 3}, {"collector_id": 9}, language="en", **kw) == (
        "collector: Sari → #9"
    )
    assert change({"credit_hold": False}, {"credit_hold": True}, language="en", **kw) == (
        "credit hold: no → yes"
    )
    assert change({"amount": "2000000.00"}, {"amount": "2500000"}, language="id", **kw) == (
        "jumlah: Rp2.000.000 → Rp2.500.000"
    )
    at = dt.datetime(2026, 3, 25, 3, 0, tzinfo=dt.UTC)
    payment = Entry(
        at,
        "payment",
        "manual",
        "manual-INV-1-1: 2000000.00 on INV-1 (2026-03-24)",
        facts={
            "reference": "manual-INV-1-1",
            "amount": "2000000.00",
            "currency": "IDR",
            "invoice": "INV-1",
            "paid_on": "2026-03-24",
        },
    )
    assert entry_text(payment, language="id", currency="IDR") == (
        "manual-INV-1-1: Rp2.000.000 untuk INV-1 (24 Maret 2026)"
    )
    assert entry_text(payment, language="en", currency="IDR") == (
        "manual-INV-1-1: Rp2,000,000 on INV-1 (24 March 2026)"
    )
    promise = Entry(at, "promise", "phone", "pay 5000000 by 2026-04-10", "open", {
        "amount": "5000000", "date": "2026-04-10"
    })  # fmt: skip
    assert entry_text(promise, language="id", currency="IDR") == (
        "bayar Rp5.000.000 paling lambat 10 April 2026"
    )
    audit = Entry(at, "audit", "staff:Sari", "customer.pause {...}", facts={
        "action": "customer.pause", "before": {"paused_until": None},
        "after": {"paused_until": "2026-04-01"},
    })  # fmt: skip
    assert entry_text(audit, language="id", currency="IDR") == (
        "customer.pause: ditunda sampai: — → 1 April 2026"
    )
    alert = Entry(at, "note", "opt_out", "berhenti menerima pesan lewat sms", "queued", {
        "summary": [{"key": "alert.opt_out", "values": {"channel": "sms"}}]
    })  # fmt: skip
    assert entry_text(alert, language="en", currency="IDR") == "opted out of sms"
    plain = Entry(at, "in", "sms", "sudah transfer", "received")
    assert entry_text(plain, language="en", currency="IDR") == "sudah transfer"


def test_the_customer_catalog_has_both_languages_and_the_same_placeholders() -> None:
    for key, texts in CUSTOMER_TEXTS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(value.strip() for value in texts.values()), key
        assert fields(texts["id"]) == fields(texts["en"]), key
