"""The three stand-ins (Twilio API, Telegram Bot API, SMTP sink) run together, driven over HTTP.

`python -m bot.sandbox` starts them in a process of their own (see `__main__`), so workers
can be killed and restarted against providers that remember what they accepted. The
control API (JSON over HTTP on loopback) reads what they accepted and injects faults:

    GET  /                      where each stand-in listens, and the TAGIH_* settings for it
    GET  /records               every message, call and mail accepted, oldest first
    GET  /requests?provider=…   every request a stand-in answered (twilio, telegram), in order
    POST /twilio/fail           {"status": 503, "code"?, "retry_after"?, "count"?, "message"?}
    POST /twilio/hang           {"count"?}: create, then never answer (the client times out)
    POST /twilio/advance        {"sid"?}: move a message (or all) on; status callbacks go out
    POST /telegram/fail         {"method", "error_code", "description", "retry_after"?, "count"?}
    POST /telegram/hang         {"method"}: never answer the next call of it
    POST /smtp/fail-rcpt        {"code": 450, "count"?, "text"?}
    POST /smtp/hang-data        {"count"?}: take the content, never answer
    POST /smtp/drop             close every client connection
    POST /{provider}/down       stop listening (connections are refused) …
    POST /{provider}/up         … and listen again on the same port, records kept

A record is `{"channel", "to", "from", "provider_id", "key", "at", "status"}`: `key` is our
idempotency key where the wire carries it (the `key` of a Twilio StatusCallback or voice
URL, an email's `X-Tagih-Key` header; Telegram carries none: null), `at` the provider's
clock (ISO 8601, UTC).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from bot.sandbox.smtp import SmtpSink
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox

log = logging.getLogger(__name__)

PROVIDERS = ("twilio", "telegram", "smtp")
Handler = Callable[[web.Request], Awaitable[web.Response]]


def key_in(url: str | None) -> str | None:
    """The `key` query parameter of a webhook URL of ours (None when absent)."""
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get("key")
    return values[0] if values else None


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None


@dataclass
class StandIns:
    """The Twilio API, Telegram Bot API and SMTP sink on loopback, and their control API."""

    twilio: TwilioSandbox
    telegram: TelegramSandbox
    smtp: SmtpSink
    #: Settings a Tagih needs to talk to these stand-ins besides their addresses (senders,
    #: templates): added to `settings()`.
    extra_settings: Mapping[str, str] = field(default_factory=dict)
    control_port: int = 0
    control_url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Start the three stand-ins, then the control API."""
        await self.twilio.start()
        await self.telegram.start()
        await self.smtp.start()
        app = web.Application()
        app.router.add_get("/", self._where)
        app.router.add_get("/records", self._records)
        app.router.add_get("/requests", self._requests)
        app.router.add_post("/twilio/fail", self._twilio_fail)
        app.router.add_post("/twilio/hang", self._twilio_hang)
        app.router.add_post("/twilio/advance", self._twilio_advance)
        app.router.add_post("/telegram/fail", self._telegram_fail)
        app.router.add_post("/telegram/hang", self._telegram_hang)
        app.router.add_post("/smtp/fail-rcpt", self._smtp_fail)
        app.router.add_post("/smtp/hang-data", self._smtp_hang)
        app.router.add_post("/smtp/drop", self._smtp_drop)
        app.router.add_post("/{provider}/down", self._down)
        app.router.add_post("/{provider}/up", self._up)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.control_port)
        await site.start()
        host, self.control_port = self._runner.addresses[0][:2]
        self.control_url = f"http://{host}:{self.control_port}"

    async def stop(self) -> None:
        """Stop the control API, then the stand-ins."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.twilio.stop()
        await self.telegram.stop()
        await self.smtp.stop()

    def settings(self) -> dict[str, str]:
        """The TAGIH_* settings that point a Tagih at these stand-ins."""
        return {
            "TAGIH_TWILIO_API_BASE": self.twilio.base_url,
            "TAGIH_TWILIO_ACCOUNT_SID": self.twilio.account_sid,
            "TAGIH_TWILIO_AUTH_TOKEN": self.twilio.auth_token,
            "TAGIH_TELEGRAM_API_BASE": self.telegram.url,
            "TAGIH_TELEGRAM_TOKEN": self.telegram.token,
            "TAGIH_SMTP_HOST": self.smtp.host,
            "TAGIH_SMTP_PORT": str(self.smtp.port),
            "TAGIH_SMTP_STARTTLS": "false",
            **self.extra_settings,
        }

    def where(self) -> dict[str, Any]:
        """Where each stand-in listens, and the settings for a Tagih (what `/` answers)."""
        return {
            "control": self.control_url,
            "twilio": self.twilio.base_url,
            "telegram": self.telegram.url,
            "smtp": [self.smtp.host, self.smtp.port],
            "mail_dir": str(self.smtp.directory),
            "settings": self.settings(),
        }

    def records(self) -> list[dict[str, Any]]:
        """Everything the stand-ins accepted: messages, calls, Telegram sends, mails."""
        found: list[dict[str, Any]] = []
        for message in self.twilio.messages:
            whatsapp = message.to.startswith("whatsapp:")
            found.append(
                {
                    "channel": "whatsapp" if whatsapp else "sms",
                    "to": message.to.removeprefix("whatsapp:"),
                    "from": message.from_.removeprefix("whatsapp:"),
                    "provider_id": message.sid,
                    "key": key_in(message.status_callback),
                    "at": _iso(message.date_created),
                    "status": message.status,
                }
            )
        for call in self.twilio.calls:
            found.append(
                {
                    "channel": "voice",
                    "to": call.to,
                    "from": call.from_,
                    "provider_id": call.sid,
                    "key": key_in(call.url) or key_in(call.status_callback),
                    "at": _iso(call.date_created),
                    "status": call.status,
                }
            )
        for sent in self.telegram.sent:
            found.append(
                {
                    "channel": "telegram",
                    "to": str(sent.chat_id),
                    "from": self.telegram.state.bot_from["username"],
                    "provider_id": f"{sent.chat_id}:{sent.message_id}",
                    "key": None,  # the Bot API carries no idempotency key
                    "at": None,
                    "status": "sent",
                }
            )
        for mail in self.smtp.messages:
            date = mail["Date"]
            found.append(
                {
                    "channel": "email",
                    "to": ",".join(str(to) for to in mail.get_all("Delivered-To", [])),
                    "from": email.utils.parseaddr(str(mail["From"]))[1],
                    "provider_id": str(mail["Message-ID"]),
                    "key": str(mail["X-Tagih-Key"]) if mail["X-Tagih-Key"] else None,
                    "at": _iso(email.utils.parsedate_to_datetime(str(date))) if date else None,
                    "status": "accepted",
                }
            )
        # Twilio dates its records; the others keep arrival order within their own list.
        return found

    def requests(self, provider: str) -> list[dict[str, Any]]:
        """The requests one stand-in answered, in order, with the stand-in's clock."""
        if provider == "twilio":
            return [
                {
                    "at": r.at,
                    "method": r.method,
                    "path": r.path,
                    "status": r.status,
                    "from": dict(r.form).get("From"),
                    "to": dict(r.form).get("To"),
                }
                for r in self.twilio.requests
            ]
        if provider == "telegram":
            return [
                {
                    "at": r.at,
                    "method": r.method,
                    "status": r.status,
                    "chat_id": r.params.get("chat_id"),
                }
                for r in self.telegram.requests
            ]
        raise web.HTTPNotFound(text=f"no request log for {provider!r} (twilio, telegram)")

    # --- control API --------------------------------------------------------------------
    async def _where(self, request: web.Request) -> web.Response:
        return web.json_response(self.where())

    async def _records(self, request: web.Request) -> web.Response:
        return web.json_response(self.records())

    async def _requests(self, request: web.Request) -> web.Response:
        return web.json_response(self.requests(request.query.get("provider", "")))

    async def _twilio_fail(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self.twilio.fail_next(
            int(body.get("status", 429)),
            code=_opt_int(body.get("code")),
            retry_after=_opt_float(body.get("retry_after")),
            count=int(body.get("count", 1)),
            message=body.get("message"),
        )
        return _ok()

    async def _twilio_hang(self, request: web.Request) -> web.Response:
        self.twilio.hang_next(int((await _body(request)).get("count", 1)))
        return _ok()

    async def _twilio_advance(self, request: web.Request) -> web.Response:
        hooks = await self.twilio.advance((await _body(request)).get("sid"))
        return web.json_response({"callbacks": [hook.status for hook in hooks]})

    async def _telegram_fail(self, request: web.Request) -> web.Response:
        body = await _body(request)
        for _ in range(int(body.get("count", 1))):
            self.telegram.fail_next(
                str(body.get("method", "sendMessage")),
                int(body.get("error_code", 429)),
                str(body.get("description", "Too Many Requests")),
                retry_after=_opt_int(body.get("retry_after")),
            )
        return _ok()

    async def _telegram_hang(self, request: web.Request) -> web.Response:
        self.telegram.hang_next(str((await _body(request)).get("method", "sendMessage")))
        return _ok()

    async def _smtp_fail(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self.smtp.fail_next_rcpt(
            int(body.get("code", 450)), int(body.get("count", 1)), body.get("text")
        )
        return _ok()

    async def _smtp_hang(self, request: web.Request) -> web.Response:
        self.smtp.hang_next_data(int((await _body(request)).get("count", 1)))
        return _ok()

    async def _smtp_drop(self, request: web.Request) -> web.Response:
        self.smtp.drop_connections()
        return _ok()

    async def _down(self, request: web.Request) -> web.Response:
        server = self._server(request.match_info["provider"])
        await server.stop()
        log.info("stand-in %s down", request.match_info["provider"])
        return _ok()

    async def _up(self, request: web.Request) -> web.Response:
        server = self._server(request.match_info["provider"])
        await server.start()  # on the port it had: clients find it where they left it
        log.info("stand-in %s up", request.match_info["provider"])
        return _ok()

    def _server(self, provider: str) -> TwilioSandbox | TelegramSandbox | SmtpSink:
        servers: dict[str, TwilioSandbox | TelegramSandbox | SmtpSink] = {
            "twilio": self.twilio,
            "telegram": self.telegram,
            "smtp": self.smtp,
        }
        if provider not in servers:
            raise web.HTTPNotFound(text=f"no stand-in {provider!r} (use {', '.join(PROVIDERS)})")
        return servers[provider]


def build(
    *,
    telegram_token: str,
    mail_dir: Path,
    twilio: Mapping[str, Any] | None = None,
    ports: Mapping[str, int] | None = None,
    extra_settings: Mapping[str, str] | None = None,
) -> StandIns:
    """The stand-ins with their options (`twilio`: TwilioSandbox keyword arguments; `ports`:
    twilio / telegram / smtp / control, 0 or absent for any free port)."""
    ports = ports or {}
    options: dict[str, Any] = {"account_sid": SANDBOX_ACCOUNT_SID, "auth_token": SANDBOX_AUTH_TOKEN}
    options.update(twilio or {})
    return StandIns(
        twilio=TwilioSandbox(**options, port=ports.get("twilio", 0)),
        telegram=TelegramSandbox(telegram_token, port=ports.get("telegram", 0)),
        smtp=SmtpSink(mail_dir, port=ports.get("smtp", 0)),
        extra_settings=dict(extra_settings or {}),
        control_port=ports.get("control", 0),
    )


async def _body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (an empty body is `{}`); anything else is a 400."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body


def _opt_int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _opt_float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _ok() -> web.Response:
    return web.json_response({"ok": True})
