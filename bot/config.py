"""Settings from the environment and `.env` (prefix `TAGIH_`), built once in `main`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scheduler.window import WEEKDAYS, Window, parse_weekdays

_SUPPORTED_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}


class ConfigError(Exception):
    """A setting has a bad value; the message names the setting in one line."""


class Settings(BaseSettings):
    """Every setting of Tagih; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="TAGIH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///tagih.db"
    timezone: str = "Asia/Jakarta"
    language: str = "id"
    currency: str = "IDR"
    company_name: str = "Tagih Demo"

    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_tls: bool = False
    smtp_timeout: float = Field(default=30.0, gt=0)
    email_from: str = "Tagih <tagih@localhost>"
    #: Replies to reminder emails, read over IMAP (bot/inbound/email_replies.py); no host = off.
    imap_host: str | None = None
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_username: str | None = Field(
        default=None,
        validation_alias=AliasChoices("imap_username", "TAGIH_IMAP_USERNAME", "TAGIH_IMAP_USER"),
    )
    imap_password: SecretStr | None = None
    imap_folder: str = Field(
        default="INBOX",
        validation_alias=AliasChoices("imap_folder", "TAGIH_IMAP_FOLDER", "TAGIH_IMAP_MAILBOX"),
    )
    imap_tls: bool = True
    imap_starttls: bool = False
    imap_poll_seconds: int = Field(default=60, ge=1)
    imap_timeout: float = Field(default=30.0, gt=0)

    #: A folder `tagih run` imports accounting exports from (bot/app/folder_sync.py); none = off.
    sync_dir: Path | None = None
    sync_poll_seconds: int = Field(default=60, ge=1)
    #: Invoice exports dropped there are the whole open ledger (`import --full`).
    sync_full: bool = False

    telegram_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None
    telegram_rate: float = Field(default=30.0, gt=0)

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_api_base: str = "https://api.twilio.com"
    twilio_sms_from: str | None = None
    twilio_whatsapp_from: str | None = None
    twilio_voice_from: str | None = None
    twilio_timeout: float = Field(default=15.0, gt=0)
    sms_rate: float = Field(default=1.0, gt=0)
    whatsapp_rate: float = Field(default=80.0, gt=0)
    #: Business-initiated WhatsApp conversations per sender per rolling 24 hours (Meta's
    #: messaging limit tier: 250, 2000, 10000, 100000); 0 = unlimited.
    whatsapp_daily_limit: int = Field(default=250, ge=0)
    voice_rate: float = Field(default=1.0, gt=0)
    #: JSON object: "template key:language" → approved WhatsApp Content SID (HX…).
    whatsapp_templates: dict[str, str] = Field(default_factory=dict)

    public_url: str | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    #: Webhook request bodies larger than this are refused (413) unread.
    web_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    bank_accounts: str = ""
    qris_info: str = ""
    ewallet_info: str = ""
    pay_link_template: str = ""
    #: Made-up payment details, marked as examples, when none of the four above is set:
    #: None (empty) = only while every channel runs on its sandbox.
    payment_examples: bool | None = None
    conversation_idle_minutes: int = Field(default=1440, ge=1)
    max_promise_days: int = Field(default=60, ge=1, le=365)

    collector_digest_time: dt.time = dt.time(8, 0)
    sales_digest_day: str = "mon"
    sales_digest_time: dt.time = dt.time(8, 0)

    sandbox_dir: Path = Path("sandbox")
    load_examples: bool = True
    examples_dir: Path = Path("examples")

    dispatch_interval_seconds: int = Field(default=60, ge=1)
    dispatch_batch_size: int = Field(default=400, ge=1)
    dispatch_concurrency: int = Field(default=16, ge=1)
    render_process: bool = True
    lease_seconds: int = Field(default=300, ge=10)
    retry_backoff_seconds: int = Field(default=600, ge=1)
    max_attempts: int = Field(default=5, ge=1)

    window_start: dt.time = dt.time(8, 0)
    window_end: dt.time = dt.time(20, 0)
    window_days: str = "mon-sat"
    send_time: dt.time = dt.time(9, 0)
    holidays: bool = True
    holiday_country: str = "ID"
    max_contacts_per_week: int = Field(default=3, ge=1)
    promise_grace_days: int = Field(default=1, ge=0)

    def window(self) -> Window:
        """The contact window these settings describe (admins' chat changes not applied)."""
        return Window(
            start=self.window_start,
            end=self.window_end,
            days=parse_weekdays(self.window_days),
            send_time=self.send_time,
            holidays=self.holidays,
            country=self.holiday_country,
        )

    def secret_values(self) -> list[str]:
        """Every configured secret in clear, for redacting logs (never for printing)."""
        secrets = (
            self.smtp_password,
            self.imap_password,
            self.telegram_token,
            self.telegram_webhook_secret,
            self.twilio_auth_token,
        )
        return [s.get_secret_value() for s in secrets if s is not None]

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _usable_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url  # SQLAlchemy: only when a URL is given
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"malformed database URL {value!r}") from None
        if url.drivername not in _SUPPORTED_DRIVERS:
            supported = ", ".join(sorted(_SUPPORTED_DRIVERS))
            raise ValueError(f"unsupported driver {url.drivername!r} (use {supported})")
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError(f"unsupported language {value!r} (use id or en)")
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"not an ISO 4217 currency code: {value!r}")
        return value

    @field_validator("sales_digest_day")
    @classmethod
    def _one_weekday(cls, value: str) -> str:
        if value.lower() not in WEEKDAYS:
            raise ValueError(f"unknown weekday {value!r} (use mon..sun)")
        return value.lower()

    @field_validator("window_days")
    @classmethod
    def _weekdays(cls, value: str) -> str:
        parse_weekdays(value)
        return value

    @field_validator("public_url", "payment_examples", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("public_url", "telegram_api_base", "twilio_api_base")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.rstrip("/")

    @field_validator("twilio_sms_from", "twilio_voice_from", "twilio_whatsapp_from")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        number = value.removeprefix("whatsapp:")
        if not re.fullmatch(r"\+[1-9]\d{6,14}", number):
            raise ValueError(f"not an E.164 phone number (+62...): {value!r}")
        return number

    @field_validator("pay_link_template")
    @classmethod
    def _link_placeholders(cls, value: str) -> str:
        unknown = set(re.findall(r"{([^}]*)}", value)) - {"invoice", "amount"}
        if unknown:
            raise ValueError(
                f"unknown placeholder(s) {sorted(unknown)}; use {{invoice}} and {{amount}}"
            )
        return value

    @property
    def telegram_configured(self) -> bool:
        """True when a Telegram bot token is set (else the sandbox Bot API is used)."""
        return self.telegram_token is not None

    @property
    def twilio_configured(self) -> bool:
        """True when Twilio credentials are set (else the sandbox Twilio API is used)."""
        return bool(self.twilio_account_sid) and self.twilio_auth_token is not None

    @property
    def zone(self) -> ZoneInfo:
        """The business's default time zone."""
        return ZoneInfo(self.timezone)

    @property
    def smtp_configured(self) -> bool:
        """True when a real SMTP server is configured (else the sandbox sink is used)."""
        return bool(self.smtp_host)

    @property
    def sandbox_only(self) -> bool:
        """True when no real provider is configured: every message stays in the sandbox."""
        return not (self.telegram_configured or self.twilio_configured or self.smtp_configured)


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation errors into one line naming the setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "TAGIH_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
