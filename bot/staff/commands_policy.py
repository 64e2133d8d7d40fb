"""`/policy list|show|set|channels|assign|delete`: follow-up policies by chat (admins).

Parses the words, calls bot.staff.policies (shared with `tagih policy`) and words the
result from the staff text catalog.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from bot.staff.commands_base import (
    ADMINS,
    Call,
    Command,
    CommandError,
    StaffReply,
    UsageError,
    say,
)
from bot.staff.confirm import ask_confirmation
from bot.staff.policies import (
    PolicyArgumentError,
    PolicyError,
    assign_policy,
    delete_policy,
    deletion_refusal,
    known_policy,
    list_policies,
    parse_channels,
    parse_offsets,
    policy_specs,
    set_channels,
    set_steps,
)
from i18n.staff_texts import explain
from scheduler.policy import PolicySpec
from scheduler.window_overrides import effective_window
from storage.queries.settings import Confirmation


async def _specs(call: Call) -> dict[str, PolicySpec]:
    window = await effective_window(call.session, call.config.window)
    return await policy_specs(call.session, window=window)


def _offsets(call: Call, spec: PolicySpec) -> str:
    text = ", ".join(f"{s.offset:+d}" for s in spec.steps)
    return text + (call.t("policy.repeat", days=spec.repeat_every) if spec.repeat_every else "")


async def _list(call: Call) -> list[StaffReply]:
    window = await effective_window(call.session, call.config.window)
    lines = [
        call.t(
            "policy.list_line", name=u.spec.name, offsets=_offsets(call, u.spec), count=u.customers
        )
        for u in await list_policies(call.session, window=window)
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


async def _set(call: Call, args: tuple[str, ...]) -> list[StaffReply]:
    """`/policy set NAME OFFSETS [repeat DAYS]`."""
    if len(args) not in (2, 4) or (len(args) == 4 and args[2].lower() != "repeat"):
        raise UsageError(call.t("policy.set_usage"))
    offsets = parse_offsets(args[1])
    if len(args) == 4 and not args[3].isdecimal():
        raise UsageError(call.t("policy.bad_days", text=repr(args[3])))
    repeat = int(args[3]) if len(args) == 4 else None
    spec = await set_steps(
        call.session, name=args[0], offsets=offsets, repeat_every=repeat, **_who(call)
    )
    return say(
        call.t("policy.set_done", name=spec.name, offsets=_offsets(call, spec)),
        call.t("policy.see_preview"),
    )


async def _channels(call: Call, args: tuple[str, ...]) -> list[StaffReply]:
    """`/policy channels NAME OFFSET CHANNELS`."""
    if len(args) != 3:
        raise UsageError(call.t("policy.channels_usage"))
    known_policy(await _specs(call), args[0])
    try:
        offset = int(args[1])
    except ValueError:
        raise UsageError(call.t("policy.bad_offset", text=repr(args[1]))) from None
    names = parse_channels(args[2])
    spec = await set_channels(
        call.session, name=args[0], offset=offset, channels=names, **_who(call)
    )
    return say(
        call.t(
            "policy.channels_done", name=spec.name, offset=f"{offset:+d}", channels=", ".join(names)
        )
    )


async def _assign(call: Call, args: tuple[str, ...]) -> list[StaffReply]:
    """`/policy assign CUSTOMER NAME`."""
    if len(args) != 2:
        raise UsageError(call.t("policy.assign_usage"))
    name = known_policy(await _specs(call), args[1]).name  # as stored: "GENTLE" is gentle
    customer = await assign_policy(call.session, code=args[0], name=name, **_who(call))
    return say(call.t("policy.assign_done", code=customer.code, name=name))


async def _delete(call: Call, args: tuple[str, ...]) -> list[StaffReply]:
    """`/policy delete NAME`: asks first (refused at once when it could not be done)."""
    if len(args) != 1:
        raise UsageError(call.t("policy.delete_usage"))
    spec = known_policy(await _specs(call), args[0])
    refusal = await deletion_refusal(call.session, name=spec.name)
    if refusal is not None:
        raise refusal
    question = call.t("policy.delete_question", name=spec.name, offsets=_offsets(call, spec))
    return await ask_confirmation(call, "policydelete", {"name": spec.name}, question)


class _Who(TypedDict):
    actor: str
    now: dt.datetime
    staff_id: int | None


def _who(call: Call) -> _Who:
    """The audit fields of a change this call makes."""
    return {"actor": call.actor, "now": call.now, "staff_id": call.staff.id}


async def confirm_delete(call: Call, pending: Confirmation) -> list[StaffReply]:
    """Delete the policy once its deletion is confirmed (checked again: things change)."""
    name = str(pending.data["name"])
    if name not in await _specs(call):
        return say(call.t("policy.gone", name=name))
    try:
        await delete_policy(call.session, name=name, **_who(call))
    except PolicyError as exc:
        raise CommandError(explain(exc, call.lang) or str(exc)) from None
    return say(call.t("policy.deleted", name=name))


async def policy(call: Call) -> list[StaffReply]:
    """Route `/policy SUBCOMMAND …`."""
    if not call.args:
        raise UsageError(call.t("policy.usage"))
    sub, args = call.args[0].lower(), call.args[1:]
    try:
        if sub == "list" and not args:
            return await _list(call)
        if sub == "show" and len(args) == 1:
            return _show(call, known_policy(await _specs(call), args[0]))
        if sub == "set":
            return await _set(call, args)
        if sub == "channels":
            return await _channels(call, args)
        if sub == "assign":
            return await _assign(call, args)
        if sub == "delete":
            return await _delete(call, args)
    except PolicyArgumentError as exc:
        raise UsageError(explain(exc, call.lang) or str(exc)) from None
    except PolicyError as exc:
        raise CommandError(explain(exc, call.lang) or str(exc)) from None
    raise UsageError(call.t("policy.unknown_sub", text=" ".join(call.args)))


COMMANDS = (Command("policy", ADMINS, policy),)
CONFIRMABLE = {"policydelete": confirm_delete}
