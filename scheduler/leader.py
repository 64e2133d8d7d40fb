"""Leadership: of many `tagih run` processes on one database, exactly one leads.

Every process dispatches and serves webhooks; the leader alone runs the jobs that must
run once — planning, promise checks, digests — and polls Telegram (Telegram answers a
second poller with 409 Conflict). The service asks `check()` every `CHECK_SECONDS` and
before each leader job.

- **PostgreSQL**: a session-level advisory lock (`pg_try_advisory_lock`) held on a
  dedicated connection kept open, in autocommit (never idle in a transaction). Each
  `check()` is a heartbeat that also asks `pg_locks` whether this very session still holds
  the lock; a failed or timed-out heartbeat means "not leader" and the connection is
  dropped. When the leader process dies, even by SIGKILL, its kernel closes the socket,
  PostgreSQL ends the session and frees the lock at once: the next `check()` of another
  process wins it, so takeover takes at most `CHECK_SECONDS`. When the leader's *host*
  vanishes (power, network), the server notices through the TCP keepalives this session
  asks for (idle 10 s, then 3 probes 5 s apart, plus `tcp_user_timeout`): about 25 s, so
  another process leads within 25 + 15 < 60 s. The lock needs a real session: point
  TAGIH_DATABASE_URL at PostgreSQL or a session-pooling PgBouncer, not a transaction pool.
- **SQLite**: one machine, but possibly two processes on one file. An exclusive
  `fcntl.flock` on a lock file beside the database (`<db>.leader`). Chosen over a lease
  row in a table because the kernel releases it the moment the process dies (no lease to
  expire, no clock to trust, takeover at the next check), and it writes nothing to the
  database, whose single write lock the dispatcher needs. It binds processes on one
  machine, which is all SQLite supports anyway (not on NFS, where SQLite is unsafe too).
- **SQLite in memory**, or a platform without `fcntl`: the process is always the leader.

`startup_lock` makes processes started together on one PostgreSQL take turns to migrate
and seed (without it, all but one could die on a duplicate key).

Two leaders at once happen only between a leader's lost session and its next check (it
asks before every leader job, so for one job at most): planning is idempotent and safe
when run concurrently, a digest carries a per-day idempotency key, Telegram answers a
second poller 409 (retried). Two promise checks at the very same moment could alert a
collector twice about one broken promise (they take no row lock).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

try:
    import fcntl

    HAS_FLOCK = True
except ImportError:  # pragma: no cover - Windows: no flock, the process always leads
    HAS_FLOCK = False

log = logging.getLogger(__name__)

#: The advisory lock's key: "tagi" in ASCII. Advisory locks are per database, so two
#: Tagih databases on one cluster each elect their own leader.
LOCK_KEY = 0x74616769
#: The advisory lock processes take turns on to migrate and seed at start-up ("tagu").
STARTUP_KEY = 0x74616775
#: How often the service asks; takeover after a leader's death takes at most this long
#: (plus, on PostgreSQL, the keepalive time when its whole host vanished).
CHECK_SECONDS = 15
#: A heartbeat or lock attempt slower than this counts as a lost connection.
TIMEOUT_SECONDS = 10.0
#: Per-session server settings of the leader's connection: a vanished client is found
#: dead after ~25 s (idle 10 s + 3 probes of 5 s), and unacknowledged data after 20 s.
KEEPALIVES = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "20000",
    "application_name": "tagih-leader",
}


class Leadership(Protocol):
    """Who leads: `check` to become or stay leader, `release` to step down."""

    @property
    def leading(self) -> bool:
        """The outcome of the last `check` (False before the first)."""
        ...

    async def check(self) -> bool:
        """Try to become the leader, or confirm this process still is; True while leading."""
        ...

    async def release(self) -> None:
        """Step down (another process can take over at once) and free what is held."""
        ...


class AlwaysLeader:
    """A process alone with its database (SQLite in memory): it always leads."""

    leading = True

    async def check(self) -> bool:
        """Always True."""
        return True

    async def release(self) -> None:
        """Nothing is held."""


class FileLeadership:
    """SQLite: an exclusive `flock` on a lock file; the kernel frees it when we die."""

    def __init__(self, path: Path) -> None:
        """Lead through the lock file at `path` (created when missing, never deleted)."""
        self.path = path
        self._fd: int | None = None

    @property
    def leading(self) -> bool:
        """True while the lock is held."""
        return self._fd is not None

    async def check(self) -> bool:
        """Hold the lock, or take it when free (never waits)."""
        if self._fd is not None:
            if self._still_ours(self._fd):
                return True
            log.warning("leader lock file %s was replaced: stepping down", self.path)
            self._close()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        # Who holds it, for an operator reading the file.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True

    def _still_ours(self, fd: int) -> bool:
        """False when the lock file was deleted or replaced (its lock binds nobody else)."""
        try:
            return os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            return False

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor releases the flock
            self._fd = None

    async def release(self) -> None:
        """Unlock and close (the file stays: deleting it would race a new holder)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._close()


class PostgresLeadership:
    """PostgreSQL: a session-level advisory lock on a dedicated connection held open."""

    def __init__(self, url: str, *, key: int = LOCK_KEY, timeout: float = TIMEOUT_SECONDS) -> None:
        """Lead on the database at `url` (an asyncpg URL), locking advisory `key`."""
        self.key = key
        self.timeout = timeout
        self._engine: AsyncEngine = create_async_engine(
            url,
            poolclass=NullPool,  # this connection is ours alone, never pooled or recycled
            isolation_level="AUTOCOMMIT",
            connect_args={
                "timeout": timeout,
                "command_timeout": timeout,
                "server_settings": KEEPALIVES,
            },
        )
        self._conn: AsyncConnection | None = None
        self._leading = False

    @property
    def leading(self) -> bool:
        """The outcome of the last `check`."""
        return self._leading

    async def check(self) -> bool:
        """Heartbeat the held lock, or try to take it; any failure means "not leader"."""
        try:
            async with asyncio.timeout(self.timeout):
                if self._leading:
                    self._leading = await self._holds()
                    if not self._leading:
                        log.warning("leader lock lost (session ended?): stepping down")
                        await self._drop()
                else:
                    self._leading = await self._acquire()
        except Exception as exc:  # connection lost, refused or too slow (TimeoutError)
            if self._leading:
                log.warning("leader heartbeat failed (%s): stepping down", _describe(exc))
            else:
                log.debug("leader lock attempt failed: %s", _describe(exc))
            self._leading = False
            await self._drop()
        return self._leading

    async def _connection(self) -> AsyncConnection:
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = await self._engine.connect()
        return self._conn

    async def _acquire(self) -> bool:
        conn = await self._connection()
        taken = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
        return bool(taken)

    async def _holds(self) -> bool:
        """Whether this session still holds the lock (a round trip: the heartbeat)."""
        conn = await self._connection()
        held = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND classid::bigint = :high"
                " AND objid::bigint = :low AND objsubid = 1"
            ),
            {"high": self.key >> 32, "low": self.key & 0xFFFFFFFF},
        )
        return bool(held)

    async def _drop(self) -> None:
        """Forget the connection; closing it ends the session, which frees the lock."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            async with asyncio.timeout(self.timeout):
                await conn.close()
        except Exception:  # a dead socket: nothing left to close
            await conn.invalidate()

    async def release(self) -> None:
        """Unlock, close the session and the engine: another process takes over at once."""
        if self._leading and self._conn is not None:
            try:
                async with asyncio.timeout(self.timeout):
                    await self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
            except Exception as exc:
                log.debug("leader unlock failed: %s", _describe(exc))
        self._leading = False
        await self._drop()
        await self._engine.dispose()


def _describe(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]


def leadership_for(url: str) -> Leadership:
    """The leadership that fits the database at `url` (see the module's docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PostgresLeadership(url)
    database = (parsed.database or "").removeprefix("file:")
    in_memory = database in ("", ":memory:") or parsed.query.get("mode") == "memory"
    if in_memory or not HAS_FLOCK:
        return AlwaysLeader()
    return FileLeadership(Path(f"{database}.leader"))


@asynccontextmanager
async def startup_lock(url: str) -> AsyncIterator[None]:
    """Processes starting together on one PostgreSQL take turns (migrations, seeding).

    A blocking session-level advisory lock on a connection of its own, freed on exit or
    when the process dies. Elsewhere nothing to do: on SQLite every transaction, the
    migration's included, takes the single write lock at BEGIN.
    """
    if make_url(url).get_backend_name() != "postgresql":
        yield
        return
    engine = create_async_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_KEY})
            try:
                yield
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_KEY})
    finally:
        await engine.dispose()
