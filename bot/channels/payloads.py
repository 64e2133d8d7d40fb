"""Provider webhook payloads as typed models, validated at the edge before anything is kept.

Twilio signs a form and Telegram sends a secret header, so a payload that passes those checks
comes from the provider; still, its fields are checked here before an event is kept, so that
a field the rest of Tagih cannot use (`NumMedia=abc`, a message without a chat, a sender
longer than the column it goes in) is logged and acknowledged at the door — answering 4xx or
5xx would only make the provider retry the same payload for days — and never reaches the
worker. The worker parses a kept event through the same models (events kept by an older
version were not checked), and settles one that does not fit as rejected.

Only the fields Tagih reads are modelled; the others are allowed and ignored. The shapes of a
Telegram message beyond its chat are python-telegram-bot's to check, in the worker.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Self, TypeVar
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.logmask import mask_address

__all__ = [
    "MAX_JSON_DEPTH",
    "Malformed",
    "TelegramUpdate",
    "TwilioGather",
    "TwilioMessage",
    "TwilioStatus",
    "json_depth",
    "load_json",
    "parse",
    "reason",
]

#: Telegram updates nest about ten levels (a reply's keyboard inside a message); far deeper
#: is not an update, and Python's JSON parser would recurse until RecursionError.
MAX_JSON_DEPTH = 64
#: Twilio allows ten media per message.
MAX_MEDIA = 10
#: A 64-bit signed integer: what the database can store as an id.
MAX_ID = 2**63 - 1

#: A Twilio SID: two letters and 32 hex digits (`SM…`, `MM…`, `CA…`); a little leeway.
Sid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}[0-9A-Za-z]{1,62}$")]
#: An address as Twilio writes it: `+62812…`, a short code, or `whatsapp:+62812…`.
TwilioAddress = Annotated[str, StringConstraints(pattern=r"^(?:whatsapp:)?\+?[0-9]{2,20}$")]
#: Free text a customer typed (WhatsApp allows 4,096 characters; SMS fewer).
Text = Annotated[str, StringConstraints(max_length=10_000)]
Short = Annotated[str, StringConstraints(max_length=256)]


M = TypeVar("M", bound="_Model")


class Malformed(ValueError):
    """A payload that is not what the provider sends; the message says why (no personal data)."""


class _Model(BaseModel):
    """Unknown fields allowed and ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def build(cls, data: Mapping[str, Any]) -> Self:
        """Validate `data` (a subclass may check more)."""
        return cls.model_validate(data)


class TwilioMessage(_Model):
    """An inbound SMS or WhatsApp message (Twilio's messaging webhook form)."""

    sender: TwilioAddress = Field(alias="From")
    to: TwilioAddress | None = Field(default=None, alias="To")
    body: Text = Field(default="", alias="Body")
    sid: Sid | None = Field(default=None, alias="MessageSid")
    media_count: int = Field(default=0, ge=0, le=MAX_MEDIA, alias="NumMedia")
    button_payload: Short | None = Field(default=None, alias="ButtonPayload")
    media: tuple[Annotated[str, StringConstraints(max_length=2048)], ...] = ()

    @classmethod
    def build(cls, form: Mapping[str, Any]) -> Self:
        """Validate a form; the media URLs are `MediaUrl0` … `MediaUrl{NumMedia-1}`."""
        # An empty field is an absent one (Twilio sends `ButtonPayload=` and the like).
        fields: dict[str, Any] = {
            k: v
            for k, v in form.items()
            if v != "" and k != "media" and not str(k).startswith("MediaUrl")
        }
        message = cls.model_validate(fields)
        urls = [form[f"MediaUrl{i}"] for i in range(message.media_count) if f"MediaUrl{i}" in form]
        return cls.model_validate({**fields, "media": urls}) if urls else message

    @property
    def channel(self) -> str:
        """`whatsapp` or `sms`."""
        return "whatsapp" if self.sender.startswith("whatsapp:") else "sms"

    @property
    def number(self) -> str:
        """The sender's number without the channel prefix."""
        return self.sender.removeprefix("whatsapp:")


class TwilioStatus(_Model):
    """A delivery status callback for a message or a call we made."""

    message_sid: Sid | None = Field(default=None, alias="MessageSid")
    call_sid: Sid | None = Field(default=None, alias="CallSid")
    message_status: Annotated[str, StringConstraints(max_length=32)] | None = Field(
        default=None, alias="MessageStatus"
    )
    call_status: Annotated[str, StringConstraints(max_length=32)] | None = Field(
        default=None, alias="CallStatus"
    )
    error_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}$")] | None = Field(
        default=None, alias="ErrorCode"
    )

    @classmethod
    def build(cls, form: Mapping[str, Any]) -> Self:
        """Validate a form: a SID and a status, of a message or of a call."""
        status = cls.model_validate({k: v for k, v in form.items() if v != ""})
        if not (status.message_sid or status.call_sid):
            raise Malformed("no MessageSid or CallSid")
        if not (status.message_status or status.call_status):
            raise Malformed("no MessageStatus or CallStatus")
        return status

    @property
    def sid(self) -> str:
        """The message's or the call's SID."""
        return self.message_sid or self.call_sid or ""

    @property
    def status(self) -> str:
        """The reported status."""
        return self.message_status or self.call_status or ""


class TwilioGather(_Model):
    """Keypad digits pressed in a reminder call we made."""

    call_sid: Sid = Field(alias="CallSid")
    to: TwilioAddress = Field(alias="To")
    digits: Annotated[str, StringConstraints(pattern=r"^[0-9*#]{0,32}$")] = Field(
        default="", alias="Digits"
    )


class TelegramChat(_Model):
    """The chat a message belongs to."""

    id: int = Field(strict=True, ge=-MAX_ID, le=MAX_ID)


class TelegramUser(_Model):
    """Who pressed a button."""

    id: int = Field(strict=True, ge=1, le=MAX_ID)


class TelegramMessage(_Model):
    """A message, as far as routing it needs: its chat."""

    chat: TelegramChat


class TelegramCallbackQuery(_Model):
    """An inline button press."""

    id: Short
    sender: TelegramUser = Field(alias="from")
    message: TelegramMessage | None = None


class TelegramUpdate(_Model):
    """An update of the kinds Tagih asks for (`message`, `callback_query`)."""

    update_id: int = Field(strict=True, ge=0, le=MAX_ID)
    message: TelegramMessage | None = None
    callback_query: TelegramCallbackQuery | None = None

    @classmethod
    def build(cls, payload: Mapping[str, Any]) -> Self:
        """Validate an update; one of neither kind (a poll, an edit, nothing) is `Malformed`."""
        update = cls.model_validate(payload)
        if update.message is None and update.callback_query is None:
            kinds = sorted(str(k)[:32] for k in payload if k != "update_id")[:3]
            raise Malformed(f"not a message or a button press ({', '.join(kinds) or 'empty'})")
        return update

    @property
    def chat(self) -> str:
        """The chat the update belongs to (its conversation, for ordering)."""
        if self.message is not None:
            return str(self.message.chat.id)
        assert self.callback_query is not None
        query = self.callback_query
        return str(query.message.chat.id if query.message is not None else query.sender.id)


def parse(model: type[M], data: Any) -> M:
    """`model` validated from `data`; `Malformed` (with a short reason) when it does not fit."""
    if not isinstance(data, Mapping):
        raise Malformed(f"not an object but {type(data).__name__}")
    try:
        return model.build(data)
    except ValidationError as exc:
        raise Malformed(reason(exc)) from None


def reason(exc: ValidationError) -> str:
    """What was wrong, by field, without the values (they may be personal data)."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "payload"
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep arrays and objects nest in a parsed JSON value, counted up to `limit + 1`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > limit:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def load_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of `body`; `Malformed` when it is not UTF-8 JSON or nests too deep."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Malformed(f"not JSON: {type(exc).__name__}") from None
    except RecursionError:
        # Python's parser recurses once per level and gives up near the recursion limit.
        raise Malformed(f"nested deeper than {max_depth} levels") from None
    if json_depth(value, max_depth) > max_depth:
        raise Malformed(f"nested deeper than {max_depth} levels")
    return value


def who(form: Mapping[str, str], field: str = "From") -> str:
    """The sender of a form, masked for a log line."""
    return mask_address(str(form.get(field, ""))[:40]) or "(none)"


#: The only body Twilio posts to webhooks.
FORM = "application/x-www-form-urlencoded"


def twilio_form(body: bytes) -> dict[str, str] | None:
    """The urlencoded form Twilio posted (the last value of a repeated name), or None when
    the body is not UTF-8 urlencoded (aiohttp's own parser raises on such bytes, and would
    take multipart); the caller reads a body only when its type is `FORM`."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except (UnicodeDecodeError, ValueError):
        return None
    return dict(pairs)
