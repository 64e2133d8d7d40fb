"""The real SMS, WhatsApp and voice channels (twilio client) against the loopback Twilio API."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.app.channels import twilio_channel
from bot.channels import voice_twiml
from bot.channels.twilio_base import DEFAULT_PAUSE
from bot.channels.twilio_sms import TwilioSmsChannel
from bot.channels.twilio_voice import TwilioVoiceChannel
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.config import ConfigError, Settings
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox
from i18n.format import fit
from scheduler.channel import Channel
from scheduler.messages import Address, DeliveryOutcome, Outbound
from tests.support.virtual_clock import VirtualClock

CUSTOMER = "+6281234567890"
SMS_FROM = "+6221555010"
WA_FROM = "+6221555020"
VOICE_FROM = "+6221555030"
NOW = dt.datetime(2026, 3, 28, 2, 0, tzinfo=dt.UTC)
CONTENT_SID = "HX" + "ab" * 16
KEY = "C-0042:2026-03-28:3:sms"


@dataclass
class WebhookApp:
    """A minimal stand-in for our webhook server: checks signatures, serves voice TwiML."""

    token: str = SANDBOX_AUTH_TOKEN
    #: Spoken text and language per idempotency key (the real server reads the Message row).
    calls: dict[str, tuple[str, str]] = field(default_factory=dict)
    received: list[tuple[str, dict[str, str], bool]] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen on a free port; returns the public URL."""
        app = web.Application()
        app.router.add_post("/twilio/status", self._status)
        app.router.add_post("/twilio/messages", self._message)
        app.router.add_post("/twilio/voice", self._voice)
        app.router.add_post("/twilio/voice/gather", self._gather)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _form(self, request: web.Request) -> dict[str, str]:
        form = {key: str(value) for key, value in (await request.post()).items()}
        # Twilio signs the URL exactly as we gave it: the raw path and query, not
        # `path_qs`, which aiohttp normalizes (%3A becomes ":").
        url = self.url + request.raw_path
        valid = RequestValidator(self.token).validate(
            url, form, request.headers.get("X-Twilio-Signature", "")
        )
        self.received.append((request.path_qs, form, valid))
        if not valid:
            raise web.HTTPForbidden(text="invalid signature")
        return form

    def statuses(self, key: str) -> list[str]:
        """The statuses reported for the message or call sent with `key`."""
        return [
            form.get("MessageStatus") or form.get("CallStatus", "")
            for path, form, _ in self.received
            if path.startswith("/twilio/status") and parse_qs(urlsplit(path).query)["key"] == [key]
        ]

    async def _status(self, request: web.Request) -> web.Response:
        await self._form(request)
        return web.Response(status=204)

    async def _message(self, request: web.Request) -> web.Response:
        form = await self._form(request)
        reply = MessagingResponse()
        reply.message(f"Terima kasih: {form['Body']}")
        return web.Response(text=str(reply), content_type="application/xml")

    async def _voice(self, request: web.Request) -> web.Response:
        await self._form(request)
        key = request.query["key"]
        text, language = self.calls[key]
        url = voice_twiml.gather_url(self.url, key, "menu")
        return web.Response(
            text=voice_twiml.reminder_twiml(text, language, url), content_type="application/xml"
        )

    async def _gather(self, request: web.Request) -> web.Response:
        form = await self._form(request)
        key, stage = request.query["key"], request.query["stage"]
        text, language = self.calls[key]
        choice = voice_twiml.digits_to_choice(stage, form["Digits"])
        if choice in (None, "repeat"):
            twiml = voice_twiml.reminder_twiml(
                text, language, voice_twiml.gather_url(self.url, key, "menu")
            )
        elif choice == "promise_menu":
            url = voice_twiml.gather_url(self.url, key, "promise")
            twiml = voice_twiml.promise_menu_twiml(language, url)
        else:
            self.choices.append(choice)
            twiml = voice_twiml.goodbye_twiml(f"Pilihan {choice} dicatat.", language)
        return web.Response(text=twiml, content_type="application/xml")


@pytest.fixture
async def app() -> AsyncIterator[WebhookApp]:
    app = WebhookApp()
    await app.start()
    yield app
    await app.stop()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def sandbox(app: WebhookApp, clock: VirtualClock) -> AsyncIterator[TwilioSandbox]:
    sandbox = TwilioSandbox(webhook_base=app.url, clock=clock, now=lambda: NOW)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


def _options(sandbox: TwilioSandbox, app: WebhookApp | None, clock: VirtualClock) -> dict[str, Any]:
    return {
        "account_sid": SANDBOX_ACCOUNT_SID,
        "auth_token": SANDBOX_AUTH_TOKEN,
        "api_base": sandbox.base_url,
        "public_url": app.url if app is not None else None,
        "timeout": 5.0,
        "clock": clock,
        "sleep": clock.sleep,
    }


@pytest.fixture
async def sms(
    sandbox: TwilioSandbox, app: WebhookApp, clock: VirtualClock
) -> AsyncIterator[TwilioSmsChannel]:
    channel = TwilioSmsChannel(sender=SMS_FROM, **_options(sandbox, app, clock))
    yield channel
    await channel.close()


@pytest.fixture
async def whatsapp(
    sandbox: TwilioSandbox, app: WebhookApp, clock: VirtualClock
) -> AsyncIterator[TwilioWhatsAppChannel]:
    channel = TwilioWhatsAppChannel(
        sender=WA_FROM,
        templates={"reminder:id": CONTENT_SID},
        now=lambda: NOW,
        rate=10.0,
        **_options(sandbox, app, clock),
    )
    yield channel
    await channel.close()


@pytest.fixture
async def voice(
    sandbox: TwilioSandbox, app: WebhookApp, clock: VirtualClock
) -> AsyncIterator[TwilioVoiceChannel]:
    channel = TwilioVoiceChannel(sender=VOICE_FROM, **_options(sandbox, app, clock))
    yield channel
    await channel.close()


def _outbound(key: str = KEY, to: str = CUSTOMER, channel: str = "sms", **kwargs: Any) -> Outbound:
    fields: dict[str, Any] = {
        "to": Address(channel, to, "Budi Santoso"),
        "body": "Yth. Budi, tagihan INV-001 Rp5.000.000 lewat jatuh tempo 3 hari.",
        "idempotency_key": key,
        "template": "reminder",
        "variables": (("1", "Budi Santoso"), ("2", "Rp5.000.000")),
    }
    fields.update(kwargs)
    return Outbound(**fields)


def test_channels_follow_the_protocol(
    sms: TwilioSmsChannel, whatsapp: TwilioWhatsAppChannel, voice: TwilioVoiceChannel
) -> None:
    channels: list[Channel] = [sms, whatsapp, voice]
    assert all(isinstance(channel, Channel) for channel in channels)
    assert [channel.name for channel in channels] == ["sms", "whatsapp", "voice"]


async def test_sms_is_sent_with_a_status_callback_carrying_the_key(
    sms: TwilioSmsChannel, sandbox: TwilioSandbox, app: WebhookApp
) -> None:
    result = await sms.send(_outbound())

    assert result.outcome is DeliveryOutcome.SENT
    [message] = sandbox.messages
    assert result.provider_id == message.sid
    assert message.params["To"] == CUSTOMER and message.params["From"] == SMS_FROM
    assert message.params["Body"].startswith("Yth. Budi")
    callback = urlsplit(message.params["StatusCallback"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == f"{app.url}/twilio/status"
    assert parse_qs(callback.query) == {"key": [KEY]}

    hooks = await sandbox.advance()
    hooks += await sandbox.advance()
    assert [hook.status for hook in hooks] == [204, 204]
    assert app.statuses(KEY) == ["sent", "delivered"]
    assert all(valid for _, _, valid in app.received)


async def test_sms_keeps_to_the_sender_rate(
    sms: TwilioSmsChannel, sandbox: TwilioSandbox, clock: VirtualClock
) -> None:
    for n in range(3):
        assert (await sms.send(_outbound(key=f"k{n}"))).ok
    start = sandbox.requests_at[0]
    assert [at - start for at in sandbox.requests_at] == [0.0, 1.0, 2.0]


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (400, 20429)])
async def test_too_many_requests_pauses_the_sender(
    sms: TwilioSmsChannel, sandbox: TwilioSandbox, clock: VirtualClock, status: int, code: int
) -> None:
    sandbox.fail_next(status, code=code, retry_after=2)

    first = await sms.send(_outbound(key="k1"))
    assert first.outcome is DeliveryOutcome.RETRYABLE
    assert (first.error_code, first.retry_after) == (str(code), 2.0)
    assert sms.pacer.paused_until(SMS_FROM) == clock.now + 2.0

    paused_at = clock.now
    assert (await sms.send(_outbound(key="k2"))).ok
    # Nothing reached Twilio from this sender until the pause was over.
    assert len(sandbox.requests_at) == 2
    assert sandbox.requests_at[1] >= paused_at + 2.0
    assert [message.sid for message in sandbox.messages] == [sandbox.messages[0].sid]


async def test_too_many_requests_without_retry_after_pauses_by_default(
    sms: TwilioSmsChannel, sandbox: TwilioSandbox, clock: VirtualClock
) -> None:
    sandbox.fail_next(429)
    result = await sms.send(_outbound())
    assert result.outcome is DeliveryOutcome.RETRYABLE and result.retry_after is None
    assert sms.pacer.paused_until(SMS_FROM) == clock.now + DEFAULT_PAUSE


async def test_server_error_is_unknown(sms: TwilioSmsChannel, sandbox: TwilioSandbox) -> None:
    sandbox.fail_next(503)
    result = await sms.send(_outbound())
    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert result.error_code == "20503"


async def test_a_hang_is_unknown_and_the_status_callback_reconciles_it(
    sandbox: TwilioSandbox, app: WebhookApp, clock: VirtualClock
) -> None:
    options = _options(sandbox, app, clock) | {"timeout": 0.2}
    channel = TwilioSmsChannel(sender=SMS_FROM, **options)
    sandbox.hang_next()
    try:
        result = await channel.send(_outbound())
    finally:
        await channel.close()

    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert (result.provider_id, result.error_code) == (None, "timeout")
    # Twilio did create it: its callback names our key, so the outcome can be settled.
    await sandbox.advance()
    assert app.statuses(KEY) == ["sent"]


async def test_connection_refused_is_retryable(
    sandbox: TwilioSandbox, app: WebhookApp, clock: VirtualClock
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = _options(sandbox, app, clock) | {"api_base": f"http://127.0.0.1:{port}"}
    channel = TwilioSmsChannel(sender=SMS_FROM, **options)
    try:
        result = await channel.send(_outbound())
    finally:
        await channel.close()
    assert result.outcome is DeliveryOutcome.RETRYABLE
    assert result.error_code == "connect"


async def test_invalid_number_is_permanent_and_masked_in_logs(
    sms: TwilioSmsChannel, sandbox: TwilioSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.channels")
    result = await sms.send(_outbound(to="+62812"))
    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.error_code == "21211"
    assert "+62812" in (result.error_message or "")
    assert "+62812" not in caplog.text and "+62***812" not in caplog.text
    assert not sandbox.messages


async def test_stop_reply_makes_further_sms_permanent(
    sms: TwilioSmsChannel, sandbox: TwilioSandbox
) -> None:
    reply = await sandbox.customer_replies(CUSTOMER, SMS_FROM, "STOP")
    assert reply.status == 200 and "Terima kasih: STOP" in reply.text
    result = await sms.send(_outbound())
    assert (result.outcome, result.error_code) == (DeliveryOutcome.PERMANENT, "21610")


async def test_bad_credentials_are_retryable(
    sandbox: TwilioSandbox, app: WebhookApp, clock: VirtualClock
) -> None:
    options = _options(sandbox, app, clock) | {"auth_token": "wrong"}
    channel = TwilioSmsChannel(sender=SMS_FROM, **options)
    try:
        result = await channel.send(_outbound())
    finally:
        await channel.close()
    assert (result.outcome, result.error_code) == (DeliveryOutcome.RETRYABLE, "20003")


async def test_sms_reopens_its_session_after_close(
    sms: TwilioSmsChannel, sandbox: TwilioSandbox
) -> None:
    assert (await sms.send(_outbound(key="k1"))).ok
    await sms.close()
    assert (await sms.send(_outbound(key="k2"))).ok
    assert len(sandbox.messages) == 2


async def test_long_sms_is_cut_politely(sms: TwilioSmsChannel, sandbox: TwilioSandbox) -> None:
    assert (await sms.send(_outbound(body="kata " * 400))).ok
    body = sandbox.messages[0].params["Body"]
    assert len(body) <= 1600 and body.endswith("kata\N{HORIZONTAL ELLIPSIS}")
    assert fit("pendek", 1600) == "pendek"


async def test_whatsapp_inside_the_window_sends_free_text(
    whatsapp: TwilioWhatsAppChannel, sandbox: TwilioSandbox, app: WebhookApp
) -> None:
    await sandbox.customer_replies(CUSTOMER, WA_FROM, "halo", channel="whatsapp")
    outbound = _outbound(channel="whatsapp", last_inbound_at=NOW - dt.timedelta(hours=1))

    assert (await whatsapp.send(outbound)).ok

    [message] = sandbox.messages
    assert message.params["To"] == f"whatsapp:{CUSTOMER}"
    assert message.params["From"] == f"whatsapp:{WA_FROM}"
    assert "Body" in message.params and "ContentSid" not in message.params
    await sandbox.advance()
    await sandbox.advance()
    assert app.statuses(KEY) == ["sent", "delivered"]


async def test_whatsapp_outside_the_window_sends_the_template(
    whatsapp: TwilioWhatsAppChannel, sandbox: TwilioSandbox
) -> None:
    outbound = _outbound(channel="whatsapp", last_inbound_at=NOW - dt.timedelta(days=2))

    assert (await whatsapp.send(outbound)).ok

    params = sandbox.messages[0].params
    assert "Body" not in params
    assert params["ContentSid"] == CONTENT_SID
    assert json.loads(params["ContentVariables"]) == {"1": "Budi Santoso", "2": "Rp5.000.000"}


async def test_whatsapp_without_an_approved_template_is_permanent_and_sends_nothing(
    whatsapp: TwilioWhatsAppChannel, sandbox: TwilioSandbox
) -> None:
    result = await whatsapp.send(_outbound(channel="whatsapp", language="en"))
    assert (result.outcome, result.error_code) == (DeliveryOutcome.PERMANENT, "no-template")
    assert sandbox.requests == []


async def test_whatsapp_free_text_outside_twilios_window_fails_with_63016(
    whatsapp: TwilioWhatsAppChannel, sandbox: TwilioSandbox, app: WebhookApp
) -> None:
    # Our record says they wrote an hour ago; Twilio never saw it: accepted, then failed.
    outbound = _outbound(channel="whatsapp", last_inbound_at=NOW - dt.timedelta(hours=1))
    assert (await whatsapp.send(outbound)).ok
    [hook] = await sandbox.advance()
    assert (hook.params["MessageStatus"], hook.params["ErrorCode"]) == ("failed", "63016")


async def test_voice_call_fetches_twiml_and_takes_keypad_choices(
    voice: TwilioVoiceChannel, sandbox: TwilioSandbox, app: WebhookApp
) -> None:
    key = "C-0042:2026-03-28:14:voice"
    app.calls[key] = ("Tagihan Anda Rp5.000.000 sudah lewat jatuh tempo.", "id")

    result = await voice.send(_outbound(key=key, channel="voice", body="(rendered by web)"))

    assert result.ok
    [call] = sandbox.calls
    assert result.provider_id == call.sid
    assert call.params["Url"] == voice_twiml.voice_url(app.url, key)
    assert call.params["StatusCallbackMethod"] == "POST" and "Twiml" not in call.params

    first = await sandbox.answer(call.sid)
    assert '<Say language="id-ID">Tagihan Anda Rp5.000.000' in first
    assert "<Gather" in first and 'numDigits="1"' in first
    assert "tekan 2" in first

    promise = await sandbox.press(call.sid, "2")
    assert "Besok, tekan 1" in promise
    goodbye = await sandbox.press(call.sid, "1")
    assert "promise_tomorrow" in goodbye and "<Hangup" in goodbye

    assert app.choices == ["promise_tomorrow"]
    assert sandbox.calls[0].status == "completed"
    assert app.statuses(key) == ["completed"]
    assert all(valid for _, _, valid in app.received)


async def test_voice_without_public_url_carries_inline_twiml(
    sandbox: TwilioSandbox, clock: VirtualClock
) -> None:
    channel = TwilioVoiceChannel(sender=VOICE_FROM, **_options(sandbox, None, clock))
    try:
        result = await channel.send(_outbound(channel="voice", language="en", body="You owe."))
    finally:
        await channel.close()
    assert result.ok
    [call] = sandbox.calls
    assert "Url" not in call.params and "StatusCallback" not in call.params
    twiml = await sandbox.answer(call.sid)
    assert '<Say language="en-US">You owe.</Say>' in twiml and "<Gather" not in twiml
    assert call.status == "completed"


def test_digits_map_to_the_flow_choices() -> None:
    assert voice_twiml.digits_to_choice("menu", "1") == "paid"
    assert voice_twiml.digits_to_choice("menu", "2") == "promise_menu"
    assert voice_twiml.digits_to_choice("menu", "3") == "handoff"
    assert voice_twiml.digits_to_choice("menu", "9") == "repeat"
    assert voice_twiml.digits_to_choice("promise", "1") == "promise_tomorrow"
    assert voice_twiml.digits_to_choice("promise", "2") == "promise_week"
    assert voice_twiml.digits_to_choice("promise", "3") == "handoff"
    assert voice_twiml.digits_to_choice("promise", "9") is None
    assert voice_twiml.digits_to_choice("menu", "5") is None
    assert {c for c in voice_twiml.CHOICES} >= {"paid", "handoff", "repeat"}


def test_from_settings_needs_the_sender_and_credentials() -> None:
    settings = Settings(
        _env_file=None, twilio_sms_from=SMS_FROM, public_url="https://tagih.example"
    )
    with pytest.raises(ConfigError, match="TAGIH_TWILIO_ACCOUNT_SID"):
        twilio_channel(TwilioSmsChannel, settings)
    channel = twilio_channel(
        TwilioSmsChannel,
        settings,
        api_base="http://127.0.0.1:9",
        credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
    )
    assert (channel.sender, channel.api_base, channel.public_url) == (
        SMS_FROM,
        "http://127.0.0.1:9",
        "https://tagih.example",
    )
    with pytest.raises(ConfigError, match="TAGIH_TWILIO_VOICE_FROM"):
        twilio_channel(TwilioVoiceChannel, settings)
    templated = Settings(
        _env_file=None,
        twilio_whatsapp_from=f"whatsapp:{WA_FROM}",
        whatsapp_templates={"reminder:id": CONTENT_SID},
    )
    wa = twilio_channel(
        TwilioWhatsAppChannel, templated, credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
    )
    assert (wa.sender, wa.pacer.interval) == (WA_FROM, 1 / 80)  # Twilio: 80 MPS per sender
    assert wa.templates == {"reminder:id": CONTENT_SID}
