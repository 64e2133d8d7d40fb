"""The sandbox Bot API over raw HTTP: auth, encodings, validation, flood limits, updates."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.telegram_spec import DEFAULT_SPEC_PATH
from tests.support.virtual_clock import VirtualClock

TOKEN = "4242:sandbox-test-token"
CHAT = 81234567
needs_spec = pytest.mark.skipif(
    not DEFAULT_SPEC_PATH.is_file(), reason=f"Bot API spec not found at {DEFAULT_SPEC_PATH}"
)


class Api:
    """A bare Bot API client: the wire format with no library in between."""

    def __init__(self, client: aiohttp.ClientSession, base: str) -> None:
        self.client = client
        self.base = base

    async def __call__(self, method: str, token: str = TOKEN, **params: Any) -> tuple[int, Any]:
        url = f"{self.base}/bot{token}/{method}"
        async with self.client.post(url, json=params) as reply:
            return reply.status, await reply.json()

    async def form(self, method: str, data: Any) -> tuple[int, Any]:
        async with self.client.post(f"{self.base}/bot{TOKEN}/{method}", data=data) as reply:
            return reply.status, await reply.json()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def sandbox(clock: VirtualClock) -> AsyncIterator[TelegramSandbox]:
    server = TelegramSandbox(TOKEN, clock=clock)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def api(sandbox: TelegramSandbox) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as client:
        yield Api(client, sandbox.url)


async def test_auth_and_unknown_method(api: Api) -> None:
    assert await api("getMe", token="4242:wrong") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await api("sendCarrierPigeon") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, me = await api("getme")  # Telegram matches method names case-insensitively
    assert status == 200 and me["result"]["username"] == "tagih_sandbox_bot"
    async with api.client.get(f"{api.base}/bot{TOKEN}/getMe") as reply:
        assert (await reply.json())["result"]["is_bot"] is True


async def test_json_form_and_multipart_bodies(api: Api, sandbox: TelegramSandbox) -> None:
    markup = {"inline_keyboard": [[{"text": "Bayar", "callback_data": "pay"}]]}
    status, _ = await api("sendMessage", chat_id=CHAT, text="json", reply_markup=markup)
    assert status == 200
    form = {"chat_id": str(CHAT + 1), "text": "form", "reply_markup": json.dumps(markup)}
    assert (await api.form("sendMessage", form))[0] == 200
    multipart = aiohttp.FormData({"url": "https://example.com/hook"})
    multipart.add_field("certificate", b"-----BEGIN CERTIFICATE-----", filename="cert.pem")
    assert (await api.form("setWebhook", multipart))[0] == 200
    assert [(s.chat_id, s.text, s.reply_markup) for s in sandbox.sent] == [
        (CHAT, "json", markup),
        (CHAT + 1, "form", markup),  # form fields decoded by their spec types
    ]
    decoded = {"chat_id": CHAT + 1, "text": "form", "reply_markup": markup}
    assert sandbox.calls[1] == ("sendMessage", decoded)
    assert sandbox.calls[2][1]["certificate"].filename == "cert.pem"


@needs_spec
@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("sendMessage", {"text": "x"}, 'Bad Request: parameter "chat_id" is required'),
        ("sendMessage", {"chat_id": 1, "text": "x", "colour": "red"}, "unknown parameter"),
        ("deleteMessage", {"chat_id": 1, "message_id": "satu"}, '"message_id" must be'),
        ("sendMessage", {"chat_id": 1, "text": ""}, "Bad Request: message text is empty"),
        ("sendMessage", {"chat_id": 1, "text": "x" * 4097}, "Bad Request: message is too long"),
        (
            "sendMessage",
            {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a"}]]}},
            "Text buttons are unallowed",
        ),
        (
            "sendMessage",
            {
                "chat_id": 1,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "é" * 33}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            "sendMessage",
            {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"txt": "a"}]]}},
            'unknown field "txt"',
        ),
        ("setWebhook", {"url": "https://x", "secret_token": "no spaces"}, "unallowed characters"),
        ("getUpdates", {"allowed_updates": "message"}, "allowed_updates"),
    ],
)
async def test_calls_are_checked_against_the_spec(
    api: Api, sandbox: TelegramSandbox, method: str, params: dict[str, Any], description: str
) -> None:
    status, body = await api(method, **params)
    assert status == 400, body
    assert body["ok"] is False and body["error_code"] == 400
    assert description in body["description"]
    assert sandbox.sent == []


async def test_without_the_spec_calls_still_work(clock: VirtualClock, tmp_path: Path) -> None:
    sandbox = TelegramSandbox(TOKEN, clock=clock, spec_path=tmp_path / "absent.json")
    base = await sandbox.start()
    try:
        async with aiohttp.ClientSession() as client:
            api = Api(client, base)
            assert (await api.form("sendMessage", {"chat_id": str(CHAT), "text": "1"}))[0] == 200
    finally:
        await sandbox.stop()
    assert sandbox.spec is None
    assert sandbox.sent[0].chat_id == CHAT and sandbox.sent[0].text == "1"


async def test_flood_limit_per_chat(
    api: Api, sandbox: TelegramSandbox, clock: VirtualClock
) -> None:
    assert (await api("sendMessage", chat_id=CHAT, text="1"))[0] == 200
    clock.now += 0.4
    status, body = await api("sendMessage", chat_id=CHAT, text="2")
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    assert (await api("sendMessage", chat_id=CHAT + 1, text="other chat"))[0] == 200
    clock.now += 0.7  # 1.1 s after the first: still inside the flood wait
    assert (await api("sendMessage", chat_id=CHAT, text="2"))[0] == 429
    clock.now += 0.31
    assert (await api("sendMessage", chat_id=CHAT, text="2"))[0] == 200


async def test_flood_limit_overall(api: Api, clock: VirtualClock) -> None:
    for n in range(30):
        assert (await api("sendMessage", chat_id=CHAT + n, text="x"))[0] == 200
        clock.now += 0.02
    status, body = await api("sendMessage", chat_id=CHAT + 99, text="x")
    assert status == 429 and body["parameters"]["retry_after"] == 1
    clock.now += 1.0
    assert (await api("sendMessage", chat_id=CHAT + 99, text="x"))[0] == 200


async def test_flood_limit_overall_allows_jitter_not_speed(api: Api, clock: VirtualClock) -> None:
    """30/s arriving up to 25 ms bunched passes (a loaded sender's jitter); 32/s does not."""
    start = clock.now = 100.0
    for n in range(90):  # three seconds at 30/s, the first and third 25 ms late
        clock.now = start + n / 30 + (0.025 if n // 30 != 1 else 0.0)
        assert (await api("sendMessage", chat_id=CHAT + n, text="x"))[0] == 200, n
    start = clock.now = 200.0
    statuses = []
    for n in range(64):  # two seconds at 32/s
        clock.now = start + n / 32
        statuses.append((await api("sendMessage", chat_id=CHAT + 200 + n, text="x"))[0])
    assert 429 in statuses


async def test_knobs(api: Api, sandbox: TelegramSandbox) -> None:
    sandbox.fail_next("sendMessage", 500, "Internal Server Error")
    assert await api("sendMessage", chat_id=CHAT, text="x") == (
        500,
        {"ok": False, "error_code": 500, "description": "Internal Server Error"},
    )
    sandbox.block(CHAT)
    assert await api("sendMessage", chat_id=CHAT, text="x") == (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    sandbox.unblock(CHAT)
    sandbox.hang_next("sendMessage")
    hanging = asyncio.create_task(api("sendMessage", chat_id=CHAT, text="x"))
    await sandbox.called("sendMessage", 3)
    assert not hanging.done()
    await sandbox.stop()  # releases the hanging call
    assert (await hanging)[0] == 500
    assert sandbox.sent == []


async def test_updates_queue_for_get_updates(api: Api, sandbox: TelegramSandbox) -> None:
    first = await sandbox.user_says(CHAT, "/start TOKEN", username="budi")
    assert first["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert first["message"]["from"]["username"] == "budi"
    second = await sandbox.user_says(CHAT, "halo")
    assert second["update_id"] == first["update_id"] + 1
    assert second["message"]["message_id"] == first["message"]["message_id"] + 1
    status, body = await api("getUpdates")
    assert status == 200 and body["result"] == [first, second]
    _, body = await api("getUpdates", offset=second["update_id"])
    assert body["result"] == [second]  # the first is confirmed
    _, body = await api("getUpdates", offset=second["update_id"] + 1)
    assert body["result"] == []
    # Long polling answers as soon as an update arrives.
    waiting = asyncio.create_task(api("getUpdates", offset=second["update_id"] + 1, timeout=30))
    await sandbox.called("getUpdates", 4)
    third = await sandbox.user_says(CHAT, "lagi")
    assert (await waiting)[1]["result"] == [third]
    # Updates the bot did not ask for are not kept.
    await api("getUpdates", offset=third["update_id"] + 1, allowed_updates=["callback_query"])
    await sandbox.user_says(CHAT, "diabaikan")
    assert sandbox.state.updates.pending == []


async def test_button_press_and_answer(api: Api, sandbox: TelegramSandbox) -> None:
    markup = {"inline_keyboard": [[{"text": "Bayar", "callback_data": "pay"}]]}
    _, body = await api("sendMessage", chat_id=CHAT, text="Tagihan", reply_markup=markup)
    message_id = body["result"]["message_id"]
    with pytest.raises(ValueError, match="no button"):
        await sandbox.user_presses(CHAT, message_id, "other")
    update = await sandbox.user_presses(CHAT, message_id, "pay")
    query = update["callback_query"]
    assert query["data"] == "pay" and query["message"]["message_id"] == message_id
    assert {"id", "from", "chat_instance"} <= query.keys()
    assert (await api("answerCallbackQuery", callback_query_id=query["id"]))[0] == 200
    status, body = await api("answerCallbackQuery", callback_query_id=query["id"])
    assert status == 400 and "query is too old" in body["description"]
    assert sandbox.answered == {query["id"]: {"callback_query_id": query["id"]}}
    assert [m["text"] for m in sandbox.history(CHAT)] == ["Tagihan"]


async def test_edit_and_delete(api: Api, sandbox: TelegramSandbox) -> None:
    markup = {"inline_keyboard": [[{"text": "Bayar", "callback_data": "pay"}]]}
    _, body = await api("sendMessage", chat_id=CHAT, text="Tagihan", reply_markup=markup)
    ref = {"chat_id": CHAT, "message_id": body["result"]["message_id"]}
    status, body = await api("editMessageText", **ref, text="Tagihan (lunas)")
    assert status == 200 and "reply_markup" not in body["result"] and "edit_date" in body["result"]
    status, body = await api("editMessageText", **ref, text="Tagihan (lunas)")
    assert status == 400 and "message is not modified" in body["description"]
    assert (await api("editMessageReplyMarkup", **ref, reply_markup=markup))[0] == 200
    assert (await api("deleteMessage", **ref))[0] == 200
    assert (await api("deleteMessage", **ref))[1]["description"] == (
        "Bad Request: message to delete not found"
    )
    assert sandbox.history(CHAT) == []


async def test_webhook_delivery(api: Api, sandbox: TelegramSandbox) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        received.append((await request.json(), secret))
        return web.Response(status=200 if len(received) > 1 else 500)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        url = f"http://{host}:{port}/hook"
        assert (await api("setWebhook", url=url, secret_token="abc_DEF-1"))[0] == 200
        status, body = await api("getUpdates")
        assert status == 409 and body["description"].startswith("Conflict:")
        update = await sandbox.user_says(CHAT, "halo")
        assert sandbox.deliveries == [(update["update_id"], 500)]
        _, info = await api("getWebhookInfo")
        assert info["result"]["url"] == url
        assert "500" in info["result"]["last_error_message"]
        assert await sandbox.redeliver(update) == 200
        assert received == [(update, "abc_DEF-1"), (update, "abc_DEF-1")]
    finally:
        await runner.cleanup()
    assert await sandbox.redeliver(update) == 0  # nobody listens any more
    assert (await api("deleteWebhook"))[0] == 200
    assert await sandbox.redeliver(update) is None  # queued for getUpdates
