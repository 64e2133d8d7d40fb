"""A throwaway PostgreSQL cluster for the test session (initdb in a temporary folder).

The cluster lives in memory (/dev/shm) where the machine has it: each test's database is a
copy of a migrated template and is dropped after the test, so a run writes nothing to disk
and the shutdown has nothing left to clean. Databases are created and dropped over one
connection kept open (`Admin`): a psql process per statement cost 0.1 s and more each.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

#: Where clusters are made: memory when the machine has it (the data is thrown away anyway).
SHM = Path("/dev/shm")


def find_pg_bin() -> Path | None:
    """The folder holding initdb and postgres, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("postgres"):
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class PgCluster:
    """A running cluster reachable on loopback as the trusted superuser `postgres`."""

    port: int
    #: The running server (stop and start it again on the same port), if this session owns it.
    server: PgServer | None = field(default=None, compare=False, repr=False)
    #: A connection kept open for creating and dropping databases, if this session owns it.
    admin: Admin | None = field(default=None, compare=False, repr=False)

    def create_database(self, name: str, template: str) -> None:
        """A new database copied from `template` (no one may be connected to the template)."""
        # FILE_COPY copies the template's files; the default (WAL_LOG) writes them into the WAL.
        self._admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")

    def drop_database(self, name: str) -> None:
        """Drop `name`, ending any session still connected to it (a test's leftover pool)."""
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _admin(self, sql: str) -> None:
        if self.admin is None:
            self.psql(sql)
        else:
            self.admin.execute(sql)

    def stop(self) -> None:
        """Shut the server down ("fast": every client is disconnected) until `start`."""
        assert self.server is not None
        self.server.stop()

    def start(self) -> None:
        """Start the stopped server again on the same port and wait until it answers."""
        assert self.server is not None
        self.server.start()

    def url(self, database: str) -> str:
        """An asyncpg URL for `database`."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        """Run one SQL statement through psql (outside any transaction)."""
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        )


@contextlib.contextmanager
def running_cluster(bin_dir: Path) -> Iterator[PgCluster]:
    """initdb + postgres on a free loopback port; as root, both run as the `postgres` user."""
    shm = SHM.is_dir() and os.access(SHM, os.W_OK)
    base = Path(tempfile.mkdtemp(prefix="tagih-pg-", dir=SHM if shm else None))
    data = base / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: hand the folder to the postgres account.
        shutil.chown(base, user="postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = PgServer(
        [
            *prefix,
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(base),
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ],
        log=base / "server.log",
        port=port,
    )
    admin = Admin(port)
    cluster = PgCluster(port=port, server=server, admin=admin)
    try:
        server.start()
        yield cluster
    finally:
        admin.close()
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


class Admin:
    """One superuser connection to `postgres`, on an event loop of its own thread (the
    fixtures that use it are synchronous); opened on first use, again after a restart."""

    def __init__(self, port: int) -> None:
        """Nothing connects until `execute`."""
        self.port = port
        self.connection: asyncpg.Connection | None = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="pg-admin", daemon=True)
        self.thread.start()

    def execute(self, sql: str) -> None:
        """Run one statement outside any transaction; errors are raised here."""
        self._run(self._execute(sql))

    async def _execute(self, sql: str) -> None:
        if self.connection is not None and not self.connection.is_closed():
            try:
                await self.connection.execute(sql)
                return
            except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
                self.connection.terminate()  # the server was restarted: connect again
        self.connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user="postgres", database="postgres", timeout=10
        )
        await self.connection.execute(sql)

    def close(self) -> None:
        """Close the connection and stop the thread's loop."""
        if self.connection is not None and not self.connection.is_closed():
            with contextlib.suppress(Exception):
                self._run(self.connection.close(timeout=5))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)


class PgServer:
    """The postgres process of a cluster: started, stopped and started again on one port."""

    def __init__(self, command: list[str], *, log: Path, port: int) -> None:
        """Nothing runs until `start`."""
        self.command, self.log, self.port = command, log, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start postgres and wait until it answers a query (60 s at most)."""
        with open(self.log, "ab") as log_file:
            self.process = subprocess.Popen(
                self.command, stdout=subprocess.DEVNULL, stderr=log_file
            )
        cluster = PgCluster(port=self.port)
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                cluster.psql("SELECT 1")
                return
            except (OSError, subprocess.CalledProcessError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL did not start: {self.log.read_text()}"
                    ) from None
                time.sleep(0.1)  # an external process: nothing to wait on but its port

    def stop(self) -> None:
        """Fast shutdown (SIGINT: sessions are ended, the cluster is left consistent)."""
        process, self.process = self.process, None
        if process is None:
            return
        # As root, postgres runs under runuser, which need not pass SIGINT on: signal the
        # postmaster itself, found as runuser's child (or the process itself).
        pid = _postmaster_pid(process.pid)
        os.kill(pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _postmaster_pid(pid: int) -> int:
    """The postgres process started as `pid`: itself, or runuser's only child."""
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "runuser":
            return pid
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pid
    return int(found[0]) if found else pid
