"""Tagih against the naive design: one APScheduler 3.x job per reminder (goals 2 and 3).

The baseline is what DESIGN.md refuses: an `AsyncIOScheduler` with a `SQLAlchemyJobStore` on
a SQLite file and one date job per reminder, calling `bench.naive_job.send_reminder`, which
sends through the same `NoopChannel` Tagih's dispatcher uses (every provider limit lifted).

Both sides get the same N reminders — N customers, each with one invoice due yesterday and an
email address — so every one of them is due this morning:

- schedule: the baseline adds N jobs (a store transaction each, as `add_job` does); Tagih runs
  one planning pass (`Tagih.plan`, the set-based `plan_pass`) at 08:55 WIB.
- drain: the baseline resumes and runs every job (`misfire_grace_time=None`, so none is
  dropped: the most favourable setting for it); Tagih runs one dispatch tick at 09:05 WIB
  (claim, re-check, render, reserve, send, record) — ten minutes after planning, so
  Tagih's drain *is* the "10-minute stop": its reminders fell due at 09:00 while nothing ran.
- misfires after a 10-minute stop: the baseline's jobs fall due over a 10-minute window while
  its scheduler is stopped (their run times lie in the past when it starts again, with the
  default `misfire_grace_time` of 1 s); the jobs that never ran are counted.
- memory: peak RSS growth over schedule + drain, each side in a fresh process.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    TODAY,
    PeakMemory,
    Report,
    Shape,
    at_least,
    build,
    emit,
    open_tagih,
    ratio,
    run_child,
    sqlite_url,
    wib,
)

STOP = dt.timedelta(minutes=10)
PLAN_AT = wib(8, 55)  # reminders go out at the 09:00 send time
DISPATCH_AT = PLAN_AT + STOP


def _reminders(n: int) -> list[tuple[int, str, str, int]]:
    return [(i + 1, f"ar{i}@pelanggan.example", f"PT Pelanggan {i}", 5_000_000) for i in range(n)]


# --- the naive baseline ---------------------------------------------------------------------


def _scheduler(folder: Path, *, grace: bool, setup: bool = False) -> Any:
    """The baseline's scheduler on its SQLite job store (`setup`: without fsync, for
    writing the misfire case's jobs quickly: that part is not measured)."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{folder / 'jobs.sqlite'}")
    if setup:

        @event.listens_for(engine, "connect")
        def _no_sync(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    store = SQLAlchemyJobStore(engine=engine)
    # misfire_grace_time=None: a job runs however late it is (the drain must run them all).
    defaults = {} if grace else {"misfire_grace_time": None}
    return AsyncIOScheduler(jobstores={"default": store}, job_defaults=defaults, timezone=dt.UTC)


async def naive_drain(n: int, folder: Path) -> dict[str, Any]:
    """Schedule N jobs due now, then run them all; seconds and peak RSS growth."""
    from bench import naive_job

    reminders = _reminders(n)
    naive_job.TARGET, naive_job.DONE = n, asyncio.Event()
    scheduler = _scheduler(folder, grace=False)
    scheduler.start(paused=True)
    gc.collect()
    memory = PeakMemory()
    memory.start()
    due = dt.datetime.now(dt.UTC)
    started, cpu = time.perf_counter(), time.process_time()
    for customer_id, address, name, amount in reminders:
        scheduler.add_job(
            "bench.naive_job:send_reminder",
            "date",
            run_date=due,
            args=[customer_id, address, name, amount],
            id=f"reminder-{customer_id}",
        )
    schedule, schedule_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    scheduler.resume()
    await asyncio.wait_for(naive_job.DONE.wait(), timeout=3600)
    drain, drain_cpu = time.perf_counter() - started, time.process_time() - cpu
    grown = memory.growth_mb()
    scheduler.shutdown(wait=False)
    return {
        "n": n,
        "schedule_s": schedule,
        "schedule_cpu_s": schedule_cpu,
        "drain_s": drain,
        "drain_cpu_s": drain_cpu,
        "sent": len(naive_job.CHANNEL.sent),
        "peak_rss_growth_mb": grown,
    }


async def naive_misfire(n: int, folder: Path) -> dict[str, Any]:
    """N jobs fall due during a 10-minute stop; start again with the defaults: how many ran."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED

    from bench import naive_job

    naive_job.TARGET, naive_job.DONE = n + 1, asyncio.Event()  # never set: we count events
    restart = dt.datetime.now(dt.UTC)
    stopped_at = restart - STOP
    before = _scheduler(folder, grace=True, setup=True)
    before.start(paused=True)
    for customer_id, address, name, amount in _reminders(n):
        # Scheduled before the stop, due while the scheduler was down.
        before.add_job(
            "bench.naive_job:send_reminder",
            "date",
            run_date=stopped_at + STOP * (customer_id - 0.5) / n,
            args=[customer_id, address, name, amount],
            id=f"reminder-{customer_id}",
        )
    before.shutdown(wait=False)
    outcomes = {"executed": 0, "missed": 0, "error": 0}
    finished = asyncio.Event()

    def listen(event: Any) -> None:
        kind = {EVENT_JOB_EXECUTED: "executed", EVENT_JOB_MISSED: "missed"}.get(event.code, "error")
        outcomes[kind] += 1
        if sum(outcomes.values()) >= n:
            finished.set()

    after = _scheduler(folder, grace=True)
    after.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    after.start()
    await asyncio.wait_for(finished.wait(), timeout=3600)
    after.shutdown(wait=False)
    return {"n": n, **outcomes, "sent": len(naive_job.CHANNEL.sent)}


# --- Tagih ----------------------------------------------------------------------------------


class _StatementTimes:
    """Wall time SQLite spends in each statement (aiosqlite's thread), by statement text."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.engine = engine.sync_engine
        self.times: dict[str, list[float]] = {}
        self._started: dict[int, float] = {}
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        spent = time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())
        key = " ".join(statement.split())
        if " IN (" in key:  # one key for every length of an IN list
            key = key[: key.index(" IN (")] + " IN (…)" + key[key.rindex(")") + 1 :]
        self.times.setdefault(key[:160], []).append(spent)

    def detach(self) -> None:
        """Stop timing."""
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def top(self, count: int = 12) -> list[dict[str, Any]]:
        """The statements that took longest in all, with their first and last tenth's mean
        (a statement whose later runs are slower grows with the work done)."""
        rows = []
        for key, spent in sorted(self.times.items(), key=lambda kv: -sum(kv[1]))[:count]:
            tenth = max(len(spent) // 10, 1)
            rows.append(
                {
                    "sql": key,
                    "runs": len(spent),
                    "total_s": round(sum(spent), 3),
                    "first_ms": round(1000 * sum(spent[:tenth]) / tenth, 3),
                    "last_ms": round(1000 * sum(spent[-tenth:]) / tenth, 3),
                }
            )
        return rows


async def tagih(n: int, db_file: Path, sandbox: Path, *, sql: bool = False) -> dict[str, Any]:
    """Plan at 08:55, dispatch at 09:05 (a 10-minute stop); seconds, memory, misses
    (`sql`: and the statements the tick spent longest in)."""
    from sqlmodel import func, select

    from storage.enums import FollowUpStatus
    from storage.models import FollowUp

    app, channels = await open_tagih(sqlite_url(db_file), sandbox)
    app.start_render_process()  # as `tagih run` does at start-up
    statements = None
    try:
        gc.collect()
        memory = PeakMemory()
        memory.start()
        started, cpu = time.perf_counter(), time.process_time()
        plan = await app.plan(PLAN_AT)
        schedule, schedule_cpu = time.perf_counter() - started, time.process_time() - cpu
        if sql:
            statements = _StatementTimes(app.db.engine)
        started, cpu = time.perf_counter(), time.process_time()
        dispatcher = await app.dispatcher()
        tick = await dispatcher.tick(DISPATCH_AT)
        drain, drain_cpu = time.perf_counter() - started, time.process_time() - cpu
        if statements is not None:
            statements.detach()
        grown = memory.growth_mb()
        async with app.db.sessions() as session:
            left = (
                await session.exec(
                    select(func.count())
                    .select_from(FollowUp)
                    .where(
                        FollowUp.status == FollowUpStatus.PLANNED,
                        FollowUp.planned_at <= DISPATCH_AT,
                    )
                )
            ).one()
    finally:
        await app.close()
    sent = sum(len(channel.sent) for channel in channels.values())
    return {
        "n": n,
        "schedule_s": schedule,
        "schedule_cpu_s": schedule_cpu,
        "drain_s": drain,
        "drain_cpu_s": drain_cpu,
        "planned": plan.planned,
        "inserted": plan.inserted,
        "sent": sent,
        "tick_sent": tick.sent,
        "missed": n - sent,
        "left_due": left,
        "peak_rss_growth_mb": grown,
        **({"statements": statements.top()} if statements is not None else {}),
    }


# --- the benchmark --------------------------------------------------------------------------


def _measure(n: int, tmp: Path) -> dict[str, dict[str, Any]]:
    folder = tmp / f"n{n}"
    folder.mkdir()
    db_file = folder / "tagih.db"
    built = asyncio.run(build(sqlite_url(db_file), Shape(customers=n, kind="reminders")))
    (folder / "naive").mkdir()
    (folder / "misfire").mkdir()
    (folder / "sandbox").mkdir()
    return {
        "build": built,
        "tagih": run_child("bench.reminders", "tagih", str(n), str(db_file), str(folder)),
        "naive": run_child("bench.reminders", "naive", str(n), str(folder / "naive")),
        "misfire": run_child("bench.reminders", "misfire", str(n), str(folder / "misfire")),
    }


def run(sizes: tuple[int, ...] = (10_000,)) -> Report:
    """Both designs on the same N reminders, for each N; the ratios beside goals 2 and 3."""
    report = Report("reminders", "Tagih vs one APScheduler job per reminder (goals 2, 3)")
    with tempfile.TemporaryDirectory(prefix="tagih-bench-") as tmp:
        for n in sizes:
            r = _measure(n, Path(tmp))
            report.raw[str(n)] = r
            t, b, m = r["tagih"], r["naive"], r["misfire"]
            k = f"{n // 1000}k"
            report.add(
                f"naive_schedule_s_{k}", f"baseline: schedule {n:,} jobs", b["schedule_s"], "s"
            )
            report.add(
                f"tagih_schedule_s_{k}", f"Tagih: plan {n:,} reminders", t["schedule_s"], "s"
            )
            speed = ratio(b["schedule_s"], t["schedule_s"])
            report.add(
                f"schedule_speedup_{k}",
                f"schedule speed-up at {n:,} (baseline / Tagih)",
                speed,
                "x",
                ">= 10x",
                at_least(speed, 10),
            )
            report.add(f"naive_drain_s_{k}", f"baseline: drain {n:,} jobs", b["drain_s"], "s")
            report.add(f"tagih_drain_s_{k}", f"Tagih: dispatch {n:,} reminders", t["drain_s"], "s")
            speed = ratio(b["drain_s"], t["drain_s"])
            report.add(
                f"drain_speedup_{k}",
                f"drain speed-up at {n:,} (baseline / Tagih)",
                speed,
                "x",
                ">= 5x",
                at_least(speed, 5),
            )
            report.add(
                f"naive_peak_mb_{k}",
                f"baseline: peak RSS growth at {n:,}",
                b["peak_rss_growth_mb"],
                "MB",
            )
            report.add(
                f"tagih_peak_mb_{k}",
                f"Tagih: peak RSS growth at {n:,}",
                t["peak_rss_growth_mb"],
                "MB",
            )
            share = ratio(t["peak_rss_growth_mb"], b["peak_rss_growth_mb"])
            report.add(
                f"memory_ratio_{k}",
                f"memory at {n:,} (Tagih / baseline)",
                share,
                "x",
                "<= 0.5x" if n >= 100_000 else "(goal at 100k)",
                share <= 0.5 if n >= 100_000 else None,
            )
            report.add(
                f"naive_missed_{k}",
                f"baseline: jobs never run after a 10-min stop ({n:,})",
                m["missed"],
                "jobs",
                note=f"{m['missed'] / n:.1%} misfired, {m['executed']} ran",
            )
            report.add(
                f"tagih_missed_{k}",
                f"Tagih: reminders missed after a 10-min stop ({n:,})",
                t["missed"],
                "",
                "0",
                t["missed"] == 0 and t["left_due"] == 0,
            )
            rate = ratio(t["sent"], t["drain_s"])
            report.add(
                f"dispatch_rate_{k}",
                f"dispatch, 1 worker, SQLite, limits lifted ({n:,})",
                rate,
                "msg/s",
                ">= 500/s",
                at_least(rate, 500),
                note=f"plan + dispatch: {ratio(t['sent'], t['schedule_s'] + t['drain_s']):,.0f}/s",
            )
    report.notes.append(
        f"reminders due {TODAY} 09:00 WIB; Tagih plans at 08:55 and dispatches at 09:05; "
        "baseline misfire case uses the default misfire_grace_time (1 s)"
    )
    return report


def alone(n: int, *, sql: bool = False) -> dict[str, Any]:
    """Tagih's side only at N, as `run` measures it: build, then plan and tick in a child."""
    with tempfile.TemporaryDirectory(prefix="tagih-bench-") as tmp:
        folder = Path(tmp)
        db_file = folder / "tagih.db"
        asyncio.run(build(sqlite_url(db_file), Shape(customers=n, kind="reminders")))
        (folder / "sandbox").mkdir()
        extra = ("--sql",) if sql else ()
        return run_child("bench.reminders", "tagih", str(n), str(db_file), str(folder), *extra)


def main() -> None:
    """Child process: one side at one N, printed as JSON.

    `alone N…` measures Tagih's side only at each N (each in its own child), with `--sql`
    the statements its tick spent longest in.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("side", choices=("tagih", "naive", "misfire", "alone"))
    parser.add_argument("n", type=int)
    parser.add_argument("more", nargs="*", help="paths; for `alone`, more sizes")
    parser.add_argument("--sql", action="store_true", help="time each SQL statement of the tick")
    args = parser.parse_args()
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # one line per misfired job
    if args.side == "alone":
        for n in (args.n, *map(int, args.more)):
            emit(alone(n, sql=args.sql))
        return
    args.paths = [Path(path) for path in args.more]
    if args.side == "tagih":
        db_file, folder = args.paths
        emit(asyncio.run(tagih(args.n, db_file, folder / "sandbox", sql=args.sql)))
    elif args.side == "naive":
        emit(asyncio.run(naive_drain(args.n, args.paths[0])))
    else:
        emit(asyncio.run(naive_misfire(args.n, args.paths[0])))


if __name__ == "__main__":
    main()
