"""Which Messages and Calls creates the Twilio sandbox refuses, with Twilio's codes and texts."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")
#: Error messages of the delivery failures a test may inject (Twilio's wording).
DELIVERY_ERRORS = {
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    63016: "Failed to send freeform message because you are outside the allowed window. "
    "If you are using WhatsApp, please use a Message Template.",
}
_SAME_CHANNEL = "Invalid From and To pair. From and To should be of the same channel"
_TOO_LONG = "The concatenated message body exceeds the 1600 character limit."


class ApiError(Exception):
    """An error reply of the API, with Twilio's JSON body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        """HTTP `status`, Twilio error `code` and its message."""
        super().__init__(status, code, message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        """`{"code", "message", "more_info", "status"}` as Twilio sends it."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def _number(address: str) -> str:
    return address.removeprefix("whatsapp:")


def _valid_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _first(form: Sequence[tuple[str, str]], name: str) -> str:
    return next((value for key, value in form if key == name), "")


def validate_message(form: Sequence[tuple[str, str]], opted_out: set[str]) -> None:
    """Raise the ApiError Twilio answers for a Messages create it refuses."""
    to, sender = _first(form, "To"), _first(form, "From")
    body = _first(form, "Body")
    if not to:
        raise ApiError(400, 21604, "A 'To' phone number is required.")
    if not sender and not _first(form, "MessagingServiceSid"):
        raise ApiError(400, 21603, "A 'From' phone number is required.")
    if not body and not _first(form, "MediaUrl") and not _first(form, "ContentSid"):
        raise ApiError(400, 21602, "Message body is required.")
    if not _E164.fullmatch(_number(to)):
        raise ApiError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if sender and not _E164.fullmatch(_number(sender)):
        raise ApiError(400, 21212, f"The 'From' number {sender} is not a valid phone number.")
    if to.startswith("whatsapp:") != sender.startswith("whatsapp:"):
        raise ApiError(
            400, 21910, "Invalid From and To pair. From and To should be of the same channel"
        )
    if len(body) > 1600:
        raise ApiError(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    content_sid = _first(form, "ContentSid")
    if content_sid and not _CONTENT_SID.fullmatch(content_sid):
        raise ApiError(400, 21655, "The ContentSid is Invalid.")
    variables = _first(form, "ContentVariables")
    if variables:
        try:
            if not isinstance(json.loads(variables), dict):
                raise ValueError(variables)
        except ValueError:
            raise ApiError(400, 21656, "The ContentVariables Parameter is invalid.") from None
    callback = _first(form, "StatusCallback")
    if callback and not _valid_url(callback):
        raise ApiError(400, 21609, f"The StatusCallback URL {callback} is not a valid URL.")
    if _number(to) in opted_out:
        raise ApiError(400, 21610, "Attempt to send to unsubscribed recipient")


def validate_call(form: Sequence[tuple[str, str]]) -> None:
    """Raise the ApiError Twilio answers for a Calls create it refuses."""
    to, sender = _first(form, "To"), _first(form, "From")
    if not to:
        raise ApiError(400, 21201, "No 'To' number is specified")
    if not sender:
        raise ApiError(400, 21213, "No 'From' number is specified")
    if not _first(form, "Url") and not _first(form, "Twiml") and not _first(form, "ApplicationSid"):
        raise ApiError(400, 21205, "Url parameter is required.")
    if not _E164.fullmatch(to):
        raise ApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    for name in ("Url", "StatusCallback"):
        value = _first(form, name)
        if value and not _valid_url(value):
            raise ApiError(400, 21205 if name == "Url" else 21609, f"{name} is not a valid URL.")
    for name in ("Method", "StatusCallbackMethod"):
        value = _first(form, name)
        if value and value.upper() not in ("GET", "POST"):
            raise ApiError(400, 21207, f"{name} must be GET or POST.")
