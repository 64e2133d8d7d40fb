"""The SMS channel: Twilio Messages from one sender number, paced at the sender's MPS."""

from __future__ import annotations

from typing import ClassVar

from bot.channels import TWILIO_SENDERS
from bot.channels.twilio_base import TwilioChannel
from i18n.format import fit
from scheduler.channel import Capabilities
from scheduler.messages import DeliveryResult, Outbound

#: Twilio's limit for one message body (longer bodies are refused with 21617).
MAX_BODY = 1600


class TwilioSmsChannel(TwilioChannel):
    """Text messages by Twilio; numbered options are rendered into the text by the caller.

    The renderer keeps reminders short (a statement summary and a link), so the cut in
    `fit` is a last resort that keeps a long statement from being refused outright.
    """

    name: ClassVar[str] = "sms"
    capabilities: ClassVar[Capabilities] = Capabilities(max_length=MAX_BODY)
    sender_setting: ClassVar[str] = TWILIO_SENDERS["sms"]
    rate_setting: ClassVar[str] = "sms_rate"

    async def send(self, message: Outbound) -> DeliveryResult:
        """Create one Message; the status callback URL carries the idempotency key."""
        to = message.to.value
        key = message.idempotency_key
        body = fit(message.body, MAX_BODY)
        status_callback = self.callback("/twilio/status", key)
        return await self.create(
            to,
            key,
            lambda client: client.messages.create_async(
                to=to, from_=self.sender, body=body, status_callback=status_callback
            ),
        )
