"""Pure planning: policy + open invoices + contact window → one contact per customer per day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from scheduler.policy import PolicySpec, Step
from scheduler.window import Window
from storage.enums import Action, ChannelKind, InvoiceStatus, SkipReason

#: How far back raw step dates are looked at, so steps moved forward by a closed stretch
#: (Lebaran with its cuti bersama lasts over a week) still land in the planned range.
MOVE_LOOKBACK_DAYS = 21
#: Catch-up for a customer never planned before: the latest step of the last month counts.
FIRST_PLAN_LOOKBACK_DAYS = 35
_ACTION_ORDER = {action.value: i for i, action in enumerate(Action)}
#: Statuses whose invoices are never chased (the view normally holds none of them).
_CLOSED = frozenset({InvoiceStatus.PAID.value, InvoiceStatus.WRITTEN_OFF.value})
_DISPUTED = InvoiceStatus.DISPUTED.value
_REMIND = Action.REMIND.value
#: When a day holds only skipped steps, the reason shown is the strongest one.
_SKIP_ORDER = (SkipReason.PAUSED, SkipReason.DISPUTED, SkipReason.PROMISE)


# InvoiceView, StepHit and PlannedContact are made by the million in a cold pass: named
# tuples, built in a third of the time of frozen dataclasses (whose __init__ goes through
# object.__setattr__).
class InvoiceView(NamedTuple):
    """What the calendar needs of an open invoice."""

    id: int
    number: str
    due_date: dt.date
    balance: Decimal
    status: str = InvoiceStatus.OPEN
    promised_until: dt.date | None = None  # last day covered by an open promise (incl. grace)


@dataclass(frozen=True, slots=True)
class CustomerView:
    """What the calendar needs of a customer: zone, pause, policy, invoices, channels."""

    id: int
    code: str
    zone: ZoneInfo
    policy: PolicySpec
    invoices: tuple[InvoiceView, ...]
    channels: frozenset[str]  # channels with a usable (not opted-out) contact
    opted_out: frozenset[str] = frozenset()  # channels whose every contact opted out
    telegram_bound: bool = False
    paused_until: dt.date | None = None


class StepHit(NamedTuple):
    """One invoice step that falls on a contact day."""

    invoice_id: int
    invoice: str
    offset: int
    step: Step


class PlannedContact(NamedTuple):
    """One contact with one customer on one local day (or why there is none)."""

    customer_id: int
    customer: str
    day: dt.date
    planned_at: dt.datetime
    steps: tuple[StepHit, ...]
    channels: tuple[str, ...]
    actions: tuple[str, ...]
    template: str
    invoices: tuple[str, ...]
    skipped: SkipReason | None = None
    superseded: tuple[dt.date, ...] = field(default=())


def resolve_channels(step_channels: Iterable[str], customer: CustomerView) -> tuple[str, ...]:
    """The step's channels in order, `chat` resolved (Telegram when bound, else WhatsApp)."""
    return _resolved(tuple(step_channels), customer.telegram_bound)


@lru_cache(maxsize=4096)
def _resolved(step_channels: tuple[str, ...], telegram_bound: bool) -> tuple[str, ...]:
    """Cached: a pass resolves the same few channel lists for every customer."""
    resolved: list[str] = []
    for name in step_channels:
        if name == ChannelKind.CHAT:
            name = ChannelKind.TELEGRAM if telegram_bound else ChannelKind.WHATSAPP
        if name not in resolved:
            resolved.append(name)
    return tuple(resolved)


@lru_cache(maxsize=4096)
def _usable(
    wanted: tuple[str, ...], fallback: tuple[str, ...], have: frozenset[str]
) -> tuple[str, ...]:
    """The step's channels the customer has, then the policy's fallback channels they have
    (cached: a pass meets the same few combinations for every customer)."""
    usable = [name for name in wanted if name in have]
    usable += [name for name in fallback if name in have and name not in usable]
    return tuple(usable)


@lru_cache(maxsize=4096)
def _ordered_actions(actions: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct actions in escalation order (cached: the same few lists recur)."""
    return tuple(sorted(set(actions), key=_ACTION_ORDER.__getitem__))


def _skip_reason(customer: CustomerView, invoice: InvoiceView, day: dt.date) -> SkipReason | None:
    if customer.paused_until is not None and day <= customer.paused_until:
        return SkipReason.PAUSED
    if invoice.status == InvoiceStatus.DISPUTED:
        return SkipReason.DISPUTED
    if invoice.promised_until is not None and day <= invoice.promised_until:
        return SkipReason.PROMISE
    return None


def _raw_hits(
    customer: CustomerView, window: Window, first: dt.date, last: dt.date
) -> dict[dt.date, list[tuple[StepHit, SkipReason | None]]]:
    """Every invoice step moved to its open day, grouped by day, with its skip reason."""
    by_day: dict[dt.date, list[tuple[StepHit, SkipReason | None]]] = {}
    policy = customer.policy
    for invoice in customer.invoices:
        if invoice.balance <= 0 or invoice.status in _CLOSED:
            continue
        # Most invoices are neither disputed nor promised, of a customer not paused.
        plain = (
            customer.paused_until is None
            and invoice.promised_until is None
            and invoice.status != _DISPUTED
        )
        for day, step in _step_days(policy, window, invoice.due_date, first, last):
            hit = StepHit(invoice.id, invoice.number, step.offset, step)
            reason = None if plain else _skip_reason(customer, invoice, day)
            by_day.setdefault(day, []).append((hit, reason))
    return by_day


@lru_cache(maxsize=65536)
def _step_days(
    policy: PolicySpec, window: Window, due: dt.date, first: dt.date, last: dt.date
) -> tuple[tuple[dt.date, Step], ...]:
    """The steps of an invoice due on `due`, each moved to its open day, in [first, last].

    Cached: it is the same for every invoice of that due date, and a pass plans thousands
    of customers on the same few local days.
    """
    lookback = first - dt.timedelta(days=MOVE_LOOKBACK_DAYS)
    found: list[tuple[dt.date, Step]] = []
    for raw_day, step in policy.dates(due, lookback, last):
        day = window.next_open_day(raw_day)
        if first <= day <= last:
            found.append((day, step))
    return tuple(found)


def _latest_per_invoice(hits: Iterable[StepHit]) -> tuple[StepHit, ...]:
    """One step per invoice, the most advanced, sorted by invoice (merged days may repeat)."""
    best: dict[str, StepHit] = {}
    for hit in hits:
        if hit.invoice not in best or hit.offset > best[hit.invoice].offset:
            best[hit.invoice] = hit
    return tuple(best[number] for number in sorted(best))


def _contact(
    customer: CustomerView,
    window: Window,
    day: dt.date,
    hits: Sequence[StepHit],
    skipped: SkipReason | None,
    open_numbers: tuple[str, ...],
) -> PlannedContact:
    """Merge the steps of one day into one contact led by the most advanced step."""
    if len(hits) == 1:  # the common day: one invoice's step
        lead = hits[0]
        merged: tuple[StepHit, ...] = (lead,)
        actions = _ordered_actions(lead.step.actions)
        wanted = _resolved(lead.step.channels, customer.telegram_bound)
    else:
        merged = _latest_per_invoice(hits)
        lead = max(merged, key=lambda hit: (hit.offset, hit.invoice))
        actions = _ordered_actions(tuple(a for hit in merged for a in hit.step.actions))
        # The lead step's channels come first, then those of the other steps of the day, so
        # a merged contact still goes out when only a lesser step's channel is usable.
        by_advance = sorted(merged, key=lambda hit: -hit.offset)
        wanted = _resolved(
            tuple(name for hit in by_advance for name in hit.step.channels),
            customer.telegram_bound,
        )
    usable = _usable(wanted, customer.policy.fallback, customer.channels)
    if skipped is None and not usable and _REMIND in actions:
        # Nothing left after the fallback: every channel of the customer opted out, or
        # there is no contact at all.
        opted = bool(customer.opted_out)
        skipped = SkipReason.OPTED_OUT if opted else SkipReason.NO_CONTACT
    return PlannedContact(
        customer_id=customer.id,
        customer=customer.code,
        day=day,
        planned_at=window.send_moment(day, customer.zone),
        steps=merged,
        channels=usable,
        actions=actions,
        template=lead.step.template,
        invoices=open_numbers,
        skipped=skipped,
    )


def _within_cap(day: dt.date, contacts: Iterable[dt.date], cap: int) -> bool:
    """True when one more contact on `day` keeps every 7-day span at most `cap`."""
    base = day.toordinal()
    per_day = [0] * 13  # contacts on day - 6 … day + 6
    for contact in contacts:
        offset = contact.toordinal() - base
        if -6 <= offset <= 6:
            per_day[offset + 6] += 1
    if sum(per_day) < cap:
        return True  # fewer contacts in the whole fortnight than the cap allows in a week
    return all(sum(per_day[start : start + 7]) + 1 <= cap for start in range(7))


def plan_customer(
    customer: CustomerView,
    window: Window,
    first: dt.date,
    last: dt.date,
    *,
    cap: int = 3,
    history: Iterable[dt.date] = (),
) -> list[PlannedContact]:
    """Contacts (and skipped days) for local days in [first, last], capped per 7 days.

    `history` holds the local days already contacted; a day that would break the cap
    merges into the next open day that keeps it.
    """
    window = customer.policy.window or window
    by_day = _raw_hits(customer, window, first, last)
    open_numbers = tuple(sorted(inv.number for inv in customer.invoices if inv.balance > 0))
    taken = sorted(set(history))
    pending: dict[dt.date, list[StepHit]] = {}
    result: dict[dt.date, PlannedContact] = {}
    for day in sorted(by_day):
        active = [hit for hit, reason in by_day[day] if reason is None]
        if not active:
            reasons = {reason for _, reason in by_day[day]}
            reason = next(r for r in _SKIP_ORDER if r in reasons)
            hits = [hit for hit, _ in by_day[day]]
            result.setdefault(day, _contact(customer, window, day, hits, reason, open_numbers))
            continue
        target = day
        while target not in pending and not _within_cap(target, taken, cap):
            target = window.next_open_day(target + dt.timedelta(days=1))
        if target not in pending:
            taken.append(target)
        pending.setdefault(target, []).extend(active)
    for day, hits in pending.items():
        if day <= last:
            result[day] = _contact(customer, window, day, hits, None, open_numbers)
    return [result[day] for day in sorted(result)]


def catch_up(
    contacts: Sequence[PlannedContact], today: dt.date, window: Window, zone: ZoneInfo
) -> list[PlannedContact]:
    """Fold missed contacts (before `today`) into one: only the latest missed step is sent.

    The folded contact keeps the latest missed day's steps and goes out today (or the
    next open day); the other missed days are listed in its `superseded`.
    """
    missed = [c for c in contacts if c.day < today and c.skipped is None]
    upcoming = [c for c in contacts if c.day >= today]
    if not missed:
        return upcoming
    latest = missed[-1]
    day = window.next_open_day(today)
    superseded = tuple(c.day for c in missed[:-1])
    for i, contact in enumerate(upcoming):
        if contact.day == day and contact.skipped is None:
            merged = _latest_per_invoice((*contact.steps, *latest.steps))
            upcoming[i] = _folded(
                contact, contact.day, contact.planned_at, merged, (*superseded, latest.day)
            )
            return upcoming
    moved = _folded(latest, day, window.send_moment(day, zone), latest.steps, superseded)
    return sorted([moved, *(c for c in upcoming if c.day != day)], key=lambda c: c.day)


def _folded(
    contact: PlannedContact,
    day: dt.date,
    planned_at: dt.datetime,
    steps: tuple[StepHit, ...],
    superseded: tuple[dt.date, ...],
) -> PlannedContact:
    """`contact` moved or merged by a catch-up (what `replace` does, at a fraction of its
    cost: a cold pass folds a catch-up for nearly every customer)."""
    return PlannedContact(
        customer_id=contact.customer_id,
        customer=contact.customer,
        day=day,
        planned_at=planned_at,
        steps=steps,
        channels=contact.channels,
        actions=contact.actions,
        template=contact.template,
        invoices=contact.invoices,
        skipped=contact.skipped,
        superseded=superseded,
    )
