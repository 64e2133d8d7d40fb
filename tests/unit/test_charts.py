"""Charts: valid phone-sized PNGs for aging, salespeople and promises; Rupiah in short words."""

from __future__ import annotations

import datetime as dt
import struct
from decimal import Decimal
from pathlib import Path

import pytest

from bot.staff.charts import aging_chart, promises_chart, sales_chart, save, short_money
from storage.reports import AgingLine, PromisesReport, aging_of, rank_lines
from storage.reports.common import CustomerFact, InvoiceFact
from storage.reports.promises import PromiseCounts, Week
from storage.reports.sales import SalesReport

AS_OF = dt.date(2026, 3, 31)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature."""
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert len(data) > 5_000  # a real drawing, not an empty canvas
    return width, height


def fact(code: str, number: str, due: dt.date, amount: int) -> InvoiceFact:
    customer = CustomerFact(0, code, f"PT Pelanggan Nomor {code}", "retail", "Budi", "Sari")
    return InvoiceFact(
        number=number,
        customer=customer,
        salesperson="Budi",
        item="Semen",
        currency="IDR",
        amount=Decimal(amount),
        issue_date=due - dt.timedelta(days=30),
        due_date=due,
        status="open",
        balance=Decimal(amount),
        last_paid_on=None,
    )


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (5_000_000, "IDR", "Rp 5 jt"),
        (23_200_000, "IDR", "Rp 23,2 jt"),
        (150_000_000, "IDR", "Rp 150 jt"),
        (1_500_000_000, "IDR", "Rp 1,5 M"),
        (750_000, "IDR", "Rp 750 rb"),
        (500, "IDR", "Rp 500"),
        (0, "IDR", "Rp 0"),
        (-2_500_000, "IDR", "-Rp 2,5 jt"),
        (3050.5, "USD", "$3.1K"),
    ],
)
def test_short_money(amount: float, currency: str, text: str) -> None:
    assert short_money(amount, currency) == text


def test_aging_chart(tmp_path: Path) -> None:
    # 12 customers: the 8 largest get a bar each, the other 4 share one.
    facts = [
        fact(f"C{i:03}", f"INV-{i}-{k}", AS_OF - dt.timedelta(days=40 * k - 10), 1_000_000 * i)
        for i in range(1, 13)
        for k in range(4)
    ]
    report = aging_of(facts, as_of=AS_OF, currency="IDR")
    chart = aging_chart(report, top=8)
    assert png_size(chart) == (1080, 1350)
    # Drawn in memory; written only where a caller asks (its folder made when missing).
    path = save(chart, tmp_path / "charts" / "aging.png")
    assert path == tmp_path / "charts" / "aging.png" and path.read_bytes() == chart


def test_sales_chart() -> None:
    lines = []
    for name, current, late in (("Ana", 9, 1), ("Budi", 6, 14), ("Citra", 32, 0)):
        line = AgingLine(name)
        line.buckets["current"] += Decimal(current * 1_000_000)
        line.buckets["90+"] += Decimal(late * 1_000_000)
        lines.append(line)
    total = AgingLine("TOTAL")
    report = SalesReport(AS_OF, "IDR", total, rank_lines(lines))
    assert png_size(sales_chart(report)) == (1080, 1350)


def test_promises_chart() -> None:
    monday = dt.date(2026, 2, 9)
    weeks = [
        Week(monday + dt.timedelta(weeks=i), made=i % 4 + 1, kept=i % 3, broken=i % 2)
        for i in range(8)
    ]
    report = PromisesReport(AS_OF, None, PromiseCounts(), {}, {}, weeks)
    assert png_size(promises_chart(report)) == (1080, 1350)


def test_empty_charts_still_draw() -> None:
    empty = aging_of([], as_of=AS_OF, currency="USD")
    width, height = png_size(aging_chart(empty))
    assert (width, height) == (1080, 1350)
    nothing = PromisesReport(AS_OF, None, PromiseCounts(), {}, {}, [])
    assert png_size(promises_chart(nothing)) == (1080, 1350)
