"""The Telegram channel on python-telegram-bot 22: paced sends, failures as values."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import secrets
import time
from typing import TYPE_CHECKING, Any, ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram import Message as TelegramMessage
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.channels.pacing import Clock, InFlight, Pacer, Sleep
from bot.channels.telegram_inbound import InboundHandler, TelegramUpdates
from bot.channels.telegram_outcome import classify
from bot.config import ConfigError
from bot.logmask import mask_address
from scheduler.channel import Capabilities
from scheduler.messages import Button, DeliveryOutcome, DeliveryResult, Outbound

if TYPE_CHECKING:
    pass

__all__ = ["SANDBOX_TOKEN", "InboundHandler", "TelegramChannel", "keyboard"]

#: The token the channel uses with the sandbox Bot API when no real token is configured.
SANDBOX_TOKEN = "1000000001:tagih-sandbox-token"
_START_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: Telegram's limit on a photo's caption, in characters.
MAX_CAPTION = 1024
#: The overall pace aims this share below `rate`. Telegram counts the requests that arrive
#: in any one second, and requests paced exactly 1/30 s apart arrive bunched by network and
#: scheduling jitter: 3 % leaves ~30 ms of it before a flood wait (1 % drew 429s under load).
HEADROOM = 0.03
#: Lateness credited to the overall pace (see pacing.LATENESS_CREDIT); it eats into the
#: headroom above, so less than the default.
GLOBAL_LATENESS_CREDIT = 0.005

log = logging.getLogger(__name__)


class TelegramChannel:
    """Send reminders with inline buttons through the Bot API; receive replies and presses."""

    name: ClassVar[str] = "telegram"
    # No HTML: plain text, with no parse_mode to escape for.
    capabilities: ClassVar[Capabilities] = Capabilities(max_length=4096, buttons=True)
    #: Requests under way at once: 30/s at a round trip of up to 1 s (Little's law). At 10
    #: a loaded machine's ~0.35 s round trips held the overall pace to 28.4/s (94.7 %).
    max_in_flight: ClassVar[int] = 30

    def __init__(
        self,
        *,
        token: str,
        api_base: str = "https://api.telegram.org",
        webhook_secret: str | None = None,
        rate: float = 30.0,
        chat_rate: float = 1.0,
        max_in_flight: int | None = None,
        on_inbound: InboundHandler | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        write_timeout: float = 10.0,
        pool_timeout: float = 5.0,
        poll_timeout: int = 25,
    ) -> None:
        """A bot on `api_base` (Telegram, a self-hosted Bot API server or the sandbox)."""
        secret = webhook_secret or secrets.token_urlsafe(32)  # one process: any secret will do
        if not _SECRET.fullmatch(secret):
            raise ValueError("webhook secret: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        api_base = api_base.rstrip("/")
        # No AIORateLimiter: our pacers already keep Telegram's limits per chat and overall,
        # and they sleep on the injected clock; a second limiter would pace twice.
        self.application = (
            Application.builder()
            .token(token)
            .base_url(f"{api_base}/bot")
            .base_file_url(f"{api_base}/file/bot")
            .updater(None)  # updates come through handle_webhook or poll_once
            .job_queue(None)  # schedules live in the database, not in PTB
            .connect_timeout(connect_timeout)
            .read_timeout(read_timeout)
            .write_timeout(write_timeout)
            .pool_timeout(pool_timeout)
            .get_updates_connect_timeout(connect_timeout)
            .get_updates_read_timeout(read_timeout)  # long polls add their own timeout
            .build()
        )
        self.clock = clock
        self._global = Pacer(
            rate * (1 - HEADROOM),
            clock=clock,
            sleep=sleep,
            lateness_credit=GLOBAL_LATENESS_CREDIT,
        )
        self._chats = Pacer(chat_rate, clock=clock, sleep=sleep)
        self.in_flight = InFlight(max_in_flight or self.max_in_flight)
        self._flooded: dict[int, float] = {}
        self.updates = TelegramUpdates(
            self.application,
            on_inbound=on_inbound,
            reply=self.send,
            webhook_secret=secret,
            sleep=sleep,
            poll_timeout=poll_timeout,
        )
        self.username: str | None = None

    async def start(self) -> None:
        """Check the token (getMe) and start PTB's application inside the running loop."""
        try:
            await self.application.initialize()
        except BaseException as exc:
            await self.application.bot.shutdown()  # initialize opened the HTTP clients first
            if isinstance(exc, InvalidToken):  # PTB's message quotes the token; ours does not
                raise ConfigError(
                    "TAGIH_TELEGRAM_TOKEN: rejected by the Telegram Bot API"
                ) from None
            raise
        await self.application.start()
        self.username = self.application.bot.username
        log.debug("telegram bot @%s ready", self.username)

    async def stop(self) -> None:
        """Stop PTB's application and close its HTTP connections (at service shutdown)."""
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def close(self) -> None:
        """Nothing to release between batches: the bot stays up to receive updates."""

    async def handle_webhook(self, payload: dict[str, Any], secret_header: str | None) -> int:
        """One webhook POST: 403 for a wrong secret, 200 when handled, 500 to be retried."""
        return await self.updates.handle_webhook(payload, secret_header)

    async def set_webhook(self, url: str) -> None:
        """Have Telegram POST updates to `url` with our secret header."""
        await self.updates.set_webhook(url)

    async def poll_once(self, timeout: int = 0) -> int:  # noqa: ASYNC109 (Telegram's long poll)
        """Fetch and process pending updates (long-polling up to `timeout` s); how many.

        Bot API errors (a webhook is set: 409; network trouble) are raised as PTB's.
        """
        return await self.updates.poll_once(timeout)

    async def run_polling(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, for hosts without a public URL (removes the webhook)."""
        await self.updates.run_polling(stop)

    def deep_link(self, token: str) -> str:
        """`https://t.me/<bot>?start=<token>`: opening it sends `/start <token>` to the bot."""
        if not _START_TOKEN.fullmatch(token):
            raise ValueError("deep-link token: 1-64 characters of A-Z, a-z, 0-9, _ and -")
        if self.username is None:
            raise RuntimeError("start() the channel first: the bot's username comes from getMe")
        return f"https://t.me/{self.username}?start={token}"

    async def send(self, message: Outbound) -> DeliveryResult:
        """Send one message (buttons as an inline keyboard), paced; classify the outcome.

        With a `photo`, it goes out as a photo and the body as its caption (cut to Telegram's
        1024 characters).
        """
        try:
            chat_id = int(message.to.value)
            markup = keyboard(message.buttons)
        except ValueError as exc:
            return DeliveryResult(
                DeliveryOutcome.PERMANENT, error_code="invalid-message", error_message=str(exc)
            )
        # The chat's turn first, holding nothing: a chat waiting out its second (or a flood
        # pause) must not keep a place that a send to another chat could use.
        await self._chats.wait(chat_id)
        async with self.in_flight.hold():
            await self._global.wait()
            # The chat's next slot counts from now, not from before the wait for the global one.
            self._chats.pause(self._chats.interval, chat_id)
            result = await self._attempt(chat_id, message, markup)
        who = mask_address(str(chat_id))
        if result.ok:
            log.info("telegram to %s sent (key %s)", who, message.idempotency_key)
        else:
            log.warning(
                "telegram to %s %s: %s %s (key %s)",
                who,
                result.outcome.value,
                result.error_code,
                result.error_message,
                message.idempotency_key,
            )
        return result

    async def reconcile(
        self, message: Outbound, *, reserved_at: dt.datetime, known: frozenset[str]
    ) -> DeliveryResult | None:
        """Always None: the message is sent (again) — at least once.

        The Bot API cannot list what a bot sent, nor take an idempotency key: whether the
        dead worker's sendMessage reached Telegram cannot be learnt. A duplicate needs a
        worker to die after Telegram accepted the message and before its answer was recorded
        (a response and one transaction): a small risk, where never sending would lose the
        reminder outright.
        """
        return None

    async def _attempt(
        self, chat_id: int, message: Outbound, markup: InlineKeyboardMarkup | None
    ) -> DeliveryResult:
        """One request, its outcome classified; a flood wait holds the chat (see `_flood`)."""
        try:
            sent = await self._deliver(chat_id, message, markup)
        except TelegramError as exc:
            result = classify(exc)
            if result.retry_after is not None:
                self._flood(chat_id, result.retry_after)
            return result
        return DeliveryResult(DeliveryOutcome.SENT, provider_id=f"{chat_id}:{sent.message_id}")

    async def _deliver(
        self, chat_id: int, message: Outbound, markup: InlineKeyboardMarkup | None
    ) -> TelegramMessage:
        """sendMessage, or sendPhoto with the body as caption when a photo is attached."""
        bot = self.application.bot
        if message.photo is None:
            return await bot.send_message(chat_id=chat_id, text=message.body, reply_markup=markup)
        caption = message.body
        if len(caption) > MAX_CAPTION:
            caption = caption[: MAX_CAPTION - 1] + "…"
        return await bot.send_photo(
            chat_id=chat_id,
            photo=message.photo,
            filename="chart.png",
            caption=caption or None,
            reply_markup=markup,
        )

    def _flood(self, chat_id: int, seconds: float) -> None:
        """Honour a 429: hold the chat, and everything when floods hit several chats at once.

        Telegram does not say which limit was hit. A lone chat's flood is its own (1/s per
        chat); when a second chat is flooded while the first wait runs, the overall limit is
        the likelier cause (another process sharing the token, say) and every send waits.
        """
        now = self.clock()
        self._chats.pause(seconds, chat_id)
        self._flooded = {chat: until for chat, until in self._flooded.items() if until > now}
        if self._flooded.keys() - {chat_id}:
            self._global.pause(seconds)
        self._flooded[chat_id] = now + seconds


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One inline button per row, each carrying its payload as callback data (≤ 64 bytes)."""
    if not buttons:
        return None
    for button in buttons:
        if not button.label or not 1 <= len(button.payload.encode("utf-8")) <= 64:
            raise ValueError(f"button {button.label!r}: label and 1-64 bytes of payload needed")
    rows = [[InlineKeyboardButton(b.label, callback_data=b.payload)] for b in buttons]
    return InlineKeyboardMarkup(rows)
