"""Which channels an installation can send on, read without importing any provider."""

from __future__ import annotations

from bot.app.channels import configured_channels
from bot.config import load_settings


def test_the_sandbox_carries_every_channel() -> None:
    settings = load_settings(load_examples=False)
    assert configured_channels(settings) == {"email", "sms", "whatsapp", "voice", "telegram"}


def test_twilio_carries_only_the_channels_it_has_a_sender_for() -> None:
    settings = load_settings(
        load_examples=False,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="secret",
        twilio_sms_from="+622150000001",
        twilio_voice_from="",
        twilio_whatsapp_from="",
    )
    assert configured_channels(settings) == {"email", "sms", "telegram"}
    both = settings.model_copy(update={"twilio_whatsapp_from": "whatsapp:+622150000002"})
    assert configured_channels(both) == {"email", "sms", "whatsapp", "telegram"}
