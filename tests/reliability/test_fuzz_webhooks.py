"""Any request to the webhooks (hypothesis): never a 5xx, and nothing written to the database
unless the Twilio signature or the Telegram secret is valid.

The app is the real one (`Tagih.open(with_web=True)` on SQLite, with the sandboxes), served
on loopback from an event loop in a thread of its own, so that hypothesis drives it with
plain blocking HTTP requests sent exactly as generated (`http.client`: no re-encoding).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import shutil
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from twilio.request_validator import RequestValidator

from bot.app.tagih import Tagih
from storage.models import InboxItem
from storage.queries.inbox import InboxStatus
from tests.reliability.test_webhook_edge import SECRET, Edge, open_edge
from tests.support.inbox_support import settle

T = TypeVar("T")
TWILIO_PATHS = (
    "/twilio/messages",
    "/twilio/status",
    "/twilio/voice",
    "/twilio/voice/gather",
    "/twilio/voice/result",
)
TELEGRAM_PATH = "/telegram/webhook"
FORM = "application/x-www-form-urlencoded"
#: Field names Twilio sends, and a few it never does.
FIELDS = (
    "From",
    "To",
    "Body",
    "MessageSid",
    "CallSid",
    "NumMedia",
    "MediaUrl0",
    "MediaUrl1",
    "ButtonPayload",
    "MessageStatus",
    "CallStatus",
    "ErrorCode",
    "Digits",
    "AccountSid",
    "media",
    "",
)
ODD_VALUES = (
    "",
    "abc",
    "-1",
    "99999999999999999999999",
    "1e400",
    "NaN",
    "+6281234567890",
    "whatsapp:+6281234567890",
    "SM" + "a" * 32,
    "CA" + "b" * 32,
    "x" * 3000,
    "\x00",
    "delivered",
    "failed",
    "1",
    "#",
)


class Served:
    """The app on an event loop in a background thread; `call` runs a coroutine there."""

    def __init__(self, db_url: str, tmp_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.app: Tagih = self.call(open_edge(db_url, tmp_path))
        self.edge = Edge(self.app)
        split = urlsplit(self.edge.url)
        assert split.hostname is not None and split.port is not None
        self.host, self.port = split.hostname, split.port

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)

    def close(self) -> None:
        try:
            self.call(self.app.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        """POST exactly these bytes to exactly this path; the status."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def written(self) -> dict[str, int]:
        return self.call(self.edge.written())


@pytest.fixture(scope="module")
def served(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp_path = tmp_path_factory.mktemp("fuzz-webhooks")
    path = tmp_path / "tagih.db"
    shutil.copy(sqlite_template, path)
    app = Served(f"sqlite+aiosqlite:///{path}", tmp_path)
    yield app
    app.close()


@dataclass(frozen=True)
class Request:
    """One generated request and whether it carries valid credentials."""

    path: str
    body: bytes
    headers: dict[str, str]
    authentic: bool


header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
)  # what http.client lets through in a header
query_value = st.one_of(st.text(max_size=40), st.sampled_from(ODD_VALUES[:12]))
queries = st.dictionaries(
    st.sampled_from(("key", "stage", "event", "n", "")), query_value, max_size=4
).map(lambda q: "?" + urlencode(q, quote_via=quote) if q else "")
forms = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)),
    st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=200)),
    max_size=8,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
updates = st.fixed_dictionaries(
    {"update_id": st.one_of(st.integers(), st.text(max_size=5))},
    optional={
        "message": json_values,
        "callback_query": json_values,
        "poll": json_values,
        "edited_message": json_values,
    },
)
content_types = st.one_of(
    st.sampled_from(
        (
            FORM,
            FORM + "; charset=latin-1",
            "application/json",
            "multipart/form-data; boundary=zz",
            "multipart/form-data",
            "text/plain",
        )
    ),
    header_text,
)


def depth_bomb(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@st.composite
def requests(draw: st.DrawFn, validator: RequestValidator, base: str) -> Request:
    """A request to a webhook: bytes, a form or JSON, under any content type and headers."""
    telegram = draw(st.booleans())
    path = (TELEGRAM_PATH if telegram else draw(st.sampled_from(TWILIO_PATHS))) + draw(queries)
    form = None
    kind = draw(st.sampled_from(("bytes", "form", "json", "bomb")))
    if kind == "bytes":
        body = draw(st.binary(max_size=5000))
    elif kind == "form":
        form = draw(forms)
        body = urlencode(form).encode()
    elif kind == "json":
        body = json.dumps(draw(st.one_of(updates, json_values))).encode()
    else:
        body = depth_bomb(draw(st.integers(min_value=60, max_value=60_000)))
    headers = {"Content-Type": FORM if form is not None else draw(content_types)}
    if telegram:
        secret = draw(st.sampled_from((None, SECRET, "wrong", SECRET + "x")) | header_text)
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return Request(path, body, headers, authentic=secret == SECRET)
    signature = draw(st.sampled_from(("none", "valid", "garbage")))
    if signature == "valid" and form is not None:
        headers["X-Twilio-Signature"] = validator.compute_signature(base + path, form)
        return Request(path, body, headers, authentic=True)
    if signature != "none":
        headers["X-Twilio-Signature"] = draw(header_text.filter(bool))
    return Request(path, body, headers, authentic=False)


def test_no_request_is_a_5xx_and_only_authentic_ones_write(served: Served) -> None:
    validator, base = served.edge.validator, served.edge.url

    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=requests(validator, base))
    def check(request: Request) -> None:
        before = served.written()
        status = served.post(request.path, request.body, request.headers)
        assert status < 500, (request, status)
        if not request.authentic:
            assert served.written() == before, request

    check()
    # Whatever was kept was applied or rejected: the worker never crashed on it.
    served.call(settle(served.app))
    stuck = served.call(_unsettled(served.app))
    assert stuck == [], stuck


async def _unsettled(app: Tagih) -> list[tuple[str, str, str | None]]:
    """Kept events that failed or are waiting for a retry (the worker choked on them)."""
    async with app.db.sessions() as session:
        items = (await session.exec(select(InboxItem))).all()
    return [
        (item.kind, item.status, item.error)
        for item in items
        if item.status == InboxStatus.FAILED or (item.status == InboxStatus.PENDING and item.error)
    ]
