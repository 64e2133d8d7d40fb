"""`/policy list|show|set|channels|assign|delete`: follow-up policies by chat (admins)."""

from __future__ import annotations

import re
from typing import Any

import typer
from sqlmodel import col, delete, func, select

from bot.cli_policy import NEW_STEP_CHANNELS, parse_channels, parse_offsets
from bot.i18n.staff_texts import explain
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


def _known(call: Call, specs: dict[str, PolicySpec], name: str) -> PolicySpec:
    spec = specs.get(name)
    if spec is None:
        known = ", ".join(sorted(specs))
        raise CommandError(call.t("policy.unknown", name=repr(name), known=known))
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


def _offsets(call: Call, spec: PolicySpec) -> str:
    text = ", ".join(f"{s.offset:+d}" for s in spec.steps)
    return text + (call.t("policy.repeat", days=spec.repeat_every) if spec.repeat_every else "")


async def _list(call: Call, specs: dict[str, PolicySpec]) -> list[StaffReply]:
    lines = [
        call.t("policy.list_line", name=n, offsets=_offsets(call, s), count=await _users(call, n))
        for n, s in specs.items()
    ]
    return say(call.t("policy.list"), *sorted(lines))


def _show(call: Call, spec: PolicySpec) -> list[StaffReply]:
    lines = [f"{s.offset:+d}: {', '.join(s.channels)} → {', '.join(s.actions)}" for s in spec.steps]
    if spec.repeat_every and spec.repeat:
        lines.append(
            call.t(
                "policy.show_repeat",
                days=spec.repeat_every,
                channels=", ".join(spec.repeat.channels),
                actions=", ".join(spec.repeat.actions),
            )
        )
    return say(call.t("policy.show", name=spec.name), *lines)


async def _set(call: Call, specs: dict[str, PolicySpec], args: tuple[str, ...]) -> list[StaffReply]:
    """Same rules as `tagih policy set`: steps kept keep their channels and actions."""
    if len(args) not in (2, 4) or (len(args) == 4 and args[2].lower() != "repeat"):
        raise UsageError(call.t("policy.set_usage"))
    name, offsets = args[0], parse_offsets(args[1])
    if not NAME.fullmatch(name):
        raise UsageError(call.t("policy.bad_name", name=repr(name)))
    if len(args) == 4 and not (args[3].isdecimal() and int(args[3]) <= 365):
        raise UsageError(call.t("policy.bad_days", text=repr(args[3])))
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
    return say(
        call.t("policy.set_done", name=name, offsets=_offsets(call, spec)),
        call.t("policy.see_preview"),
    )


async def _channels(
    call: Call, specs: dict[str, PolicySpec], args: tuple[str, ...]
) -> list[StaffReply]:
    if len(args) != 3:
        raise UsageError(call.t("policy.channels_usage"))
    old = _known(call, specs, args[0])
    try:
        offset = int(args[1])
    except ValueError:
        raise UsageError(call.t("policy.bad_offset", text=repr(args[1]))) from None
    names = parse_channels(args[2])
    if offset not in {s.offset for s in old.steps}:
        raise CommandError(call.t("policy.no_step", name=old.name, offset=f"{offset:+d}"))
    steps = tuple(
        Step(s.offset, names, s.actions, s.template) if s.offset == offset else s for s in old.steps
    )
    spec = PolicySpec(old.name, steps, old.repeat_every, old.repeat, old.window)
    await save_spec(call.session, spec=spec)
    call.audit("policy.channels", "policy", old.name, describe(old), describe(spec))
    return say(
        call.t(
            "policy.channels_done", name=old.name, offset=f"{offset:+d}", channels=", ".join(names)
        )
    )


async def _assign(
    call: Call, specs: dict[str, PolicySpec], args: tuple[str, ...]
) -> list[StaffReply]:
    if len(args) != 2:
        raise UsageError(call.t("policy.assign_usage"))
    row = await find_customer(call, args[0])
    _known(call, specs, args[1])
    policy = (await call.session.exec(select(Policy).where(Policy.name == args[1]))).one()
    before = {"policy_id": row.policy_id}
    row.policy_id, row.updated_at = policy.id, call.now
    call.session.add(row)
    call.audit("policy.assign", "customer", row.code, before, {"policy_id": policy.id})
    return say(call.t("policy.assign_done", code=row.code, name=policy.name))


async def _delete_refusal(call: Call, name: str) -> str | None:
    if name == STANDARD.name:
        return call.t("policy.standard_kept")
    users = await _users(call, name)
    if users:
        return call.t("policy.in_use", count=users, name=name)
    return None


async def _delete(
    call: Call, specs: dict[str, PolicySpec], args: tuple[str, ...]
) -> list[StaffReply]:
    if len(args) != 1:
        raise UsageError(call.t("policy.delete_usage"))
    spec = _known(call, specs, args[0])
    refusal = await _delete_refusal(call, spec.name)
    if refusal:
        raise CommandError(refusal)
    question = call.t("policy.delete_question", name=spec.name, offsets=_offsets(call, spec))
    return await ask_confirmation(call, "policydelete", {"name": spec.name}, question)


async def confirm_delete(call: Call, pending: Confirmation) -> list[StaffReply]:
    """Delete the policy once its deletion is confirmed (checked again: things change)."""
    name = str(pending.data["name"])
    specs = await _specs(call)
    spec = specs.get(name)
    if spec is None:
        return say(call.t("policy.gone", name=name))
    refusal = await _delete_refusal(call, name)
    if refusal:
        raise CommandError(refusal)
    policy = (await call.session.exec(select(Policy).where(Policy.name == name))).one()
    await call.session.exec(delete(PolicyStep).where(col(PolicyStep.policy_id) == policy.id))
    await call.session.delete(policy)
    await call.session.flush()
    call.audit("policy.delete", "policy", name, describe(spec), None)
    return say(call.t("policy.deleted", name=name))


async def policy(call: Call) -> list[StaffReply]:
    """Route `/policy SUBCOMMAND …`."""
    if not call.args:
        raise UsageError(call.t("policy.usage"))
    sub, args = call.args[0].lower(), call.args[1:]
    specs = await _specs(call)
    try:
        if sub == "list" and not args:
            return await _list(call, specs)
        if sub == "show" and len(args) == 1:
            return _show(call, _known(call, specs, args[0]))
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
        raise UsageError(explain(exc, call.lang) or exc.message) from None
    raise UsageError(call.t("policy.unknown_sub", text=" ".join(call.args)))


COMMANDS = (Command("policy", ADMINS, policy),)
CONFIRMABLE = {"policydelete": confirm_delete}
