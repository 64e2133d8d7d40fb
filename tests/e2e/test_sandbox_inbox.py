"""The sandbox inbox's JSON API (issue 14): everyone and their threads as the stand-ins got
them; replies as a customer or staff member through the real webhooks; the 404 rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app.channels import Providers
from bot.app.tagih import Tagih
from bot.sandbox.inbox_page import SandboxInbox, add_inbox_routes
from storage.models import Message, Staff
from tests.support.sandbox_world import NOW, api, inbox_of, running_sandbox, settled


@pytest.fixture
async def tagih(tmp_path: Path) -> AsyncIterator[Tagih]:
    """The examples, sent once through the sandbox."""
    async with running_sandbox(tmp_path) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client, as a script driving the sandbox would use."""
    async with aiohttp.ClientSession() as session:
        yield session


async def thread(http: aiohttp.ClientSession, tagih: Tagih, person: str) -> dict[str, Any]:
    status, body = await api(http, tagih, f"/sandbox/api/thread?person={person}")
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def test_everyone_is_listed_with_contacts_and_next_contact(
    tagih: Tagih, http: aiohttp.ClientSession
) -> None:
    assert tagih.sandbox_inbox_url == f"{tagih.web_url}/sandbox"
    status, body = await api(http, tagih, "/sandbox/api/people")
    assert status == 200
    people = {p["id"]: p for p in body["people"]}
    c005 = people["customer:C005"]
    assert c005["contacts"]["telegram"] == ["512345678"]
    assert c005["contacts"]["whatsapp"] == ["+6287884864887"]
    assert {p["role"] for p in people.values()} >= {"customer", "collector", "sales"}
    assert any(p["next_contact"] for p in people.values()), "the plan ahead is shown"
    async with http.get(f"{tagih.web_url}/sandbox") as page:
        assert page.status == 200
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        assert "/sandbox/static/inbox.js" in await page.text()


async def test_threads_show_what_the_stand_ins_received(
    tagih: Tagih, http: aiohttp.ClientSession
) -> None:
    c005 = await thread(http, tagih, "customer:C005")
    reminder = c005["channels"]["telegram"][0]
    assert reminder["dir"] == "out" and "jatuh tempo" in reminder["text"]
    assert ["Janji bayar"] in [[b["text"] for b in row] for row in reminder["buttons"]]
    c001 = await thread(http, tagih, "customer:C001")
    (whatsapp,) = c001["channels"]["whatsapp"]
    assert "PT Lestari Agung" in whatsapp["text"] and whatsapp["from"] == "+622150000002"
    mailed = [p for p in (await api(http, tagih, "/sandbox/api/people"))[1]["people"]]
    emails = []
    for person in mailed:
        if person["kind"] == "customer":
            emails += (await thread(http, tagih, person["id"]))["channels"].get("email", [])
    assert emails, "the first dispatch mails some customers"
    assert all(mail["subject"] and mail["html"].lstrip().startswith("<") for mail in emails)


async def test_whatsapp_reply_goes_through_the_signed_webhook(
    tagih: Tagih, http: aiohttp.ClientSession
) -> None:
    status, body = await api(
        http,
        tagih,
        "/sandbox/api/reply",
        {"person": "customer:C001", "channel": "whatsapp", "text": "saya bayar besok"},
    )
    assert status == 200 and body["ok"], body
    await settled(tagih)
    items = (await thread(http, tagih, "customer:C001"))["channels"]["whatsapp"]
    assert [i["dir"] for i in items] == ["out", "in", "out"]
    assert items[1]["text"] == "saya bayar besok"
    assert "dibayar penuh" in items[2]["text"].lower()  # the bot asks how much
    for answer in ("1", "1"):  # paid in full; yes, that is right
        reply = {"person": "customer:C001", "channel": "whatsapp", "text": answer}
        assert (await api(http, tagih, "/sandbox/api/reply", reply))[0] == 200
        await settled(tagih)
    items = (await thread(http, tagih, "customer:C001"))["channels"]["whatsapp"]
    assert [i["dir"] for i in items] == ["out"] + ["in", "out"] * 3
    assert "24 November 2026" in items[4]["text"], items[4]
    async with inbox_of(tagih).db.sessions() as session:
        logged = (
            await session.exec(select(Message).where(Message.body == "saya bayar besok"))
        ).one()
    assert logged.direction == "in" and logged.channel == "whatsapp"
    status, card = await api(http, tagih, "/sandbox/api/customers/C001")
    assert status == 200
    assert [p["promised_date"] for p in card["promises"]] == ["2026-11-24"]
    assert any(line["text"] == "saya bayar besok" for line in card["log"])


async def test_telegram_button_and_text(tagih: Tagih, http: aiohttp.ClientSession) -> None:
    reply = {"person": "customer:C005", "channel": "telegram", "button": "menu:method"}
    status, body = await api(http, tagih, "/sandbox/api/reply", reply)
    assert status == 200 and body["ok"], body
    await settled(tagih)
    items = (await thread(http, tagih, "customer:C005"))["channels"]["telegram"]
    assert items[0]["pressed"][0]["label"] == "Cara bayar"
    assert len(items) >= 2 and items[-1]["dir"] == "out"
    status, body = await api(
        http,
        tagih,
        "/sandbox/api/reply",
        {"person": "customer:C005", "channel": "telegram", "button": "no-such-button"},
    )
    assert status == 409 and "no-such-button" in body["error"]


async def test_voice_call_answered_and_keyed(tagih: Tagih, http: aiohttp.ClientSession) -> None:
    twilio = tagih.providers.twilio_sandbox
    assert twilio is not None and twilio.calls, "the first dispatch calls someone"
    number = twilio.calls[0].to
    people = (await api(http, tagih, "/sandbox/api/people"))[1]["people"]
    person = next(p for p in people if number in p["contacts"].get("voice", []))
    keys = {"person": person["id"], "channel": "voice", "digits": "1"}
    status, body = await api(http, tagih, "/sandbox/api/reply", keys)
    assert status == 409, "nothing waits for keys before the call is answered"
    status, body = await api(http, tagih, "/sandbox/api/answer", {"person": person["id"]})
    assert status == 200 and "<Gather" in body["twiml"], body
    (call,) = (await thread(http, tagih, person["id"]))["channels"]["voice"]
    assert call["answered"] and call["waiting"] and call["transcript"][0]["dir"] == "out"
    status, body = await api(http, tagih, "/sandbox/api/reply", keys)
    assert status == 200, body
    (call,) = (await thread(http, tagih, person["id"]))["channels"]["voice"]
    assert {"dir": "in", "text": "1"} in call["transcript"]
    assert call["transcript"][-1]["dir"] == "out"  # the bot's answer to the key


async def test_staff_connects_a_chat_and_sends_commands(
    tagih: Tagih, http: aiohttp.ClientSession
) -> None:
    async with inbox_of(tagih).db.sessions() as session:
        yusuf = (await session.exec(select(Staff).where(Staff.name == "Yusuf Hidayat"))).one()
    person = f"staff:{yusuf.id}"
    assert (await thread(http, tagih, person))["connect"] is True
    status, body = await api(
        http,
        tagih,
        "/sandbox/api/reply",
        {"person": person, "channel": "telegram", "text": "/queue"},
    )
    assert status == 409, "no chat is bound yet"
    status, body = await api(http, tagih, "/sandbox/api/connect", {"person": person})
    assert status == 200, body
    await settled(tagih)
    status, body = await api(
        http,
        tagih,
        "/sandbox/api/reply",
        {"person": person, "channel": "telegram", "text": "/queue"},
    )
    assert status == 200, body
    await settled(tagih)
    data = await thread(http, tagih, person)
    assert data["connect"] is False
    texts = [(i["dir"], i["text"]) for i in data["channels"]["telegram"]]
    assert ("in", "/queue") in texts
    assert texts[-1][0] == "out" and texts[-1][1], texts


async def test_email_reply_goes_through_the_inbound_mail_path(
    tagih: Tagih, http: aiohttp.ClientSession
) -> None:
    smtp = tagih.providers.smtp_sink
    assert smtp is not None and smtp.messages
    address = str(smtp.messages[0]["Delivered-To"])
    people = (await api(http, tagih, "/sandbox/api/people"))[1]["people"]
    person = next(p for p in people if address in p["contacts"].get("email", []))
    before = len(smtp.messages)
    status, body = await api(
        http,
        tagih,
        "/sandbox/api/reply",
        {"person": person["id"], "channel": "email", "text": "sudah transfer kemarin"},
    )
    assert status == 200 and body["kept"], body
    await settled(tagih)
    mails = (await thread(http, tagih, person["id"]))["channels"]["email"]
    assert any(m["dir"] == "in" and "sudah transfer kemarin" in m["text"] for m in mails)
    assert len(smtp.messages) == before + 1, "the bot answered by mail"
    assert str(smtp.messages[-1]["Subject"]).startswith("Re:")


async def test_bad_requests(tagih: Tagih, http: aiohttp.ClientSession) -> None:
    url = f"{tagih.web_url}/sandbox/api/reply"
    async with http.post(url, data="person=customer:C001") as response:
        assert response.status == 415, "a form (what another site could post) is refused"
    for body, status in [
        ({"person": "customer:NOPE", "channel": "sms", "text": "hi"}, 404),
        ({"person": "customer:C001", "channel": "telegram", "text": "hi"}, 409),
        ({"person": "customer:C001", "channel": "sms"}, 400),
        ({"person": "customer:C001", "channel": "voice", "digits": "1; drop"}, 400),
    ]:
        got, answer = await api(http, tagih, "/sandbox/api/reply", body)
        assert got == status, (body, answer)
    assert (await api(http, tagih, "/sandbox/api/customers/NOPE"))[0] == 404


async def _client(inbox: SandboxInbox, remote: str | None = None) -> TestClient[Any, Any]:
    app = web.Application()
    if remote is not None:

        @web.middleware
        async def elsewhere(request: web.Request, handler: Any) -> web.StreamResponse:
            return await handler(request.clone(remote=remote))  # type: ignore[no-any-return]

        app.middlewares.append(elsewhere)
    add_inbox_routes(app, inbox)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.mark.parametrize("path", ["/sandbox", "/sandbox/api/people", "/sandbox/static/inbox.js"])
async def test_not_found_off_loopback_behind_a_proxy_or_without_stand_ins(
    tagih: Tagih, path: str
) -> None:
    inbox = inbox_of(tagih)
    for remote in (None, "192.0.2.7"):
        client = await _client(inbox, remote)
        try:
            status = (await client.get(path)).status
            assert status == (200 if remote is None else 404), remote
            proxied = await client.get(path, headers={"X-Forwarded-For": "192.0.2.7"})
            assert proxied.status == 404
        finally:
            await client.close()
    # Real providers everywhere: no stand-in runs, so there is no inbox.
    real = SandboxInbox(inbox.db, lambda: NOW, providers=Providers())
    client = await _client(real)
    try:
        assert (await client.get(path)).status == 404
        assert (await client.post("/sandbox/api/reply", json={})).status == 404
    finally:
        await client.close()
