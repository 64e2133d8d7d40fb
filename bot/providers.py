"""Open each provider's channel: the real one when configured, else its loopback sandbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from bot.channels.base import Channel
from bot.channels.email import EmailChannel
from bot.channels.telegram import SANDBOX_TOKEN, InboundHandler, TelegramChannel
from bot.channels.twilio_sms import TwilioSmsChannel
from bot.channels.twilio_voice import TwilioVoiceChannel
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.config import Settings
from bot.sandbox.smtp import SmtpSink
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox

log = logging.getLogger(__name__)

#: Sender numbers of the sandbox (Jakarta landline range), used when none are configured.
SANDBOX_SENDERS = {
    "twilio_sms_from": "+622150000001",
    "twilio_whatsapp_from": "+622150000002",
    "twilio_voice_from": "+622150000003",
}
#: Approved-template stand-ins, so WhatsApp works outside the 24-hour window in the sandbox.
SANDBOX_TEMPLATES = {"reminder:id": "HX" + "1d" * 16, "reminder:en": "HX" + "e2" * 16}


def configured_channels(settings: Settings) -> frozenset[str]:
    """Channels this installation can send on: each configured provider or its sandbox."""
    names = {"email", "telegram", "sms", "whatsapp", "voice"}
    if settings.twilio_configured:
        senders = {
            "sms": settings.twilio_sms_from,
            "whatsapp": settings.twilio_whatsapp_from,
            "voice": settings.twilio_voice_from,
        }
        names -= {name for name, sender in senders.items() if not sender}
    return frozenset(names)


@dataclass
class Providers:
    """The open channels, the sandboxes standing in for providers, and what to announce."""

    channels: dict[str, Channel] = field(default_factory=dict)
    telegram: TelegramChannel | None = None
    smtp_sink: SmtpSink | None = None
    twilio_sandbox: TwilioSandbox | None = None
    telegram_sandbox: TelegramSandbox | None = None
    twilio_auth_token: str | None = None
    announcements: list[str] = field(default_factory=list)

    async def open(
        self, settings: Settings, *, public_url: str | None, on_inbound: InboundHandler | None
    ) -> None:
        """Start every channel; a provider without settings gets its sandbox."""
        await self._email(settings)
        await self._twilio(settings, public_url)
        await self._telegram(settings, public_url, on_inbound)

    async def _email(self, settings: Settings) -> None:
        if settings.smtp_configured:
            self.channels["email"] = EmailChannel.from_settings(settings)
            self.announcements.append(
                f"Email: SMTP server {settings.smtp_host}:{settings.smtp_port}"
            )
            return
        mail_dir = Path(settings.sandbox_dir) / "mail"
        self.smtp_sink = SmtpSink(mail_dir)
        host, port = await self.smtp_sink.start()
        self.channels["email"] = EmailChannel.from_settings(settings, sandbox=(host, port))
        self.announcements.append(
            f"Email: no SMTP configured; sandbox SMTP server on {host}:{port} "
            f"stores every mail under {mail_dir}/"
        )

    async def _twilio(self, settings: Settings, public_url: str | None) -> None:
        kinds: tuple[
            type[TwilioSmsChannel] | type[TwilioVoiceChannel] | type[TwilioWhatsAppChannel], ...
        ] = (
            TwilioSmsChannel,
            TwilioVoiceChannel,
            TwilioWhatsAppChannel,
        )
        if settings.twilio_configured:
            token = settings.twilio_auth_token
            self.twilio_auth_token = token.get_secret_value() if token else None
            for cls in kinds:
                if getattr(settings, cls.sender_setting):
                    channel = cls.from_settings(settings, public_url=public_url)
                    self.channels[channel.name] = channel
            self.announcements.append(
                f"SMS / WhatsApp / voice: Twilio at {settings.twilio_api_base}"
            )
            return
        self.twilio_sandbox = TwilioSandbox(webhook_base=public_url)
        base = await self.twilio_sandbox.start()
        self.twilio_auth_token = SANDBOX_AUTH_TOKEN
        demo = settings.model_copy(
            update={
                **SANDBOX_SENDERS,
                "whatsapp_templates": settings.whatsapp_templates or SANDBOX_TEMPLATES,
            }
        )
        for cls in kinds:
            channel = cls.from_settings(
                demo,
                api_base=base,
                public_url=public_url,
                credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
            )
            self.channels[channel.name] = channel
        self.announcements.append(
            f"SMS / WhatsApp / voice: no Twilio configured; sandbox Twilio API on {base} "
            f"(senders {', '.join(SANDBOX_SENDERS.values())})"
        )

    async def _telegram(
        self, settings: Settings, public_url: str | None, on_inbound: InboundHandler | None
    ) -> None:
        api_base = None
        if not settings.telegram_configured:
            self.telegram_sandbox = TelegramSandbox(SANDBOX_TOKEN)
            api_base = await self.telegram_sandbox.start()
        channel = TelegramChannel.from_settings(settings, api_base=api_base, on_inbound=on_inbound)
        await channel.start()
        self.telegram = channel
        self.channels["telegram"] = channel
        where = api_base or settings.telegram_api_base
        if api_base:
            self.announcements.append(
                f"Telegram: no bot token configured; sandbox Bot API on {api_base} "
                f"(bot @{channel.username})"
            )
        else:
            self.announcements.append(f"Telegram: bot @{channel.username} via {where}")

    async def close(self) -> None:
        """Stop channels, then the sandboxes."""
        for channel in self.channels.values():
            await channel.close()
        if self.telegram is not None:
            await self.telegram.stop()
        for sandbox in (self.twilio_sandbox, self.telegram_sandbox, self.smtp_sink):
            if sandbox is not None:
                await sandbox.stop()
