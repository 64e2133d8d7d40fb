"""What a demo run did, counted from the database: the summary and the HTML report."""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import not_, or_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.staff.charts import aging_chart, promises_chart, sales_chart, save
from storage.enums import Direction, PromiseStatus
from storage.models import Case, Invoice, Message, Payment, Promise
from storage.queries.payments import MANUAL
from storage.reports import (
    AgingReport,
    PromisesReport,
    ReportName,
    ReportOptions,
    SalesReport,
    build_report,
    dso_report,
)

#: The period DSO looks back over: a year, since the demo's ledger reaches back four months.
DSO_DAYS = 365
#: The charts of the report, by file name: what `tagih report NAME --png` draws.
CHARTS = {
    "aging.png": "Receivables aging at the end",
    "sales.png": "Late receivables per salesperson",
    "promises.png": "Promises to pay: made, kept, broken",
}


@dataclass(frozen=True)
class Summary:
    """The figures of one run; equal for equal seeds."""

    seed: int
    days: int
    customers: int
    start: dt.date
    end: dt.date
    #: Messages sent to customers, per channel (reminders and chat answers).
    messages: dict[str, int]
    replies: int
    #: Alerts and digests that reached the staff.
    staff_messages: int
    promises: dict[str, int]
    cases: dict[str, int]
    open_cases: int
    collected: dict[str, Decimal]
    dso_start: dict[str, str]
    dso_end: dict[str, str]
    #: Simulated customers per behaviour.
    behaviours: dict[str, int]

    def lines(self) -> list[str]:
        """The summary as printed, one figure a line."""
        per = ", ".join(f"{k} {v}" for k, v in sorted(self.messages.items())) or "none"
        p = self.promises
        cases = ", ".join(f"{k} {v}" for k, v in sorted(self.cases.items())) or "none"
        money = ", ".join(f"{c} {v:,.0f}" for c, v in sorted(self.collected.items())) or "0"

        def dso(values: dict[str, str]) -> str:
            return ", ".join(f"{c} {v} days" for c, v in sorted(values.items())) or "-"

        return [
            f"Tagih demo: seed {self.seed}, {self.customers} customers "
            f"({sum(self.behaviours.values())} owing), {self.days} days "
            f"({self.start} to {self.end})",
            f"messages sent: {sum(self.messages.values())} ({per})",
            f"replies received: {self.replies}",
            f"alerts and digests to staff: {self.staff_messages}",
            f"promises: made {p['made']}, kept {p['kept']}, broken {p['broken']}, open {p['open']}",
            f"cases: {sum(self.cases.values())} ({cases}); {self.open_cases} still open",
            f"collected: {money}",
            f"DSO at start: {dso(self.dso_start)}",
            f"DSO at end: {dso(self.dso_end)}",
            "owing customers: "
            + ", ".join(f"{k}: {v}" for k, v in sorted(self.behaviours.items())),
        ]


async def dso_by_currency(session: AsyncSession, day: dt.date, currency: str) -> dict[str, str]:
    """Countback DSO per currency as of `day`, in days to one decimal ("more than" when the
    receivables outlast the year looked back over)."""
    reports = await dso_report(session, as_of=day, days=DSO_DAYS, default_currency=currency)
    return {r.currency: f"more than {r.days}" if r.capped else str(r.rounded) for r in reports}


async def _message_counts(session: AsyncSession) -> tuple[dict[str, int], int, int]:
    """Messages sent to customers by channel, replies received, messages to staff."""
    # Alerts and digests are logged as messages too (about a customer, to a colleague).
    staff = or_(
        col(Message.template).startswith("alert:"), col(Message.template).startswith("digest:")
    )
    sent = await session.exec(
        select(Message.channel, func.count())
        .where(
            Message.direction == Direction.OUTBOUND,
            col(Message.customer_id).is_not(None),
            or_(col(Message.template).is_(None), not_(staff)),
        )
        .group_by(col(Message.channel))
    )
    messages = dict(sent.all())
    replies = await session.exec(
        select(func.count()).select_from(Message).where(Message.direction == Direction.INBOUND)
    )
    replied = replies.one()
    to_staff = await session.exec(
        select(func.count())
        .select_from(Message)
        .where(Message.direction == Direction.OUTBOUND, staff)
    )
    return messages, replied, to_staff.one()


async def summarise(
    session: AsyncSession,
    *,
    seed: int,
    days: int,
    customers: int,
    start: dt.date,
    dso_start: dict[str, str],
    behaviours: Counter[str],
    currency: str,
) -> Summary:
    """Count what the run did."""
    messages, replies, to_staff = await _message_counts(session)
    statuses = dict(
        (
            await session.exec(select(Promise.status, func.count()).group_by(col(Promise.status)))
        ).all()
    )
    kinds = await session.exec(select(Case.kind, func.count()).group_by(col(Case.kind)))
    still = await session.exec(select(func.count()).select_from(Case).where(Case.status == "open"))
    paid = await session.exec(
        select(Invoice.currency, func.sum(Payment.amount))
        .join(Invoice, col(Invoice.id) == col(Payment.invoice_id))
        .where(Payment.source == MANUAL)  # recorded during the run, not the imported history
        .group_by(col(Invoice.currency))
    )
    end = start + dt.timedelta(days=days - 1)
    return Summary(
        seed=seed,
        days=days,
        customers=customers,
        start=start,
        end=end,
        messages=messages,
        replies=replies,
        staff_messages=to_staff,
        promises={
            "made": sum(statuses.values()),
            **{s.value: statuses.get(s, 0) for s in PromiseStatus},
        },
        cases=dict(kinds.all()),
        open_cases=still.one(),
        collected={c: Decimal(a) for c, a in paid.all() if a},
        dso_start=dso_start,
        dso_end=await dso_by_currency(session, end, currency),
        behaviours=dict(behaviours),
    )


async def write_report(
    session: AsyncSession, summary: Summary, out: Path, *, options: ReportOptions
) -> Path:
    """Draw the charts into `out` (which exists) and write `out/index.html`; its path."""
    aging = (await build_report(session, ReportName.AGING, options))[0]
    sales = (await build_report(session, ReportName.SALES, options))[0]
    promises = (await build_report(session, ReportName.PROMISES, options))[0]
    assert isinstance(aging, AgingReport) and isinstance(sales, SalesReport)
    assert isinstance(promises, PromisesReport)
    save(aging_chart(aging), out / "aging.png")
    save(sales_chart(sales), out / "sales.png")
    save(promises_chart(promises), out / "promises.png")
    figures = "\n".join(f"<li>{html.escape(line)}</li>" for line in summary.lines()[1:])
    charts = "\n".join(
        f'<figure><img src="{name}" alt="{html.escape(title)}" width="432">'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
        for name, title in CHARTS.items()
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Tagih demo report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 1.5em; }}
figure {{ margin: 0; }} figcaption {{ text-align: center; color: #555; }}
</style></head>
<body>
<h1>Tagih demo report</h1>
<p>{html.escape(summary.lines()[0])}</p>
<ul>
{figures}
</ul>
<div class="charts">
{charts}
</div>
</body></html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
