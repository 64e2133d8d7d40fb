"""The SMS channel: Twilio Messages from one sender number, paced at the sender's MPS."""

from __future__ import annotations

from typing import ClassVar

from bot.channels.twilio_base import TwilioChannel
from scheduler.messages import DeliveryResult, Outbound

#: Twilio's limit for one message body (longer bodies are refused with 21617).
MAX_BODY = 1600
_ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"


def fit(text: str, limit: int = MAX_BODY) -> str:
    """Cut `text` to `limit` characters at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    # Cut at the last space if one is reasonably near the end, so no word is half-sent.
    space = head.rfind(" ")
    if space >= limit * 0.8:
        head = head[:space]
    return head.rstrip() + _ELLIPSIS


class TwilioSmsChannel(TwilioChannel):
    """Text messages by Twilio; numbered options are rendered into the text by the caller.

    The renderer keeps reminders short (a statement summary and a link), so the cut in
    `fit` is a last resort that keeps a long statement from being refused outright.
    """

    name: ClassVar[str] = "sms"
    max_length: ClassVar[int | None] = MAX_BODY
    supports_html: ClassVar[bool] = False
    supports_buttons: ClassVar[bool] = False
    sender_setting: ClassVar[str] = "twilio_sms_from"
    rate_setting: ClassVar[str] = "sms_rate"

    async def send(self, message: Outbound) -> DeliveryResult:
        """Create one Message; the status callback URL carries the idempotency key."""
        to = message.to.value
        key = message.idempotency_key
        body = fit(message.body)
        status_callback = self.callback("/twilio/status", key)
        return await self.create(
            to,
            key,
            lambda client: client.messages.create_async(
                to=to, from_=self.sender, body=body, status_callback=status_callback
            ),
        )
