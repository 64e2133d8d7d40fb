"""The Channel protocol: turn an `Outbound` into a `DeliveryResult`, declaring limits."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Protocol, runtime_checkable

from scheduler.messages import DeliveryResult, Outbound


@runtime_checkable
class Channel(Protocol):
    """A way to deliver messages; expected provider failures are returned, not raised."""

    name: ClassVar[str]
    max_length: ClassVar[int | None]
    supports_html: ClassVar[bool]
    supports_buttons: ClassVar[bool]

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
