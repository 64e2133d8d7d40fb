"""The durable inbox over real HTTP: webhooks keep the raw event and answer at once; the
worker applies each event once, in order per conversation, also after a slow flow, a locked
database or a restart."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select
from twilio.request_validator import RequestValidator
from yarl import URL

from bot.channels.twilio_base import webhook_url
from bot.flows.types import PaymentInfo
from bot.inbound.conversation import ConversationConfig
from bot.inbound.inbox import InboxConfig
from bot.inbound.router import InboundRouter, Routed
from bot.inbound.web import EMPTY_TWIML, WebDeps, build_web_app, start_web
from scheduler.messages import Inbound
from storage.db import Database
from storage.enums import MessageStatus
from storage.models import Contact, InboundEvent, InboxItem, Message, Promise
from storage.queries import inbox as store
from storage.queries.inbox import InboxStatus
from tests.support.factories import add_customer
from tests.support.inbox_support import RecordingChannel, settle

TOKEN = "sandbox-auth-token-0123456789abcd"
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
SECRET = "s3cret-for-tests"
#: One conversation: the replies prove the turns were applied in this order.
TURNS = (("2", "Kapan Anda akan membayar"), ("jumat", "penuh"), ("1", "Benar?"))


class Clock:
    """An injected clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


class GatedRouter(InboundRouter):
    """A router whose flows wait at a gate (a slow flow) or fail first (a locked database)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = asyncio.Event()
        self.gate.set()
        self.failures = 0
        self.calls = 0

    async def handle(self, inbound: Inbound, **kwargs: Any) -> Routed:
        self.calls += 1
        await self.gate.wait()
        if self.failures:
            self.failures -= 1
            raise OperationalError("INSERT INTO message", {}, Exception("database is locked"))
        return await super().handle(inbound, **kwargs)


class FakeUpdates:
    """The Telegram channel's update side: counts what it is asked to apply."""

    def __init__(self) -> None:
        self.applied: list[int] = []

    def verify_secret(self, secret_header: str | None) -> bool:
        return secret_header == SECRET

    async def apply(self, payload: dict[str, Any]) -> int:
        self.applied.append(payload["update_id"])
        return 200


class FakeTelegram:
    def __init__(self) -> None:
        self.updates = FakeUpdates()


@dataclass
class World:
    url: str
    db: Database
    deps: WebDeps
    router: GatedRouter
    channel: RecordingChannel
    clock: Clock

    async def post(
        self, path: str, form: dict[str, str], http: aiohttp.ClientSession | None = None
    ) -> tuple[int, str]:
        if http is None:
            async with aiohttp.ClientSession() as own:
                return await self.post(path, form, own)
        signature = RequestValidator(TOKEN).compute_signature(self.url + path, form)
        headers = {"X-Twilio-Signature": signature}
        async with http.post(URL(self.url + path, encoded=True), data=form, headers=headers) as r:
            return r.status, await r.text()

    async def telegram(self, body: Any, secret: str | None = SECRET) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url + "/telegram/webhook", data=body, headers=headers) as response,
        ):
            return response.status


def sms(sender: str, body: str, sid: str) -> dict[str, str]:
    return {
        "From": sender,
        "To": "+622150000001",
        "Body": body,
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "NumMedia": "0",
    }


def phone(i: int) -> str:
    return f"+62812{i:07d}"


async def serve(
    db: Database, clock: Clock, **config: Any
) -> tuple[World, Callable[[], Awaitable[None]]]:
    router = GatedRouter(
        db,
        default_language="id",
        clock=clock,
        conversation=ConversationConfig(payment=PaymentInfo(bank_accounts=("BCA 123",))),
    )
    channel = RecordingChannel()
    deps = WebDeps(
        db=db,
        router=router,
        public_url="",
        clock=clock,
        twilio_auth_token=TOKEN,
        inbox_config=InboxConfig(**{"poll_seconds": 0.05, **config}),
    )
    deps.channels = {"sms": channel, "whatsapp": channel}
    runner, url = await start_web(build_web_app(deps), "127.0.0.1", 0)
    deps.public_url = url
    return World(url, db, deps, router, channel, clock), runner.cleanup


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    served, stop = await serve(db, Clock())
    yield served
    await stop()


async def customers(db: Database, count: int, channel: str = "sms") -> None:
    for i in range(count):
        customer_id = await add_customer(
            db, f"C{i:03d}", invoices=[(f"INV-{i}", dt.date(2026, 11, 10), "5000000")]
        )
        async with db.transaction() as session:
            session.add(Contact(customer_id=customer_id, channel=channel, address=phone(i)))


async def rows(db: Database, model: type, *where: Any) -> list[Any]:
    async with db.sessions() as session:
        query = select(model).where(*where).order_by(col(model.id))  # type: ignore[attr-defined]
        return list((await session.exec(query)).all())


async def test_fifty_concurrent_senders_each_message_applied_once_in_order(world: World) -> None:
    senders = 50
    await customers(world.db, senders)
    statuses: list[int] = []
    latencies: list[float] = []

    async def converse(i: int, http: aiohttp.ClientSession) -> None:
        for turn, (body, _) in enumerate(TURNS):
            form = sms(phone(i), body, f"SM{i:016d}{turn:016d}")
            started = time.perf_counter()
            # Every fifth message is delivered twice at once, as a Twilio retry can be.
            copies = 2 if (i + turn) % 5 == 0 else 1
            answers = await asyncio.gather(
                *(world.post("/twilio/messages", form, http) for _ in range(copies))
            )
            latencies.append(time.perf_counter() - started)
            for status, answer in answers:
                statuses.append(status)
                assert answer == EMPTY_TWIML  # answered at once; the replies follow by REST

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(converse(i, http) for i in range(senders)))
    await settle(world.deps)
    assert set(statuses) == {200} and len(statuses) == senders * len(TURNS) + 30
    items = await rows(world.db, InboxItem)
    assert [(i.status, i.error) for i in items if i.status != InboxStatus.DONE] == []
    inbound = await rows(world.db, Message, col(Message.direction) == "in")
    assert len(inbound) == senders * len(TURNS)
    for i in range(senders):
        mine = [m.body for m in inbound if m.address == phone(i)]
        assert mine == [body for body, _ in TURNS]  # each once, in the order sent
        replies = world.channel.bodies(phone(i))
        assert len(replies) == len(TURNS)
        for reply, (_, expected) in zip(replies, TURNS, strict=True):
            assert expected in reply
    items = await rows(world.db, InboxItem)
    assert len(items) == senders * len(TURNS)
    assert {item.status for item in items} == {InboxStatus.DONE}
    outbound = await rows(world.db, Message, col(Message.direction) == "out")
    assert {m.status for m in outbound} == {MessageStatus.SENT}
    assert all(m.provider_id for m in outbound)
    latencies.sort()
    print(
        f"\n50 senders x 3 turns: webhook p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms"
    )


async def test_a_slow_flow_never_holds_the_webhook(world: World) -> None:
    await customers(world.db, 1)
    world.router.gate.clear()  # the flow hangs
    for turn, (body, _) in enumerate(TURNS):
        status, answer = await asyncio.wait_for(
            world.post("/twilio/messages", sms(phone(0), body, f"SM{turn:032d}")), 5
        )
        assert (status, answer) == (200, EMPTY_TWIML)
    assert await store.open_count(world.db) == 3
    assert await rows(world.db, Message) == []
    world.router.gate.set()
    await settle(world.deps)
    replies = world.channel.bodies(phone(0))
    assert [expected in reply for reply, (_, expected) in zip(replies, TURNS, strict=True)] == [
        True
    ] * 3


async def test_a_reply_while_the_database_is_locked_is_kept_and_applied_after(
    world: World, db_url: str
) -> None:
    await customers(world.db, 1)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        """Another process writing: SQLite's write lock, or PostgreSQL's table lock."""
        if db_url.startswith("sqlite"):
            path = make_url(db_url).database
            conn = sqlite3.connect(str(path), isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(10)
            conn.execute("ROLLBACK")
            conn.close()

    if db_url.startswith("sqlite"):
        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        await asyncio.to_thread(locked.wait, 10)
        # A few hundred ms of real lock: the insert waits at SQLite's busy timeout.
        asyncio.get_running_loop().call_later(0.3, release.set)
        status, answer = await world.post("/twilio/messages", sms(phone(0), "2", "SM" + "1" * 32))
        await asyncio.to_thread(holder.join, 10)
    else:
        # The flow's tables are locked by someone else: the inbox insert does not wait.
        async with world.db.engine.connect() as other:
            await other.execute(text("BEGIN"))
            await other.execute(text("LOCK TABLE message IN ACCESS EXCLUSIVE MODE"))
            status, answer = await asyncio.wait_for(
                world.post("/twilio/messages", sms(phone(0), "2", "SM" + "1" * 32)), 5
            )
            assert await store.open_count(world.db) == 1  # kept, not applied yet
            await asyncio.sleep(0.3)
            await other.execute(text("ROLLBACK"))
    assert (status, answer) == (200, EMPTY_TWIML)
    await settle(world.deps)
    assert "Kapan Anda akan membayar" in world.channel.bodies(phone(0))[0]


async def test_a_failing_flow_is_retried_with_backoff_then_given_up(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await customers(world.db, 1)
    world.router.failures = 2  # "database is locked" twice, then fine
    await world.post("/twilio/messages", sms(phone(0), "2", "SM" + "1" * 32))
    await settle(world.deps)
    [item] = await rows(world.db, InboxItem)
    assert (item.status, item.attempts) == (InboxStatus.PENDING, 1)
    assert item.due_at == NOW + dt.timedelta(seconds=2) and "database is locked" in item.error
    world.clock.now += dt.timedelta(seconds=2)
    await settle(world.deps)
    [item] = await rows(world.db, InboxItem)
    assert (item.attempts, item.due_at) == (2, world.clock.now + dt.timedelta(seconds=4))
    world.clock.now += dt.timedelta(seconds=4)
    await settle(world.deps)
    [item] = await rows(world.db, InboxItem)
    assert item.status == InboxStatus.DONE
    assert "Kapan Anda akan membayar" in world.channel.bodies(phone(0))[0]

    # A flow that keeps failing is given up loudly; the conversation goes on after it.
    world.router.failures = 100
    await world.post("/twilio/messages", sms(phone(0), "jumat", "SM" + "2" * 32))
    await world.post("/twilio/messages", sms(phone(0), "besok", "SM" + "3" * 32))
    with caplog.at_level(logging.ERROR, logger="bot.inbound.inbox"):
        for _ in range(8):
            await settle(world.deps)
            world.clock.now += dt.timedelta(minutes=10)
        world.router.failures = 0
        await settle(world.deps)
    failed, done = (await rows(world.db, InboxItem))[1:]
    assert (failed.status, failed.attempts) == (InboxStatus.FAILED, 8)
    assert done.status == InboxStatus.DONE
    assert any("gave up" in r.message for r in caplog.records)


async def test_replies_wait_in_the_event_until_the_channel_takes_them(world: World) -> None:
    await customers(world.db, 1)
    world.channel.fail = 1
    await world.post("/twilio/messages", sms(phone(0), "2", "SM" + "1" * 32))
    await settle(world.deps)
    [item] = await rows(world.db, InboxItem)
    assert (item.status, item.attempts) == (InboxStatus.SENDING, 1)
    [reply] = await rows(world.db, Message, col(Message.direction) == "out")
    assert reply.status == MessageStatus.RETRY
    assert world.router.calls == 1
    world.clock.now += dt.timedelta(seconds=2)
    await settle(world.deps)
    assert world.router.calls == 1  # applied once; only the reply was sent again
    [reply] = await rows(world.db, Message, col(Message.direction) == "out")
    assert reply.status == MessageStatus.SENT and reply.provider_id
    assert len(world.channel.sent) == 1


async def test_duplicates_are_applied_once(world: World) -> None:
    await customers(world.db, 1)
    form = sms(phone(0), "2", "SM" + "9" * 32)
    answers = await asyncio.gather(*(world.post("/twilio/messages", form) for _ in range(5)))
    assert {status for status, _ in answers} == {200}
    await settle(world.deps)
    await world.post("/twilio/messages", form)  # a late retry
    await settle(world.deps)
    assert len(await rows(world.db, InboxItem)) == 1
    assert len(await rows(world.db, Message, col(Message.direction) == "in")) == 1
    assert len(world.channel.sent) == 1
    # Even once the inbox forgot the event, the router's ledger applies it once.
    await store.purge(world.db, before=NOW + dt.timedelta(days=30))
    await world.post("/twilio/messages", form)
    await settle(world.deps)
    assert len(await rows(world.db, Message, col(Message.direction) == "in")) == 1
    assert len(world.channel.sent) == 1
    assert len(await rows(world.db, InboundEvent)) == 1


async def test_a_restart_applies_what_was_left(db: Database) -> None:
    clock = Clock()
    await customers(db, 4)

    # The last process kept three events and died: one leased by the dead worker (its lease
    # still runs), one applied whose reply was not sent yet, one never leased.
    async def keep(i: int, sid: str) -> int | None:
        row = store.event(
            provider="twilio",
            event_id=sid,
            kind="message",
            conversation=f"sms:{phone(i)}",
            payload={"form": sms(phone(i), "2", sid)},
            now=NOW,
        )
        return (await store.keep(db, events=[row]))[0]

    leased, sending = await keep(1, "SM" + "2" * 32), await keep(2, "SM" + "3" * 32)
    taken = await store.lease(
        db, worker="dead", now=NOW, lease_for=dt.timedelta(seconds=60), limit=10
    )
    assert {i.id for i in taken} == {leased, sending}
    # A process of this host that was killed: its lease is freed as soon as we start.
    gone = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import os; print(os.getpid())", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await gone.communicate()
    killed = f"{socket.gethostname()}:{int(out)}:0a1b2c"
    await keep(3, "SM" + "4" * 32)
    [held] = await store.lease(
        db, worker=killed, now=NOW, lease_for=dt.timedelta(seconds=60), limit=10
    )
    assert held.claimed_by == killed
    reply = {
        "channel": "sms",
        "to": phone(2),
        "body": "balasan yang belum terkirim",
        "key": "reply:sms:left",
        "language": "id",
        "template": None,
        "buttons": [],
        "media": [],
    }
    async with db.transaction() as session:
        assert await store.settle(
            session,
            item_id=sending or 0,
            worker="dead",
            status=InboxStatus.SENDING,
            now=NOW,
            replies=[reply],
        )
        session.add(
            Message(
                direction="out",
                channel="sms",
                address=phone(2),
                body=reply["body"],
                idempotency_key="reply:sms:left",
                status=MessageStatus.QUEUED,
            )
        )
    await keep(0, "SM" + "1" * 32)

    world, stop = await serve(db, clock)
    try:
        await settle(world.deps)
        assert "Kapan Anda akan membayar" in world.channel.bodies(phone(0))[0]
        assert "Kapan Anda akan membayar" in world.channel.bodies(phone(3))[0]
        # The other two wait for the dead worker's lease to run out, then go on.
        assert world.channel.bodies(phone(1)) == world.channel.bodies(phone(2)) == []
        clock.now += dt.timedelta(seconds=61)
        await settle(world.deps)
        assert "Kapan Anda akan membayar" in world.channel.bodies(phone(1))[0]
        assert world.channel.bodies(phone(2)) == ["balasan yang belum terkirim"]
        assert world.router.calls == 3  # the applied one was not applied again
        assert {i.status for i in await rows(db, InboxItem)} == {InboxStatus.DONE}
        [left] = await rows(db, Message, col(Message.idempotency_key) == "reply:sms:left")
        assert left.status == MessageStatus.SENT
    finally:
        await stop()


async def test_telegram_secret_first_then_kept_once(world: World) -> None:
    telegram = FakeTelegram()
    world.deps.telegram = telegram
    update = b'{"update_id": 41, "message": {"chat": {"id": 555}, "text": "halo"}}'
    assert await world.telegram(b"not json", secret="wrong") == 403  # before any parsing
    assert await world.telegram(b"not json", secret=None) == 403
    assert await world.telegram(b"not json") == 400
    assert await world.telegram(b'{"no": "update_id"}') == 200  # acknowledged, not kept
    assert await world.telegram(update) == 200
    assert await world.telegram(update) == 200  # Telegram retried
    await settle(world.deps)
    assert telegram.updates.applied == [41]
    [item] = await rows(world.db, InboxItem)
    assert (item.provider, item.event_id, item.conversation, item.status) == (
        "telegram",
        "41",
        "telegram:555",
        InboxStatus.DONE,
    )


async def test_telegram_updates_wait_for_the_channel(world: World) -> None:
    update = b'{"update_id": 7, "message": {"chat": {"id": 555}, "text": "halo"}}'
    world.deps.telegram = FakeTelegram()
    assert await world.telegram(update) == 200
    world.deps.telegram = None  # e.g. a restart: kept before the channel came back up
    await settle(world.deps)
    [item] = await rows(world.db, InboxItem)
    assert (item.status, item.attempts) == (InboxStatus.PENDING, 0)
    telegram = FakeTelegram()
    world.deps.telegram = telegram
    await settle(world.deps)
    assert telegram.updates.applied == [7]


def gather_form(digits: str) -> dict[str, str]:
    return {
        "CallSid": "CA" + "7" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": "+622150000003",
        "To": phone(0),
        "Digits": digits,
    }


async def test_a_keypad_choice_is_spoken_when_applied_in_time(world: World) -> None:
    await customers(world.db, 1, channel="voice")
    path = "/twilio/voice/gather?key=fu%3A1&stage=promise"
    status, twiml = await world.post(path, gather_form("1"))  # tomorrow
    assert status == 200 and "<Hangup" in twiml and "24 November 2026" in twiml
    [promise] = await rows(world.db, Promise)
    assert promise.source == "voice"
    # Moving around the menu keeps nothing.
    status, twiml = await world.post("/twilio/voice/gather?key=fu%3A1&stage=menu", gather_form("9"))
    assert status == 200 and "<Gather" in twiml
    assert len(await rows(world.db, InboxItem)) == 1


async def test_a_slow_keypad_choice_holds_the_call_then_speaks(db: Database) -> None:
    world, stop = await serve(db, Clock())
    world.deps.voice_wait = 0.05
    try:
        await customers(db, 1, channel="voice")
        world.router.gate.clear()
        path = "/twilio/voice/gather?key=fu%3A1&stage=promise"
        status, twiml = await world.post(path, gather_form("2"))  # within a week
        assert status == 200 and "<Pause" in twiml and "<Redirect" in twiml
        [item] = await rows(db, InboxItem)
        result = webhook_url(world.url, "/twilio/voice/result", "fu:1", event=str(item.id), n="1")
        assert result is not None and result in twiml.replace("&amp;", "&")
        path = result.removeprefix(world.url)
        status, twiml = await world.post(path, gather_form("2"))
        assert "<Redirect" in twiml  # still on hold
        world.router.gate.set()
        await settle(world.deps)
        status, twiml = await world.post(path, gather_form("2"))
        assert "<Hangup" in twiml and "30 November 2026" in twiml
        # Past the holds, a call whose choice is not applied yet ends politely.
        world.router.gate.clear()
        later = webhook_url(world.url, "/twilio/voice/gather", "fu:1", stage="menu")
        assert later is not None
        status, twiml = await world.post(later.removeprefix(world.url), gather_form("1"))
        [_, paid] = await rows(db, InboxItem)
        final = webhook_url(world.url, "/twilio/voice/result", "fu:1", event=str(paid.id), n="4")
        assert final is not None
        status, twiml = await world.post(final.removeprefix(world.url), gather_form("1"))
        assert "<Hangup" in twiml and "Terima kasih" in twiml
        world.router.gate.set()
        await settle(world.deps)
        assert (await rows(db, InboxItem))[1].status == InboxStatus.DONE
    finally:
        await stop()


async def test_two_processes_share_one_inbox(db: Database) -> None:
    """Any process serves webhooks: events reach either, each is applied once, in order."""
    clock = Clock()
    first, stop_first = await serve(db, clock)
    second, stop_second = await serve(db, clock)
    try:
        senders = 20
        await customers(db, senders)

        async def converse(i: int) -> None:
            for turn, (body, _) in enumerate(TURNS):
                server = (first, second)[(i + turn) % 2]
                status, _ = await server.post(
                    "/twilio/messages", sms(phone(i), body, f"SM{i:016d}{turn:016d}")
                )
                assert status == 200

        await asyncio.wait_for(asyncio.gather(*(converse(i) for i in range(senders))), 60)
        for _ in range(100):
            if not await store.open_count(db):
                break
            await asyncio.gather(settle(first.deps), settle(second.deps))
        items = await rows(db, InboxItem)
        assert [(i.status, i.claimed_by, i.error) for i in items if i.status != "done"] == []
        assert first.router.calls and second.router.calls  # both workers took a share
        assert first.router.calls + second.router.calls == senders * len(TURNS)
        for i in range(senders):
            replies = [
                m for m in first.channel.sent + second.channel.sent if m.to.value == phone(i)
            ]
            replies.sort(key=lambda m: m.idempotency_key)  # reply:sms:SM<i><turn>:0
            assert len(replies) == len(TURNS)
            for reply, (_, expected) in zip(replies, TURNS, strict=True):
                assert expected in reply.body
    finally:
        await stop_first()
        await stop_second()
