"""The service under a leadership: the leader alone plans, checks promises, sends digests and
polls Telegram; every process dispatches; a process that takes over catches up at once.

Time is injected (every `Tagih` reads `NOW`); leadership changes are driven by hand, the
way the service's leadership job (every `CHECK_SECONDS`) drives them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.app.service import Service
from bot.app.tagih import Tagih
from bot.channels.telegram import SANDBOX_TOKEN
from bot.config import load_settings
from bot.sandbox.telegram import TelegramSandbox
from scheduler.leader import leadership_for
from storage.models import FollowUp
from tests.support.factories import add_customer

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 WIB
DUE = dt.date(2026, 11, 22)
CHAT = 4242


class Scripted:
    """A leadership whose answers the test sets."""

    def __init__(self) -> None:
        self.leading = False
        self.answer = False
        self.released = False

    async def check(self) -> bool:
        self.leading = self.answer
        return self.leading

    async def release(self) -> None:
        self.released, self.leading = True, False


async def planned(app: Tagih) -> int:
    async with app.db.sessions() as session:
        return (await session.exec(select(func.count()).select_from(FollowUp))).one()


async def test_only_the_leader_plans_and_a_new_leader_catches_up(db_url: str) -> None:
    settings = load_settings(database_url=db_url, load_examples=False)
    first = Tagih(settings, clock=lambda: NOW, worker="first")
    second = Tagih(settings, clock=lambda: NOW, worker="second")
    await first.open(with_channels=False)
    await second.open(with_channels=False)
    said: list[str] = []
    leader = Service(first, leadership_for(db_url), said.append)
    follower = Service(second, leadership_for(db_url), said.append)
    try:
        await add_customer(first.db, "C1", invoices=[("INV-1", DUE, "1000000")])
        assert await leader.lead(NOW, catch_up=False) is True
        assert await follower.lead(NOW) is False
        assert said == ["Leader: first leads (planning, promise checks, digests, Telegram polling)"]
        # The follower's leader jobs do nothing; the leader's run.
        for job in (second.plan, second.check_promises, second.send_digests):
            assert await follower.leader_only(job)(NOW) == "skipped: another process leads"
        assert await planned(second) == 0
        stats = await leader.leader_only(first.plan)(NOW)
        assert getattr(stats, "customers", None) == 1 and await planned(first) == 1
        # A customer arrives, then the leader stops before its next planning pass.
        await add_customer(first.db, "C2", email="c2@example.co.id", invoices=[("INV-2", DUE, "5")])
        await leader.close()
        assert not leader.leading and not first.leading
        await follower.watch()  # the leadership job of the follower, at its next run
        assert follower.leading and second.leading
        assert said[1:] == [
            "Leader: second leads (planning, promise checks, digests, Telegram polling)",
            "Leader: took over; 0 promises broken, 0 kept; planned follow-ups for 1 customers",
        ]
        assert await planned(second) == 2  # caught up without waiting for the hourly pass
        assert await leader.lead(NOW) is False  # the old leader, back, follows
    finally:
        await leader.close()
        await follower.close()
        await first.close()
        await second.close()


async def test_a_leader_that_loses_the_lock_stops_its_leader_jobs(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}", load_examples=False
    )
    app = Tagih(settings, clock=lambda: NOW, worker="w")
    await app.open(with_channels=False)
    leadership = Scripted()
    said: list[str] = []
    service = Service(app, leadership, said.append)
    try:
        await add_customer(app.db, "C1", invoices=[("INV-1", DUE, "1000000")])
        leadership.answer = True
        await service.watch()  # takes over: catches up at once
        assert await planned(app) == 1
        leadership.answer = False  # e.g. its heartbeat failed
        assert await service.leader_only(app.plan)(NOW) == "skipped: another process leads"
        assert said[-1] == (
            "Leader: w is no longer the leader; it keeps dispatching and serving webhooks"
        )
        assert not app.leading
        await service.close()
        assert leadership.released
    finally:
        await app.close()


async def test_only_the_leader_polls_telegram(tmp_path: Path) -> None:
    bot_api = TelegramSandbox(SANDBOX_TOKEN)
    await bot_api.start()
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}",
        sandbox_dir=tmp_path / "sandbox",
        load_examples=False,
        telegram_token=SANDBOX_TOKEN,
        telegram_api_base=bot_api.url,  # a "real" Bot API that cannot reach us: polling
        web_port=0,
    )
    app = Tagih(settings, clock=lambda: NOW, worker="w", leading=False)
    leadership = Scripted()
    service = Service(app, leadership, lambda _line: None)
    try:
        await app.open(with_web=True)
        assert "receiving updates by polling" in "\n".join(app.announcements)
        assert await service.lead(NOW) is False
        await asyncio.sleep(0)
        assert [name for name, _ in bot_api.calls if name == "getUpdates"] == []
        leadership.answer = True
        await service.lead(NOW, catch_up=False)
        await bot_api.called("deleteWebhook")  # polling starts by removing any webhook
        await bot_api.user_says(CHAT, "halo")
        await bot_api.called("sendMessage")  # received by polling, answered
        leadership.answer = False
        await service.lead(NOW)  # steps down: polling stops before this returns
        polls = sum(1 for name, _ in bot_api.calls if name == "getUpdates")
        await bot_api.user_says(CHAT + 1, "masih di sana?")  # another stranger
        for _ in range(20):
            await asyncio.sleep(0)
        assert sum(1 for name, _ in bot_api.calls if name == "getUpdates") == polls
        # Waiting for the next leader (with "halo", which the next poll confirms).
        assert [u["message"]["text"] for u in bot_api.state.updates.pending][-1] == (
            "masih di sana?"
        )
        leadership.answer = True
        await service.lead(NOW, catch_up=False)
        await bot_api.called("sendMessage", times=2)
        polls = sum(1 for name, _ in bot_api.calls if name == "getUpdates")
        await bot_api.called("getUpdates", times=polls + 1)  # confirms what it received
        assert bot_api.state.updates.pending == []
        assert len(bot_api.sent) == 2  # "halo" answered once, although fetched twice
    finally:
        await service.close()
        await app.close()
        await bot_api.stop()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_tagih_run_processes_elect_one_telegram_poller(
    db_url: str, tmp_path: Path
) -> None:
    """The issue's reproduction: two `tagih run` on one database both polled Telegram."""
    bot_api = TelegramSandbox(SANDBOX_TOKEN)
    await bot_api.start()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TAGIH_DATABASE_URL": db_url,
        "TAGIH_LOAD_EXAMPLES": "false",
        "TAGIH_TELEGRAM_TOKEN": SANDBOX_TOKEN,
        "TAGIH_TELEGRAM_API_BASE": bot_api.url,
        "TAGIH_WEB_PORT": "0",
        "TAGIH_SMS_RATE": "1000",
        "TAGIH_VOICE_RATE": "1000",
    }
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env={**env, "TAGIH_SANDBOX_DIR": str(tmp_path / f"sb{i}")},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for i in range(2)
    ]
    outputs: list[list[str]] = [[], []]
    try:
        for proc, seen in zip(procs, outputs, strict=True):
            assert proc.stdout is not None
            while not seen or "Ctrl-C stops" not in seen[-1]:
                raw = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
                assert raw, "tagih run exited early:\n" + "".join(seen)
                seen.append(raw.decode())
        texts = [" ".join("".join(seen).split()) for seen in outputs]  # unwrapped
        leaders = [text for text in texts if "Planned follow-ups" in text]
        followers = [text for text in texts if "Another process leads" in text]
        assert len(leaders) == 1 and len(followers) == 1, texts
        await bot_api.called("getUpdates")
        # Each poller starts by deleting the webhook: one poller, one deleteWebhook.
        assert [name for name, _ in bot_api.calls if name == "deleteWebhook"] == ["deleteWebhook"]
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            await asyncio.wait_for(proc.communicate(), timeout=60)
        await bot_api.stop()
    assert [proc.returncode for proc in procs] == [0, 0]
