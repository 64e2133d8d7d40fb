"""The provider's side of the Twilio sandbox for calls: answer, keypad presses, hang-up."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urljoin

from bot.sandbox.twilio_driver import TwilioDriver
from bot.sandbox.twilio_records import API_VERSION, PlacedCall, Webhook, rfc2822

_FINAL_CALL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


class CallDriver(TwilioDriver):
    """Plays the callee: fetches the call's TwiML, follows its Gathers, ends the call."""

    def _call_params(self, call: PlacedCall) -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": call.sid,
            "CallStatus": call.status,
            "Called": call.to,
            "Caller": call.from_,
            "Direction": "outbound-api",
            "From": call.from_,
            "To": call.to,
        }

    async def answer(self, call_sid: str) -> str:
        """The callee picks up: fetch the call's TwiML (signed) and return it."""
        call = self.call(call_sid)
        call.status, call.start_time = "in-progress", self.now()
        if call.url is None:
            return await self._run(call, call.twiml or "", None)
        if call.method != "POST":
            raise NotImplementedError("the sandbox fetches TwiML with POST only")
        hook = await self._post(call.url, self._call_params(call))
        return await self._run(call, hook.text, call.url)

    async def press(self, call_sid: str, digits: str) -> str:
        """The callee presses keys: POST Digits to the pending Gather; return the next TwiML."""
        call = self.call(call_sid)
        action = call.gather_action
        if action is None:
            raise RuntimeError(f"call {call_sid} is not waiting for digits")
        params = {**self._call_params(call), "Digits": digits, "FinishedOnKey": ""}
        hook = await self._post(action, params)
        return await self._run(call, hook.text, action)

    async def _run(self, call: PlacedCall, twiml: str, url: str | None) -> str:
        """Follow a TwiML document: wait at its Gather, or end the call when it has none."""
        call.documents.append(twiml)
        call.gather_action = None
        try:
            gathers = list(ET.fromstring(twiml).iter("Gather"))
        except ET.ParseError:
            gathers = []  # Twilio says "an application error has occurred" and hangs up
        if gathers:
            # Without an action, Twilio posts the digits back to the document's own URL.
            action = gathers[-1].get("action") or url
            call.gather_action = urljoin(url, action) if url and action else action
        else:
            await self.hangup(call.sid)
        return twiml

    async def hangup(self, call_sid: str, status: str = "completed") -> Webhook | None:
        """End a call (`completed`, `busy`, `no-answer`, `failed`) and send its status."""
        call = self.call(call_sid)
        if call.status in _FINAL_CALL:
            return None
        call.status, call.end_time = status, self.now()
        call.gather_action = None
        if not call.status_callback:
            return None
        params = self._call_params(call)
        params["CallDuration"] = call.resource()["duration"] or "0"
        params["Timestamp"] = rfc2822(call.end_time) or ""
        params["CallbackSource"] = "call-progress-events"
        return await self._post(call.status_callback, params)
