"""The staff side of the chat: `/commands` by role, `/help`, and confirmation buttons.

The inbound router calls `handle_staff` when the sender is a known staff member; it runs
inside the router's transaction, so a command's change and its audit entry are written
together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.staff import (
    commands_admin,
    commands_collector,
    commands_payments,
    commands_policy,
    commands_read,
    commands_reports,
    commands_template,
)
from bot.staff.commands_base import (
    EVERYONE,
    Call,
    Command,
    CommandError,
    StaffConfig,
    StaffReply,
    UsageError,
    say,
)
from bot.staff.confirm import NOT_YOURS, cancel, parse_press, pending_for
from i18n.staff_texts import explain
from storage.models import Staff
from storage.queries.settings import Confirmation, drop_confirmation

__all__ = ["COMMANDS", "StaffConfig", "StaffReply", "handle_staff", "parse_command"]

Confirmer = Callable[[Call, Confirmation], Awaitable[list[StaffReply]]]


async def _help(call: Call) -> list[StaffReply]:
    """The commands the caller's role may use, with usage and an example each."""
    lines = [call.t("help.head", name=call.staff.name, role=call.staff.role)]
    for command in COMMANDS.values():
        if _allowed(call.staff, command):
            lines.append(
                call.t(
                    "help.line",
                    usage=command.usage(call.lang),
                    summary=command.summary(call.lang, outcomes=OUTCOMES),
                    example=command.example(call.lang),
                )
            )
    return say(*lines)


OUTCOMES = ", ".join(commands_collector.CALL_OUTCOMES)
HELP = Command("help", EVERYONE, _help)
COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        HELP,
        *commands_read.COMMANDS,
        *commands_reports.COMMANDS,
        *commands_payments.COMMANDS,
        *commands_collector.COMMANDS,
        *commands_policy.COMMANDS,
        *commands_template.COMMANDS,
        *commands_admin.COMMANDS,
    )
}
#: Confirmable actions → (the command whose role rules apply, what the press does).
CONFIRMERS: dict[str, tuple[str, Confirmer]] = {
    "pauseall": ("pauseall", commands_admin.confirm_pauseall),
    "policydelete": ("policy", commands_policy.confirm_delete),
}


def parse_command(text: str) -> tuple[str, str] | None:
    """`/Paid@TagihBot INV-1 5jt` → ("paid", "INV-1 5jt"); None when not a command."""
    text = text.strip()
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text.partition(" ")
    if "\n" in head:  # "/note\nC001 …": the command ends at the first line break too
        head, _, more = head.partition("\n")
        rest = f"{more} {rest}".strip()
    return head[1:].split("@", 1)[0].lower(), rest.strip()


def _allowed(staff: Staff, command: Command) -> bool:
    return staff.active and staff.role in command.roles


def _refuse(call: Call, command: Command, text: str) -> list[StaffReply]:
    """Say no, and keep the attempt in the audit log."""
    call.audit("refused", "command", f"/{command.name}", None, {"text": text[:200]})
    return say(call.t("not_allowed", name=command.name, role=call.staff.role))


def _usage(call: Call, command: Command, reason: str) -> list[StaffReply]:
    return say(
        *([reason] if reason else []),
        call.t("usage", usage=command.usage(call.lang)),
        call.t("example", example=command.example(call.lang)),
    )


async def _run(
    call: Call, command: Command, work: Callable[[], Awaitable[list[StaffReply]]]
) -> list[StaffReply]:
    """Run a handler; wrong arguments and impossible requests become replies, not tracebacks."""
    try:
        return await work()
    except UsageError as exc:
        return _usage(call, command, str(exc))
    except CommandError as exc:
        return say(str(exc))
    except ValueError as exc:
        # Parsers shared with the CLI and the config (weekdays, roles, keys) raise ValueError.
        said = explain(exc, call.lang) or f"{str(exc)[:1].upper()}{str(exc)[1:]}."
        return _usage(call, command, said)


async def _press(call: Call, payload: str) -> list[StaffReply] | None:
    """Apply a Confirm/Cancel button press; None when the payload is not one."""
    press = parse_press(payload)
    if press is None or press[1] not in CONFIRMERS:
        return None
    kind, action, nonce = press
    command_name, confirmer = CONFIRMERS[action]
    command = COMMANDS[command_name]
    if not _allowed(call.staff, command):
        return _refuse(call, command, payload)
    pending = await pending_for(call, action, nonce)
    if isinstance(pending, str):
        if pending == NOT_YOURS:
            call.audit("refused", "confirmation", action, None, {"payload": payload})
        return say(call.t(pending))
    if kind == "cancel":
        return await cancel(call, pending)

    # Used up before applying: a press whose action is refused on re-check is spent too.
    await drop_confirmation(call.session, nonce=pending.nonce)
    return await _run(call, command, lambda: confirmer(call, pending))


async def handle_staff(
    session: AsyncSession,
    *,
    staff: Staff,
    text: str,
    payload: str | None,
    now: dt.datetime,
    config: StaffConfig | None = None,
) -> list[StaffReply]:
    """Answer one message or button press from a staff member (inside the caller's
    transaction); `config` carries `.env` values (defaults suit tests and demos)."""
    config = config or StaffConfig()
    if payload:
        call = Call(session, staff, now, config, (), "")
        pressed = await _press(call, payload)
        if pressed is not None:
            return pressed
    parsed = parse_command(text)
    name, rest = parsed or ("", "")
    call = Call(session, staff, now, config, tuple(rest.split()), rest)
    if parsed is None:
        return say(call.t("send_help"))
    command = COMMANDS.get(name)
    if command is None:
        return say(call.t("unknown_command", name=name))
    if not _allowed(staff, command):
        return _refuse(call, command, text)
    return await _run(call, command, lambda: command.handler(call))
