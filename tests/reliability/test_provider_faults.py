"""Provider faults injected through the stand-ins while the dispatcher sends for real.

Each test runs Tagih's real channels (python-telegram-bot, twilio, aiosmtplib) against the
loopback stand-ins; the channels' pacing and the stand-ins' flood and rate checks share a
virtual clock moved with the dispatcher's injected time, so an hour passes at once.

Covered elsewhere, not repeated here:
- SMTP 4xx retried after the backoff, once: tests/integration/test_dispatch.py
  (test_retryable_failure_backs_off_then_sends_once).
- A timeout on a Twilio POST: unknown, settled by the status callback, never resent:
  tests/contract/test_channel_contract.py (test_unknown_outcome_reconciled_by_the_status_callback).
- A provider down mid-pass: its steps fall back or wait without using attempts, and go out
  once it is back: tests/reliability/test_provider_down.py.
- 429 handling inside one channel: tests/integration/test_telegram_channel.py
  (test_429_is_honoured), tests/contract/test_twilio_limits.py (test_a_429_pauses_its_sender_only).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.app.channels import twilio_channel
from bot.app.tagih import Tagih
from bot.channels.telegram import SANDBOX_TOKEN, TelegramChannel
from bot.channels.twilio_sms import TwilioSmsChannel
from bot.config import load_settings
from bot.sandbox import SANDBOX_SENDERS
from bot.sandbox.smtp import SmtpSink
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox
from scheduler.policy import PolicySpec, Step
from scheduler.policy_store import save_spec
from storage.enums import FollowUpStatus, MessageStatus
from storage.models import Contact, Customer, FollowUp, Message, Policy
from tests.support.factories import add_customer
from tests.support.virtual_clock import VirtualClock

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
JAKARTA = ZoneInfo("Asia/Jakarta")
BACKOFF = dt.timedelta(seconds=60)


class Moment:
    """The dispatcher's injected time, and the virtual clock that follows it (pacing and
    the stand-ins' limits): moving the moment moves the clock, never backwards."""

    def __init__(self) -> None:
        self.at = NOW
        self.clock = VirtualClock(start=1000.0)

    def to(self, at: dt.datetime) -> dt.datetime:
        self.at = at
        self.clock.now = max(self.clock.now, 1000.0 + (at - NOW).total_seconds())
        return at

    def seconds(self, at: dt.datetime) -> float:
        """`at` on the virtual clock."""
        return 1000.0 + (at - NOW).total_seconds()


@pytest.fixture
def moment() -> Moment:
    return Moment()


@pytest.fixture
async def tagih(db_url: str, tmp_path: Path, moment: Moment) -> AsyncIterator[Tagih]:
    """Tagih on its in-process stand-ins, the SMS and Telegram channels on the virtual clock;
    one send at a time, so the order of requests is the dispatcher's."""
    settings = load_settings(
        database_url=db_url,
        sandbox_dir=tmp_path / "sandbox",
        load_examples=False,
        retry_backoff_seconds=int(BACKOFF.total_seconds()),
        dispatch_concurrency=1,
        sms_rate=2,  # the stand-in refuses (20429) what goes faster
        whatsapp_daily_limit=0,
    )
    app = Tagih(settings, clock=lambda: moment.at, worker="w")
    await app.open()
    twilio, telegram = app.providers.twilio_sandbox, app.providers.telegram_sandbox
    assert twilio is not None and telegram is not None
    twilio.clock = telegram.clock = moment.clock
    twilio.now = lambda: moment.at
    app.providers.channels["sms"] = twilio_channel(
        TwilioSmsChannel,
        settings.model_copy(update=SANDBOX_SENDERS),
        api_base=twilio.base_url,
        credentials=(SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN),
        clock=moment.clock,
        sleep=moment.clock.sleep,
    )
    channel = TelegramChannel(
        token=SANDBOX_TOKEN, api_base=telegram.url, clock=moment.clock, sleep=moment.clock.sleep
    )
    await channel.start()
    app.providers.channels["telegram"] = channel
    yield app
    await channel.stop()
    await app.close()


def stand_ins(app: Tagih) -> tuple[TwilioSandbox, TelegramSandbox, SmtpSink]:
    twilio, telegram, sink = (
        app.providers.twilio_sandbox,
        app.providers.telegram_sandbox,
        app.providers.smtp_sink,
    )
    assert twilio is not None and telegram is not None and sink is not None
    return twilio, telegram, sink


async def customer(app: Tagih, code: str, contacts: dict[str, str]) -> int:
    """A customer a day late whose step tries `contacts` in their order."""
    customer_id = await add_customer(
        app.db, code, email=None, invoices=[(code, dt.date(2026, 11, 22), "5000000")]
    )
    name = "+".join(contacts)
    async with app.db.transaction() as session:
        policy = (await session.exec(select(Policy).where(Policy.name == name))).first()
        if policy is None:
            policy = await save_spec(session, spec=PolicySpec(name, (Step(1, tuple(contacts)),)))
        row = await session.get(Customer, customer_id)
        assert row is not None
        row.policy_id = policy.id
        session.add(row)
        for channel, address in contacts.items():
            session.add(Contact(customer_id=customer_id, channel=channel, address=address))
    return customer_id


async def followup(app: Tagih, customer_id: int) -> FollowUp:
    async with app.db.sessions() as session:
        rows = (
            await session.exec(select(FollowUp).where(FollowUp.customer_id == customer_id))
        ).all()
    [row] = [r for r in rows if r.local_date == dt.date(2026, 11, 23)]
    return row


async def reminders(app: Tagih) -> list[Message]:
    async with app.db.sessions() as session:
        query = select(Message).where(col(Message.followup_id).is_not(None)).order_by(Message.id)
        return list((await session.exec(query)).all())


# --- Telegram: a 429 with retry_after holds that chat, and only that chat ------------------


async def test_telegram_429_holds_its_chat_until_retry_after_while_other_chats_go_on(
    tagih: Tagih, moment: Moment
) -> None:
    chats = [str(900001 + n) for n in range(5)]
    ids = [await customer(tagih, f"T{n}", {"telegram": chat}) for n, chat in enumerate(chats)]
    _, telegram, _ = stand_ins(tagih)
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 3600", retry_after=3600)

    _, stats = await tagih.send_due(moment.to(NOW))
    assert (stats.sent, stats.retried) == (4, 1)
    sends = [r for r in telegram.requests if r.method == "sendMessage"]
    flooded = sends[0].params["chat_id"]
    assert sends[0].status == 429
    # The other chats went on at once, not after the flood wait.
    assert all(r.status == 200 for r in sends[1:]) and len(sends) == 5
    assert sends[-1].at - sends[0].at < 10
    held = await followup(tagih, ids[chats.index(str(flooded))])
    assert held.status == FollowUpStatus.PLANNED
    assert held.planned_at >= NOW + dt.timedelta(seconds=3600)  # not after the 60 s backoff

    # Nothing goes to that chat before the hour is over…
    stats = await tagih.tick(moment.to(NOW + dt.timedelta(minutes=59)))
    assert stats.claimed == 0
    # … then it goes out once.
    stats = await tagih.tick(moment.to(NOW + dt.timedelta(seconds=3600)))
    assert stats.sent == 1
    to_flooded = [r for r in telegram.requests if r.params.get("chat_id") == flooded]
    assert [r.status for r in to_flooded] == [429, 200]
    assert to_flooded[1].at - to_flooded[0].at >= 3600
    assert sorted(m.chat_id for m in telegram.sent) == sorted(int(c) for c in chats)


# --- Twilio: 20429 pauses the sender, no storm ---------------------------------------------


async def test_twilio_20429_pauses_the_sender_and_retries_without_a_storm(
    tagih: Tagih, moment: Moment
) -> None:
    phones = [f"+6281377700{n:02d}" for n in range(6)]
    ids = [await customer(tagih, f"S{n}", {"sms": phone}) for n, phone in enumerate(phones)]
    twilio, _, _ = stand_ins(tagih)
    twilio.fail_next(429, retry_after=5)

    _, stats = await tagih.send_due(moment.to(NOW))
    assert (stats.sent, stats.retried) == (5, 1)
    posts = [r for r in twilio.requests if r.method == "POST"]
    assert [r.status for r in posts] == [429] + [201] * 5  # one refusal, nothing more
    # After the 429 the sender waited out its Retry-After, then kept to its rate (2/s).
    assert posts[1].at - posts[0].at >= 5
    gaps = [b.at - a.at for a, b in itertools.pairwise(posts[1:])]
    assert min(gaps) >= 0.5 - 0.1 and twilio.throttled == []
    # The refused one is retried once, after the backoff: exactly one message per customer.
    await tagih.tick(moment.to(NOW + BACKOFF))
    created = [m.to for m in twilio.messages]
    assert sorted(created) == sorted(phones)
    assert {(await followup(tagih, i)).status for i in ids} == {FollowUpStatus.SENT}
    assert len([r for r in twilio.requests if r.method == "POST"]) == 7


# --- Twilio: a 5xx on POST is unknown, reconciled before any resend ------------------------------


async def test_twilio_5xx_on_post_is_unknown_and_not_resent_blindly(
    tagih: Tagih, moment: Moment
) -> None:
    await customer(tagih, "U0", {"sms": "+628137770100", "email": "u0@example.co.id"})
    twilio, _, sink = stand_ins(tagih)
    twilio.fail_next(500)
    _, stats = await tagih.send_due(moment.to(NOW))
    assert (stats.unknown, stats.sent) == (1, 0)
    [row] = await reminders(tagih)
    assert (row.channel, row.status, row.error_code) == ("sms", MessageStatus.UNKNOWN, "20500")
    for hours in (1, 2, 24):
        await tagih.tick(moment.to(NOW + dt.timedelta(hours=hours)))
    # Not resent blindly, nor on the next channel: Twilio's list was asked first (by our
    # key), had nothing, and the SMS went out once more — the one message Twilio holds.
    posts = [r for r in twilio.requests if r.method == "POST"]
    lists = [r for r in twilio.requests if r.method == "GET"]
    assert len(posts) == 2 and lists, twilio.requests
    assert [m.to for m in twilio.messages] == ["+628137770100"]
    assert sink.messages == []
    [row] = await reminders(tagih)
    assert row.status == MessageStatus.SENT and row.provider_id == twilio.messages[0].sid


async def test_twilio_5xx_that_created_nothing_is_reconciled_and_sent_once(
    tagih: Tagih, moment: Moment
) -> None:
    """A 5xx leaves the outcome unknown and no status callback comes: after
    RECONCILE_AFTER the step is claimed again, Twilio's list (by our key) has nothing, and
    the message is sent once; later ticks send nothing more."""
    await customer(tagih, "U1", {"sms": "+628137770101"})
    twilio, _, _ = stand_ins(tagih)
    twilio.fail_next(503)
    await tagih.send_due(moment.to(NOW))
    assert twilio.messages == []  # the 503 came before anything was created
    for hours in (1, 2, 24):
        await tagih.tick(moment.to(NOW + dt.timedelta(hours=hours)))
    assert [m.to for m in twilio.messages] == ["+628137770101"]


# --- SMTP: 5xx is permanent and falls to the next channel -----------------------------------


async def test_smtp_5xx_is_permanent_and_the_step_falls_to_the_next_channel(
    tagih: Tagih, moment: Moment
) -> None:
    await customer(tagih, "E0", {"email": "gone@example.co.id", "sms": "+628137770200"})
    twilio, _, sink = stand_ins(tagih)
    sink.fail_next_rcpt(550)
    _, stats = await tagih.send_due(moment.to(NOW))
    assert stats.sent == 1
    assert [(m.channel, m.status, m.error_code) for m in await reminders(tagih)] == [
        ("email", MessageStatus.FAILED, "550"),
        ("sms", MessageStatus.SENT, None),
    ]
    assert sink.messages == [] and [m.to for m in twilio.messages] == ["+628137770200"]
    await tagih.tick(moment.to(NOW + dt.timedelta(hours=1)))
    assert len(twilio.messages) == 1 and sink.messages == []  # the email is not retried


# --- a provider down for an hour: the rest goes on; the backlog drains paced, in the window


async def test_an_hour_long_twilio_outage_drains_paced_inside_the_contact_window(
    tagih: Tagih, moment: Moment
) -> None:
    evening = dt.datetime(2026, 11, 23, 19, 30, tzinfo=JAKARTA)
    phones = [f"+6281377703{n:02d}" for n in range(6)]
    for n, phone in enumerate(phones):
        await customer(tagih, f"D{n}", {"sms": phone})
    for n in range(3):
        await customer(tagih, f"M{n}", {"email": f"m{n}@example.co.id"})
    twilio, _, sink = stand_ins(tagih)
    await twilio.stop()  # Twilio is down from 19:30 to 20:30

    at = evening
    while at < evening + dt.timedelta(hours=1):
        await tagih.send_due(moment.to(at))
        at += dt.timedelta(minutes=10)
    assert len(sink.messages) == 3  # email went on
    assert twilio.requests == []

    await twilio.start()  # back at 20:30, on the same port: the window has closed
    next_opening = dt.datetime(2026, 11, 24, 8, 0, tzinfo=JAKARTA)
    while at < next_opening:
        stats = await tagih.tick(moment.to(at))
        assert stats.sent == 0
        at += dt.timedelta(hours=2)
    assert twilio.requests == []  # nothing outside the window, though the provider was up

    stats = await tagih.tick(moment.to(next_opening))
    assert stats.sent == len(phones)
    posts = [r for r in twilio.requests if r.method == "POST"]
    assert [r.status for r in posts] == [201] * len(phones) and twilio.throttled == []
    gaps = [b.at - a.at for a, b in itertools.pairwise(posts)]
    assert min(gaps) >= 0.5 - 0.1  # paced at the sender's 2/s, not in a burst
    assert posts[0].at >= moment.seconds(next_opening)
    for message in twilio.messages:
        local = message.date_created.astimezone(JAKARTA)
        assert dt.time(8) <= local.time() < dt.time(20), local
    assert sorted(m.to for m in twilio.messages) == sorted(phones)
    for _ in range(2):  # nothing twice
        await tagih.tick(moment.to(next_opening + dt.timedelta(hours=1)))
    assert len(twilio.messages) == len(phones)
