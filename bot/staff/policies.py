"""Policy operations: list, show, set steps, set a step's channels, assign, delete.

The one place policies are changed: `tagih policy …` and the chat's `/policy …` parse their
arguments, call these and word the result their own way. Each change validates, writes and
adds its own audit entry to the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from i18n.staff_texts import keyed
from scheduler.policy import STANDARD, PolicySpec, Step
from scheduler.policy_store import load_specs, save_spec
from scheduler.window import Window
from storage.enums import Action, ChannelKind
from storage.models import Customer
from storage.queries.audit import audit
from storage.queries.ledger import find_customer
from storage.queries.policies import count_customers_on, drop_policy, find_policy

#: Channels and actions of an offset that a policy did not have before.
NEW_STEP_CHANNELS = (ChannelKind.CHAT, ChannelKind.EMAIL)
NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MAX_REPEAT_DAYS = 365
#: Loading specs to change their steps: the window does not enter steps, and `save_spec`
#: keeps a policy's own window overrides whatever window the spec was loaded with.
_ANY_WINDOW = Window()


class PolicyError(ValueError):
    """A policy change that cannot be made (unknown policy, step, customer…); the message
    says why in one line, the catalog key (`keyed`) in the staff member's language."""


class PolicyArgumentError(PolicyError):
    """An argument that is not a valid value (offsets, channels, name, days)."""


@dataclass(frozen=True, slots=True)
class PolicyUse:
    """A policy and how many customers are put on it."""

    spec: PolicySpec
    customers: int


def parse_offsets(text: str) -> list[int]:
    """`-3,1,3,7` → [-3, 1, 3, 7]; duplicates and junk are errors naming the bad part."""
    offsets: list[int] = []
    for part in text.replace(" ", "").split(","):
        try:
            value = int(part)
        except ValueError:
            error = PolicyArgumentError(f"{part!r} is not a whole number of days")
            raise keyed(error, "parse.offset", text=repr(part)) from None
        if value in offsets:
            error = PolicyArgumentError(f"offset {value} is given twice")
            raise keyed(error, "parse.offset_twice", offset=value)
        offsets.append(value)
    if not offsets:
        raise keyed(PolicyArgumentError("give at least one offset"), "parse.no_offsets")
    return sorted(offsets)


def parse_channels(text: str) -> tuple[str, ...]:
    """`whatsapp,email` → ("whatsapp", "email"), checked against the known channels."""
    names = tuple(part for part in text.replace(" ", "").split(",") if part)
    known = {c.value for c in ChannelKind}
    for name in names:
        if name not in known:
            choices = ", ".join(sorted(known))
            error = PolicyArgumentError(f"unknown channel {name!r} (use {choices})")
            raise keyed(error, "parse.channel", text=repr(name), known=choices)
    if not names:
        raise keyed(PolicyArgumentError("give at least one channel"), "parse.no_channels")
    return names


def describe(spec: PolicySpec) -> dict[str, Any]:
    """A JSON-friendly picture of a policy for the audit log."""
    return {
        "steps": [
            {"offset": s.offset, "channels": list(s.channels), "actions": list(s.actions)}
            for s in spec.steps
        ],
        "repeat_every": spec.repeat_every,
    }


async def policy_specs(session: AsyncSession, *, window: Window) -> dict[str, PolicySpec]:
    """Every policy by name, `window` standing for the contact window they do not override."""
    return {s.name: s for s in (await load_specs(session, default=window)).values()}


def stored_name(specs: dict[str, PolicySpec], name: str) -> str:
    """`name` as the policy is stored ("Standard", "KERAS" are matched in any case, as
    customer codes and invoice numbers are); `name` itself when no policy has it."""
    return next((known for known in specs if known.lower() == name.lower()), name)


def known_policy(specs: dict[str, PolicySpec], name: str) -> PolicySpec:
    """The policy called `name` (any case); PolicyError naming the known ones otherwise."""
    spec = specs.get(stored_name(specs, name))
    if spec is None:
        known = ", ".join(sorted(specs))
        error = PolicyError(f"no policy named {name!r} (known: {known})")
        raise keyed(error, "policy.unknown", name=repr(name), known=known)
    return spec


async def list_policies(session: AsyncSession, *, window: Window) -> list[PolicyUse]:
    """Every policy by name, with the number of customers on it."""
    specs = await policy_specs(session, window=window)
    return [
        # A customer on no policy follows the standard one (the planner's default).
        PolicyUse(spec, await count_customers_on(session, name=name, default=name == STANDARD.name))
        for name, spec in sorted(specs.items())
    ]


async def show_policy(session: AsyncSession, *, name: str, window: Window) -> PolicySpec:
    """The policy called `name`; PolicyError when there is none."""
    return known_policy(await policy_specs(session, window=window), name)


async def set_steps(
    session: AsyncSession,
    *,
    name: str,
    offsets: list[int],
    repeat_every: int | None,
    actor: str,
    now: dt.datetime,
    staff_id: int | None = None,
) -> PolicySpec:
    """Create a policy or change its offsets, audited: steps kept keep their channels and
    actions, new ones remind by chat then email; `repeat_every` None keeps the repeat, 0
    stops it."""
    if not NAME.fullmatch(name):
        error = PolicyArgumentError(f"{name!r} is not a policy name (letters, digits, - _ .)")
        raise keyed(error, "policy.bad_name", name=repr(name))
    if repeat_every is not None and not 0 <= repeat_every <= MAX_REPEAT_DAYS:
        error = PolicyArgumentError(f"{repeat_every} is not a number of days (0-365)")
        raise keyed(error, "policy.bad_days", text=repr(str(repeat_every)))
    specs = await policy_specs(session, window=_ANY_WINDOW)
    # "Standard" changes the standard policy; it does not make a second one beside it.
    name = stored_name(specs, name)
    old = specs.get(name)
    by_offset = {s.offset: s for s in old.steps} if old else {}
    steps = tuple(by_offset.get(o) or Step(o, NEW_STEP_CHANNELS, (Action.REMIND,)) for o in offsets)
    every = (old.repeat_every if old else None) if repeat_every is None else (repeat_every or None)
    repeat = (
        old.repeat
        if old and old.repeat
        else Step(0, NEW_STEP_CHANNELS, (Action.REMIND, Action.ALERT_COLLECTOR))
    )
    spec = PolicySpec(name, steps, every, repeat if every else None)
    await save_spec(session, spec=spec)
    audit(
        session,
        actor=actor,
        action="policy.set",
        entity="policy",
        entity_key=name,
        before=describe(old) if old else None,
        after=describe(spec),
        now=now,
        staff_id=staff_id,
    )
    return spec


async def set_channels(
    session: AsyncSession,
    *,
    name: str,
    offset: int,
    channels: tuple[str, ...],
    actor: str,
    now: dt.datetime,
    staff_id: int | None = None,
) -> PolicySpec:
    """Set the channels (in preference order) of one step of a policy, audited."""
    old = known_policy(await policy_specs(session, window=_ANY_WINDOW), name)
    if old.step_at(offset) is None:
        error = PolicyError(f"policy {name!r} has no step at offset {offset:+d}")
        raise keyed(error, "policy.no_step", name=old.name, offset=f"{offset:+d}")
    steps = tuple(
        Step(s.offset, channels, s.actions, s.template) if s.offset == offset else s
        for s in old.steps
    )
    spec = PolicySpec(old.name, steps, old.repeat_every, old.repeat, old.window)
    await save_spec(session, spec=spec)
    audit(
        session,
        actor=actor,
        action="policy.channels",
        entity="policy",
        entity_key=old.name,
        before=describe(old),
        after=describe(spec),
        now=now,
        staff_id=staff_id,
    )
    return spec


async def assign_policy(
    session: AsyncSession,
    *,
    code: str,
    name: str,
    actor: str,
    now: dt.datetime,
    staff_id: int | None = None,
) -> Customer:
    """Put the customer with this code (any case) on the policy called `name`, audited."""
    customer = await find_customer(session, code=code)
    if customer is None:
        error = PolicyError(f"no customer with code {code!r}")
        raise keyed(error, "no_customer", code=repr(code))
    name = known_policy(await policy_specs(session, window=_ANY_WINDOW), name).name
    policy = await find_policy(session, name=name)
    assert policy is not None  # a known policy is stored
    before = {"policy_id": customer.policy_id}
    customer.policy_id, customer.updated_at = policy.id, now
    session.add(customer)
    audit(
        session,
        actor=actor,
        action="policy.assign",
        entity="customer",
        entity_key=customer.code,
        before=before,
        after={"policy_id": policy.id},
        now=now,
        staff_id=staff_id,
    )
    return customer


async def deletion_refusal(session: AsyncSession, *, name: str) -> PolicyError | None:
    """Why the policy called `name` cannot be deleted (the standard one, or in use), else
    None."""
    if name == STANDARD.name:
        error = PolicyError("the standard policy is every customer's default")
        return keyed(error, "policy.standard_kept")
    users = await count_customers_on(session, name=name)
    if users:
        error = PolicyError(f"{users} customer(s) still follow {name}")
        return keyed(error, "policy.in_use", count=users, name=name)
    return None


async def delete_policy(
    session: AsyncSession,
    *,
    name: str,
    actor: str,
    now: dt.datetime,
    staff_id: int | None = None,
) -> PolicySpec:
    """Delete a policy no customer follows (never the standard one), audited."""
    spec = known_policy(await policy_specs(session, window=_ANY_WINDOW), name)
    name = spec.name  # as stored, whatever case it was typed in
    refusal = await deletion_refusal(session, name=name)
    if refusal is not None:
        raise refusal
    policy = await find_policy(session, name=name)
    assert policy is not None  # a known policy is stored
    await drop_policy(session, policy=policy)
    audit(
        session,
        actor=actor,
        action="policy.delete",
        entity="policy",
        entity_key=name,
        before=describe(spec),
        after=None,
        now=now,
        staff_id=staff_id,
    )
    return spec
