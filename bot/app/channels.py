"""Open each provider's channel: the real one when configured, else its loopback sandbox."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import SecretStr

from bot.channels import CLASSES, TWILIO_SENDERS, channel_class
from bot.config import ConfigError
from bot.sandbox import SANDBOX_SENDERS, SANDBOX_TEMPLATES

# Each provider's channel and sandbox modules (python-telegram-bot, twilio, aiosmtplib …) are
# imported when that provider starts, so that what needs no provider (`tagih preview`,
# `tagih report`) does not pay for them (tests/unit/test_cli_startup.py).
if TYPE_CHECKING:
    from bot.channels.email import EmailChannel
    from bot.channels.telegram import InboundHandler, TelegramChannel
    from bot.channels.twilio_base import TwilioChannel
    from bot.config import Settings
    from bot.inbound.email_replies import ImapConfig
    from bot.sandbox.smtp import SmtpSink
    from bot.sandbox.telegram import TelegramSandbox
    from bot.sandbox.twilio import TwilioSandbox
    from scheduler.channel import Channel

log = logging.getLogger(__name__)
T = TypeVar("T", bound="TwilioChannel")

#: Each provider, its name for the operator, and the channels it carries.
PROVIDERS: dict[str, tuple[str, frozenset[str]]] = {
    "email": ("Email", frozenset({"email"})),
    "twilio": ("SMS / WhatsApp / voice", frozenset({"sms", "whatsapp", "voice"})),
    "telegram": ("Telegram", frozenset({"telegram"})),
}


def configured_channels(settings: Settings) -> frozenset[str]:
    """Channels this installation can send on: each configured provider or its sandbox."""
    names = set(CLASSES)
    if settings.twilio_configured:
        names -= {name for name, field in TWILIO_SENDERS.items() if not getattr(settings, field)}
    return frozenset(names)


def describe_failure(exc: BaseException, settings: Settings) -> str:
    """One line on why a provider failed to start: type and message, secrets blanked."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    for value in settings.model_dump().values():
        if isinstance(value, SecretStr) and value.get_secret_value():
            text = text.replace(value.get_secret_value(), "***")
    return text


@dataclass(frozen=True, slots=True)
class Pacing:
    """The clock the channels pace their providers by and the sandboxes count limits on.

    The process's monotonic clock in service; in tests a virtual one whose `sleep` moves it
    on, so a conversation paced at Telegram's one message a second per chat takes no
    second of wall time (the stand-in, on the same clock, still refuses a faster pace).
    """

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


@dataclass
class Providers:
    """The open channels, the sandboxes standing in for providers, and what to announce.

    A provider that cannot start is left out (`disabled`, with why) and its channels are
    `unavailable`; the others open regardless. `reopen` tries the disabled ones again.
    """

    channels: dict[str, Channel] = field(default_factory=dict)
    telegram: TelegramChannel | None = None
    smtp_sink: SmtpSink | None = None
    twilio_sandbox: TwilioSandbox | None = None
    telegram_sandbox: TelegramSandbox | None = None
    twilio_auth_token: str | None = None
    announcements: list[str] = field(default_factory=list)
    pacing: Pacing = field(default_factory=Pacing)
    #: What the operator must know: providers that could not start, and why.
    warnings: list[str] = field(default_factory=list)
    #: Providers that could not start ("email", "twilio", "telegram") → why.
    disabled: dict[str, str] = field(default_factory=dict)
    _settings: Settings | None = None
    _public_url: str | None = None
    _on_inbound: InboundHandler | None = None

    @property
    def unavailable(self) -> frozenset[str]:
        """The configured channels of disabled providers."""
        if self._settings is None:
            return frozenset()
        wanted = configured_channels(self._settings)
        names = (PROVIDERS[provider][1] & wanted for provider in self.disabled)
        return frozenset().union(*names)

    async def open(
        self, settings: Settings, *, public_url: str | None, on_inbound: InboundHandler | None
    ) -> None:
        """Start every channel; a provider without settings gets its sandbox.

        Each provider starts on its own: one that fails is disabled with a warning.
        """
        self._settings, self._public_url, self._on_inbound = settings, public_url, on_inbound
        for provider in PROVIDERS:
            await self._start(provider)

    async def reopen(self) -> list[str]:
        """Try to start each disabled provider again; an announcement for each now up."""
        back = []
        for provider in list(self.disabled):
            before = len(self.announcements)
            if await self._start(provider, again=True):
                back.extend(self.announcements[before:])
        return back

    async def _start(self, provider: str, *, again: bool = False) -> bool:
        """Start one provider; on failure disable it, warn, and return False."""
        settings = self._settings
        assert settings is not None, "open() first"
        starters: dict[str, Callable[[], Awaitable[None]]] = {
            "email": lambda: self._email(settings),
            "twilio": lambda: self._twilio(settings, self._public_url),
            "telegram": lambda: self._telegram(settings, self._public_url, self._on_inbound),
        }
        label = PROVIDERS[provider][0]
        try:
            await starters[provider]()
        except Exception as exc:  # any failure of one provider must not stop the others
            reason = describe_failure(exc, settings)
            log.debug("%s failed to start", provider, exc_info=True)
            if again:
                log.info("%s: still cannot start (%s)", label, reason)
            else:
                warning = (
                    f"{label}: disabled, cannot start ({reason}); its steps fall back "
                    "to each customer's next channel"
                )
                log.warning("%s", warning)
                self.warnings.append(warning)
            self.disabled[provider] = reason
            return False
        if self.disabled.pop(provider, None) is not None:
            log.info("%s: started after failing before; its channels are back", label)
        return True

    async def _email(self, settings: Settings) -> None:
        from bot.sandbox.smtp import SmtpSink

        if settings.smtp_configured:
            self.channels["email"] = email_channel(settings)
            self.announcements.append(
                f"Email: SMTP server {settings.smtp_host}:{settings.smtp_port}"
            )
            return
        mail_dir = Path(settings.sandbox_dir) / "mail"
        if self.smtp_sink is None:
            sink = SmtpSink(mail_dir)
            await _started(sink.start(), sink.stop)
            self.smtp_sink = sink
        host, port = self.smtp_sink.host, self.smtp_sink.port
        self.channels["email"] = email_channel(settings, sandbox=(host, port))
        self.announcements.append(
            f"Email: no SMTP configured; sandbox SMTP server on {host}:{port} "
            f"stores every mail under {mail_dir}/"
        )

    async def _twilio(self, settings: Settings, public_url: str | None) -> None:
        from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox
        from bot.sandbox.twilio_limits import SenderLimits

        kinds = [channel_class(name) for name in sorted(PROVIDERS["twilio"][1])]
        opened: dict[str, Channel] = {}  # added all at once: a failure leaves none behind
        if settings.twilio_configured:
            token = settings.twilio_auth_token
            for cls in kinds:
                if getattr(settings, cls.sender_setting):
                    channel = twilio_channel(
                        cls,
                        settings,
                        public_url=public_url,
                        clock=self.pacing.monotonic,
                        sleep=self.pacing.sleep,
                    )
                    opened[channel.name] = channel
            self.twilio_auth_token = token.get_secret_value() if token else None
            self.channels.update(opened)
            self.announcements.append(
                f"SMS / WhatsApp / voice: Twilio at {settings.twilio_api_base}"
            )
            return
        if self.twilio_sandbox is None:
            # The sandbox plays the account the settings describe: its senders take the
            # rates configured for them, as Twilio's would take what the account allows.
            limits = SenderLimits(
                sms=settings.sms_rate, whatsapp=settings.whatsapp_rate, calls=settings.voice_rate
            )
            sandbox = TwilioSandbox(
                webhook_base=public_url, limits=limits, clock=self.pacing.monotonic
            )
            await _started(sandbox.start(), sandbox.stop)
            self.twilio_sandbox = sandbox
        base = self.twilio_sandbox.base_url
        demo = settings.model_copy(
            update={
                **SANDBOX_SENDERS,
                "whatsapp_templates": settings.whatsapp_templates or SANDBOX_TEMPLATES,
            }
        )
        for cls in kinds:
            channel = twilio_channel(
                cls,
                demo,
                api_base=base,
                public_url=public_url,
                credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
                clock=self.pacing.monotonic,
                sleep=self.pacing.sleep,
            )
            opened[channel.name] = channel
        self.twilio_auth_token = SANDBOX_AUTH_TOKEN
        self.channels.update(opened)
        self.announcements.append(
            f"SMS / WhatsApp / voice: no Twilio configured; sandbox Twilio API on {base} "
            f"(senders {', '.join(SANDBOX_SENDERS.values())})"
        )

    async def _telegram(
        self, settings: Settings, public_url: str | None, on_inbound: InboundHandler | None
    ) -> None:
        from bot.channels.telegram import SANDBOX_TOKEN
        from bot.sandbox.telegram import TelegramSandbox

        api_base = None
        if not settings.telegram_configured:
            if self.telegram_sandbox is None:
                sandbox = TelegramSandbox(SANDBOX_TOKEN, clock=self.pacing.monotonic)
                await _started(sandbox.start(), sandbox.stop)
                self.telegram_sandbox = sandbox
            api_base = self.telegram_sandbox.url
        channel = telegram_channel(
            settings,
            api_base=api_base,
            on_inbound=on_inbound,
            clock=self.pacing.monotonic,
            sleep=self.pacing.sleep,
        )
        await channel.start()  # getMe: the first call that needs the Bot API reachable
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


async def _started(start: Awaitable[object], stop: Callable[[], Awaitable[None]]) -> None:
    """Run a sandbox's start; if it fails halfway, stop what it opened before re-raising."""
    try:
        await start
    except BaseException:
        await stop()
        raise


def email_channel(settings: Settings, *, sandbox: tuple[str, int] | None = None) -> EmailChannel:
    """The email channel; without TAGIH_SMTP_HOST, talking to the sandbox sink given."""
    from bot.channels.email import EmailChannel

    if settings.smtp_host:
        secret = settings.smtp_password
        return EmailChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=secret.get_secret_value() if secret is not None else None,
            starttls=settings.smtp_starttls and not settings.smtp_tls,
            use_tls=settings.smtp_tls,
            timeout=settings.smtp_timeout,
            sender=settings.email_from,
        )
    if sandbox is None:
        raise ConfigError("TAGIH_SMTP_HOST: not set and no sandbox SMTP sink given")
    host, port = sandbox
    return EmailChannel(
        host=host,
        port=port,
        username=None,
        password=None,
        starttls=False,
        use_tls=False,
        timeout=settings.smtp_timeout,
        sender=settings.email_from,
    )


def imap_config(settings: Settings) -> ImapConfig | None:
    """The IMAP settings, or None when TAGIH_IMAP_HOST is not set (replies not read)."""
    from bot.inbound.email_replies import ImapConfig

    if not settings.imap_host:
        return None
    secret = settings.imap_password
    return ImapConfig(
        host=settings.imap_host,
        port=settings.imap_port,
        username=settings.imap_username or "",
        password=secret.get_secret_value() if secret is not None else "",
        folder=settings.imap_folder,
        tls=settings.imap_tls and not settings.imap_starttls,
        starttls=settings.imap_starttls,
        timeout=settings.imap_timeout,
        poll_seconds=float(settings.imap_poll_seconds),
    )


def telegram_channel(
    settings: Settings,
    *,
    api_base: str | None = None,
    on_inbound: InboundHandler | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> TelegramChannel:
    """The Telegram channel; without TAGIH_TELEGRAM_TOKEN, talking to the sandbox at
    `api_base`."""
    from bot.channels.telegram import SANDBOX_TOKEN, TelegramChannel

    if settings.telegram_token is not None:
        token = settings.telegram_token.get_secret_value()
    elif api_base is not None:
        token = SANDBOX_TOKEN
    else:
        raise ConfigError("TAGIH_TELEGRAM_TOKEN: not set and no sandbox Bot API given")
    secret = settings.telegram_webhook_secret
    return TelegramChannel(
        token=token,
        api_base=api_base or settings.telegram_api_base,
        webhook_secret=secret.get_secret_value() if secret is not None else None,
        rate=settings.telegram_rate,
        on_inbound=on_inbound,
        clock=clock,
        sleep=sleep,
    )


def twilio_channel(
    cls: type[T],
    settings: Settings,
    *,
    api_base: str | None = None,
    public_url: str | None = None,
    credentials: tuple[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """A Twilio channel of kind `cls` (its sender, rate and any argument of its own are the
    settings it names); `api_base` and `credentials` point it at a sandbox instead."""
    sender = getattr(settings, cls.sender_setting)
    if not sender:
        raise ConfigError(f"TAGIH_{cls.sender_setting.upper()}: not set")
    if credentials is None:
        token = settings.twilio_auth_token
        if not settings.twilio_account_sid or token is None:
            raise ConfigError("TAGIH_TWILIO_ACCOUNT_SID: not set and no sandbox given")
        credentials = (settings.twilio_account_sid, token.get_secret_value())
    extra = {argument: getattr(settings, name) for argument, name in cls.extra_settings.items()}
    return cls(
        account_sid=credentials[0],
        auth_token=credentials[1],
        sender=sender,
        api_base=api_base or settings.twilio_api_base,
        public_url=public_url or settings.public_url,
        timeout=settings.twilio_timeout,
        rate=getattr(settings, cls.rate_setting),
        clock=clock,
        sleep=sleep,
        **extra,
    )
