"""The vocabulary of the data model: every status and kind stored as text."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a staff member may do."""

    ADMIN = "admin"
    COLLECTOR = "collector"
    SALES = "sales"


class ChannelKind(StrEnum):
    """A way to reach a customer; `chat` means Telegram when bound, else WhatsApp."""

    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    CHAT = "chat"


class Action(StrEnum):
    """What a policy step does besides (or instead of) reminding."""

    REMIND = "remind"
    ALERT_COLLECTOR = "alert_collector"
    ALERT_SALES = "alert_sales"
    CREDIT_HOLD = "credit_hold"
    AGENCY = "agency"


class InvoiceStatus(StrEnum):
    """Lifecycle of an invoice."""

    OPEN = "open"
    PAID = "paid"
    DISPUTED = "disputed"
    WRITTEN_OFF = "written_off"


class FollowUpStatus(StrEnum):
    """Lifecycle of a planned contact."""

    PLANNED = "planned"
    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class SkipReason(StrEnum):
    """Why a follow-up was not sent."""

    PAID = "paid"
    DISPUTED = "disputed"
    PROMISE = "promise"
    PAUSED = "paused"
    OPTED_OUT = "opted_out"
    NO_CONTACT = "no_contact"
    SUPERSEDED = "superseded"


class Direction(StrEnum):
    """Which way a logged message travelled."""

    OUTBOUND = "out"
    INBOUND = "in"
    NOTE = "note"


class MessageStatus(StrEnum):
    """Delivery state of a logged message, as far as the provider has told us."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"  # permanent: this address will not work
    RETRY = "retry"  # not delivered, will be tried again
    UNKNOWN = "unknown"  # outcome unknown: reconciled by a status callback, never resent
    RECEIVED = "received"


class PromiseStatus(StrEnum):
    """Lifecycle of a promise to pay."""

    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class CaseKind(StrEnum):
    """What a case asks the collections team to handle."""

    DISPUTE = "dispute"
    INSTALMENT = "instalment"
    HANDOFF = "handoff"
    CONTACT_RESEARCH = "contact_research"
    PAYMENT_CLAIM = "payment_claim"


class CaseStatus(StrEnum):
    """Lifecycle of a case."""

    OPEN = "open"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class ImportKind(StrEnum):
    """What a CSV file holds."""

    CUSTOMERS = "customers"
    INVOICES = "invoices"
    PAYMENTS = "payments"


class ReportName(StrEnum):
    """The reports `tagih report` knows."""

    AGING = "aging"
    SALES = "sales"
    LATE_ANALYSIS = "late-analysis"
    DSO = "dso"
    PROMISES = "promises"
    CHANNELS = "channels"
    PAYERS = "payers"
