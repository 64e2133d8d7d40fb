"""What every kind of import shares: the report, the state of a run, and row helpers."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import String
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.csvfile import RowError
from storage.enums import InvoiceStatus, Role
from storage.models import Staff
from storage.parsing import NUL, DateRange, FieldError, optional, parse_required, parse_text

BATCH_SIZE = 1000
ZERO = Decimal(0)
#: How far back any imported date may lie: older is a typo (`0001-01-01`), not a receivable.
YEARS_BACK = 20

Parser = Callable[[str], Any]


class ImportKind(StrEnum):
    """What a CSV file holds."""

    CUSTOMERS = "customers"
    INVOICES = "invoices"
    PAYMENTS = "payments"


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or with errors, would have done)."""

    kind: ImportKind
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when every row was valid (and, unless a dry run, the import was committed)."""
        return not self.errors


@dataclass(frozen=True)
class Context:
    """What the operator supplies around a file: default currency, language, zone, and today.

    `today` is the business day the import is judged on (dates are checked against it);
    it is passed in, never read from a clock here.
    """

    currency: str
    language: str
    timezone: str
    today: dt.date

    def dates(self, *, years_ahead: int = 0, days_ahead: int = 0) -> DateRange:
        """The dates a column accepts: `YEARS_BACK` years back to the given distance ahead."""
        return DateRange.around(
            self.today, years_back=YEARS_BACK, years_ahead=years_ahead, days_ahead=days_ahead
        )


@dataclass(slots=True)
class Row:
    """One parsed record and the line it starts on."""

    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Format:
    """The columns of one kind of file and how its rows are parsed, checked and applied."""

    key: str
    required: frozenset[str]
    optional: frozenset[str]  # when absent from the header, existing values are kept
    parsers: Callable[[Context], dict[str, Parser]]
    apply: Callable[[AsyncSession, Run, list[Row]], Awaitable[None]]
    # Rules between fields; it sees only the fields that parsed, and reports each broken rule.
    check: Callable[[Run, int, dict[str, Any]], bool] | None = None


@dataclass
class Run:
    """The state of one import: report, parsers, keys seen and names already resolved."""

    report: ImportReport
    spec: Format
    parsers: dict[str, Parser]
    keep: frozenset[str]  # optional columns absent from the file: existing values stay
    seen: dict[str, int] = field(default_factory=dict)
    staff: dict[str, int] = field(default_factory=dict)
    policies: dict[str, int] = field(default_factory=dict)

    def error(self, line: int, column: str, reason: str) -> None:
        """Report a problem with `column` of the record on `line`."""
        self.report.errors.append(RowError(self.report.file, line, column, reason))

    def parse(self, line: int, texts: dict[str, str]) -> Row | None:
        """Parse a record, reporting every problem it has; None if it had any.

        Each field is parsed on its own, then the duplicate key and the rules between
        the fields that did parse are checked, so one pass lists all of a row's faults.
        """
        fields: dict[str, Any] = {}
        for column, parser in self.parsers.items():
            text = texts[column]
            if NUL in text:  # PostgreSQL refuses it in text; no parser need see it
                self.error(line, column, "contains a NUL character")
                continue
            try:
                fields[column] = parser(text)
            except FieldError as exc:
                self.error(line, column, str(exc))
        ok = len(fields) == len(self.parsers)
        key = texts[self.spec.key]
        if key and (first := self.seen.setdefault(key, line)) != line:
            self.error(line, self.spec.key, f"duplicate of line {first}")
            ok = False
        if self.spec.check is not None and not self.spec.check(self, line, fields):
            ok = False
        return Row(line, fields) if ok else None

    def take(self, records: Iterator[tuple[int, dict[str, str]]]) -> list[Row] | None:
        """Read and parse the next batch; None at the end of the file."""
        chunk = list(itertools.islice(records, BATCH_SIZE))
        if not chunk:
            return None
        return [row for line, texts in chunk if (row := self.parse(line, texts)) is not None]

    def count(self, *, created: bool = False, changed: bool = False) -> None:
        """Count one applied row as created, updated (`changed`) or unchanged."""
        if created:
            self.report.created += 1
        elif changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1


def width(model: type[SQLModel], column: str) -> int:
    """The declared length of a text column, so parsers refuse what the database would."""
    column_type = model.metadata.tables[str(model.__tablename__)].c[column].type
    assert isinstance(column_type, String) and column_type.length is not None
    return column_type.length


def text_field(model: type[SQLModel], column: str, *, required: bool = False) -> Parser:
    """A parser for text that fits `model.column`; empty is an error if `required`."""
    return partial(parse_required if required else parse_text, max_length=width(model, column))


def name_field(model: type[SQLModel], column: str) -> Parser:
    """A reference by name or code: empty reads as None."""
    return optional(text_field(model, column))


def assign(record: SQLModel, values: dict[str, Any], keep: frozenset[str]) -> bool:
    """Copy `values` onto `record`, except columns the file left out; True if any differed."""
    changed = False
    for attr, value in values.items():
        if attr.removesuffix("_id") not in keep and getattr(record, attr) != value:
            setattr(record, attr, value)
            changed = True
    return changed


def defaults(model: type[SQLModel]) -> dict[str, Any]:
    """The model's field defaults, evaluated now: bulk inserts bypass the model's constructor."""
    fields = model.model_fields.items()
    return {
        name: info.get_default(call_default_factory=True)
        for name, info in fields
        if not info.is_required() and name != "id"
    }


def invoice_status(current: str, balance: Decimal) -> str:
    """Paid at zero; otherwise open, unless a person marked it disputed or written off."""
    if balance == 0:
        return InvoiceStatus.PAID.value
    if current in (InvoiceStatus.DISPUTED, InvoiceStatus.WRITTEN_OFF):
        return current
    return InvoiceStatus.OPEN.value


async def resolve_staff(session: AsyncSession, run: Run, wanted: dict[str, Role]) -> None:
    """Fill `run.staff` for the names in `wanted`, creating missing staff with the given role."""
    missing = [name for name in wanted if name not in run.staff]
    if not missing:
        return
    query = select(Staff.name, Staff.id).where(col(Staff.name).in_(missing))
    run.staff.update({name: id_ for name, id_ in await session.exec(query) if id_ is not None})
    new = [Staff(name=name, role=wanted[name]) for name in missing if name not in run.staff]
    session.add_all(new)
    await session.flush()
    run.staff.update({staff.name: staff.id for staff in new if staff.id is not None})


def staff_wanted(rows: list[Row], *columns: tuple[str, Role]) -> dict[str, Role]:
    """The staff names `rows` mention in `columns`, each with the role a new one would get."""
    return {row.fields[c]: role for row in rows for c, role in columns if row.fields[c]}
