"""Mask personal data (email addresses, phone numbers, chat ids) before it reaches a log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_address(value: str) -> str:
    """Keep just enough to tell addresses apart: `b***@example.co.id`, `+62***789`."""
    value = value.strip()
    if "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if len(value) > 6:
        # Country code and last digits identify a number to the operator, not to a reader.
        return f"{value[:3]}***{value[-3:]}"
    return f"{value[:1]}***" if value else ""


def mask_emails(text: str) -> str:
    """Mask every email address inside free text, such as a server's error reply."""
    return _EMAIL.sub(lambda match: mask_address(match.group(0)), text)


#: International or Indonesian national phone numbers, with the usual separators.
_PHONE = re.compile(
    r"(?:\+|%2B)\d{4,15}\b"  # E.164, also URL-encoded (Twilio's To=%2B62…)
    r"|(?<![\w.])0\d[\d\s().-]{6,16}\d(?!\w)"  # national: 0812-3456-7890
    r"|\b62\d{8,13}\b"  # E.164 without its plus (chat exports, some gateways)
)
#: Libraries whose debug output carries request bodies, SQL parameters or URLs with tokens:
#: never below this level, even with `-v`.
LIBRARY_FLOORS = {
    "sqlalchemy": logging.WARNING,  # INFO and DEBUG log every statement's parameters
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "alembic": logging.INFO,
    "apscheduler": logging.INFO,
    "telegram": logging.INFO,  # DEBUG dumps every request and update
    "httpx": logging.INFO,
    "httpcore": logging.WARNING,
    "twilio": logging.WARNING,  # DEBUG and INFO log request bodies (numbers, texts)
    "aiohttp.access": logging.WARNING,
    "aiosmtplib": logging.WARNING,
    "mail.log": logging.WARNING,  # aiosmtpd logs envelopes
}


def mask_phones(text: str) -> str:
    """Mask every phone number inside free text."""

    def masked(match: re.Match[str]) -> str:
        number = re.sub(r"[^\d+]", "", match.group(0).replace("%2B", "+"))
        return mask_address(number)

    return _PHONE.sub(masked, text)


class RedactingFilter(logging.Filter):
    """Mask emails, phone numbers and the installation's secrets in every log record.

    Installed on the console handler, it sees the final message of every logger,
    ours and the libraries', whatever level `-v` lets through.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        """Redact these secret values (tokens, passwords) wherever they appear."""
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with secrets, emails and phone numbers masked."""
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        return mask_phones(mask_emails(text))

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message by its redacted rendering."""
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        redacted = self.redact(message)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.msg, record.args = redacted, None
        return True


def configure_logging(handler: logging.Handler, *, verbose: bool, secrets: Iterable[str]) -> None:
    """Root logging for the CLI: our debug lines with `-v`, libraries held at their floors,
    everything redacted."""
    handler.addFilter(RedactingFilter(secrets))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[handler],
        force=True,
    )
    for name, floor in LIBRARY_FLOORS.items():
        level = floor if verbose else max(floor, logging.WARNING)
        logging.getLogger(name).setLevel(level)
