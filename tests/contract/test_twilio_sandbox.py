"""The loopback Twilio API on its own: auth, Twilio's errors, resources, signed webhooks."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from bot.channels.twilio_base import make_client
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox
from bot.sandbox.twilio_limits import SenderLimits
from tests.contract.test_twilio_spec import resource_errors, resource_schema
from tests.integration.test_twilio_channels import WebhookApp
from tests.support.virtual_clock import VirtualClock

NOW = dt.datetime(2026, 3, 28, 2, 0, tzinfo=dt.UTC)
CUSTOMER = "+6281234567890"
OURS = "+6221555010"
AUTH = aiohttp.encode_basic_auth(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
ERROR_FIELDS = {"code", "message", "more_info", "status"}


class Clock:
    """A settable wall clock for the sandbox's `now`."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def app() -> AsyncIterator[WebhookApp]:
    app = WebhookApp()
    await app.start()
    yield app
    await app.stop()


@pytest.fixture
def now() -> Clock:
    return Clock()


@pytest.fixture
async def sandbox(app: WebhookApp, now: Clock) -> AsyncIterator[TwilioSandbox]:
    # The wire format, not the rate: the rate limits have their own tests below.
    limits = SenderLimits.unlimited()
    sandbox = TwilioSandbox(webhook_base=app.url, clock=VirtualClock(), now=now, limits=limits)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _post(
    http: aiohttp.ClientSession,
    sandbox: TwilioSandbox,
    resource: str,
    data: dict[str, str],
    *,
    auth: str | None = AUTH,
    account: str = SANDBOX_ACCOUNT_SID,
) -> tuple[int, dict[str, Any]]:
    url = f"{sandbox.base_url}/2010-04-01/Accounts/{account}/{resource}"
    headers = {"Authorization": auth} if auth else {}
    async with http.post(url, data=data, headers=headers) as response:
        return response.status, await response.json()


def _sms(**overrides: str) -> dict[str, str]:
    data = {"To": CUSTOMER, "From": OURS, "Body": "Halo", "StatusCallback": "http://127.0.0.1:9/s"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value}


@pytest.mark.parametrize(
    "auth",
    [None, aiohttp.encode_basic_auth(SANDBOX_ACCOUNT_SID, "wrong"), "Basic !!!", "Bearer x"],
)
async def test_requests_without_the_right_credentials_get_401(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, auth: str | None
) -> None:
    status, body = await _post(http, sandbox, "Messages.json", _sms(), auth=auth)
    assert status == 401
    assert body == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert sandbox.messages == [] and sandbox.requests[0].status == 401


async def test_another_accounts_path_is_not_found(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox
) -> None:
    status, body = await _post(http, sandbox, "Messages.json", _sms(), account="AC" + "1" * 32)
    assert (status, body["code"]) == (404, 20404)


@pytest.mark.parametrize(
    ("resource", "data", "code"),
    [
        ("Messages.json", _sms(To=""), 21604),
        ("Messages.json", _sms(From=""), 21603),
        ("Messages.json", _sms(Body=""), 21602),
        ("Messages.json", _sms(To="0812"), 21211),
        ("Messages.json", _sms(Body="x" * 1601), 21617),
        ("Messages.json", _sms(Body="", ContentSid="HX1"), 21655),
        ("Messages.json", _sms(ContentSid="HX" + "a" * 32, ContentVariables="[1]"), 21656),
        ("Messages.json", _sms(To=f"whatsapp:{CUSTOMER}"), 21910),
        ("Calls.json", {"From": OURS, "Url": "http://x.test/v"}, 21201),
        ("Calls.json", {"To": CUSTOMER, "Url": "http://x.test/v"}, 21213),
        ("Calls.json", {"To": CUSTOMER, "From": OURS}, 21205),
        (
            "Calls.json",
            {"To": CUSTOMER, "From": OURS, "Twiml": "<Response/>", "Method": "X"},
            21207,
        ),
    ],
)
async def test_refused_creates_get_twilios_400(
    http: aiohttp.ClientSession,
    sandbox: TwilioSandbox,
    resource: str,
    data: dict[str, str],
    code: int,
) -> None:
    status, body = await _post(http, sandbox, resource, data)
    assert (status, body["code"], body["status"]) == (400, code, 400)
    assert set(body) == ERROR_FIELDS
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert sandbox.messages == [] and sandbox.calls == []


async def test_the_twilio_client_reads_the_sandbox_errors(sandbox: TwilioSandbox) -> None:
    client = make_client(
        SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, api_base=sandbox.base_url, timeout=5
    )
    try:
        with pytest.raises(TwilioRestException) as caught:
            await client.messages.create_async(to=CUSTOMER, from_=OURS)
        assert (caught.value.status, caught.value.code) == (400, 21602)
        created = await client.messages.create_async(to=CUSTOMER, from_=OURS, body="Halo")
        fetched = await client.messages(created.sid).fetch_async()
        assert (fetched.sid, fetched.status, fetched.body) == (created.sid, "queued", "Halo")
        assert fetched.date_created == NOW
        with pytest.raises(TwilioRestException) as missing:
            await client.messages("SM" + "0" * 32).fetch_async()
        assert missing.value.code == 20404
    finally:
        await client.http_client.close()


async def test_created_resources_are_shaped_like_twilios(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox
) -> None:
    status, message = await _post(http, sandbox, "Messages.json", _sms())
    assert status == 201
    assert message["sid"].startswith("SM") and len(message["sid"]) == 34
    assert (message["status"], message["direction"], message["num_segments"]) == (
        "queued",
        "outbound-api",
        "1",
    )
    assert parsedate_to_datetime(message["date_created"]) == NOW
    assert message["date_created"] == "Sat, 28 Mar 2026 02:00:00 +0000"
    status, call = await _post(
        http, sandbox, "Calls.json", {"To": CUSTOMER, "From": OURS, "Url": "http://x.test/v"}
    )
    assert status == 201 and call["sid"].startswith("CA") and call["status"] == "queued"
    assert resource_errors(message, resource_schema("api.v2010.account.message")) == []
    assert resource_errors(call, resource_schema("api.v2010.account.call")) == []


async def test_faults_and_the_request_log(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox
) -> None:
    sandbox.fail_next(429, retry_after=3, count=2)
    for _ in range(3):
        await _post(http, sandbox, "Messages.json", _sms())
    assert [request.status for request in sandbox.requests] == [429, 429, 201]
    assert sandbox.requests_at == [1000.0, 1000.0, 1000.0]  # the injected (virtual) clock
    url = f"{sandbox.base_url}/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/Messages.json"
    sandbox.fail_next(503)
    async with http.post(url, data=_sms(), headers={"Authorization": AUTH}) as response:
        assert response.status == 503 and (await response.json())["code"] == 20503
    sandbox.fail_next(429, retry_after=3)
    async with http.post(url, data=_sms(), headers={"Authorization": AUTH}) as response:
        assert response.headers["Retry-After"] == "3"


async def test_a_hung_request_is_released_when_the_sandbox_stops(app: WebhookApp) -> None:
    sandbox = TwilioSandbox(webhook_base=app.url)
    await sandbox.start()
    sandbox.hang_next()
    async with aiohttp.ClientSession() as http:
        pending = asyncio.ensure_future(_post(http, sandbox, "Messages.json", _sms()))
        await asyncio.wait_for(sandbox.hanging.wait(), timeout=5)
        assert len(sandbox.messages) == 1  # created, then never answered
        assert not pending.done()
        await asyncio.wait_for(sandbox.stop(), timeout=5)
        with pytest.raises((aiohttp.ClientError, aiohttp.ContentTypeError)):
            await pending


async def test_status_callbacks_are_signed_and_walk_the_states(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, app: WebhookApp
) -> None:
    callback = f"{app.url}/twilio/status?key=C-1%3A2026-03-28%3A1%3Asms"
    _, first = await _post(http, sandbox, "Messages.json", _sms(StatusCallback=callback))
    _, second = await _post(http, sandbox, "Messages.json", _sms(StatusCallback=callback))

    sent = await sandbox.advance(first["sid"])
    assert [hook.params["MessageStatus"] for hook in sent] == ["sent"]
    hooks = await sandbox.advance()
    assert [(h.params["MessageSid"], h.params["MessageStatus"]) for h in hooks] == [
        (first["sid"], "delivered"),
        (second["sid"], "sent"),
    ]
    failed = await sandbox.fail(second["sid"], 30007)
    assert failed is not None
    assert (failed.params["MessageStatus"], failed.params["ErrorCode"]) == ("undelivered", "30007")
    assert sandbox.message(second["sid"]).resource()["error_code"] == 30007

    validator = RequestValidator(SANDBOX_AUTH_TOKEN)
    for hook in [*sent, *hooks, failed]:
        assert hook.status == 204
        assert validator.validate(hook.url, dict(hook.params), hook.signature)
        forged = {**hook.params, "MessageStatus": "read"}
        assert not validator.validate(hook.url, forged, hook.signature)
    assert all(valid for _, _, valid in app.received)
    assert await sandbox.advance(first["sid"]) == []  # delivered is final for SMS


async def test_whatsapp_inbound_is_signed_and_opens_the_window(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, app: WebhookApp, now: Clock
) -> None:
    reply = await sandbox.customer_replies(
        CUSTOMER,
        OURS,
        "Sudah bayar",
        channel="whatsapp",
        button_payload="paid",
        media_urls=("https://media.example/bukti.jpg",),
    )
    assert reply.status == 200 and "<Message>Terima kasih: Sudah bayar</Message>" in reply.text
    path, form, valid = app.received[-1]
    assert path == "/twilio/messages" and valid
    assert (form["From"], form["To"]) == (f"whatsapp:{CUSTOMER}", f"whatsapp:{OURS}")
    assert (form["ButtonPayload"], form["MessageType"], form["WaId"]) == (
        "paid",
        "button",
        CUSTOMER.removeprefix("+"),
    )
    assert (form["NumMedia"], form["MediaUrl0"], form["MediaContentType0"]) == (
        "1",
        "https://media.example/bukti.jpg",
        "image/jpeg",
    )
    assert form["MessageSid"].startswith("MM") and form["AccountSid"] == SANDBOX_ACCOUNT_SID

    wa = {"To": f"whatsapp:{CUSTOMER}", "From": f"whatsapp:{OURS}", "StatusCallback": ""}
    now.now = NOW + dt.timedelta(hours=23)
    _, inside = await _post(http, sandbox, "Messages.json", {**wa, "Body": "Terima kasih"})
    now.now = NOW + dt.timedelta(hours=25)
    _, outside = await _post(http, sandbox, "Messages.json", {**wa, "Body": "Pengingat"})
    template = {**wa, "ContentSid": "HX" + "a" * 32, "ContentVariables": '{"1": "Budi"}'}
    _, templated = await _post(http, sandbox, "Messages.json", template)
    await sandbox.advance()
    statuses = {sid: sandbox.message(sid).status for sid in (inside["sid"], outside["sid"])}
    assert statuses == {inside["sid"]: "sent", outside["sid"]: "failed"}
    assert sandbox.message(outside["sid"]).error_code == 63016
    assert sandbox.message(templated["sid"]).status == "sent"


async def test_voice_answer_and_press_follow_the_gathers(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, app: WebhookApp
) -> None:
    key = "C-1:2026-03-28:14:voice"
    app.calls[key] = ("Tagihan Anda sudah jatuh tempo.", "id")
    data = {
        "To": CUSTOMER,
        "From": OURS,
        "Url": f"{app.url}/twilio/voice?key={key}",
        "StatusCallback": f"{app.url}/twilio/status?key={key}",
    }
    _, call = await _post(http, sandbox, "Calls.json", data)
    with pytest.raises(RuntimeError, match="not waiting for digits"):
        await sandbox.press(call["sid"], "1")

    await sandbox.answer(call["sid"])
    again = await sandbox.press(call["sid"], "7")  # no such option: the menu again
    assert "Tagihan Anda sudah jatuh tempo." in again
    await sandbox.press(call["sid"], "3")

    assert app.choices == ["handoff"]
    assert app.statuses(key) == ["completed"]
    placed = sandbox.call(call["sid"])
    assert placed.status == "completed" and len(placed.documents) == 3
    voice_posts = [form for path, form, _ in app.received if path.startswith("/twilio/voice")]
    assert [form.get("Digits") for form in voice_posts] == [None, "7", "3"]
    assert all(form["CallSid"] == call["sid"] for form in voice_posts)
    assert await sandbox.hangup(call["sid"]) is None  # already over


async def test_sms_stop_and_start_keywords(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, app: WebhookApp
) -> None:
    await sandbox.customer_replies(CUSTOMER, OURS, " stop ")
    assert app.received[-1][1]["OptOutType"] == "STOP"
    status, body = await _post(http, sandbox, "Messages.json", _sms())
    assert (status, body["code"]) == (400, 21610)
    await sandbox.customer_replies(CUSTOMER, OURS, "START")
    status, _ = await _post(http, sandbox, "Messages.json", _sms())
    assert status == 201


async def test_auto_advance_for_demos(app: WebhookApp) -> None:
    sandbox = TwilioSandbox(webhook_base=app.url, auto_advance=0)
    await sandbox.start()
    try:
        async with aiohttp.ClientSession() as http:
            await _post(http, sandbox, "Messages.json", _sms(StatusCallback=""))
        for _ in range(100):
            if sandbox.messages[0].status == "delivered":
                break
            await asyncio.sleep(0)
        assert sandbox.messages[0].status == "delivered"
    finally:
        await sandbox.stop()


async def test_inbound_needs_a_webhook_base() -> None:
    sandbox = TwilioSandbox()
    with pytest.raises(RuntimeError, match="webhook_base"):
        await sandbox.customer_replies(CUSTOMER, OURS, "halo")
    with pytest.raises(RuntimeError, match="not started"):
        _ = sandbox.base_url
