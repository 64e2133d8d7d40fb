"""An amount or date the parser is unsure of is confirmed with the customer (issue 16).

Dialogs through the real webhooks, as in tests/e2e/test_dialogs.py: a bare number with no money
context, or a span read as one day ("minggu lalu"), is read back ("Rp1.450.000 — benar?")
before a payment claim is recorded; identifiers (invoice numbers) are never read as money.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.models import Case, Promise
from tests.e2e.test_dialogs import OWED, SeenChat, rows, sqlite_url, tagih_with

__all__ = ["sqlite_url"]  # the fixture, imported for these dialogs

CHANNELS = ["telegram", "whatsapp"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_bare_number_is_confirmed_then_recorded(
    sqlite_url: str, tmp_path: Path, channel: str
) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, channel)
        check = await chat.say("sudah lunas ya, 1450000")
        assert "Rp1.450.000 — benar?" in check and "bukti" not in check
        assert await rows(app, Case) == []
        assert "bukti transfer" in await chat.say("ya")
        await chat.say("lewati")
        [case] = await rows(app, Case)
        assert case.data["amount"] == "1450000"


async def test_unsure_amount_corrected_by_the_customer(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        assert "Rp2.026 — benar?" in await chat.say("sudah lunas, 2026")
        assert "bukti transfer" in await chat.say("bukan, 1,45jt")
        await chat.say("lewati")
        [case] = await rows(app, Case)
        assert case.data["amount"] == "1450000"


async def test_unsure_amount_denied_asks_again(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        await chat.say("sudah lunas, 2026")
        assert "Kapan dan berapa" in await chat.say("bukan")
        assert "bukti transfer" in await chat.say("kemarin 1,45jt")
        await chat.say("lewati")
        [case] = await rows(app, Case)
        assert case.data["amount"] == "1450000" and case.data["paid_on"] == "2026-11-22"


async def test_vague_past_date_is_confirmed(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        check = await chat.say("sudah transfer minggu lalu")
        assert "16 November 2026 — benar?" in check
        assert "bukti transfer" in await chat.say("ya")
        await chat.say("lewati")
        [case] = await rows(app, Case)
        assert case.data["paid_on"] == "2026-11-16"


async def test_invoice_number_is_never_an_amount(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        answer = await chat.say("INV-2026-0031 sudah lunas")
        assert "Rp2.026" not in answer and "Kapan dan berapa" in answer
        assert await rows(app, Case) == []


async def test_sure_amount_is_not_asked_again(sqlite_url: str, tmp_path: Path) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        answer = await chat.say("sudah transfer 1.450.000 kemarin")
        assert "benar?" not in answer and "bukti transfer" in answer


async def test_promise_reads_a_bare_amount_back_before_recording(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with tagih_with(sqlite_url, tmp_path, OWED) as app:
        chat = SeenChat(app, "whatsapp")
        confirm = await chat.say("bayar jumat 1450000")
        assert "Rp1.450.000" in confirm and "Benar?" in confirm
        assert await rows(app, Promise) == []
        await chat.say("ya")
        [promise] = await rows(app, Promise)
        assert promise.amount is None or promise.amount == 1_450_000
