"""Leadership: one leader per database; when it dies, even by SIGKILL, another takes over.

PostgreSQL: a session-level advisory lock on a dedicated connection. SQLite: an `flock`
on a lock file beside the database. The holder that dies is a real process killed with
SIGKILL; the survivor's next `check()` must win, so takeover in the service is bounded by
its check interval (`CHECK_SECONDS`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from scheduler.leader import (
    CHECK_SECONDS,
    AlwaysLeader,
    FileLeadership,
    Leadership,
    PostgresLeadership,
    leadership_for,
    startup_lock,
)
from storage.db import Database
from tests.support.pg import PgCluster

ROOT = Path(__file__).resolve().parents[2]
#: A process holding the leadership until it is killed.
HOLDER = """
import asyncio, sys
from scheduler.leader import leadership_for

async def main() -> None:
    leadership = leadership_for(sys.argv[1])
    while not await leadership.check():
        await asyncio.sleep(0.05)
    print("leading", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def _candidates(url: str, count: int) -> list[Leadership]:
    return [leadership_for(url) for _ in range(count)]


@pytest.fixture
async def holder_factory() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """Processes started by a test; any still running at the end is killed."""
    procs: list[asyncio.subprocess.Process] = []
    yield procs
    for proc in procs:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def start_holder(url: str, procs: list[asyncio.subprocess.Process]) -> int:
    """A process that takes the leadership and keeps it; its pid once it leads."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        url,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    procs.append(proc)
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    assert line == b"leading\n"
    return proc.pid


async def takeover_after_kill(
    url: str, procs: list[asyncio.subprocess.Process], survivor: Leadership
) -> float:
    """Kill a leading process with SIGKILL; seconds until `survivor` leads."""
    await start_holder(url, procs)
    assert await survivor.check() is False  # the holder leads
    proc = procs[-1]
    killed = time.monotonic()
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    while not await survivor.check():
        assert time.monotonic() - killed < 10, "the lock was not freed by the leader's death"
        await asyncio.sleep(0.01)
    return time.monotonic() - killed


# --- which leadership for which database ------------------------------------------------------


def test_leadership_for_each_database(tmp_path: Path) -> None:
    assert isinstance(leadership_for("sqlite+aiosqlite://"), AlwaysLeader)
    assert isinstance(leadership_for("sqlite+aiosqlite:///:memory:"), AlwaysLeader)
    on_file = leadership_for(f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}")
    assert isinstance(on_file, FileLeadership)
    assert on_file.path == tmp_path / "tagih.db.leader"
    assert isinstance(leadership_for("postgresql+asyncpg://u@127.0.0.1/db"), PostgresLeadership)


async def test_always_leader() -> None:
    leader = AlwaysLeader()
    assert await leader.check() and leader.leading
    await leader.release()


# --- SQLite: a lock file ------------------------------------------------------------------------


async def test_file_lock_elects_one_and_hands_over_on_release(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}"
    first, second = await _candidates(url, 2)
    assert await first.check() is True
    assert await second.check() is False
    assert await first.check() is True  # the heartbeat keeps it
    assert (tmp_path / "tagih.db.leader").read_text() == f"{os.getpid()}\n"
    await first.release()
    assert not first.leading
    assert await second.check() is True
    assert await first.check() is False
    await second.release()


async def test_file_lock_replaced_under_the_leader_steps_it_down(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}"
    first, second = await _candidates(url, 2)
    assert await first.check()
    (tmp_path / "tagih.db.leader").unlink()  # an operator "cleaning up"
    assert await second.check() is True  # a new file, a new lock: the second leads …
    assert await first.check() is False  # … and the first notices and steps down
    await first.release()
    await second.release()


async def test_file_lock_is_freed_when_the_leader_is_killed(
    tmp_path: Path, holder_factory: list[asyncio.subprocess.Process]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}"
    [survivor] = await _candidates(url, 1)
    took = await takeover_after_kill(url, holder_factory, survivor)
    print(f"SQLite lock file: takeover {took * 1000:.0f} ms after SIGKILL")
    assert took < CHECK_SECONDS
    await survivor.release()


# --- PostgreSQL: an advisory lock -----------------------------------------------------------


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_advisory_lock_elects_one_and_hands_over_on_release(db_url: str) -> None:
    first, second, third = await _candidates(db_url, 3)
    try:
        assert [await c.check() for c in (first, second, third)] == [True, False, False]
        for _ in range(3):  # heartbeats keep it, and never stack the lock
            assert await first.check() is True
        await first.release()
        assert not first.leading
        assert [await c.check() for c in (second, third)] == [True, False]
    finally:
        for candidate in (first, second, third):
            await candidate.release()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_advisory_lock_is_per_database(db_url: str, pg_cluster: PgCluster) -> None:
    other = pg_cluster.url(db_url.rsplit("/", 1)[1] + "_other")
    pg_cluster.psql(f"CREATE DATABASE {other.rsplit('/', 1)[1]}")
    here, there = leadership_for(db_url), leadership_for(other)
    try:
        assert await here.check() and await there.check()  # two Tagihs, two leaders
    finally:
        await here.release()
        await there.release()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_leader_whose_session_ends_steps_down_and_another_takes_over(db_url: str) -> None:
    first, second = await _candidates(db_url, 2)
    db = Database(db_url)
    try:
        assert await first.check() and not await second.check()
        async with db.engine.connect() as conn:  # an admin, or a failover, ends the session
            ended = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = 'tagih-leader' AND pid IN"
                    " (SELECT pid FROM pg_locks WHERE locktype = 'advisory')"
                )
            )
        assert ended == 1
        assert await first.check() is False  # the heartbeat fails: no longer the leader
        assert await second.check() is True
        assert await first.check() is False  # reconnects, but the lock is taken
    finally:
        await first.release()
        await second.release()
        await db.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_advisory_lock_is_freed_when_the_leader_is_killed(
    db_url: str, holder_factory: list[asyncio.subprocess.Process]
) -> None:
    [survivor] = await _candidates(db_url, 1)
    try:
        took = await takeover_after_kill(db_url, holder_factory, survivor)
        print(f"PostgreSQL advisory lock: takeover {took * 1000:.0f} ms after SIGKILL")
        # The lock is free once the session ends: a service's next check wins it, so
        # takeover is bounded by the check interval, well within the 60 s promised.
        assert took < 5 and CHECK_SECONDS + took < 60
    finally:
        await survivor.release()


async def test_unreachable_database_means_not_leader() -> None:
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    leadership = PostgresLeadership(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x", timeout=2)
    try:
        assert await leadership.check() is False
        assert not leadership.leading
    finally:
        await leadership.release()


# --- start-up: processes started together take turns to migrate and seed -------------------


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_startup_lock_makes_processes_take_turns(db_url: str) -> None:
    order: list[str] = []
    inside = asyncio.Event()

    async def first() -> None:
        async with startup_lock(db_url):
            order.append("first in")
            inside.set()
            await asyncio.sleep(0.2)  # the second waits on PostgreSQL meanwhile
            order.append("first out")

    async def second() -> None:
        await inside.wait()
        async with startup_lock(db_url):
            order.append("second in")

    await asyncio.gather(first(), second())
    assert order == ["first in", "first out", "second in"]


async def test_startup_lock_elsewhere_is_a_no_op(tmp_path: Path) -> None:
    async with startup_lock(f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}"):
        pass


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_processes_started_together_on_an_empty_database_all_start(
    db_url: str, pg_cluster: PgCluster
) -> None:
    """Migrations and the default policy's seed race without the start-up lock: one of two
    processes died (creating alembic_version on an empty database, or UniqueViolationError on
    policy_name_key on a migrated database)."""
    name = db_url.rsplit("/", 1)[1] + "_empty"
    pg_cluster.psql(f"CREATE DATABASE {name}")  # not even migrated
    url = pg_cluster.url(name)
    opener = (
        "import asyncio, sys\n"
        "from bot.app.tagih import Tagih\n"
        "from bot.config import load_settings\n"
        "async def main():\n"
        "    app = Tagih(load_settings(database_url=sys.argv[1], load_examples=False))\n"
        "    await app.open(with_channels=False)\n"
        "    await app.close()\n"
        "asyncio.run(main())\n"
    )
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            opener,
            url,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    errors = [(await proc.communicate())[1].decode() for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], errors
