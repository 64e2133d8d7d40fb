"""The sandbox inbox in headless Chromium (issue 14): see a reminder, answer it by typing
and by pressing a button, see the bot's answer appear, find the records in the database.

Skipped where Debian's `chromium` is not installed, unless TAGIH_REQUIRE_CHROMIUM=1 (as in
.ci/run). Screenshots are saved under the test's temporary directory, or under
$TAGIH_SCREENSHOTS when set.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlmodel import col, select

from storage.models import Message
from tests.cdp import Page, chromium, find_chromium
from tests.sandbox_world import inbox_of, running_sandbox

BINARY = find_chromium()
if BINARY is None and os.environ.get("TAGIH_REQUIRE_CHROMIUM") == "1":
    raise RuntimeError("TAGIH_REQUIRE_CHROMIUM=1 but no chromium is installed")
pytestmark = pytest.mark.skipif(
    BINARY is None, reason="chromium is not installed (apt-get install chromium)"
)


def bubbles(direction: str) -> str:
    """JavaScript: the texts of the open thread's bubbles in one direction."""
    return f"[...document.querySelectorAll('.thread .msg.{direction}')].map(m => m.textContent)"


async def count(page: Page, direction: str) -> int:
    return int(await page.eval(f"{bubbles(direction)}.length"))


async def type_reply(page: Page, text: str) -> None:
    """Type into the reply box and press Send, as a person would."""
    await page.eval(
        f"(() => {{ const box = document.querySelector('#reply-text'); box.focus();"
        f" box.value = {json.dumps(text)}; document.querySelector('#reply-send').click(); }})()"
    )


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go."""
    folder = Path(os.environ.get("TAGIH_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_answer_a_reminder_in_the_browser(tmp_path: Path, shots: Path) -> None:
    assert BINARY is not None
    async with running_sandbox(tmp_path) as tagih, chromium(BINARY, tmp_path / "profile") as page:
        url = tagih.sandbox_inbox_url
        assert url is not None
        await page.open(url)
        await page.wait_for("document.querySelectorAll('nav .who').length > 30")
        assert await page.eval("document.querySelector('nav').textContent.includes('Collectors')")
        await page.screenshot(shots / "inbox-people.png")

        # WhatsApp: the reminder, then "sudah transfer kemarin" typed as the customer.
        await page.eval("document.querySelector('[data-person=\"customer:C001\"]').click()")
        await page.wait_for(f"{bubbles('out')}.some(t => t.includes('PT Lestari Agung'))")
        await type_reply(page, "sudah transfer kemarin")
        await page.wait_for(f"{bubbles('in')}.some(t => t.includes('sudah transfer kemarin'))")
        await page.wait_for(f"{bubbles('out')}.length >= 2")
        answer = (await page.eval(bubbles("out")))[-1]
        assert answer.strip(), "the bot answered"
        await page.screenshot(shots / "inbox-whatsapp.png")

        # What a customer types is shown as text, never run as markup.
        await type_reply(page, "<img src=x onerror=alert(1)><b>tebal</b>")
        await page.wait_for(f"{bubbles('in')}.some(t => t.includes('<b>tebal</b>'))")
        assert await page.eval("document.querySelectorAll('.thread b, .thread img').length") == 0

        # Telegram: the reminder with its buttons; press one and see the bot's answer.
        await page.eval("location.hash = 'customer:C005'")
        await page.wait_for("document.querySelector('[data-tab=\"telegram\"]') !== null")
        await page.eval("document.querySelector('[data-tab=\"telegram\"]').click()")
        await page.wait_for("document.querySelector('[data-button=\"menu:promise\"]') !== null")
        before = await count(page, "out")
        await page.eval("document.querySelector('[data-button=\"menu:promise\"]').click()")
        await page.wait_for(f"{bubbles('out')}.length > {before}")
        await page.wait_for("document.querySelector('.pressed') !== null")
        await type_reply(page, "saya bayar besok")
        await page.wait_for(f"{bubbles('out')}.length > {before + 1}")
        await page.screenshot(shots / "inbox-telegram.png")

        # A collector: bind a sandbox Telegram chat, then work the queue by chat command.
        await page.eval(
            "[...document.querySelectorAll('nav .who')]"
            ".find(b => b.textContent.includes('Yusuf Hidayat')).click()"
        )
        await page.wait_for("document.querySelector('#connect') !== null")
        assert not await page.eval("document.querySelector('#person').textContent.includes('null')")
        await page.eval("document.querySelector('#connect').click()")
        await page.wait_for("document.querySelector('[data-tab=\"telegram\"]') !== null")
        await page.wait_for(f"{bubbles('out')}.length >= 1")  # the chat is bound
        await type_reply(page, "/queue")
        await page.wait_for(f"{bubbles('in')}.some(t => t.includes('/queue'))")
        await page.wait_for(f"{bubbles('out')}.length >= 2")
        await page.screenshot(shots / "inbox-collector.png")

        async with inbox_of(tagih).db.sessions() as session:
            typed = (
                await session.exec(select(Message).where(Message.body == "sudah transfer kemarin"))
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
            assert any(m.body.strip() in answer for m in later), "the answer is logged"

    assert sorted(os.listdir(shots)) >= [
        "inbox-collector.png",
        "inbox-people.png",
        "inbox-telegram.png",
        "inbox-whatsapp.png",
    ]
