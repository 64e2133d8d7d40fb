"""The dialog corpus (issue 12): every flow, typed as customers type it, on SMS, WhatsApp,
Telegram (the real webhook endpoints) and email (a real IMAP server, polled; answers by
mail), and the records each dialog must leave.

Each dialog is a short script of customer turns and the records expected after it. Every
dialog ends in a record (promise, payment claim, payment choice, case, opt-out) or in a
handoff to a person: `test_every_dialog_ends_in_a_record_or_a_person` checks that rule for
the whole table, so a new dialog that dead-ends fails even without its own assertions.
Voice has no free text: its keypad dialogs are at the end.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.config import load_settings
from bot.inbound.email_replies import ImapConfig
from bot.sandbox import SANDBOX_SENDERS
from scheduler.policy import PolicySpec, Step
from scheduler.policy_store import save_spec
from storage.enums import InvoiceStatus
from storage.models import (
    Case,
    Contact,
    Customer,
    Invoice,
    Message,
    PaymentChoice,
    Promise,
    Staff,
)
from tests.e2e.test_conversations_e2e import CHAT, NOW, PHONE
from tests.support.imap import PASSWORD, USER, Dovecot, empty_inbox
from tests.support.inbox_support import align_whatsapp_clock, settle
from tests.support.virtual_clock import virtual_pacing

EMAIL = "budi@sinarjaya.co.id"
#: Email goes through the real IMAP path: mail delivered to a dovecot, polled, answered by mail.
CHAT_CHANNELS = ["sms", "whatsapp", "telegram", "email"]


@dataclass(frozen=True)
class World:
    """What the dialog left in the database."""

    cases: list[Case]
    promises: list[Promise]
    choices: list[PaymentChoice]
    contacts: list[Contact]
    invoices: dict[str, str]
    alerts: list[str]
    alert_texts: list[str]


Check = Callable[[World, str], None]


@dataclass(frozen=True)
class Dialog:
    """A customer's turns, what the last answer must say, and the records expected."""

    name: str
    turns: tuple[str, ...]
    answer: str
    check: Check
    disputed: tuple[str, ...] = ()
    invoices: tuple[tuple[str, dt.date, str], ...] = (
        ("INV-1", dt.date(2026, 11, 10), "5000000"),
        ("INV-2", dt.date(2026, 11, 20), "1000000"),
    )


def _claim(amount: str) -> Check:
    def check(world: World, channel: str) -> None:
        [case] = world.cases
        assert (case.kind, case.data["amount"]) == ("payment_claim", amount)
        assert "payment_claimed" in world.alerts

    return check


def _promise(date: dt.date) -> Check:
    def check(world: World, channel: str) -> None:
        [promise] = world.promises
        assert (promise.promised_date, promise.status, promise.source) == (date, "open", "chat")

    return check


def _choice(method: str) -> Check:
    def check(world: World, channel: str) -> None:
        [choice] = world.choices
        assert choice.method == method

    return check


def _promise_and_choice(date: dt.date, method: str) -> Check:
    def check(world: World, channel: str) -> None:
        _promise(date)(world, channel)
        _choice(method)(world, channel)

    return check


def _case(kind: str, reason: str | None = None, details: str | None = None) -> Check:
    def check(world: World, channel: str) -> None:
        [case] = world.cases
        assert case.kind == kind
        if reason is not None:
            assert case.reason == reason
        if details is not None:
            assert details in case.details
        assert kind in world.alerts  # a person hears of it

    return check


def _dispute(reason: str, details: str, invoices: dict[str, str]) -> Check:
    def check(world: World, channel: str) -> None:
        _case("dispute", reason, details)(world, channel)
        assert world.invoices == invoices

    return check


def _opted_out(world: World, channel: str) -> None:
    [contact] = [c for c in world.contacts if c.channel == channel]
    assert contact.opted_out_at == NOW


def _opted_out_saying(words: str) -> Check:
    def check(world: World, channel: str) -> None:
        _opted_out(world, channel)
        # What else the message said reaches the collector with the opt-out.
        assert any(words in body for body in world.alert_texts), world.alert_texts

    return check


def _instalments(count: int, first: str) -> Check:
    def check(world: World, channel: str) -> None:
        [case] = world.cases
        assert (case.kind, case.data) == ("instalment", {"count": count, "first_date": first})

    return check


BOTH_OPEN = {"INV-1": "open", "INV-2": "open"}

DIALOGS = [
    Dialog(
        "paid-with-amount-and-date",
        ("sudah transfer kemarin 6jt", "lewati"),
        "Rp6.000.000",
        _claim("6000000"),
    ),
    Dialog(
        "paid-asked-when-and-how-much",
        ("udah saya bayar pak", "kemarin 6jt", "lewati"),
        "Rp6.000.000",
        _claim("6000000"),
    ),
    Dialog(
        "promise-on-a-weekday",
        ("saya bayar jumat ya", "1", "ya"),
        "sudah kami catat",
        _promise(dt.date(2026, 11, 27)),
    ),
    # Confirmed as customers type it: "siap pak", not "ya".
    Dialog(
        "promise-confirmed-as-typed",
        ("besok sy tf ya", "full", "siap pak 🙏"),
        "sudah kami catat",
        _promise(dt.date(2026, 11, 24)),
    ),
    Dialog(
        "promise-date-asked",
        ("mau janji bayar", "tgl 30", "1", "ya"),
        "sudah kami catat",
        _promise(dt.date(2026, 11, 30)),
    ),
    # A day to pay and a question about where: the account first, then the promise goes on.
    Dialog(
        "promise-asking-the-account",
        ("jumat sy bayar, norek nya apa", "1", "ya"),
        "sudah kami catat",
        _promise_and_choice(dt.date(2026, 11, 27), "transfer"),
    ),
    # Only bank transfer is configured: its details come at once, not a menu of one.
    Dialog("method-transfer", ("cara bayar gimana?",), "BCA 123-456-7890", _choice("transfer")),
    Dialog(
        "dispute-with-description",
        ("barangnya rusak", "1", "10 sak semen pecah", "ya"),
        "sudah kami catat",
        _dispute("quality", "10 sak semen pecah", {"INV-1": "disputed", "INV-2": "open"}),
    ),
    Dialog(
        "dispute-all-skip-description",
        ("tagihannya salah", "semua", "lewati", "ya"),
        "sudah kami catat",
        _dispute("wrong_invoice", "", {"INV-1": "disputed", "INV-2": "disputed"}),
    ),
    Dialog(
        "instalments",
        ("bisa dicicil?", "3x", "tgl 1 desember"),
        "persetujuan",
        _instalments(3, "2026-12-01"),
    ),
    Dialog(
        "handoff-asked",
        ("saya mau bicara dengan petugas",),
        "petugas kami akan segera",
        _case("handoff"),
    ),
    Dialog(
        "handoff-asked-twice-one-case",
        ("saya mau bicara dengan petugas", "halo? tolong telpon saya"),
        "sudah kami teruskan",
        _case("handoff", "customer_request", "tolong telpon saya"),
    ),
    Dialog(
        "handoff-when-all-disputed",
        ("tolong hubungi saya",),
        "petugas kami akan segera",
        _case("handoff"),
        disputed=("INV-1", "INV-2"),
    ),
    Dialog(
        "stuck-twice-goes-to-a-person",
        ("janji bayar", "hmm entahlah", "gak tau"),
        "Petugas kami",
        _case("handoff", "stuck", "gak tau"),
    ),
    Dialog("opt-out", ("BERHENTI",), "tidak akan mengirim pesan lagi", _opted_out),
    Dialog(
        "opt-out-saying-more",
        ("stop kirim pesan ini ya, sy sdh bayar",),
        "tidak akan mengirim pesan lagi",
        _opted_out_saying("sy sdh bayar"),
    ),
    Dialog(
        "claim-above-the-balance-corrected",
        ("sudah bayar kemarin 50jt", "oh salah, 5jt", "lewati"),
        "Rp5.000.000",
        _claim("5000000"),
    ),
    Dialog(
        "claim-above-the-balance-confirmed",
        ("sudah bayar kemarin 50jt", "ya benar", "lewati"),
        "Rp50.000.000",
        _claim("50000000"),
    ),
    Dialog(
        "not-yet-due-pays-early",
        ("cara bayar",),
        "BCA 123-456-7890",
        _choice("transfer"),
        invoices=(("INV-9", dt.date(2026, 12, 5), "2000000"),),
    ),
    Dialog(
        "not-yet-due-promises",
        ("janji bayar besok", "1", "ya"),
        "INV-9",
        _promise(dt.date(2026, 11, 24)),
        invoices=(("INV-9", dt.date(2026, 12, 5), "2000000"),),
    ),
]


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite file: the corpus tests the flows, not the backend."""
    path = tmp_path / "tagih.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def mailbox(request: pytest.FixtureRequest) -> Dovecot | None:
    """An empty dovecot mailbox for the email dialogs (none needed by the others)."""
    if request.node.callspec.params.get("channel") != "email":
        return None
    server: Dovecot = request.getfixturevalue("dovecot_server")
    await empty_inbox(server)
    return server


@asynccontextmanager
async def tagih_with(
    url: str, tmp_path: Path, dialog: Dialog, mailbox: Dovecot | None = None
) -> AsyncIterator[Tagih]:
    """Tagih on its sandboxes with one customer reachable on every channel, and its invoices."""
    settings = load_settings(
        database_url=url,
        load_examples=False,
        web_port=0,
        sms_rate=1000,
        voice_rate=1000,
        whatsapp_rate=1000,
        sandbox_dir=tmp_path / "sandbox",
        bank_accounts="BCA 123-456-7890 a.n. PT Tagih Demo",
    )
    app = Tagih(settings, clock=lambda: NOW, pacing=virtual_pacing())
    await app.open(with_web=True)
    if mailbox is not None:
        # Pointed at the dovecot after opening: no background poll races the test's polls.
        assert app.email_replies is not None
        app.email_replies.config = ImapConfig(
            host="127.0.0.1", port=mailbox.port, username=USER, password=PASSWORD, tls=False
        )
        app.mailbox = mailbox  # type: ignore[attr-defined]
    try:
        async with app.db.transaction() as session:
            ani = Staff(name="Ani", role="collector", phone="+6281100001111")
            session.add(ani)
            await session.flush()
            customer = Customer(code="C001", name="PT Maju Jaya", collector_id=ani.id)
            session.add(customer)
            await session.flush()
            assert customer.id is not None
            for channel in ("sms", "whatsapp", "voice"):
                session.add(Contact(customer_id=customer.id, channel=channel, address=PHONE))
            session.add(Contact(customer_id=customer.id, channel="telegram", address=str(CHAT)))
            session.add(Contact(customer_id=customer.id, channel="email", address=EMAIL))
            for number, due, amount in dialog.invoices:
                session.add(
                    Invoice(
                        number=number,
                        customer_id=customer.id,
                        issue_date=due - dt.timedelta(days=30),
                        due_date=due,
                        currency="IDR",
                        amount=Decimal(amount),
                        balance=Decimal(amount),
                        status=(
                            InvoiceStatus.DISPUTED
                            if number in dialog.disputed
                            else InvoiceStatus.OPEN
                        ),
                    )
                )
        yield app
    finally:
        await app.close()


async def say(app: Tagih, channel: str, text: str) -> str:
    """The customer types `text` on `channel`; the bot's answers, joined."""
    if channel == "email":
        return await _mail(app, text)
    if channel == "telegram":
        telegram = app.providers.telegram_sandbox
        assert telegram is not None
        before = len(telegram.sent)
        await telegram.user_says(CHAT, text)
        await settle(app)
        return "\n".join(m.text for m in telegram.sent[before:])
    twilio = app.providers.twilio_sandbox
    assert twilio is not None
    align_whatsapp_clock(app, NOW)
    ours = SANDBOX_SENDERS[f"twilio_{channel}_from"]
    before = len(twilio.messages)
    hook = await twilio.customer_replies(PHONE, ours, text, channel=channel)
    assert hook.status == 200
    await settle(app)
    return "\n".join(m.body or "" for m in twilio.messages[before:] if m.to.endswith(PHONE))


async def _mail(app: Tagih, text: str) -> str:
    """The customer replies by email: into the IMAP mailbox, polled, answered by mail."""
    mailbox: Dovecot = app.mailbox  # type: ignore[attr-defined]
    sink = app.providers.smtp_sink
    assert sink is not None and app.email_replies is not None
    before = len(sink.messages)
    mail = EmailMessage()
    mail["From"] = f"Budi Santoso <{EMAIL}>"
    mail["To"] = app.settings.email_from
    mail["Subject"] = "Re: Tagihan PT Maju Jaya"
    mail["Message-ID"] = make_msgid(domain="sinarjaya.co.id")
    mail.set_content(f"{text}\n\nSalam,\nBudi\n\n> Yth. PT Maju Jaya, tagihan Anda ...")
    await mailbox.deliver(bytes(mail))
    await app.email_replies.poll()
    await settle(app)
    answers = [m for m in sink.messages[before:] if EMAIL in str(m["To"])]
    return "\n".join(_plain(m) for m in answers)


def _plain(mail: EmailMessage) -> str:
    """The text part of an answer mail."""
    part = mail.get_body(("plain",))
    return str(part.get_content()) if part is not None else ""


async def world(app: Tagih) -> World:
    """The records the dialog left."""

    async def rows(model: type, *where: Any) -> list[Any]:
        async with app.db.sessions() as session:
            return list((await session.exec(select(model).where(*where))).all())

    notes: list[Message] = await rows(Message, col(Message.direction) == "note")
    invoices: list[Invoice] = await rows(Invoice)
    return World(
        cases=await rows(Case),
        promises=[p for p in await rows(Promise) if p.source != "claim"],
        choices=await rows(PaymentChoice),
        contacts=await rows(Contact),
        invoices={i.number: str(i.status) for i in invoices},
        alerts=[n.template or "" for n in notes],
        alert_texts=[n.body for n in notes],
    )


@pytest.mark.parametrize("channel", CHAT_CHANNELS)
@pytest.mark.parametrize("dialog", DIALOGS, ids=[d.name for d in DIALOGS])
async def test_dialog(
    sqlite_url: str, tmp_path: Path, channel: str, dialog: Dialog, mailbox: Dovecot | None
) -> None:
    async with tagih_with(sqlite_url, tmp_path, dialog, mailbox) as app:
        answers = [await say(app, channel, turn) for turn in dialog.turns]
        assert all(answers), (
            f"a turn got no answer: {list(zip(dialog.turns, answers, strict=True))}"
        )
        assert dialog.answer in answers[-1], answers
        dialog.check(await world(app), channel)


def test_every_dialog_ends_in_a_record_or_a_person() -> None:
    """The table's rule: each dialog's check names at least one record it expects."""
    empty = World([], [], [], [], {}, [], [])
    for dialog in DIALOGS:
        with pytest.raises((AssertionError, ValueError)):
            dialog.check(empty, "sms")  # an empty database must fail every check


# --- voice: the keypad ------------------------------------------------------------------

Press = Callable[[Tagih], Awaitable[tuple[str, World]]]


async def _call(app: Tagih, digits: tuple[str, ...]) -> str:
    """Place today's reminder call, answer it and press `digits`; the last TwiML."""
    async with app.db.transaction() as session:
        policy = await save_spec(session, spec=PolicySpec("call", (Step(3, ("voice",)),)))
        customer = await session.get(Customer, 1)
        assert customer is not None
        customer.policy_id = policy.id
    _, stats = await app.send_due(NOW)
    twilio = app.providers.twilio_sandbox
    assert twilio is not None and stats.sent == 1
    [call] = twilio.calls
    twiml = await twilio.answer(call.sid)
    for digit in digits:
        twiml = await twilio.press(call.sid, digit)
    return twiml


@pytest.mark.parametrize(
    ("digits", "spoken", "expect"),
    [
        (("1",), "Terima kasih", "claim"),
        (("2", "1"), "24 November 2026", "promise:2026-11-24"),
        (("2", "2"), "30 November 2026", "promise:2026-11-30"),
        (("3",), "petugas", "handoff"),
        (("2", "3"), "petugas", "handoff"),
        (("9", "3"), "petugas", "handoff"),
    ],
    ids=["paid", "promise-tomorrow", "promise-week", "handoff", "promise-then-person", "repeat"],
)
async def test_voice_keypad_dialog(
    sqlite_url: str, tmp_path: Path, digits: tuple[str, ...], spoken: str, expect: str
) -> None:
    async with tagih_with(sqlite_url, tmp_path, DIALOGS[0]) as app:
        twiml = await _call(app, digits)
        assert spoken in twiml, twiml
        found = await world(app)
        kind, _, value = expect.partition(":")
        if kind == "promise":
            [promise] = found.promises
            assert (promise.promised_date.isoformat(), promise.source) == (value, "voice")
        elif kind == "claim":
            assert [c.kind for c in found.cases] == ["payment_claim"]
        else:
            assert [c.kind for c in found.cases] == ["handoff"]
            assert "handoff" in found.alerts
