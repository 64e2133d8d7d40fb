"""Frozen values shared by channels and flows: what goes out, what comes in, what happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class DeliveryOutcome(StrEnum):
    """How a send ended, as the dispatcher needs to know it."""

    SENT = "sent"  # accepted by the provider
    RETRYABLE = "retryable"  # try again later (4xx SMTP, 429, connection refused)
    PERMANENT = "permanent"  # this address will not work: try the next channel
    UNKNOWN = "unknown"  # may or may not have gone out: never resend blindly


@dataclass(frozen=True, slots=True)
class Address:
    """Where a message goes or comes from: a channel and an address on it."""

    channel: str
    value: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered with a message (inline button, numbered option or keypad digit)."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to send; `idempotency_key` is unique across all outbound messages."""

    to: Address
    body: str
    idempotency_key: str
    subject: str = ""
    html: str | None = None
    language: str = "id"
    template: str | None = None
    buttons: tuple[Button, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    #: Template variables, for channels that send pre-approved templates (WhatsApp).
    variables: tuple[tuple[str, str], ...] = ()
    #: When this contact last wrote to us (WhatsApp allows free text for 24 hours after).
    last_inbound_at: dt.datetime | None = None
    #: A PNG drawn in memory (a report's chart), sent as a photo with `body` as its caption.
    photo: bytes | None = None


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What a channel reports about one send; failures are values, not exceptions."""

    outcome: DeliveryOutcome
    provider_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    retry_after: float | None = None
    #: The provider itself cannot take messages now (unreachable: refused, DNS, TLS, connect
    #: timeout; or our credentials refused) and nothing was sent. Always with RETRYABLE: the
    #: dispatcher stops using the channel for the pass and falls back to the next one.
    provider_down: bool = False

    @property
    def ok(self) -> bool:
        """True when the provider accepted the message."""
        return self.outcome is DeliveryOutcome.SENT


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message received from a customer or staff member on any channel."""

    sender: Address
    text: str
    received_at: dt.datetime
    provider_id: str | None = None
    payload: str | None = None  # a button or keypad choice, when the provider gives one
    media: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message body for one channel."""

    subject: str
    text: str
    html: str | None
    language: str
    template: str
    buttons: tuple[Button, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
