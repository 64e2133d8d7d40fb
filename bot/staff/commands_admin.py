"""Admins' settings and team: `/window`, `/sendtime`, `/holidays`, `/staff`, `/preview`,
`/pauseall` and `/resumeall`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

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
from bot.staff.directory import StaffError, invite_staff, remove_staff, set_role
from bot.staff.roles import parse_role
from i18n.format import format_date
from i18n.staff_texts import explain
from scheduler.policy_store import ensure_standard, load_specs
from scheduler.preview import preview_in
from scheduler.views import PlanningInputs
from scheduler.window import Window, parse_weekdays
from scheduler.window_overrides import (
    clock_text,
    days_text,
    effective_window,
    parse_clock,
    window_json,
)
from storage.queries.settings import (
    HOLIDAYS_KEY,
    SEND_TIME_KEY,
    WINDOW_KEY,
    Confirmation,
    paused_all,
    put_setting,
    set_paused_all,
)
from storage.queries.staff import list_staff


async def window(call: Call) -> list[StaffReply]:
    """Set the contact window's hours and (optionally) weekdays."""
    if len(call.args) not in (1, 2):
        raise UsageError(call.t("window.usage"))
    start_text, dash, end_text = call.args[0].partition("-")
    if not dash:
        raise UsageError(call.t("window.bad_range", text=repr(call.args[0])))
    before = await effective_window(call.session, call.config.window)
    days = parse_weekdays(call.args[1]) if len(call.args) == 2 else before.days
    start, end = parse_clock(start_text), parse_clock(end_text)
    if start >= end:  # said here, in the reader's language, not by Window's own check
        raise UsageError(call.t("window.order", start=clock_text(start), end=clock_text(end)))
    after = replace(before, start=start, end=end, days=days)
    value = {
        "start": clock_text(after.start),
        "end": clock_text(after.end),
        "days": days_text(days),
    }
    await put_setting(call.session, key=WINDOW_KEY, value=value, now=call.now)
    call.audit("setting.window", "setting", WINDOW_KEY, window_json(before), window_json(after))
    note = []
    if not after.start <= after.send_time <= after.end:
        note = [call.t("window.clamped", time=clock_text(after.send_time))]
    done = call.t("window.done", start=value["start"], end=value["end"], days=value["days"])
    return say(done, *note)


async def sendtime(call: Call) -> list[StaffReply]:
    """Set the daily send time (customers' local time)."""
    if len(call.args) != 1:
        raise UsageError(call.t("sendtime.usage"))
    before = await effective_window(call.session, call.config.window)
    after = replace(before, send_time=parse_clock(call.args[0]))
    await put_setting(
        call.session, key=SEND_TIME_KEY, value=clock_text(after.send_time), now=call.now
    )
    call.audit(
        "setting.send_time", "setting", SEND_TIME_KEY, window_json(before), window_json(after)
    )
    note = []
    if not after.start <= after.send_time <= after.end:  # as /window says of it
        note = [call.t("window.clamped", time=clock_text(after.send_time))]
    return say(call.t("sendtime.done", time=clock_text(after.send_time)), *note)


async def holidays(call: Call) -> list[StaffReply]:
    """Skip (on) or ignore (off) national holidays and cuti bersama."""
    if len(call.args) != 1 or call.args[0].lower() not in ("on", "off"):
        raise UsageError(call.t("holidays.usage"))
    before = await effective_window(call.session, call.config.window)
    after = replace(before, holidays=call.args[0].lower() == "on")
    await put_setting(call.session, key=HOLIDAYS_KEY, value=after.holidays, now=call.now)
    call.audit("setting.holidays", "setting", HOLIDAYS_KEY, window_json(before), window_json(after))
    return say(call.t("holidays.on" if after.holidays else "holidays.off"))


async def _staff_change(call: Call, sub: str, args: tuple[str, ...]) -> list[StaffReply]:
    """`role NAME ROLE` or `remove NAME`: never on oneself, so an admin always remains."""
    if sub == "role" and len(args) < 2:
        raise UsageError(call.t("staff.role_usage"))
    name = " ".join(args[:-1] if sub == "role" else args)
    if name.lower() == call.staff.name.lower():
        raise CommandError(call.t("staff.self"))
    session, actor = call.session, call.actor
    if sub == "role":
        role = parse_role(args[-1])
        changed = await set_role(session, name=name, role=role, actor=actor, now=call.now)
        return say(call.t("staff.role_done", name=changed.name, role=changed.role))
    removed = await remove_staff(session, name=name, actor=actor, now=call.now)
    return say(call.t("staff.removed", name=removed.name))


async def staff(call: Call) -> list[StaffReply]:
    """List, add, change the role of, or remove staff."""
    sub, args = (call.args[0].lower(), call.args[1:]) if call.args else ("", ())
    try:
        if sub == "list" and not args:
            team = await list_staff(call.session)
            lines = [
                call.t(
                    "staff.line" if s.telegram_user_id else "staff.no_chat",
                    name=s.name,
                    role=s.role,
                )
                for s in team
            ]
            return say(call.t("staff.list", count=len(team)), *lines)
        if sub == "add" and len(args) >= 2:
            name, role = " ".join(args[:-1]), parse_role(args[-1])
            added, token = await invite_staff(
                call.session, name=name, role=role, actor=call.actor, now=call.now
            )
            return say(
                call.t("staff.added", name=added.name, role=added.role),
                call.t("staff.link", token=token),
            )
        if sub in ("role", "remove") and args:
            return await _staff_change(call, sub, args)
    except StaffError as exc:
        raise CommandError(explain(exc, call.lang) or str(exc)) from None
    raise UsageError(call.t("staff.unknown", text=" ".join(call.args)))


async def preview(call: Call) -> list[StaffReply]:
    """What would go out day by day, with the window and policies in force now."""
    if len(call.args) > 3:
        raise UsageError(call.t("preview.usage"))
    first = read_day(call, " ".join(call.args)) if call.args else call.today
    if first < call.today:
        raise UsageError(call.t("preview.past", date=call.day(first)))
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
            call.t("preview.day", date=format_date(day, call.lang), count=len(going))
            + (call.t("preview.channels", channels=channels) if channels else "")
            + (call.t("preview.skipped", skips=skips) if skips else "")
        )
    head = call.t(
        "preview.head",
        date=call.day(first),
        start=clock_text(window.start),
        end=clock_text(window.end),
        days=days_text(window.days),
        send=clock_text(window.send_time),
    )
    warning = [call.t("preview.paused")]
    return say(head, *lines, *(warning if await paused_all(session) else []))


async def pauseall(call: Call) -> list[StaffReply]:
    """Ask for confirmation, then stop every reminder to every customer."""
    if call.args:
        raise UsageError(call.t("no_args", name="pauseall"))
    if await paused_all(call.session):
        return say(call.t("pauseall.already"))
    question = call.t("pauseall.question")
    return await ask_confirmation(call, "pauseall", {}, question)


async def confirm_pauseall(call: Call, pending: Confirmation) -> list[StaffReply]:
    """Turn the global stop switch on (the admin pressed Confirm)."""
    if await paused_all(call.session):
        # Two admins asked and both confirmed: the second changes nothing, logs nothing.
        return say(call.t("pauseall.already"))
    before = await set_paused_all(call.session, paused=True, actor=call.actor, now=call.now)
    call.audit("setting.pause_all", "setting", "paused_all", {"paused": before}, {"paused": True})
    return say(call.t("pauseall.done"))


async def resumeall(call: Call) -> list[StaffReply]:
    """Turn the global stop switch off."""
    if call.args:
        raise UsageError(call.t("no_args", name="resumeall"))
    if not await paused_all(call.session):
        return say(call.t("resumeall.nothing"))
    await set_paused_all(call.session, paused=False, actor=call.actor, now=call.now)
    call.audit("setting.pause_all", "setting", "paused_all", {"paused": True}, {"paused": False})
    return say(call.t("resumeall.done"))


COMMANDS = (
    Command("window", ADMINS, window),
    Command("sendtime", ADMINS, sendtime),
    Command("holidays", ADMINS, holidays),
    Command("staff", ADMINS, staff),
    Command("preview", ADMINS, preview),
    Command("pauseall", ADMINS, pauseall),
    Command("resumeall", ADMINS, resumeall),
)
CONFIRMABLE = {"pauseall": confirm_pauseall}
