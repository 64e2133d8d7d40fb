"""`tagih staff add|invite|update|list|role|remove` and `tagih audit`: the team from the shell.

Registered in bot/cli/main.py with `app.add_typer(staff_app, name="staff")` and
`app.command("audit")(audit_command)`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

# The staff operations and the database are imported by the commands that use them, so that
# `tagih --help` stays light (tests/unit/test_cli_startup.py).
if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.config import Settings
    from storage.enums import Role
    from storage.models import AuditLog, Staff

staff_app = typer.Typer(help="The team: admins, collectors and salespeople.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
T = TypeVar("T")
#: The bot's username in the sandbox Bot API (bot.sandbox.telegram).
SANDBOX_BOT = "tagih_sandbox_bot"


def _settings(ctx: typer.Context) -> Settings:
    from bot.config import Settings

    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def _run(ctx: typer.Context, work: Callable[[AsyncSession, dt.datetime], Awaitable[T]]) -> T:
    """Run `work` in one transaction on an up-to-date database; a StaffError exits 1."""
    import asyncio

    from bot.staff.directory import StaffError
    from storage.db import Database
    from storage.migrate import upgrade

    settings = _settings(ctx)

    async def main() -> T:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            async with db.transaction() as session:
                return await work(session, dt.datetime.now(dt.UTC))
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except StaffError as exc:
        err.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(1) from None


def _role(text: str) -> Role:
    from bot.staff.roles import parse_role

    try:
        return parse_role(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="ROLE") from None


RoleOption = Annotated[str, typer.Option("--role", help="admin, collector or sales.")]


@staff_app.command("add")
def add(
    ctx: typer.Context,
    name: str,
    role: RoleOption,
    telegram_id: Annotated[int | None, typer.Option(help="Their Telegram user id.")] = None,
    email: Annotated[
        str | None, typer.Option(help="Email address (alerts fall back to it).")
    ] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number.")] = None,
    language: Annotated[str, typer.Option(help="id or en.")] = "id",
) -> None:
    """Add a staff member."""
    from bot.staff.directory import add_staff
    from storage.queries.audit import CLI_ACTOR

    chosen = _role(role)

    async def work(session: AsyncSession, now: dt.datetime) -> Staff:
        return await add_staff(
            session,
            name=name,
            role=chosen,
            actor=CLI_ACTOR,
            now=now,
            telegram_user_id=telegram_id,
            email=email,
            phone=phone,
            language=language,
        )

    staff = _run(ctx, work)
    console.print(f"added {staff.name} ({staff.role})", markup=False)


async def _bot_username(settings: Settings) -> str:
    """Ask the Telegram Bot API who we are (getMe); the sandbox bot without a token."""
    if not settings.telegram_configured:
        return SANDBOX_BOT

    from bot.app.channels import telegram_channel

    channel = telegram_channel(settings)
    await channel.start()
    try:
        assert channel.username is not None
        return channel.username
    finally:
        await channel.stop()


@staff_app.command("invite")
def invite(
    ctx: typer.Context,
    name: str,
    role: RoleOption,
    bot_username: Annotated[
        str | None, typer.Option(help="The bot's username (default: asked of Telegram).")
    ] = None,
    language: Annotated[str, typer.Option(help="id or en (for a new staff member).")] = "id",
) -> None:
    """Print a one-time Telegram link: opening it binds the chat to this staff member."""
    import asyncio

    from bot.staff.directory import invite_staff
    from storage.queries.audit import CLI_ACTOR

    chosen = _role(role)
    settings = _settings(ctx)

    async def work(session: AsyncSession, now: dt.datetime) -> str:
        _, token = await invite_staff(
            session, name=name, role=chosen, actor=CLI_ACTOR, now=now, language=language
        )
        return token

    token = _run(ctx, work)
    bot = (bot_username or asyncio.run(_bot_username(settings))).removeprefix("@")
    console.print(f"https://t.me/{bot}?start={token}", markup=False, soft_wrap=True)


@staff_app.command("update")
def update(
    ctx: typer.Context,
    name: str,
    telegram_id: Annotated[int | None, typer.Option(help="Their Telegram user id.")] = None,
    email: Annotated[
        str | None, typer.Option(help='Email address for alerts ("" removes it).')
    ] = None,
    phone: Annotated[str | None, typer.Option(help='Phone number ("" removes it).')] = None,
    language: Annotated[str | None, typer.Option(help="id or en.")] = None,
) -> None:
    """Change a staff member's contact details (so that alerts can reach them)."""
    if telegram_id is None and email is None and phone is None and language is None:
        raise typer.BadParameter(
            "give at least one of --telegram-id, --email, --phone, --language", param_hint="NAME"
        )
    from bot.staff.directory import update_staff
    from storage.queries.audit import CLI_ACTOR

    async def work(session: AsyncSession, now: dt.datetime) -> Staff:
        return await update_staff(
            session,
            name=name,
            actor=CLI_ACTOR,
            now=now,
            telegram_user_id=telegram_id,
            email=email,
            phone=phone,
            language=language,
        )

    staff = _run(ctx, work)
    telegram = "Telegram bound" if staff.telegram_user_id else "no Telegram"
    console.print(
        f"updated {staff.name}: {telegram}, email {staff.email or '-'}, "
        f"phone {staff.phone or '-'}, language {staff.language}",
        markup=False,
    )


@staff_app.command("list")
def list_command(
    ctx: typer.Context,
    removed: Annotated[bool, typer.Option("--removed", help="Include removed staff.")] = False,
) -> None:
    """List the team."""
    from storage.queries.staff import list_staff

    async def work(session: AsyncSession, now: dt.datetime) -> list[Staff]:
        return await list_staff(session, include_removed=removed)

    table = Table("name", "role", "telegram", "email", "language", "active")
    for s in _run(ctx, work):
        telegram = "bound" if s.telegram_user_id else "-"
        table.add_row(
            s.name, s.role, telegram, s.email or "-", s.language, "yes" if s.active else "no"
        )
    console.print(table)


@staff_app.command("role")
def role_command(ctx: typer.Context, name: str, role: str) -> None:
    """Change a staff member's role."""
    from bot.staff.directory import set_role
    from storage.queries.audit import CLI_ACTOR

    chosen = _role(role)

    async def work(session: AsyncSession, now: dt.datetime) -> Staff:
        return await set_role(session, name=name, role=chosen, actor=CLI_ACTOR, now=now)

    staff = _run(ctx, work)
    console.print(f"{staff.name} is now {staff.role}", markup=False)


@staff_app.command("remove")
def remove(ctx: typer.Context, name: str) -> None:
    """Remove a staff member (kept in the records; their chat is unbound)."""
    from bot.staff.directory import remove_staff
    from storage.queries.audit import CLI_ACTOR

    async def work(session: AsyncSession, now: dt.datetime) -> Staff:
        return await remove_staff(session, name=name, actor=CLI_ACTOR, now=now)

    staff = _run(ctx, work)
    console.print(f"removed {staff.name}", markup=False)


def audit_command(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="From this date (YYYY-MM-DD, business time zone).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many entries (latest).")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who changed what: time, actor, action, entity, before → after."""
    from bot.staff.log_render import change
    from storage.queries.audit import entry_json, list_audit, names_by_id

    settings = _settings(ctx)
    zone = settings.zone
    start = None
    if since is not None:
        try:
            start = dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), tzinfo=zone)
        except ValueError:
            raise typer.BadParameter(f"not a date: {since!r}", param_hint="--since") from None

    async def work(
        session: AsyncSession, now: dt.datetime
    ) -> tuple[list[AuditLog], dict[str, dict[int, str]]]:
        return await list_audit(session, since=start, limit=limit), await names_by_id(session)

    entries, names = _run(ctx, work)
    if as_json:
        rows = [entry_json(e, zone) for e in entries]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("when", "actor", "action", "entity", "before → after")
    for e in entries:
        when = e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        entity = f"{e.entity} {e.entity_key}".strip()
        said = change(
            e.before,
            e.after,
            language=settings.language,
            currency=settings.currency,
            names=names,
        )
        table.add_row(when, e.actor, e.action, entity, said)
    console.print(table)
