"""What every benchmark shares: figures beside their goals, child processes, memory, a no-op
channel, a write counter and bulk-built portfolios.

Every measurement whose memory matters runs in a fresh child process (`run_child`): peak RSS
only ever grows, so a process that built the data set first would hide what the measured
phase allocates. The child resets its high-water mark (`/proc/self/clear_refs`) right before
the measured phase and reports the growth of its peak over the RSS it started the phase with.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from scheduler.channel import Capabilities
from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Contact, Customer, Invoice, table_of

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
#: The business day every benchmark plans on: a Monday, no Indonesian holiday.
TODAY = dt.date(2026, 11, 23)
WIB = ZoneInfo("Asia/Jakarta")
ZONES = ("Asia/Jakarta", "Asia/Jakarta", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
CHANNEL_NAMES = ("email", "whatsapp", "sms", "voice", "telegram")


def wib(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    """`hour:minute` Jakarta time on `day`, as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(hour, minute), WIB).astimezone(dt.UTC)


# --- figures beside their goals -------------------------------------------------------------


@dataclass
class Figure:
    """One measured figure, its goal, and whether it meets it (None: no goal, informative)."""

    key: str
    label: str
    value: float | None
    unit: str
    goal: str = ""
    met: bool | None = None
    note: str = ""

    def line(self) -> str:
        """The figure as one report line: label, value, goal and verdict."""
        verdict = {True: "MET", False: "MISSED", None: ""}[self.met]
        value = "n/a" if self.value is None else _fmt(self.value)
        text = f"  {self.label:<58} {value:>12} {self.unit:<9} {self.goal:<16} {verdict}"
        return text + (f"  ({self.note})" if self.note else "")


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


@dataclass
class Report:
    """What one benchmark returns: its figures, raw measurements and notes."""

    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, *args: Any, **kwargs: Any) -> Figure:
        """Append a figure (same arguments as `Figure`)."""
        figure = Figure(*args, **kwargs)
        self.figures.append(figure)
        return figure

    def text(self) -> str:
        """The report as printed: title, one line per figure, notes."""
        lines = [f"== {self.name}: {self.title}"]
        lines += [figure.line() for figure in self.figures]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return asdict(self)


def at_least(value: float, goal: float) -> bool:
    """True when `value` reaches `goal`."""
    return value >= goal


def ratio(a: float, b: float) -> float:
    """a / b, safe against a zero denominator."""
    return a / b if b else float("inf")


# --- child processes ------------------------------------------------------------------------


def run_child(module: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run `python -m module args…` from the repository root; its last stdout line is JSON."""
    command = [sys.executable, "-m", module, *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def emit(result: dict[str, Any]) -> None:
    """Child side: print the result as the last stdout line."""
    print(json.dumps(result), flush=True)


# --- memory ---------------------------------------------------------------------------------


def _status_kb(field_name: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakMemory:
    """Peak RSS growth of a phase: reset the high-water mark, then read it back."""

    def __init__(self) -> None:
        """Nothing measured yet."""
        self.start_kb = 0
        self.resettable = False

    def start(self) -> None:
        """Call right before the phase (after gc.collect)."""
        try:
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
            self.resettable = True
        except OSError:
            self.resettable = False
        self.start_kb = _status_kb("VmRSS") or 0

    def growth_mb(self) -> float:
        """Peak RSS since `start` minus RSS at `start`, in MiB."""
        peak = _status_kb("VmHWM") if self.resettable else None
        if peak is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return max(peak - self.start_kb, 0) / 1024

    @staticmethod
    def peak_mb() -> float:
        """The process's peak RSS, in MiB."""
        return (_status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


# --- a no-op channel: sending with every provider limit lifted --------------------------------


class NoopChannel:
    """Accepts every message at once and remembers the call; the same for Tagih and baseline."""

    name: ClassVar[str] = "noop"
    capabilities: ClassVar[Capabilities] = Capabilities(html=True, buttons=True)

    def __init__(self, name: str = "email") -> None:
        """A stand-in for the channel called `name`."""
        self.channel = name
        self.sent: list[str] = []

    async def send(self, message: Outbound) -> DeliveryResult:
        """Record the message and report it sent (a provider id unique like a real one)."""
        self.sent.append(message.idempotency_key)
        return DeliveryResult(DeliveryOutcome.SENT, provider_id=f"noop:{message.idempotency_key}")

    async def reconcile(
        self, message: Outbound, *, reserved_at: dt.datetime, known: frozenset[str]
    ) -> DeliveryResult | None:
        """SENT when the message went out before a crash, None when it never did."""
        if message.idempotency_key in self.sent:
            return DeliveryResult(
                DeliveryOutcome.SENT, provider_id=f"noop:{message.idempotency_key}"
            )
        return None

    async def close(self) -> None:
        """Nothing to release."""


def noop_channels() -> dict[str, NoopChannel]:
    """One no-op channel under each channel name."""
    return {name: NoopChannel(name) for name in CHANNEL_NAMES}


async def open_tagih(
    url: str, sandbox: Path, *, worker: str = "bench"
) -> tuple[Any, dict[str, NoopChannel]]:
    """A Tagih on `url` without providers, a no-op channel under every channel name and
    every limit of ours lifted (no WhatsApp daily cap)."""
    from bot.app.tagih import Tagih
    from bot.config import load_settings

    settings = load_settings(
        database_url=url, load_examples=False, sandbox_dir=sandbox, whatsapp_daily_limit=0
    )
    app = Tagih(settings, worker=worker)
    await app.open(with_channels=False)
    channels = noop_channels()
    app.providers.channels.update(channels)
    return app, channels


# --- counting what a pass writes ------------------------------------------------------------


class WriteCounter:
    """Counts INSERT / UPDATE / DELETE statements (and their row counts) on an engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        """Listen on `engine` until `detach`."""
        self.engine = engine.sync_engine
        self.statements = 0
        self.rows = 0
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _after(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if verb in ("INSERT", "UPDATE", "DELETE"):
            self.statements += 1
            self.rows += max(cursor.rowcount or 0, 0)

    def reset(self) -> None:
        """Start counting from zero."""
        self.statements = self.rows = 0

    def detach(self) -> None:
        """Stop listening."""
        event.remove(self.engine, "after_cursor_execute", self._after)


# --- portfolios, bulk-built -----------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """A portfolio: `customers` x `per_customer` invoices and how they fall due."""

    customers: int
    per_customer: int = 4
    #: "reminders": one invoice due yesterday and one email per customer (every one due
    #: today); "portfolio": due dates spread over 150 days back and 45 ahead, a fifth paid,
    #: mixed zones and channels (what a distributor's receivables look like).
    kind: str = "portfolio"
    seed: int = 7

    @property
    def invoices(self) -> int:
        """Invoices in the portfolio."""
        return self.customers * self.per_customer


def _chunks(rows: Iterator[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _customers(shape: Shape, stamp: dt.datetime) -> Iterator[dict[str, Any]]:
    for n in range(shape.customers):
        zone = "Asia/Jakarta" if shape.kind == "reminders" else ZONES[n % len(ZONES)]
        yield {
            "id": n + 1,
            "code": f"C{n:07d}",
            "name": f"PT Pelanggan {n}",
            "segment": "retail",
            "language": "id",
            "timezone": zone,
            "credit_hold": False,
            "created_at": stamp,
            "updated_at": stamp,
        }


def _contacts(shape: Shape, stamp: dt.datetime) -> Iterator[dict[str, Any]]:
    rng = random.Random(shape.seed)
    for n in range(shape.customers):
        base = {"customer_id": n + 1, "consent": True, "verified": False, "created_at": stamp}
        yield {**base, "channel": "email", "address": f"ar{n}@pelanggan.example"}
        if shape.kind == "reminders":
            continue
        phone = f"+62812{n:08d}"
        if rng.random() < 0.7:
            yield {**base, "channel": "whatsapp", "address": phone}
        if rng.random() < 0.5:
            yield {**base, "channel": "sms", "address": phone}
            yield {**base, "channel": "voice", "address": phone}
        if rng.random() < 0.2:
            yield {**base, "channel": "telegram", "address": str(10_000_000 + n)}


def _invoices(shape: Shape, stamp: dt.datetime) -> Iterator[dict[str, Any]]:
    rng = random.Random(shape.seed + 1)
    number = 0
    for n in range(shape.customers):
        for _ in range(1 if shape.kind == "reminders" else shape.per_customer):
            if shape.kind == "reminders":
                due, paid = TODAY - dt.timedelta(days=1), False
            else:
                due = TODAY + dt.timedelta(days=rng.randint(-150, 45))
                paid = rng.random() < 0.2
            amount = Decimal(rng.randrange(10, 3000) * 50_000)
            number += 1
            yield {
                "id": number,
                "number": f"INV/{number:08d}",
                "customer_id": n + 1,
                "issue_date": due - dt.timedelta(days=30),
                "due_date": due,
                "currency": "IDR",
                "amount": amount,
                "balance": Decimal(0) if paid else amount,
                "item": "Semen 50 kg",
                "status": "paid" if paid else "open",
                "created_at": stamp,
                "updated_at": stamp,
            }


async def build(url: str, shape: Shape) -> dict[str, float]:
    """Create the schema at `url` and bulk-insert the portfolio (Core executemany)."""
    started = time.perf_counter()
    db = Database(url)
    await upgrade(db)
    stamp = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    counts = {}
    try:
        for model, rows in (
            (Customer, _customers(shape, stamp)),
            (Contact, _contacts(shape, stamp)),
            (Invoice, _invoices(shape, stamp)),
        ):
            total = 0
            for chunk in _chunks(rows):
                async with db.engine.begin() as conn:
                    await conn.execute(insert(table_of(model)), chunk)
                total += len(chunk)
            counts[model.__name__.lower()] = total
    finally:
        await db.dispose()
    return {**counts, "seconds": time.perf_counter() - started}


def sqlite_url(path: Path) -> str:
    """The aiosqlite URL of a database file."""
    return f"sqlite+aiosqlite:///{path}"


def copy_db(source: Path, target: Path) -> Path:
    """Copy a SQLite database file (closed, so its WAL is checkpointed)."""
    target.write_bytes(source.read_bytes())
    return target


def median(values: Sequence[float]) -> float:
    """The median of a few timings."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
