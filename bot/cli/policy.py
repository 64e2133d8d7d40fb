"""`tagih policy list|show|set|channels|assign`: manage follow-up policies from the shell.

Parses the arguments, calls bot.staff.policies (shared with the chat's `/policy`) and prints
the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

# The policy operations and the database are imported by the commands that use them, so that
# `tagih --help` stays light (tests/unit/test_cli_startup.py).
if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from scheduler.policy import Step
    from scheduler.window import Window

policy_app = typer.Typer(help="Follow-up policies.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
T = TypeVar("T")


def _run(
    ctx: typer.Context, work: Callable[[AsyncSession, Window, dt.datetime], Awaitable[T]]
) -> T:
    """Run `work` in one transaction on an up-to-date database; a PolicyError exits 1."""
    import asyncio

    from bot.config import Settings
    from bot.staff.policies import PolicyError
    from scheduler.policy_store import ensure_standard
    from storage.db import Database
    from storage.migrate import upgrade

    settings = ctx.obj
    assert isinstance(settings, Settings)

    async def main() -> T:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            async with db.transaction() as session:
                await ensure_standard(session)
                return await work(session, settings.window(), dt.datetime.now(dt.UTC))
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except PolicyError as exc:
        err.print(str(exc), highlight=False)
        raise typer.Exit(1) from None


def _parsed(parse: Callable[[str], T], text: str, hint: str | None = None) -> T:
    """`parse(text)`, its complaint shown as typer's usage error."""
    from bot.staff.policies import PolicyArgumentError

    try:
        return parse(text)
    except PolicyArgumentError as exc:
        raise typer.BadParameter(str(exc), param_hint=hint) from None


def _step_text(step: Step) -> tuple[str, str, str]:
    return f"{step.offset:+d}", ", ".join(step.channels), ", ".join(step.actions)


@policy_app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List the policies with their offsets."""
    from bot.staff.policies import list_policies

    async def work(session: AsyncSession, window: Window, now: dt.datetime) -> None:
        table = Table("policy", "offsets", "repeat", "customers named on it")
        for use in await list_policies(session, window=window):
            spec = use.spec
            repeat = f"every {spec.repeat_every} d" if spec.repeat_every else "-"
            offsets = ", ".join(f"{s.offset:+d}" for s in spec.steps)
            table.add_row(spec.name, offsets, repeat, str(use.customers))
        console.print(table)

    _run(ctx, work)


@policy_app.command("show")
def show_command(ctx: typer.Context, name: str) -> None:
    """Show a policy's steps: offset, channels in preference order, actions."""
    from bot.staff.policies import show_policy

    async def work(session: AsyncSession, window: Window, now: dt.datetime) -> None:
        spec = await show_policy(session, name=name, window=window)
        table = Table("offset", "channels", "actions", title=f"policy {name}")
        for step in spec.steps:
            table.add_row(*_step_text(step))
        if spec.repeat_every and spec.repeat:
            channels, actions = ", ".join(spec.repeat.channels), ", ".join(spec.repeat.actions)
            table.add_row(f"every {spec.repeat_every} d after", channels, actions)
        console.print(table)

    _run(ctx, work)


@policy_app.command("set")
def set_command(
    ctx: typer.Context,
    name: str,
    steps: Annotated[
        str, typer.Option(help='Offsets in days from the due date, e.g. "-3,1,3,7,14,28,58".')
    ],
    repeat: Annotated[
        int | None,
        typer.Option(min=0, max=365, help="Repeat every N days after the last step (0 = never)."),
    ] = None,
) -> None:
    """Create a policy or change its offsets; steps kept keep their channels and actions."""
    from bot.staff.policies import parse_offsets, set_steps
    from storage.queries.audit import CLI_ACTOR

    offsets = _parsed(parse_offsets, steps, "--steps")

    async def work(session: AsyncSession, window: Window, now: dt.datetime) -> None:
        spec = await set_steps(
            session, name=name, offsets=offsets, repeat_every=repeat, actor=CLI_ACTOR, now=now
        )
        every = spec.repeat_every
        console.print(
            f"policy {name}: "
            + ", ".join(f"{o:+d}" for o in offsets)
            + (f", then every {every} days" if every else "")
        )

    _run(ctx, work)


@policy_app.command("channels")
def channels_command(ctx: typer.Context, name: str, offset: int, channels: str) -> None:
    """Set the channels (in preference order) of one step of a policy."""
    from bot.staff.policies import parse_channels, set_channels
    from storage.queries.audit import CLI_ACTOR

    names = _parsed(parse_channels, channels)

    async def work(session: AsyncSession, window: Window, now: dt.datetime) -> None:
        await set_channels(
            session, name=name, offset=offset, channels=names, actor=CLI_ACTOR, now=now
        )
        console.print(f"policy {name} step {offset:+d}: {', '.join(names)}")

    _run(ctx, work)


@policy_app.command("assign")
def assign_command(ctx: typer.Context, customer: str, name: str) -> None:
    """Put a customer (by code) on a policy."""
    from bot.staff.policies import assign_policy
    from storage.queries.audit import CLI_ACTOR

    async def work(session: AsyncSession, window: Window, now: dt.datetime) -> None:
        row = await assign_policy(session, code=customer, name=name, actor=CLI_ACTOR, now=now)
        console.print(f"customer {row.code} now follows policy {name}")

    _run(ctx, work)
