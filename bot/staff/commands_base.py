"""What every staff chat command shares: the call, the reply, errors, lookups, audit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.nlu.reading import parse_date
from i18n.format import format_date, format_money, normalize_language
from i18n.staff_texts import st
from scheduler.messages import Button
from scheduler.window import Window
from storage.enums import ChannelKind, Role
from storage.models import Customer, Invoice, Staff
from storage.queries import ledger, payments
from storage.queries.audit import audit

EVERYONE = frozenset(Role)
COLLECTORS = frozenset({Role.ADMIN, Role.COLLECTOR})
ADMINS = frozenset({Role.ADMIN})
ALL_CHANNELS = frozenset(c.value for c in ChannelKind)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class StaffReply:
    """One chat message back to the staff member, with inline buttons when a choice is due."""

    text: str
    buttons: tuple[Button, ...] = ()
    #: Draws a PNG to send with `text` as its caption: called by the router after its
    #: transaction, so a slow drawing never holds the database.
    chart: Callable[[], bytes] | None = None


@dataclass(frozen=True, slots=True)
class StaffConfig:
    """The `.env` values commands need; `from_settings` builds it in the composition root."""

    window: Window = field(default_factory=Window)
    max_promise_days: int = 60
    grace_days: int = 1
    max_contacts_per_week: int = 3
    enabled_channels: frozenset[str] = ALL_CHANNELS
    company_name: str = "Tagih"
    currency: str = "IDR"
    preview_days: int = 7
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))  # the business's

    @classmethod
    def from_settings(
        cls, settings: Settings, *, enabled_channels: frozenset[str] | None = None
    ) -> StaffConfig:
        """The config of a running Tagih (pass the open channels when known)."""
        return cls(
            window=settings.window(),
            max_promise_days=settings.max_promise_days,
            grace_days=settings.promise_grace_days,
            max_contacts_per_week=settings.max_contacts_per_week,
            enabled_channels=enabled_channels or ALL_CHANNELS,
            company_name=settings.company_name,
            currency=settings.currency,
            zone=settings.zone,
        )


class UsageError(ValueError):
    """Arguments that do not fit the command: the reply is the reason, usage and example."""


class CommandError(Exception):
    """A command that cannot be done as asked (unknown customer…): the message is the reply."""


@dataclass(frozen=True, slots=True)
class Call:
    """One command as a handler sees it: who, when, the words after the command."""

    session: AsyncSession
    staff: Staff
    now: dt.datetime
    config: StaffConfig
    args: tuple[str, ...]
    rest: str  # the raw text after the command, for free text (notes, templates)

    @property
    def actor(self) -> str:
        """How this staff member appears in the audit log."""
        return f"staff:{self.staff.name}"

    @property
    def lang(self) -> str:
        """The language the staff member reads (Indonesian unless they chose otherwise)."""
        return normalize_language(self.staff.language or "id")

    def t(self, key: str, /, **values: Any) -> str:
        """The staff text `key` in the caller's language."""
        return st(key, self.lang, **values)

    def day(self, day: dt.date) -> str:
        """A date as the caller reads dates: `25 Maret 2026`."""
        return format_date(day, self.lang, weekday=False)

    @property
    def today(self) -> dt.date:
        """The staff member's local date."""
        return self.now.astimezone(ZoneInfo(self.staff.timezone)).date()

    def audit(
        self,
        action: str,
        entity: str,
        key: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Write one audit entry for a change this command made."""
        audit(
            self.session,
            actor=self.actor,
            action=action,
            entity=entity,
            entity_key=key,
            before=before,
            after=after,
            now=self.now,
            staff_id=self.staff.id,
        )


#: What a command does with a call: the replies to send back.
Handler = Callable[[Call], Awaitable[list[StaffReply]]]


@dataclass(frozen=True, slots=True)
class Command:
    """A chat command: who may run it and what it does; how it is written, an example and
    what it is for are the catalog's `cmd.<name>.usage|example|summary`."""

    name: str
    roles: frozenset[Role]
    handler: Handler

    def usage(self, language: str, **values: Any) -> str:
        """How the command is written, in the language."""
        return st(f"cmd.{self.name}.usage", language, **values)

    def example(self, language: str, **values: Any) -> str:
        """An example call, in the language."""
        return st(f"cmd.{self.name}.example", language, **values)

    def summary(self, language: str, **values: Any) -> str:
        """What the command is for, in the language."""
        return st(f"cmd.{self.name}.summary", language, **values)


def say(*lines: str) -> list[StaffReply]:
    """One reply made of these lines."""
    return [StaffReply("\n".join(lines))]


async def find_customer(call: Call, code: str) -> Customer:
    """The customer with this code (any case); CommandError when there is none."""
    customer = await ledger.find_customer(call.session, code=code)
    if customer is None or customer.id is None:
        raise CommandError(call.t("no_customer", code=repr(code)))
    return customer


async def find_invoice(call: Call, number: str) -> Invoice:
    """The invoice with this number (any case); CommandError when there is none."""
    invoice = await payments.find_invoice(call.session, number=number)
    if invoice is None or invoice.id is None:
        raise CommandError(call.t("no_invoice", number=repr(number)))
    return invoice


def iso_day(text: str) -> dt.date | None:
    """`2026-04-10` → that date; None for anything else (`20260410` may be an amount)."""
    if not ISO_DATE.fullmatch(text.strip()):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def read_day(call: Call, text: str) -> dt.date:
    """`2026-04-10`, `10/4`, `besok`, `2 minggu lagi` → a date; UsageError otherwise."""
    day = iso_day(text) or parse_date(text, call.today)
    if day is None:
        raise UsageError(call.t("bad_date", text=repr(text)))
    return day


def past_day(text: str, today: dt.date) -> dt.date | None:
    """The most recent day not after `today` that `text` names ("24/3", "senin", "kemarin").

    `parse_date` looks forward (promises); reading from several reference days back and
    keeping the latest result not after today gives the past one, as payment claims do.
    """
    found = {parse_date(text, today - dt.timedelta(days=back)) for back in (0, 7, 31, 62, 366)}
    past = [day for day in found if day is not None and day <= today]
    return max(past) if past else None


def money(amount: Decimal, currency: str, staff: Staff) -> str:
    """An amount as the staff member reads money (`Rp5.000.000`)."""
    return format_money(amount, currency, normalize_language(staff.language or "id"))
