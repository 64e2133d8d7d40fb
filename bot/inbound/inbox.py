"""The durable inbox: webhooks keep the raw event and answer; this worker runs the conversation.

A webhook does one short insert (`keep_*`, idempotent on the provider's event id) and
answers at once, so a slow flow or a locked database never costs a customer's reply. The
worker — an asyncio task started with the web app, woken on every insert and polling for
events left by a crash or by another process — leases the oldest open event of each
conversation (channel + address), applies it through the `InboundRouter` and marks it applied
in the same transaction, then sends the replies through the channels. Failures are retried
with backoff; after `max_attempts` the event is marked failed and logged as an error.

Kinds of event:

- `twilio/message` (SMS, WhatsApp): the replies are sent by REST (the webhook answered with
  empty TwiML); they wait in the event (`sending`) until sent, so a crash between applying
  and sending loses none.
- `twilio/gather` (keypad digits in a call): Twilio needs the next TwiML now, so the webhook
  waits a little for the worker (`outcome`) and speaks the reply; when it takes longer the
  call is redirected to wait (see bot/inbound/web.py). The reply is spoken, never sent.
- `telegram/update`: the channel parses the update and sends the replies itself
  (`TelegramUpdates.apply`); the router's ledger of applied events makes a replay harmless.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.payloads import Malformed, TelegramUpdate, TwilioGather, TwilioMessage, parse
from bot.inbound.router import InboundRouter, Routed
from bot.logmask import mask_address
from scheduler.claims import process_gone
from scheduler.messages import Address, Button, DeliveryOutcome, DeliveryResult, Inbound, Outbound
from scheduler.outbox import STATUS_OF
from storage.db import Database
from storage.models import InboxItem
from storage.queries import inbox as store
from storage.queries.inbox import InboxStatus
from storage.queries.messages import record_outcome

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]

TWILIO, TELEGRAM = "twilio", "telegram"
#: The worker yields to the webhooks (one event at a time) this long after an insert.
RECEIVING_SECONDS = 0.2
#: Most events kept by one INSERT.
KEEP_BATCH = 200
MESSAGE, GATHER, UPDATE = "message", "gather", "update"


class TelegramUpdatesIn(Protocol):
    """The Telegram channel's update side, as the inbox needs it."""

    def verify_secret(self, secret_header: str | None) -> bool:
        """True when a webhook POST carries our secret."""
        ...

    async def apply(self, payload: dict[str, Any]) -> int:
        """Process one update whose secret was checked; an HTTP-like status."""
        ...


class TelegramWebhook(Protocol):
    """What the web server and the inbox need of the Telegram channel."""

    @property
    def updates(self) -> TelegramUpdatesIn:
        """The channel's update side."""
        ...


class ReplySender(Protocol):
    """A channel, as far as sending a reply goes."""

    async def send(self, message: Outbound) -> DeliveryResult:
        """Deliver one message and classify the outcome."""
        ...


class Wiring(Protocol):
    """Providers that come up after the web server (the composition root wires them in)."""

    @property
    def telegram(self) -> TelegramWebhook | None:
        """The Telegram channel, once started."""
        ...

    @property
    def channels(self) -> Mapping[str, ReplySender]:
        """The open channels by name (replies go out through them)."""
        ...


def _worker_name() -> str:
    """Unique per worker, also across processes: leases are held by name ("host:pid:tag")."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class InboxConfig:
    """How the worker drains the inbox."""

    worker: str = field(default_factory=_worker_name)
    #: A leased event is taken over by another worker after this long (its worker died).
    lease: dt.timedelta = dt.timedelta(seconds=60)
    #: Conversations leased at once, and events applied at once.
    batch: int = 32
    concurrency: int = 8
    #: Seconds between looks for events that no wake-up announced (crash, other process).
    poll_seconds: float = 1.0
    max_attempts: int = 8
    backoff: dt.timedelta = dt.timedelta(seconds=2)
    max_backoff: dt.timedelta = dt.timedelta(minutes=10)
    #: Settled events are deleted after this long (the router's ledger still dedups).
    keep_settled: dt.timedelta = dt.timedelta(days=7)


class LeaseLost(Exception):
    """Another worker took the event over (our lease ran out): leave it to them."""


class NotReady(Exception):
    """What the event needs is not up yet (Telegram, a channel): try again later, no attempt."""


class Rejected(Exception):
    """The kept event can never be applied (a malformed payload): settled, not retried."""


def twilio_inbound(form: Mapping[str, str], received_at: dt.datetime) -> Inbound:
    """An SMS or WhatsApp message from Twilio's webhook form; `Malformed` if it does not fit."""
    return message_inbound(parse(TwilioMessage, form), received_at)


def message_inbound(message: TwilioMessage, received_at: dt.datetime) -> Inbound:
    """An SMS or WhatsApp message, validated, as the router takes it."""
    return Inbound(
        sender=Address(message.channel, message.number),
        text=message.body,
        received_at=received_at,
        provider_id=message.sid,
        payload=message.button_payload,
        media=message.media,
    )


def phone_of(value: str) -> tuple[str, str]:
    """(channel, E.164 number) from a Twilio address like `whatsapp:+62812…`."""
    if value.startswith("whatsapp:"):
        return "whatsapp", value.removeprefix("whatsapp:")
    return "sms", value


def gather_event_id(form: Mapping[str, str], stage: str) -> str:
    """The provider id of one keypad choice: the call, the menu stage and the digits."""
    return f"{form.get('CallSid', '')}:{stage}:{form.get('Digits', '')}"


def _form_id(form: Mapping[str, str]) -> str:
    """A stable id for a form without a MessageSid (a replay of the same form dedups)."""
    digest = hashlib.sha256(repr(sorted(form.items())).encode()).hexdigest()
    return f"form:{digest[:40]}"


def _form(item: InboxItem) -> dict[str, str]:
    """The Twilio form kept with an event; `Rejected` when there is none."""
    form = item.payload.get("form") if isinstance(item.payload, dict) else None
    if not isinstance(form, dict):
        raise Rejected("no Twilio form in the event")
    return form


def encode_reply(reply: Outbound) -> dict[str, Any]:
    """A reply as stored with its event, to be sent (or spoken) later."""
    return {
        "channel": reply.to.channel,
        "to": reply.to.value,
        "body": reply.body,
        "key": reply.idempotency_key,
        "language": reply.language,
        "template": reply.template,
        "buttons": [[button.label, button.payload] for button in reply.buttons],
        # Only staff replies carry a photo, and those go straight out on Telegram; kept here
        # all the same, so a reply stored with its event loses nothing.
        "photo": base64.b64encode(reply.photo).decode() if reply.photo else None,
        # Email replies carry their thread (In-Reply-To, References) and a "Re:" subject.
        "subject": reply.subject,
        "headers": [list(header) for header in reply.headers],
    }


def decode_reply(data: Mapping[str, Any], received_at: dt.datetime) -> Outbound:
    """The stored reply, answering a message received at `received_at`."""
    return Outbound(
        to=Address(str(data["channel"]), str(data["to"])),
        body=str(data["body"]),
        idempotency_key=str(data["key"]),
        language=str(data.get("language") or "id"),
        template=data.get("template"),
        buttons=tuple(Button(str(label), str(payload)) for label, payload in data["buttons"]),
        photo=base64.b64decode(data["photo"]) if data.get("photo") else None,
        subject=str(data.get("subject") or ""),
        headers=tuple((str(name), str(value)) for name, value in data.get("headers", ())),
        # The customer just wrote: WhatsApp allows free text for 24 hours after.
        last_inbound_at=received_at,
    )


class Inbox:
    """Keep webhook events durably, then apply them in order per conversation."""

    def __init__(
        self,
        db: Database,
        router: InboundRouter,
        wiring: Wiring,
        *,
        clock: Clock,
        config: InboxConfig | None = None,
    ) -> None:
        """Nothing runs until `start`."""
        self.db, self.router, self.wiring, self.clock = db, router, wiring, clock
        self.config = config or InboxConfig()
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._waiters: dict[int, asyncio.Future[list[dict[str, Any]]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._purged_at: dt.datetime | None = None
        self._kept_at = -1.0  # monotonic time of the last webhook insert
        self._to_keep: list[tuple[dict[str, Any], asyncio.Future[int | None]]] = []
        self._keeping: asyncio.Task[None] | None = None
        self._one_at_a_time = asyncio.Lock()
        self._apply: dict[tuple[str, str], Callable[[InboxItem], Awaitable[bool]]] = {
            (TWILIO, MESSAGE): self._apply_message,
            (TWILIO, GATHER): self._apply_gather,
            (TELEGRAM, UPDATE): self._apply_update,
        }

    def register(
        self, provider: str, kind: str, apply: Callable[[InboxItem], Awaitable[bool]]
    ) -> None:
        """Apply events of `provider`/`kind` with `apply` (email: bot/inbound/email_replies.py)."""
        self._apply[(provider, kind)] = apply

    async def keep(
        self, provider: str, event_id: str, kind: str, conversation: str, payload: dict[str, Any]
    ) -> int | None:
        """Keep one event of a registered kind; its id (None: kept before). Durable on return."""
        return await self._keep(provider, event_id, kind, conversation, payload)

    async def apply_inbound(
        self, item: InboxItem, inbound: Inbound, *, shape: Callable[[Outbound], Outbound]
    ) -> bool:
        """Route `inbound` for a leased event, its replies reshaped by `shape`, then send them
        (the SMS/WhatsApp path: replies kept with the event until sent)."""
        await self.router.handle(
            inbound, then=self._settler(item, InboxStatus.SENDING, shape), replies_queued=True
        )
        if item.status == InboxStatus.PENDING:  # rolled back on a unique index
            await self._after_conflict(item, inbound)
            return True
        if item.status == InboxStatus.SENDING:
            return await self._send(item, item.replies or [])
        return True

    async def finish(self, item: InboxItem) -> None:
        """Mark a leased event done in a transaction of its own."""
        await self._finish(item, InboxStatus.DONE)

    # --- what the webhooks call -----------------------------------------------------------
    async def keep_twilio_message(
        self, form: Mapping[str, str], message: TwilioMessage
    ) -> int | None:
        """Keep an SMS or WhatsApp message (`message`, the form validated); its event id
        (None: a retry already kept)."""
        return await self._keep(
            TWILIO,
            message.sid or _form_id(form),
            MESSAGE,
            f"{message.channel}:{message.number}",
            {"form": dict(form)},
        )

    async def keep_gather(
        self, form: Mapping[str, str], *, key: str, stage: str, choice: str
    ) -> int | None:
        """Keep a keypad choice made in a reminder call; its event id (None: a retry)."""
        _, number = phone_of(form.get("To", ""))
        return await self._keep(
            TWILIO,
            gather_event_id(form, stage),
            GATHER,
            f"voice:{number}",
            {"form": dict(form), "key": key, "stage": stage, "choice": choice},
        )

    async def keep_telegram(self, payload: dict[str, Any], update: TelegramUpdate) -> int | None:
        """Keep a Telegram update (its secret checked, `update` the payload validated); its
        id (None: a retry)."""
        return await self._keep(
            TELEGRAM, str(update.update_id), UPDATE, f"telegram:{update.chat}", payload
        )

    async def _keep(
        self, provider: str, event_id: str, kind: str, conversation: str, payload: dict[str, Any]
    ) -> int | None:
        """Queue the event for the next insert and wait until it is written.

        Group commit: whatever webhooks queued while an insert ran goes in the next one, so
        under load one statement keeps many events (and SQLite's lock is taken once for
        them); alone, an event is written at once.
        """
        self._kept_at = time.monotonic()
        row = store.event(
            provider=provider,
            event_id=event_id,
            kind=kind,
            conversation=conversation,
            payload=payload,
            now=self.clock(),
        )
        written: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._to_keep.append((row, written))
        if self._keeping is None:
            self._keeping = asyncio.create_task(self._keep_queued(), name="tagih-inbox-keep")
        kept = await written
        self.wake()
        return kept

    async def _keep_queued(self) -> None:
        """Write the queued events, a batch per statement, until none are left."""
        try:
            while self._to_keep:
                batch = self._to_keep[:KEEP_BATCH]
                del self._to_keep[:KEEP_BATCH]
                try:
                    ids = await store.keep(self.db, events=[row for row, _ in batch])
                except Exception as exc:  # each waiting webhook fails (HTTP 500): not kept
                    for _, written in batch:
                        if not written.done():
                            written.set_exception(exc)
                    continue
                for (_, written), kept in zip(batch, ids, strict=True):
                    if not written.done():
                        written.set_result(kept)
        finally:
            self._keeping = None

    async def find(self, provider: str, event_id: str) -> InboxItem | None:
        """A kept event by its provider's event id."""
        return await store.find(self.db, provider=provider, event_id=event_id)

    async def outcome(self, item_id: int, timeout: float) -> list[dict[str, Any]] | None:  # noqa: ASYNC109
        """The stored replies of the event once settled, waiting up to `timeout` seconds
        for this process's worker; None when it is still open."""
        loop = asyncio.get_running_loop()
        waiter = self._waiters.setdefault(item_id, loop.create_future())
        self.wake()
        try:
            item = await store.find(self.db, item_id=item_id)
            if item is not None and item.status not in store.OPEN:
                return list(item.replies or [])
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            return None
        finally:
            if self._waiters.get(item_id) is waiter:
                del self._waiters[item_id]

    # --- the worker -----------------------------------------------------------------------
    def wake(self) -> None:
        """Look for work now (an event was kept, or something it waited for is up)."""
        self._idle.clear()
        self._wakeup.set()

    async def settled(self) -> None:
        """Wait until the worker finds nothing due to do (tests, demos)."""
        self.wake()
        await self._idle.wait()

    def start(self) -> None:
        """Start the worker task (with the web app)."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="tagih-inbox")

    async def stop(self, grace: float = 5.0) -> None:
        """Let the worker finish what it holds (up to `grace` seconds), then stop it."""
        if self._keeping is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._keeping), grace)
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wakeup.set()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, grace)
        for waiter in self._waiters.values():
            waiter.cancel()
        self._waiters.clear()

    async def _run(self) -> None:
        try:
            # After a crash and restart, events the dead process held need not wait out
            # its leases: a dead process of this host is known to be dead.
            dead = [h for h in await store.lease_holders(self.db) if process_gone(h)]
            if await store.free_leases(self.db, holders=dead):
                log.info("inbox: took over the events of %d dead worker(s)", len(dead))
        except Exception:
            log.exception("inbox worker: could not look for dead workers' leases")
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.config.poll_seconds)
            self._wakeup.clear()
            if self._stopping:
                break
            try:
                await self.drain()
                await self._purge()
            except Exception:  # the database is away, say: log, keep polling
                log.exception("inbox worker: draining failed; trying again")
            if not self._wakeup.is_set():
                self._idle.set()
        self._idle.set()

    async def drain(self) -> int:
        """Apply every due event (oldest of each conversation first); how many progressed."""
        config, progressed = self.config, 0
        gate = asyncio.Semaphore(config.concurrency)

        async def one(item: InboxItem) -> bool:
            async with gate:
                if not self._receiving():
                    return await self._process(item)
                # Webhooks are coming in: they share this event loop, so apply one event
                # at a time and let them answer first.
                async with self._one_at_a_time:
                    return await self._process(item)

        while not self._stopping:
            items = await store.lease(
                self.db,
                worker=config.worker,
                now=self.clock(),
                lease_for=config.lease,
                limit=config.batch,
            )
            if not items:
                break
            done = sum(await asyncio.gather(*(one(item) for item in items)))
            progressed += done
            if not done:
                break  # all of them wait on something not up yet: the next wake-up or poll
        return progressed

    def _receiving(self) -> bool:
        """True while webhooks keep events (one in the last RECEIVING_SECONDS)."""
        return time.monotonic() - self._kept_at < RECEIVING_SECONDS

    async def _purge(self) -> None:
        now = self.clock()
        if self._purged_at is not None and now - self._purged_at < dt.timedelta(hours=1):
            return
        self._purged_at = now
        await store.purge(self.db, before=now - self.config.keep_settled)

    async def _process(self, item: InboxItem) -> bool:
        """Apply one leased event (and send its replies); False when it must wait."""
        assert item.id is not None
        try:
            if item.status == InboxStatus.PENDING:
                apply = self._apply.get((item.provider, item.kind))
                if apply is None:
                    await self._give_up(item, f"no handler for {item.provider}/{item.kind}")
                    return True
                return await apply(item)
            return await self._send(item, item.replies or [])
        except LeaseLost:
            log.info("inbox event %s was taken over by another worker", item.id)
            return True
        except (Rejected, Malformed) as exc:
            await self._reject(item, str(exc))
            return True
        except NotReady as exc:
            await store.postpone(
                self.db,
                item_id=item.id,
                worker=self.config.worker,
                due_at=item.due_at,
                attempts=item.attempts,
            )
            log.debug("inbox event %s waits: %s", item.id, exc)
            return False
        except Exception as exc:  # a flow bug, a locked database: retried with backoff
            log.warning("inbox event %s failed (%s); retried", item.id, exc, exc_info=True)
            await self._retry(item, f"{type(exc).__name__}: {exc}")
            return True

    def _settler(
        self,
        item: InboxItem,
        status: InboxStatus,
        shape: Callable[[Outbound], Outbound] | None = None,
    ) -> Callable[[AsyncSession, Routed], Awaitable[None]]:
        """Mark the event applied inside the routing transaction (with its replies)."""

        async def then(session: AsyncSession, routed: Routed) -> None:
            assert item.id is not None
            replies = [encode_reply(shape(r) if shape else r) for r in routed.replies]
            settled = status
            if status is InboxStatus.SENDING and not replies:
                settled = InboxStatus.DONE
            ok = await store.settle(
                session,
                item_id=item.id,
                worker=self.config.worker,
                status=settled,
                now=self.clock(),
                replies=replies,
            )
            if not ok:
                raise LeaseLost
            item.status, item.replies = settled.value, replies

        return then

    async def _apply_message(self, item: InboxItem) -> bool:
        inbound = twilio_inbound(_form(item), item.received_at)
        await self.router.handle(
            inbound, then=self._settler(item, InboxStatus.SENDING), replies_queued=True
        )
        if item.status == InboxStatus.PENDING:  # rolled back on a unique index
            await self._after_conflict(item, inbound)
            return True
        if item.status == InboxStatus.SENDING:
            return await self._send(item, item.replies or [])
        return True

    async def _apply_gather(self, item: InboxItem) -> bool:
        payload = item.payload
        form = _form(item)
        _, number = phone_of(parse(TwilioGather, form).to)
        choice, stage = payload.get("choice"), payload.get("stage")
        if not isinstance(choice, str) or not isinstance(stage, str):
            raise Rejected("no choice or stage")
        inbound = Inbound(
            sender=Address("voice", number),
            text=choice,
            received_at=item.received_at,
            provider_id=gather_event_id(form, stage),
            payload=f"voice:{choice}",
        )
        await self.router.handle(inbound, then=self._settler(item, InboxStatus.DONE))
        if item.status == InboxStatus.PENDING:  # rolled back on a unique index
            await self._after_conflict(item, inbound)
        self._resolve(item)
        return True

    async def _after_conflict(self, item: InboxItem, inbound: Inbound) -> None:
        """The routing transaction hit a unique index: done if that was this very event
        applied meanwhile (the ledger has it), else a failure to retry."""
        if not await self.router.applied(inbound):
            raise RuntimeError("routing failed on a unique index")
        await self._finish(item, InboxStatus.DONE)

    async def _apply_update(self, item: InboxItem) -> bool:
        parse(TelegramUpdate, item.payload)  # kept by an older version, unchecked: check now
        telegram = self.wiring.telegram
        if telegram is None:
            raise NotReady("Telegram is not up")
        status = await telegram.updates.apply(item.payload)
        if status == 503:
            raise NotReady("Telegram is not started")
        if status == 400:
            raise Rejected("python-telegram-bot could not read the update")
        if status >= 300:
            raise RuntimeError(f"Telegram update handling answered {status}")
        await self._finish(item, InboxStatus.DONE)
        return True

    async def _send(self, item: InboxItem, replies: list[dict[str, Any]]) -> bool:
        """Send the stored replies in order; the first that cannot go holds the rest back."""
        channels = self.wiring.channels
        outcomes: list[tuple[str, DeliveryResult]] = []
        rest: list[dict[str, Any]] = []
        error = ""
        for index, data in enumerate(replies):
            channel = channels.get(str(data["channel"]))
            if channel is None:
                if index == 0:
                    raise NotReady(f"channel {data['channel']} is not open")
                rest, error = replies[index:], f"channel {data['channel']} is not open"
                break
            result = await channel.send(decode_reply(data, item.received_at))
            outcomes.append((str(data["key"]), result))
            if result.outcome is DeliveryOutcome.RETRYABLE:
                rest = replies[index:]
                error = f"reply {result.error_code or 'retryable'}: {result.error_message or ''}"
                break
            if not result.ok:
                who = mask_address(str(data["to"]))
                log.warning("reply to %s %s (%s)", who, result.outcome.value, result.error_code)
        # One transaction: the log learns every outcome, and the event is done.
        async with self.db.transaction() as session:
            for key, result in outcomes:
                await self._record(session, key, result)
            if not rest:
                await self._settle(session, item, InboxStatus.DONE)
        if rest:
            await self._retry(item, error.strip(), rest)
        return True

    async def _record(self, session: AsyncSession, key: str, result: DeliveryResult) -> None:
        """What became of a reply, in the communication log."""
        await record_outcome(
            session,
            key=key,
            status=STATUS_OF[result.outcome],
            now=self.clock(),
            provider_id=result.provider_id,
            error_code=(result.error_code or "")[:32],
            error_message=result.error_message,
        )

    async def _settle(
        self,
        session: AsyncSession,
        item: InboxItem,
        status: InboxStatus,
        error: str | None = None,
        attempts: int | None = None,
    ) -> None:
        """Mark a leased event done or failed in `session`'s transaction."""
        assert item.id is not None
        if not await store.settle(
            session,
            item_id=item.id,
            worker=self.config.worker,
            status=status,
            now=self.clock(),
            error=error,
            attempts=attempts,
        ):
            raise LeaseLost
        item.status = status.value

    async def _finish(
        self,
        item: InboxItem,
        status: InboxStatus,
        error: str | None = None,
        attempts: int | None = None,
    ) -> None:
        """`_settle` in a transaction of its own."""
        async with self.db.transaction() as session:
            await self._settle(session, item, status, error, attempts)

    async def _retry(
        self, item: InboxItem, error: str, replies: list[dict[str, Any]] | None = None
    ) -> None:
        """Try again after a backoff, or give up after `max_attempts`."""
        assert item.id is not None
        attempts = item.attempts + 1
        if attempts >= self.config.max_attempts:
            await self._give_up(item, error, attempts, replies)
            return
        delay = min(self.config.backoff * 2 ** (attempts - 1), self.config.max_backoff)
        await store.postpone(
            self.db,
            item_id=item.id,
            worker=self.config.worker,
            due_at=self.clock() + delay,
            attempts=attempts,
            error=error,
            replies=replies,
        )

    async def _give_up(
        self,
        item: InboxItem,
        error: str,
        attempts: int | None = None,
        unsent: list[dict[str, Any]] | None = None,
    ) -> None:
        """Mark the event failed and say so loudly: an operator must look at it."""
        assert item.id is not None
        log.error(
            "inbox: gave up on %s/%s event %s (%s) after %d attempts: %s",
            item.provider,
            item.kind,
            item.event_id,
            item.conversation.split(":", 1)[0],
            attempts or item.attempts,
            error,
        )
        gave_up = DeliveryResult(DeliveryOutcome.PERMANENT, error_code="gave-up")
        async with self.db.transaction() as session:
            for data in unsent or ():
                await self._record(session, str(data["key"]), gave_up)
            await self._settle(session, item, InboxStatus.FAILED, error, attempts)
        self._resolve(item)

    async def _reject(self, item: InboxItem, reason: str) -> None:
        """Settle an event that can never be applied as rejected, saying why (no retries)."""
        assert item.id is not None
        log.warning(
            "inbox: rejected %s/%s event %s (%s): %s",
            item.provider,
            item.kind,
            item.event_id[:40],
            item.conversation.split(":", 1)[0],
            reason,
        )
        await self._finish(item, InboxStatus.REJECTED, f"rejected: {reason}", item.attempts + 1)
        self._resolve(item)

    def _resolve(self, item: InboxItem) -> None:
        """Hand a voice choice's replies to the webhook waiting for them."""
        waiter = self._waiters.pop(item.id or 0, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(list(item.replies or []))
