"""The real TelegramChannel (python-telegram-bot 22) against the sandbox Bot API on loopback."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.app.channels import telegram_channel
from bot.channels.telegram import SANDBOX_TOKEN, TelegramChannel
from bot.channels.telegram_outcome import classify
from bot.config import ConfigError, Settings
from bot.sandbox.telegram import TelegramSandbox
from scheduler.channel import Channel
from scheduler.messages import Address, Button, DeliveryOutcome, Inbound, Outbound
from tests.support.virtual_clock import VirtualClock

TOKEN = "123456789:AAH-tagih-test-token"
SECRET = "s3cret_webhook-token"
CHAT = 555000111


class Inbox:
    """The `on_inbound` callback: keeps what arrives and answers with canned replies."""

    def __init__(self) -> None:
        self.received: list[Inbound] = []
        self.reply_with: str | None = None
        self.fail = False
        self.arrived = asyncio.Event()

    async def __call__(self, inbound: Inbound) -> Sequence[Outbound] | None:
        if self.fail:
            raise RuntimeError("database is down")
        self.received.append(inbound)
        self.arrived.set()
        if self.reply_with is None:
            return None
        key = f"reply:{inbound.provider_id}"
        return [Outbound(to=inbound.sender, body=self.reply_with, idempotency_key=key)]


def reminder(chat: int = CHAT, key: str = "C-1:2026-03-28:3:telegram", **kwargs: Any) -> Outbound:
    fields: dict[str, Any] = {
        "to": Address("telegram", str(chat), "Budi"),
        "body": "Yth. Budi, faktur INV-001 sebesar Rp5.000.000 lewat jatuh tempo 3 hari.",
        "idempotency_key": key,
        "buttons": (Button("Saya bayar besok", "promise:tomorrow"), Button("Hubungi saya", "call")),
    }
    fields.update(kwargs)
    return Outbound(**fields)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def sandbox(clock: VirtualClock) -> AsyncIterator[TelegramSandbox]:
    server = TelegramSandbox(TOKEN, clock=clock)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def channel(
    sandbox: TelegramSandbox, clock: VirtualClock, inbox: Inbox
) -> AsyncIterator[TelegramChannel]:
    tg = TelegramChannel(
        token=TOKEN,
        api_base=sandbox.url,
        webhook_secret=SECRET,
        on_inbound=inbox,
        clock=clock,
        sleep=clock.sleep,
        read_timeout=0.5,  # only the hang test waits for it
        poll_timeout=5,
    )
    await tg.start()
    yield tg
    await tg.stop()


@pytest.fixture
async def webhook(channel: TelegramChannel) -> AsyncIterator[str]:
    """A tiny aiohttp server standing in for bot/inbound/web.py: POST /telegram → handle_webhook."""

    async def receive(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        status = await channel.handle_webhook(await request.json(), secret)
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/telegram", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}/telegram"
    await channel.set_webhook(url)
    yield url
    await runner.cleanup()


async def test_reminder_with_buttons_arrives(
    channel: TelegramChannel, sandbox: TelegramSandbox
) -> None:
    assert isinstance(channel, Channel)
    result = await channel.send(reminder())
    assert result.outcome is DeliveryOutcome.SENT
    [sent] = sandbox.sent
    assert result.provider_id == f"{CHAT}:{sent.message_id}"
    assert sent.text.startswith("Yth. Budi")
    assert sent.reply_markup == {
        "inline_keyboard": [
            [{"text": "Saya bayar besok", "callback_data": "promise:tomorrow"}],
            [{"text": "Hubungi saya", "callback_data": "call"}],
        ]
    }
    assert channel.deep_link("C-0042_x") == "https://t.me/tagih_sandbox_bot?start=C-0042_x"


async def test_user_message_through_webhook(
    channel: TelegramChannel, sandbox: TelegramSandbox, inbox: Inbox, webhook: str
) -> None:
    inbox.reply_with = "Terima kasih, Budi."
    update = await sandbox.user_says(CHAT, "saya bayar tgl 25", first_name="Budi", username="budi")
    assert sandbox.deliveries[-1] == (update["update_id"], 200)
    [inbound] = inbox.received
    assert inbound.sender == Address("telegram", str(CHAT), "Budi")
    assert inbound.text == "saya bayar tgl 25"
    assert inbound.provider_id == f"tg:{update['update_id']}"
    assert inbound.payload is None
    assert inbound.received_at.utcoffset() is not None
    assert int(inbound.received_at.timestamp()) == update["message"]["date"]
    assert [m.text for m in sandbox.sent] == ["Terima kasih, Budi."]  # the reply, same chat
    assert sandbox.sent[0].chat_id == CHAT
    # Telegram retrying the same update_id is skipped cheaply.
    assert await sandbox.redeliver(update) == 200
    assert len(inbox.received) == 1


async def test_webhook_secret_checked(
    channel: TelegramChannel, sandbox: TelegramSandbox, inbox: Inbox
) -> None:
    update = sandbox.state.user_message(CHAT, "halo", first_name="Budi", username=None)
    assert await channel.handle_webhook(update, None) == 403
    assert await channel.handle_webhook(update, "wrong") == 403
    assert await channel.handle_webhook(update, "sëcret") == 403  # non-ASCII does not crash
    assert inbox.received == []
    assert await channel.handle_webhook({"no": "update"}, SECRET) == 400
    assert await channel.handle_webhook(update, SECRET) == 200
    assert [i.text for i in inbox.received] == ["halo"]


async def test_failed_handler_makes_telegram_retry(
    channel: TelegramChannel, sandbox: TelegramSandbox, inbox: Inbox, webhook: str
) -> None:
    inbox.fail = True
    update = await sandbox.user_says(CHAT, "halo")
    assert sandbox.deliveries[-1] == (update["update_id"], 500)
    inbox.fail = False
    assert await sandbox.redeliver(update) == 200
    assert [i.provider_id for i in inbox.received] == [f"tg:{update['update_id']}"]


async def test_button_press(
    channel: TelegramChannel, sandbox: TelegramSandbox, inbox: Inbox, webhook: str
) -> None:
    await channel.send(reminder())
    [sent] = sandbox.sent
    update = await sandbox.user_presses(CHAT, sent.message_id, "promise:tomorrow")
    [inbound] = inbox.received
    assert inbound.payload == "promise:tomorrow"
    assert inbound.text == "Saya bayar besok"  # the label the user saw
    assert inbound.sender.value == str(CHAT)
    assert inbound.provider_id == f"tg:{update['update_id']}"
    assert update["callback_query"]["id"] in sandbox.answered  # the button stops spinning


async def test_start_deep_link(
    channel: TelegramChannel, sandbox: TelegramSandbox, inbox: Inbox, webhook: str
) -> None:
    await sandbox.user_says(CHAT, "/start LINK-7f3a_9")
    await sandbox.user_says(CHAT, "/start")
    await sandbox.user_says(CHAT, "/jadwal C-0042")  # other commands arrive as text
    assert [(i.text, i.payload) for i in inbox.received] == [
        ("/start LINK-7f3a_9", "start:LINK-7f3a_9"),
        ("/start", None),
        ("/jadwal C-0042", None),
    ]


async def test_polling(channel: TelegramChannel, sandbox: TelegramSandbox, inbox: Inbox) -> None:
    first = await sandbox.user_says(CHAT, "satu")
    await sandbox.user_says(CHAT + 1, "dua")
    assert sandbox.deliveries[0] == (first["update_id"], None)  # queued for getUpdates
    assert await channel.poll_once() == 2
    assert await channel.poll_once() == 0  # the offset confirmed both
    assert [i.text for i in inbox.received] == ["satu", "dua"]
    assert sandbox.state.updates.pending == []


async def test_polling_retries_a_failed_update(
    channel: TelegramChannel, sandbox: TelegramSandbox, inbox: Inbox
) -> None:
    await sandbox.user_says(CHAT, "satu")
    inbox.fail = True
    assert await channel.poll_once() == 0
    inbox.fail = False
    assert await channel.poll_once() == 1
    assert [i.text for i in inbox.received] == ["satu"]


async def test_run_polling_until_stopped(
    channel: TelegramChannel, sandbox: TelegramSandbox, inbox: Inbox, webhook: str
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(channel.run_polling(stop))
    await sandbox.called("deleteWebhook")  # run_polling removes the webhook first
    assert sandbox.state.updates.webhook is None
    await sandbox.user_says(CHAT, "halo lewat polling")
    await inbox.arrived.wait()
    stop.set()
    await task
    assert [i.text for i in inbox.received] == ["halo lewat polling"]


async def test_429_is_honoured(
    channel: TelegramChannel, sandbox: TelegramSandbox, clock: VirtualClock
) -> None:
    sandbox.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    start = clock()
    result = await channel.send(reminder())
    assert result.outcome is DeliveryOutcome.RETRYABLE
    assert result.retry_after == 3.0
    assert (await channel.send(reminder(key="again"))).ok
    to_chat = [r for r in sandbox.requests if r.method == "sendMessage"]
    assert [r.status for r in to_chat] == [429, 200]
    assert to_chat[1].at - start >= 3.0
    before = clock()
    other = await channel.send(reminder(chat=CHAT + 1))  # one chat's flood holds only that chat
    assert other.ok and clock() - before < 1.0


async def test_floods_in_two_chats_hold_everything(
    channel: TelegramChannel, sandbox: TelegramSandbox, clock: VirtualClock
) -> None:
    for chat in (CHAT, CHAT + 1):
        sandbox.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
        await channel.send(reminder(chat=chat))
    start = clock()
    assert (await channel.send(reminder(chat=CHAT + 2))).ok
    assert clock() - start >= 4.0


async def test_a_chat_waiting_out_its_flood_holds_no_place_in_flight(
    sandbox: TelegramSandbox, clock: VirtualClock
) -> None:
    channel = TelegramChannel(
        token=TOKEN, api_base=sandbox.url, max_in_flight=1, clock=clock, sleep=clock.sleep
    )
    await channel.start()
    try:
        sandbox.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
        assert not (await channel.send(reminder())).ok  # CHAT now waits 30 s
        # One place in flight: CHAT's send waits for its chat, without the place, so the
        # send to another chat goes first.
        held, free = await asyncio.gather(
            channel.send(reminder(key="again")), channel.send(reminder(chat=CHAT + 1))
        )
    finally:
        await channel.stop()
    assert held.ok and free.ok and channel.in_flight.peak == 1
    sent = [r.params["chat_id"] for r in sandbox.requests if r.method == "sendMessage"]
    assert sent == [CHAT, CHAT + 1, CHAT]


async def test_blocked_chat_is_permanent(
    channel: TelegramChannel, sandbox: TelegramSandbox
) -> None:
    sandbox.block(CHAT)
    result = await channel.send(reminder())
    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.error_code == "blocked"


async def test_unknown_chat_is_permanent(clock: VirtualClock) -> None:
    sandbox = TelegramSandbox(TOKEN, clock=clock, known_chats_only=True)
    channel = TelegramChannel(
        token=TOKEN, api_base=await sandbox.start(), clock=clock, sleep=clock.sleep
    )
    await channel.start()
    try:
        result = await channel.send(reminder())
        assert (result.outcome, result.error_code) == (DeliveryOutcome.PERMANENT, "chat-not-found")
        bad = await channel.send(reminder(to=Address("telegram", "@budi")))
        assert (bad.outcome, bad.error_code) == (DeliveryOutcome.PERMANENT, "invalid-message")
    finally:
        await channel.stop()
        await sandbox.stop()


async def test_hang_is_unknown(channel: TelegramChannel, sandbox: TelegramSandbox) -> None:
    sandbox.hang_next("sendMessage")
    result = await channel.send(reminder())
    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert result.error_code == "timeout"


async def test_refused_connection_is_retryable(clock: VirtualClock) -> None:
    sandbox = TelegramSandbox(TOKEN, clock=clock)
    channel = TelegramChannel(
        token=TOKEN, api_base=await sandbox.start(), clock=clock, sleep=clock.sleep
    )
    await channel.start()
    await sandbox.stop()  # nothing listens on the port any more
    try:
        result = await channel.send(reminder())
        assert (result.outcome, result.error_code) == (DeliveryOutcome.RETRYABLE, "network")
    finally:
        await channel.stop()


async def test_pacing_per_chat(
    channel: TelegramChannel, sandbox: TelegramSandbox, clock: VirtualClock
) -> None:
    for n in range(4):
        assert (await channel.send(reminder(key=f"k{n}"))).ok
    times = [s.at for s in sandbox.sent]
    assert [round(b - a, 3) for a, b in itertools.pairwise(times)] == [1.0, 1.0, 1.0]


async def test_pacing_overall(
    channel: TelegramChannel, sandbox: TelegramSandbox, clock: VirtualClock
) -> None:
    start = clock()
    for n in range(61):
        assert (await channel.send(reminder(chat=CHAT + n))).ok
    assert 2.0 - 1e-6 <= clock() - start < 2.1  # 61 sends at 30/s
    assert all(r.status == 200 for r in sandbox.requests)  # the sandbox saw no flood


async def test_from_settings(sandbox: TelegramSandbox) -> None:
    with pytest.raises(ConfigError, match="TAGIH_TELEGRAM_TOKEN"):
        telegram_channel(Settings(_env_file=None))
    channel = telegram_channel(Settings(_env_file=None), api_base=sandbox.url)
    assert channel.application.bot.token == SANDBOX_TOKEN
    with pytest.raises(ConfigError, match="rejected"):  # the sandbox knows another token
        await channel.start()
    await channel.stop()


def _caused(exc: TelegramError, cause: BaseException) -> TelegramError:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("make", "outcome", "code"),
    [
        (lambda: RetryAfter(7), DeliveryOutcome.RETRYABLE, "flood"),
        (
            lambda: Forbidden("Forbidden: user is deactivated"),
            DeliveryOutcome.PERMANENT,
            "forbidden",
        ),
        (lambda: ChatMigrated(-100123), DeliveryOutcome.PERMANENT, "chat-migrated"),
        (lambda: InvalidToken("Unauthorized"), DeliveryOutcome.RETRYABLE, "unauthorized"),
        (
            lambda: BadRequest("Bad Request: message is too long"),
            DeliveryOutcome.PERMANENT,
            "bad-request",
        ),
        (
            lambda: _caused(TimedOut(), httpx.ConnectTimeout("")),
            DeliveryOutcome.RETRYABLE,
            "timeout",
        ),
        (lambda: _caused(TimedOut(), httpx.PoolTimeout("")), DeliveryOutcome.RETRYABLE, "timeout"),
        (lambda: _caused(TimedOut(), httpx.WriteTimeout("")), DeliveryOutcome.UNKNOWN, "timeout"),
        (lambda: NetworkError("Bad Gateway (502)"), DeliveryOutcome.UNKNOWN, "network"),
        (
            lambda: _caused(NetworkError("x"), httpx.RemoteProtocolError("")),
            DeliveryOutcome.UNKNOWN,
            "network",
        ),
    ],
)
def test_classify(
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[], TelegramError],
    outcome: DeliveryOutcome,
    code: str,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as TelegramChannel() opts in
    result = classify(make())
    assert (result.outcome, result.error_code) == (outcome, code)
    assert result.retry_after == (7.0 if code == "flood" else None)


async def test_no_process_wide_side_effects(
    sandbox: TelegramSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building, starting and stopping a channel leaves the environment and the loggers as
    they were: process-wide settings are the CLI's start-up's (bot.cli.main.main)."""
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    names = ("httpx", "httpcore", "telegram")
    levels = {name: logging.getLogger(name).level for name in names}
    environ = dict(os.environ)
    channel = TelegramChannel(token=TOKEN, api_base=sandbox.url, webhook_secret=SECRET)
    await channel.start()
    await channel.stop()
    assert dict(os.environ) == environ
    assert {name: logging.getLogger(name).level for name in names} == levels


async def test_not_started() -> None:
    channel = TelegramChannel(token=TOKEN, api_base="http://127.0.0.1:9", webhook_secret=SECRET)
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "x"},
    }
    assert await channel.handle_webhook(update, SECRET) == 503  # Telegram will retry
    with pytest.raises(RuntimeError, match="start"):
        channel.deep_link("abc")
    await channel.stop()
    with pytest.raises(ValueError, match="webhook secret"):
        TelegramChannel(token=TOKEN, webhook_secret="has spaces")
