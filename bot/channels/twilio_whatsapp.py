"""The WhatsApp channel: free text inside the 24-hour window, approved templates outside it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from bot.channels import TWILIO_SENDERS
from bot.channels.pacing import Clock, Sleep
from bot.channels.twilio_base import TWILIO_API_BASE, TwilioChannel
from bot.channels.twilio_sms import MAX_BODY
from i18n.format import fit
from scheduler.channel import Capabilities
from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound

if TYPE_CHECKING:
    pass

#: WhatsApp's customer service window: free text is allowed this long after they wrote.
WINDOW = dt.timedelta(hours=24)
#: Kept back from the end of the window: a message queued at 23:59 reaches WhatsApp late.
WINDOW_MARGIN = dt.timedelta(minutes=5)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def whatsapp_address(number: str) -> str:
    """`whatsapp:+62…` for an E.164 number (unchanged if already prefixed)."""
    return "whatsapp:" + number.removeprefix("whatsapp:")


class TwilioWhatsAppChannel(TwilioChannel):
    """WhatsApp by Twilio; outside the window only a template (`ContentSid`) may be sent."""

    name: ClassVar[str] = "whatsapp"
    # Twilio's Body limit, below WhatsApp's own; no buttons: quick replies need approved
    # templates, so the options are numbered lines in the text.
    capabilities: ClassVar[Capabilities] = Capabilities(max_length=MAX_BODY)
    sender_setting: ClassVar[str] = TWILIO_SENDERS["whatsapp"]
    rate_setting: ClassVar[str] = "whatsapp_rate"
    extra_settings: ClassVar[Mapping[str, str]] = {"templates": "whatsapp_templates"}

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        templates: Mapping[str, str],
        api_base: str = TWILIO_API_BASE,
        public_url: str | None = None,
        timeout: float = 15.0,
        rate: float = 80.0,
        max_in_flight: int | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        now: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        """`templates` maps "template key:language" to an approved Content SID (HX…)."""
        super().__init__(
            account_sid=account_sid,
            auth_token=auth_token,
            sender=sender,
            api_base=api_base,
            public_url=public_url,
            timeout=timeout,
            rate=rate,
            max_in_flight=max_in_flight,
            clock=clock,
            sleep=sleep,
        )
        self.templates = dict(templates)
        self.now = now

    def addresses(self, message: Outbound) -> tuple[str, str]:
        """(To, From) with their `whatsapp:` prefixes, as the messages were created."""
        return whatsapp_address(message.to.value), whatsapp_address(self.sender)

    def in_window(self, last_inbound_at: dt.datetime | None) -> bool:
        """True when free text may still be sent to a contact who last wrote then."""
        if last_inbound_at is None:
            return False
        return self.now() - last_inbound_at < WINDOW - WINDOW_MARGIN

    def template_for(self, message: Outbound) -> str | None:
        """The approved Content SID for the message's template and language, if any."""
        if message.template is None:
            return None
        return self.templates.get(f"{message.template}:{message.language}")

    async def send(self, message: Outbound) -> DeliveryResult:
        """Send free text inside the window, else the approved template with its variables."""
        to, sender = self.addresses(message)
        key = message.idempotency_key
        fields: dict[str, Any] = {
            "to": to,
            "from_": sender,
            "status_callback": self.callback("/twilio/status", key),
        }
        if self.in_window(message.last_inbound_at):
            fields["body"] = fit(message.body, MAX_BODY)
        else:
            content_sid = self.template_for(message)
            if content_sid is None:
                # Twilio would accept free text and fail it later (63016): say so now, so the
                # dispatcher can move on to the step's next channel.
                result = DeliveryResult(
                    DeliveryOutcome.PERMANENT,
                    error_code="no-template",
                    error_message=f"no approved template for {message.template}:"
                    f"{message.language} outside the 24-hour window",
                )
                self._log(to, key, result)
                return result
            fields["content_sid"] = content_sid
            fields["content_variables"] = json.dumps(dict(message.variables), ensure_ascii=False)
        return await self.create(to, key, lambda client: client.messages.create_async(**fields))
