"""`tagih policy list|show|set|channels|assign`: manage follow-up policies from the shell."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.i18n.staff_texts import keyed
from scheduler.policy import PolicySpec, Step
from scheduler.policy_store import global_window, load_specs, save_spec
from storage.db import Database
from storage.enums import Action, ChannelKind
from storage.migrate import upgrade
from storage.models import AuditLog, Customer, Policy

policy_app = typer.Typer(help="Follow-up policies.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
#: Channels and actions of an offset that a policy did not have before.
NEW_STEP_CHANNELS = (ChannelKind.CHAT, ChannelKind.EMAIL)


def parse_offsets(text: str) -> list[int]:
    """`-3,1,3,7` → [-3, 1, 3, 7]; duplicates and junk are errors naming the bad part."""
    offsets: list[int] = []
    for part in text.replace(" ", "").split(","):
        try:
            value = int(part)
        except ValueError:
            error = typer.BadParameter(
                f"{part!r} is not a whole number of days", param_hint="--steps"
            )
            raise keyed(error, "parse.offset", text=repr(part)) from None
        if value in offsets:
            error = typer.BadParameter(f"offset {value} is given twice", param_hint="--steps")
            raise keyed(error, "parse.offset_twice", offset=value)
        offsets.append(value)
    if not offsets:
        error = typer.BadParameter("give at least one offset", param_hint="--steps")
        raise keyed(error, "parse.no_offsets")
    return sorted(offsets)


def parse_channels(text: str) -> tuple[str, ...]:
    """`whatsapp,email` → ("whatsapp", "email"), checked against the known channels."""
    names = tuple(part for part in text.replace(" ", "").split(",") if part)
    known = {c.value for c in ChannelKind}
    for name in names:
        if name not in known:
            choices = ", ".join(sorted(known))
            error = typer.BadParameter(f"unknown channel {name!r} (use {choices})")
            raise keyed(error, "parse.channel", text=repr(name), known=choices)
    if not names:
        raise keyed(typer.BadParameter("give at least one channel"), "parse.no_channels")
    return names


def _describe(spec: PolicySpec) -> dict[str, Any]:
    """A JSON-friendly picture of a policy for the audit log."""
    return {
        "steps": [
            {"offset": s.offset, "channels": list(s.channels), "actions": list(s.actions)}
            for s in spec.steps
        ],
        "repeat_every": spec.repeat_every,
    }


def _run(ctx: typer.Context, work: Any) -> Any:
    settings = ctx.obj
    assert isinstance(settings, Settings)

    async def main() -> Any:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            async with db.transaction() as session:
                from scheduler.policy_store import ensure_standard

                await ensure_standard(session)
                specs = await load_specs(session, default=global_window(settings))
                return await work(session, {s.name: s for s in specs.values()})
        finally:
            await db.dispose()

    return asyncio.run(main())


def _step_text(step: Step) -> tuple[str, str, str]:
    return f"{step.offset:+d}", ", ".join(step.channels), ", ".join(step.actions)


@policy_app.command("list")
def list_policies(ctx: typer.Context) -> None:
    """List the policies with their offsets."""

    async def work(session: AsyncSession, specs: dict[str, PolicySpec]) -> None:
        counts = {}
        for name in specs:
            pid = (await session.exec(select(Policy.id).where(Policy.name == name))).one()
            counts[name] = len(
                (await session.exec(select(Customer.id).where(Customer.policy_id == pid))).all()
            )
        table = Table("policy", "offsets", "repeat", "customers named on it")
        for name, spec in sorted(specs.items()):
            repeat = f"every {spec.repeat_every} d" if spec.repeat_every else "-"
            offsets = ", ".join(f"{s.offset:+d}" for s in spec.steps)
            table.add_row(name, offsets, repeat, str(counts[name]))
        console.print(table)

    _run(ctx, work)


@policy_app.command("show")
def show_policy(ctx: typer.Context, name: str) -> None:
    """Show a policy's steps: offset, channels in preference order, actions."""

    async def work(session: AsyncSession, specs: dict[str, PolicySpec]) -> None:
        spec = specs.get(name)
        if spec is None:
            err.print(f"no policy named {name!r} (known: {', '.join(sorted(specs))})")
            raise typer.Exit(1)
        table = Table("offset", "channels", "actions", title=f"policy {name}")
        for step in spec.steps:
            table.add_row(*_step_text(step))
        if spec.repeat_every and spec.repeat:
            channels, actions = ", ".join(spec.repeat.channels), ", ".join(spec.repeat.actions)
            table.add_row(f"every {spec.repeat_every} d after", channels, actions)
        console.print(table)

    _run(ctx, work)


@policy_app.command("set")
def set_policy(
    ctx: typer.Context,
    name: str,
    steps: Annotated[
        str, typer.Option(help='Offsets in days from the due date, e.g. "-3,1,3,7,14,28,58".')
    ],
    repeat: Annotated[
        int | None, typer.Option(min=0, help="Repeat every N days after the last step (0 = never).")
    ] = None,
) -> None:
    """Create a policy or change its offsets; steps kept keep their channels and actions."""
    offsets = parse_offsets(steps)

    async def work(session: AsyncSession, specs: dict[str, PolicySpec]) -> None:
        old = specs.get(name)
        by_offset = {s.offset: s for s in old.steps} if old else {}
        new_steps = tuple(
            by_offset.get(o) or Step(o, NEW_STEP_CHANNELS, (Action.REMIND,)) for o in offsets
        )
        every = (old.repeat_every if old else None) if repeat is None else (repeat or None)
        repeat_step = (
            old.repeat
            if old and old.repeat
            else Step(0, NEW_STEP_CHANNELS, (Action.REMIND, Action.ALERT_COLLECTOR))
        )
        spec = PolicySpec(name, new_steps, every, repeat_step if every else None)
        await save_spec(session, spec=spec)
        session.add(
            AuditLog(
                actor="cli",
                action="policy.set",
                entity="policy",
                entity_key=name,
                before=_describe(old) if old else None,
                after=_describe(spec),
            )
        )
        console.print(
            f"policy {name}: "
            + ", ".join(f"{o:+d}" for o in offsets)
            + (f", then every {every} days" if every else "")
        )

    _run(ctx, work)


@policy_app.command("channels")
def set_channels(ctx: typer.Context, name: str, offset: int, channels: str) -> None:
    """Set the channels (in preference order) of one step of a policy."""
    names = parse_channels(channels)

    async def work(session: AsyncSession, specs: dict[str, PolicySpec]) -> None:
        old = specs.get(name)
        if old is None or old.step_at(offset) is None:
            err.print(f"policy {name!r} has no step at offset {offset:+d}")
            raise typer.Exit(1)
        new_steps = tuple(
            Step(s.offset, names, s.actions, s.template) if s.offset == offset else s
            for s in old.steps
        )
        spec = PolicySpec(old.name, new_steps, old.repeat_every, old.repeat, old.window)
        await save_spec(session, spec=spec)
        session.add(
            AuditLog(
                actor="cli",
                action="policy.channels",
                entity="policy",
                entity_key=name,
                before=_describe(old),
                after=_describe(spec),
            )
        )
        console.print(f"policy {name} step {offset:+d}: {', '.join(names)}")

    _run(ctx, work)


@policy_app.command("assign")
def assign_policy(ctx: typer.Context, customer: str, name: str) -> None:
    """Put a customer (by code) on a policy."""

    async def work(session: AsyncSession, specs: dict[str, PolicySpec]) -> None:
        row = (await session.exec(select(Customer).where(Customer.code == customer))).first()
        if row is None:
            err.print(f"no customer with code {customer!r}")
            raise typer.Exit(1)
        policy = (await session.exec(select(Policy).where(col(Policy.name) == name))).first()
        if policy is None:
            err.print(f"no policy named {name!r} (known: {', '.join(sorted(specs))})")
            raise typer.Exit(1)
        before = row.policy_id
        row.policy_id = policy.id
        session.add(row)
        session.add(
            AuditLog(
                actor="cli",
                action="policy.assign",
                entity="customer",
                entity_key=customer,
                before={"policy_id": before},
                after={"policy_id": policy.id},
            )
        )
        console.print(f"customer {customer} now follows policy {name}")

    _run(ctx, work)
