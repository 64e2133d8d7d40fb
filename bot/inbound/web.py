"""The webhook server (aiohttp): Twilio messages, statuses and voice, Telegram, health.

Customer messages go through the durable inbox (bot/inbound/inbox.py): after the signature check
the raw event is kept with one short insert and the webhook answers at once (empty TwiML,
or 200 for Telegram); the inbox's worker, started with this app, runs the conversation and
sends the replies. A keypad choice in a call needs its answer in this response: the webhook
keeps it the same way, waits up to `voice_wait` seconds for the worker, and otherwise keeps
the caller on the line with a short pause and a redirect to `/twilio/voice/result`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from bot.channels import voice_twiml
from bot.channels.payloads import (
    FORM,
    MAX_ID,
    Malformed,
    TelegramUpdate,
    TwilioGather,
    TwilioMessage,
    TwilioStatus,
    load_json,
    parse,
    twilio_form,
    who,
)
from bot.channels.twilio_base import webhook_url
from bot.inbound.inbox import (
    TWILIO,
    Inbox,
    InboxConfig,
    ReplySender,
    TelegramWebhook,
    gather_event_id,
)
from bot.inbound.router import InboundRouter
from bot.inbound.status_callbacks import apply_status
from storage.db import Database
from storage.models import Customer
from storage.queries.messages import message_by_key

log = logging.getLogger(__name__)
TWIML = "application/xml"
#: The answer to an inbound SMS or WhatsApp message: replies follow by REST.
EMPTY_TWIML = str(MessagingResponse())
#: How often a caller is put on hold while their keypad choice is being applied.
VOICE_HOLDS = 4
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: The largest request body read by default (a setting): webhooks carry a few kilobytes.
MAX_BODY_BYTES = 1024 * 1024
#: The longest idempotency key a status callback can name (the column's width).
KEY_LENGTH = 200

__all__ = ["DEPS", "INBOX", "TelegramWebhook", "WebDeps", "build_web_app", "start_web"]


@dataclass
class WebDeps:
    """What the handlers use; built by the composition root."""

    db: Database
    router: InboundRouter
    public_url: str
    clock: Callable[[], dt.datetime]
    twilio_auth_token: str | None = None
    telegram: TelegramWebhook | None = None
    #: The open channels (the inbox sends replies through them), wired once they are up.
    channels: Mapping[str, ReplySender] = field(default_factory=dict)
    inbox_config: InboxConfig | None = None
    #: Seconds a keypad choice's webhook waits for its reply before putting the call on hold.
    voice_wait: float = 2.0
    #: Larger request bodies are answered 413 unread.
    max_body_bytes: int = MAX_BODY_BYTES
    #: The inbox, made by `build_web_app`.
    inbox: Inbox | None = field(default=None, init=False)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
DEPS = web.AppKey("deps", WebDeps)
INBOX = web.AppKey("inbox", Inbox)


def _twilio(
    handler: Callable[[web.Request, WebDeps, Mapping[str, str]], Awaitable[web.StreamResponse]],
) -> Handler:
    """Check X-Twilio-Signature against the public URL before the handler runs."""

    async def checked(request: web.Request) -> web.StreamResponse:
        deps: WebDeps = request.app[DEPS]
        signature = request.headers.get("X-Twilio-Signature", "")
        token = deps.twilio_auth_token
        if not token or not signature:
            log.warning("rejected an unsigned Twilio request to %s", request.path)
            return web.Response(status=403, text="invalid signature")
        # The signature covers the form, so the form is read, but nothing is done with it
        # before it is checked. Read as bytes, only when it claims to be a form (413 past
        # the cap), and decoded by the Twilio payload parser.
        form = twilio_form(await request.read()) if request.content_type == FORM else None
        if form is None:
            return web.Response(status=400, text="expected a UTF-8 form")
        # Behind a proxy the URL Twilio signed is the public one, not what we were asked.
        url = deps.public_url + request.raw_path  # exactly as requested: no re-encoding
        if not RequestValidator(token).validate(url, form, signature):
            log.warning("rejected a Twilio request to %s with a bad signature", request.path)
            return web.Response(status=403, text="invalid signature")
        return await handler(request, deps, form)

    return checked


async def twilio_message(
    request: web.Request, deps: WebDeps, form: Mapping[str, str]
) -> web.StreamResponse:
    """An SMS or WhatsApp message from a customer: keep it, answer at once (replies follow).

    A message whose fields do not fit (see bot/channels/payloads.py) is logged and acknowledged: it
    came from Twilio, and any other answer would only have Twilio send it again.
    """
    try:
        message = parse(TwilioMessage, form)
    except Malformed as exc:
        log.warning("ignored a malformed Twilio message from %s: %s", who(form), exc)
        return web.Response(text=EMPTY_TWIML, content_type=TWIML)
    await request.app[INBOX].keep_twilio_message(form, message)
    return web.Response(text=EMPTY_TWIML, content_type=TWIML)


async def twilio_status(
    request: web.Request, deps: WebDeps, form: Mapping[str, str]
) -> web.StreamResponse:
    """A status callback for a message or call we sent (a malformed one acknowledged)."""
    try:
        callback = parse(TwilioStatus, form)
    except Malformed as exc:
        log.warning("ignored a malformed Twilio status callback: %s", exc)
        return web.Response(status=204)
    key = request.query.get("key") or None
    if key is not None and len(key) > KEY_LENGTH:
        log.warning("ignored a Twilio status callback with an overlong key")
        return web.Response(status=204)
    await apply_status(
        deps.db,
        key=key,
        provider_id=callback.sid,
        status=callback.status,
        error_code=callback.error_code,
        now=deps.clock(),
    )
    return web.Response(status=204)


async def _call_context(deps: WebDeps, key: str) -> tuple[str, str]:
    """The spoken reminder and the language of the call made for `key`."""
    async with deps.db.sessions() as session:
        message = await message_by_key(session, key=key)
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
    """Keypad digits: the same choices as text replies, applied through the inbox."""
    key, stage = request.query.get("key", ""), request.query.get("stage", "menu")
    choice = voice_twiml.digits_to_choice(stage, form.get("Digits", ""))
    if choice in (None, "repeat", "promise_menu"):
        # Moving around the menu changes nothing: answered at once, nothing kept.
        text, language = await _call_context(deps, key)
        if choice == "promise_menu":
            twiml = voice_twiml.promise_menu_twiml(
                language, voice_twiml.gather_url(deps.public_url, key, "promise")
            )
        else:
            twiml = voice_twiml.reminder_twiml(
                text, language, voice_twiml.gather_url(deps.public_url, key, "menu")
            )
        return web.Response(text=twiml, content_type=TWIML)
    assert choice is not None
    try:
        parse(TwilioGather, form)
    except Malformed as exc:
        # Not a keypad choice Tagih can apply: the caller hears goodbye, nothing is kept.
        log.warning("ignored a malformed keypad choice to %s: %s", who(form, "To"), exc)
        _, language = await _call_context(deps, key)
        goodbye = voice_twiml.prompt("goodbye", language)
        return web.Response(text=voice_twiml.goodbye_twiml(goodbye, language), content_type=TWIML)
    inbox = request.app[INBOX]
    item_id = await inbox.keep_gather(form, key=key, stage=stage, choice=choice)
    if item_id is None:  # Twilio retried the request: the choice is already kept
        kept = await inbox.find(TWILIO, gather_event_id(form, stage))
        assert kept is not None and kept.id is not None
        item_id = kept.id
    return await _voice_answer(deps, inbox, key, item_id, 1)


async def twilio_voice_result(
    request: web.Request, deps: WebDeps, form: Mapping[str, str]
) -> web.StreamResponse:
    """The caller, put on hold, asks again whether their keypad choice has been applied."""
    key = request.query.get("key", "")
    try:
        item_id, held = int(request.query.get("event", "")), int(request.query.get("n", "1"))
    except ValueError:
        return web.Response(status=400, text="bad event")
    if not (1 <= item_id <= MAX_ID and 1 <= held <= VOICE_HOLDS + 1):
        return web.Response(status=400, text="bad event")
    return await _voice_answer(deps, request.app[INBOX], key, item_id, held + 1)


async def _voice_answer(
    deps: WebDeps, inbox: Inbox, key: str, item_id: int, held: int
) -> web.StreamResponse:
    """Speak the reply once the choice is applied; else hold (pause, redirect), then thank."""
    replies = await inbox.outcome(item_id, deps.voice_wait)
    if replies:
        language = str(replies[0].get("language") or "id")
        spoken = " ".join(str(reply["body"]) for reply in replies)
        return web.Response(text=voice_twiml.goodbye_twiml(spoken, language), content_type=TWIML)
    _, language = await _call_context(deps, key)
    if replies is not None or held > VOICE_HOLDS:
        # Applied without a reply (a replay), or still not applied: the choice is kept and
        # will be applied all the same, so the call can end politely.
        goodbye = voice_twiml.prompt("goodbye", language)
        return web.Response(text=voice_twiml.goodbye_twiml(goodbye, language), content_type=TWIML)
    url = webhook_url(deps.public_url, "/twilio/voice/result", key, event=str(item_id), n=str(held))
    response = VoiceResponse()
    response.pause(length=1)
    response.redirect(url, method="POST")
    return web.Response(text=str(response), content_type=TWIML)


async def telegram_webhook(request: web.Request) -> web.StreamResponse:
    """A Telegram update: secret header checked first, then kept; processed by the inbox."""
    deps: WebDeps = request.app[DEPS]
    if deps.telegram is None:
        return web.Response(status=404)
    if not deps.telegram.updates.verify_secret(request.headers.get(TELEGRAM_SECRET_HEADER)):
        return web.Response(status=403)
    # Only now is the body read (413 past the cap) and parsed, its nesting bounded.
    try:
        payload = load_json(await request.read())
    except Malformed as exc:
        return web.Response(status=400, text=str(exc))
    if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
        # From Telegram (the secret holds) yet not an update: acknowledged like any shape
        # Tagih cannot act on, or Telegram would send it again and again.
        log.warning("ignored a Telegram webhook body without an update_id")
        return web.Response(status=200)
    try:
        update = parse(TelegramUpdate, payload)
    except Malformed as exc:
        # From Telegram (the secret holds) but nothing Tagih can act on: acknowledged, or
        # Telegram would send it again and again.
        log.warning("ignored Telegram update %d: %s", payload["update_id"], exc)
        return web.Response(status=200)
    await request.app[INBOX].keep_telegram(payload, update)
    return web.Response(status=200)


async def healthz(request: web.Request) -> web.StreamResponse:
    """Liveness and database reachability."""
    deps: WebDeps = request.app[DEPS]
    try:
        await deps.db.ping()
    except Exception:  # any database failure makes the service unhealthy
        log.exception("health check: database unreachable")
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def build_web_app(deps: WebDeps) -> web.Application:
    """The aiohttp application with every webhook route; its inbox worker runs with it."""
    app = web.Application(client_max_size=deps.max_body_bytes)
    app[DEPS] = deps
    inbox = Inbox(deps.db, deps.router, deps, clock=deps.clock, config=deps.inbox_config)
    app[INBOX] = deps.inbox = inbox
    app.cleanup_ctx.append(_run_inbox)
    app.router.add_post("/twilio/messages", _twilio(twilio_message))
    app.router.add_post("/twilio/status", _twilio(twilio_status))
    app.router.add_post("/twilio/voice", _twilio(twilio_voice))
    app.router.add_post("/twilio/voice/gather", _twilio(twilio_gather))
    app.router.add_post("/twilio/voice/result", _twilio(twilio_voice_result))
    app.router.add_post("/telegram/webhook", telegram_webhook)
    app.router.add_get("/healthz", healthz)
    return app


async def _run_inbox(app: web.Application) -> AsyncIterator[None]:
    """The inbox worker lives as long as the web app."""
    inbox = app[INBOX]
    inbox.start()
    yield
    await inbox.stop()


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
