"""Load on the customer-message webhook: replies/s and latency, on SQLite or PostgreSQL.

    .venv/bin/python -m tests.support.inbox_load --backend postgresql --rate 500 --seconds 10

The server (web app, inbox worker, database) runs in this process; signed Twilio requests
come from a separate client process, open loop at `--rate` per second (or closed loop with
`--concurrency` when `--rate 0`), so the client's own work is not counted as the server's.
Reports the webhook's throughput, p50/p99/max latency and errors, then how long the worker
took to apply every message. PostgreSQL runs in a throwaway cluster (fsync off).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TOKEN = "load-test-auth-token-0123456789ab"
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


def phone(i: int) -> str:
    return f"+62812{i:07d}"


# --- client (a separate process) -------------------------------------------------------------
async def _client(url: str, total: int, rate: float, concurrency: int, senders: int) -> None:
    import aiohttp
    from twilio.request_validator import RequestValidator
    from yarl import URL

    validator = RequestValidator(TOKEN)
    target = url + "/twilio/messages"
    latencies: list[float] = []
    errors: dict[str, int] = {}

    def form(n: int) -> dict[str, str]:
        return {
            "From": phone(n % senders),
            "To": "+622150000001",
            "Body": ("2", "jumat", "1", "halo")[(n // senders) % 4],
            "MessageSid": f"SM{n:032d}",
            "AccountSid": "AC" + "0" * 32,
            "NumMedia": "0",
        }

    async def one(http: aiohttp.ClientSession, n: int) -> None:
        data = form(n)
        headers = {"X-Twilio-Signature": validator.compute_signature(target, data)}
        started = time.perf_counter()
        try:
            async with http.post(URL(target, encoded=True), data=data, headers=headers) as r:
                await r.read()
                if r.status != 200:
                    errors[str(r.status)] = errors.get(str(r.status), 0) + 1
        except Exception as exc:  # counted, not raised: the report says what failed
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        if rate > 0:  # open loop: a request every 1/rate s, whatever the answers do
            tasks = []
            for n in range(total):
                delay = started + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(http, n)))
            await asyncio.gather(*tasks)
        else:
            queue = iter(range(total))

            async def loop() -> None:
                for n in queue:
                    await one(http, n)

            await asyncio.gather(*(loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    print(json.dumps({"latencies": latencies, "elapsed": elapsed, "errors": errors}))


# --- server ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{folder}/load.db"
        return
    from tests.support.pg import find_pg_bin, running_cluster

    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries (initdb, postgres) are not installed")
    with running_cluster(bin_dir) as cluster:
        cluster.psql("CREATE DATABASE tagih_load")
        yield cluster.url("tagih_load")


async def _seed(db: Any, senders: int) -> None:
    from sqlalchemy import insert

    from storage.models import Contact, Customer, Invoice, table_of

    rows = range(1, senders + 1)
    async with db.transaction() as session:
        conn = await session.connection()
        await conn.execute(
            insert(table_of(Customer)),
            [
                {
                    "id": i,
                    "code": f"C{i:05d}",
                    "name": f"PT {i}",
                    "segment": "",
                    "language": "id",
                    "timezone": "Asia/Jakarta",
                    "credit_hold": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in rows
            ],
        )
        await conn.execute(
            insert(table_of(Contact)),
            [
                {
                    "customer_id": i,
                    "channel": "sms",
                    "address": phone(i - 1),
                    "consent": True,
                    "verified": False,
                    "created_at": NOW,
                }
                for i in rows
            ],
        )
        await conn.execute(
            insert(table_of(Invoice)),
            [
                {
                    "number": f"INV-{i}",
                    "customer_id": i,
                    "issue_date": dt.date(2026, 10, 10),
                    "due_date": dt.date(2026, 11, 10),
                    "currency": "IDR",
                    "amount": 5_000_000,
                    "balance": 5_000_000,
                    "item": "",
                    "status": "open",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in rows
            ],
        )
    if db.engine.dialect.name == "postgresql":
        async with db.transaction() as session:
            conn = await session.connection()
            for table in ("customer", "contact", "invoice"):
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )


async def _serve(args: argparse.Namespace, url: str) -> dict[str, Any]:
    from bot.flows.types import PaymentInfo
    from bot.inbound.conversation import ConversationConfig
    from bot.inbound.router import InboundRouter
    from bot.inbound.web import WebDeps, build_web_app, start_web
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(url)
    await upgrade(db)
    await _seed(db, args.senders)
    router = InboundRouter(
        db,
        default_language="id",
        clock=lambda: NOW,
        conversation=ConversationConfig(payment=PaymentInfo(bank_accounts=("BCA 1",))),
    )
    deps = WebDeps(db=db, router=router, public_url="", clock=lambda: NOW, twilio_auth_token=TOKEN)
    inbox = hasattr(deps, "channels")  # False on the synchronous webhook before the inbox
    if inbox:
        from tests.support.inbox_support import RecordingChannel

        channel = RecordingChannel()
        deps.channels = {"sms": channel}
    app = build_web_app(deps)
    runner, base = await start_web(app, "127.0.0.1", 0)
    deps.public_url = base
    if inbox and not args.worker:
        await deps.inbox.stop()  # the webhook alone: events stay kept
    client = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--client",
        base,
        "--requests",
        str(args.requests),
        "--rate",
        str(args.rate),
        "--concurrency",
        str(args.concurrency),
        "--senders",
        str(args.senders),
        stdout=subprocess.PIPE,
        env={**os.environ},
    )
    started, cpu = time.perf_counter(), time.process_time()
    out, _ = await client.communicate()
    cpu = time.process_time() - cpu
    report = json.loads(out)
    drained = None
    if inbox and args.worker:
        await deps.inbox.settled()
        drained = time.perf_counter() - started
    await runner.cleanup()
    await db.dispose()
    latencies = sorted(report["latencies"])

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000

    return {
        "backend": args.backend,
        "webhook": "inbox" if inbox else "synchronous (before the inbox)",
        "worker": bool(inbox and args.worker),
        "requests": len(latencies),
        "offered_rate": args.rate or f"closed loop x{args.concurrency}",
        "replies_per_s": round(len(latencies) / report["elapsed"], 1),
        "p50_ms": round(pct(0.50), 1),
        "p99_ms": round(pct(0.99), 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "errors": report["errors"],
        "server_cpu_ms_per_request": round(cpu * 1000 / len(latencies), 2),
        "applied_all_after_s": round(drained, 2) if drained else None,
        "applied_per_s": round(len(latencies) / drained, 1) if drained else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=500.0, help="per second; 0 = closed loop")
    parser.add_argument("--seconds", type=float, default=0, help="with --rate: sets --requests")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--senders", type=int, default=1000)
    parser.add_argument("--no-worker", dest="worker", action="store_false")
    parser.add_argument("--client", metavar="URL")
    args = parser.parse_args()
    if args.seconds and args.rate:
        args.requests = int(args.seconds * args.rate)
    if args.client:
        asyncio.run(_client(args.client, args.requests, args.rate, args.concurrency, args.senders))
        return
    with _database(args.backend) as url:
        print(json.dumps(asyncio.run(_serve(args, url)), indent=2))


if __name__ == "__main__":
    sys.path.append(str(Path(__file__).resolve().parents[2]))
    main()
