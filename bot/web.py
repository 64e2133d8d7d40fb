"""The webhook server (aiohttp): Twilio messages, statuses and voice, Telegram, health."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from sqlmodel import select
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels import voice_twiml
from bot.delivery import apply_status
from bot.inbound import InboundRouter
from bot.messages import Address, Inbound
from storage.db import Database
from storage.models import Customer, Message

log = logging.getLogger(__name__)
TWIML = "application/xml"


class TelegramWebhook(Protocol):
    """What the web server needs of the Telegram channel."""

    async def handle_webhook(self, payload: dict[str, Any], secret_header: str | None) -> int:
        """Apply one update; the HTTP status to answer."""
        ...


@dataclass
class WebDeps:
    """What the handlers use; built by the composition root."""

    db: Database
    router: InboundRouter
    public_url: str
    clock: Callable[[], dt.datetime]
    twilio_auth_token: str | None = None
    telegram: TelegramWebhook | None = None


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
DEPS = web.AppKey("deps", WebDeps)


def _twilio(
    handler: Callable[[web.Request, WebDeps, Mapping[str, str]], Awaitable[web.StreamResponse]],
) -> Handler:
    """Check X-Twilio-Signature against the public URL before the handler runs."""

    async def checked(request: web.Request) -> web.StreamResponse:
        deps: WebDeps = request.app[DEPS]
        form = {key: str(value) for key, value in (await request.post()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        # Behind a proxy the URL Twilio signed is the public one, not what we were asked.
        url = deps.public_url + request.raw_path  # exactly as requested: no re-encoding
        token = deps.twilio_auth_token
        if not token or not signature or not RequestValidator(token).validate(url, form, signature):
            log.warning("rejected a Twilio request to %s with a bad signature", request.path)
            return web.Response(status=403, text="invalid signature")
        return await handler(request, deps, form)

    return checked


def _phone(value: str) -> tuple[str, str]:
    """(channel, E.164 number) from a Twilio address like `whatsapp:+62812…`."""
    if value.startswith("whatsapp:"):
        return "whatsapp", value.removeprefix("whatsapp:")
    return "sms", value


async def twilio_message(
    request: web.Request, deps: WebDeps, form: Mapping[str, str]
) -> web.StreamResponse:
    """An SMS or WhatsApp message from a customer: log, route, answer in TwiML."""
    channel, number = _phone(form.get("From", ""))
    media = tuple(
        form[f"MediaUrl{i}"]
        for i in range(int(form.get("NumMedia", "0") or 0))
        if f"MediaUrl{i}" in form
    )
    inbound = Inbound(
        sender=Address(channel, number),
        text=form.get("Body", ""),
        received_at=deps.clock(),
        provider_id=form.get("MessageSid") or None,
        payload=form.get("ButtonPayload") or None,
        media=media,
    )
    routed = await deps.router.handle(inbound)
    response = MessagingResponse()
    for reply in routed.replies:
        response.message(reply.body)
    return web.Response(text=str(response), content_type=TWIML)


async def twilio_status(
    request: web.Request, deps: WebDeps, form: Mapping[str, str]
) -> web.StreamResponse:
    """A status callback for a message or call we sent."""
    sid = form.get("MessageSid") or form.get("CallSid") or ""
    status = form.get("MessageStatus") or form.get("CallStatus") or ""
    await apply_status(
        deps.db,
        key=request.query.get("key"),
        provider_id=sid,
        status=status,
        error_code=form.get("ErrorCode") or None,
        now=deps.clock(),
    )
    return web.Response(status=204)


async def _call_context(deps: WebDeps, key: str) -> tuple[str, str]:
    """The spoken reminder and the language of the call made for `key`."""
    async with deps.db.sessions() as session:
        message = (
            await session.exec(select(Message).where(Message.idempotency_key == key))
        ).first()
        if message is None:
            return "", "id"
        customer = await session.get(Customer, message.customer_id) if message.customer_id else None
        return message.body, customer.language if customer else "id"


async def twilio_voice(
    request: web.Request, deps: WebDeps, form: Mapping[str, str]
) -> web.StreamResponse:
    """The call was answered: speak the reminder, then offer the keypad menu."""
    key = request.query.get("key", "")
    text, language = await _call_context(deps, key)
    twiml = voice_twiml.reminder_twiml(
        text, language, voice_twiml.gather_url(deps.public_url, key, "menu")
    )
    return web.Response(text=twiml, content_type=TWIML)


async def twilio_gather(
    request: web.Request, deps: WebDeps, form: Mapping[str, str]
) -> web.StreamResponse:
    """Keypad digits: the same choices as text replies, answered by the same router."""
    key, stage = request.query.get("key", ""), request.query.get("stage", "menu")
    digits = form.get("Digits", "")
    text, language = await _call_context(deps, key)
    choice = voice_twiml.digits_to_choice(stage, digits)
    if choice in (None, "repeat"):
        twiml = voice_twiml.reminder_twiml(
            text, language, voice_twiml.gather_url(deps.public_url, key, "menu")
        )
    elif choice == "promise_menu":
        twiml = voice_twiml.promise_menu_twiml(
            language, voice_twiml.gather_url(deps.public_url, key, "promise")
        )
    else:
        _, number = _phone(form.get("To", ""))
        inbound = Inbound(
            sender=Address("voice", number),
            text=choice,
            received_at=deps.clock(),
            provider_id=f"{form.get('CallSid', '')}:{stage}:{digits}",
            payload=f"voice:{choice}",
        )
        routed = await deps.router.handle(inbound)
        reply = " ".join(r.body for r in routed.replies)
        twiml = voice_twiml.goodbye_twiml(reply, language)
    return web.Response(text=twiml, content_type=TWIML)


async def telegram_webhook(request: web.Request) -> web.StreamResponse:
    """A Telegram update; the secret header is checked by the channel in constant time."""
    deps: WebDeps = request.app[DEPS]
    if deps.telegram is None:
        return web.Response(status=404)
    try:
        payload = await request.json()
    except ValueError:
        return web.Response(status=400, text="not JSON")
    status = await deps.telegram.handle_webhook(
        payload, request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    )
    return web.Response(status=status)


async def healthz(request: web.Request) -> web.StreamResponse:
    """Liveness and database reachability."""
    deps: WebDeps = request.app[DEPS]
    try:
        async with deps.db.sessions() as session:
            await session.exec(select(1))
    except Exception:  # any database failure makes the service unhealthy
        log.exception("health check: database unreachable")
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def build_web_app(deps: WebDeps) -> web.Application:
    """The aiohttp application with every webhook route."""
    app = web.Application(client_max_size=1024 * 1024)
    app[DEPS] = deps
    app.router.add_post("/twilio/messages", _twilio(twilio_message))
    app.router.add_post("/twilio/status", _twilio(twilio_status))
    app.router.add_post("/twilio/voice", _twilio(twilio_voice))
    app.router.add_post("/twilio/voice/gather", _twilio(twilio_gather))
    app.router.add_post("/telegram/webhook", telegram_webhook)
    app.router.add_get("/healthz", healthz)
    return app


async def start_web(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Serve `app` on host:port (0 = a free port); the runner and the local base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server  # aiohttp keeps the bound socket here; needed for port 0
    assert server is not None
    bound = server.sockets[0].getsockname()  # type: ignore[attr-defined]
    return runner, f"http://{bound[0]}:{bound[1]}"
