"""Telegram updates in: PTB handlers turn them into `Inbound` values; webhook and polling."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import Update, User
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.pacing import Sleep
from bot.logmask import mask_address
from scheduler.messages import Address, DeliveryResult, Inbound, Outbound

InboundHandler = Callable[[Inbound], Awaitable[Sequence[Outbound] | None]]
Context = ContextTypes.DEFAULT_TYPE
#: The only updates Tagih asks Telegram for (webhook and polling alike).
ALLOWED_UPDATES = ("message", "callback_query")
#: How many handled update ids are remembered to skip repeats (the router dedups for good).
RECENT_UPDATES = 1024
#: A failing update is retried this often when polling before it is skipped.
POLL_ATTEMPTS = 3

log = logging.getLogger(__name__)
T = TypeVar("T")


class TelegramUpdates:
    """Receive updates (webhook or polling), hand them on as `Inbound`, send the replies."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        on_inbound: InboundHandler | None,
        reply: Callable[[Outbound], Awaitable[DeliveryResult]],
        webhook_secret: str,
        sleep: Sleep,
        poll_timeout: int,
    ) -> None:
        """Register the handlers on `application`; `reply` sends what `on_inbound` returns."""
        self._app = application
        self._on_inbound = on_inbound
        self._reply = reply
        self._secret = webhook_secret.encode()
        self._sleep = sleep
        self._poll_timeout = poll_timeout
        self._recent: set[int] = set()  # update ids handled lately, to skip Telegram's retries
        self._recent_order: deque[int] = deque()
        self._failed: set[int] = set()
        self._attempts: dict[int, int] = {}
        self._offset: int | None = None
        only_new = filters.UpdateType.MESSAGE  # edits are not new answers
        application.add_handler(CommandHandler("start", self._on_start, filters=only_new))
        application.add_handler(MessageHandler(only_new & filters.TEXT, self._on_text))
        receipts = only_new & (filters.PHOTO | filters.Document.ALL)
        application.add_handler(MessageHandler(receipts, self._on_media))
        application.add_handler(CallbackQueryHandler(self._on_button))
        application.add_error_handler(self._on_error)

    # --- PTB handlers -------------------------------------------------------------------
    async def _on_start(self, update: Update, context: Context) -> None:
        """`/start TOKEN` from a deep link: the payload binds the chat to a customer."""
        message = update.message
        assert message is not None  # the MESSAGE filter guarantees it
        token = context.args[0] if context.args else None
        payload = f"start:{token}" if token else None
        text = message.text or ""
        await self._dispatch(
            update, message.chat_id, message.from_user, text, message.date, payload
        )

    async def _on_text(self, update: Update, context: Context) -> None:
        """A text message (other commands included: admins give commands in chat)."""
        message = update.message
        assert message is not None and message.text is not None
        await self._dispatch(update, message.chat_id, message.from_user, message.text, message.date)

    async def _on_media(self, update: Update, context: Context) -> None:
        """A photo or document (a transfer receipt): its file id travels as the media."""
        message = update.message
        assert message is not None
        if message.photo:
            file_id = message.photo[-1].file_id  # the largest size Telegram kept
        else:
            assert message.document is not None
            file_id = message.document.file_id
        inbound_media = (f"telegram-file:{file_id}",)
        sender = message.from_user
        await self._dispatch(
            update,
            message.chat_id,
            sender,
            message.caption or "",
            message.date,
            media=inbound_media,
        )

    async def _on_button(self, update: Update, context: Context) -> None:
        """An inline button press: answer it at once so the button stops spinning."""
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()
        except TelegramError as exc:  # too old or already answered: still take the choice
            log.warning("telegram callback query not answered: %s", exc)
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        label = query.data or ""
        markup = getattr(query.message, "reply_markup", None)
        for row in markup.inline_keyboard if markup is not None else ():
            for button in row:
                if button.callback_data == query.data:
                    label = button.text  # the log reads better with what the user saw
        # Telegram gives no time for a press; it arrives within seconds.
        now = dt.datetime.now(dt.UTC)
        await self._dispatch(update, chat_id, query.from_user, label, now, query.data)

    async def _on_error(self, update: object, context: Context) -> None:
        """A handler failed: log it and remember the update, so it is not acknowledged."""
        update_id = update.update_id if isinstance(update, Update) else None
        if update_id is not None:
            self._failed.add(update_id)
        log.error("telegram update %s failed", update_id, exc_info=context.error)

    async def _dispatch(
        self,
        update: Update,
        chat_id: int,
        user: User | None,
        text: str,
        at: dt.datetime,
        payload: str | None = None,
        media: tuple[str, ...] = (),
    ) -> None:
        """Hand one inbound message to the callback and send its replies."""
        sender = Address("telegram", str(chat_id), user.full_name if user is not None else "")
        inbound = Inbound(
            sender, text, at, provider_id=f"tg:{update.update_id}", payload=payload, media=media
        )
        if self._on_inbound is None:
            log.debug("telegram update %d ignored: no inbound handler", update.update_id)
            return
        for reply in await self._on_inbound(inbound) or ():
            if reply.to.channel != "telegram":
                log.warning("reply for channel %s dropped by telegram", reply.to.channel)
                continue
            result = await self._reply(reply)
            if not result.ok:
                who = mask_address(reply.to.value)
                log.warning("telegram reply to %s %s", who, result.outcome.value)

    # --- entry points -------------------------------------------------------------------
    def verify_secret(self, secret_header: str | None) -> bool:
        """True when a webhook POST carries our secret (compared in constant time)."""
        return secret_header is not None and hmac.compare_digest(
            secret_header.encode(), self._secret
        )

    async def handle_webhook(self, payload: dict[str, Any], secret_header: str | None) -> int:
        """Process one webhook POST; the HTTP status to answer (non-2xx makes Telegram retry)."""
        if not self.verify_secret(secret_header):
            return 403
        return await self.apply(payload)

    async def apply(self, payload: dict[str, Any]) -> int:
        """Process one update whose secret was checked (kept by the inbox, say): 200 when
        handled, 400 when malformed, 500 when a handler failed, 503 when not started."""
        update_id = payload.get("update_id") if isinstance(payload, dict) else None
        if not isinstance(update_id, int):
            return 400
        if update_id in self._recent:
            return 200  # a retry of an update already handled
        try:
            update = Update.de_json(payload, self._app.bot)
        except Exception as exc:  # PTB raises whatever a malformed field leads to
            log.warning("telegram webhook update %d malformed: %s", update_id, exc)
            return 400
        try:
            handled = await self._process(update)
        except RuntimeError:  # not started yet (or stopped): let Telegram retry later
            return 503
        return 200 if handled else 500

    async def _process(self, update: Update) -> bool:
        """Run the handlers on one update; False when a handler failed."""
        await self._app.process_update(update)
        if update.update_id in self._failed:
            self._failed.discard(update.update_id)
            return False
        self._recent.add(update.update_id)
        self._recent_order.append(update.update_id)
        if len(self._recent_order) > RECENT_UPDATES:
            self._recent.discard(self._recent_order.popleft())
        return True

    async def set_webhook(self, url: str) -> None:
        """Ask Telegram to POST updates to `url`, signed with the webhook secret."""
        await self._app.bot.set_webhook(
            url, secret_token=self._secret.decode(), allowed_updates=ALLOWED_UPDATES
        )

    async def poll_once(self, timeout: int = 0) -> int:  # noqa: ASYNC109 (Telegram's long poll)
        """Fetch pending updates (waiting up to `timeout` s) and process them; how many."""
        return await self._handle_batch(await self._fetch(timeout))

    async def _fetch(self, poll: int) -> tuple[Update, ...]:
        updates: tuple[Update, ...] = await self._app.bot.get_updates(
            offset=self._offset, timeout=poll, allowed_updates=ALLOWED_UPDATES
        )
        return updates

    async def _handle_batch(self, updates: Sequence[Update]) -> int:
        """Process in order; a failed update is fetched again (up to POLL_ATTEMPTS times)."""
        done = 0
        for update in updates:
            if update.update_id not in self._recent and not await self._process(update):
                attempts = self._attempts.get(update.update_id, 0) + 1
                if attempts < POLL_ATTEMPTS:
                    self._attempts[update.update_id] = attempts
                    self._offset = update.update_id  # not confirmed: comes back next poll
                    return done
                log.error(
                    "telegram update %d skipped after %d attempts", update.update_id, attempts
                )
            self._attempts.pop(update.update_id, None)
            self._offset = update.update_id + 1
            done += 1
        return done

    async def run_polling(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set (for hosts without a public URL); removes any webhook."""
        await self._app.bot.delete_webhook()
        delay = 1.0
        while not stop.is_set():
            try:
                fetched = await _unless(stop, self._fetch(self._poll_timeout))
            except InvalidToken:
                raise
            except TelegramError as exc:  # network trouble, 409 from another poller, 5xx
                log.warning("telegram polling failed (%s); again in %.0f s", exc, delay)
                await _unless(stop, self._sleep(delay))
                delay = min(delay * 2, 60.0)
                continue
            delay = 1.0
            if fetched is not None:
                await self._handle_batch(fetched)  # never cut short by `stop`


async def _unless(stop: asyncio.Event, work: Awaitable[T]) -> T | None:
    """Run `work` unless `stop` is set first (then cancel it and return None)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not task.done():
            task.cancel()
            # Unconfirmed updates of a cancelled getUpdates come again with the next one.
            await asyncio.wait({task})
    return None if task.cancelled() else task.result()
