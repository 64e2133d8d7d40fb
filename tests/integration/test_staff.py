"""Staff and roles: `tagih staff …` and `tagih audit` on a SQLite file, the invite link binding
a chat through the router, and who collects from which customer (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from pathlib import Path

import pytest
import typer
from sqlmodel import select
from typer.testing import CliRunner

from bot.app.tagih import Tagih
from bot.cli.main import root
from bot.cli.staff import audit_command, staff_app
from bot.config import load_settings
from bot.staff.directory import StaffError, add_staff, remove_staff
from bot.staff.roles import Role, parse_role
from scheduler.messages import Address, Inbound
from storage.db import Database
from storage.models import Customer, LinkToken, Staff
from storage.queries.staff import collectors_for, customers_of_collector, staff_by_telegram
from tests.support.staff_world import NOW, seed

# The lead registers these on bot.cli.main.app; this stand-in has the same root callback.
cli = typer.Typer()
cli.callback()(root)
cli.add_typer(staff_app, name="staff")
cli.command("audit")(audit_command)


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")  # room for the tables
    path = tmp_path / "tagih.db"
    monkeypatch.setenv("TAGIH_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def invoke(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, result.output + repr(result.exception)
    return result.output


def test_staff_commands_and_audit(db_file: Path) -> None:
    out = invoke(
        "staff",
        "add",
        "Sari",
        "--role",
        "collector",
        "--telegram-id",
        "9001",
        "--email",
        "sari@example.co.id",
    )
    assert out.strip() == "added Sari (collector)"
    invoke("staff", "add", "Budi", "--role", "sales", "--language", "en")
    assert "already on the team" in invoke("staff", "add", "sari", "--role", "sales", code=1)
    assert "unknown role 'boss'" in invoke("staff", "add", "X", "--role", "boss", code=2)
    assert invoke("staff", "role", "Budi", "collector").strip() == "Budi is now collector"
    link = invoke("staff", "invite", "Tono", "--role", "collector").strip()
    assert re.fullmatch(r"https://t\.me/tagih_sandbox_bot\?start=[A-Za-z0-9_-]{32}", link)
    assert invoke("staff", "remove", "Sari").strip() == "removed Sari"
    listed = invoke("staff", "list")
    assert "Budi" in listed and "Tono" in listed and "Sari" not in listed
    assert "Sari" in invoke("staff", "list", "--removed")
    assert invoke("staff", "update", "budi", "--email", "budi@example.co.id").strip() == (
        "updated Budi: no Telegram, email budi@example.co.id, phone -, language en"
    )
    assert "not an email address" in invoke("staff", "update", "Budi", "--email", "x", code=1)
    assert "give at least one of" in invoke("staff", "update", "Budi", code=2)
    cleared = invoke("staff", "update", "Budi", "--email", "", "--telegram-id", "9100")
    assert cleared.strip() == "updated Budi: Telegram bound, email -, phone -, language en"
    assert "no staff member named 'Sari'" in invoke("staff", "role", "Sari", "admin", code=1)

    entries = json.loads(invoke("audit", "--json"))
    assert [(e["actor"], e["action"], e["entity_key"]) for e in entries] == [
        ("cli", "staff.add", "Sari"),
        ("cli", "staff.add", "Budi"),
        ("cli", "staff.role", "Budi"),
        ("cli", "staff.add", "Tono"),
        ("cli", "staff.invite", "Tono"),
        ("cli", "staff.remove", "Sari"),
        ("cli", "staff.update", "Budi"),
        ("cli", "staff.update", "Budi"),
    ]
    assert entries[6]["after"]["email"] == "b***@example.co.id"
    assert entries[7]["before"]["telegram"] is None and entries[7]["after"]["email"] is None
    assert (entries[2]["before"], entries[2]["after"]) == ({"role": "sales"}, {"role": "collector"})
    assert entries[0]["after"]["email"] == "s***@example.co.id"  # masked, as in logs
    assert (entries[5]["before"]["active"], entries[5]["after"]["active"]) == (True, False)
    assert entries[0]["at"].endswith("+07:00")  # the business time zone
    table = invoke("audit")
    assert "staff.role" in table and "peran: sales → collector" in table
    assert "aktif: ya → tidak" in " ".join(table.split())  # Sari removed: only what changed
    assert '"' not in table and "{" not in table  # readable values, not JSON
    assert json.loads(invoke("audit", "--since", "2999-01-01", "--json")) == []

    # Opening the link sends `/start <token>`: the router binds the chat to Tono, once.
    token = link.rpartition("=")[2]
    replies = asyncio.run(start_with(db_file, token, chat=555001))
    assert replies[0].startswith("Terima kasih, Tono.")
    assert asyncio.run(telegram_of(db_file, "Tono")) == 555001
    again = asyncio.run(start_with(db_file, token, chat=555002))
    assert again[0].startswith("Tautan ini sudah tidak berlaku")


async def start_with(db_file: Path, token: str, *, chat: int) -> list[str]:
    url = f"sqlite+aiosqlite:///{db_file}"
    db = Database(url)
    async with db.sessions() as session:
        row = (await session.exec(select(LinkToken).where(LinkToken.token == token))).one()
    await db.dispose()
    moment = row.created_at + dt.timedelta(minutes=1)  # the invite was made a minute ago
    settings = load_settings(database_url=url, load_examples=False)
    app = Tagih(settings, clock=lambda: moment)
    await app.open(with_channels=False)
    try:
        inbound = Inbound(
            Address("telegram", str(chat), "Tono"),
            f"/start {token}",
            moment,
            provider_id=f"tg:{chat}",
            payload=f"start:{token}",
        )
        return [r.body for r in (await app.router.handle(inbound)).replies]
    finally:
        await app.close()


async def telegram_of(db_file: Path, name: str) -> int | None:
    db = Database(f"sqlite+aiosqlite:///{db_file}")
    async with db.sessions() as session:
        staff = (await session.exec(select(Staff).where(Staff.name == name))).one()
    await db.dispose()
    return staff.telegram_user_id


async def test_who_collects_and_staff_changes(db: Database) -> None:
    team = await seed(db)
    async with db.sessions() as session:
        customers = {c.code: c for c in (await session.exec(select(Customer))).all()}
        names = {
            code: [s.name for s in await collectors_for(session, customer=c)]
            for code, c in customers.items()
        }
        sari = await staff_by_telegram(session, telegram_user_id=9001)
        assert sari is not None
        mine = [c.code for c in await customers_of_collector(session, staff=sari)]
    # C002 has no collector: it falls to every collector (not to the admin).
    assert names == {"C001": ["Sari"], "C002": ["Sari", "Tono"], "C003": ["Sari"]}
    assert mine == ["C001", "C002", "C003"]
    async with db.transaction() as session:
        # An admin named as a customer's collector collects from it.
        c003 = customers["C003"]
        c003.collector_id = team.staff["Ani"]
        session.add(c003)
        assert [s.name for s in await collectors_for(session, customer=c003)] == ["Ani"]
        # Removing the collector unbinds their chat; their customers fall to the rest.
        await remove_staff(session, name="Sari", actor="test", now=NOW)
        assert await staff_by_telegram(session, telegram_user_id=9001) is None
        c001 = customers["C001"]
        assert [s.name for s in await collectors_for(session, customer=c001)] == ["Tono"]
        with pytest.raises(StaffError, match="already belongs to Budi"):
            await add_staff(
                session,
                name="Eka",
                role=Role.COLLECTOR,
                actor="test",
                now=NOW,
                telegram_user_id=9002,
            )
        back = await add_staff(session, name="sari", role=Role.ADMIN, actor="test", now=NOW)
        assert (back.id, back.name, back.role, back.active) == (
            team.staff["Sari"],
            "Sari",
            "admin",
            True,
        )
    assert parse_role(" Sales ") is Role.SALES
