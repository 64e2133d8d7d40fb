"""`/aging`, `/sales`, `/promises` through the Telegram sandbox, the real python-telegram-bot
client and the router: a PNG chart goes out as a photo with the summary as its caption."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app.tagih import Tagih
from bot.inbound.router import Routed
from bot.sandbox.telegram import SentMessage
from scheduler.messages import Address, Inbound, Outbound
from tests.support.inbox_support import settle
from tests.support.staff_world import ANI, BUDI, SARI, running_team

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path) -> AsyncIterator[Tagih]:
    async with running_team(db_url, tmp_path, "report-commands") as app:
        yield app


async def ask(app: Tagih, chat: int, text: str) -> list[SentMessage]:
    """What the bot sent back to `text`."""
    telegram = app.providers.telegram_sandbox
    assert telegram is not None
    before = len(telegram.sent)
    await telegram.user_says(chat, text)
    await settle(app)
    return telegram.sent[before:]


def photo_of(sent: list[SentMessage]) -> SentMessage:
    assert len(sent) == 1, [m.text for m in sent]
    assert sent[0].photo is not None and sent[0].photo.startswith(PNG)
    return sent[0]


async def test_collector_aging_is_a_chart_of_their_customers(tagih: Tagih) -> None:
    reply = photo_of(await ask(tagih, SARI, "/aging"))
    assert reply.text.startswith("Umur piutang (pelanggan Sari) per 23 November 2026")
    # Sari collects C001 (6jt) and C003 (3jt); C002 (2jt, no collector) is not hers.
    assert "Rp9.000.000" in reply.text and "Sari" in reply.text
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None and telegram.spec is not None
    message = telegram.history(SARI)[-1]
    assert message["photo"][0]["width"] > 0 and "text" not in message
    telegram.spec.check_object("Message", message)  # the answer is a valid Message


async def test_admin_aging_on_a_date_sees_everything(tagih: Tagih) -> None:
    reply = photo_of(await ask(tagih, ANI, "/aging 2026-11-15"))
    assert reply.text.startswith("Umur piutang (semua) per 15 November 2026")  # Ani: id
    # INV-2 (due 20 Nov) is not late yet but still open: 5 + 1 + 2 + 3 million.
    assert "Rp11.000.000" in reply.text


async def test_aging_with_a_bad_date_says_how(tagih: Tagih) -> None:
    sent = await ask(tagih, ANI, "/aging kapan-kapan")
    assert len(sent) == 1 and sent[0].photo is None
    assert "'kapan-kapan' bukan tanggal sampai hari ini." in sent[0].text
    assert "Cara pakai: /aging [TANGGAL]" in sent[0].text


async def test_sales_ranking_and_promises(tagih: Tagih) -> None:
    sales = photo_of(await ask(tagih, BUDI, "/sales"))
    # Budi reads English: English words, English digit grouping.
    assert "Receivables by salesperson" in sales.text and "Best:" in sales.text
    assert re.search(r"Open: Rp\d{1,3}(,\d{3})+\n", sales.text), sales.text
    await ask(tagih, SARI, "/promise C001 jumat 5jt")
    promises = photo_of(await ask(tagih, SARI, "/promises"))
    assert "Dibuat 1: ditepati 0, tidak ditepati 0, terbuka 1" in promises.text
    assert "Tingkat ditepati" in promises.text


async def test_a_stranger_gets_the_neutral_reply(tagih: Tagih) -> None:
    sent = await ask(tagih, 556, "/aging")
    assert len(sent) == 1 and sent[0].photo is None
    assert "otomatis" in sent[0].text


async def test_a_long_caption_is_cut_to_telegrams_limit(tagih: Tagih) -> None:
    telegram, channel = tagih.providers.telegram_sandbox, tagih.providers.telegram
    assert telegram is not None and channel is not None
    telegram.state.chat(SARI)
    photo = PNG + b"\x00\x00\x00\x0dIHDR\x00\x00\x00\x02\x00\x00\x00\x03"
    message = Outbound(
        to=Address("telegram", str(SARI)), body="x" * 2000, idempotency_key="k", photo=photo
    )
    result = await channel.send(message)
    assert result.ok and result.provider_id is not None
    sent = telegram.sent[-1]
    assert len(sent.text) == 1024 and sent.text.endswith("…") and sent.photo == photo
    assert telegram.history(SARI)[-1]["photo"][0]["height"] == 3


async def test_the_chart_is_drawn_after_the_transaction_in_memory(tagih: Tagih) -> None:
    """The command gathers its report inside the routing transaction; the chart is drawn
    after the commit (the `then` hook, last inside the transaction, sees no photo yet), as
    bytes, with no file or folder left behind."""
    folders = chart_folders()
    inside: list[bytes | None] = []

    async def then(session: AsyncSession, routed: Routed) -> None:
        inside.extend(reply.photo for reply in routed.replies)

    inbound = Inbound(Address("telegram", str(SARI)), "/aging", NOW, provider_id="tg:aging-1")
    routed = await tagih.router.handle(inbound, then=then)
    assert inside == [None]
    (reply,) = routed.replies
    assert reply.photo is not None and reply.photo.startswith(PNG)
    assert not routed.charts  # all drawn
    assert chart_folders() == folders


def chart_folders() -> set[Path]:
    """The chart folders older versions left in the temporary directory."""
    return set(Path(tempfile.gettempdir()).glob("tagih-charts-*"))
