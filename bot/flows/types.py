"""Values the customer flows take and return: facts in, replies + state + effects out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from i18n.staff_texts import Summary


@dataclass(frozen=True, slots=True)
class InvoiceFact:
    """An open invoice as a flow may mention it."""

    id: int
    number: str
    balance: Decimal
    currency: str
    due_date: dt.date


@dataclass(frozen=True, slots=True)
class PaymentInfo:
    """How customers can pay (settings), and this customer's virtual account."""

    bank_accounts: tuple[str, ...] = ()
    virtual_account: str | None = None
    qris: str | None = None
    ewallet: str | None = None
    pay_link_template: str | None = None  # "{invoice}" and "{amount}" are filled in
    #: The details are made-up examples (sandbox mode): every answer says so.
    example: bool = False


@dataclass(frozen=True, slots=True)
class Facts:
    """A read-only view of the customer for one turn."""

    customer_name: str
    language: str
    today: dt.date
    channel: str
    invoices: tuple[InvoiceFact, ...]
    payment: PaymentInfo = field(default_factory=PaymentInfo)
    max_promise_days: int = 60
    #: Invoices under dispute: not chased, but the customer may ask about them.
    disputed: tuple[InvoiceFact, ...] = ()
    #: How to reach the customer's collector ("Ani, +62811…"); empty when nobody is set.
    collector: str = ""
    #: A person was already asked to take over and has not closed that case yet.
    handoff_open: bool = False
    #: Invoices the customer named with an amount larger than they owe: it covers them
    #: first, then the oldest ("sudah bayar inv-2 kemarin 1,5jt").
    first: tuple[int, ...] = ()

    def totals(self) -> dict[str, Decimal]:
        """Open balance per currency (never summed across currencies)."""
        sums: dict[str, Decimal] = {}
        for invoice in self.invoices:
            sums[invoice.currency] = sums.get(invoice.currency, Decimal(0)) + invoice.balance
        return sums


@dataclass(frozen=True, slots=True)
class Turn:
    """What the customer sent: text, a button/keypad payload, attachments."""

    text: str
    payload: str | None = None
    media: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class State:
    """Where the conversation stands; `data` holds what was collected so far."""

    flow: str = "menu"
    step: str = "start"
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered with a reply: a button on Telegram, a numbered line elsewhere."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message back to the customer."""

    text: str
    options: tuple[Option, ...] = ()


# --- effects: what the router records, in the same transaction as the new state ---------


@dataclass(frozen=True, slots=True)
class RecordPromise:
    """The customer promises to pay by a date (optionally an amount)."""

    promised_date: dt.date
    amount: Decimal | None
    invoice_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RecordPaymentClaim:
    """The customer says they paid: verify, and pause reminders meanwhile."""

    paid_on: dt.date | None
    amount: Decimal | None
    invoice_ids: tuple[int, ...]
    media: tuple[str, ...] = ()
    pause_days: int = 3


@dataclass(frozen=True, slots=True)
class RecordPaymentChoice:
    """The payment method the customer chose."""

    method: str
    invoice_id: int | None = None


@dataclass(frozen=True, slots=True)
class OpenCase:
    """Work for the team: dispute, instalment request, handoff."""

    kind: str
    reason: str = ""
    details: str = ""
    invoice_ids: tuple[int, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlertCollector:
    """Tell the customer's collector (delivered by the team side; logged meanwhile): the
    summary is rendered in each recipient's language (a plain str only from older code)."""

    kind: str
    summary: Summary | str


@dataclass(frozen=True, slots=True)
class OptOut:
    """Send nothing more on this channel to this address."""


@dataclass(frozen=True, slots=True)
class OptIn:
    """Messages on this channel are welcome again."""


@dataclass(frozen=True, slots=True)
class SetLanguage:
    """The customer's language from now on."""

    language: str


Effect = (
    RecordPromise
    | RecordPaymentClaim
    | RecordPaymentChoice
    | OpenCase
    | AlertCollector
    | OptOut
    | OptIn
    | SetLanguage
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one turn."""

    replies: tuple[Reply, ...]
    state: State
    effects: tuple[Effect, ...] = ()
