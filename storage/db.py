"""Async engine and sessions: aiosqlite by default (WAL, busy timeout), asyncpg for PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import stamina
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 30_000

T = TypeVar("T")

#: Attempts of a transaction that met a transient error (the first one included).
RETRY_ATTEMPTS = 4


def transient(error: Exception) -> bool:
    """Whether a fresh transaction may well succeed where this one failed: a lock or a
    lost connection (`OperationalError`, `InterfaceError`, an invalidated connection),
    never a constraint or a programming error."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


async def retried(work: Callable[[], Awaitable[T]]) -> T:
    """`work()` (one whole transaction), run again after a transient database error.

    Only around work that is safe to repeat as a whole — claims and the recording of
    outcomes — never around a send: a provider must not get a message twice.
    """
    async for attempt in stamina.retry_context(
        on=transient, attempts=RETRY_ATTEMPTS, timeout=60.0, wait_initial=0.2, wait_max=5.0
    ):
        with attempt:
            return await work()
    raise AssertionError("stamina re-raises after the last attempt")  # pragma: no cover


def is_sqlite(engine: AsyncEngine) -> bool:
    """True when the engine talks to SQLite (single writer, no SKIP LOCKED)."""
    return engine.dialect.name == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; on SQLite every transaction takes the write lock up front."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE transactions.

    pysqlite's own transaction handling begins lazily and cannot upgrade a read
    transaction to a write one without SQLITE_BUSY; taking the lock at BEGIN makes
    every transaction a clean single-writer one (SQLAlchemy's documented recipe).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A factory of SQLModel async sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Database:
    """The engine and its session factory, created once by the composition root."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        """Create the engine for `url` (nothing connects until first use)."""
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = session_factory(self.engine)
        # SQLite has one writer: in-process writers queue here instead of busy-polling
        # the file lock and holding pooled connections while they wait.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        """True on SQLite."""
        return is_sqlite(self.engine)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        if self._write_lock is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._write_lock, self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Run the smallest query there is; raises when the database cannot be reached."""
        async with self.sessions() as session:
            await session.exec(select(1))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
