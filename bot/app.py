"""Composition root: storage, channels, planner, dispatcher and scheduler; start/stop order."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlmodel import func, select

from bot.channels.base import Channel
from bot.channels.email import EmailChannel
from bot.config import Settings
from bot.sandbox.smtp import SmtpSink
from scheduler.dispatcher import DispatchConfig, Dispatcher, TickStats
from scheduler.planner import PlanStats, plan_pass
from scheduler.policy_store import ensure_standard, global_window, load_specs, policy_id_by_name
from scheduler.promises import PromiseStats, check_promises
from scheduler.render import ReminderRenderer
from scheduler.views import PlanningInputs
from scheduler.window import Window
from storage.db import Database
from storage.importers import ImportReport, import_csv
from storage.migrate import upgrade
from storage.models import Customer

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The wall clock, aware (the default clock; tests inject their own)."""
    return dt.datetime.now(dt.UTC)


def configured_channels(settings: Settings) -> frozenset[str]:
    """Channels this installation can send on (email always: SMTP or the sandbox sink)."""
    del settings  # later channels are enabled by their settings
    return frozenset({"email"})


def safe_url(url: str) -> str:
    """The database URL with any password hidden."""
    return make_url(url).render_as_string(hide_password=True)


@dataclass
class Tagih:
    """One running Tagih: open it, plan and dispatch, close it."""

    settings: Settings
    clock: Clock = utc_now
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    db: Database = field(init=False)
    channels: dict[str, Channel] = field(init=False, default_factory=dict)
    sandbox: SmtpSink | None = field(init=False, default=None)
    announcements: list[str] = field(init=False, default_factory=list)

    async def open(self, *, with_channels: bool = True) -> None:
        """Migrate the database, seed the default policy, start channels (or their sandbox)."""
        self.db = Database(self.settings.database_url)
        await upgrade(self.db)
        async with self.db.transaction() as session:
            await ensure_standard(session)
        if with_channels:
            await self._open_channels()

    async def _open_channels(self) -> None:
        settings = self.settings
        if settings.smtp_configured:
            self.channels["email"] = EmailChannel.from_settings(settings)
            self.announcements.append(
                f"Email: SMTP server {settings.smtp_host}:{settings.smtp_port}"
            )
            return
        mail_dir = Path(settings.sandbox_dir) / "mail"
        self.sandbox = SmtpSink(mail_dir)
        host, port = await self.sandbox.start()
        self.channels["email"] = EmailChannel(
            host=host,
            port=port,
            username=None,
            password=None,
            starttls=False,
            use_tls=False,
            timeout=settings.smtp_timeout,
            sender=settings.email_from,
        )
        self.announcements.append(
            f"Email: no SMTP configured; sandbox SMTP server on {host}:{port} "
            f"stores every mail under {mail_dir}/"
        )

    async def load_examples_if_empty(self) -> list[ImportReport]:
        """Import the example CSVs into an empty database (for `make run`)."""
        settings = self.settings
        async with self.db.sessions() as session:
            count = (await session.exec(select(func.count()).select_from(Customer))).one()
        folder = Path(settings.examples_dir)
        if count or not settings.load_examples or not (folder / "customers.csv").exists():
            return []
        reports = []
        for kind in ("customers", "invoices", "payments"):
            report = await import_csv(
                self.db,
                kind,
                folder / f"{kind}.csv",
                default_currency=settings.currency,
                default_language=settings.language,
                default_timezone=settings.timezone,
            )
            if not report.ok:
                raise RuntimeError(
                    "example data failed to import:\n" + "\n".join(str(e) for e in report.errors)
                )
            reports.append(report)
        self.announcements.append(
            f"Database was empty: loaded the example data from {folder}/ "
            f"({reports[0].rows} customers, {reports[1].rows} invoices, {reports[2].rows} payments)"
        )
        return reports

    async def planning_inputs(self) -> tuple[PlanningInputs, Window]:
        """Policies, default policy and enabled channels, read fresh from the database."""
        window = global_window(self.settings)
        async with self.db.sessions() as session:
            policies = await load_specs(session, default=window)
            default_id = await policy_id_by_name(session, name="standard")
        assert default_id is not None
        inputs = PlanningInputs(
            policies=policies,
            default_policy_id=default_id,
            enabled_channels=frozenset(self.channels) or configured_channels(self.settings),
            grace_days=self.settings.promise_grace_days,
        )
        return inputs, window

    async def plan(self, now: dt.datetime | None = None) -> PlanStats:
        """Run the planning pass as of `now`."""
        inputs, window = await self.planning_inputs()
        return await plan_pass(
            self.db,
            inputs=inputs,
            window=window,
            now=now or self.clock(),
            cap=self.settings.max_contacts_per_week,
        )

    async def dispatcher(self) -> Dispatcher:
        """A dispatcher over the open channels."""
        inputs, window = await self.planning_inputs()

        def window_for(policy_id: int | None) -> Window:
            spec = inputs.policies.get(policy_id or inputs.default_policy_id)
            return (spec.window if spec else None) or window

        settings = self.settings
        config = DispatchConfig(
            worker=self.worker,
            batch_size=settings.dispatch_batch_size,
            lease=dt.timedelta(seconds=settings.lease_seconds),
            retry_backoff=dt.timedelta(seconds=settings.retry_backoff_seconds),
            max_attempts=settings.max_attempts,
            grace_days=settings.promise_grace_days,
        )
        render = ReminderRenderer(
            company_name=settings.company_name, default_language=settings.language
        )
        return Dispatcher(self.db, self.channels, render, window_for, config)

    async def check_promises(self, now: dt.datetime | None = None) -> PromiseStats:
        """Mark promises whose date (plus grace) has passed as kept or broken."""
        return await check_promises(
            self.db, now=now or self.clock(), grace_days=self.settings.promise_grace_days
        )

    async def send_due(self, now: dt.datetime | None = None) -> tuple[PlanStats, TickStats]:
        """Plan, then send everything due at `now` (what `tagih send-due` does)."""
        moment = now or self.clock()
        await self.check_promises(moment)
        planned = await self.plan(moment)
        dispatcher = await self.dispatcher()
        return planned, await dispatcher.tick(moment)

    async def close(self) -> None:
        """Stop channels and the sandbox, then close the database."""
        for channel in self.channels.values():
            await channel.close()
        if self.sandbox is not None:
            await self.sandbox.stop()
        await self.db.dispose()


async def serve(
    app: Tagih, *, announce: Callable[[str], None], stop: asyncio.Event | None = None
) -> None:
    """`tagih run`: plan, then tick every minute until SIGINT/SIGTERM (or `stop`)."""
    from scheduler.jobs import build_scheduler

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await app.open()
    try:
        await app.load_examples_if_empty()
        announce(f"Database: {safe_url(app.settings.database_url)}")
        for line in app.announcements:
            announce(line)
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

        async def tick(now: dt.datetime) -> TickStats:
            return await (await app.dispatcher()).tick(now)

        scheduler = build_scheduler(
            tick=tick,
            plan=app.plan,
            promises=app.check_promises,
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
