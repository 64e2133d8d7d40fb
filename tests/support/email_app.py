"""A running Tagih whose email goes to a real SMTP sink (the other providers in their sandboxes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app.tagih import Tagih, utc_now
from bot.config import load_settings
from bot.sandbox.smtp import SmtpSink


@asynccontextmanager
async def email_app(
    db_url: str, tmp_path: Path, *, clock: Any = utc_now, worker: str = "w", **settings: Any
) -> AsyncIterator[tuple[Tagih, SmtpSink]]:
    """Open Tagih on `db_url` with SMTP on a sink under `tmp_path`; close both after."""
    sink = SmtpSink(tmp_path / "mail")
    await sink.start()
    app = Tagih(
        load_settings(
            database_url=db_url,
            smtp_host=sink.host,
            smtp_port=sink.port,
            smtp_starttls=False,
            sandbox_dir=tmp_path / "sandbox",
            load_examples=False,
            **settings,
        ),
        clock=clock,
        worker=worker,
    )
    await app.open()
    try:
        yield app, sink
    finally:
        await app.close()
        await sink.stop()
