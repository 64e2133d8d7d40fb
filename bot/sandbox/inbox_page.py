"""The sandbox inbox: everyone in the sandbox and their threads, in the browser and as JSON.

Served by `tagih run` under `/sandbox` while at least one provider runs in the sandbox, and
only to loopback clients: anything else gets 404, as if the routes did not exist. Threads
come from what the stand-ins received (bot/sandbox/inbox_threads.py) and, for customers'
messages, from the inbound log. Replies take the path a real one takes: the Twilio
stand-in posts a signed webhook, the Telegram stand-in delivers an update. The HTTP API:

    GET  /sandbox                      the page
    GET  /sandbox/api/people           everyone, with contacts and each customer's next contact
    GET  /sandbox/api/thread?person=P  P's threads per channel (P: customer:CODE or staff:ID)
    GET  /sandbox/api/customers/CODE   the customer's card, log, promises, cases and plan
    POST /sandbox/api/reply            {person, channel, text | button (+message_id) | digits}
                                       (email: a reply in the thread of the latest mail)
    POST /sandbox/api/answer           {person}: pick up the latest call to the customer
    POST /sandbox/api/connect          {person: staff:ID}: bind a sandbox Telegram chat

POSTs take `Content-Type: application/json`, which a page on another site cannot send
without a preflight this server never grants: the loopback check alone would let any site
open in the same browser play customers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any, Protocol

import jinja2
from aiohttp import web

from bot.inbound.email_replies import EmailReplies
from bot.inbound.inbox import Inbox
from bot.sandbox import SANDBOX_SENDERS
from bot.sandbox.inbox_threads import (
    Item,
    email_thread,
    telegram_thread,
    twilio_thread,
    voice_thread,
)
from bot.sandbox.smtp import SmtpSink
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.twilio import TwilioSandbox
from storage.db import Database
from storage.models import Customer, Staff
from storage.queries.contacts import link_token_for
from storage.queries.ledger import customer_card, find_customer
from storage.queries.people import (
    CustomerEntry,
    NextContact,
    customer_entries,
    everyone,
    inbound_messages,
    logged_bodies,
)
from storage.queries.timeline import customer_timeline

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Clock = Callable[[], dt.datetime]
#: Sandbox Telegram chats of staff bound from the inbox: this plus the staff id. Far above
#: the ids the examples give customers, below Telegram's 52-bit user ids.
STAFF_CHAT_BASE = 7_000_000_000
#: Which stand-in carries each channel.
CARRIERS = {
    "whatsapp": "twilio",
    "sms": "twilio",
    "voice": "twilio",
    "telegram": "telegram",
    "email": "smtp",
}
TEMPLATES = Path(__file__).resolve().parent / "page"
#: Everything comes from this server; inline styles stay allowed for mail bodies, which
#: inherit this policy in their `srcdoc` frame (and their scripts are off by `sandbox`).
CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'"
)
STATIC = {"inbox.js": "text/javascript", "inbox.css": "text/css"}


class InboxError(Exception):
    """A request the inbox cannot carry out, with the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        """Remember the status and the message."""
        super().__init__(message)
        self.status = status


class StandIns(Protocol):
    """The running stand-ins, as the app's channel factory holds them (None when real)."""

    twilio_sandbox: TwilioSandbox | None
    telegram_sandbox: TelegramSandbox | None
    smtp_sink: SmtpSink | None


@dataclass
class SandboxInbox:
    """What the inbox reads and drives: the database and the providers' stand-ins."""

    db: Database
    clock: Clock
    company_name: str = "Tagih"
    #: Set once the providers are open; None (or no stand-in among them) means 404.
    providers: StandIns | None = None
    #: Keys pressed in each call through the inbox (call sid → digits, in order).
    pressed: dict[str, list[str]] = field(default_factory=dict)
    #: The durable inbox (bot/inbound/inbox.py) that applies what comes in; tests wait on it.
    durable: Inbox | None = None
    #: The way in for email replies (bot/inbound/email_replies.py), as the poller's.
    mail: EmailReplies | None = None

    @property
    def active(self) -> bool:
        """Whether any provider runs in the sandbox."""
        p = self.providers
        return p is not None and any(
            s is not None for s in (p.twilio_sandbox, p.telegram_sandbox, p.smtp_sink)
        )

    def carried(self) -> set[str]:
        """The channels whose provider runs in the sandbox."""
        p = self.providers
        if p is None:
            return set()
        running = {
            "twilio": p.twilio_sandbox is not None,
            "telegram": p.telegram_sandbox is not None,
            "smtp": p.smtp_sink is not None,
        }
        return {channel for channel, carrier in CARRIERS.items() if running[carrier]}

    # --- reading ------------------------------------------------------------------------
    async def people(self) -> list[dict[str, Any]]:
        """Everyone in the sandbox: customers (by code), then staff (by role and name)."""
        async with self.db.sessions() as session:
            found = await everyone(session)
        return [_customer_json(e) for e in found.customers] + [_staff_json(s) for s in found.staff]

    async def thread(self, person: str) -> dict[str, Any]:
        """One person's threads per channel, and which channels take a reply."""
        who = await self._resolve(person)
        addresses = who.addresses(self.carried())
        channels: dict[str, list[Item]] = {}
        providers = self.providers
        assert providers is not None
        twilio, telegram, smtp = (
            providers.twilio_sandbox,
            providers.telegram_sandbox,
            providers.smtp_sink,
        )
        async with self.db.sessions() as session:
            for channel in ("whatsapp", "sms"):
                if channel in addresses and twilio is not None:
                    received = await inbound_messages(
                        session, channel=channel, addresses=addresses[channel]
                    )
                    sids = [m.sid for m in twilio.messages if not m.body]
                    channels[channel] = twilio_thread(
                        twilio,
                        channel,
                        addresses[channel],
                        logged=await logged_bodies(session, provider_ids=sids),
                        received=[(m.provider_id or "", m.body, m.created_at) for m in received],
                    )
        if "telegram" in addresses and telegram is not None:
            items: list[Item] = []
            for chat in addresses["telegram"]:
                items.extend(telegram_thread(telegram, int(chat)))
            channels["telegram"] = items
        if "email" in addresses and smtp is not None:
            async with self.db.sessions() as session:
                received = await inbound_messages(
                    session, channel="email", addresses=addresses["email"]
                )
            channels["email"] = email_thread(smtp, addresses["email"]) + [
                {"dir": "in", "id": m.provider_id, "text": m.body, "at": _iso(m.created_at)}
                for m in received
            ]
        if "voice" in addresses and twilio is not None:
            channels["voice"] = voice_thread(twilio, addresses["voice"], self.pressed)
        replies = {name: name != "email" or self.mail is not None for name in channels}
        return {
            "person": who.json,
            "channels": channels,
            "replies": replies,
            "connect": who.staff is not None and who.staff.telegram_user_id is None,
        }

    async def customer(self, code: str) -> dict[str, Any]:
        """A customer's card, communication log, promises, cases and next contact."""
        async with self.db.sessions() as session:
            customer = await find_customer(session, code=code)
            if customer is None:
                raise InboxError(404, f"no customer {code!r}")
            card = await customer_card(session, customer=customer)
            timeline = await customer_timeline(session, code=customer.code)
            (entry,) = await customer_entries(session, customers=[customer])
        result: dict[str, Any] = _plain(
            {
                "customer": customer.model_dump(),
                "collector": card.collector,
                "salesperson": card.salesperson,
                "policy": card.policy,
                "contacts": [c.model_dump() for c in card.contacts],
                "invoices": [i.model_dump() for i in card.invoices],
                "promises": [
                    {**p.promise.model_dump(), "invoices": list(p.invoices)} for p in card.promises
                ],
                "cases": [
                    {**c.case.model_dump(), "invoices": list(c.invoices)} for c in card.cases
                ],
                "next_contact": _next_json(entry.next_contact),
                "log": [dataclasses.asdict(line) for line in timeline],
            }
        )
        return result

    # --- acting as a person -------------------------------------------------------------
    async def reply(self, body: dict[str, Any]) -> dict[str, Any]:
        """Answer as a person on a channel, through the path a real answer takes."""
        who = await self._resolve(_text(body, "person"))
        channel = _text(body, "channel")
        addresses = who.addresses(self.carried()).get(channel)
        if not addresses:
            raise InboxError(409, f"{who.name} has no {channel} address in the sandbox")
        if channel == "email":
            return await self._mail_reply(who, addresses[0], _text(body, "text"))
        if channel in ("sms", "whatsapp"):
            return await self._twilio_reply(channel, addresses[0], _text(body, "text"))
        if channel == "telegram":
            return await self._telegram_reply(who, int(addresses[0]), body)
        if channel == "voice":
            return await self._press(addresses, _text(body, "digits"))
        raise InboxError(400, f"unknown channel {channel!r}")

    async def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """Pick up the latest call to the customer: the stand-in fetches its TwiML."""
        who = await self._resolve(_text(body, "person"))
        numbers = who.addresses(self.carried()).get("voice") or []
        twilio = self._twilio()
        calls = [c for c in twilio.calls if c.to in numbers and not c.documents]
        if not calls:
            raise InboxError(409, f"no unanswered call to {who.name}")
        twiml = await twilio.answer(calls[-1].sid)
        return {"ok": True, "call": calls[-1].sid, "twiml": twiml}

    async def connect(self, body: dict[str, Any]) -> dict[str, Any]:
        """Bind a sandbox Telegram chat to a staff member through a deep link's `/start`."""
        who = await self._resolve(_text(body, "person"))
        if who.staff is None or who.staff.id is None:
            raise InboxError(400, "only staff connect a Telegram chat here")
        telegram = self._telegram()
        chat = who.staff.telegram_user_id or STAFF_CHAT_BASE + who.staff.id
        async with self.db.transaction() as session:
            token = await link_token_for(session, staff_id=who.staff.id, now=self.clock())
        # The deep link a real staff member opens: Telegram sends `/start TOKEN`.
        await telegram.user_says(chat, f"/start {token}", first_name=_first(who.name))
        return {"ok": True, "chat_id": chat}

    async def _twilio_reply(self, channel: str, number: str, text: str) -> dict[str, Any]:
        twilio = self._twilio()
        prefix = "whatsapp:" if channel == "whatsapp" else ""
        sent = [m for m in twilio.messages if m.to == prefix + number]
        ours = sent[-1].from_ if sent else SANDBOX_SENDERS[f"twilio_{channel}_from"]
        hook = await twilio.customer_replies(number, ours, text, channel=channel)
        return {"ok": 200 <= hook.status < 300, "status": hook.status}

    async def _mail_reply(self, who: _Who, address: str, text: str) -> dict[str, Any]:
        """Answer the latest mail to `address` in its thread; the mail comes in the way a
        mail the IMAP poller fetched does (EmailReplies.receive)."""
        if self.mail is None or self.providers is None or self.providers.smtp_sink is None:
            raise InboxError(409, "email replies are not available in the sandbox")
        mails = [
            m
            for m in self.providers.smtp_sink.messages
            if address.lower() in {str(r).lower() for r in m.get_all("Delivered-To", [])}
        ]
        if not mails:
            raise InboxError(409, f"no mail to {address} to answer")
        raw = reply_mail(mails[-1], sender=(who.name, address), text=text, now=self.clock())
        kept = await self.mail.receive(raw, where="from the sandbox inbox")
        return {"ok": kept, "kept": kept}

    async def _telegram_reply(self, who: _Who, chat: int, body: dict[str, Any]) -> dict[str, Any]:
        telegram = self._telegram()
        if body.get("button") is not None:
            data = str(body["button"])
            message_id = body.get("message_id")
            if message_id is None:
                message_id = _latest_with_button(telegram.history(chat), data)
            try:
                update = await telegram.user_presses(chat, int(message_id), data)
            except (KeyError, ValueError) as exc:
                raise InboxError(409, str(exc)) from None
        else:
            update = await telegram.user_says(
                chat, _text(body, "text"), first_name=_first(who.name)
            )
        status = telegram.deliveries[-1][1] if telegram.deliveries else None
        return {"ok": status is None or 200 <= status < 300, "update_id": update["update_id"]}

    async def _press(self, numbers: list[str], digits: str) -> dict[str, Any]:
        if not digits or any(d not in "0123456789*#" for d in digits):
            raise InboxError(400, "digits are 0-9, * and #")
        twilio = self._twilio()
        waiting = [c for c in twilio.calls if c.to in numbers and c.gather_action is not None]
        if not waiting:
            raise InboxError(409, "no call is waiting for keys (answer it first)")
        call = waiting[-1]
        self.pressed.setdefault(call.sid, []).append(digits)
        twiml = await twilio.press(call.sid, digits)
        return {"ok": True, "call": call.sid, "twiml": twiml}

    def _twilio(self) -> TwilioSandbox:
        if self.providers is None or self.providers.twilio_sandbox is None:
            raise InboxError(409, "Twilio does not run in the sandbox")
        return self.providers.twilio_sandbox

    def _telegram(self) -> TelegramSandbox:
        if self.providers is None or self.providers.telegram_sandbox is None:
            raise InboxError(409, "Telegram does not run in the sandbox")
        return self.providers.telegram_sandbox

    async def _resolve(self, person: str) -> _Who:
        kind, _, key = person.partition(":")
        async with self.db.sessions() as session:
            if kind == "customer":
                customer = await find_customer(session, code=key)
                if customer is not None:
                    (entry,) = await customer_entries(session, customers=[customer])
                    return _Who(person, customer.name, entry=entry)
            elif kind == "staff" and key.isdecimal():
                staff = await session.get(Staff, int(key))
                if staff is not None:
                    return _Who(person, staff.name, staff=staff)
        raise InboxError(404, f"no one is {person!r} (customer:CODE or staff:ID)")


@dataclass(frozen=True)
class _Who:
    """A resolved person: a customer with contacts, or a staff member."""

    id: str
    name: str
    entry: CustomerEntry | None = None
    staff: Staff | None = None

    def addresses(self, carried: set[str]) -> dict[str, list[str]]:
        """Addresses per channel, on the channels that run in the sandbox."""
        if self.entry is not None:
            found = dict(self.entry.contacts)
        else:
            assert self.staff is not None
            found = {}
            if self.staff.telegram_user_id is not None:
                found["telegram"] = [str(self.staff.telegram_user_id)]
            if self.staff.email:
                found["email"] = [self.staff.email]
        return {
            channel: found[channel]
            for channel in CARRIERS
            if channel in found and channel in carried
        }

    @property
    def json(self) -> dict[str, Any]:
        """The person as the people list shows them."""
        if self.entry is not None:
            return _customer_json(self.entry)
        assert self.staff is not None
        return _staff_json(self.staff)


def reply_mail(
    original: EmailMessage, *, sender: tuple[str, str], text: str, now: dt.datetime
) -> bytes:
    """A mail client's reply to `original`: in its thread, "Re:" subject, quoted below."""
    reply = EmailMessage()
    reply["From"] = formataddr(sender)
    reply["To"] = str(original["Reply-To"] or original["From"])
    subject = str(original["Subject"] or "")
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Date"] = format_datetime(now)
    reply["Message-ID"] = make_msgid(domain="sandbox.invalid")
    parent = str(original["Message-ID"] or "")
    if parent:
        reply["In-Reply-To"] = parent
        reply["References"] = " ".join(filter(None, [str(original["References"] or ""), parent]))
    plain = original.get_body(preferencelist=("plain",))
    quoted = plain.get_content() if isinstance(plain, EmailMessage) else ""
    intro = f"On {original['Date']}, {original['From']} wrote:"
    reply.set_content(
        text + "\n\n" + intro + "\n" + "".join(f"> {line}\n" for line in quoted.splitlines())
    )
    return bytes(reply)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _customer_json(entry: CustomerEntry) -> dict[str, Any]:
    c: Customer = entry.customer
    return {
        "id": f"customer:{c.code}",
        "kind": "customer",
        "role": "customer",
        "name": c.name,
        "code": c.code,
        "language": c.language,
        "contacts": entry.contacts,
        "next_contact": _next_json(entry.next_contact),
        "links": {"customer": f"/sandbox/api/customers/{c.code}"},
    }


def _staff_json(staff: Staff) -> dict[str, Any]:
    contacts: dict[str, list[str]] = {}
    if staff.telegram_user_id is not None:
        contacts["telegram"] = [str(staff.telegram_user_id)]
    if staff.email:
        contacts["email"] = [staff.email]
    if staff.phone:
        contacts["phone"] = [staff.phone]
    return {
        "id": f"staff:{staff.id}",
        "kind": "staff",
        "role": staff.role,
        "name": staff.name,
        "code": "",
        "language": staff.language,
        "contacts": contacts,
        "next_contact": None,
        "links": {},
    }


def _next_json(planned: NextContact | None) -> dict[str, Any] | None:
    if planned is None:
        return None
    return {
        "at": planned.at.astimezone(dt.UTC).isoformat(),
        "local_date": planned.local_date.isoformat(),
        "channels": list(planned.channels),
    }


def _plain(value: Any) -> Any:
    """`value` with dates, times and decimals as strings (JSON has none of them)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InboxError(400, f"{name!r} must be a non-empty string")
    return value


def _first(name: str) -> str:
    return (name.split() or ["Sandbox"])[0]


def _latest_with_button(history: list[dict[str, Any]], data: str) -> int:
    """The latest message in a chat with an inline button carrying `data`."""
    for message in reversed(history):
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if any(button.get("callback_data") == data for row in rows for button in row):
            return int(message["message_id"])
    raise InboxError(409, f"no message in the chat has a button {data!r}")


# --- HTTP -------------------------------------------------------------------------------
INBOX = web.AppKey("sandbox_inbox", SandboxInbox)


def loopback_only(request: web.Request) -> bool:
    """Whether a request comes straight from this machine (not relayed by a proxy)."""
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


def _guarded(
    handler: Callable[[web.Request, SandboxInbox], Awaitable[web.StreamResponse]],
) -> Handler:
    """404 unless the sandbox runs and the client is on loopback; errors as JSON."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        inbox = request.app[INBOX]
        if not inbox.active or not loopback_only(request):
            raise web.HTTPNotFound()
        try:
            return await handler(request, inbox)
        except InboxError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)

    return guarded


async def _json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise InboxError(415, "send Content-Type: application/json")
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise InboxError(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise InboxError(400, "the body must be a JSON object")
    return body


async def page(request: web.Request, inbox: SandboxInbox) -> web.StreamResponse:
    """The inbox page: a shell the script fills from the JSON API."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False
    )
    html = env.get_template("inbox.html.j2").render(company=inbox.company_name)
    return web.Response(
        text=html, content_type="text/html", headers={"Content-Security-Policy": CSP}
    )


async def static(request: web.Request, inbox: SandboxInbox) -> web.StreamResponse:
    """The page's script and style sheet."""
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    return web.Response(
        body=(TEMPLATES / name).read_bytes(),
        content_type=STATIC[name],
        charset="utf-8",
        headers={"Cache-Control": "no-cache"},
    )


async def people(request: web.Request, inbox: SandboxInbox) -> web.StreamResponse:
    """Everyone in the sandbox."""
    return web.json_response({"people": await inbox.people()})


async def thread(request: web.Request, inbox: SandboxInbox) -> web.StreamResponse:
    """One person's threads."""
    return web.json_response(await inbox.thread(request.query.get("person", "")))


async def customer(request: web.Request, inbox: SandboxInbox) -> web.StreamResponse:
    """A customer's log, promises and cases."""
    return web.json_response(await inbox.customer(request.match_info["code"]))


async def reply(request: web.Request, inbox: SandboxInbox) -> web.StreamResponse:
    """Answer as a person."""
    return web.json_response(await inbox.reply(await _json_body(request)))


async def answer(request: web.Request, inbox: SandboxInbox) -> web.StreamResponse:
    """Pick up a call."""
    return web.json_response(await inbox.answer(await _json_body(request)))


async def connect(request: web.Request, inbox: SandboxInbox) -> web.StreamResponse:
    """Bind a staff member's sandbox Telegram chat."""
    return web.json_response(await inbox.connect(await _json_body(request)))


def add_inbox_routes(app: web.Application, inbox: SandboxInbox) -> None:
    """Register `/sandbox` and its API on `app` (answered 404 while `inbox` is inactive)."""
    app[INBOX] = inbox
    app.router.add_get("/sandbox", _guarded(page))
    app.router.add_get("/sandbox/static/{name}", _guarded(static))
    app.router.add_get("/sandbox/api/people", _guarded(people))
    app.router.add_get("/sandbox/api/thread", _guarded(thread))
    app.router.add_get("/sandbox/api/customers/{code}", _guarded(customer))
    app.router.add_post("/sandbox/api/reply", _guarded(reply))
    app.router.add_post("/sandbox/api/answer", _guarded(answer))
    app.router.add_post("/sandbox/api/connect", _guarded(connect))


def inbox_url(web_url: str) -> str:
    """The inbox's address for a browser on this machine, from where the web app listens."""
    # Listening on every interface still means loopback for the person at this machine.
    for wildcard in ("://0.0.0.0:", "://[::]:"):
        web_url = web_url.replace(wildcard, "://127.0.0.1:")
    return f"{web_url}/sandbox"
