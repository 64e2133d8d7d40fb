"""The naive baseline's job: one APScheduler job per reminder calls this by textual reference.

It does the same "send" as Tagih's dispatcher at its end — build an `Outbound` and hand it to
the same `NoopChannel` — and nothing of Tagih's bookkeeping (no re-check, no message log).
"""

from __future__ import annotations

import asyncio

from bench.common import NoopChannel
from scheduler.messages import Address, Outbound

#: Set by the benchmark before the scheduler starts.
CHANNEL = NoopChannel("email")
DONE = asyncio.Event()
TARGET = 0


async def send_reminder(customer_id: int, address: str, name: str, amount: int) -> None:
    """Send one reminder through the shared no-op channel."""
    key = f"job:{customer_id}"
    await CHANNEL.send(
        Outbound(
            to=Address("email", address, name),
            body=f"Yth. {name}, tagihan Rp{amount:,} sudah jatuh tempo.",
            idempotency_key=key,
            subject="Pengingat tagihan",
        )
    )
    if len(CHANNEL.sent) >= TARGET:
        DONE.set()
