"""One provider down stops no other: it is disabled for the pass and steps fall back.

Outages are real ones: a Bot API, Twilio API or SMTP server that is not listening (the
sandboxes, stopped), so the real client libraries meet a refused connection.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import httpx
import pytest
from sqlmodel import col, select
from telegram.error import NetworkError, TimedOut
from typer.testing import CliRunner

from bot.app.service import serve
from bot.app.tagih import Tagih
from bot.channels import telegram_outcome, twilio_base
from bot.channels.telegram import SANDBOX_TOKEN
from bot.cli.main import app
from bot.config import Settings, load_settings
from bot.sandbox.smtp import SmtpSink
from bot.sandbox.telegram import TelegramSandbox
from scheduler.messages import DeliveryOutcome
from scheduler.policy import PolicySpec, Step
from scheduler.policy_store import save_spec
from storage.enums import FollowUpStatus, MessageStatus
from storage.models import Case, Contact, Customer, FollowUp, Message, Policy
from tests.support.factories import add_customer

NOW_TEXT = "2026-11-23T10:00:00+07:00"  # a Monday, inside the contact window
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)
BACKOFF = dt.timedelta(seconds=600)
TOKEN = "123456:telegram-secret-token"
PHONE = "+6281234567890"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed): connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- `tagih send-due` with the Telegram API unreachable -------------------------------------


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two customers reachable by email; Telegram configured on an unreachable Bot API."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAGIH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}")
    monkeypatch.setenv("TAGIH_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("TAGIH_TELEGRAM_API_BASE", f"http://127.0.0.1:{closed_port()}")
    (tmp_path / "customers.csv").write_text(
        "code,name,email,phone,whatsapp,telegram,language,timezone,segment,salesperson,collector,policy\n"
        "C001,PT Sumber Rejeki,ap@sumber.example,,,,id,Asia/Jakarta,retail,Budi,Sari,\n"
        "C002,CV Maju Jaya,finance@maju.example,,,,en,Asia/Makassar,horeca,Budi,Sari,\n"
    )
    (tmp_path / "invoices.csv").write_text(
        "number,customer,issue_date,due_date,amount,currency,balance,item,salesperson\n"
        "INV-1,C001,2026-10-22,2026-11-22,5000000,IDR,,Semen,\n"
        "INV-3,C002,2026-10-26,2026-11-26,300000,IDR,,Besi,\n"
    )
    return tmp_path


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_send_due_with_telegram_unreachable_still_sends_email(workdir: Path) -> None:
    invoke("import", "customers", "customers.csv")
    invoke("import", "invoices", "invoices.csv")
    out = invoke("send-due", "--now", NOW_TEXT)
    assert "sent 2," in out
    assert len(list((workdir / "sandbox" / "mail").glob("*.eml"))) == 2
    warning = next(line for line in out.splitlines() if line.startswith("warning: Telegram"))
    assert "disabled, cannot start" in warning and "ConnectError" in warning
    assert "telegram-secret" not in out and "Traceback" not in out


# --- the dispatcher: fall back, hold, come back ---------------------------------------------


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    server = SmtpSink(tmp_path / "mail")
    await server.start()
    yield server
    await server.stop()


def settings_for(db_url: str, sink: SmtpSink, tmp_path: Path, **extra: object) -> Settings:
    return load_settings(
        database_url=db_url,
        smtp_host=sink.host,
        smtp_port=sink.port,
        smtp_starttls=False,
        smtp_timeout=1,
        sandbox_dir=tmp_path / "sandbox",
        load_examples=False,
        retry_backoff_seconds=int(BACKOFF.total_seconds()),
        sms_rate=1000,
        voice_rate=1000,
        whatsapp_rate=1000,
        # One follow-up at a time, so "the first attempt finds the provider down and
        # nobody tries it again" is observable; concurrent sends in flight at that moment
        # each find it down once (tests/integration/test_dispatch_limits.py covers concurrency).
        dispatch_concurrency=1,
        **extra,
    )


@pytest.fixture
async def tagih(db_url: str, sink: SmtpSink, tmp_path: Path) -> AsyncIterator[Tagih]:
    """Every provider up: email on the sink, Twilio and Telegram on their sandboxes."""
    app = Tagih(settings_for(db_url, sink, tmp_path), clock=lambda: NOW, worker="w")
    await app.open()
    yield app
    await app.close()


async def customer_on(
    app: Tagih, code: str, channels: list[str], *, chat: int = 0, only: bool = False
) -> int:
    """A customer with email, phone and Telegram contacts whose +1 step uses `channels`;
    with `only`, contacts on those channels alone (so the policy's fallback finds none)."""
    customer_id = await add_customer(
        app.db, code, invoices=[(f"{code}-INV", dt.date(2026, 11, 22), "5000000")]
    )
    name = "+".join(channels)
    async with app.db.transaction() as session:
        policy = (await session.exec(select(Policy).where(Policy.name == name))).first()
        if policy is None:
            policy = await save_spec(session, spec=PolicySpec(name, (Step(1, tuple(channels)),)))
        customer = await session.get(Customer, customer_id)
        assert customer is not None
        customer.policy_id = policy.id
        session.add(customer)
        session.add(Contact(customer_id=customer_id, channel="sms", address=PHONE))
        chat_id = str(chat or 700000 + customer_id)
        session.add(Contact(customer_id=customer_id, channel="telegram", address=chat_id))
    if only:
        async with app.db.transaction() as session:
            mine = select(Contact).where(Contact.customer_id == customer_id)
            for contact in (await session.exec(mine)).all():
                if contact.channel not in channels:
                    await session.delete(contact)
    return customer_id


async def outbound(app: Tagih) -> list[tuple[int, str, str, str | None]]:
    """(customer, channel, status, error code) of every reminder logged, in order."""
    async with app.db.sessions() as session:
        rows = (
            await session.exec(
                select(Message).where(col(Message.followup_id).is_not(None)).order_by(Message.id)
            )
        ).all()
    return [(m.customer_id, m.channel, m.status, m.error_code) for m in rows]


async def followup_of(app: Tagih, customer_id: int) -> FollowUp:
    async with app.db.sessions() as session:
        rows = (
            await session.exec(
                select(FollowUp).where(
                    FollowUp.customer_id == customer_id, FollowUp.local_date == NOW.date()
                )
            )
        ).all()
    [row] = rows
    return row


async def cases(app: Tagih) -> list[Case]:
    async with app.db.sessions() as session:
        return list((await session.exec(select(Case))).all())


@pytest.mark.parametrize(
    ("down", "fallback", "error"),
    [("telegram", "email", "network"), ("sms", "email", "connect"), ("email", "sms", "connect")],
)
async def test_provider_unreachable_mid_pass_falls_back_and_holds(
    tagih: Tagih, sink: SmtpSink, down: str, fallback: str, error: str
) -> None:
    first = await customer_on(tagih, "C001", [down, fallback])
    second = await customer_on(tagih, "C002", [down, fallback])
    only = await customer_on(tagih, "C003", [down], only=True)
    # Reachable only there: the policy's fallback (issue 12, point 7) finds no other channel.
    async with tagih.db.transaction() as session:
        for contact in (
            await session.exec(select(Contact).where(Contact.customer_id == only))
        ).all():
            if contact.channel != down:
                await session.delete(contact)
    # The provider stops listening after start-up: the next connection is refused.
    telegram, twilio = tagih.providers.telegram_sandbox, tagih.providers.twilio_sandbox
    assert telegram is not None and twilio is not None
    stop = {"telegram": telegram.stop, "sms": twilio.stop, "email": sink.stop}[down]
    await stop()
    _, stats = await tagih.send_due(NOW)
    assert (stats.sent, stats.retried, stats.failed, stats.skipped) == (2, 1, 0, 0)
    assert list(stats.down) == [down] and stats.down[down].startswith(f"{error}:")
    log = await outbound(tagih)
    # One attempt found the provider down; after it, nobody waited on it again this pass.
    # (Customers reserved on it in the same batch were not tried: "not-tried".)
    tried = [row for row in log if row[1] == down]
    assert [row[2:] for row in tried] == [(MessageStatus.RETRY, error)] + [
        (MessageStatus.RETRY, "not-tried")
    ] * (len(tried) - 1)
    assert sorted((c, ch, st) for c, ch, st, _ in log if ch == fallback) == [
        (first, fallback, MessageStatus.SENT),
        (second, fallback, MessageStatus.SENT),
    ]
    # The customer reachable only there waits for a retry: not failed, not skipped, no
    # contact-research case, and the outage used none of the follow-up's attempts.
    held = await followup_of(tagih, only)
    assert held.status == FollowUpStatus.PLANNED
    assert held.planned_at == NOW + BACKOFF
    assert held.attempts == 0
    assert held.last_error == f"provider down: {down}"
    assert await cases(tagih) == []
    for customer_id in (first, second):
        assert (await followup_of(tagih, customer_id)).status == FollowUpStatus.SENT


@pytest.mark.parametrize("down", ["telegram", "email"])
async def test_held_step_goes_out_once_the_provider_is_back(
    tagih: Tagih, sink: SmtpSink, down: str
) -> None:
    only = await customer_on(tagih, "C001", [down], chat=777001, only=True)
    telegram = tagih.providers.telegram_sandbox
    assert telegram is not None
    server: TelegramSandbox | SmtpSink = telegram if down == "telegram" else sink
    await server.stop()
    _, stats = await tagih.send_due(NOW)
    assert (stats.sent, stats.retried) == (0, 1)
    await server.start()  # back on the same port
    assert (await tagih.tick(NOW + BACKOFF - dt.timedelta(seconds=1))).claimed == 0
    stats = await tagih.tick(NOW + BACKOFF)
    assert (stats.sent, stats.down) == (1, {})
    assert [row[1:3] for row in await outbound(tagih)] == [(down, MessageStatus.SENT)]
    assert (await followup_of(tagih, only)).status == FollowUpStatus.SENT
    if down == "telegram":
        assert [m.chat_id for m in telegram.sent] == [777001]
    else:
        assert len(sink.messages) == 1


async def test_provider_down_for_many_ticks_never_fails_the_follow_up(
    tagih: Tagih, sink: SmtpSink
) -> None:
    only = await customer_on(tagih, "C001", ["email"], only=True)
    await sink.stop()
    await tagih.plan(NOW)
    moment = NOW
    for _ in range(tagih.settings.max_attempts + 3):
        stats = await tagih.tick(moment)
        assert (stats.claimed, stats.retried, stats.failed) == (1, 1, 0)
        moment += BACKOFF
    row = await followup_of(tagih, only)
    assert (row.status, row.attempts) == (FollowUpStatus.PLANNED, 0)


# --- start-up: a provider that cannot start is disabled, then retried ------------------------


@pytest.fixture
async def dead_bot_api() -> AsyncIterator[TelegramSandbox]:
    """A Bot API sandbox that was listening once and is stopped: its port refuses."""
    sandbox = TelegramSandbox(SANDBOX_TOKEN)
    await sandbox.start()
    await sandbox.stop()
    yield sandbox
    await sandbox.stop()


async def test_telegram_that_cannot_start_is_disabled_then_reopened_by_the_tick(
    db_url: str, sink: SmtpSink, tmp_path: Path, dead_bot_api: TelegramSandbox
) -> None:
    settings = settings_for(
        db_url,
        sink,
        tmp_path,
        telegram_token=SANDBOX_TOKEN,
        telegram_api_base=dead_bot_api.url,
    )
    app = Tagih(settings, clock=lambda: NOW, worker="w")
    await app.open()
    try:
        assert "telegram" not in app.channels and {"email", "sms"} <= app.channels.keys()
        assert app.providers.unavailable == {"telegram"}
        [warning] = app.warnings
        assert warning.startswith("Telegram: disabled, cannot start (NetworkError: ")
        assert SANDBOX_TOKEN not in warning and "tagih-sandbox-token" not in warning
        both = await customer_on(app, "C001", ["telegram", "email"], chat=777001)
        only = await customer_on(app, "C002", ["telegram"], chat=777002, only=True)
        _, stats = await app.send_due(NOW)
        # Planned as usual (the outage does not rewrite the plan), sent where possible.
        assert (stats.claimed, stats.sent, stats.retried, stats.skipped) == (2, 1, 1, 0)
        assert [row[:3] for row in await outbound(app)] == [(both, "email", MessageStatus.SENT)]
        assert (await followup_of(app, only)).status == FollowUpStatus.PLANNED
        # Still down at the next tick: tried again, still disabled, still waiting.
        stats = await app.tick(NOW + BACKOFF)
        assert "telegram" in app.providers.disabled and stats.retried == 1
        await dead_bot_api.start()  # the Bot API is back, on the same port
        stats = await app.tick(NOW + 2 * BACKOFF)
        assert app.channels.keys() >= {"telegram"} and app.providers.disabled == {}
        assert "Telegram: bot @tagih_sandbox_bot via http://127.0.0.1:" in app.announcements[-1]
        assert stats.sent == 1
        assert [m.chat_id for m in dead_bot_api.sent] == [777002]
        assert (await followup_of(app, only)).status == FollowUpStatus.SENT
        assert await cases(app) == []
    finally:
        await app.close()


async def test_webhook_that_cannot_be_set_is_retried_by_the_tick(
    db_url: str, sink: SmtpSink, tmp_path: Path
) -> None:
    bot_api = TelegramSandbox(SANDBOX_TOKEN)
    await bot_api.start()
    settings = settings_for(
        db_url,
        sink,
        tmp_path,
        telegram_token=SANDBOX_TOKEN,
        telegram_api_base=bot_api.url,
        public_url="https://tagih.example",
        web_port=0,
    )
    bot_api.fail_next("setWebhook", 502, "Bad Gateway")
    app = Tagih(settings, clock=lambda: NOW, worker="w")
    try:
        await app.open(with_web=True)  # sending works; receiving waits for the next tick
        assert "telegram" in app.channels and bot_api.state.updates.webhook is None
        await app.tick(NOW)
        assert bot_api.state.updates.webhook is not None
        assert bot_api.state.updates.webhook["url"] == "https://tagih.example/telegram/webhook"
        calls = [name for name, _ in bot_api.calls if name == "setWebhook"]
        await app.tick(NOW + dt.timedelta(minutes=1))  # set once: not again
        assert [name for name, _ in bot_api.calls if name == "setWebhook"] == calls
    finally:
        await app.close()
        await bot_api.stop()


async def test_run_announces_the_disabled_provider_and_dispatches(
    tmp_path: Path, sink: SmtpSink
) -> None:
    settings = settings_for(
        f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}",
        sink,
        tmp_path,
        telegram_token=TOKEN,
        telegram_api_base=f"http://127.0.0.1:{closed_port()}",
        web_port=0,
    )
    lines: list[str] = []
    stop = asyncio.Event()

    def announce(line: str) -> None:
        lines.append(line)
        if line.startswith("First dispatch"):
            stop.set()

    app = Tagih(settings, clock=lambda: NOW)
    await asyncio.wait_for(serve(app, announce=announce, stop=stop), timeout=60)
    [warning] = [line for line in lines if line.startswith("warning:")]
    assert warning.startswith("warning: Telegram: disabled, cannot start")
    assert "retried every dispatch tick" in warning and "telegram-secret" not in warning
    assert lines[-1] == "Stopping."


# --- classification: only "nothing sent, provider unreachable" is provider_down -------------


def _network_error(cause: Exception, *, timed_out: bool = False) -> NetworkError:
    error = TimedOut() if timed_out else NetworkError(f"httpx.{type(cause).__name__}: {cause}")
    error.__cause__ = cause
    return error


def test_telegram_classification_of_network_errors() -> None:
    refused = telegram_outcome.classify(_network_error(httpx.ConnectError("refused")))
    assert (refused.outcome, refused.provider_down) == (DeliveryOutcome.RETRYABLE, True)
    slow = telegram_outcome.classify(_network_error(httpx.ConnectTimeout("t"), timed_out=True))
    assert (slow.outcome, slow.provider_down) == (DeliveryOutcome.RETRYABLE, True)
    pool = telegram_outcome.classify(_network_error(httpx.PoolTimeout("t"), timed_out=True))
    assert (pool.outcome, pool.provider_down) == (DeliveryOutcome.RETRYABLE, False)
    # The request may have reached Telegram: unknown, never a reason to switch channels.
    read = telegram_outcome.classify(_network_error(httpx.ReadTimeout("t"), timed_out=True))
    assert (read.outcome, read.provider_down) == (DeliveryOutcome.UNKNOWN, False)


def test_twilio_classification_of_connection_errors() -> None:
    refused = twilio_base.classify(aiohttp.ServerDisconnectedError())
    assert (refused.outcome, refused.provider_down) == (DeliveryOutcome.UNKNOWN, False)
    timeout = twilio_base.classify(aiohttp.ConnectionTimeoutError())
    assert (timeout.outcome, timeout.provider_down) == (DeliveryOutcome.RETRYABLE, True)
