"""The tick: claim due follow-ups, re-check, render, send through channels, record, release."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field, fields
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n.staff_texts import StaffText, summary, text
from scheduler import outbox
from scheduler.alerts import queue_alert, queue_escalations
from scheduler.channel import Capabilities, Channel
from scheduler.claims import (
    LeaseEnd,
    claim_due,
    extend_leases,
    held_leases,
    reclaim_dead_leases,
    release_leases,
)
from scheduler.messages import Address, DeliveryOutcome, DeliveryResult, Outbound, Rendered
from scheduler.recheck import ContactView, SendPlan, load_send_plans, open_research_case
from scheduler.window import Window
from storage.db import Database, retried
from storage.enums import ChannelKind, FollowUpStatus, MessageStatus, SkipReason
from storage.models import FollowUp, Message
from storage.queries.contacts import link_token_for, whatsapp_conversations
from storage.queries.settings import paused_all

log = logging.getLogger(__name__)

#: How long a send whose outcome is unknown waits for the provider's status callback before
#: the step is claimed again and the provider asked (callbacks come within seconds to
#: minutes when the provider has the message).
RECONCILE_AFTER = dt.timedelta(minutes=15)

#: One message to render: the plan, what its channel carries, the Telegram deep link or None.
RenderJob = tuple[SendPlan, Capabilities, str | None]
#: Renders a batch of jobs into message bodies, in order (perhaps in another process).
Renderer = Callable[[Sequence[RenderJob]], Awaitable[list[Rendered]]]


def _research_details(plan: SendPlan) -> StaffText:
    """What the team must find out for a customer no channel reaches (a whole sentence:
    the step's channel list is empty then, so naming it said nothing)."""
    if plan.failed_channels:
        failed = ", ".join(sorted(plan.failed_channels))
        return text("alert.research_failed", channels=failed)
    return text("alert.research_none")


@dataclass
class TickStats:
    """What one tick did."""

    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    #: Channels whose provider proved unreachable during the tick, with the error: they
    #: were left out for the rest of it.
    down: dict[str, str] = field(default_factory=dict)

    def add(self, other: TickStats) -> None:
        """Count in what `other` (a part of the tick) did."""
        for counter in fields(self):
            if counter.type in (int, "int"):
                setattr(
                    self, counter.name, getattr(self, counter.name) + getattr(other, counter.name)
                )
        self.down.update(other.down)


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    """Knobs of the dispatcher (from the settings)."""

    worker: str
    batch_size: int = 400
    lease: dt.timedelta = dt.timedelta(minutes=5)
    retry_backoff: dt.timedelta = dt.timedelta(minutes=10)
    max_attempts: int = 5
    grace_days: int = 1
    #: Sends under way at once on each channel (overlapping while each paces its provider).
    concurrency: int = 16
    #: Business-initiated WhatsApp conversations per rolling 24 hours (0 = unlimited).
    whatsapp_daily_limit: int = 0


@dataclass(frozen=True, slots=True)
class Prepared:
    """A reserved message ready to go out on one channel."""

    followup: FollowUp  # as claimed: detached, read when the outcome is recorded
    channel: str
    outbound: Outbound
    reservation: outbox.Reservation

    @property
    def followup_id(self) -> int:
        """The follow-up this message is for."""
        assert self.followup.id is not None
        return self.followup.id

    @property
    def message_id(self) -> int:
        """The reserved log row."""
        return self.reservation.message_id


@dataclass(frozen=True, slots=True)
class Decided:
    """A re-checked follow-up with its channel and idempotency key, its message to render."""

    plan: SendPlan
    channel: str
    contact: ContactView
    key: str
    chat_link: str | None  # invites the customer to Telegram (channels without buttons)
    tried: bool = False  # a message was reserved under `key` before (it is looked at again)

    @property
    def followup_id(self) -> int:
        """The follow-up this message is for."""
        assert self.plan.followup.id is not None
        return self.plan.followup.id


@dataclass
class _Batch:
    """Claimed follow-ups on their way through the tick: decided, then rendered (a task, so
    the next batch is claimed and decided while this one renders)."""

    ids: list[int]
    full: bool  # the claim took a whole batch: more may be due
    decided: list[Decided]
    rendering: asyncio.Task[list[Rendered]]


@contextmanager
def _earlier_objects_left_out_of_gc() -> Iterator[None]:
    """Keep the objects alive before a tick out of the garbage collector's passes during it.

    A tick allocates enough (rows, messages) to set off full collections, and each walked
    every object of the process (modules, table metadata, compiled templates): 18 % of the
    CPU of a 10,000-reminder tick. Frozen (`gc.freeze`) they are skipped; unfrozen after the
    tick, they are collected as before, so no cycle among them is kept for good.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def idempotency_key(followup: FollowUp, lead_offset: int, channel: str) -> str:
    """(customer, planned local date, step, channel): one message at most for each."""
    return f"fu:{followup.customer_id}:{followup.local_date.isoformat()}:{lead_offset}:{channel}"


#: A message under these statuses may still go out: it is reserved (again), not settled.
_UNSETTLED = (MessageStatus.QUEUED, MessageStatus.RETRY, MessageStatus.UNKNOWN)


class _WhatsAppQuota:
    """Meta's limit on business-initiated WhatsApp conversations, counted for one batch.

    Past it a WhatsApp send fails (Twilio error 63018): a customer outside their 24-hour
    service window is reached on their next channel instead. Inside the window a message
    opens no new conversation. The count is read once per batch (on PostgreSQL under an
    advisory lock held until the batch commits) and kept up to date in memory.
    """

    def __init__(self, limit: int, now: dt.datetime) -> None:
        self.limit = limit
        self.since = now - dt.timedelta(hours=24)
        self.reached: set[str] | None = None

    async def pick(self, session: AsyncSession, plan: SendPlan) -> tuple[str, ContactView]:
        """The step's first usable channel; WhatsApp only while the limit allows."""
        choices = list(plan.contacts.items())
        whatsapp = plan.contacts.get(ChannelKind.WHATSAPP)
        if not self.limit or whatsapp is None or len(choices) < 2:
            return choices[0]
        inbound = whatsapp.last_inbound_at
        if inbound is not None and inbound >= self.since:
            return choices[0]  # inside the service window: no new conversation
        if self.reached is None:
            self.reached = await whatsapp_conversations(session, since=self.since)
        if whatsapp.address not in self.reached and len(self.reached) >= self.limit:
            log.info("WhatsApp daily limit (%s) reached: next channel", self.limit)
            return next(c for c in choices if c[0] != ChannelKind.WHATSAPP)
        if choices[0][0] == ChannelKind.WHATSAPP:
            self.reached.add(whatsapp.address)
        return choices[0]


class Dispatcher:
    """Sends what is due; safe to run in several processes against one PostgreSQL database."""

    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        render: Renderer,
        window_for: Callable[[int | None], Window],
        config: DispatchConfig,
        deep_link: Callable[[str], str] | None = None,
        *,
        unavailable: frozenset[str] = frozenset(),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wire the dispatcher to storage, channels, the renderer and the contact window.

        `monotonic` measures how long a tick has run (injected in tests).

        `unavailable` names configured channels whose provider could not be started: their
        steps fall back to the customer's next channel, or wait when there is none.
        """
        self.deep_link = deep_link
        self.unavailable = unavailable
        self.monotonic = monotonic
        #: Channels found unreachable during the current tick, with the error.
        self._down: dict[str, str] = {}
        self.db = db
        self.channels = channels
        self.render = render
        self.window_for = window_for
        self.config = config

    async def tick(self, now: dt.datetime) -> TickStats:
        """One pass: claim a batch of due rows, handle it, repeat while rows are due.

        A batch is re-checked in one transaction, rendered, reserved in a second, sent
        concurrently (each channel keeps its provider's pace) and recorded in a third;
        follow-ups whose channel failed for good, or whose provider is down, go round again
        on their next channel. While one batch renders (in a child process when the renderer
        has one), the next is claimed and re-checked, and the one before sent and recorded.
        """
        stats = TickStats()
        self._down = {}  # a provider that failed last tick gets another chance
        async with self.db.sessions() as session:
            if await paused_all(session):
                return stats  # an admin's /pauseall: nothing goes out until /resumeall
        await reclaim_dead_leases(self.db, worker=self.config.worker, now=now)
        started = self.monotonic()

        def clock() -> dt.datetime:
            # `now` is the tick's moment (injected in tests); a tick draining a backlog runs
            # for minutes, and its later leases must not be born expired.
            return now + dt.timedelta(seconds=self.monotonic() - started)

        held: set[int] = set()  # claimed and not yet released: their leases are kept
        ahead: _Batch | None = None
        try:
            with _earlier_objects_left_out_of_gc():
                async with self._leases_kept(held, clock):
                    ahead = await self._claim(held, now, clock, stats)
                    while ahead is not None:
                        batch, ahead = ahead, None
                        if batch.full:  # claimed and re-checked while `batch` renders
                            ahead = await self._claim(held, now, clock, stats)
                        await self._finish(batch, now, stats)
                        held.difference_update(batch.ids)
        finally:
            if ahead is not None:  # a failure left it claimed: its leases run out
                ahead.rendering.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await ahead.rendering
            for channel in self.channels.values():
                await channel.close()
        return stats

    async def _claim(
        self, held: set[int], now: dt.datetime, clock: Callable[[], dt.datetime], stats: TickStats
    ) -> _Batch | None:
        """Claim the next batch, re-check it and start rendering it; None when none is due."""
        ids = await claim_due(
            self.db,
            worker=self.config.worker,
            now=clock(),
            limit=self.config.batch_size,
            lease=self.config.lease,
        )
        if not ids:
            return None
        stats.claimed += len(ids)
        held.update(ids)
        decided = await self._decide(ids, now, stats)
        return _Batch(
            ids, len(ids) >= self.config.batch_size, decided, self._start_rendering(decided)
        )

    def _start_rendering(self, decided: list[Decided]) -> asyncio.Task[list[Rendered]]:
        """Render the batch's messages in a task (the renderer may hand them to a child)."""
        jobs = [
            (step.plan, self.channels[step.channel].capabilities, step.chat_link)
            for step in decided
        ]
        return asyncio.ensure_future(self.render(jobs))

    async def _finish(self, batch: _Batch, now: dt.datetime, stats: TickStats) -> None:
        """Reserve, send and record a rendered batch; its fallbacks go round again here."""
        decided, rendering = batch.decided, batch.rendering
        while True:
            prepared = await self._reserve(decided, await rendering, now, stats)
            results = await self._send_all(prepared, stats)
            again = await self._record(results, now, stats)
            if not again:
                return
            decided = await self._decide(again, now, stats)
            rendering = self._start_rendering(decided)

    @asynccontextmanager
    async def _leases_kept(
        self, ids: set[int], clock: Callable[[], dt.datetime]
    ) -> AsyncIterator[None]:
        """Extend the leases of the claimed rows in `ids` (as it changes) while the tick
        runs (a slow provider, a long 429 pause), so no other worker takes a row this one
        still holds."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(self.config.lease.total_seconds() / 3)
                if ids:
                    await extend_leases(
                        self.db,
                        ids=sorted(ids),
                        worker=self.config.worker,
                        until=clock() + self.config.lease,
                    )

        keeper = asyncio.create_task(keep())
        try:
            yield
        finally:
            keeper.cancel()
            with suppress(asyncio.CancelledError):
                await keeper

    async def _send_all(
        self, prepared: list[Prepared], stats: TickStats
    ) -> list[tuple[Prepared, DeliveryResult | None]]:
        """Send (or reconcile) every reserved message, up to `concurrency` at once on each
        channel.

        A gate per channel, not one for the batch: sends waiting on a slow or paused
        provider (a hanging SMTP server, a Telegram flood wait) hold only their channel's
        places, so the other channels keep their pace. Once a provider proves unreachable,
        the batch's later messages on that channel are not tried: they fall back like the
        first one.
        """
        gates: dict[str, asyncio.Semaphore] = {}

        async def one(step: Prepared) -> DeliveryResult | None:
            gate = gates.setdefault(step.channel, asyncio.Semaphore(self.config.concurrency))
            async with gate:
                if step.channel in self._down:
                    return DeliveryResult(
                        DeliveryOutcome.RETRYABLE,
                        error_code="not-tried",
                        error_message=f"provider down: {self._down[step.channel]}",
                        provider_down=True,
                    )
                channel = self.channels[step.channel]
                result = await outbox.send_reserved(channel, step.outbound, step.reservation)
                if result is not None and result.provider_down:
                    self._mark_down(step.channel, result, stats)
                return result

        results = await asyncio.gather(*(one(step) for step in prepared))
        return list(zip(prepared, results, strict=True))

    async def _decide(self, ids: list[int], now: dt.datetime, stats: TickStats) -> list[Decided]:
        """In one transaction: re-check each follow-up still leased to this worker, then
        defer, skip, wait or settle it, or give it a channel and an idempotency key.

        Decisions first, then one query for the messages already holding those keys.
        """
        async with self.db.transaction() as session:
            followups = (
                await session.exec(
                    select(FollowUp)
                    .where(
                        col(FollowUp.id).in_(ids),
                        FollowUp.lease_owner == self.config.worker,  # not lost meanwhile
                    )
                    .order_by(col(FollowUp.id))
                )
            ).all()
            plans = await load_send_plans(
                session,
                followups=followups,
                grace_days=self.config.grace_days,
                enabled=frozenset(self.channels) - self._down.keys(),
                unavailable=self.unavailable | self._down.keys(),
            )
            quota = _WhatsAppQuota(self.config.whatsapp_daily_limit, now)
            chosen: list[tuple[SendPlan, str, ContactView]] = []
            for followup in followups:
                assert followup.id is not None
                plan = plans[followup.id]
                if not await self._settle_early(session, plan, now, stats):
                    chosen.append((plan, *await quota.pick(session, plan)))
            return await self._keyed(session, chosen, now)

    async def _keyed(
        self,
        session: AsyncSession,
        chosen: list[tuple[SendPlan, str, ContactView]],
        now: dt.datetime,
    ) -> list[Decided]:
        """Each chosen step under its idempotency key, unless a message under that key was
        settled already (sent, or failed for good on this channel): then the step is done."""
        keys = [idempotency_key(plan.followup, plan.lead_offset, name) for plan, name, _ in chosen]
        held = await outbox.find_many(session, keys)
        decided = []
        for (plan, channel_name, contact), key in zip(chosen, keys, strict=True):
            message = held.get(key)
            if message is not None and message.status not in _UNSETTLED:
                # A status callback may have settled an unknown outcome meanwhile.
                self._release(plan.followup, FollowUpStatus.SENT, now)
                session.add(plan.followup)
                continue
            chat_link = None
            carries = self.channels[channel_name].capabilities
            if self.deep_link is not None and not carries.buttons and not plan.telegram_bound:
                # Invite the customer to bind their Telegram chat, where buttons work.
                token = await link_token_for(session, customer_id=plan.customer.id, now=now)
                chat_link = self.deep_link(token)
            tried = message is not None
            decided.append(Decided(plan, channel_name, contact, key, chat_link, tried))
        return decided

    async def _reserve(
        self, decided: list[Decided], rendered: list[Rendered], now: dt.datetime, stats: TickStats
    ) -> list[Prepared]:
        """In one transaction: reserve each rendered message still to send.

        Between deciding and reserving the batch rendered outside any transaction, so the
        leases and the keys are looked at again: a step whose lease was lost is left to its
        new holder; a WhatsApp quota other workers filled meanwhile sends the step to its
        next channel (rendered again, here).
        """
        async with self.db.transaction() as session:
            held = await held_leases(
                session,
                ids=[step.followup_id for step in decided],
                worker=self.config.worker,
                lock=not self.db.is_sqlite,
            )
            quota = _WhatsAppQuota(self.config.whatsapp_daily_limit, now)
            ready: list[tuple[Decided, Rendered]] = []
            moved: list[tuple[SendPlan, str, ContactView]] = []
            for step, message in zip(decided, rendered, strict=True):
                if step.followup_id not in held:
                    continue
                channel_name, contact = await quota.pick(session, step.plan)
                if channel_name == step.channel:
                    ready.append((step, message))
                else:
                    moved.append((step.plan, channel_name, contact))
            if moved:
                again = await self._keyed(session, moved, now)
                ready += zip(again, await self._start_rendering(again), strict=True)
            # Only keys tried before can have changed: no one else reserves under a key of a
            # follow-up whose lease this worker still holds.
            tried = [step.key for step, _ in ready if step.tried]
            messages = await outbox.find_many(session, tried) if tried else {}
            steps: list[tuple[FollowUp, str, outbox.Request]] = []
            for step, message in ready:
                existing = messages.get(step.key)
                if existing is not None and existing.status not in _UNSETTLED:
                    self._release(step.plan.followup, FollowUpStatus.SENT, now)
                    session.add(step.plan.followup)
                    continue
                request = self._request(step, message, existing)
                steps.append((step.plan.followup, step.channel, request))
            reservations = await outbox.reserve_many(
                session, [request for *_, request in steps], now=now
            )
            return [
                Prepared(followup, channel_name, request.outbound, reservation)
                for (followup, channel_name, request), reservation in zip(
                    steps, reservations, strict=True
                )
            ]

    async def _settle_early(
        self, session: AsyncSession, plan: SendPlan, now: dt.datetime, stats: TickStats
    ) -> bool:
        """Defer (outside the window), skip, or wait for a provider; True when done so."""
        followup = plan.followup
        zone = ZoneInfo(plan.customer.timezone)
        window = self.window_for(plan.customer.policy_id)
        if plan.skip is None and not window.is_open_at(now, zone):
            self._release(followup, FollowUpStatus.PLANNED, now, window.next_opening(now, zone))
            session.add(followup)
            stats.deferred += 1
            return True
        if plan.skip is not None:
            await self._skip(session, plan, now)
            stats.skipped += 1
            return True
        if not plan.contacts:
            # Only channels whose provider is down reach this customer: wait for one to
            # come back. Nothing was tried on the customer, so the claim's attempt is
            # given back: an outage never uses up the follow-up's attempts.
            self._release(followup, FollowUpStatus.PLANNED, now, now + self.config.retry_backoff)
            followup.attempts = max(followup.attempts - 1, 0)
            followup.last_error = f"provider down: {', '.join(plan.waiting)}"
            session.add(followup)
            stats.retried += 1
            return True
        return False

    @staticmethod
    def _request(step: Decided, rendered: Rendered, existing: Message | None) -> outbox.Request:
        """The reservation request for a step's rendered message (`existing` when the key
        was tried before)."""
        plan = step.plan
        outbound = Outbound(
            to=Address(step.channel, step.contact.address, plan.customer.name),
            body=rendered.text,
            idempotency_key=step.key,
            subject=rendered.subject,
            html=rendered.html,
            language=rendered.language,
            template=rendered.template,
            buttons=rendered.buttons,
            variables=rendered.variables,
            last_inbound_at=step.contact.last_inbound_at,
        )
        return outbox.Request(outbound, plan.customer.id, plan.followup.id, existing)

    async def _skip(self, session: AsyncSession, plan: SendPlan, now: dt.datetime) -> None:
        """Record why a follow-up no longer applies; no usable contact opens research."""
        followup = plan.followup
        if plan.skip is SkipReason.NO_CONTACT:
            details = _research_details(plan)
            customer_id = plan.customer.id or 0
            # The case keeps the Indonesian wording, as every note in the log does.
            found = await open_research_case(
                session, customer_id=customer_id, details=details.render("id")
            )
            if found:
                await queue_alert(
                    session,
                    customer_id=customer_id,
                    kind="research_contact",
                    summary=summary(details),
                    now=now,
                )
            # The team's part of the step (a call task, a credit hold) still stands.
            await queue_escalations(
                session, followup=followup, actions=list(followup.actions), now=now
            )
        self._release(followup, FollowUpStatus.SKIPPED, now)
        followup.skip_reason = plan.skip
        session.add(followup)

    @staticmethod
    def _release(
        followup: FollowUp,
        status: FollowUpStatus,
        now: dt.datetime,
        planned_at: dt.datetime | None = None,
    ) -> None:
        """End this worker's lease with a new status (and, when planned again, a new time)."""
        followup.status, followup.lease_owner, followup.lease_expires_at = status, None, None
        followup.updated_at = now
        if planned_at is not None:
            followup.planned_at = planned_at

    async def _record(
        self,
        results: list[tuple[Prepared, DeliveryResult | None]],
        now: dt.datetime,
        stats: TickStats,
    ) -> list[int]:
        """Record the outcomes of sends already made (see `_record_once`), again after a
        transient database error: losing them would leave sent reminders `queued` until
        reconciled. Counted into `stats` once, from the attempt that committed."""

        async def record() -> tuple[list[int], TickStats]:
            counted = TickStats()
            return await self._record_once(results, now, counted), counted

        again, counted = await retried(record)
        stats.add(counted)
        return again

    async def _record_once(
        self,
        results: list[tuple[Prepared, DeliveryResult | None]],
        now: dt.datetime,
        stats: TickStats,
    ) -> list[int]:
        """Record every outcome and release the leases in one transaction; returns the
        follow-ups to try on their next channel.

        Outcomes and releases are written set-based (an executemany each); only a follow-up
        whose step has escalation actions takes statements of its own.
        """
        if not results:
            return []
        again: list[int] = []
        outcomes: list[tuple[int, DeliveryResult]] = []
        released: list[LeaseEnd] = []
        async with self.db.transaction() as session:
            held = await held_leases(
                session,
                ids=[step.followup_id for step, _ in results],
                worker=self.config.worker,
                lock=not self.db.is_sqlite,
            )
            for step, result in results:
                followup = step.followup
                if step.followup_id not in held:
                    continue  # the lease was lost meanwhile: the new holder decides
                if result is None:
                    # The provider cannot say yet whether it has the message: keep it
                    # reserved (`queued`) and ask again later.
                    log.warning(
                        "follow-up %s: cannot reconcile its %s message yet; asking later",
                        step.followup_id,
                        step.channel,
                    )
                    released.append(
                        LeaseEnd(
                            step.followup_id,
                            FollowUpStatus.PLANNED,
                            now + self.config.retry_backoff,
                            "reconcile: the provider could not be asked",
                            now,
                        )
                    )
                    stats.retried += 1
                    continue
                outcomes.append((step.message_id, result))
                if self._falls_back(step, result, stats):
                    again.append(step.followup_id)
                    continue
                released.append(self._settle(followup, result, now, stats))
                if followup.actions and result.outcome in (
                    DeliveryOutcome.SENT,
                    DeliveryOutcome.UNKNOWN,
                ):
                    # Escalation actions of the step go to the team once the reminder is out.
                    await queue_escalations(
                        session, followup=followup, actions=list(followup.actions), now=now
                    )
            await outbox.record_many(session, outcomes, now)
            await release_leases(session, ends=released, worker=self.config.worker)
        return again

    def _falls_back(self, step: Prepared, result: DeliveryResult, stats: TickStats) -> bool:
        """True when the step should try its next channel (failed for good, provider down)."""
        if result.outcome is DeliveryOutcome.RETRYABLE and result.provider_down:
            # Not this contact's fault: the channel is left out for the rest of the tick
            # and the step falls back (the message row stays RETRY for a later attempt).
            return True
        if result.outcome is DeliveryOutcome.PERMANENT:
            log.info(
                "follow-up %s: %s failed permanently (%s), trying the next channel",
                step.followup_id,
                step.channel,
                result.error_code,
            )
            return True
        return False

    def _settle(
        self, followup: FollowUp, result: DeliveryResult, now: dt.datetime, stats: TickStats
    ) -> LeaseEnd:
        """How the lease ends: sent (or unknown), failed for good, or planned again after a
        wait. The claimed object is left as it is (setting a mapped attribute costs more than
        the rest of recording an outcome)."""
        ends = partial(LeaseEnd, followup.id or 0, updated_at=now)
        if (
            result.outcome is DeliveryOutcome.UNKNOWN
            and followup.attempts < self.config.max_attempts
        ):
            # The provider may or may not have it (a 5xx, a timeout). A status callback
            # settles the row if it does; otherwise the step is claimed again after
            # RECONCILE_AFTER and the channel is asked (Twilio lists by our key, email
            # resends with the same Message-ID) before anything is resent: a reminder is
            # never left neither sent nor retried.
            stats.unknown += 1
            return ends(
                FollowUpStatus.PLANNED,
                now + RECONCILE_AFTER,
                f"outcome unknown: {result.error_message or result.error_code}",
            )
        if result.outcome is not DeliveryOutcome.RETRYABLE:
            stats.unknown += result.outcome is DeliveryOutcome.UNKNOWN
            stats.sent += result.outcome is DeliveryOutcome.SENT
            return ends(FollowUpStatus.SENT, followup.planned_at, followup.last_error)
        if followup.attempts >= self.config.max_attempts:
            stats.failed += 1
            return ends(FollowUpStatus.FAILED, followup.planned_at, result.error_message)
        wait = self.config.retry_backoff * (2 ** max(followup.attempts - 1, 0))
        if result.retry_after:
            wait = max(wait, dt.timedelta(seconds=result.retry_after))
        stats.retried += 1
        return ends(FollowUpStatus.PLANNED, now + wait, result.error_message)

    def _mark_down(self, channel_name: str, result: DeliveryResult, stats: TickStats) -> None:
        """Leave a channel whose provider is unreachable out of the rest of this tick."""
        if channel_name in self._down:
            return  # found down by a concurrent send already
        reason = f"{result.error_code}: {result.error_message or 'unreachable'}"
        self._down[channel_name] = stats.down[channel_name] = reason
        log.warning(
            "%s provider unreachable (%s): channel left out for the rest of this pass; "
            "its follow-ups fall back to the next channel or wait",
            channel_name,
            reason,
        )
