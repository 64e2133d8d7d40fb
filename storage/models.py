"""SQLModel tables: the whole data model of Tagih (see DESIGN.md, "Data model")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, Index, String, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import Money, UTCDateTime


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC (the default for created/updated columns)."""
    return dt.datetime.now(dt.UTC)


def _when(*, nullable: bool = False, default_now: bool = False, index: bool = False) -> Any:
    """A UTC datetime column."""
    if default_now:
        return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=nullable, index=index)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _text(length: int, *, default: Any = ..., **kwargs: Any) -> Any:
    """A bounded text column."""
    return Field(default=default, sa_type=String(length), **kwargs)


class Staff(SQLModel, table=True):
    """A member of the collections team: admin, collector or salesperson."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = _text(120, unique=True)
    role: str = _text(20)
    telegram_user_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    phone: str | None = _text(32, default=None)
    email: str | None = _text(254, default=None)
    language: str = _text(8, default="id")
    timezone: str = _text(64, default="Asia/Jakarta")
    active: bool = True
    created_at: dt.datetime = _when(default_now=True)


class Policy(SQLModel, table=True):
    """A follow-up cadence; window fields override the global contact window when set."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = _text(64, unique=True)
    description: str = _text(255, default="")
    repeat_every_days: int | None = None
    repeat_channels: list[str] = Field(default_factory=list, sa_type=JSON)
    repeat_actions: list[str] = Field(default_factory=list, sa_type=JSON)
    repeat_template: str = _text(64, default="reminder")
    window_start: dt.time | None = None
    window_end: dt.time | None = None
    window_days: str | None = _text(32, default=None)
    send_time: dt.time | None = None
    use_holidays: bool | None = None
    updated_at: dt.datetime = _when(default_now=True)


class PolicyStep(SQLModel, table=True):
    """One step of a policy: an offset in days from the due date and what to do then."""

    __table_args__ = (UniqueConstraint("policy_id", "offset_days"),)

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="policy.id", index=True, ondelete="CASCADE")
    offset_days: int
    channels: list[str] = Field(default_factory=list, sa_type=JSON)
    actions: list[str] = Field(default_factory=list, sa_type=JSON)
    template: str = _text(64, default="reminder")


class Customer(SQLModel, table=True):
    """A business that owes money, with its people and its follow-up policy."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = _text(64, unique=True)
    name: str = _text(200)
    segment: str = _text(64, default="")
    language: str = _text(8, default="id")
    timezone: str = _text(64, default="Asia/Jakarta")
    salesperson_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    collector_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    policy_id: int | None = Field(default=None, foreign_key="policy.id", index=True)
    virtual_account: str | None = _text(64, default=None)
    credit_hold: bool = False
    paused_until: dt.date | None = None
    # Fingerprint of everything the customer's current plan was computed from: the
    # planning pass skips a customer whose fingerprint has not changed.
    plan_key: str | None = _text(64, default=None)
    created_at: dt.datetime = _when(default_now=True)
    updated_at: dt.datetime = _when(default_now=True)


class Contact(SQLModel, table=True):
    """One address of a customer on one channel, with consent and opt-out."""

    __table_args__ = (UniqueConstraint("customer_id", "channel", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    channel: str = _text(16)
    address: str = _text(254, index=True)
    consent: bool = True
    verified: bool = False
    opted_out_at: dt.datetime | None = _when(nullable=True)
    last_inbound_at: dt.datetime | None = _when(nullable=True)
    created_at: dt.datetime = _when(default_now=True)


class Invoice(SQLModel, table=True):
    """An invoice and its open balance."""

    __table_args__ = (
        Index("ix_invoice_status_due", "status", "due_date"),
        # A customer's open invoices: without it SQLite reads them through the status index,
        # every open invoice for every batch of customers (planning grew quadratically).
        Index("ix_invoice_customer_status", "customer_id", "status"),
        # Planning reads a batch of consecutive customers' open invoices as one range; with
        # only the index above SQLite would pick the status index and read every open one.
        Index("ix_invoice_status_customer", "status", "customer_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = _text(64, unique=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    issue_date: dt.date
    due_date: dt.date
    currency: str = _text(3, default="IDR")
    amount: Decimal = Field(sa_type=Money)
    balance: Decimal = Field(sa_type=Money)
    item: str = _text(200, default="")
    salesperson_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    status: str = _text(16, default="open")
    created_at: dt.datetime = _when(default_now=True)
    updated_at: dt.datetime = _when(default_now=True)


class Payment(SQLModel, table=True):
    """Money received against one invoice."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = _text(64, unique=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount: Decimal = Field(sa_type=Money)
    paid_on: dt.date
    method: str = _text(32, default="")
    source: str = _text(16, default="import")
    created_at: dt.datetime = _when(default_now=True)


class FollowUp(SQLModel, table=True):
    """A planned contact with one customer on one local day; the dispatcher's unit of work."""

    __table_args__ = (
        UniqueConstraint("customer_id", "local_date"),
        Index("ix_followup_status_planned", "status", "planned_at"),
        # Planning's history, anchor and owned-row reads: a status and a range of customers.
        Index("ix_followup_status_customer", "status", "customer_id", "local_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    local_date: dt.date
    planned_at: dt.datetime = _when()
    status: str = _text(16, default="planned")
    channels: list[str] = Field(default_factory=list, sa_type=JSON)
    actions: list[str] = Field(default_factory=list, sa_type=JSON)
    template: str = _text(64, default="reminder")
    lease_owner: str | None = _text(64, default=None)
    lease_expires_at: dt.datetime | None = _when(nullable=True)
    attempts: int = 0
    skip_reason: str | None = _text(32, default=None)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: dt.datetime = _when(default_now=True)
    updated_at: dt.datetime = _when(default_now=True)


class FollowUpInvoice(SQLModel, table=True):
    """An invoice step that triggered a follow-up (offset in days from its due date)."""

    followup_id: int = Field(foreign_key="followup.id", primary_key=True, ondelete="CASCADE")
    invoice_id: int = Field(foreign_key="invoice.id", primary_key=True, index=True)
    offset_days: int


class Message(SQLModel, table=True):
    """The communication log: every message in or out, and notes, per customer."""

    __table_args__ = (Index("ix_message_customer_created", "customer_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    followup_id: int | None = Field(default=None, foreign_key="followup.id", index=True)
    direction: str = _text(8)
    channel: str = _text(16)
    address: str = _text(254, default="")
    subject: str = _text(255, default="")
    body: str = Field(default="", sa_type=Text)
    template: str | None = _text(64, default=None)
    idempotency_key: str | None = _text(200, default=None, unique=True)
    provider_id: str | None = _text(128, default=None, unique=True)
    status: str = _text(16, default="queued")
    error_code: str | None = _text(32, default=None)
    error_message: str | None = Field(default=None, sa_type=Text)
    # What a note says in structured form (an alert's summary as catalog keys and values),
    # rendered in each reader's language; `body` keeps an Indonesian rendering for the log.
    data: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: dt.datetime = _when(default_now=True)
    updated_at: dt.datetime = _when(default_now=True)


class Conversation(SQLModel, table=True):
    """Where a chat with one address stands: flow, state and collected data."""

    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = _text(16)
    address: str = _text(254)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    language: str | None = _text(8, default=None)
    flow: str = _text(32, default="menu")
    state: str = _text(32, default="start")
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: dt.datetime = _when(default_now=True)
    expires_at: dt.datetime | None = _when(nullable=True)


class Promise(SQLModel, table=True):
    """A customer's promise to pay by a date (optionally an amount)."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    promised_date: dt.date = Field(index=True)
    amount: Decimal | None = Field(default=None, sa_type=Money)
    status: str = _text(16, default="open")
    source: str = _text(16, default="chat")
    message_id: int | None = Field(default=None, foreign_key="message.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: dt.datetime = _when(default_now=True)
    resolved_at: dt.datetime | None = _when(nullable=True)


class PromiseInvoice(SQLModel, table=True):
    """An invoice covered by a promise."""

    promise_id: int = Field(foreign_key="promise.id", primary_key=True, ondelete="CASCADE")
    invoice_id: int = Field(foreign_key="invoice.id", primary_key=True, index=True)


class PaymentChoice(SQLModel, table=True):
    """The payment method a customer chose in chat."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    method: str = _text(32)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    created_at: dt.datetime = _when(default_now=True)


class Case(SQLModel, table=True):
    """Work for the team: dispute, instalment request, handoff, contact research, claim."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    kind: str = _text(24)
    status: str = _text(16, default="open", index=True)
    reason: str = _text(64, default="")
    details: str = Field(default="", sa_type=Text)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    message_id: int | None = Field(default=None, foreign_key="message.id")
    created_at: dt.datetime = _when(default_now=True)
    resolved_at: dt.datetime | None = _when(nullable=True)


class CaseInvoice(SQLModel, table=True):
    """An invoice concerned by a case."""

    case_id: int = Field(foreign_key="case.id", primary_key=True, ondelete="CASCADE")
    invoice_id: int = Field(foreign_key="invoice.id", primary_key=True, index=True)


class AuditLog(SQLModel, table=True):
    """Who changed what, when, with the state before and after."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _when(default_now=True, index=True)
    actor: str = _text(120)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = _text(64)
    entity: str = _text(64, default="")
    entity_key: str = _text(120, default="")
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class InboundEvent(SQLModel, table=True):
    """A provider event already applied (webhook retries are applied once)."""

    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = _text(32)
    event_id: str = _text(128)
    received_at: dt.datetime = _when(default_now=True)


class LinkToken(SQLModel, table=True):
    """A one-time Telegram deep-link token binding a chat to a customer or staff member."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = _text(64, unique=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: dt.datetime = _when(default_now=True)
    expires_at: dt.datetime = _when()
    used_at: dt.datetime | None = _when(nullable=True)


class Setting(SQLModel, table=True):
    """A setting changed at run time (contact window, global pause), overriding `.env`."""

    key: str = Field(sa_type=String(64), primary_key=True)
    value: Any = Field(default=None, sa_type=JSON)
    updated_at: dt.datetime = _when(default_now=True)


class TemplateOverride(SQLModel, table=True):
    """An admin's edited message template for one key and language."""

    __table_args__ = (UniqueConstraint("key", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = _text(64)
    language: str = _text(8)
    body: str = Field(sa_type=Text)
    updated_at: dt.datetime = _when(default_now=True)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a model, for set-based statements (executemany, upserts)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


class InboxItem(SQLModel, table=True):
    """A raw webhook event, kept before anything else is done with it (the durable inbox).

    The webhook inserts it (once per provider event id) and answers; a worker then runs the
    conversation: oldest open event first in each `conversation`, leased while it runs.
    `status`: pending (not yet applied), sending (applied, `replies` still to send),
    done, failed (gave up after retries) or rejected (malformed, never applicable); `error`
    says why.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("provider", "event_id"),
        Index("ix_inbox_status_conversation", "status", "conversation", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = _text(16)
    event_id: str = _text(128)
    kind: str = _text(16)
    conversation: str = _text(300)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = _text(16, default="pending")
    attempts: int = 0
    received_at: dt.datetime = _when(default_now=True)
    due_at: dt.datetime = _when(default_now=True)
    claimed_by: str | None = _text(64, default=None)
    claimed_until: dt.datetime | None = _when(nullable=True)
    replies: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)
    done_at: dt.datetime | None = _when(nullable=True)
