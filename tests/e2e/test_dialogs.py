"""Dialogs as customers have them (issue 12): Indonesian turns through the real webhook
endpoints and sandboxes, and the records each dialog must leave behind."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.config import load_settings
from storage.enums import InvoiceStatus
from storage.models import (
    Case,
    CaseInvoice,
    Contact,
    Customer,
    Invoice,
    Message,
    PaymentChoice,
    Promise,
    PromiseInvoice,
    Staff,
)
from tests.e2e.test_conversations_e2e import CHAT, NOW, PHONE, Chat
from tests.support.virtual_clock import virtual_pacing

CHANNELS = ["telegram", "whatsapp"]
OVERDUE = dt.date(2026, 11, 10)
NOT_DUE = dt.date(2026, 12, 5)
Invoices = list[tuple[str, dt.date, str, str]]  # number, due date, amount, currency


class SeenChat(Chat):
    """A customer's chat whose answers include the Telegram buttons' labels, as seen."""

    async def say(self, text: str) -> str:
        """Send a message; the bot's answer with its buttons."""
        return await self._with_buttons(super().say(text))

    async def choose(self, number: int) -> str:
        """Pick option `number`; the bot's answer with its buttons."""
        return await self._with_buttons(super().choose(number))

    async def _with_buttons(self, answer: Awaitable[str]) -> str:
        telegram = self.app.providers.telegram_sandbox
        if self.channel != "telegram" or telegram is None:
            return await answer
        before = len(telegram.sent)
        text = await answer
        markups = [m.reply_markup or {} for m in telegram.sent[before:]]
        labels = [b["text"] for m in markups for row in m.get("inline_keyboard", []) for b in row]
        return "\n".join([text, *labels])


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh migrated SQLite file: these dialogs test the flows, not the backend."""
    path = tmp_path / "tagih.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@asynccontextmanager
async def tagih_with(
    url: str,
    tmp_path: Path,
    invoices: Invoices,
    *,
    disputed: tuple[str, ...] = (),
    **settings: Any,
) -> AsyncIterator[Tagih]:
    """Tagih on its sandboxes with one customer (WhatsApp + Telegram) and its collector."""
    base = {
        "database_url": url,
        "load_examples": False,
        "web_port": 0,
        "whatsapp_rate": 1000,
        "sandbox_dir": tmp_path / "sandbox",
        "bank_accounts": "BCA 123-456-7890 a.n. PT Tagih Demo",
    }
    app = Tagih(load_settings(**{**base, **settings}), clock=lambda: NOW, pacing=virtual_pacing())
    await app.open(with_web=True)
    try:
        async with app.db.transaction() as session:
            ani = Staff(name="Ani", role="collector", phone="+6281100001111")
            session.add(ani)
            await session.flush()
            customer = Customer(code="C001", name="PT Maju Jaya", collector_id=ani.id)
            session.add(customer)
            await session.flush()
            assert customer.id is not None
            for channel, address in (("whatsapp", PHONE), ("telegram", str(CHAT))):
                session.add(Contact(customer_id=customer.id, channel=channel, address=address))
            for number, due, amount, currency in invoices:
                session.add(
                    Invoice(
                        number=number,
                        customer_id=customer.id,
                        issue_date=due - dt.timedelta(days=30),
                        due_date=due,
                        currency=currency,
                        amount=Decimal(amount),
                        balance=Decimal(amount),
                        status=InvoiceStatus.DISPUTED if number in disputed else InvoiceStatus.OPEN,
                    )
                )
        yield app
    finally:
        await app.close()


async def rows(app: Tagih, model: type, *where: Any) -> list[Any]:
    async with app.db.sessions() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def alerts(app: Tagih) -> list[Message]:
    return await rows(app, Message, col(Message.direction) == "note")


async def invoices_of(app: Tagih, link: type, key: Callable[[Any], Any], owner: int) -> set[str]:
    """The numbers of the invoices a case or promise covers."""
    links = await rows(app, link, key(link) == owner)
    numbers = {i.id: i.number for i in await rows(app, Invoice)}
    return {numbers[row.invoice_id] for row in links}


TWO_OPEN: Invoices = [
    ("INV-1", OVERDUE, "5000000", "IDR"),
    ("INV-2", dt.date(2026, 11, 20), "1000000", "IDR"),
]


# --- 1. a dispute keeps its reason, its invoices and its description in one case --------


@pytest.mark.parametrize("channel", CHANNELS)
async def test_dispute_asks_the_description_and_confirms(
    sqlite_url: str, tmp_path: Path, channel: str
) -> None:
    async with tagih_with(sqlite_url, tmp_path, TWO_OPEN) as app:
        chat = SeenChat(app, channel)
        assert "Faktur mana" in await chat.say("barangnya rusak")
        assert "Ceritakan" in await chat.choose(1)  # INV-1
        summary = await chat.say("kemasan sobek, 10 sak semen pecah")
        assert "INV-1" in summary and "INV-2" not in summary
        assert "kemasan sobek" in summary and "Kualitas" in summary and "Benar?" in summary
        assert await rows(app, Case) == []  # nothing recorded before the confirmation
        assert "keluhan Anda sudah kami catat" in await chat.choose(1)
        [case] = await rows(app, Case)
        assert (case.kind, case.reason, case.details) == (
            "dispute",
            "quality",
            "kemasan sobek, 10 sak semen pecah",
        )
        assert await invoices_of(app, CaseInvoice, lambda m: m.case_id, case.id) == {"INV-1"}
        [alert] = await alerts(app)
        assert alert.template == "dispute" and "kemasan sobek" in alert.body


async def test_dispute_on_all_invoices_without_a_description(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with tagih_with(sqlite_url, tmp_path, TWO_OPEN) as app:
        chat = SeenChat(app, "whatsapp")
        assert "Apa masalahnya" in await chat.say("ada masalah")
        assert "Faktur mana" in await chat.say("1")  # wrong invoice
        assert "Ceritakan" in await chat.say("semua")
        summary = await chat.say("lewati")
        assert "INV-1" in summary and "INV-2" in summary and "Benar?" in summary
        assert "sudah kami catat" in await chat.say("ya")
        [case] = await rows(app, Case)
        assert (case.reason, case.details) == ("wrong_invoice", "")
        assert await invoices_of(app, CaseInvoice, lambda m: m.case_id, case.id) == {
            "INV-1",
            "INV-2",
        }
        statuses = {i.number: i.status for i in await rows(app, Invoice)}
        assert statuses == {"INV-1": "disputed", "INV-2": "disputed"}


# --- 2. a known customer can always reach a person -------------------------------------


@pytest.mark.parametrize(
    ("invoices", "disputed"),
    [(TWO_OPEN, ("INV-1", "INV-2")), ([], ())],
    ids=["all-disputed", "paid-up"],
)
async def test_handoff_for_customers_who_owe_nothing_chaseable(
    sqlite_url: str, tmp_path: Path, invoices: Invoices, disputed: tuple[str, ...]
) -> None:
    async with tagih_with(sqlite_url, tmp_path, invoices, disputed=disputed) as app:
        chat = SeenChat(app, "whatsapp")
        assert "petugas kami akan segera" in await chat.say("saya mau bicara dengan petugas")
        [case] = await rows(app, Case)
        assert case.kind == "handoff"
        assert [a.template for a in await alerts(app)] == ["handoff"]


async def test_disputed_customer_hears_the_dispute_not_nothing_open(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with tagih_with(sqlite_url, tmp_path, TWO_OPEN, disputed=("INV-1", "INV-2")) as app:
        answer = await SeenChat(app, "whatsapp").say("halo")
        assert "tidak ada tagihan terbuka" not in answer
        assert "INV-1" in answer and "Bicara dengan petugas" in answer


# --- 3. payment methods: only what is configured; examples in the sandbox ---------------


async def test_sandbox_ships_example_payment_details(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, TWO_OPEN, bank_accounts="") as app:
        chat = SeenChat(app, "whatsapp")
        menu = await chat.say("cara bayar")
        assert "belum tersedia" not in menu and "CONTOH" in menu
        details = await chat.say("1")
        assert "CONTOH" in details and "belum tersedia" not in details
        assert len(await rows(app, PaymentChoice)) == 1


async def test_no_payment_details_leads_to_the_collector(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(
        sqlite_url, tmp_path, TWO_OPEN, bank_accounts="", payment_examples=False
    ) as app:
        answer = await SeenChat(app, "whatsapp").say("cara bayar")
        assert "belum tersedia" not in answer
        assert "Ani" in answer and "+6281100001111" in answer
        [case] = await rows(app, Case)
        assert (case.kind, case.reason) == ("handoff", "payment_details")
        assert [a.template for a in await alerts(app)] == ["handoff"]


async def test_only_configured_methods_are_offered(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(
        sqlite_url, tmp_path, TWO_OPEN, ewallet_info="GoPay 0812-0000-1111"
    ) as app:  # bank accounts and an e-wallet
        menu = await SeenChat(app, "whatsapp").say("cara bayar")
        assert "Transfer bank" in menu and "GoPay" not in menu
        assert "QRIS" not in menu and "Virtual account" not in menu and "Kartu" not in menu


async def test_one_method_gives_its_details_at_once(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, TWO_OPEN) as app:  # bank accounts only
        details = await SeenChat(app, "whatsapp").say("cara bayar")
        assert "BCA 123-456-7890" in details and "Transfer bank" not in details


# --- 4. open invoices count, due or not --------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
async def test_not_yet_due_customer_can_pay_early(
    sqlite_url: str, tmp_path: Path, channel: str
) -> None:
    invoices: Invoices = [("INV-9", NOT_DUE, "2000000", "IDR")]
    async with tagih_with(sqlite_url, tmp_path, invoices) as app:
        chat = SeenChat(app, channel)
        details = await chat.say("cara bayar")
        assert "tidak ada tagihan" not in details and "BCA 123-456-7890" in details
        assert "penuh Rp2.000.000" in await chat.say("janji bayar besok")
        assert "INV-9" in await chat.choose(1)
        assert "sudah kami catat" in await chat.choose(1)
        [promise] = await rows(app, Promise)
        assert await invoices_of(app, PromiseInvoice, lambda m: m.promise_id, promise.id) == {
            "INV-9"
        }
        assert "petugas kami akan segera" in await chat.say("saya mau bicara dengan petugas")


# --- 5. no question is asked a third time ---------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_question_not_understood_twice_goes_to_a_person(
    sqlite_url: str, tmp_path: Path, channel: str
) -> None:
    async with tagih_with(sqlite_url, tmp_path, TWO_OPEN) as app:
        chat = SeenChat(app, channel)
        assert "Kapan Anda akan membayar" in await chat.say("janji bayar")
        assert "Kapan Anda akan membayar" in await chat.say("hmm entahlah")
        third = await chat.say("gak tau")
        assert "Kapan Anda akan membayar" not in third and "Petugas kami" in third
        [case] = await rows(app, Case)
        assert (case.kind, case.reason) == ("handoff", "stuck")
        assert "gak tau" in case.details
        [alert] = await alerts(app)
        assert alert.template == "handoff"


# --- 6. amounts are checked against the open balance ------------------------------------

OWED: Invoices = [
    ("INV-1", OVERDUE, "1450000", "IDR"),
    ("INV-2", NOT_DUE, "2000000", "IDR"),
]


async def test_claim_above_the_balance_is_corrected(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        check = await chat.say("sudah bayar kemarin 5jt")
        assert "Rp5.000.000" in check and "Rp3.450.000" in check and "bukti" not in check
        assert "bukti transfer" in await chat.say("oh salah, 1,45jt")
        assert "Rp1.450.000" in await chat.say("lewati")
        [case] = await rows(app, Case)
        assert case.data["amount"] == "1450000"
        assert await invoices_of(app, CaseInvoice, lambda m: m.case_id, case.id) == {"INV-1"}


async def test_claim_above_the_balance_confirmed_alerts_the_mismatch(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        await chat.say("sudah bayar kemarin 5jt")
        assert "bukti transfer" in await chat.say("ya benar")
        await chat.say("lewati")
        [case] = await rows(app, Case)
        assert case.data["amount"] == "5000000"
        [alert] = await alerts(app)
        assert "Rp5.000.000" in alert.body and "Rp3.450.000" in alert.body


async def test_promise_covers_the_overdue_invoice_and_says_so(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        ask = await chat.say("bayar jumat")
        assert "Rp1.450.000" in ask and "INV-1" in ask and "INV-2" not in ask
        confirm = await chat.say("1")  # in full
        assert "INV-1" in confirm and "Benar?" in confirm
        done = await chat.say("ya")
        assert "INV-1" in done
        [promise] = await rows(app, Promise)
        assert await invoices_of(app, PromiseInvoice, lambda m: m.promise_id, promise.id) == {
            "INV-1"
        }
        [alert] = await alerts(app)
        assert "INV-1" in alert.body and "INV-2" not in alert.body


async def test_promise_above_the_balance_asks_again(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        check = await chat.say("janji bayar jumat 10jt")
        assert "Rp10.000.000" in check and "Rp3.450.000" in check
        confirm = await chat.say("3,45jt")
        assert "INV-1" in confirm and "INV-2" in confirm and "Benar?" in confirm
        await chat.say("ya")
        [promise] = await rows(app, Promise)
        assert promise.amount is None  # the whole open balance
        covered = await invoices_of(app, PromiseInvoice, lambda m: m.promise_id, promise.id)
        assert covered == {"INV-1", "INV-2"}


async def test_promise_keeps_currencies_apart(sqlite_url: str, tmp_path: Path) -> None:
    invoices: Invoices = [("INV-1", OVERDUE, "1450000", "IDR"), ("INV-U", OVERDUE, "500", "USD")]
    async with tagih_with(sqlite_url, tmp_path, invoices) as app:
        chat = SeenChat(app, "whatsapp")
        confirm = await chat.say("bayar jumat")
        assert "Rp1.450.000" in confirm and "US$500" in confirm
        assert "Rp1.950.000" not in confirm and "1.950" not in confirm
        await chat.say("ya")
        [alert] = await alerts(app)
        assert "Rp1.450.000" in alert.body and "US$500" in alert.body
