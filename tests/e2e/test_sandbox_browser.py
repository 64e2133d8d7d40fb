"""The sandbox inbox in headless Chromium, driven by Playwright (issue 14): see a reminder,
answer it by typing and by pressing a button, see the bot's answer appear, work the queue as
a collector, find the records in the database.

Skipped where Debian's `chromium` is not installed, unless TAGIH_REQUIRE_CHROMIUM=1 (as in
.ci/run). Screenshots are saved under the test's temporary directory, or under
$TAGIH_SCREENSHOTS when set (tests/support/screenshots.py uses that for the README's pictures).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlmodel import col, select

from storage.models import Customer, Message, Promise
from tests.support.browser import chromium_page, find_chromium
from tests.support.sandbox_world import inbox_of, running_sandbox

BINARY = find_chromium()
if BINARY is None and os.environ.get("TAGIH_REQUIRE_CHROMIUM") == "1":
    raise RuntimeError("TAGIH_REQUIRE_CHROMIUM=1 but no chromium is installed")
pytestmark = pytest.mark.skipif(
    BINARY is None, reason="chromium is not installed (apt-get install chromium)"
)


async def reply(page: Page, text: str) -> None:
    """Type into the reply box and press Send, as a person would."""
    await page.locator("#reply-text").fill(text)
    await page.locator("#reply-send").click()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go."""
    folder = Path(os.environ.get("TAGIH_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_answer_a_reminder_in_the_browser(tmp_path: Path, shots: Path) -> None:
    assert BINARY is not None
    async with running_sandbox(tmp_path) as tagih, chromium_page(BINARY) as page:
        url = tagih.sandbox_inbox_url
        assert url is not None
        await page.goto(url)
        people = page.locator("nav .who")
        await expect(people.nth(30)).to_be_attached()
        await expect(page.locator("nav")).to_contain_text("Collectors")
        await page.screenshot(path=shots / "inbox-people.png")

        # WhatsApp: the reminder, answered "saya bayar besok" as the customer; the bot asks
        # how much, reads the promise back, and confirms it once the customer says yes.
        await page.locator('[data-person="customer:C001"]').click()
        said, answered = page.locator(".thread .msg.in"), page.locator(".thread .msg.out")
        await expect(answered.first).to_contain_text("PT Lestari Agung")
        await reply(page, "saya bayar besok")
        await expect(said.last).to_contain_text("saya bayar besok")
        await expect(answered).to_have_count(2)
        await expect(answered.last).to_contain_text(re.compile("dibayar penuh", re.I))
        await reply(page, "1")  # paid in full
        await expect(answered).to_have_count(3)
        await expect(answered.last).to_contain_text("24 November 2026")
        await reply(page, "1")  # yes, that is right
        await expect(answered).to_have_count(4)
        await expect(answered.last).to_contain_text("sudah kami catat")
        confirmation = await answered.last.text_content()
        assert confirmation is not None
        await page.screenshot(path=shots / "inbox-whatsapp.png")

        # What a customer types is shown as text, never run as markup.
        await reply(page, "<img src=x onerror=alert(1)><b>tebal</b>")
        await expect(said.last).to_contain_text("<b>tebal</b>")
        await expect(page.locator(".thread b, .thread img")).to_have_count(0)

        # Telegram: the reminder with its buttons; press one and see the bot's answer.
        await page.evaluate("location.hash = 'customer:C005'")
        await page.locator('[data-tab="telegram"]').click()
        button = page.locator('[data-button="menu:promise"]')
        await expect(button).to_be_visible()
        before = await answered.count()
        await button.click()
        await expect(answered).to_have_count(before + 1)
        await expect(page.locator(".pressed").first).to_be_attached()
        await reply(page, "saya bayar lusa")
        await expect(answered).to_have_count(before + 2)
        await page.screenshot(path=shots / "inbox-telegram.png")

        # A collector: bind a sandbox Telegram chat, then work the queue by chat command.
        await people.filter(has_text="Yusuf Hidayat").click()
        await expect(page.locator("#connect")).to_be_visible()
        await expect(page.locator("#person")).not_to_contain_text("null")
        await page.locator("#connect").click()
        await expect(page.locator('[data-tab="telegram"]')).to_be_visible()
        await expect(answered.first).to_be_attached()  # the chat is bound
        bound = await answered.count()
        await reply(page, "/queue")
        await expect(said.last).to_contain_text("/queue")
        await expect(answered).to_have_count(bound + 1)
        await page.screenshot(path=shots / "inbox-collector.png")

        async with inbox_of(tagih).db.sessions() as session:
            typed = (
                await session.exec(select(Message).where(Message.body == "saya bayar besok"))
            ).one()
            assert (typed.direction, typed.channel) == ("in", "whatsapp")
            later = (
                await session.exec(
                    select(Message).where(
                        Message.customer_id == typed.customer_id,
                        Message.direction == "out",
                        col(Message.id) > typed.id,
                    )
                )
            ).all()
            # A bubble shows the text, then its time and status.
            assert any(m.body.strip() in confirmation for m in later), "the answer is logged"
            promises = (
                await session.exec(
                    select(Promise)
                    .join(Customer, col(Customer.id) == Promise.customer_id)
                    .where(Customer.code == "C001")
                )
            ).all()
            when = [p.promised_date for p in promises]
            assert when == [dt.date(2026, 11, 24)], "tomorrow, as the customer said"

    assert sorted(os.listdir(shots)) >= [
        "inbox-collector.png",
        "inbox-people.png",
        "inbox-telegram.png",
        "inbox-whatsapp.png",
    ]
