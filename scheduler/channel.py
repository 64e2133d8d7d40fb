"""The Channel protocol: turn an `Outbound` into a `DeliveryResult`, declaring what it carries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from scheduler.messages import DeliveryResult, Outbound


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a channel carries; the renderer shapes each message by it, never by the
    channel's name (as apprise's and Home Assistant's notify services declare theirs)."""

    #: The longest body the provider takes, in characters (None: no practical limit).
    max_length: int | None = None
    #: An HTML alternative is shown (email): the full statement goes out.
    html: bool = False
    #: Buttons are shown under the text (Telegram's inline keyboard).
    buttons: bool = False
    #: The text is read aloud (a call): one spoken paragraph, choices on the keypad.
    spoken: bool = False


@runtime_checkable
class Channel(Protocol):
    """A way to deliver messages; expected provider failures are returned, not raised."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    async def send(self, message: Outbound) -> DeliveryResult:
        """Deliver one message and classify the outcome."""
        ...

    async def reconcile(
        self, message: Outbound, *, reserved_at: dt.datetime, known: frozenset[str]
    ) -> DeliveryResult | None:
        """What became of `message`, reserved at `reserved_at` by a worker that died before
        recording.

        A DeliveryResult (SENT with the provider id, or the provider's failure) when the
        provider has it; None when it never reached the provider (the dispatcher then sends
        it, same idempotency key); UNKNOWN when the provider cannot be asked (e.g. it is
        down): the dispatcher retries reconcile later. `known` holds provider ids already
        recorded in our log (never claim one of those as this message's).
        """
        ...

    async def close(self) -> None:
        """Release connections held for a batch."""
        ...
