"""Every call the channel makes, and the sandbox's answers, fit the published Bot API spec.

The checks here read the scraped spec (`../shared/specs/telegram-bot-api.json`) directly,
independently of the sandbox's own validator.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.channels.telegram import TelegramChannel
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.telegram_spec import DEFAULT_SPEC_PATH
from scheduler.messages import Address, Button, Outbound
from tests.support.virtual_clock import VirtualClock

if not DEFAULT_SPEC_PATH.is_file():
    pytest.skip(f"Bot API spec not found at {DEFAULT_SPEC_PATH}", allow_module_level=True)

SPEC = json.loads(DEFAULT_SPEC_PATH.read_text(encoding="utf-8"))
TOKEN = "42:spec-test-token"
CHAT = 777000001


def fits(kind: str, value: Any) -> bool:
    """Whether a decoded value has the spec type `kind` (recursively for objects)."""
    if kind.startswith("Array of "):
        inner = kind.removeprefix("Array of ")
        return isinstance(value, list) and all(fits(inner, item) for item in value)
    if kind == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind == "String":
        return isinstance(value, str)
    return not problems(kind, value)


def problems(type_name: str, value: Any) -> list[str]:
    """What is wrong with `value` as an object of `type_name` (empty when it fits)."""
    spec = SPEC["types"][type_name]
    if "subtypes" in spec:
        return [] if any(fits(sub, value) for sub in spec["subtypes"]) else [type_name]
    if not isinstance(value, dict):
        return [f"{type_name} is not an object"]
    return check_fields(type_name, spec.get("fields", []), value)


def check_fields(where: str, fields: list[dict[str, Any]], value: dict[str, Any]) -> list[str]:
    """Required fields present, no unknown fields, every value of an allowed type."""
    known = {field["name"]: field for field in fields}
    found = [f"{where}: unknown {name}" for name in value if name not in known]
    for name, field in known.items():
        if name not in value:
            if field["required"]:
                found.append(f"{where}: {name} missing")
        elif not any(fits(kind, value[name]) for kind in field["types"]):
            found.append(f"{where}: {name}={value[name]!r} is not {field['types']}")
    return found


@pytest.fixture
async def session() -> AsyncIterator[tuple[TelegramSandbox, TelegramChannel]]:
    clock = VirtualClock()
    sandbox = TelegramSandbox(TOKEN, clock=clock)
    channel = TelegramChannel(
        token=TOKEN,
        api_base=await sandbox.start(),
        webhook_secret="spec_secret",
        clock=clock,
        sleep=clock.sleep,
        on_inbound=_echo,
    )
    await channel.start()
    yield sandbox, channel
    await channel.stop()
    await sandbox.stop()


async def _echo(inbound: Any) -> list[Outbound]:
    return [Outbound(inbound.sender, f"echo: {inbound.text}", f"echo:{inbound.provider_id}")]


async def test_every_call_of_a_session_fits_the_spec(
    session: tuple[TelegramSandbox, TelegramChannel],
) -> None:
    sandbox, channel = session
    buttons = (Button("Bayar besok", "promise:1"), Button("Sudah bayar", "paid"))
    to = Address("telegram", str(CHAT))
    await channel.send(Outbound(to, "Tagihan Rp5.000.000", "k1", buttons=buttons))
    await channel.set_webhook("https://tagih.example.co.id/telegram")
    press = sandbox.state.user_press(CHAT, sandbox.sent[0].message_id, "paid")
    assert await channel.handle_webhook(press, "spec_secret") == 200
    await channel.application.bot.delete_webhook()
    await sandbox.user_says(CHAT, "/start TOKEN123")
    assert await channel.poll_once() == 1
    sandbox.block(CHAT + 1)
    await channel.send(Outbound(Address("telegram", str(CHAT + 1)), "halo", "k2"))

    methods = [method for method, _ in sandbox.calls]
    for expected in ("getMe", "sendMessage", "setWebhook", "answerCallbackQuery", "getUpdates"):
        assert expected in methods
    assert [r.status for r in sandbox.requests if r.status != 200] == [403]  # the blocked chat
    for method, params in sandbox.calls:
        spec = SPEC["methods"][method]
        assert check_fields(method, spec.get("fields", []), params) == []


async def test_answers_have_every_required_field(
    session: tuple[TelegramSandbox, TelegramChannel],
) -> None:
    sandbox, _ = session
    markup = {"inline_keyboard": [[{"text": "Bayar", "callback_data": "pay"}]]}
    async with aiohttp.ClientSession() as client:
        base = f"{sandbox.url}/bot{TOKEN}"
        async with client.get(f"{base}/getMe") as reply:
            me = await reply.json()
        data = {"chat_id": CHAT, "text": "Tagihan", "reply_markup": markup}
        async with client.post(f"{base}/sendMessage", json=data) as reply:
            sent = await reply.json()
    assert me["ok"] is True and sent["ok"] is True
    assert problems("User", me["result"]) == []
    assert problems("Message", sent["result"]) == []
    message = sent["result"]
    assert problems("Chat", message["chat"]) == []
    assert problems("User", message["from"]) == []
    assert message["reply_markup"] == markup
    required = {f["name"] for f in SPEC["types"]["Message"]["fields"] if f["required"]}
    assert required <= message.keys()
