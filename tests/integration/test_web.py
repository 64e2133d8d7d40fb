"""The webhook server over real HTTP: signatures, idempotent inbound, status callbacks.

(The durable inbox behind the message webhooks has its own tests in test_inbox.py.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp
import pytest
from sqlmodel import col, select
from twilio.request_validator import RequestValidator
from yarl import URL

from bot.inbound.router import InboundRouter
from bot.inbound.web import EMPTY_TWIML, WebDeps, build_web_app, start_web
from scheduler.messages import Address, Inbound
from storage.db import Database
from storage.enums import FollowUpStatus, MessageStatus
from storage.models import Contact, FollowUp, InboundEvent, Message
from storage.queries.contacts import link_token_for
from tests.support.factories import add_customer
from tests.support.inbox_support import RecordingChannel, settle

TOKEN = "sandbox-auth-token-0123456789abcd"
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


@dataclass
class Server:
    url: str
    db: Database
    deps: WebDeps
    channel: RecordingChannel

    async def post(
        self, path: str, form: dict[str, str], *, sign: bool = True, signature: str | None = None
    ) -> tuple[int, str]:
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = signature or RequestValidator(TOKEN).compute_signature(
                self.url + path, form
            )
        # encoded=True: send the URL exactly as signed, like Twilio does.
        async with (
            aiohttp.ClientSession() as http,
            http.post(URL(self.url + path, encoded=True), data=form, headers=headers) as response,
        ):
            return response.status, await response.text()


@pytest.fixture
async def server(db: Database) -> AsyncIterator[Server]:
    router = InboundRouter(db, default_language="id", clock=lambda: NOW)
    # The public URL is learnt after binding: requests are signed against it.
    deps = WebDeps(db=db, router=router, public_url="", clock=lambda: NOW, twilio_auth_token=TOKEN)
    channel = RecordingChannel()
    deps.channels = {"sms": channel, "whatsapp": channel}
    runner, url = await start_web(build_web_app(deps), "127.0.0.1", 0)
    deps.public_url = url
    yield Server(url, db, deps, channel)
    await runner.cleanup()


async def rows(db: Database, model: type) -> list:  # type: ignore[type-arg]
    async with db.sessions() as session:
        return list((await session.exec(select(model))).all())


def sms(body: str, sid: str = "SM" + "a" * 32, sender: str = "+6281234567890") -> dict[str, str]:
    return {
        "From": sender,
        "To": "+6221000000",
        "Body": body,
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "NumMedia": "0",
    }


async def test_bad_or_missing_signature_is_refused_and_changes_nothing(server: Server) -> None:
    status, _ = await server.post("/twilio/messages", sms("halo"), sign=False)
    assert status == 403
    status, _ = await server.post("/twilio/messages", sms("halo"), signature="bm90IHNpZ25lZA==")
    assert status == 403
    # Signed for a different body: tampering is caught.
    forged = RequestValidator(TOKEN).compute_signature(
        server.url + "/twilio/messages", sms("other")
    )
    status, _ = await server.post("/twilio/messages", sms("halo"), signature=forged)
    assert status == 403
    assert await rows(server.db, Message) == []
    assert await rows(server.db, InboundEvent) == []


async def test_customer_reply_logged_once_and_acknowledged(server: Server) -> None:
    customer_id = await add_customer(server.db, "C001", invoices=[])
    async with server.db.transaction() as session:
        session.add(Contact(customer_id=customer_id, channel="whatsapp", address="+6281234567890"))
    form = sms("saya bayar besok", sender="whatsapp:+6281234567890")
    status, body = await server.post("/twilio/messages", form)
    assert (status, body) == (200, EMPTY_TWIML)  # kept; the reply follows by REST
    await settle(server.deps)
    [reply] = server.channel.sent
    assert reply.to.channel == "whatsapp"
    assert reply.body.startswith("Terima kasih, pesan Anda sudah kami terima")
    # Twilio retries the same MessageSid: applied once, no second reply.
    status, body = await server.post("/twilio/messages", form)
    assert (status, body) == (200, EMPTY_TWIML)
    await settle(server.deps)
    assert len(server.channel.sent) == 1
    inbound = [m for m in await rows(server.db, Message) if m.direction == "in"]
    assert [(m.customer_id, m.channel, m.body) for m in inbound] == [
        (customer_id, "whatsapp", "saya bayar besok")
    ]
    [contact] = [c for c in await rows(server.db, Contact) if c.channel == "whatsapp"]
    assert contact.last_inbound_at == NOW


async def test_unknown_sender_gets_one_neutral_reply(server: Server) -> None:
    await server.post("/twilio/messages", sms("berapa utang saya?", "SM" + "1" * 32))
    await settle(server.deps)
    [first] = server.channel.sent
    assert "Pesan ini dikirim otomatis" in first.body
    assert "tagihan" not in first.body.lower()  # reveals nothing about any debt
    await server.post("/twilio/messages", sms("halo?", "SM" + "2" * 32))
    await settle(server.deps)
    assert len(server.channel.sent) == 1  # rate-limited: one neutral reply a day


async def test_status_callback_reconciles_an_unknown_outcome(server: Server) -> None:
    customer_id = await add_customer(server.db, "C001", invoices=[])
    key = f"fu:{customer_id}:2026-11-23:1:sms"
    async with server.db.transaction() as session:
        session.add(
            Message(
                customer_id=customer_id,
                direction="out",
                channel="sms",
                idempotency_key=key,
                status=MessageStatus.UNKNOWN,
            )
        )
    path = f"/twilio/status?key={quote(key, safe='')}"
    sid = "SM" + "b" * 32
    for state in ("sent", "delivered", "sent"):  # the late "sent" must not move it back
        status, _ = await server.post(path, {"MessageSid": sid, "MessageStatus": state})
        assert status == 204
    [message] = await rows(server.db, Message)
    assert (message.status, message.provider_id) == (MessageStatus.DELIVERED, sid)


async def test_failed_delivery_reopens_the_follow_up_for_the_next_channel(server: Server) -> None:
    customer_id = await add_customer(server.db, "C001", invoices=[])
    async with server.db.transaction() as session:
        followup = FollowUp(
            customer_id=customer_id,
            local_date=dt.date(2026, 11, 23),
            planned_at=NOW,
            status=FollowUpStatus.SENT,
            channels=["whatsapp", "email"],
        )
        session.add(followup)
        await session.flush()
        session.add(
            Message(
                customer_id=customer_id,
                followup_id=followup.id,
                direction="out",
                channel="whatsapp",
                provider_id="SM" + "c" * 32,
                idempotency_key="k1",
                status=MessageStatus.SENT,
            )
        )
    status, _ = await server.post(
        "/twilio/status",
        {"MessageSid": "SM" + "c" * 32, "MessageStatus": "failed", "ErrorCode": "63016"},
    )
    assert status == 204
    [message] = await rows(server.db, Message)
    assert (message.status, message.error_code) == (MessageStatus.FAILED, "63016")
    [followup] = await rows(server.db, FollowUp)
    assert followup.status == FollowUpStatus.PLANNED


async def test_healthz(server: Server) -> None:
    async with aiohttp.ClientSession() as http, http.get(server.url + "/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok"}


async def test_telegram_deep_link_binds_the_chat_once(db: Database) -> None:
    router = InboundRouter(db, default_language="id", clock=lambda: NOW)
    customer_id = await add_customer(db, "C001", name="PT Maju", invoices=[])
    async with db.transaction() as session:
        token = await link_token_for(session, customer_id=customer_id, now=NOW)
    start = Inbound(
        sender=Address("telegram", "555001"),
        text=f"/start {token}",
        received_at=NOW,
        provider_id="tg:1",
        payload=f"start:{token}",
    )
    routed = await router.handle(start)
    assert "PT Maju" in routed.replies[0].body and routed.customer_id == customer_id
    again = Inbound(
        sender=Address("telegram", "555002"),
        text=f"/start {token}",
        received_at=NOW,
        provider_id="tg:2",
        payload=f"start:{token}",
    )
    assert "tidak berlaku" in (await router.handle(again)).replies[0].body  # one-time token
    contacts = [c for c in await rows(db, Contact) if c.channel == "telegram"]
    assert [(c.customer_id, c.address, c.verified) for c in contacts] == [
        (customer_id, "555001", True)
    ]
    async with db.sessions() as session:
        logged = (await session.exec(select(Message).where(col(Message.direction) == "in"))).all()
    assert len(logged) == 2
