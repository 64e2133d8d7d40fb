"""Hostile and odd webhook requests against the real web app: a 4xx or an acknowledged no-op,
never a 500, and nothing kept unless the signature or secret holds and the payload makes sense.

The app is the one `tagih run` serves (bot/inbound/web.py through `Tagih.open(with_web=True)`), with
the Telegram and Twilio sandboxes as its providers, so the real secret check, signature check
and python-telegram-bot parsing are exercised.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator
from yarl import URL

from bot.app.tagih import Tagih
from bot.config import load_settings
from bot.inbound.inbox import MESSAGE, TELEGRAM, TWILIO, UPDATE
from bot.inbound.web import EMPTY_TWIML
from storage.models import InboundEvent, InboxItem, Message
from storage.queries import inbox as store
from storage.queries.inbox import InboxStatus
from tests.support.inbox_support import settle

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)
SECRET = "edge-secret_0123456789"
PHONE = "+6281234567890"
FORM = "application/x-www-form-urlencoded"


class Edge:
    """The running app and raw HTTP to it: any bytes, any headers."""

    def __init__(self, app: Tagih) -> None:
        self.app = app
        assert app.web_url is not None
        self.url = app.web_url
        token = app.providers.twilio_auth_token
        assert token is not None
        self.validator = RequestValidator(token)

    async def raw(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """POST `body` as is; the status and the answer's text."""
        async with (
            aiohttp.ClientSession() as http,
            http.post(URL(self.url + path, encoded=True), data=body, headers=headers) as response,
        ):
            return response.status, await response.text()

    async def signed(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        """A correctly signed Twilio form post (as Twilio sends it)."""
        signature = self.validator.compute_signature(self.url + path, form)
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                URL(self.url + path, encoded=True),
                data=form,
                headers={"X-Twilio-Signature": signature},
            ) as response,
        ):
            return response.status, await response.text()

    async def telegram(self, body: bytes, secret: str | None = SECRET) -> int:
        """POST a Telegram update body with (or without) the secret header."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        status, _ = await self.raw("/telegram/webhook", body, headers)
        return status

    async def written(self) -> dict[str, int]:
        """How many rows the webhooks could have written."""
        async with self.app.db.sessions() as session:
            return {
                model.__name__: len((await session.exec(select(model))).all())
                for model in (InboxItem, InboundEvent, Message)
            }


async def open_edge(db_url: str, tmp_path: Path, **settings: Any) -> Tagih:
    app = Tagih(
        load_settings(
            database_url=db_url,
            load_examples=False,
            web_port=0,
            sandbox_dir=tmp_path / "sandbox",
            telegram_webhook_secret=SECRET,
            **settings,
        ),
        clock=lambda: NOW,
        worker="edge",
    )
    await app.open(with_web=True)
    return app


@pytest.fixture
async def edge(db_url: str, tmp_path: Path) -> AsyncIterator[Edge]:
    app = await open_edge(db_url, tmp_path)
    yield Edge(app)
    await app.close()


NOTHING = {"InboxItem": 0, "InboundEvent": 0, "Message": 0}


def sms(**fields: str) -> dict[str, str]:
    form = {
        "AccountSid": "AC" + "0" * 32,
        "From": PHONE,
        "To": "+622150000001",
        "Body": "halo",
        "MessageSid": "SM" + "e" * 32,
        "NumMedia": "0",
    }
    form.update(fields)
    return {key: value for key, value in form.items() if value != "-"}


# --- undecodable and oversized bodies, before any authentication ------------------------------


async def test_random_bytes_and_garbage_multipart_are_refused_not_500(edge: Edge) -> None:
    noise = random.Random(11).randbytes(5 * 1024)
    for signature in (None, "bm90IHNpZ25lZA=="):
        headers = {"Content-Type": FORM}
        if signature:
            headers["X-Twilio-Signature"] = signature
        status, _ = await edge.raw("/twilio/messages", noise, headers)
        assert status in (400, 403), status
        multipart = headers | {"Content-Type": "multipart/form-data; boundary=zz"}
        for body in (noise, b"--zz\r\nContent-Disposition: form-data\r\n\r\n\xff\xfe--zz--"):
            status, _ = await edge.raw("/twilio/messages", body, multipart)
            assert status in (400, 403), status
    assert await edge.written() == NOTHING


async def test_deeply_nested_telegram_json_is_refused_before_or_without_recursion(
    edge: Edge,
) -> None:
    deep = b"[" * 50_000 + b"]" * 50_000
    objects = b'{"a":' * 20_000 + b"1" + b"}" * 20_000
    for body in (deep, objects):
        assert await edge.telegram(body, secret="wrong") == 403  # never parsed
        assert await edge.telegram(body, secret=None) == 403
        assert await edge.telegram(body) == 400  # the right secret: parsed, refused, no 500
    # Nested inside a real-looking update, too deep to be a Telegram update.
    nested = b'{"update_id": 5, "message": {"x": ' + deep + b"}}"
    assert await edge.telegram(nested) == 400
    assert await edge.written() == NOTHING


async def test_bodies_over_the_cap_are_413(db_url: str, tmp_path: Path) -> None:
    app = await open_edge(db_url, tmp_path, web_max_body_bytes=4096)
    try:
        edge = Edge(app)
        big = b"Body=" + b"a" * 5000
        headers = {"Content-Type": FORM, "X-Twilio-Signature": "bm90IHNpZ25lZA=="}
        assert (await edge.raw("/twilio/messages", big, headers))[0] == 413
        update = json.dumps({"update_id": 1, "message": {"text": "a" * 5000}}).encode()
        assert await edge.telegram(update) == 413
        assert await edge.telegram(update, secret="wrong") == 403  # the secret still first
        assert await edge.written() == NOTHING
    finally:
        await app.close()


def test_the_default_body_cap_is_one_mebibyte() -> None:
    assert load_settings(load_examples=False).web_max_body_bytes == 1024 * 1024


# --- signed requests with odd fields: acknowledged, logged masked, nothing applied -----------


@pytest.mark.parametrize(
    "odd",
    [
        {"NumMedia": "abc"},
        {"NumMedia": "99999999999999999999999"},
        {"From": "-"},  # missing
        {"From": ""},
        {"From": "x" * 1000},
        {"MessageSid": "SM" + "x" * 300},
    ],
    ids=["NumMedia=abc", "NumMedia=huge", "no From", "empty From", "long From", "long sid"],
)
async def test_signed_messages_with_odd_fields_are_acknowledged_and_not_kept(
    edge: Edge, odd: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    status, body = await edge.signed("/twilio/messages", sms(**odd))
    assert (status, body) == (200, EMPTY_TWIML)  # Twilio stops retrying
    await settle(edge.app)
    assert await edge.written() == NOTHING
    assert "malformed Twilio message" in caplog.text
    assert PHONE not in caplog.text  # logged masked


async def test_signed_status_callbacks_with_odd_fields_are_acknowledged(edge: Edge) -> None:
    for form in (
        {"MessageSid": "SM" + "x" * 300, "MessageStatus": "delivered"},
        {"MessageStatus": "delivered"},  # no sid
        {"MessageSid": "SM" + "f" * 32, "MessageStatus": "x" * 500},
        {"CallSid": "CA" + "f" * 32, "CallStatus": "completed", "ErrorCode": "9" * 100},
    ):
        status, _ = await edge.signed("/twilio/status?key=" + "k" * 500, form)
        assert status == 204, form
    assert await edge.written() == NOTHING


async def test_signed_voice_requests_with_odd_fields_never_500(edge: Edge) -> None:
    for path, form in (
        ("/twilio/voice/result?key=k&event=99999999999999999999999&n=1", {}),
        ("/twilio/voice/result?key=k&event=1&n=99999999999999999999999", {}),
        ("/twilio/voice/result?key=k&event=-5&n=1", {}),
        ("/twilio/voice/gather?key=k&stage=menu", {"Digits": "1"}),  # no CallSid, no To
        ("/twilio/voice/gather?key=k&stage=nonsense", {"Digits": "1", "CallSid": "CA1"}),
        ("/twilio/voice?key=" + "k" * 5000, {"CallSid": "CA" + "1" * 32}),
    ):
        status, _ = await edge.signed(path, form)
        assert status < 500, (path, form, status)
    assert (await edge.written())["InboxItem"] == 0


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 9, "message": {"message_id": 1, "date": 1_700_000_000, "text": "halo"}},
        {"update_id": 9, "message": {"chat": "not a chat", "text": "halo"}},
        {"update_id": 9, "message": "not a message"},
        {"update_id": 9, "poll": {"id": "1", "question": "?"}},  # a type we never asked for
        {"update_id": 9},
        {"update_id": 9, "callback_query": {"id": "1", "data": "x"}},  # no from
        {"message": {"message_id": 1, "chat": {"id": 5}, "text": "halo"}},
        {"update_id": "9", "message": {"message_id": 1, "chat": {"id": 5}, "text": "halo"}},
        [{"update_id": 9}],
    ],
    ids=[
        "no chat",
        "chat not an object",
        "message not an object",
        "unknown type",
        "empty",
        "cb",
        "no update_id",
        "update_id not a number",
        "not an object",
    ],
)
async def test_odd_telegram_updates_are_acknowledged_and_not_kept(edge: Edge, update: Any) -> None:
    assert await edge.telegram(json.dumps(update).encode()) == 200  # Telegram stops retrying
    await settle(edge.app)
    assert await edge.written() == NOTHING


# --- a malformed event already in the inbox is rejected with a reason, not retried -----------


async def test_malformed_stored_events_are_rejected_with_a_reason(edge: Edge) -> None:
    db = edge.app.db
    rows = [
        store.event(
            provider=TWILIO,
            event_id="SM" + "a" * 32,
            kind=MESSAGE,
            conversation="sms:+6281234567890",
            payload={"form": sms(NumMedia="abc")},
            now=NOW,
        ),
        store.event(
            provider=TWILIO,
            event_id="SM" + "b" * 32,
            kind=MESSAGE,
            conversation="sms:?",
            payload={"nothing": "here"},
            now=NOW,
        ),
        store.event(
            provider=TELEGRAM,
            event_id="77",
            kind=UPDATE,
            conversation="telegram:555",
            # A chat, but no date or message id: python-telegram-bot cannot build it.
            payload={"update_id": 77, "message": {"chat": {"id": 555}, "text": "halo"}},
            now=NOW,
        ),
    ]
    await store.keep(db, events=rows)
    await settle(edge.app)
    async with db.sessions() as session:
        items = (await session.exec(select(InboxItem))).all()
    assert {item.event_id: item.status for item in items} == dict.fromkeys(
        ("SM" + "a" * 32, "SM" + "b" * 32, "77"), InboxStatus.REJECTED
    )
    assert all(item.attempts <= 1 and item.error for item in items)
    reasons = sorted(item.error or "" for item in items)
    assert any("NumMedia" in reason for reason in reasons), reasons
    assert (await edge.written())["Message"] == 0
