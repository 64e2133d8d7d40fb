"""A loopback Telegram Bot API (aiohttp) speaking the real wire format, with test knobs."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.telegram_api import BotApiState
from bot.sandbox.telegram_spec import (
    DEFAULT_SPEC_PATH,
    BotApiSpec,
    SpecError,
    Upload,
    fallback_params,
)
from bot.sandbox.telegram_types import ApiError, ApiRequest, SentMessage

__all__ = ["ApiRequest", "SentMessage", "TelegramSandbox"]

log = logging.getLogger(__name__)
_UNSET: Any = object()


class TelegramSandbox:
    """A Bot API server in the running loop, checking every call against the published spec.

    `calls` logs (method, params) of every call that reached a method, `requests` adds the
    time and status, `sent` keeps the messages the bot sent. Users are simulated with
    `user_says` and `user_presses`; their updates go to the webhook if one is set, else
    they wait for getUpdates.
    """

    def __init__(
        self,
        token: str,
        *,
        bot_username: str = "tagih_sandbox_bot",
        clock: Callable[[], float] = time.monotonic,
        known_chats_only: bool = False,
        spec_path: Path = DEFAULT_SPEC_PATH,
        port: int = 0,
    ) -> None:
        """A bot with `token`; with `known_chats_only`, only chats that wrote first exist.

        `port` 0 listens on any free port; a fixed one lets a test bring the API back
        where a client expects it after an outage.
        """
        self.token = token
        self.port = port
        self.clock = clock
        bot_id = int(token.partition(":")[0]) if token.partition(":")[0].isdecimal() else 1
        self.state = BotApiState(bot_id, bot_username, known_chats_only=known_chats_only)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.requests: list[ApiRequest] = []
        self.deliveries: list[tuple[int, int | None]] = []
        self.url = ""
        self._spec_path = spec_path
        self._spec: BotApiSpec | None = _UNSET
        self._failures: dict[str, deque[ApiError]] = defaultdict(deque)
        self._hangs: dict[str, int] = defaultdict(int)
        self._released = asyncio.Event()
        self._update_arrived = asyncio.Event()
        self._new_call = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    # --- what tests read ----------------------------------------------------------------
    @property
    def sent(self) -> list[SentMessage]:
        """Every message the bot sent, in order."""
        return self.state.sent

    @property
    def answered(self) -> dict[str, dict[str, Any]]:
        """Callback queries answered by the bot: query id → answerCallbackQuery params."""
        return self.state.answered

    @property
    def spec(self) -> BotApiSpec | None:
        """The Bot API spec, loaded on first use; None when the file is absent."""
        if self._spec is _UNSET:
            self._spec = BotApiSpec.load(self._spec_path)
            if self._spec is None:
                log.warning(
                    "no Bot API spec at %s: sandbox calls are not validated", self._spec_path
                )
        return self._spec

    def history(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages of one chat, both directions, as Bot API Message objects."""
        return list(self.state.messages.get(chat_id, {}).values())

    async def called(self, method: str, times: int = 1) -> None:
        """Wait until `method` has been called `times` times (no clock involved)."""
        while sum(1 for name, _ in self.calls if name == method) < times:
            self._new_call.clear()
            await self._new_call.wait()

    # --- knobs --------------------------------------------------------------------------
    def block(self, chat_id: int) -> None:
        """The user of `chat_id` blocks the bot: sends there answer 403."""
        self.state.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        self.state.blocked.discard(chat_id)

    def fail_next(
        self, method: str, error_code: int, description: str, retry_after: int | None = None
    ) -> None:
        """Answer the next call of `method` with this error (a 429 carries `retry_after`)."""
        self._failures[method.lower()].append(ApiError(error_code, description, retry_after))

    def hang_next(self, method: str) -> None:
        """Never answer the next call of `method` (the client times out); nothing is done."""
        self._hangs[method.lower()] += 1

    # --- server -------------------------------------------------------------------------
    async def start(self) -> str:
        """Listen on 127.0.0.1 (`port`, 0: any free one); return `http://127.0.0.1:PORT`."""
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # No access log: request lines carry the bot token.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        host, self.port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{self.port}"
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        log.debug("sandbox Telegram Bot API on %s", self.url)
        return self.url

    async def stop(self) -> None:
        """Release hanging requests, stop listening and close the webhook client."""
        self._released.set()
        self._update_arrived.set()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            return _error(ApiError(401, "Unauthorized"))
        spec = self.spec
        name = request.match_info["method"]
        method = spec.method_name(name) if spec else self.state.canonical(name)
        if method is None or not self.state.implements(method):
            return _error(ApiError(404, "Not Found"))
        try:
            raw = await _read_params(request)
            params = spec.check_call(method, raw) if spec else fallback_params(raw)
        except (SpecError, ValueError) as exc:
            message = str(exc) if isinstance(exc, SpecError) else "Bad Request: can't parse body"
            return self._answer(method, {}, ApiError(400, message))
        self.calls.append((method, params))
        self._new_call.set()  # waiters run after this call was handled or began to wait
        now = self.clock()
        if self._hangs[method.lower()]:
            self._hangs[method.lower()] -= 1
            await self._released.wait()  # until the sandbox stops
            return self._answer(method, params, ApiError(500, "Internal Server Error"))
        failures = self._failures[method.lower()]
        if failures:
            failure = failures.popleft()
            if failure.retry_after is not None and isinstance(params.get("chat_id"), int):
                self.state.note_flood(params["chat_id"], failure.retry_after, now)
            return self._answer(method, params, failure, now)
        try:
            result = self.state.call(method, params, now)
            if method == "getUpdates" and not result and params.get("timeout", 0) > 0:
                result = await self._long_poll(params)
        except ApiError as exc:
            return self._answer(method, params, exc, now)
        return self._answer(method, params, result, now)

    async def _long_poll(self, params: dict[str, Any]) -> Any:
        """Wait up to `timeout` seconds for an update, as getUpdates long polling does."""
        self._update_arrived.clear()
        try:
            await asyncio.wait_for(self._update_arrived.wait(), params["timeout"])
        except TimeoutError:
            return []
        return self.state.call("getUpdates", params, self.clock())

    def _answer(
        self, method: str, params: dict[str, Any], result: Any, now: float | None = None
    ) -> web.Response:
        at = self.clock() if now is None else now
        if isinstance(result, ApiError):
            self.requests.append(ApiRequest(at, method, params, result.code))
            return _error(result)
        self.requests.append(ApiRequest(at, method, params, 200))
        return web.json_response({"ok": True, "result": result})

    # --- users --------------------------------------------------------------------------
    async def user_says(
        self, chat_id: int, text: str, *, first_name: str = "Budi", username: str | None = None
    ) -> dict[str, Any]:
        """A user writes `text` in a private chat; the Update is delivered and returned."""
        update = self.state.user_message(chat_id, text, first_name=first_name, username=username)
        await self.deliver(update)
        return update

    async def user_sends_photo(
        self, chat_id: int, caption: str = "", *, first_name: str = "Budi"
    ) -> dict[str, Any]:
        """A user sends a photo with an optional caption; the Update is delivered and returned."""
        update = self.state.user_photo(chat_id, caption, first_name=first_name)
        await self.deliver(update)
        return update

    async def user_presses(self, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        """A user presses the inline button with `data` under a bot message; returns the Update."""
        update = self.state.user_press(chat_id, message_id, data)
        await self.deliver(update)
        return update

    async def redeliver(self, update: dict[str, Any]) -> int | None:
        """Deliver the same update again, as Telegram retries an unacknowledged one."""
        return await self.deliver(update)

    async def deliver(self, update: dict[str, Any]) -> int | None:
        """POST to the webhook (its HTTP status; 0: unreachable) or queue for getUpdates (None)."""
        status = None
        if not self.state.updates.wanted(update):
            pass  # the bot did not ask for this kind of update (allowed_updates)
        elif self.state.updates.webhook is None:
            self.state.updates.pending.append(update)
            self._update_arrived.set()
        else:
            status = await self._post_webhook(update)
        self.deliveries.append((update["update_id"], status))
        return status

    async def _post_webhook(self, update: dict[str, Any]) -> int:
        webhook = self.state.updates.webhook
        assert webhook is not None and self._session is not None, "start() the sandbox first"
        headers = {}
        if "secret_token" in webhook:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
        try:
            async with self._session.post(webhook["url"], json=update, headers=headers) as reply:
                status = reply.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.state.updates.last_error = (int(time.time()), f"Connection failed: {exc}")
            return 0
        if not 200 <= status < 300:
            message = f"Wrong response from the webhook: {status} {reply.reason}"
            self.state.updates.last_error = (int(time.time()), message)
        return status


async def _read_params(request: web.Request) -> dict[str, Any]:
    """The call's parameters from the query string and a JSON, form or multipart body."""
    params: dict[str, Any] = dict(request.query)
    if request.method == "GET" or not request.body_exists:
        return params
    if request.content_type == "application/json":
        body = json.loads(await request.read())
        if not isinstance(body, dict):
            raise ValueError("a JSON body must be an object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[name] = Upload(value.filename, value.file.read())
            else:
                params[name] = value
    return params


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.code)
