"""A loopback Twilio API (2010-04-01 wire format) for tests and demos, with fault knobs.

The real `twilio` client talks to it over HTTP; it records what it is asked, answers
with Twilio's JSON, and plays the provider's side of the conversation when a test or
demo says so: signed status callbacks and customer replies (`twilio_driver`), answered
calls and keypad presses (`twilio_calls`). Messages and calls can be listed back, filtered
and paged as Twilio does (`twilio_lists`), which is how a channel reconciles a send.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from bot.sandbox.twilio_calls import CallDriver
from bot.sandbox.twilio_limits import (
    RateLimits,
    SenderLimits,
    Throttled,
    retry_after_header,
)
from bot.sandbox.twilio_lists import dated, list_page, matches, validate_list
from bot.sandbox.twilio_records import (
    API_VERSION,
    PlacedCall,
    RecordedRequest,
    SentMessage,
)
from bot.sandbox.twilio_rules import ApiError, validate_call, validate_message

log = logging.getLogger(__name__)

#: Fixed sandbox credentials (same shape as real ones), so a demo can be configured ahead.
SANDBOX_ACCOUNT_SID = "AC" + "5a4d" * 8
SANDBOX_AUTH_TOKEN = "7a6e" * 8
#: How long after a customer's message WhatsApp accepts free-form text.
WHATSAPP_WINDOW = dt.timedelta(hours=24)
_DEFAULT_CODES = {429: 20429, 401: 20003, 404: 20404, 500: 20500, 503: 20503}
_DEFAULT_TEXT = {
    20429: "Too Many Requests",
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Form = tuple[tuple[str, str], ...]
_FORM = web.RequestKey("form", Form)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class _Fault:
    status: int
    code: int
    retry_after: float | None
    message: str


class TwilioSandbox(CallDriver):
    """Twilio's Messages and Calls API on 127.0.0.1, recording every request it gets."""

    def __init__(
        self,
        *,
        account_sid: str = SANDBOX_ACCOUNT_SID,
        auth_token: str = SANDBOX_AUTH_TOKEN,
        webhook_base: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = _utc_now,
        auto_advance: float | None = None,
        limits: SenderLimits | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """`webhook_base` is the app's public URL (inbound messages go to its /twilio/…).

        `clock` stamps requests and keeps the rate `limits` (Twilio's defaults unless
        given), `now` dates resources and the WhatsApp window; `auto_advance` (demos) moves
        each new message on after that many seconds. `port` 0 listens on any free port; once
        started, a restart (`stop`, then `start`) listens on the same one, as a provider back
        from an outage answers where its clients expect it.
        """
        super().__init__(account_sid=account_sid, auth_token=auth_token, now=now)
        self.webhook_base = webhook_base.rstrip("/") if webhook_base else None
        self.clock = clock
        self.host = host
        self.port = port
        self.auto_advance = auto_advance
        self.requests: list[RecordedRequest] = []
        self.rates = RateLimits(limits if limits is not None else SenderLimits())
        self._faults: list[_Fault] = []
        self._hangs = 0
        self._closing = asyncio.Event()
        #: Set once a request is being held by `hang_next` (tests wait on it).
        self.hanging = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    @property
    def requests_at(self) -> list[float]:
        """When each API request arrived, on the sandbox clock."""
        return [request.at for request in self.requests]

    @property
    def throttled(self) -> list[Throttled]:
        """Every create refused with 429 for going past its sender's rate, in order."""
        return self.rates.refused

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (the value for TAGIH_TWILIO_API_BASE)."""
        if self._base_url is None:
            raise RuntimeError("the Twilio sandbox is not started")
        return self._base_url

    async def start(self) -> str:
        """Listen on `port` (0: a free one, kept for restarts); returns the base URL."""
        self._closing = asyncio.Event()  # a restarted sandbox can hang requests again
        app = web.Application(middlewares=[self._middleware])
        prefix = f"/{API_VERSION}/Accounts/{{account}}"
        app.router.add_post(f"{prefix}/Messages.json", self._create_message)
        app.router.add_get(f"{prefix}/Messages.json", self._list_messages)
        app.router.add_get(f"{prefix}/Messages/{{sid}}.json", self._fetch_message)
        app.router.add_post(f"{prefix}/Calls.json", self._create_call)
        app.router.add_get(f"{prefix}/Calls.json", self._list_calls)
        app.router.add_get(f"{prefix}/Calls/{{sid}}.json", self._fetch_call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        host, self.port = self._runner.addresses[0][:2]
        self._base_url = f"http://{host}:{self.port}"
        await self.open_session()
        log.debug("Twilio sandbox API on %s (account %s)", self._base_url, self.account_sid)
        return self._base_url

    async def stop(self) -> None:
        """Release hung requests, stop listening, close the webhook session."""
        self._closing.set()
        await self.close_session()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def fail_next(
        self,
        status: int = 429,
        *,
        code: int | None = None,
        retry_after: float | None = None,
        count: int = 1,
        message: str | None = None,
    ) -> None:
        """Answer the next `count` API requests with this error (nothing is created)."""
        code = code if code is not None else _DEFAULT_CODES.get(status, 20500)
        text = message or _DEFAULT_TEXT.get(code, "Sandbox error")
        self._faults.extend(_Fault(status, code, retry_after, text) for _ in range(count))

    def hang_next(self, count: int = 1) -> None:
        """Create the next `count` resources but never answer: the client times out."""
        self._hangs += count

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the request, then apply faults, auth and Twilio's error format."""
        form: Form = ()
        if request.method == "POST":
            form = tuple((key, str(value)) for key, value in (await request.post()).items())
        query = tuple(request.query.items())
        entry = RecordedRequest(self.clock(), request.method, request.path, form, query=query)
        self.requests.append(entry)
        request[_FORM] = form
        response = await self._answer(request, handler)
        entry.status = response.status
        return response

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The response to one request, errors in Twilio's JSON."""
        if self._faults:
            fault = self._faults.pop(0)
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            error = ApiError(fault.status, fault.code, fault.message)
            return web.json_response(error.body(), status=fault.status, headers=headers)
        if not self._authorized(request.headers.get("Authorization", "")):
            error = ApiError(401, 20003, "Authenticate")
            challenge = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            return web.json_response(error.body(), status=401, headers=challenge)
        if request.match_info.get("account", self.account_sid) != self.account_sid:
            return self._not_found(request)
        try:
            return await handler(request)
        except ApiError as error:
            return web.json_response(error.body(), status=error.status)
        except web.HTTPNotFound:
            return self._not_found(request)

    def _authorized(self, header: str) -> bool:
        """HTTP Basic with the account SID and auth token, compared in constant time."""
        scheme, _, encoded = header.partition(" ")
        try:
            login, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except ValueError:  # bad base64 or not UTF-8
            return False
        login_ok = hmac.compare_digest(login.encode(), self.account_sid.encode())
        token_ok = hmac.compare_digest(password.encode(), self.auth_token.encode())
        return scheme.lower() == "basic" and login_ok and token_ok

    @staticmethod
    def _not_found(request: web.Request) -> web.Response:
        error = ApiError(404, 20404, f"The requested resource {request.path} was not found")
        return web.json_response(error.body(), status=404)

    async def _hang_if_asked(self) -> None:
        """Never answer this request (until the sandbox stops), if a hang is queued."""
        if self._hangs:
            self._hangs -= 1
            self.hanging.set()
            await self._closing.wait()
            raise web.HTTPServiceUnavailable()

    def _throttle(self, scope: str, rate: float | None) -> web.Response | None:
        """Twilio's 429 (20429) when a create in `scope` now goes past its rate, else None."""
        refusal = self.rates.admit(scope, rate, self.clock())
        if refusal is None:
            return None
        error = ApiError(429, 20429, "Too Many Requests")
        headers = {"Retry-After": retry_after_header(refusal.retry_after)}
        return web.json_response(error.body(), status=429, headers=headers)

    async def _create_message(self, request: web.Request) -> web.StreamResponse:
        form = request[_FORM]
        validate_message(form, self.opted_out)
        form_values = dict(form)
        sender = form_values.get("From") or form_values.get("MessagingServiceSid", "")
        refused = self._throttle(sender, self.rates.limits.message_rate(sender))
        if refused is not None:
            return refused
        now = self.now()
        message = SentMessage.from_form(form, account_sid=self.account_sid, now=now)
        if message.channel == "whatsapp" and not message.content_sid:
            # WhatsApp accepts the request, then fails free text outside the window.
            opened = self.last_inbound.get((message.to, message.from_))
            if opened is None or now - opened >= WHATSAPP_WINDOW:
                message.pending_error = 63016
        self.messages.append(message)
        if self.auto_advance is not None:
            self.spawn(self._auto_advance(message.sid, self.auto_advance))
        await self._hang_if_asked()
        return web.json_response(message.resource(), status=201)

    async def _list_messages(self, request: web.Request) -> web.StreamResponse:
        """Messages (both directions), newest first: not yet sent, then by DateSent."""
        query = tuple(request.query.items())
        validate_list(query, ("DateSent",))
        found = [
            (index, message)
            for index, message in enumerate((*self.messages, *self.inbound))
            if matches(query, {"To": message.to, "From": message.from_})
            and dated(query, "DateSent", message.date_sent)
        ]
        found.sort(
            key=lambda item: (
                item[1].date_sent is None,
                item[1].date_sent or item[1].date_created,
                item[1].date_created,
                item[0],
            ),
            reverse=True,
        )
        resources = [message.resource() for _, message in found]
        page = list_page(resources, query, path=request.path, key="messages")
        return web.json_response(page)

    async def _fetch_message(self, request: web.Request) -> web.StreamResponse:
        sid = request.match_info["sid"]
        for message in (*self.messages, *self.inbound):
            if message.sid == sid:
                return web.json_response(message.resource())
        raise web.HTTPNotFound()

    async def _create_call(self, request: web.Request) -> web.StreamResponse:
        form = request[_FORM]
        validate_call(form)
        # Twilio counts calls per second for the account, whatever the caller number.
        refused = self._throttle("calls", self.rates.limits.calls)
        if refused is not None:
            return refused
        call = PlacedCall.from_form(form, account_sid=self.account_sid, now=self.now())
        self.calls.append(call)
        await self._hang_if_asked()
        return web.json_response(call.resource(), status=201)

    async def _list_calls(self, request: web.Request) -> web.StreamResponse:
        """Calls, newest first, filtered as Twilio does (a date filter skips undated calls)."""
        query = tuple(request.query.items())
        validate_list(query, ("StartTime", "EndTime"))
        found = [
            (index, call)
            for index, call in enumerate(self.calls)
            if matches(
                query,
                {"To": call.to, "From": call.from_, "Status": call.status, "ParentCallSid": None},
            )
            and dated(query, "StartTime", call.start_time)
            and dated(query, "EndTime", call.end_time)
        ]
        found.sort(key=lambda item: (item[1].date_created, item[0]), reverse=True)
        resources = [call.resource() for _, call in found]
        page = list_page(resources, query, path=request.path, key="calls")
        return web.json_response(page)

    async def _fetch_call(self, request: web.Request) -> web.StreamResponse:
        try:
            return web.json_response(self.call(request.match_info["sid"]).resource())
        except KeyError:
            raise web.HTTPNotFound() from None

    async def _auto_advance(self, sid: str, delay: float) -> None:
        """Demo mode: the message goes sent, then delivered, a little apart."""
        for _ in range(2):
            await asyncio.sleep(delay)
            await self.advance(sid)
