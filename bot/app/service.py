"""`tagih run`: the service loop around a `Tagih` — webhooks, ticks, jobs, clean shutdown.

Many `tagih run` processes may share one database. Every process serves webhooks and runs
the dispatch tick (claims make that safe); one of them, the leader (scheduler/leader.py),
also plans, checks promises, sends the digests and polls Telegram. Each process asks the
leadership every `CHECK_SECONDS` and before each leader job; a process that takes over
catches up at once (promise check, then planning), since the old leader may have died
before its hourly pass.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apscheduler.triggers.interval import IntervalTrigger

from bot.app.folder_sync import SyncFolder
from bot.app.tagih import Tagih, safe_url
from scheduler.jobs import Job, build_scheduler
from scheduler.leader import CHECK_SECONDS, Leadership, leadership_for

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler


@dataclass
class Service:
    """The leadership side of one process: who runs the once-only jobs, and handing over."""

    app: Tagih
    leadership: Leadership
    announce: Callable[[str], None]
    #: Whether this process led at the last check.
    leading: bool = False

    async def lead(self, now: dt.datetime, *, catch_up: bool = True) -> bool:
        """Ask the leadership; start or stop the leader's work on a change. True when leading.

        On taking over (with `catch_up`), settle promises and plan at once.
        """
        leading = await self.leadership.check()
        if leading == self.leading:
            return leading
        self.leading = leading
        await self.app.set_leading(leading)
        if not leading:
            self.announce(
                f"Leader: {self.app.worker} is no longer the leader; it keeps dispatching "
                "and serving webhooks"
            )
            return False
        self.announce(
            f"Leader: {self.app.worker} leads (planning, promise checks, digests, Telegram polling)"
        )
        if catch_up:
            promises = await self.app.check_promises(now)
            planned = await self.app.plan(now)
            self.announce(
                f"Leader: took over; {promises.broken} promises broken, "
                f"{promises.kept} kept; planned follow-ups for {planned.customers} customers"
            )
        return True

    def leader_only(self, job: Job) -> Job:
        """`job`, run only while this process leads (asked right before each run)."""

        async def run(now: dt.datetime) -> object:
            if not await self.lead(now):
                return "skipped: another process leads"
            return await job(now)

        return run

    async def watch(self) -> None:
        """The leadership job: every `CHECK_SECONDS`, take over from a dead leader."""
        await self.lead(self.app.clock())

    def folder_job(self) -> Job | None:
        """The job importing exports dropped in TAGIH_SYNC_DIR, or None when unset.

        Leader only: two processes must not import (and move) the same file.
        """
        settings = self.app.settings
        if settings.sync_dir is None:
            return None
        settings.sync_dir.mkdir(parents=True, exist_ok=True)
        folder = SyncFolder(
            settings.sync_dir,
            self.app.db,
            full_export=settings.sync_full,
            currency=settings.currency,
            language=settings.language,
            timezone=settings.timezone,
            clock=self.app.clock,
        )

        async def sync(now: dt.datetime) -> object:
            outcomes = await folder.poll()
            for outcome in outcomes:
                state = "imported" if outcome.ok else "FAILED"
                self.announce(f"sync: {outcome.file.name} {state}: {outcome.summary}")
            return outcomes

        return self.leader_only(sync)

    async def close(self) -> None:
        """Step down so that another process takes over at once."""
        if self.leading:
            await self.app.set_leading(False)
        self.leading = False
        await self.leadership.release()


async def serve(
    app: Tagih,
    *,
    announce: Callable[[str], None],
    stop: asyncio.Event | None = None,
    leadership: Leadership | None = None,
) -> None:
    """`tagih run`: lead or follow, plan if leading, then tick every minute until
    SIGINT/SIGTERM (or `stop`)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app.leading = False  # no Telegram polling before the leadership says so
    await app.open(with_web=True)
    app.start_render_process()
    if app.sandbox_inbox_url is not None:
        # First, on a line of its own: the one address a person trying Tagih needs.
        announce(
            f">>> Sandbox inbox: {app.sandbox_inbox_url} <<< open it in a browser to see "
            "every message and answer as any customer or staff member"
        )
    service = Service(app, leadership or leadership_for(app.settings.database_url), announce)
    try:
        leading = await service.lead(app.clock(), catch_up=False)
        if leading:
            await app.load_examples_if_empty()
        await _announce_start(app, announce)
        await _plan_or_follow(app, announce, leading=leading)
        await _first_dispatch(app, announce)
        scheduler = _scheduler(app, service, announce)
        scheduler.start()
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
        announce("Stopping.")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        try:
            await service.close()
        finally:
            await app.close()


async def _announce_start(app: Tagih, announce: Callable[[str], None]) -> None:
    """The database, what the app announced and warned of, and the staff alerts cannot reach."""
    announce(f"Database: {safe_url(app.settings.database_url)}")
    for line in app.announcements:
        announce(line)
    for line in app.warnings:
        announce(f"warning: {line} (retried every dispatch tick)")
    unreachable = await app.staff_without_alerts()
    if unreachable:
        shown = ", ".join(unreachable[:10]) + (" …" if len(unreachable) > 10 else "")
        announce(
            f"warning: {len(unreachable)} staff cannot receive alerts (no Telegram chat "
            f"or email): {shown}; their alerts go to the admins until "
            "`tagih staff update NAME --email …` (or `tagih staff invite`) fixes it"
        )


async def _plan_or_follow(app: Tagih, announce: Callable[[str], None], *, leading: bool) -> None:
    """The leader plans at once; a follower says who does what."""
    if leading:
        planned = await app.plan()
        announce(
            f"Planned follow-ups for {planned.customers} customers; "
            f"dispatching every {app.settings.dispatch_interval_seconds} s. Ctrl-C stops."
        )
    else:
        announce(
            "Another process leads (planning, promise checks, digests, Telegram polling); "
            f"this one dispatches every {app.settings.dispatch_interval_seconds} s, "
            f"serves webhooks and takes over within {CHECK_SECONDS} s if the leader "
            "stops. Ctrl-C stops."
        )


async def _first_dispatch(app: Tagih, announce: Callable[[str], None]) -> None:
    """One dispatch tick now, rather than a minute from now, and what it did."""
    dispatcher = await app.dispatcher()
    stats = await dispatcher.tick(app.clock())
    announce(
        f"First dispatch: {stats.sent} sent, {stats.skipped} skipped, "
        f"{stats.deferred} waiting for the contact window"
    )
    for channel, reason in stats.down.items():
        announce(f"warning: {channel} unreachable ({reason}); retried next tick")


def _scheduler(app: Tagih, service: Service, announce: Callable[[str], None]) -> AsyncIOScheduler:
    """The jobs, not yet started: the tick; planning, promises and digests (leader only); the
    folder sync when TAGIH_SYNC_DIR is set; and the leadership check."""
    scheduler = build_scheduler(
        tick=app.tick,
        plan=service.leader_only(app.plan),
        promises=service.leader_only(app.check_promises),
        digests=service.leader_only(app.send_digests),
        clock=app.clock,
        tick_seconds=app.settings.dispatch_interval_seconds,
        timezone=app.settings.timezone,
    )
    sync = service.folder_job()
    if sync is not None:

        async def run_sync(job: Job = sync) -> None:
            await job(app.clock())

        scheduler.add_job(
            run_sync,
            IntervalTrigger(seconds=app.settings.sync_poll_seconds),
            id="sync",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        announce(
            f"Importing exports dropped in {app.settings.sync_dir} "
            f"(checked every {app.settings.sync_poll_seconds} s, leader only)"
        )
    scheduler.add_job(
        service.watch,
        IntervalTrigger(seconds=CHECK_SECONDS),
        id="leadership",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    return scheduler
