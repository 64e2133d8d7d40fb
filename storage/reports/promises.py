"""Promises to pay: made, kept, broken, open, by collector and by customer, and week by week.

A promise counts when it was made on or before the as-of date (and on or after `since`), with
its status as it stood then: one settled after the date was still open on it. The kept rate
is kept / (kept + broken); cancelled promises are listed but not rated. A customer's
collector is the customer's own (Customer.collector_id). Weeks start on Monday: a promise is
"made" in the week it was created and "kept" or "broken" in the week it was settled.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.enums import PromiseStatus
from storage.models import Promise
from storage.reports.common import (
    NO_FILTERS,
    Filters,
    end_of_day,
    json_ratio,
    load_customers,
    local_date,
    start_of_day,
)
from storage.reports.table import (
    Cell,
    Column,
    Tabular,
)

STATUSES = ("kept", "broken", "open", "cancelled")


@dataclass(slots=True)
class PromiseCounts:
    """Promises made, and how many of them ended in each status."""

    made: int = 0
    kept: int = 0
    broken: int = 0
    open: int = 0
    cancelled: int = 0

    @property
    def kept_rate(self) -> float | None:
        """kept / (kept + broken), None before any promise is settled."""
        return json_ratio(self.kept, self.kept + self.broken)

    def add(self, status: str) -> None:
        """Count one promise in `status`."""
        self.made += 1
        setattr(self, status, getattr(self, status) + 1)

    def to_json(self) -> dict[str, int | float | None]:
        """The counts and the kept rate."""
        counts = {"made": self.made, **{s: getattr(self, s) for s in STATUSES}}
        return {**counts, "kept_rate": self.kept_rate}

    def cells(self) -> tuple[Cell, ...]:
        """The counts and the kept rate as table cells."""
        return (self.made, self.kept, self.broken, self.open, self.cancelled, self.kept_rate)


@dataclass(frozen=True, slots=True)
class Week:
    """Promises made, kept and broken in the week starting `monday`."""

    monday: dt.date
    made: int = 0
    kept: int = 0
    broken: int = 0


@dataclass(frozen=True, slots=True)
class PromisesReport:
    """Promise outcomes as of a date."""

    as_of: dt.date
    since: dt.date | None
    total: PromiseCounts
    by_collector: dict[str, PromiseCounts]
    by_customer: dict[str, PromiseCounts]
    weeks: list[Week] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """`{"as_of", "since", "total", "by_collector", "by_customer", "weeks"}`."""
        return {
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "total": self.total.to_json(),
            "by_collector": [{"collector": k, **v.to_json()} for k, v in self.by_collector.items()],
            "by_customer": [{"customer": k, **v.to_json()} for k, v in self.by_customer.items()],
            "weeks": [
                {"week": w.monday.isoformat(), "made": w.made, "kept": w.kept, "broken": w.broken}
                for w in self.weeks
            ],
        }

    def tables(self) -> list[Tabular]:
        """One table: collectors, then customers."""
        rows: list[tuple[Cell, ...]] = [
            ("collector", k, *v.cells()) for k, v in self.by_collector.items()
        ]
        rows += [("customer", k, *v.cells()) for k, v in self.by_customer.items()]
        since = f" since {self.since.isoformat()}" if self.since else ""
        return [
            Tabular(
                title=f"Promises to pay{since}, as of {self.as_of.isoformat()}",
                columns=(
                    Column("by"),
                    Column("who"),
                    Column("made", "count"),
                    *(Column(s, "count") for s in STATUSES),
                    Column("kept rate", "rate"),
                ),
                rows=rows,
                total=("all", "", *self.total.cells()),
                sections=(len(self.by_collector),) if self.by_collector else (),
            )
        ]


def status_as_of(promise: Promise, end: dt.datetime) -> str:
    """The promise's status at `end`: settled later means still open then."""
    if promise.resolved_at is not None and promise.resolved_at >= end:
        return PromiseStatus.OPEN.value
    return promise.status


def monday(day: dt.date) -> dt.date:
    """The Monday of the day's week."""
    return day - dt.timedelta(days=day.weekday())


async def promises_report(
    session: AsyncSession,
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    zone: ZoneInfo,
    filters: Filters = NO_FILTERS,
) -> PromisesReport:
    """Promise outcomes as of `as_of` for promises made since `since` (all when None)."""
    customers = await load_customers(session)
    end = end_of_day(as_of, zone)
    query = select(Promise).where(col(Promise.created_at) < end).order_by(col(Promise.id))
    if since is not None:
        query = query.where(col(Promise.created_at) >= start_of_day(since, zone))
    total = PromiseCounts()
    by_collector: dict[str, PromiseCounts] = {}
    by_customer: dict[str, PromiseCounts] = {}
    weekly: Counter[tuple[dt.date, str]] = Counter()
    for promise in (await session.exec(query)).all():
        customer = customers[promise.customer_id]
        if not filters.matches(
            salesperson=customer.salesperson,
            collector=customer.collector,
            segment=customer.segment,
        ):
            continue
        status = status_as_of(promise, end)
        total.add(status)
        by_collector.setdefault(customer.collector, PromiseCounts()).add(status)
        by_customer.setdefault(customer.code, PromiseCounts()).add(status)
        weekly[monday(local_date(promise.created_at, zone)), "made"] += 1
        if status in ("kept", "broken"):
            settled = local_date(promise.resolved_at, zone) if promise.resolved_at else None
            weekly[monday(settled or promise.promised_date), status] += 1
    weeks: list[Week] = []
    if weekly:
        # Every week up to the as-of week, empty ones too: a chart needs the gaps.
        day = monday(since) if since else min(week for week, _ in weekly)
        while day <= as_of:
            weeks.append(Week(day, weekly[day, "made"], weekly[day, "kept"], weekly[day, "broken"]))
            day += dt.timedelta(days=7)
    return PromisesReport(
        as_of,
        since,
        total,
        dict(sorted(by_collector.items())),
        dict(sorted(by_customer.items())),
        weeks,
    )
