"""`tagih run`: the service loop around a `Tagih` — webhooks, ticks, jobs, clean shutdown."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

from bot.app import Tagih, safe_url
from scheduler.jobs import build_scheduler


async def serve(
    app: Tagih, *, announce: Callable[[str], None], stop: asyncio.Event | None = None
) -> None:
    """`tagih run`: plan, then tick every minute until SIGINT/SIGTERM (or `stop`)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await app.open(with_web=True)
    try:
        await app.load_examples_if_empty()
        announce(f"Database: {safe_url(app.settings.database_url)}")
        for line in app.announcements:
            announce(line)
        for line in app.warnings:
            announce(f"warning: {line} (retried every dispatch tick)")
        planned = await app.plan()
        announce(
            f"Planned follow-ups for {planned.customers} customers; "
            f"dispatching every {app.settings.dispatch_interval_seconds} s. Ctrl-C stops."
        )
        dispatcher = await app.dispatcher()
        stats = await dispatcher.tick(app.clock())
        announce(
            f"First dispatch: {stats.sent} sent, {stats.skipped} skipped, "
            f"{stats.deferred} waiting for the contact window"
        )
        for channel, reason in stats.down.items():
            announce(f"warning: {channel} unreachable ({reason}); retried next tick")
        scheduler = build_scheduler(
            tick=app.tick,
            plan=app.plan,
            promises=app.check_promises,
            digests=app.send_digests,
            clock=app.clock,
            tick_seconds=app.settings.dispatch_interval_seconds,
            timezone=app.settings.timezone,
        )
        scheduler.start()
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
        announce("Stopping.")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await app.close()
