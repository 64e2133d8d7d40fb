"""Admins' settings and team: `/window`, `/sendtime`, `/holidays`, `/staff`, `/preview`,
`/pauseall` and `/resumeall`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

from bot.config import parse_weekdays
from bot.staff.commands_base import (
    ADMINS,
    Call,
    Command,
    CommandError,
    StaffReply,
    UsageError,
    read_day,
    say,
)
from bot.staff.confirm import ask_confirmation
from bot.staff.directory import StaffError, invite_staff, list_staff, remove_staff, set_role
from bot.staff.roles import parse_role
from bot.staff.settings_store import (
    HOLIDAYS_KEY,
    SEND_TIME_KEY,
    WINDOW_KEY,
    Confirmation,
    clock_text,
    days_text,
    effective_window,
    parse_clock,
    paused_all,
    put_setting,
    set_paused_all,
    window_json,
)
from scheduler.policy_store import ensure_standard, load_specs
from scheduler.preview import preview_in
from scheduler.views import PlanningInputs
from scheduler.window import Window

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


async def window(call: Call) -> list[StaffReply]:
    """Set the contact window's hours and (optionally) weekdays."""
    if len(call.args) not in (1, 2):
        raise UsageError("Give the hours as HH:MM-HH:MM, then optionally the weekdays.")
    start_text, dash, end_text = call.args[0].partition("-")
    if not dash:
        raise UsageError(f"{call.args[0]!r} is not a range of hours like 08:00-20:00.")
    before = await effective_window(call.session, call.config.window)
    days = parse_weekdays(call.args[1]) if len(call.args) == 2 else before.days
    after = replace(before, start=parse_clock(start_text), end=parse_clock(end_text), days=days)
    value = {
        "start": clock_text(after.start),
        "end": clock_text(after.end),
        "days": days_text(days),
    }
    await put_setting(call.session, key=WINDOW_KEY, value=value, now=call.now)
    call.audit("setting.window", "setting", WINDOW_KEY, window_json(before), window_json(after))
    note = ""
    if not after.start <= after.send_time <= after.end:
        note = f"\nNote: the send time {clock_text(after.send_time)} is outside; it is clamped."
    return say(f"Contact window: {value['start']}-{value['end']}, {value['days']}.{note}")


async def sendtime(call: Call) -> list[StaffReply]:
    """Set the daily send time (customers' local time)."""
    if len(call.args) != 1:
        raise UsageError("Give one time of day.")
    before = await effective_window(call.session, call.config.window)
    after = replace(before, send_time=parse_clock(call.args[0]))
    await put_setting(
        call.session, key=SEND_TIME_KEY, value=clock_text(after.send_time), now=call.now
    )
    call.audit(
        "setting.send_time", "setting", SEND_TIME_KEY, window_json(before), window_json(after)
    )
    return say(f"Reminders go out at {clock_text(after.send_time)}, customers' local time.")


async def holidays(call: Call) -> list[StaffReply]:
    """Skip (on) or ignore (off) national holidays and cuti bersama."""
    if len(call.args) != 1 or call.args[0].lower() not in ("on", "off"):
        raise UsageError("Say on or off.")
    before = await effective_window(call.session, call.config.window)
    after = replace(before, holidays=call.args[0].lower() == "on")
    await put_setting(call.session, key=HOLIDAYS_KEY, value=after.holidays, now=call.now)
    call.audit("setting.holidays", "setting", HOLIDAYS_KEY, window_json(before), window_json(after))
    state = "no reminders on" if after.holidays else "reminders go out on"
    return say(f"Holidays {call.args[0].lower()}: {state} public holidays and cuti bersama.")


async def _staff_change(call: Call, sub: str, args: tuple[str, ...]) -> list[StaffReply]:
    """`role NAME ROLE` or `remove NAME`: never on oneself, so an admin always remains."""
    if sub == "role" and len(args) < 2:
        raise UsageError("Give the name and the new role.")
    name = " ".join(args[:-1] if sub == "role" else args)
    if name.lower() == call.staff.name.lower():
        raise CommandError("Refused: ask another admin to change or remove you.")
    session, actor = call.session, call.actor
    if sub == "role":
        role = parse_role(args[-1])
        changed = await set_role(session, name=name, role=role, actor=actor, now=call.now)
        return say(f"{changed.name} is now {changed.role}.")
    removed = await remove_staff(session, name=name, actor=actor, now=call.now)
    return say(f"{removed.name} removed; their chat no longer reaches Tagih.")


async def staff(call: Call) -> list[StaffReply]:
    """List, add, change the role of, or remove staff."""
    sub, args = (call.args[0].lower(), call.args[1:]) if call.args else ("", ())
    try:
        if sub == "list" and not args:
            team = await list_staff(call.session)
            lines = [
                f"  {s.name}: {s.role}{'' if s.telegram_user_id else ' (no chat)'}" for s in team
            ]
            return say(f"Team ({len(team)}):", *lines)
        if sub == "add" and len(args) >= 2:
            name, role = " ".join(args[:-1]), parse_role(args[-1])
            added, token = await invite_staff(
                call.session, name=name, role=role, actor=call.actor, now=call.now
            )
            return say(
                f"{added.name} added as {added.role}.",
                f"To link their Telegram, they open t.me/<this bot>?start={token}",
            )
        if sub in ("role", "remove") and args:
            return await _staff_change(call, sub, args)
    except StaffError as exc:
        raise CommandError(str(exc)) from None
    raise UsageError(f"Unknown or incomplete: /staff {' '.join(call.args)}")


async def preview(call: Call) -> list[StaffReply]:
    """What would go out day by day, with the window and policies in force now."""
    if len(call.args) > 3:
        raise UsageError("Give at most a first date.")
    first = read_day(" ".join(call.args), call.today) if call.args else call.today
    if first < call.today:
        raise UsageError(f"{first} is in the past: a preview starts today or later.")
    session, config = call.session, call.config
    window: Window = await effective_window(session, config.window)
    inputs = PlanningInputs(
        policies=await load_specs(session, default=window),
        default_policy_id=await ensure_standard(session),
        enabled_channels=config.enabled_channels,
        grace_days=config.grace_days,
    )
    contacts = await preview_in(
        session,
        inputs=inputs,
        window=window,
        now=call.now,
        first=first,
        days=config.preview_days,
        cap=config.max_contacts_per_week,
    )
    lines = []
    for offset in range(config.preview_days):
        day = first + dt.timedelta(days=offset)
        today = [c for c in contacts if c.day == day]
        going = [c for c in today if c.skipped is None]
        by_channel = Counter(c.channels[0] for c in going if c.channels)
        channels = ", ".join(f"{name} {n}" for name, n in by_channel.most_common())
        skipped = Counter(str(c.skipped) for c in today if c.skipped is not None)
        skips = ", ".join(f"{n} {why}" for why, n in skipped.items())
        lines.append(
            f"{day.isoformat()} {WEEKDAY_NAMES[day.weekday()]}: {len(going)} contact(s)"
            + (f" — {channels}" if channels else "")
            + (f"; skipped: {skips}" if skips else "")
        )
    head = f"Preview from {first}, window {clock_text(window.start)}-{clock_text(window.end)}"
    head += f" {days_text(window.days)}, send {clock_text(window.send_time)}:"
    warning = ["ALL SENDING IS PAUSED (/resumeall): nothing will actually go out."]
    return say(head, *lines, *(warning if await paused_all(session) else []))


async def pauseall(call: Call) -> list[StaffReply]:
    """Ask for confirmation, then stop every reminder to every customer."""
    if call.args:
        raise UsageError("/pauseall takes no arguments.")
    if await paused_all(call.session):
        return say("Everything is already paused. /resumeall starts it again.")
    question = "Stop ALL reminders to ALL customers until someone sends /resumeall?"
    return await ask_confirmation(call, "pauseall", {}, question)


async def confirm_pauseall(call: Call, pending: Confirmation) -> list[StaffReply]:
    """Turn the global stop switch on (the admin pressed Confirm)."""
    before = await set_paused_all(call.session, paused=True, actor=call.actor, now=call.now)
    call.audit("setting.pause_all", "setting", "paused_all", {"paused": before}, {"paused": True})
    return say("All reminders are paused. Send /resumeall to start again.")


async def resumeall(call: Call) -> list[StaffReply]:
    """Turn the global stop switch off."""
    if call.args:
        raise UsageError("/resumeall takes no arguments.")
    if not await paused_all(call.session):
        return say("Nothing was paused.")
    await set_paused_all(call.session, paused=False, actor=call.actor, now=call.now)
    call.audit("setting.pause_all", "setting", "paused_all", {"paused": True}, {"paused": False})
    return say("Reminders resume with the next dispatch tick.")


COMMANDS = (
    Command(
        "window",
        ADMINS,
        "/window HH:MM-HH:MM [DAYS]",
        "/window 08:00-20:00 mon-sat",
        "contact hours and weekdays",
        window,
    ),
    Command("sendtime", ADMINS, "/sendtime HH:MM", "/sendtime 09:00", "daily send time", sendtime),
    Command("holidays", ADMINS, "/holidays on|off", "/holidays on", "skip holidays", holidays),
    Command(
        "staff",
        ADMINS,
        "/staff list | add NAME ROLE | role NAME ROLE | remove NAME",
        "/staff add Budi Santoso collector",
        "the team (roles: admin, collector, sales)",
        staff,
    ),
    Command("preview", ADMINS, "/preview [DATE]", "/preview 2026-04-01", "next 7 days", preview),
    Command("pauseall", ADMINS, "/pauseall", "/pauseall", "stop ALL reminders", pauseall),
    Command("resumeall", ADMINS, "/resumeall", "/resumeall", "lift /pauseall", resumeall),
)
CONFIRMABLE = {"pauseall": confirm_pauseall}
