"""Composition root: storage, channels, planner, dispatcher and scheduler; start/stop order."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlmodel import func, select

from bot.app.channels import (
    Pacing,
    Providers,
    configured_channels,
    describe_failure,
    imap_config,
)
from bot.config import Settings
from scheduler.leader import startup_lock
from scheduler.policy_store import ensure_standard, load_specs, policy_id_by_name
from scheduler.views import PlanningInputs
from scheduler.window import WEEKDAYS, Window
from scheduler.window_overrides import effective_window
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Customer

# The inbound pipeline, the web server, the dispatcher and the staff's alerts and digests are
# imported where they are first used: `tagih preview` and the ledger commands open Tagih
# without them (tests/unit/test_cli_startup.py).
if TYPE_CHECKING:
    from aiohttp import web

    from bot.inbound.email_replies import EmailReplies
    from bot.inbound.router import InboundRouter
    from bot.inbound.web import WebDeps
    from bot.reminders import RenderProcess
    from bot.sandbox.inbox_page import SandboxInbox
    from bot.staff.alerts import AlertStats
    from bot.staff.digest_send import DigestStats
    from scheduler.channel import Channel
    from scheduler.dispatcher import Dispatcher, TickStats
    from scheduler.messages import Inbound, Outbound
    from scheduler.planner import PlanStats
    from scheduler.promises import PromiseStats
    from storage.importers import ImportReport

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The wall clock, aware (the default clock; tests inject their own)."""
    return dt.datetime.now(dt.UTC)


def safe_url(url: str) -> str:
    """The database URL with any password hidden."""
    return make_url(url).render_as_string(hide_password=True)


@dataclass
class Tagih:
    """One running Tagih: open it, plan and dispatch, close it."""

    settings: Settings
    clock: Clock = utc_now
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    #: Whether this process leads (see scheduler/leader.py): only the leader polls Telegram.
    #: True for a process on its own; `tagih run` hands it over with `set_leading`.
    leading: bool = True
    #: The clock the channels pace providers by (a virtual one in tests; see `Pacing`).
    pacing: Pacing = field(default_factory=Pacing)
    db: Database = field(init=False)
    _router: InboundRouter | None = field(init=False, default=None)
    providers: Providers = field(init=False, default_factory=Providers)
    web_url: str | None = field(init=False, default=None)
    _web: web.AppRunner | None = field(init=False, default=None)
    _deps: WebDeps | None = field(init=False, default=None)
    _inbox: SandboxInbox | None = field(init=False, default=None)
    _public_url: str | None = field(init=False, default=None)
    _polls: bool = field(init=False, default=False)
    #: Replies to reminder emails (IMAP), with the web server's inbox.
    email_replies: EmailReplies | None = field(init=False, default=None)
    _polling: asyncio.Task[None] | None = field(init=False, default=None)
    _stop_polling: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    #: Renders the reminders of large batches on a second core (TAGIH_RENDER_PROCESS).
    _render_process: RenderProcess | None = field(init=False, default=None)

    @property
    def render_process(self) -> RenderProcess | None:
        """The child that renders large batches, once a dispatcher has wanted one."""
        return self._render_process

    def start_render_process(self) -> None:
        """Start the render child now, not on the first large batch (`tagih run` does, so
        the backlog after a stop is rendered on a second core from its first batch)."""
        from bot.reminders import RenderProcess

        if self.settings.render_process and self._render_process is None:
            self._render_process = RenderProcess()
        if self._render_process is not None:
            self._render_process.start()

    @property
    def router(self) -> InboundRouter:
        """The inbound router, built on first use (what opens no channel needs none)."""
        if self._router is None:
            from bot.inbound.conversation import conversation_config
            from bot.inbound.router import InboundRouter
            from bot.staff.commands import StaffConfig

            self._router = InboundRouter(
                self.db,
                default_language=self.settings.language,
                clock=self.clock,
                conversation=conversation_config(self.settings),
                staff_config=StaffConfig.from_settings(
                    self.settings, enabled_channels=configured_channels(self.settings)
                ),
            )
        return self._router

    @property
    def channels(self) -> dict[str, Channel]:
        """The open channels by name."""
        return self.providers.channels

    @property
    def announcements(self) -> list[str]:
        """What the service tells the operator on start (sandboxes and where they listen)."""
        return self.providers.announcements

    @property
    def warnings(self) -> list[str]:
        """What the operator must act on: providers that could not start, and why."""
        return self.providers.warnings

    async def open(self, *, with_channels: bool = True, with_web: bool = False) -> None:
        """Migrate, seed the default policy, then start the web server and the channels."""
        self.db = Database(self.settings.database_url)
        # Processes started together on one database take turns (scheduler/leader.py).
        async with startup_lock(self.settings.database_url):
            await upgrade(self.db)
            async with self.db.transaction() as session:
                await ensure_standard(session)
        public_url = self.settings.public_url
        deps = None
        if with_web:
            from bot.inbound.email_replies import EmailReplies
            from bot.inbound.web import WebDeps, build_web_app, start_web
            from bot.sandbox.inbox_page import SandboxInbox, add_inbox_routes

            deps = WebDeps(
                db=self.db,
                router=self.router,
                public_url=public_url or "",
                clock=self.clock,
                max_body_bytes=self.settings.web_max_body_bytes,
            )
            web_app = build_web_app(deps)
            # Routed before the server starts; answered 404 unless a stand-in runs.
            self._inbox = SandboxInbox(self.db, self.clock, self.settings.company_name)
            self._inbox.durable = deps.inbox
            add_inbox_routes(web_app, self._inbox)
            self._web, self.web_url = await start_web(
                web_app, self.settings.web_host, self.settings.web_port
            )
            # Without a public URL the sandboxes call us on loopback.
            public_url = public_url or self.web_url
            deps.public_url = public_url
            self.announcements.append(
                f"Webhooks: listening on {self.web_url} (public URL {public_url})"
            )
            assert deps.inbox is not None
            imap = imap_config(self.settings)
            self.email_replies = EmailReplies(self.db, deps.inbox, imap, clock=self.clock)
            self._inbox.mail = self.email_replies  # the sandbox's email replies come in here
        if not with_channels:
            return
        self._deps, self._public_url = deps, public_url
        self.providers.pacing = self.pacing
        await self.providers.open(self.settings, public_url=public_url, on_inbound=self.on_inbound)
        if self._inbox is not None:
            self._inbox.providers = self.providers
        await self._wire_web()
        if self.email_replies is not None and self.email_replies.config is not None:
            imap = self.email_replies.config
            self.email_replies.start()
            self.announcements.append(
                f"Email replies: reading {imap.folder} on {imap.host}:{imap.port} "
                f"every {imap.poll_seconds:.0f} s"
            )

    @property
    def sandbox_inbox(self) -> SandboxInbox | None:
        """The sandbox inbox behind `/sandbox` (None without the web server)."""
        return self._inbox

    @property
    def sandbox_inbox_url(self) -> str | None:
        """Where the sandbox inbox is served, or None when no provider runs in the sandbox."""
        if self._inbox is None or not self._inbox.active or self.web_url is None:
            return None
        from bot.sandbox.inbox_page import inbox_url

        return inbox_url(self.web_url)

    async def _wire_web(self) -> None:
        """Hand the open providers to the webhooks; receive Telegram updates once it is up."""
        deps = self._deps
        if deps is None:
            return
        deps.twilio_auth_token = self.providers.twilio_auth_token
        deps.channels = self.providers.channels  # the inbox sends replies through them
        telegram = self.providers.telegram
        if deps.telegram is not None or telegram is None:
            return
        deps.telegram = telegram
        try:
            await self._receive_telegram(self._public_url)
        except Exception as exc:  # setWebhook failed: sending still works; retried next tick
            deps.telegram = None
            log.warning(
                "Telegram: cannot receive updates yet (%s); retried every dispatch tick",
                describe_failure(exc, self.settings),
            )

    async def reopen_providers(self) -> list[str]:
        """Try to start the providers that could not start before; announcements of those up."""
        back = await self.providers.reopen() if self.providers.disabled else []
        await self._wire_web()  # also retries a Telegram webhook that could not be set
        return back

    async def _receive_telegram(self, public_url: str | None) -> None:
        """Updates by webhook when Telegram can reach us, else by polling."""
        telegram = self.providers.telegram
        if telegram is None:
            return
        reachable = self.settings.public_url or self.providers.telegram_sandbox is not None
        if reachable and public_url:
            await telegram.set_webhook(f"{public_url}/telegram/webhook")
        else:
            self._polls = True
            self._start_polling()
            self.announcements.append(
                "Telegram: no public URL, receiving updates by polling (the leader polls)"
            )

    async def set_leading(self, leading: bool) -> None:
        """Become the leader (start polling Telegram, if updates come by polling) or stop."""
        self.leading = leading
        if leading:
            self._start_polling()
        else:
            await self._end_polling()

    def _start_polling(self) -> None:
        telegram = self.providers.telegram
        if self._polls and self.leading and telegram is not None and self._polling is None:
            self._stop_polling = asyncio.Event()
            self._polling = asyncio.create_task(telegram.run_polling(self._stop_polling))

    async def _end_polling(self) -> None:
        polling, self._polling = self._polling, None
        if polling is not None:
            self._stop_polling.set()
            await polling

    async def on_inbound(self, inbound: Inbound) -> Sequence[Outbound]:
        """Route one inbound chat message; the replies to send back."""
        return (await self.router.handle(inbound)).replies

    async def load_examples_if_empty(self) -> list[ImportReport]:
        """Import the example CSVs into an empty database (for `make run`)."""
        from storage.importers import import_csv

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
        async with self.db.sessions() as session:
            # The window admins set in chat (/window, /sendtime, /holidays) wins over .env.
            window = await effective_window(session, self.settings.window())
            policies = await load_specs(session, default=window)
            default_id = await policy_id_by_name(session, name="standard")
        assert default_id is not None
        inputs = PlanningInputs(
            policies=policies,
            default_policy_id=default_id,
            # A provider down right now still counts: its steps wait or fall back at send
            # time, so an outage never rewrites the plan.
            enabled_channels=frozenset(self.channels) | self.providers.unavailable
            or configured_channels(self.settings),
            grace_days=self.settings.promise_grace_days,
        )
        return inputs, window

    async def plan(
        self,
        now: dt.datetime | None = None,
        *,
        read: tuple[PlanningInputs, Window] | None = None,
    ) -> PlanStats:
        """Run the planning pass as of `now` (on `read`, the planning inputs when just read)."""
        from scheduler.planner import plan_pass

        inputs, window = read or await self.planning_inputs()
        return await plan_pass(
            self.db,
            inputs=inputs,
            window=window,
            now=now or self.clock(),
            cap=self.settings.max_contacts_per_week,
        )

    async def dispatcher(self, *, read: tuple[PlanningInputs, Window] | None = None) -> Dispatcher:
        """A dispatcher over the open channels (on `read`, the planning inputs when just read)."""
        from bot.reminders import BatchRenderer, RendererSpec, RenderProcess
        from scheduler.dispatcher import DispatchConfig, Dispatcher
        from storage.queries.templates import load_overrides

        inputs, window = read or await self.planning_inputs()

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
            concurrency=settings.dispatch_concurrency,
            whatsapp_daily_limit=settings.whatsapp_daily_limit,
        )
        async with self.db.sessions() as session:
            overrides = await load_overrides(session)  # templates edited by /template set
        spec = RendererSpec(settings.company_name, settings.language, tuple(overrides.items()))
        if settings.render_process and self._render_process is None:
            self._render_process = RenderProcess()  # started on the first large batch
        render = BatchRenderer(spec, self._render_process)
        telegram = self.providers.telegram
        deep_link = telegram.deep_link if telegram is not None and telegram.username else None
        return Dispatcher(
            self.db,
            self.channels,
            render,
            window_for,
            config,
            deep_link,
            unavailable=self.providers.unavailable,
        )

    async def check_promises(self, now: dt.datetime | None = None) -> PromiseStats:
        """Mark promises whose date (plus grace) has passed as kept or broken."""
        from scheduler.promises import check_promises

        return await check_promises(
            self.db, now=now or self.clock(), grace_days=self.settings.promise_grace_days
        )

    async def deliver_alerts(self, now: dt.datetime | None = None) -> AlertStats:
        """Send queued alerts to collectors and salespeople (Telegram, else email)."""
        from bot.staff.alerts import deliver_alerts

        return await deliver_alerts(
            self.db,
            telegram=self.providers.telegram,
            email=self.channels.get("email"),
            now=now or self.clock(),
        )

    async def staff_without_alerts(self) -> list[str]:
        """Names of the active staff whom no alert can reach (no bound Telegram chat, no
        email on an alert channel); a provider down right now still counts as there."""
        from storage.queries.staff import list_staff, unreachable_staff

        channels = (set(self.channels) | self.providers.unavailable) & {"telegram", "email"}
        async with self.db.sessions() as session:
            team = await list_staff(session)
        return [s.name for s in unreachable_staff(team, channels)]

    async def send_digests(self, now: dt.datetime | None = None) -> list[DigestStats]:
        """The collectors' daily and the salespeople's weekly digests that are due."""
        from bot.staff.digest_send import send_digests

        s, moment = self.settings, now or self.clock()
        telegram, email = self.providers.telegram, self.channels.get("email")
        return [
            await send_digests(
                self.db,
                telegram=telegram,
                email=email,
                now=moment,
                kind="collector",
                at=s.collector_digest_time,
                currency=s.currency,
            ),
            await send_digests(
                self.db,
                telegram=telegram,
                email=email,
                now=moment,
                kind="sales",
                at=s.sales_digest_time,
                weekday=WEEKDAYS.index(s.sales_digest_day),
                currency=s.currency,
            ),
        ]

    async def send_due(self, now: dt.datetime | None = None) -> tuple[PlanStats, TickStats]:
        """Plan, then send everything due at `now` (what `tagih send-due` does)."""
        moment = now or self.clock()
        await self.check_promises(moment)
        read = await self.planning_inputs()  # one read for the pass and the tick
        planned = await self.plan(moment, read=read)
        dispatcher = await self.dispatcher(read=read)
        stats = await dispatcher.tick(moment)
        await self.deliver_alerts(moment)
        return planned, stats

    async def tick(self, now: dt.datetime | None = None) -> TickStats:
        """The service's dispatch tick: retry disabled providers, send what is due, alerts."""
        moment = now or self.clock()
        await self.reopen_providers()
        stats = await (await self.dispatcher()).tick(moment)
        await self.deliver_alerts(moment)
        return stats

    async def close(self) -> None:
        """Stop receiving, stop channels and sandboxes, then close the database."""
        await self._end_polling()
        if self.email_replies is not None:
            await self.email_replies.stop()
        await self.providers.close()
        if self._render_process is not None:
            await self._render_process.close()
        if self._web is not None:
            await self._web.cleanup()
        await self.db.dispose()
