"""The voice channel: a Twilio call that speaks the reminder and takes keypad choices."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.channels import TWILIO_SENDERS
from bot.channels.twilio_base import TwilioChannel
from bot.channels.voice_twiml import reminder_twiml, voice_url
from scheduler.channel import Capabilities
from scheduler.messages import DeliveryResult, Outbound

#: How long the phone rings before Twilio gives up (its default is 60 s).
RING_SECONDS = 30


class TwilioVoiceChannel(TwilioChannel):
    """Reminder calls by Twilio, one call per second per caller number by default.

    With a public URL, Twilio fetches the TwiML from `/twilio/voice?key=…` (our web server
    speaks the stored body and serves the keypad menu); without one, the call carries the
    reminder inline and hangs up, since keypad answers would have nowhere to go.
    """

    name: ClassVar[str] = "voice"
    # No buttons: the keypad menu is fixed, built by voice_twiml.
    capabilities: ClassVar[Capabilities] = Capabilities(spoken=True)
    sender_setting: ClassVar[str] = TWILIO_SENDERS["voice"]
    rate_setting: ClassVar[str] = "voice_rate"
    listing: ClassVar[str] = "calls"
    dated_after: ClassVar[str] = "start_time_after"

    async def send(self, message: Outbound) -> DeliveryResult:
        """Place one call; its status callback URL carries the idempotency key."""
        to = message.to.value
        key = message.idempotency_key
        fields: dict[str, Any] = {
            "to": to,
            "from_": self.sender,
            "status_callback": self.callback("/twilio/status", key),
            "status_callback_method": "POST",
            "timeout": RING_SECONDS,
        }
        if self.public_url:
            fields["url"] = voice_url(self.public_url, key)
            fields["method"] = "POST"
        else:
            fields["twiml"] = reminder_twiml(message.body, message.language, None)
        return await self.create(to, key, lambda client: client.calls.create_async(**fields))
