"""The provider's side of the Twilio sandbox for messages: signed status callbacks, replies."""

from __future__ import annotations

import asyncio
import datetime as dt
import mimetypes
import uuid
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import aiohttp
from twilio.request_validator import RequestValidator
from yarl import URL

from bot.sandbox.twilio_records import (
    API_VERSION,
    PlacedCall,
    SentMessage,
    Webhook,
    new_sid,
)
from bot.sandbox.twilio_rules import DELIVERY_ERRORS

#: Twilio's default opt-out and opt-in keywords for SMS (Advanced Opt-Out off).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
_NEXT_STATUS = {"queued": "sent", "sent": "delivered"}


class TwilioDriver:
    """Drives what Twilio would do on its own: every webhook is signed like Twilio's."""

    webhook_base: str | None

    def __init__(
        self, *, account_sid: str, auth_token: str, now: Callable[[], dt.datetime]
    ) -> None:
        """Sign with `auth_token`; date events with `now`."""
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.now = now
        self.messages: list[SentMessage] = []
        self.calls: list[PlacedCall] = []
        self.inbound: list[SentMessage] = []
        self.webhooks: list[Webhook] = []
        #: Numbers that texted STOP: Messages to them are refused with 21610.
        self.opted_out: set[str] = set()
        #: (customer, sender) addresses → when the customer last wrote (WhatsApp window).
        self.last_inbound: dict[tuple[str, str], dt.datetime] = {}
        self._validator = RequestValidator(auth_token)
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def open_session(self) -> None:
        """Open the HTTP session webhooks go out on (inside the running loop)."""
        # Twilio waits 15 s for a webhook answer.
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))

    async def close_session(self) -> None:
        """Cancel background work and close the webhook session."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background until it ends or the sandbox stops."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        """`X-Twilio-Signature` for a POST of `params` to `url`, computed as Twilio does."""
        signature: str = self._validator.compute_signature(url, dict(params))
        return signature

    def message(self, sid: str) -> SentMessage:
        """The message with this SID (outbound or inbound)."""
        for message in (*self.messages, *self.inbound):
            if message.sid == sid:
                return message
        raise KeyError(sid)

    def call(self, sid: str) -> PlacedCall:
        """The call with this SID."""
        for call in self.calls:
            if call.sid == sid:
                return call
        raise KeyError(sid)

    async def _post(self, url: str, params: Mapping[str, str]) -> Webhook:
        """POST a signed webhook; an unreachable app is an answer with status 0."""
        if self._session is None:
            raise RuntimeError("the Twilio sandbox is not started")
        signature = self.sign(url, params)
        headers = {
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        try:
            # encoded=True: send the URL verbatim, as signed (yarl would turn %3A into ":").
            target = URL(url, encoded=True)
            async with self._session.post(target, data=dict(params), headers=headers) as response:
                status, text = response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            status, text = 0, f"{type(exc).__name__}: {exc}"
        hook = Webhook(url=url, params=dict(params), signature=signature, status=status, text=text)
        self.webhooks.append(hook)
        return hook

    async def _status_callback(self, message: SentMessage) -> Webhook | None:
        """Tell the message's StatusCallback its new status, as Twilio does."""
        if not message.status_callback:
            return None
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": message.from_,
            "MessageSid": message.sid,
            "MessageStatus": message.status,
            "SmsSid": message.sid,
            "SmsStatus": message.status,
            "To": message.to,
        }
        if message.error_code is not None:
            params["ErrorCode"] = str(message.error_code)
        if message.channel == "whatsapp":
            params["ChannelPrefix"] = "whatsapp"
        return await self._post(message.status_callback, params)

    async def advance(self, sid: str | None = None) -> list[Webhook]:
        """Move one message (or every unfinished one) a step: queued → sent → delivered."""
        targets = [self.message(sid)] if sid is not None else list(self.messages)
        hooks: list[Webhook] = []
        for message in targets:
            if message.pending_error is not None and message.status == "queued":
                hook = await self.fail(message.sid, message.pending_error)
            elif message.status in _NEXT_STATUS:
                message.status = _NEXT_STATUS[message.status]
                message.date_updated = self.now()
                if message.status == "sent":
                    message.date_sent = message.date_updated
                hook = await self._status_callback(message)
            else:
                continue
            if hook is not None:
                hooks.append(hook)
        return hooks

    async def fail(self, sid: str, code: int = 30003) -> Webhook | None:
        """Fail a message with a Twilio error code (30003 unreachable, 30007 filtered…)."""
        message = self.message(sid)
        # Carriers report 3000x as undelivered; a refusal before sending is failed.
        message.status = "undelivered" if 30003 <= code <= 30007 else "failed"
        message.error_code = code
        message.error_message = DELIVERY_ERRORS.get(code, "Delivery failed (sandbox)")
        message.date_updated = self.now()
        message.pending_error = None
        return await self._status_callback(message)

    def note_inbound(self, customer: str, sender: str, at: dt.datetime | None = None) -> None:
        """Open the WhatsApp window as if `customer` had written to `sender` at `at`."""
        customer, sender = (f"whatsapp:{n.removeprefix('whatsapp:')}" for n in (customer, sender))
        self.last_inbound[(customer, sender)] = at or self.now()

    async def customer_replies(
        self,
        from_number: str,
        to_number: str,
        body: str,
        *,
        channel: str = "sms",
        button_payload: str | None = None,
        media_urls: tuple[str, ...] = (),
        profile_name: str = "Sandbox Customer",
    ) -> Webhook:
        """A customer writes to one of our numbers: POST the signed inbound webhook."""
        if self.webhook_base is None:
            raise RuntimeError("the Twilio sandbox has no webhook_base to deliver replies to")
        prefix = "whatsapp:" if channel == "whatsapp" else ""
        sender = prefix + from_number.removeprefix("whatsapp:")
        to = prefix + to_number.removeprefix("whatsapp:")
        message = SentMessage(
            sid=new_sid("MM" if media_urls else "SM"),
            account_sid=self.account_sid,
            to=to,
            from_=sender,
            body=body,
            date_created=self.now(),
            direction="inbound",
            status="received",
            media_urls=media_urls,
        )
        self.inbound.append(message)
        params = self._inbound_params(message)
        if channel == "whatsapp":
            self.last_inbound[(sender, to)] = message.date_created
            params |= _whatsapp_params(message, profile_name, button_payload)
        else:
            params |= self._opt_out_keyword(sender, body)
        return await self._post(f"{self.webhook_base}/twilio/messages", params)

    def _inbound_params(self, message: SentMessage) -> dict[str, str]:
        """The form fields of Twilio's inbound message webhook, media included."""
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "Body": message.body,
            "From": message.from_,
            "MessageSid": message.sid,
            "NumMedia": str(len(message.media_urls)),
            "NumSegments": "1",
            "SmsMessageSid": message.sid,
            "SmsSid": message.sid,
            "SmsStatus": "received",
            "To": message.to,
        }
        for index, url in enumerate(message.media_urls):
            params[f"MediaUrl{index}"] = url
            params[f"MediaContentType{index}"] = mimetypes.guess_type(url)[0] or "image/jpeg"
        return params

    def _opt_out_keyword(self, sender: str, body: str) -> dict[str, str]:
        """Twilio's own STOP and START handling for SMS: the opt-out list, and `OptOutType`."""
        word = body.strip().upper()
        if word in STOP_WORDS:
            self.opted_out.add(sender)
            return {"OptOutType": "STOP"}
        if word in START_WORDS:
            self.opted_out.discard(sender)
            return {"OptOutType": "START"}
        return {}


def _whatsapp_params(
    message: SentMessage, profile_name: str, button_payload: str | None
) -> dict[str, str]:
    """The fields WhatsApp adds to an inbound webhook: the sender's profile and the kind of
    message (a button's payload and text for a button press)."""
    params = {
        "WaId": message.from_.removeprefix("whatsapp:+"),
        "ProfileName": profile_name,
        "MessageType": "button" if button_payload else "image" if message.media_urls else "text",
    }
    if button_payload is not None:
        params["ButtonPayload"] = button_payload
        params["ButtonText"] = message.body
    return params
