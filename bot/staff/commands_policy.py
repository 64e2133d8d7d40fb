"""`/policy list|show|set|channels|assign|delete`: follow-up policies by chat (admins)."""

from __future__ import annotations

import re
from typing import Any

import typer
from sqlmodel import col, delete, func, select

from bot.cli_policy import NEW_STEP_CHANNELS, parse_channels, parse_offsets
from bot.staff.commands_base import (
    ADMINS,
    Call,
    Command,
    CommandError,
    StaffReply,
    UsageError,
    find_customer,
    say,
)
from bot.staff.confirm import ask_confirmation
from bot.staff.settings_store import Confirmation, effective_window
from scheduler.policy import STANDARD, PolicySpec, Step
from scheduler.policy_store import load_specs, save_spec
from storage.enums import Action
from storage.models import Customer, Policy, PolicyStep

USAGE = (
    "/policy list | show NAME | set NAME OFFSETS [repeat DAYS] | "
    "channels NAME OFFSET CHANNELS | assign CODE NAME | delete NAME"
)
EXAMPLE = "/policy set standard -3,1,3,7,14,28,58 repeat 30"
NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def describe(spec: PolicySpec) -> dict[str, Any]:
    """A JSON-friendly picture of a policy for the audit log."""
    return {
        "steps": [
            {"offset": s.offset, "channels": list(s.channels), "actions": list(s.actions)}
            for s in spec.steps
        ],
        "repeat_every": spec.repeat_every,
    }


async def _specs(call: Call) -> dict[str, PolicySpec]:
    window = await effective_window(call.session, call.config.window)
    return {s.name: s for s in (await load_specs(call.session, default=window)).values()}


def _known(specs: dict[str, PolicySpec], name: str) -> PolicySpec:
    spec = specs.get(name)
    if spec is None:
        raise CommandError(f"No policy named {name!r} (known: {', '.join(sorted(specs))}).")
    return spec


async def _users(call: Call, name: str) -> int:
    """How many customers are put on the policy called `name`."""
    query = (
        select(func.count())
        .select_from(Customer)
        .join(Policy, col(Policy.id) == col(Customer.policy_id))
        .where(Policy.name == name)
    )
    return (await call.session.exec(query)).one()


def _offsets(spec: PolicySpec) -> str:
    text = ", ".join(f"{s.offset:+d}" for s in spec.steps)
    return text + (f", then every {spec.repeat_every} d" if spec.repeat_every else "")


async def _list(call: Call, specs: dict[str, PolicySpec]) -> list[StaffReply]:
    lines = [f"{n}: {_offsets(s)} ({await _users(call, n)} customers)" for n, s in specs.items()]
    return say("Policies:", *sorted(lines))


def _show(spec: PolicySpec) -> list[StaffReply]:
    lines = [f"{s.offset:+d}: {', '.join(s.channels)} → {', '.join(s.actions)}" for s in spec.steps]
    if spec.repeat_every and spec.repeat:
        lines.append(
            f"every {spec.repeat_every} d after: {', '.join(spec.repeat.channels)} "
            f"→ {', '.join(spec.repeat.actions)}"
        )
    return say(f"Policy {spec.name} (offset: channels → actions):", *lines)


async def _set(call: Call, specs: dict[str, PolicySpec], args: tuple[str, ...]) -> list[StaffReply]:
    """Same rules as `tagih policy set`: steps kept keep their channels and actions."""
    if len(args) not in (2, 4) or (len(args) == 4 and args[2].lower() != "repeat"):
        raise UsageError("Give the name, the offsets and optionally `repeat DAYS`.")
    name, offsets = args[0], parse_offsets(args[1])
    if not NAME.fullmatch(name):
        raise UsageError(f"{name!r} is not a policy name (letters, digits, - _ .; up to 64).")
    if len(args) == 4 and not (args[3].isdecimal() and int(args[3]) <= 365):
        raise UsageError(f"{args[3]!r} is not a number of days (0 = never repeat).")
    old = specs.get(name)
    by_offset = {s.offset: s for s in old.steps} if old else {}
    steps = tuple(by_offset.get(o) or Step(o, NEW_STEP_CHANNELS, (Action.REMIND,)) for o in offsets)
    every = (old.repeat_every if old else None) if len(args) == 2 else (int(args[3]) or None)
    repeat = (
        old.repeat
        if old and old.repeat
        else Step(0, NEW_STEP_CHANNELS, (Action.REMIND, Action.ALERT_COLLECTOR))
    )
    spec = PolicySpec(name, steps, every, repeat if every else None)
    await save_spec(call.session, spec=spec)
    call.audit("policy.set", "policy", name, describe(old) if old else None, describe(spec))
    return say(f"Policy {name}: {_offsets(spec)}.", "See what changes with /preview.")


async def _channels(
    call: Call, specs: dict[str, PolicySpec], args: tuple[str, ...]
) -> list[StaffReply]:
    if len(args) != 3:
        raise UsageError("Give the name, the offset and the channels.")
    old = _known(specs, args[0])
    try:
        offset = int(args[1])
    except ValueError:
        raise UsageError(f"{args[1]!r} is not an offset in days.") from None
    names = parse_channels(args[2])
    if offset not in {s.offset for s in old.steps}:
        raise CommandError(f"Policy {old.name} has no step at {offset:+d}.")
    steps = tuple(
        Step(s.offset, names, s.actions, s.template) if s.offset == offset else s for s in old.steps
    )
    spec = PolicySpec(old.name, steps, old.repeat_every, old.repeat, old.window)
    await save_spec(call.session, spec=spec)
    call.audit("policy.channels", "policy", old.name, describe(old), describe(spec))
    return say(f"Policy {old.name} step {offset:+d}: {', '.join(names)}.")


async def _assign(
    call: Call, specs: dict[str, PolicySpec], args: tuple[str, ...]
) -> list[StaffReply]:
    if len(args) != 2:
        raise UsageError("Give the customer code and the policy name.")
    row = await find_customer(call, args[0])
    _known(specs, args[1])
    policy = (await call.session.exec(select(Policy).where(Policy.name == args[1]))).one()
    before = {"policy_id": row.policy_id}
    row.policy_id, row.updated_at = policy.id, call.now
    call.session.add(row)
    call.audit("policy.assign", "customer", row.code, before, {"policy_id": policy.id})
    return say(f"{row.code} now follows policy {policy.name}.")


async def _delete_refusal(call: Call, name: str) -> str | None:
    if name == STANDARD.name:
        return "The standard policy is the default of every customer: it cannot be deleted."
    users = await _users(call, name)
    if users:
        return f"{users} customer(s) still follow {name}: assign them elsewhere first."
    return None


async def _delete(
    call: Call, specs: dict[str, PolicySpec], args: tuple[str, ...]
) -> list[StaffReply]:
    if len(args) != 1:
        raise UsageError("Give the policy name.")
    spec = _known(specs, args[0])
    refusal = await _delete_refusal(call, spec.name)
    if refusal:
        raise CommandError(refusal)
    question = f"Delete policy {spec.name} ({_offsets(spec)})?"
    return await ask_confirmation(call, "policydelete", {"name": spec.name}, question)


async def confirm_delete(call: Call, pending: Confirmation) -> list[StaffReply]:
    """Delete the policy once its deletion is confirmed (checked again: things change)."""
    name = str(pending.data["name"])
    specs = await _specs(call)
    spec = specs.get(name)
    if spec is None:
        return say(f"Policy {name} is already gone.")
    refusal = await _delete_refusal(call, name)
    if refusal:
        raise CommandError(refusal)
    policy = (await call.session.exec(select(Policy).where(Policy.name == name))).one()
    await call.session.exec(delete(PolicyStep).where(col(PolicyStep.policy_id) == policy.id))
    await call.session.delete(policy)
    await call.session.flush()
    call.audit("policy.delete", "policy", name, describe(spec), None)
    return say(f"Policy {name} deleted.")


async def policy(call: Call) -> list[StaffReply]:
    """Route `/policy SUBCOMMAND …`."""
    if not call.args:
        raise UsageError("Say what to do with policies.")
    sub, args = call.args[0].lower(), call.args[1:]
    specs = await _specs(call)
    try:
        if sub == "list" and not args:
            return await _list(call, specs)
        if sub == "show" and len(args) == 1:
            return _show(_known(specs, args[0]))
        if sub == "set":
            return await _set(call, specs, args)
        if sub == "channels":
            return await _channels(call, specs, args)
        if sub == "assign":
            return await _assign(call, specs, args)
        if sub == "delete":
            return await _delete(call, specs, args)
    except typer.BadParameter as exc:
        # parse_offsets / parse_channels are shared with the CLI and speak typer's errors.
        raise UsageError(exc.message) from None
    raise UsageError(f"Unknown or incomplete: /policy {' '.join(call.args)}")


COMMANDS = (Command("policy", ADMINS, policy),)
CONFIRMABLE = {"policydelete": confirm_delete}
