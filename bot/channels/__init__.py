"""One module per provider, each implementing `scheduler.channel.Channel`."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

from scheduler.channel import Capabilities

#: Each channel's class by the channel's name, imported on first use (each pulls in its
#: provider's library).
CLASSES = {
    "email": "bot.channels.email:EmailChannel",
    "sms": "bot.channels.twilio_sms:TwilioSmsChannel",
    "whatsapp": "bot.channels.twilio_whatsapp:TwilioWhatsAppChannel",
    "voice": "bot.channels.twilio_voice:TwilioVoiceChannel",
    "telegram": "bot.channels.telegram:TelegramChannel",
}
#: The setting holding each Twilio channel's sender, readable without importing twilio
#: (`configured_channels` runs in `tagih preview`); each class names its own from here.
TWILIO_SENDERS = {
    "sms": "twilio_sms_from",
    "whatsapp": "twilio_whatsapp_from",
    "voice": "twilio_voice_from",
}


def channel_class(channel: str) -> type[Any]:
    """The class of the channel named `channel`, its module imported now; KeyError for a name
    not in `CLASSES`."""
    module, _, name = CLASSES[channel].partition(":")
    cls: type[Any] = getattr(import_module(module), name)
    return cls


@cache
def capabilities_of(channel: str) -> Capabilities:
    """What the channel named `channel` declares it carries; plain text for an unknown name."""
    if channel not in CLASSES:
        return Capabilities()
    carries: Capabilities = channel_class(channel).capabilities
    return carries
