"""What the Twilio sandbox keeps and answers: resources shaped like Twilio's, its error codes."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any

API_VERSION = "2010-04-01"
#: Characters of the GSM 03.38 default alphabet (and its extension table).
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)

Form = tuple[tuple[str, str], ...]


def new_sid(prefix: str) -> str:
    """A resource SID like Twilio's: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def rfc2822(moment: dt.datetime | None) -> str | None:
    """Twilio's date format: `Thu, 24 Aug 2023 05:01:45 +0000`."""
    return format_datetime(moment.astimezone(dt.UTC)) if moment is not None else None


def segments(body: str) -> int:
    """SMS segments for a body: 160/153 GSM-7 characters, else 70/67 UCS-2 ones."""
    single, multi = (160, 153) if set(body) <= _GSM7 else (70, 67)
    return 1 if len(body) <= single else math.ceil(len(body) / multi)


@dataclass
class SentMessage:
    """One Message resource (outbound from the API, or inbound from a customer)."""

    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    date_created: dt.datetime
    form: Form = ()
    direction: str = "outbound-api"
    status: str = "queued"
    content_sid: str | None = None
    content_variables: str | None = None
    status_callback: str | None = None
    media_urls: tuple[str, ...] = ()
    error_code: int | None = None
    error_message: str | None = None
    date_updated: dt.datetime | None = None
    date_sent: dt.datetime | None = None
    #: A failure already decided at creation (63016), reported when the message advances.
    pending_error: int | None = None

    @classmethod
    def from_form(cls, form: Form, *, account_sid: str, now: dt.datetime) -> SentMessage:
        """The message a (validated) Messages create asks for."""
        params = dict(reversed(form))
        media = tuple(value for key, value in form if key == "MediaUrl")
        return cls(
            sid=new_sid("MM" if media else "SM"),
            account_sid=account_sid,
            to=params["To"],
            from_=params.get("From", ""),
            body=params.get("Body", ""),
            date_created=now,
            form=form,
            content_sid=params.get("ContentSid"),
            content_variables=params.get("ContentVariables"),
            status_callback=params.get("StatusCallback"),
            media_urls=media,
        )

    @property
    def params(self) -> dict[str, str]:
        """The create request's parameters (the first value of repeated ones)."""
        return dict(reversed(self.form))

    @property
    def channel(self) -> str:
        """`whatsapp` or `sms`, from the address prefix."""
        return "whatsapp" if self.to.startswith("whatsapp:") else "sms"

    def resource(self) -> dict[str, Any]:
        """The JSON of `api.v2010.account.message`."""
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated or self.date_created),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "from": self.from_,
            "messaging_service_sid": None,
            "num_media": str(len(self.media_urls)),
            "num_segments": str(segments(self.body)),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }


@dataclass
class PlacedCall:
    """One Call resource, with where its TwiML comes from and the keypad state."""

    sid: str
    account_sid: str
    to: str
    from_: str
    date_created: dt.datetime
    form: Form = ()
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    status_callback: str | None = None
    status: str = "queued"
    date_updated: dt.datetime | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    #: The TwiML documents the call went through, in order.
    documents: list[str] = field(default_factory=list)
    #: Where the pending `<Gather>` posts the digits (None when nothing waits for a key).
    gather_action: str | None = None

    @classmethod
    def from_form(cls, form: Form, *, account_sid: str, now: dt.datetime) -> PlacedCall:
        """The call a (validated) Calls create asks for."""
        params = dict(reversed(form))
        return cls(
            sid=new_sid("CA"),
            account_sid=account_sid,
            to=params["To"],
            from_=params["From"],
            date_created=now,
            form=form,
            url=params.get("Url"),
            method=params.get("Method", "POST").upper(),
            twiml=params.get("Twiml"),
            status_callback=params.get("StatusCallback"),
        )

    @property
    def params(self) -> dict[str, str]:
        """The create request's parameters (the first value of repeated ones)."""
        return dict(reversed(self.form))

    def resource(self) -> dict[str, Any]:
        """The JSON of `api.v2010.account.call`."""
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{self.sid}"
        duration = None
        if self.start_time is not None and self.end_time is not None:
            duration = str(int((self.end_time - self.start_time).total_seconds()))
        return {
            "account_sid": self.account_sid,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_updated or self.date_created),
            "direction": "outbound-api",
            "duration": duration,
            "end_time": rfc2822(self.end_time),
            "forwarded_from": None,
            "from": self.from_,
            "from_formatted": self.from_,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": rfc2822(self.start_time),
            "status": self.status,
            "subresource_uris": {"recordings": f"{uri}/Recordings.json"},
            "to": self.to,
            "to_formatted": self.to,
            "trunk_sid": None,
            "uri": f"{uri}.json",
        }


@dataclass
class RecordedRequest:
    """One request to the API: when (on the sandbox clock), what, and the answer's status."""

    at: float
    method: str
    path: str
    form: Form
    status: int = 0
    #: The query string's parameters (a list read's filters and paging).
    query: Form = ()


@dataclass(frozen=True, slots=True)
class Webhook:
    """One signed request the sandbox made to the application, and its answer."""

    url: str
    params: Mapping[str, str]
    signature: str
    status: int
    text: str
