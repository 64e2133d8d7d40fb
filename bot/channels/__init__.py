"""One module per provider, each implementing `scheduler.channel.Channel`."""

from __future__ import annotations

from functools import cache
from importlib import import_module

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


@cache
def capabilities_of(channel: str) -> Capabilities:
    """What the channel named `channel` declares it carries; plain text for an unknown name."""
    if channel not in CLASSES:
        return Capabilities()
    module, _, name = CLASSES[channel].partition(":")
    carries: Capabilities = getattr(import_module(module), name).capabilities
    return carries
