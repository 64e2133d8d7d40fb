"""What a Bot API error (as python-telegram-bot raises it) means for one send."""

from __future__ import annotations

import datetime as dt

import httpx
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

from bot.logmask import mask_address
from scheduler.messages import DeliveryOutcome, DeliveryResult

#: Errors before which nothing reached Telegram: safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Of those, the ones that say the Bot API cannot be reached at all (refused, DNS, TLS,
#: connect timeout); a pool timeout is our own congestion, not Telegram being down.
_UNREACHABLE = (httpx.ConnectError, httpx.ConnectTimeout)


def classify(exc: TelegramError) -> DeliveryResult:
    """What a Bot API error means for this send (the order matters: subclasses first)."""
    text = exc.message
    if isinstance(exc, RetryAfter):
        seconds = _seconds(exc.retry_after)
        return DeliveryResult(
            DeliveryOutcome.RETRYABLE, error_code="flood", error_message=text, retry_after=seconds
        )
    if isinstance(exc, Forbidden):  # blocked, deactivated, kicked: this chat will not work
        code = "blocked" if "blocked" in text.lower() else "forbidden"
        return DeliveryResult(DeliveryOutcome.PERMANENT, error_code=code, error_message=text)
    if isinstance(exc, ChatMigrated):  # a group became a supergroup with a new id
        new = mask_address(str(exc.new_chat_id))
        return DeliveryResult(
            DeliveryOutcome.PERMANENT, error_code="chat-migrated", error_message=f"now {new}"
        )
    if isinstance(exc, InvalidToken):  # the operator's to fix; the address is fine
        return DeliveryResult(
            DeliveryOutcome.RETRYABLE, error_code="unauthorized", provider_down=True
        )
    if isinstance(exc, BadRequest):
        code = "chat-not-found" if "chat not found" in text.lower() else "bad-request"
        return DeliveryResult(DeliveryOutcome.PERMANENT, error_code=code, error_message=text)
    if isinstance(exc, NetworkError):
        code = "timeout" if isinstance(exc, TimedOut) else "network"
        # A read or write timeout, a dropped connection or a 5xx may come after Telegram
        # took the message: unknown. Refused or unopened connections sent nothing.
        sent = not isinstance(exc.__cause__, _NOT_SENT)
        outcome = DeliveryOutcome.UNKNOWN if sent else DeliveryOutcome.RETRYABLE
        down = isinstance(exc.__cause__, _UNREACHABLE)
        return DeliveryResult(outcome, error_code=code, error_message=text, provider_down=down)
    return DeliveryResult(DeliveryOutcome.UNKNOWN, error_code="telegram", error_message=text)


def _seconds(value: int | float | dt.timedelta) -> float:
    """A retry_after in seconds, whether PTB gives an int or (opted in) a timedelta."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
