"""A running Tagih on the example data after its first dispatch, for the sandbox inbox tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bot.app.tagih import Tagih
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.config import load_settings
from bot.sandbox.inbox_page import SandboxInbox

ROOT = Path(__file__).resolve().parents[2]
# Monday 23 November 2026, 10:00 WIB: the examples were generated for this day.
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


@asynccontextmanager
async def running_sandbox(tmp_path: Path) -> AsyncIterator[Tagih]:
    """Tagih with every provider in the sandbox, the examples loaded, planned and sent once."""
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}",
        sandbox_dir=tmp_path / "sandbox",
        examples_dir=ROOT / "examples",
        # Pacing is tested on a virtual clock elsewhere; here it would only wait.
        sms_rate=1000,
        voice_rate=1000,
        whatsapp_rate=1000,
        web_port=0,
    )
    tagih = Tagih(settings, clock=lambda: NOW)
    await tagih.open(with_web=True)
    # The WhatsApp window is judged on the channel's own clock: the same injected time.
    whatsapp = tagih.channels["whatsapp"]
    assert isinstance(whatsapp, TwilioWhatsAppChannel)
    whatsapp.now = lambda: NOW
    # Telegram's one message a second per chat, on a clock that moves two seconds a call:
    # a reply right after a reminder is not held back by the wall clock.
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None
    ticks = itertools.count(start=1000, step=2)
    telegram.clock = lambda: float(next(ticks))
    try:
        await tagih.load_examples_if_empty()
        await tagih.plan(NOW)
        await (await tagih.dispatcher()).tick(NOW)
        await tagih.plan(NOW)  # the next steps, as the hourly pass would plan them
        yield tagih
    finally:
        await tagih.close()


def inbox_of(tagih: Tagih) -> SandboxInbox:
    """The sandbox inbox of a running Tagih."""
    inbox = tagih.sandbox_inbox
    assert inbox is not None
    return inbox


async def settled(tagih: Tagih) -> None:
    """Wait until the durable inbox has applied every kept event (and sent the replies)."""
    durable = inbox_of(tagih).durable
    assert durable is not None
    await durable.settled()


async def api(
    session: aiohttp.ClientSession, tagih: Tagih, path: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    """GET (or POST `body` as JSON to) `path` on the running Tagih: status and JSON."""
    url = f"{tagih.web_url}{path}"
    if body is None:
        async with session.get(url) as response:
            return response.status, await response.json(content_type=None)
    async with session.post(url, json=body) as response:
        return response.status, await response.json(content_type=None)
