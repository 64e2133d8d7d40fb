"""Replies to reminder emails: an IMAP poller (aioimaplib) feeding the durable inbox.

Each poll logs in, lists the unseen messages of the folder, and for each one keeps an
inbox event (provider `email`, event id = its Message-ID) *before* flagging it \\Seen: a
crash between the two leaves the mail unseen, the next poll keeps it again, and the
insert's ON CONFLICT (and the router's ledger of applied events) applies it once.
Machine-written mail (auto-replies, lists) is logged and flagged without an event; a
bounce is kept as its own event that marks the bounced reminder failed in the log.

The inbox applies an email event like an SMS: it finds the customer by the thread (our
Message-ID in In-Reply-To/References, kept as the reminder's provider id) or else by the
sender's address, routes the reply's new text through the same flows, and answers by
email in the same thread ("Re:" subject, In-Reply-To, References).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import aioimaplib

from bot.channels.email_parse import EmailReply, parse_reply, reply_subject
from bot.logmask import mask_address
from scheduler.messages import Address, Inbound, Outbound
from storage.db import Database
from storage.enums import MessageStatus
from storage.models import InboxItem
from storage.queries.contacts import find_contact
from storage.queries.messages import latest_sent_to_customer, sent_message

if TYPE_CHECKING:
    from bot.inbound.inbox import Inbox

log = logging.getLogger(__name__)

EMAIL, REPLY, BOUNCE = "email", "reply", "bounce"
#: The longest wait between attempts while the IMAP server cannot be reached.
MAX_BACKOFF = dt.timedelta(minutes=15)
#: Mails fetched per poll at most (the rest come with the next poll).
MAX_PER_POLL = 200


class ImapError(Exception):
    """The IMAP server refused a command or could not be reached."""


@dataclass(frozen=True, slots=True)
class ImapConfig:
    """Where the replies are read."""

    host: str
    port: int
    username: str
    password: str
    folder: str = "INBOX"
    tls: bool = True
    starttls: bool = False
    timeout: float = 30.0
    poll_seconds: float = 60.0
    tls_context: ssl.SSLContext | None = field(default=None, compare=False)


@dataclass
class PollStats:
    """What one poll did."""

    fetched: int = 0
    kept: int = 0
    duplicates: int = 0
    auto: int = 0
    bounces: int = 0
    unreadable: int = 0


def _ok(response: Any, what: str) -> Any:
    """The response if OK, else `ImapError` naming the command."""
    if response.result != "OK":
        detail = b" ".join(line for line in response.lines if isinstance(line, bytes))
        raise ImapError(f"{what}: {response.result} {detail.decode(errors='replace')[:200]}")
    return response


async def _starttls(client: aioimaplib.IMAP4, config: ImapConfig) -> None:
    """Upgrade a plain connection (aioimaplib has no STARTTLS of its own): never falls back."""
    protocol = client.protocol
    # The greeting's CAPABILITY may still be on its way when the hello is seen: ask now.
    await asyncio.wait_for(protocol.capability(), config.timeout)
    if "STARTTLS" not in protocol.capabilities:
        raise ImapError("STARTTLS: the server does not offer it")
    command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
    _ok(await asyncio.wait_for(protocol.execute(command), config.timeout), "STARTTLS")
    loop = asyncio.get_running_loop()
    context = config.tls_context or ssl.create_default_context()
    transport = await loop.start_tls(
        protocol.transport, protocol, context, server_hostname=config.host
    )
    protocol.transport = transport
    # Capabilities before TLS cannot be trusted (RFC 3501 6.2.1): ask again.
    await asyncio.wait_for(protocol.capability(), config.timeout)


class ImapMailbox:
    """One logged-in IMAP session on the replies folder."""

    def __init__(self, config: ImapConfig) -> None:
        self.config = config
        self._client: aioimaplib.IMAP4 | None = None

    async def open(self) -> None:
        """Connect (TLS, STARTTLS or plain), log in and select the folder."""
        c = self.config
        if c.tls:
            context = c.tls_context or ssl.create_default_context()
            client: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(
                host=c.host, port=c.port, timeout=c.timeout, ssl_context=context
            )
        else:
            client = aioimaplib.IMAP4(host=c.host, port=c.port, timeout=c.timeout)
        self._client = client
        await client.wait_hello_from_server()
        if c.starttls:
            await _starttls(client, c)
        _ok(await client.login(c.username, c.password), "LOGIN")
        _ok(await client.select(c.folder), f"SELECT {c.folder}")

    async def unseen(self) -> list[str]:
        """UIDs of the unseen messages, oldest first."""
        assert self._client is not None
        response = _ok(await self._client.uid_search("UNSEEN", charset=None), "UID SEARCH")
        uids: list[str] = []
        for line in response.lines:
            text = bytes(line).decode(errors="replace")
            if text and all(part.isdecimal() for part in text.split()):
                uids.extend(text.split())
        return sorted(uids, key=int)

    async def fetch(self, uid: str) -> bytes | None:
        """The raw message (without setting \\Seen), or None when it is gone."""
        assert self._client is not None
        response = _ok(await self._client.uid("fetch", uid, "(BODY.PEEK[])"), "UID FETCH")
        for line in response.lines:
            if isinstance(line, bytearray):  # aioimaplib hands the literal over as such
                return bytes(line)
        return None

    async def mark_seen(self, uid: str) -> None:
        """Flag one message \\Seen."""
        assert self._client is not None
        _ok(await self._client.uid("store", uid, "+FLAGS.SILENT", "(\\Seen)"), "UID STORE")

    async def wait_for_mail(
        self, seconds: float, started: Callable[[], None] | None = None
    ) -> bool | None:
        """IDLE (RFC 2177) until the server announces mail or `seconds` pass: True when it
        did, False at the timeout, None when the server offers no IDLE (then poll).
        `started` is called once the server accepted the IDLE."""
        client = self._client
        assert client is not None
        await asyncio.wait_for(client.protocol.capability(), self.config.timeout)
        if not client.has_capability("IDLE"):
            return None
        idle = await client.idle_start(timeout=seconds)
        if started is not None:
            started()
        try:
            while client.has_pending_idle():
                push = await client.wait_server_push(timeout=seconds + self.config.timeout)
                if push == aioimaplib.STOP_WAIT_SERVER_PUSH:
                    return False
                lines = push if isinstance(push, list) else [push]
                if any(_announces_mail(line) for line in lines):
                    return True
            return False
        finally:
            if client.has_pending_idle():
                client.idle_done()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(idle, self.config.timeout)

    async def close(self) -> None:
        """Log out, or just drop the connection when that fails."""
        client, self._client = self._client, None
        if client is None:
            return
        with contextlib.suppress(Exception):  # going away either way
            await client.logout()
        transport = getattr(client.protocol, "transport", None)
        if transport is not None:
            transport.close()


def _announces_mail(line: object) -> bool:
    """Whether an untagged IDLE response says the folder has new mail (`* 3 EXISTS`)."""
    text = (
        bytes(line).upper() if isinstance(line, bytes | bytearray) else str(line).upper().encode()
    )
    return text.endswith((b" EXISTS", b" RECENT"))


def _conversation(reply: EmailReply) -> str:
    """The inbox's ordering key: one conversation per sender."""
    return f"{EMAIL}:{reply.sender.lower()}"


class EmailReplies:
    """Polls the mailbox into the inbox and applies the kept email events."""

    def __init__(
        self,
        db: Database,
        inbox: Inbox,
        config: ImapConfig | None,
        *,
        clock: Callable[[], dt.datetime],
        wait: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """Registers the email kinds with `inbox`; polls only when `config` is given.

        `wait` sleeps between polls (tests inject one that returns at once).
        """
        self.db, self.inbox, self.config, self.clock = db, inbox, config, clock
        self._wait = wait
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Consecutive failed polls (the backoff grows with them).
        self.failures = 0
        #: Waiting in IDLE for the server to announce mail (for logs and tests).
        self.idling = False
        inbox.register(EMAIL, REPLY, self._apply_reply)
        inbox.register(EMAIL, BOUNCE, self._apply_bounce)

    # --- polling --------------------------------------------------------------------------
    async def poll(self, *, flag: bool = True) -> PollStats:
        """One poll: keep every unseen mail in the inbox, then flag it \\Seen.

        `flag=False` keeps without flagging, as a crash right after keeping would (tests).
        """
        assert self.config is not None, "no IMAP configured"
        stats = PollStats()
        mailbox = ImapMailbox(self.config)
        try:
            await mailbox.open()
            for uid in (await mailbox.unseen())[:MAX_PER_POLL]:
                raw = await mailbox.fetch(uid)
                if raw is None:
                    continue
                stats.fetched += 1
                if await self.receive(raw, stats, where=f"uid {uid}") and flag:
                    await mailbox.mark_seen(uid)
        finally:
            await mailbox.close()
        if stats.fetched:
            log.info(
                "email: %d fetched, %d kept, %d already kept, %d auto-replies, %d bounces",
                stats.fetched,
                stats.kept,
                stats.duplicates,
                stats.auto,
                stats.bounces,
            )
        return stats

    async def receive(self, raw: bytes, stats: PollStats | None = None, *, where: str = "") -> bool:
        """Keep one received mail durably (or skip an auto-reply); True when done with it
        (the poller then flags it seen). Also the way in for mail that does not come by IMAP.
        """
        stats = stats if stats is not None else PollStats()
        try:
            reply = parse_reply(raw)
        except Exception:  # a mail the parser cannot read must not stop the others
            log.exception("email: could not read message %s; left unseen", where)
            stats.unreadable += 1
            return False
        who = mask_address(reply.sender)
        if reply.auto == "bounce":
            stats.bounces += 1
            kind = BOUNCE
        elif reply.auto:
            stats.auto += 1
            log.info("email from %s is machine-written (%s): not a conversation", who, reply.auto)
            return True
        else:
            kind = REPLY
        kept = await self.inbox.keep(
            EMAIL, reply.provider_id, kind, _conversation(reply), reply.to_payload()
        )
        if kept is None:
            stats.duplicates += 1
        elif kind == REPLY:
            stats.kept += 1
        return True

    def start(self) -> None:
        """Poll in the background until `stop` (only when IMAP is configured)."""
        if self.config is not None and self._task is None:
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(self.run(), name="tagih-imap")

    async def stop(self) -> None:
        """End the polling task."""
        task, self._task = self._task, None
        self._stop.set()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def backoff(self) -> float:
        """Seconds to wait before the next poll: the interval, doubled per failure in a row."""
        assert self.config is not None
        base = float(self.config.poll_seconds)
        if not self.failures:
            return base
        return float(min(base * 2 ** (self.failures - 1), MAX_BACKOFF.total_seconds()))

    async def run(self) -> None:
        """Poll every `poll_seconds`; a failure is a warning and a retry with backoff."""
        assert self.config is not None
        while not self._stop.is_set():
            try:
                await self.poll()
                if self.failures:
                    log.info("email: the IMAP server answers again")
                self.failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # unreachable, refused login, a dropped connection
                self.failures += 1
                log.warning(
                    "email: cannot read replies from %s:%s (%s: %s); retrying in %.0f s",
                    self.config.host,
                    self.config.port,
                    type(exc).__name__,
                    exc,
                    self.backoff(),
                )
            # An injected `wait` means the caller keeps the time: no IDLE, which waits in
            # real time.
            idled = not self.failures and self._wait is None
            if not (idled and await self._wait_for_mail(self.backoff())):
                await self._pause(self.backoff())

    async def _wait_for_mail(self, seconds: float) -> bool:
        """Wait with IDLE on a connection of its own, so a reply is read the moment it
        arrives rather than up to a poll interval later; False when the server has no
        IDLE or the wait failed (the caller then sleeps the interval)."""
        assert self.config is not None
        mailbox = ImapMailbox(self.config)
        try:
            await mailbox.open()
            return await mailbox.wait_for_mail(seconds, self._idle_started) is not None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the next poll reports trouble with the server
            log.debug("email: IDLE unavailable (%s: %s); polling", type(exc).__name__, exc)
            return False
        finally:
            self.idling = False
            await mailbox.close()

    def _idle_started(self) -> None:
        self.idling = True

    async def _pause(self, seconds: float) -> None:
        if self._wait is not None:
            await self._wait(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    # --- applying (called by the inbox worker) -------------------------------------------
    async def _apply_reply(self, item: InboxItem) -> bool:
        reply = EmailReply.from_payload(item.payload)
        address = await self.customer_address(reply)
        # Answering the thread's contact, not the colleague who wrote: not their name either.
        name = reply.sender_name if address.lower() == reply.sender.lower() else ""
        inbound = Inbound(
            sender=Address(EMAIL, address, name),
            text=reply.text,
            received_at=item.received_at,
            provider_id=reply.provider_id,
            media=reply.attachments,
        )
        references = " ".join([*reversed(reply.thread), reply.message_id]).strip()

        def in_thread(answer: Outbound) -> Outbound:
            if answer.to.channel != EMAIL or not reply.message_id:
                return answer
            headers = (("In-Reply-To", reply.message_id), ("References", references))
            return replace(answer, subject=reply_subject(reply.subject), headers=headers)

        return await self.inbox.apply_inbound(item, inbound, shape=in_thread)

    async def customer_address(self, reply: EmailReply) -> str:
        """The address the reply is handled under: the thread's customer contact, else the
        sender's (matched without regard to case), else the sender as written (unknown)."""
        async with self.db.transaction() as session:
            sender = await find_contact(session, channel=EMAIL, address=reply.sender, any_case=True)
            if reply.thread:
                ours = await latest_sent_to_customer(
                    session, channel=EMAIL, provider_ids=reply.thread
                )
                if ours is not None and (sender is None or sender.customer_id != ours.customer_id):
                    # Someone else at the customer answered our thread (a colleague, a
                    # finance desk): the conversation is the customer's, on the contact we
                    # wrote to, and our answer goes there.
                    return ours.address
            return sender.address if sender is not None else reply.sender

    async def _apply_bounce(self, item: InboxItem) -> bool:
        reply = EmailReply.from_payload(item.payload)
        async with self.db.transaction() as session:
            ours = None
            if reply.bounced_id:
                ours = await sent_message(session, channel=EMAIL, provider_id=reply.bounced_id)
            if ours is not None:
                # There is no "failing contact" state yet: the bounced message itself says so
                # in the log, where collectors read the customer's history.
                ours.status = MessageStatus.FAILED
                ours.error_code = "bounced"
                ours.error_message = f"bounced: {reply.subject}"[:500]
                ours.updated_at = self.clock()
                session.add(ours)
        log.warning(
            "email: bounce for %s (our message %s)",
            mask_address(reply.bounced_to) if reply.bounced_to else "an unknown address",
            "found and marked failed" if ours is not None else "not found",
        )
        await self.inbox.finish(item)
        return True
