"""A dispatch worker in its own process, for the two-worker PostgreSQL test."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

from bot.app.tagih import Tagih
from bot.config import load_settings


async def main(url: str, port: int, now: str, worker: str) -> None:
    """Run dispatch ticks until nothing is due, then print what this worker did."""
    settings = load_settings(
        database_url=url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        load_examples=False,
        dispatch_batch_size=5,
    )
    app = Tagih(settings, worker=worker)
    await app.open()
    try:
        dispatcher = await app.dispatcher()
        stats = await dispatcher.tick(dt.datetime.fromisoformat(now))
        print(json.dumps({"worker": worker, "claimed": stats.claimed, "sent": stats.sent}))
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]))
