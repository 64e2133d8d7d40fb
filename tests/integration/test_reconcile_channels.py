"""Reconcile: what became of a message a dead worker reserved, asked of the real providers'
stand-ins on loopback through the real client libraries (twilio, aiosmtplib, PTB)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from twilio.base.exceptions import TwilioException

from bot.channels.email import EmailChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.twilio_base import RECONCILE_SKEW, make_client
from bot.channels.twilio_sms import TwilioSmsChannel
from bot.channels.twilio_voice import TwilioVoiceChannel
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.sandbox.smtp import SmtpSink
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox
from bot.sandbox.twilio_limits import SenderLimits
from bot.sandbox.twilio_records import API_VERSION
from scheduler.channel import Channel
from scheduler.messages import Address, DeliveryOutcome, DeliveryResult, Outbound
from tests.contract.test_twilio_spec import form_value_errors, resolve, resource_errors, spec
from tests.support.virtual_clock import VirtualClock

CUSTOMER = "+6281234567890"
OTHER = "+6281299990000"
SENDERS = {"sms": "+6221555010", "whatsapp": "+6221555020", "voice": "+6221555030"}
NOW = dt.datetime(2026, 3, 28, 2, 0, tzinfo=dt.UTC)
CONTENT_SID = "HX" + "ab" * 16
KINDS = ("sms", "whatsapp", "voice")
LISTS = {
    "messages": f"/{API_VERSION}/Accounts/{{AccountSid}}/Messages.json",
    "calls": f"/{API_VERSION}/Accounts/{{AccountSid}}/Calls.json",
}


Twilio = TwilioSmsChannel | TwilioWhatsAppChannel | TwilioVoiceChannel


class Now:
    """The sandbox's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
async def sandbox(now: Now) -> AsyncIterator[TwilioSandbox]:
    # The channels pace on a virtual clock, the sandbox counts on the real one: no limit.
    sandbox = TwilioSandbox(now=now, limits=SenderLimits.unlimited())
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


def _channel(kind: str, api_base: str) -> Twilio:
    clock = VirtualClock()
    common: dict[str, Any] = {
        "account_sid": SANDBOX_ACCOUNT_SID,
        "auth_token": SANDBOX_AUTH_TOKEN,
        "sender": SENDERS[kind],
        "api_base": api_base,
        "rate": 1000.0,
        "clock": clock,
        "sleep": clock.sleep,
    }
    if kind == "sms":
        return TwilioSmsChannel(**common)
    if kind == "whatsapp":
        return TwilioWhatsAppChannel(
            templates={"reminder:id": CONTENT_SID}, now=lambda: NOW, **common
        )
    return TwilioVoiceChannel(**common)


def _outbound(kind: str, to: str = CUSTOMER, key: str | None = None) -> Outbound:
    return Outbound(
        to=Address(kind, to),
        body="Tagihan INV-001 Rp5.000.000 jatuh tempo kemarin.",
        idempotency_key=key or f"C-0042:2026-03-28:3:{kind}",
        template="reminder",
        variables=(("1", "Budi"), ("2", "Rp5.000.000")),
    )


@pytest.fixture(params=KINDS)
async def channel(request: pytest.FixtureRequest, sandbox: TwilioSandbox) -> AsyncIterator[Any]:
    channel = _channel(request.param, sandbox.base_url)
    yield channel
    await channel.close()


async def _send(channel: Twilio, outbound: Outbound) -> str:
    result = await channel.send(outbound)
    assert result.ok, result
    assert result.provider_id is not None
    return result.provider_id


async def _progress(sandbox: TwilioSandbox, kind: str, sid: str) -> None:
    """Let Twilio get on with it: a message is sent (DateSent), a call answered (StartTime)."""
    if kind == "voice":
        await sandbox.answer(sid)  # inline TwiML without a menu: spoken, then hung up
        assert sandbox.call(sid).status == "completed"
    else:
        await sandbox.advance(sid)
        assert sandbox.message(sid).date_sent is not None


async def _reconcile(
    channel: Channel, outbound: Outbound, known: frozenset[str] = frozenset()
) -> DeliveryResult | None:
    return await channel.reconcile(outbound, reserved_at=NOW, known=known)


def test_every_channel_reconciles() -> None:
    for kind in KINDS:
        assert isinstance(_channel(kind, "http://127.0.0.1:9"), Channel)


@pytest.mark.parametrize("progressed", [False, True], ids=["queued", "progressed"])
async def test_a_message_twilio_has_is_found(
    channel: Twilio, sandbox: TwilioSandbox, now: Now, progressed: bool
) -> None:
    outbound = _outbound(channel.name)
    now.at = NOW + dt.timedelta(seconds=1)  # the dead worker's request, just after reserving
    sid = await _send(channel, outbound)
    if progressed:
        now.at = NOW + dt.timedelta(minutes=1)
        await _progress(sandbox, channel.name, sid)

    result = await _reconcile(channel, outbound)

    assert result == DeliveryResult(DeliveryOutcome.SENT, provider_id=sid)
    lists = [request for request in sandbox.requests if request.method == "GET"]
    assert lists and all(request.status == 200 for request in lists)


async def test_clocks_may_disagree_by_the_skew(
    channel: Twilio, sandbox: TwilioSandbox, now: Now
) -> None:
    outbound = _outbound(channel.name)
    now.at = NOW - RECONCILE_SKEW + dt.timedelta(seconds=5)  # Twilio's clock runs behind ours
    sid = await _send(channel, outbound)
    await _progress(sandbox, channel.name, sid)
    assert await _reconcile(channel, outbound) == DeliveryResult(
        DeliveryOutcome.SENT, provider_id=sid
    )


async def test_a_message_that_never_reached_twilio_is_none(
    channel: Twilio, sandbox: TwilioSandbox, now: Now
) -> None:
    kind = channel.name
    await _send(channel, _outbound(kind, to=OTHER, key="C-0043:2026-03-28:3:x"))
    # Ours to this customer before the reservation (less the skew): an earlier reminder.
    now.at = NOW - RECONCILE_SKEW - dt.timedelta(seconds=5)
    earlier = await _send(channel, _outbound(kind, key="C-0042:2026-03-21:2:x"))
    await _progress(sandbox, kind, earlier)
    # Another sender of ours to the same customer, after the reservation.
    now.at = NOW + dt.timedelta(seconds=1)
    other_kind = "voice" if kind != "voice" else "sms"
    other = _channel(other_kind, sandbox.base_url)
    await _send(other, _outbound(other_kind))
    await other.close()
    if kind != "voice":  # the customer's own message to our number is not ours
        sandbox.webhook_base = "http://127.0.0.1:9"  # nobody answers the webhook: no matter
        await sandbox.customer_replies(CUSTOMER, SENDERS[kind], "Baik", channel=kind)
    assert await _reconcile(channel, _outbound(kind)) is None


async def test_a_sid_in_our_log_is_never_claimed(
    channel: Twilio, sandbox: TwilioSandbox, now: Now
) -> None:
    outbound = _outbound(channel.name)
    now.at = NOW + dt.timedelta(seconds=1)
    first = await _send(channel, outbound)  # recorded by another worker: in `known`
    assert await _reconcile(channel, outbound, frozenset({first})) is None

    now.at = NOW + dt.timedelta(seconds=2)
    second = await _send(channel, outbound)
    await _progress(sandbox, channel.name, second)
    result = await _reconcile(channel, outbound, frozenset({first}))
    assert result is not None and result.provider_id == second


async def test_the_earliest_after_the_reservation_is_taken(
    channel: Twilio, sandbox: TwilioSandbox, now: Now
) -> None:
    outbound = _outbound(channel.name)
    sids = []
    for seconds in (3, 1, 2):  # created out of order on Twilio's clock
        now.at = NOW + dt.timedelta(seconds=seconds)
        sids.append(await _send(channel, outbound))
    result = await _reconcile(channel, outbound)
    assert result is not None and result.provider_id == sids[1]


async def test_a_failed_message_is_a_permanent_failure(
    channel: Twilio, sandbox: TwilioSandbox
) -> None:
    outbound = _outbound(channel.name)
    sid = await _send(channel, outbound)
    if channel.name == "voice":
        await sandbox.hangup(sid, "busy")
        expected = DeliveryResult(
            DeliveryOutcome.PERMANENT, provider_id=sid, error_code="busy", error_message="busy"
        )
    else:
        await sandbox.fail(sid, 30003)
        expected = DeliveryResult(
            DeliveryOutcome.PERMANENT,
            provider_id=sid,
            error_code="30003",
            error_message="Unreachable destination handset",
        )
    assert await _reconcile(channel, outbound) == expected


async def test_twilio_unreachable_or_failing_is_unknown(
    channel: Twilio, sandbox: TwilioSandbox
) -> None:
    outbound = _outbound(channel.name)
    await _send(channel, outbound)

    sandbox.fail_next(503)
    failing = await _reconcile(channel, outbound)
    assert failing is not None and failing.outcome is DeliveryOutcome.UNKNOWN
    assert (failing.error_code, failing.error_message) == ("20503", "Service Unavailable")
    assert not failing.provider_down  # only ever with RETRYABLE

    sandbox.fail_next(429, retry_after=1)
    throttled = await _reconcile(channel, outbound)
    assert throttled is not None and throttled.outcome is DeliveryOutcome.UNKNOWN

    await sandbox.stop()
    down = await _reconcile(channel, outbound)
    assert down is not None and down.outcome is DeliveryOutcome.UNKNOWN
    assert down.error_code == "connect" and down.provider_id is None


async def test_a_closed_port_is_unknown() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for kind in KINDS:
        channel = _channel(kind, f"http://127.0.0.1:{port}")
        result = await _reconcile(channel, _outbound(kind))
        await channel.close()
        assert result is not None and result.outcome is DeliveryOutcome.UNKNOWN, kind
        assert result.error_code == "connect"


# --- the sandbox's list reads, through the real twilio client and against Twilio's spec


@pytest.fixture
async def client(sandbox: TwilioSandbox) -> AsyncIterator[Any]:
    client = make_client(
        SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, api_base=sandbox.base_url, timeout=5.0
    )
    yield client
    await client.http_client.close()


async def _messages(sandbox: TwilioSandbox, now: Now, count: int) -> list[str]:
    """`count` SMS to the customer, a minute apart, newest last."""
    channel = _channel("sms", sandbox.base_url)
    sids = []
    for n in range(count):
        now.at = NOW + dt.timedelta(minutes=n)
        sids.append(await _send(channel, _outbound("sms", key=f"k{n}")))
    await channel.close()
    return sids


async def test_lists_page_with_tokens_newest_first(
    sandbox: TwilioSandbox, now: Now, client: Any
) -> None:
    sids = await _messages(sandbox, now, 5)
    listed = await client.messages.list_async(to=CUSTOMER, page_size=2)
    assert [record.sid for record in listed] == sids[::-1]
    reads = [request for request in sandbox.requests if request.method == "GET"]
    assert len(reads) == 3  # three pages of 2, 2 and 1
    tokens = [dict(request.query).get("PageToken") for request in reads]
    assert tokens == [None, f"PA{sids[3]}", f"PA{sids[1]}"]

    first = await client.messages.page_async(page_size=2)
    second = await first.next_page_async()
    back = await second.previous_page_async()
    assert [record.sid for record in back] == sids[:2:-1]
    assert await (await second.next_page_async()).next_page_async() is None


async def test_date_filters_compare_days(sandbox: TwilioSandbox, now: Now, client: Any) -> None:
    sids = await _messages(sandbox, now, 2)
    now.at = NOW + dt.timedelta(days=1)
    await sandbox.advance(sids[0])  # sent the next day; sids[1] stays queued (no DateSent)
    day, next_day = "2026-03-28", "2026-03-29"

    async def sids_for(**filters: Any) -> list[str]:
        return [record.sid for record in await client.messages.list_async(**filters)]

    assert await sids_for(date_sent_after=day) == [sids[0]]
    assert await sids_for(date_sent_after=next_day) == [sids[0]]
    assert await sids_for(date_sent=next_day) == [sids[0]]
    assert await sids_for(date_sent_before=day) == []
    # The twilio client sends a datetime as a timestamp: only its day counts.
    late = dt.datetime(2026, 3, 29, 23, 59, tzinfo=dt.UTC)
    assert await sids_for(date_sent_after=late) == [sids[0]]
    assert await sids_for(date_sent_after="Sun, 29 Mar 2026 22:04:00 -0000") == [sids[0]]
    assert await sids_for() == sids[::-1]  # unsent first, as the newest
    with pytest.raises(TwilioException):
        await sids_for(date_sent_after="yesterday")


async def test_calls_filter_on_start_time_and_status(sandbox: TwilioSandbox, client: Any) -> None:
    voice = _channel("voice", sandbox.base_url)
    answered = await _send(voice, _outbound("voice"))
    queued = await _send(voice, _outbound("voice"))
    await voice.close()
    await sandbox.answer(answered)

    async def sids_for(**filters: Any) -> list[str]:
        return [record.sid for record in await client.calls.list_async(**filters)]

    assert await sids_for(to=CUSTOMER) == [queued, answered]
    assert await sids_for(start_time_after="2026-03-28") == [answered]
    assert await sids_for(status="queued") == [queued]
    assert await sids_for(from_=SENDERS["sms"]) == []


async def test_list_reads_fit_twilios_spec(sandbox: TwilioSandbox, now: Now) -> None:
    spec()  # skip when the shared specs folder is absent
    for kind in KINDS:
        channel = _channel(kind, sandbox.base_url)
        await _progress(sandbox, kind, await _send(channel, _outbound(kind)))
        await _reconcile(channel, _outbound(kind))
        await channel.close()
    prefix = f"/{API_VERSION}/Accounts/{SANDBOX_ACCOUNT_SID}/"
    reads = [request for request in sandbox.requests if request.method == "GET"]
    assert len(reads) == 6
    auth = {"Authorization": aiohttp.encode_basic_auth(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)}
    async with aiohttp.ClientSession(headers=auth) as http:
        for request in reads:
            key = request.path.removeprefix(prefix).removesuffix(".json").lower()
            assert key in LISTS, request.path
            operation = spec()["paths"][LISTS[key]]["get"]
            parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
            for name, value in request.query:
                assert name in parameters, name
                assert form_value_errors(name, value, parameters[name]["schema"]) == []
            async with http.get(sandbox.base_url + request.path, params=request.query) as reply:
                assert reply.status == 200
                page = await reply.json()
            schema = resolve(operation["responses"]["200"]["content"]["application/json"]["schema"])
            assert _page_errors(page, schema, key) == []
            assert len(page[key]) == 1, "the record sent (and sent on) is listed"


def _page_errors(page: dict[str, Any], schema: dict[str, Any], key: str) -> list[str]:
    """Why a list page differs from the spec's list response (records checked in full)."""
    properties = schema["properties"]
    errors = []
    if differ := set(properties) ^ set(page):
        errors.append(f"fields differ: {sorted(differ)}")
    for record in page[key]:
        errors.extend(resource_errors(record, properties[key]["items"], f"$.{key}[]"))
    for name, sub in properties.items():
        value = page.get(name)
        if name == key:
            continue
        if value is None:
            if not sub.get("nullable"):
                errors.append(f"{name} is null")
        elif sub["type"] == "integer" and not isinstance(value, int):
            errors.append(f"{name}={value!r} is not an integer")
        elif sub["type"] == "string" and not str(value).startswith(f"/{API_VERSION}/Accounts/"):
            errors.append(f"{name}={value!r} is not an API path")  # relative, as Twilio's
    return errors


# --- email and Telegram: nothing to ask; the resend is safe (email) or rare (Telegram)


async def test_email_resends_with_the_same_message_id(tmp_path: Path) -> None:
    sink = SmtpSink(tmp_path / "mail")
    await sink.start()
    channel = EmailChannel(
        host=sink.host,
        port=sink.port,
        username=None,
        password=None,
        starttls=False,
        use_tls=False,
        timeout=5.0,
        sender="CV Sumber Rejeki <tagihan@sumber-rejeki.co.id>",
    )
    try:
        outbound = Outbound(
            to=Address("email", "budi@sinarjaya.co.id", "Budi Santoso"),
            subject="Tagihan lewat jatuh tempo",
            body="Sisa tagihan: Rp5.000.000",
            idempotency_key="C-0042:2026-03-28:3:email",
        )
        first = await channel.send(outbound)
        assert await _reconcile(channel, outbound, frozenset({"x"})) is None
        again = await channel.send(outbound)
        await channel.send(
            Outbound(
                to=outbound.to,
                body=outbound.body,
                idempotency_key="C-0042:2026-04-01:4:email",
            )
        )
    finally:
        await channel.close()
        await sink.stop()
    ids = [str(mail["Message-ID"]) for mail in sink.messages]
    assert ids[0] == ids[1] == first.provider_id == again.provider_id
    assert ids[2] != ids[0]
    assert ids[0].startswith("<") and ids[0].endswith("@sumber-rejeki.co.id>")
    assert len(ids[0]) == len("<@sumber-rejeki.co.id>") + 32


async def test_telegram_sends_again() -> None:
    token = "123456789:AAH-tagih-test-token"
    clock = VirtualClock()
    sandbox = TelegramSandbox(token, clock=clock)
    await sandbox.start()
    channel = TelegramChannel(token=token, api_base=sandbox.url, clock=clock, sleep=clock.sleep)
    await channel.start()
    try:
        outbound = Outbound(
            to=Address("telegram", "555000111"),
            body="Tagihan INV-001",
            idempotency_key="C-0042:2026-03-28:3:telegram",
        )
        assert (await channel.send(outbound)).ok
        # The Bot API cannot list what was sent: at least once, so it goes out again.
        assert await _reconcile(channel, outbound) is None
    finally:
        await channel.stop()
        await sandbox.stop()
