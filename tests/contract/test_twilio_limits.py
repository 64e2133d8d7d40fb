"""The Twilio sandbox enforces per-sender rates as Twilio answers past them (429, 20429,
Retry-After), and the channels keep to them: paced, paused per sender, bounded in flight."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

from bot.channels.twilio_sms import TwilioSmsChannel
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox
from bot.sandbox.twilio_limits import JITTER, SenderLimits, retry_after_header
from scheduler.messages import Address, DeliveryOutcome, Outbound
from tests.support.virtual_clock import VirtualClock

NOW = dt.datetime(2026, 3, 28, 2, 0, tzinfo=dt.UTC)
SMS_FROM, OTHER_SMS_FROM = "+6221555010", "+6221555011"
WA_FROM = "whatsapp:+6221555020"
AUTH = aiohttp.encode_basic_auth(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)
CONTENT_SID = "HX" + "0f" * 16


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


async def _sandbox(clock: VirtualClock, limits: SenderLimits | None = None) -> TwilioSandbox:
    sandbox = TwilioSandbox(clock=clock, now=lambda: NOW, limits=limits)
    await sandbox.start()
    return sandbox


@pytest.fixture
async def sandbox(clock: VirtualClock) -> AsyncIterator[TwilioSandbox]:
    sandbox = await _sandbox(clock)  # Twilio's defaults: SMS 1/s, WhatsApp 80/s, calls 1/s
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _create(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, sender: str, resource: str = "Messages"
) -> tuple[int, dict[str, Any], str | None]:
    to = "whatsapp:+6281234567890" if sender.startswith("whatsapp:") else "+6281234567890"
    data = {"To": to, "From": sender}
    data |= {"Body": "Halo"} if resource == "Messages" else {"Url": "http://127.0.0.1:9/v"}
    url = f"{sandbox.base_url}/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/{resource}.json"
    async with http.post(url, data=data, headers={"Authorization": AUTH}) as response:
        return response.status, await response.json(), response.headers.get("Retry-After")


async def test_a_sender_past_its_rate_gets_twilios_429(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, clock: VirtualClock
) -> None:
    assert (await _create(http, sandbox, SMS_FROM))[0] == 201
    status, body, retry_after = await _create(http, sandbox, SMS_FROM)  # same instant: 1/s
    assert status == 429
    assert body == {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    }
    assert retry_after == "1"  # whole seconds, as HTTP's Retry-After
    assert len(sandbox.messages) == 1  # the refused request created nothing
    [throttled] = sandbox.throttled
    assert throttled.scope == SMS_FROM
    assert throttled.retry_after == pytest.approx(1.0 - JITTER)

    # Another sender is not held back by this one's rate.
    assert (await _create(http, sandbox, OTHER_SMS_FROM))[0] == 201
    clock.now += 1.0 - JITTER  # a request may come this much early (network jitter)
    assert (await _create(http, sandbox, SMS_FROM))[0] == 201
    assert len(sandbox.throttled) == 1


async def test_whatsapp_takes_80_a_second_per_sender(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, clock: VirtualClock
) -> None:
    for _ in range(160):  # two seconds at exactly 80/s: all taken
        assert (await _create(http, sandbox, WA_FROM))[0] == 201
        clock.now += 1 / 80
    assert sandbox.throttled == []
    for _ in range(80):  # then 160/s for half a second
        await _create(http, sandbox, WA_FROM)
        clock.now += 1 / 160
    # What fits: 80/s for 0.5 s, the one on time at the start, and 0.1 s worth (8) early.
    taken = len(sandbox.messages) - 160
    assert taken <= 40 + 1 + 8
    assert len(sandbox.throttled) == 80 - taken >= 31


async def test_calls_are_counted_for_the_account(
    http: aiohttp.ClientSession, sandbox: TwilioSandbox, clock: VirtualClock
) -> None:
    assert (await _create(http, sandbox, "+6221555030", "Calls"))[0] == 201
    # Twilio's CPS is the account's: another caller number shares it.
    assert (await _create(http, sandbox, "+6221555031", "Calls"))[0] == 429
    clock.now += 1.0
    assert (await _create(http, sandbox, "+6221555031", "Calls"))[0] == 201
    assert [t.scope for t in sandbox.throttled] == ["calls"]


async def test_rates_are_configurable_per_sender(
    http: aiohttp.ClientSession, clock: VirtualClock
) -> None:
    limits = SenderLimits(sms=1.0, senders={SMS_FROM: 10.0}, jitter=0.0)
    sandbox = await _sandbox(clock, limits)
    try:
        for _ in range(10):
            assert (await _create(http, sandbox, SMS_FROM))[0] == 201
            clock.now += 0.1
        assert (await _create(http, sandbox, OTHER_SMS_FROM))[0] == 201
        assert (await _create(http, sandbox, OTHER_SMS_FROM))[0] == 429
    finally:
        await sandbox.stop()
    assert SenderLimits.unlimited().message_rate(SMS_FROM) is None
    assert retry_after_header(0.01) == "1" and retry_after_header(2.2) == "3"


def _outbound(n: int, channel: str = "sms") -> Outbound:
    return Outbound(
        to=Address(channel, f"+62812345678{n:02d}", "Budi"),
        body="Yth. Budi, tagihan INV-001 lewat jatuh tempo.",
        idempotency_key=f"C-{n}:2026-03-28:1:{channel}",
        template="reminder",
    )


def _options(sandbox: TwilioSandbox, clock: VirtualClock, rate: float) -> dict[str, Any]:
    return {
        "account_sid": SANDBOX_ACCOUNT_SID,
        "auth_token": SANDBOX_AUTH_TOKEN,
        "api_base": sandbox.base_url,
        "rate": rate,
        "clock": clock,
        "sleep": clock.sleep,
    }


async def test_a_channel_at_the_senders_rate_is_never_refused(
    sandbox: TwilioSandbox, clock: VirtualClock
) -> None:
    sms = TwilioSmsChannel(sender=SMS_FROM, **_options(sandbox, clock, 1.0))
    wa = TwilioWhatsAppChannel(
        sender=WA_FROM, templates={"reminder:id": CONTENT_SID}, **_options(sandbox, clock, 80.0)
    )
    try:
        for n in range(5):
            assert (await sms.send(_outbound(n))).ok
        for n in range(100):
            assert (await wa.send(_outbound(n, "whatsapp"))).ok
    finally:
        await sms.close()
        await wa.close()
    assert sandbox.throttled == []


async def test_a_429_pauses_its_sender_only(sandbox: TwilioSandbox, clock: VirtualClock) -> None:
    # Configured above what the account allows: the sandbox refuses, the channel backs off.
    sms = TwilioSmsChannel(sender=SMS_FROM, **_options(sandbox, clock, 10.0))
    wa = TwilioWhatsAppChannel(
        sender=WA_FROM, templates={"reminder:id": CONTENT_SID}, **_options(sandbox, clock, 80.0)
    )
    try:
        assert (await sms.send(_outbound(1))).ok
        refused = await sms.send(_outbound(2))
        assert refused.outcome is DeliveryOutcome.RETRYABLE
        assert (refused.error_code, refused.retry_after) == ("20429", 1.0)
        assert sms.pacer.paused_until(SMS_FROM) == clock.now + 1.0
        before = clock.now
        assert (await wa.send(_outbound(3, "whatsapp"))).ok  # another sender: not held
        assert clock.now - before < 0.1
        assert (await sms.send(_outbound(4))).ok  # after the pause
    finally:
        await sms.close()
        await wa.close()
    assert len(sandbox.throttled) == 1


async def test_a_slow_provider_holds_no_more_than_the_in_flight_bound(
    sandbox: TwilioSandbox, clock: VirtualClock
) -> None:
    channel = TwilioSmsChannel(sender=SMS_FROM, max_in_flight=2, **_options(sandbox, clock, 1000.0))
    release = asyncio.Event()
    under_way = most = 0

    async def slow_create(_client: Any) -> Any:
        nonlocal under_way, most
        under_way += 1
        most = max(most, under_way)
        await release.wait()  # the provider takes its time
        under_way -= 1
        return SimpleNamespace(sid=f"SM{under_way:032x}")

    sends = [
        asyncio.ensure_future(channel.create(f"+6281234567{n:03d}", f"k{n}", slow_create))
        for n in range(6)
    ]
    for _ in range(20):
        await asyncio.sleep(0)
    assert (under_way, channel.in_flight.busy(SMS_FROM)) == (2, 2)
    release.set()
    results = await asyncio.gather(*sends)
    await channel.close()
    assert all(result.ok for result in results) and most == 2
