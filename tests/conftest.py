"""Shared fixtures: a migrated database on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# rich reads COLUMNS once, when a Console is made: a module-level console (bot/cli*.py) made
# while COLUMNS is set keeps that width for good, whatever a test sets later. pytest-xdist's
# workers start with COLUMNS=80, and a shell may export it: unset here, before any test
# module is imported, every test gets the width it sets itself (or the terminal's).
os.environ.pop("COLUMNS", None)

from storage.db import Database
from storage.migrate import upgrade
from tests.support.imap import Dovecot, find_dovecot, running_dovecot
from tests.support.pg import PgCluster, find_pg_bin, running_cluster

ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count()
# The opt-in `tagih` makes at start-up (bot.cli.main.main): python-telegram-bot 22 otherwise warns
# (an error here) each time it builds a RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster | None]:
    """A PostgreSQL cluster with a migrated template database, or None when not installed."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        if os.environ.get("TAGIH_REQUIRE_POSTGRES"):
            pytest.fail("TAGIH_REQUIRE_POSTGRES is set but no PostgreSQL binaries were found")
        yield None
        return
    with running_cluster(bin_dir) as cluster:
        cluster.psql("CREATE DATABASE tagih_template")
        db = Database(cluster.url("tagih_template"))

        async def _migrate() -> None:
            await upgrade(db)
            await db.dispose()

        asyncio.run(_migrate())
        yield cluster


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    """A throwaway dovecot IMAP server (tests/support/imap.py); skipped when dovecot is missing."""
    binary = find_dovecot()
    if binary is None:
        if os.environ.get("TAGIH_REQUIRE_DOVECOT"):
            pytest.fail("TAGIH_REQUIRE_DOVECOT is set but dovecot is not installed")
        pytest.skip("dovecot (dovecot-imapd) is not installed on this machine")
    with running_dovecot(binary, tls=True) as server:
        yield server


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite+aiosqlite:///{path}")

    async def _migrate() -> None:
        await upgrade(db)
        await db.dispose()  # closing the last connection checkpoints the WAL into the file

    asyncio.run(_migrate())
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database on each backend (PostgreSQL's dropped after)."""
    if request.param == "sqlite":
        path = tmp_path / "tagih.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    cluster: PgCluster | None = request.getfixturevalue("pg_cluster")
    if cluster is None:
        pytest.skip("PostgreSQL binaries (initdb, postgres) are not installed on this machine")
    name = f"tagih_test_{os.getpid()}_{next(_counter)}"
    cluster.create_database(name, "tagih_template")
    yield cluster.url(name)
    # Hundreds of kept copies cost the session's shutdown a minute and more (issue 15).
    cluster.drop_database(name)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A `Database` on a fresh, migrated database (SQLite and PostgreSQL)."""
    database = Database(db_url)
    yield database
    await database.dispose()
