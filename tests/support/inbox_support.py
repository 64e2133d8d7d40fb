"""Helpers for tests that talk to the webhooks: the replies come from the durable inbox's
worker, after the webhook has answered, so a test waits for it before reading them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound

if TYPE_CHECKING:
    from bot.app.tagih import Tagih
    from bot.inbound.web import WebDeps


async def settle(app: Tagih | WebDeps) -> None:
    """Wait until the inbox has applied every kept webhook event and sent its replies."""
    deps = app if not hasattr(app, "settings") else app._deps  # type: ignore[union-attr]
    assert deps is not None and deps.inbox is not None, "open the app with its web server"
    await deps.inbox.settled()


def align_whatsapp_clock(app: Tagih, now: dt.datetime) -> None:
    """The WhatsApp channel judges its 24-hour window on the wall clock; tests living at a
    fixed `now` give it theirs, so a reply to a message just received counts as inside."""
    channel = app.providers.channels.get("whatsapp")
    if channel is not None:
        channel.now = lambda: now  # type: ignore[attr-defined]


@dataclass
class RecordingChannel:
    """A channel that keeps what it is asked to send; `fail` answers retryable first."""

    name: str = "sms"
    sent: list[Outbound] = field(default_factory=list)
    fail: int = 0
    fail_with: DeliveryOutcome = DeliveryOutcome.RETRYABLE

    async def send(self, message: Outbound) -> DeliveryResult:
        """Record `message` (or fail it while `fail` > 0)."""
        if self.fail > 0:
            self.fail -= 1
            return DeliveryResult(self.fail_with, error_code="503", error_message="try later")
        self.sent.append(message)
        return DeliveryResult(DeliveryOutcome.SENT, provider_id=f"SM{uuid.uuid4().hex}")

    def bodies(self, to: str) -> list[str]:
        """What was sent to `to`, in order."""
        return [m.body for m in self.sent if m.to.value == to]
