"""Two `tagih` worker processes on one PostgreSQL database never send a follow-up twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.app.tagih import Tagih
from bot.config import load_settings
from bot.sandbox.smtp import SmtpSink
from storage.enums import FollowUpStatus
from storage.models import FollowUp, Message
from tests.support.factories import add_customer

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
CUSTOMERS = 60


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_workers_share_the_work_without_duplicates(db_url: str, tmp_path: Path) -> None:
    sink = SmtpSink(tmp_path / "mail")
    _, port = await sink.start()
    try:
        app = Tagih(load_settings(database_url=db_url, load_examples=False))
        await app.open(with_channels=False)
        for i in range(CUSTOMERS):
            await add_customer(
                app.db,
                f"C{i:03}",
                email=f"ap{i}@example.co.id",
                invoices=[(f"INV-{i}", dt.date(2026, 11, 22), "1000000")],
            )
        planned = await app.plan(NOW)
        assert planned.planned == CUSTOMERS
        workers = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.support.worker_proc",
                db_url,
                str(port),
                NOW.isoformat(),
                name,
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            for name in ("worker-1", "worker-2")
        ]
        outputs = [json.loads((await w.communicate())[0]) for w in workers]
        assert [w.returncode for w in workers] == [0, 0]
        async with app.db.sessions() as session:
            sent = (
                await session.exec(
                    select(func.count())
                    .select_from(FollowUp)
                    .where(FollowUp.status == FollowUpStatus.SENT)
                )
            ).one()
            statuses = Counter((await session.exec(select(Message.status))).all())
        await app.db.dispose()
        recipients = Counter(m["To"].addresses[0].addr_spec for m in sink.messages)
        assert sent == CUSTOMERS
        # A row claimed twice would show up as an "unknown" duplicate caught by its key.
        assert statuses == {"sent": CUSTOMERS}
        assert len(recipients) == CUSTOMERS and set(recipients.values()) == {1}
        assert sum(o["sent"] for o in outputs) == CUSTOMERS
        print("work split between the workers:", outputs)
    finally:
        await sink.stop()
