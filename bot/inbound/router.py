"""The inbound router: every message from outside is logged once, bound, and answered."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows.ack import acknowledgement, chat_bound, link_invalid, neutral_reply
from bot.inbound.conversation import ConversationConfig, converse
from bot.logmask import mask_address
from bot.staff.alert_actions import handle_alert_button, is_alert_payload
from bot.staff.commands import StaffConfig, handle_staff
from scheduler.messages import Inbound, Outbound
from storage.db import Database
from storage.enums import Direction, MessageStatus
from storage.models import Contact, Customer, InboundEvent, Message, Staff
from storage.queries.contacts import find_contact, redeem_link_token
from storage.queries.inbox import event_applied
from storage.queries.messages import template_sent_since
from storage.queries.staff import staff_by_telegram

log = logging.getLogger(__name__)
#: An unknown sender gets at most one neutral reply in this period.
NEUTRAL_EVERY = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Routed:
    """What the router did with one inbound message."""

    replies: tuple[Outbound, ...]
    duplicate: bool = False
    customer_id: int | None = None
    message_id: int | None = None
    #: Charts still to draw, by the idempotency key of the reply that carries them.
    charts: Mapping[str, Callable[[], bytes]] = field(default_factory=dict)


#: Runs inside the routing transaction, after the message was applied.
AfterRouting = Callable[[AsyncSession, Routed], Awaitable[None]]


class InboundRouter:
    """Logs inbound messages (each provider event once), binds chats, replies."""

    def __init__(
        self,
        db: Database,
        *,
        default_language: str,
        clock: Callable[[], dt.datetime],
        conversation: ConversationConfig | None = None,
        staff_config: StaffConfig | None = None,
    ) -> None:
        """Wire the router to storage; `clock` is injected (aware UTC).

        Without a conversation config known customers get a plain acknowledgement.
        """
        self.db = db
        self.conversation = conversation
        self.staff_config = staff_config
        self.default_language = default_language
        self.clock = clock

    async def handle(
        self,
        inbound: Inbound,
        *,
        then: AfterRouting | None = None,
        replies_queued: bool = False,
    ) -> Routed:
        """Apply one inbound message in one transaction; a replayed event changes nothing.

        `then` runs last inside that transaction (the inbox marks its event applied there,
        so effects and bookkeeping commit together); it may raise to roll everything back.
        With `replies_queued` the replies are logged as queued, for a caller that sends
        them afterwards, instead of as sent (answered in the webhook's own response).
        """
        try:
            async with self.db.transaction() as session:
                status = MessageStatus.QUEUED if replies_queued else MessageStatus.SENT
                routed = await self._handle(session, inbound, status)
                if then is not None:
                    await then(session, routed)
        except IntegrityError:
            # A concurrent delivery of the same provider event won the unique index.
            return Routed(replies=(), duplicate=True)
        return await _with_charts(routed)

    async def applied(self, inbound: Inbound) -> bool:
        """True when this provider event is in the ledger of applied events."""
        if not inbound.provider_id:
            return False
        async with self.db.transaction() as session:
            return await event_applied(
                session, provider=inbound.sender.channel, event_id=inbound.provider_id
            )

    async def _handle(
        self, session: AsyncSession, inbound: Inbound, reply_status: MessageStatus
    ) -> Routed:
        """Log the message (a replayed provider event: nothing), answer it, log the answers."""
        if not await _first_delivery(session, inbound):
            return Routed(replies=(), duplicate=True)
        now = self.clock()
        bound_reply = None
        if inbound.payload and inbound.payload.startswith("start:"):
            bound_reply = await self._bind(session, inbound, now)
        staff = await _telegram_staff(session, inbound) if bound_reply is None else None
        contact = await find_contact(
            session, channel=inbound.sender.channel, address=inbound.sender.value
        )
        customer = await session.get(Customer, contact.customer_id) if contact else None
        logged = await _log_inbound(session, inbound, contact, customer, now)
        replies, charts = await self._answer(
            session,
            inbound,
            bound_reply=bound_reply,
            staff=staff,
            contact=contact,
            customer=customer,
            message_id=logged.id,
            now=now,
        )
        await _log_replies(session, inbound, replies, customer, reply_status, now)
        return Routed(
            replies=tuple(replies),
            customer_id=customer.id if customer else None,
            message_id=logged.id,
            charts=charts,
        )

    async def _answer(
        self,
        session: AsyncSession,
        inbound: Inbound,
        *,
        bound_reply: str | None,
        staff: Staff | None,
        contact: Contact | None,
        customer: Customer | None,
        message_id: int | None,
        now: dt.datetime,
    ) -> tuple[list[Outbound], dict[str, Callable[[], bytes]]]:
        """The replies to one logged message, by who sent it, and the charts still to draw."""
        channel, address = inbound.sender.channel, inbound.sender.value
        language = customer.language if customer else self.default_language
        key = f"reply:{channel}:{inbound.provider_id or now.isoformat()}"

        def reply(body: str, template: str | None = None) -> Outbound:
            return Outbound(
                to=inbound.sender,
                body=body,
                idempotency_key=key,
                language=language,
                template=template,
            )

        if bound_reply is not None:
            return [reply(bound_reply)], {}
        if staff is not None:
            # Staff talk to the bot in their own chat: commands and alert buttons, never
            # the customer flows (and customers never reach a staff command).
            return await self._staff(session, staff, inbound, key, now)
        if customer is not None and contact is not None and self.conversation is not None:
            replies = await converse(
                session,
                inbound=inbound,
                contact=contact,
                customer=customer,
                message_id=message_id,
                now=now,
                config=self.conversation,
            )
            return replies, {}
        if customer is not None:
            return [reply(acknowledgement(language))], {}
        if await self._neutral_due(session, channel, address, now):
            log.info("unknown %s sender %s: neutral reply", channel, mask_address(address))
            return [reply(neutral_reply(language), template="neutral")], {}
        return [], {}

    async def _staff(
        self, session: AsyncSession, staff: Staff, inbound: Inbound, key: str, now: dt.datetime
    ) -> tuple[list[Outbound], dict[str, Callable[[], bytes]]]:
        """A staff member's command or alert button: the answers to send back, and the charts
        to draw for them once the transaction is over."""
        if is_alert_payload(inbound.payload):
            answer = await handle_alert_button(
                session, staff=staff, payload=inbound.payload or "", now=now
            )
            answered = Outbound(
                to=inbound.sender,
                body=answer,
                idempotency_key=key,
                language=staff.language,
                template="staff",
            )
            return [answered], {}
        got = await handle_staff(
            session,
            staff=staff,
            text=inbound.text,
            payload=inbound.payload,
            now=now,
            config=self.staff_config,
        )
        replies = [
            Outbound(
                to=inbound.sender,
                body=reply.text,
                buttons=reply.buttons,
                idempotency_key=f"{key}:{i}",
                language=staff.language,
                template="staff",
            )
            for i, reply in enumerate(got)
        ]
        charts = {
            outbound.idempotency_key: reply.chart
            for outbound, reply in zip(replies, got, strict=True)
            if reply.chart is not None
        }
        return replies, charts

    async def _neutral_due(
        self, session: AsyncSession, channel: str, address: str, now: dt.datetime
    ) -> bool:
        """True unless this unknown address already got a neutral reply recently."""
        return not await template_sent_since(
            session, channel=channel, address=address, template="neutral", since=now - NEUTRAL_EVERY
        )

    async def _bind(self, session: AsyncSession, inbound: Inbound, now: dt.datetime) -> str:
        """Redeem a Telegram deep-link token: bind this chat to its customer or staff."""
        assert inbound.payload is not None
        token = await redeem_link_token(
            session, token=inbound.payload.removeprefix("start:"), now=now
        )
        if token is None:
            return link_invalid(self.default_language)
        chat = inbound.sender.value
        if token.staff_id is not None:
            staff = await session.get(Staff, token.staff_id)
            assert staff is not None
            staff.telegram_user_id = int(chat)
            session.add(staff)
            return chat_bound(staff.language, staff.name)
        customer = await session.get(Customer, token.customer_id)
        assert customer is not None and customer.id is not None
        existing = await find_contact(session, channel="telegram", address=chat)
        if existing is None or existing.customer_id != customer.id:
            session.add(
                Contact(
                    customer_id=customer.id,
                    channel="telegram",
                    address=chat,
                    verified=True,
                    created_at=now,
                )
            )
            await session.flush()
        return chat_bound(customer.language, customer.name)


async def _with_charts(routed: Routed) -> Routed:
    """The replies with their charts drawn as PNG photos: after the routing transaction (a
    drawing takes a second or so, which no lock should wait for) and off the event loop."""
    if not routed.charts:
        return routed
    replies = []
    for reply in routed.replies:
        draw = routed.charts.get(reply.idempotency_key)
        replies.append(replace(reply, photo=await asyncio.to_thread(draw)) if draw else reply)
    return replace(routed, replies=tuple(replies), charts={})


async def _first_delivery(session: AsyncSession, inbound: Inbound) -> bool:
    """Enter the provider event in the ledger of applied events; False if it already was.

    A message without a provider id cannot be recognised again: it always counts as new.
    """
    if not inbound.provider_id:
        return True
    channel = inbound.sender.channel
    if await event_applied(session, provider=channel, event_id=inbound.provider_id):
        return False
    session.add(InboundEvent(provider=channel, event_id=inbound.provider_id))
    await session.flush()
    return True


async def _telegram_staff(session: AsyncSession, inbound: Inbound) -> Staff | None:
    """The staff member whose own Telegram chat this is, if any."""
    channel, address = inbound.sender.channel, inbound.sender.value
    if channel == "telegram" and address.lstrip("-").isdecimal():
        return await staff_by_telegram(session, telegram_user_id=int(address))
    return None


async def _log_inbound(
    session: AsyncSession,
    inbound: Inbound,
    contact: Contact | None,
    customer: Customer | None,
    now: dt.datetime,
) -> Message:
    """Log the inbound message (and when its contact last wrote); the logged row, with its id."""
    logged = Message(
        customer_id=customer.id if customer else None,
        direction=Direction.INBOUND,
        channel=inbound.sender.channel,
        address=inbound.sender.value,
        body=inbound.text,
        provider_id=inbound.provider_id,
        status=MessageStatus.RECEIVED,
        created_at=inbound.received_at,
        updated_at=now,
    )
    session.add(logged)
    if contact is not None:
        contact.last_inbound_at = max(
            inbound.received_at, contact.last_inbound_at or inbound.received_at
        )
        session.add(contact)
    await session.flush()
    return logged


async def _log_replies(
    session: AsyncSession,
    inbound: Inbound,
    replies: list[Outbound],
    customer: Customer | None,
    status: MessageStatus,
    now: dt.datetime,
) -> None:
    """Log the replies to an inbound message, with `status` (sent, or queued to send)."""
    for reply in replies:
        # The communication log keeps every reply next to the message it answers.
        session.add(
            Message(
                customer_id=customer.id if customer else None,
                direction=Direction.OUTBOUND,
                channel=inbound.sender.channel,
                address=inbound.sender.value,
                body=reply.body,
                template=reply.template or "reply",
                idempotency_key=reply.idempotency_key,
                status=status,
                created_at=now,
                updated_at=now,
            )
        )
    await session.flush()
