"""Planning is idempotent at any hour: re-planning never deletes or moves due reminders."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from bot.app.tagih import Tagih
from bot.config import load_settings
from storage.enums import Direction, FollowUpStatus
from storage.importers import import_csv
from storage.models import Contact, Customer, FollowUp, FollowUpInvoice, Invoice, Message
from tests.support.virtual_clock import virtual_pacing

WIB = dt.timezone(dt.timedelta(hours=7))
TODAY = dt.date(2026, 11, 23)  # a Monday
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
CHANNELS = ("email", "whatsapp", "sms", "telegram")

Snapshot = set[tuple[str, dt.date, dt.datetime, tuple[str, ...], tuple[str, ...], str, frozenset]]


async def snapshot(app: Tagih) -> Snapshot:
    """The live plan: every planned row with its channels, actions and invoice steps."""
    async with app.db.sessions() as session:
        rows = (
            await session.exec(
                select(FollowUp, Customer.code)
                .join(Customer, col(Customer.id) == col(FollowUp.customer_id))
                .where(FollowUp.status == FollowUpStatus.PLANNED)
            )
        ).all()
        links = (await session.exec(select(FollowUpInvoice))).all()
    steps: dict[int, set[tuple[int, int]]] = {}
    for link in links:
        steps.setdefault(link.followup_id, set()).add((link.invoice_id, link.offset_days))
    return {
        (
            code,
            row.local_date,
            row.planned_at,
            tuple(row.channels),
            tuple(row.actions),
            row.template,
            frozenset(steps.get(row.id or 0, set())),
        )
        for row, code in rows
    }


def open_app(url: str, sandbox: Path) -> Tagih:
    """A Tagih on `url` with its sandboxes under `sandbox` and no example data."""
    settings = load_settings(
        database_url=url,
        sandbox_dir=sandbox,
        load_examples=False,
        smtp_timeout=2,
        dispatch_concurrency=1,  # one send at a time per channel on the virtual pacing clock
    )
    # SMS and voice go at Twilio's one a second per sender: kept on a virtual clock.
    return Tagih(settings, worker="w1", pacing=virtual_pacing())


# --- the issue's reproduction: a generated portfolio planned hour after hour -----------------


def generate(out: Path, customers: int) -> Path:
    """`customers` customers with four invoices each, many overdue (examples/generate.py)."""
    subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "generate.py"),
            "--today",
            TODAY.isoformat(),
            "--customers",
            str(customers),
            "--invoices",
            str(customers * 4),
            "--payments",
            str(customers * 2 // 3),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 customers, 1,200 invoices."""
    return generate(tmp_path_factory.mktemp("portfolio"), 300)


@pytest.fixture(scope="module")
def small_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 customers, 240 invoices: sending goes through every sandbox."""
    return generate(tmp_path_factory.mktemp("small"), 60)


async def loaded(url: str, folder: Path, sandbox: Path, *, channels: bool) -> Tagih:
    app = open_app(url, sandbox)
    await app.open(with_channels=channels)
    for kind in ("customers", "invoices", "payments"):
        report = await import_csv(app.db, kind, folder / f"{kind}.csv", today=TODAY)
        assert report.ok, report.errors
    return app


@pytest.fixture
async def two_apps(
    db_url: str, portfolio: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Tagih, Tagih]]:
    """The same portfolio in two fresh databases of the backend under test."""
    if db_url.startswith("sqlite"):
        other = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
        shutil.copy(db_url.removeprefix("sqlite+aiosqlite:///"), tmp_path / "other.db")
    else:
        cluster = request.getfixturevalue("pg_cluster")
        name = db_url.rsplit("/", 1)[1] + "_other"
        cluster.psql(f"CREATE DATABASE {name} TEMPLATE tagih_template")
        other = cluster.url(name)
    a = await loaded(db_url, portfolio, tmp_path / "a", channels=False)
    b = await loaded(other, portfolio, tmp_path / "b", channels=False)
    yield a, b
    await a.close()
    await b.close()


async def test_hourly_replanning_keeps_every_reminder_of_the_day(
    two_apps: tuple[Tagih, Tagih],
) -> None:
    hourly, once = two_apps
    counts = []
    for hour in (6, 7, 8, 9, 10):
        stats = await hourly.plan(dt.datetime.combine(TODAY, dt.time(hour), tzinfo=WIB))
        assert stats.removed == 0, f"{hour}:00 deleted {stats.removed} rows"
        counts.append(len({code for code, day, *_ in await snapshot(hourly) if day == TODAY}))
    assert len(set(counts)) == 1, f"customers with a follow-up today by hour: {counts}"
    assert counts[0] > 50  # the portfolio has many overdue customers
    await once.plan(dt.datetime.combine(TODAY, dt.time(10), tzinfo=WIB))
    assert await snapshot(hourly) == await snapshot(once)


async def test_an_unchanged_pass_reads_nobody_and_writes_nothing(
    two_apps: tuple[Tagih, Tagih],
) -> None:
    app, _ = two_apps
    first = await app.plan(dt.datetime.combine(TODAY, dt.time(6), tzinfo=WIB))
    assert first.customers > 0 and first.inserted > 0
    again = await app.plan(dt.datetime.combine(TODAY, dt.time(7), tzinfo=WIB))
    assert (again.customers, again.inserted, again.updated, again.removed) == (0, 0, 0, 0)
    assert again.unchanged == first.customers
    # A payment changes one customer's inputs: only that customer is planned again.
    async with app.db.transaction() as session:
        invoice = (
            await session.exec(select(Invoice).where(col(Invoice.balance) > 0).limit(1))
        ).one()
        invoice.balance = invoice.balance / 2
        session.add(invoice)
    after = await app.plan(dt.datetime.combine(TODAY, dt.time(8), tzinfo=WIB))
    assert after.customers == 1


async def test_send_due_every_hour_reaches_as_many_customers_as_one_run(
    db_url: str, small_portfolio: Path, tmp_path: Path
) -> None:
    portfolio = small_portfolio
    if not db_url.startswith("sqlite"):
        pytest.skip("the same engine path on PostgreSQL is covered by the planning tests")
    other = tmp_path / "other.db"
    shutil.copy(db_url.removeprefix("sqlite+aiosqlite:///"), other)
    hourly = await loaded(db_url, portfolio, tmp_path / "a", channels=True)
    try:
        for hour in (6, 7, 8, 9, 10):
            await hourly.send_due(dt.datetime.combine(TODAY, dt.time(hour), tzinfo=WIB))
        reached_hourly = await reached(hourly)
    finally:
        await hourly.close()
    once = await loaded(f"sqlite+aiosqlite:///{other}", portfolio, tmp_path / "b", channels=True)
    try:
        await once.send_due(dt.datetime.combine(TODAY, dt.time(10), tzinfo=WIB))
        reached_once = await reached(once)
    finally:
        await once.close()
    assert len(reached_once) > 10
    assert reached_hourly == reached_once


async def reached(app: Tagih) -> set[int]:
    """Customers who got a reminder (sent or in flight) through any channel."""
    async with app.db.sessions() as session:
        rows = (
            await session.exec(
                select(Message.customer_id).where(
                    col(Message.followup_id).is_not(None), Message.direction == Direction.OUTBOUND
                )
            )
        ).all()
    return {cid for cid in rows if cid is not None}


# --- the property: any sequence of passes ends where one pass at the last moment ends -------


@st.composite
def portfolios(draw: st.DrawFn) -> list[tuple[str, tuple[str, ...], list[int]]]:
    """Customers as (zone, channels, due-date offsets from TODAY)."""
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(ZONES),
                st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=3, unique=True).map(tuple),
                st.lists(st.integers(-80, 10), min_size=1, max_size=4),
            ),
            min_size=1,
            max_size=6,
        )
    )


async def seed(app: Tagih, customers: list[tuple[str, tuple[str, ...], list[int]]]) -> None:
    async with app.db.transaction() as session:
        for i, (zone, channels, offsets) in enumerate(customers):
            customer = Customer(code=f"C{i}", name=f"PT {i}", timezone=zone)
            session.add(customer)
            await session.flush()
            assert customer.id is not None
            for channel in channels:
                address = {"email": f"c{i}@example.co.id", "telegram": f"{1000 + i}"}.get(
                    channel, f"+62812000{i:04d}"
                )
                session.add(Contact(customer_id=customer.id, channel=channel, address=address))
            for j, offset in enumerate(offsets):
                due = TODAY + dt.timedelta(days=offset)
                session.add(
                    Invoice(
                        number=f"INV-{i}-{j}",
                        customer_id=customer.id,
                        issue_date=due - dt.timedelta(days=30),
                        due_date=due,
                        amount=1000,
                        balance=1000,
                    )
                )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    customers=portfolios(),
    minutes=st.lists(st.integers(0, 3 * 24 * 60 - 1), min_size=1, max_size=6),
)
def test_any_sequence_of_passes_equals_one_pass(
    sqlite_template: Path,
    customers: list[tuple[str, tuple[str, ...], list[int]]],
    minutes: list[int],
) -> None:
    start = dt.datetime.combine(TODAY, dt.time(0), tzinfo=WIB)
    moments = [start + dt.timedelta(minutes=m) for m in sorted(minutes)]

    async def run() -> None:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            apps = []
            for name in ("many", "one"):
                shutil.copy(sqlite_template, root / f"{name}.db")
                app = open_app(f"sqlite+aiosqlite:///{root / name}.db", root / name)
                await app.open(with_channels=False)
                await seed(app, customers)
                apps.append(app)
            many, one = apps
            try:
                for moment in moments:
                    await many.plan(moment)
                await one.plan(moments[-1])
                assert await snapshot(many) == await snapshot(one)
            finally:
                await many.close()
                await one.close()

    asyncio.run(run())


# --- one bad customer does not stop everyone's plan ------------------------------------------


async def test_a_customer_whose_calendar_fails_is_skipped_with_an_alert(
    db_url: str, tmp_path: Path
) -> None:
    app = open_app(db_url, tmp_path / "sandbox")
    await app.open(with_channels=False)
    try:
        # Dates no import accepts any more, but a database may hold them (older imports,
        # another tool writing to it): the calendar overflows on them.
        await seed(app, [("Asia/Jakarta", ("email",), [-1]), ("Asia/Jakarta", ("email",), [-3])])
        async with app.db.transaction() as session:
            bad = Customer(code="BAD", name="PT Salah Tanggal")
            session.add(bad)
            await session.flush()
            assert bad.id is not None
            session.add(Contact(customer_id=bad.id, channel="email", address="x@example.co.id"))
            for number, due in (("FAR", dt.date(9999, 12, 31)), ("OLD", dt.date(1, 1, 1))):
                session.add(
                    Invoice(
                        number=number,
                        customer_id=bad.id,
                        issue_date=due,
                        due_date=due,
                        amount=1000,
                        balance=1000,
                    )
                )
        now = dt.datetime.combine(TODAY, dt.time(10), tzinfo=WIB)
        stats = await app.plan(now)
        assert stats.failed == ["BAD"]
        planned = {code for code, day, *_ in await snapshot(app) if day == TODAY}
        assert planned == {"C0", "C1"}
        async with app.db.sessions() as session:
            alerts = (
                await session.exec(select(Message).where(Message.template == "plan_failed"))
            ).all()
        assert len(alerts) == 1 and "BAD" in alerts[0].body
        # The failure is not re-alerted every hour while nothing changed.
        again = await app.plan(now + dt.timedelta(hours=1))
        assert again.failed == []
        async with app.db.sessions() as session:
            count = len(
                (await session.exec(select(Message).where(Message.template == "plan_failed"))).all()
            )
        assert count == 1
    finally:
        await app.close()
