"""The Channel protocol: turn an `Outbound` into a `DeliveryResult`, declaring limits."""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from bot.messages import DeliveryResult, Outbound


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

    async def close(self) -> None:
        """Release connections held for a batch."""
        ...
