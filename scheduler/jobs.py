"""APScheduler 3 wiring: a handful of recurring jobs, never one job per reminder."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

Job = Callable[[dt.datetime], Awaitable[object]]


def build_scheduler(
    *,
    tick: Job,
    plan: Job,
    promises: Job,
    digests: Job,
    clock: Callable[[], dt.datetime],
    tick_seconds: int,
    timezone: str,
) -> AsyncIOScheduler:
    """The tick (dispatch, then alerts) every `tick_seconds`; promises and planning hourly;
    digests every five minutes (each goes out once a day, after its local time).

    The planning pass is idempotent, so running it hourly keeps every time zone's new
    day planned before its send time; the tick only claims rows, whatever the portfolio.
    """
    scheduler = AsyncIOScheduler(timezone=timezone)

    async def run_tick() -> None:
        stats = await tick(clock())
        log.debug("tick: %s", stats)

    async def run_plan() -> None:
        stats = await plan(clock())
        log.info("planning pass: %s", stats)

    _add_job(scheduler, run_tick, IntervalTrigger(seconds=tick_seconds), "dispatch-tick")

    async def run_promises() -> None:
        stats = await promises(clock())
        log.info("promise check: %s", stats)

    # Promises are settled at :04, just before planning at :05 resumes broken ones.
    _add_job(scheduler, run_promises, CronTrigger(minute=4), "promise-check")

    async def run_digests() -> None:
        await digests(clock())

    # Each staff member's digest goes out on the first run after their local digest time.
    _add_job(scheduler, run_digests, CronTrigger(minute="*/5"), "digests")
    _add_job(scheduler, run_plan, CronTrigger(minute=5), "planning-pass")
    return scheduler


def _add_job(
    scheduler: AsyncIOScheduler,
    run: Callable[[], Awaitable[None]],
    trigger: IntervalTrigger | CronTrigger,
    job_id: str,
) -> None:
    """Add a recurring job: never two runs at once; missed runs merge into one, however late."""
    scheduler.add_job(
        run,
        trigger,
        id=job_id,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
