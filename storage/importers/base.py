"""What every kind of import shares: the report, the state of a run, and row helpers."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
from collections.abc import (
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import (
    ClauseElement,
    ColumnElement,
    Select,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import SQLModel

from storage.csvfile import RowError, looks_like_formula
from storage.enums import ImportKind as ImportKind  # re-exported: it was defined here
from storage.enums import InvoiceStatus, Role
from storage.models import Customer, Staff, table_of
from storage.parsing import NUL, DateRange, FieldError, optional, parse_required, parse_text

if TYPE_CHECKING:
    from storage.importers.full import Closed

BATCH_SIZE = 1000
#: How many customer ids an import remembers between batches (invoices name them again).
CACHED = 100_000
ZERO = Decimal(0)
#: How far back any imported date may lie: older is a typo (`0001-01-01`), not a receivable.
YEARS_BACK = 20

Parser = Callable[[str], Any]
#: The warning for a formula-like text cell (OWASP's CSV injection rule).
FORMULA_WARNING = (
    "looks like a spreadsheet formula (begins with {!r}); imported as text, "
    "neutralised in CSV exports"
)
_FORMULA_FIRST = frozenset("=+-@")
S = TypeVar("S")


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
    #: Cells imported as they are but worth a look: text a spreadsheet would run as a formula.
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    #: A full export (`full=True`): the open invoices it leaves out, closed or to be closed.
    full: bool = False
    closed: list[Closed] = field(default_factory=list)
    open_before: int = 0  # open invoices before the import, what the share is taken of
    #: A full export closing more than its share, not confirmed: refused, nothing written.
    needs_confirmation: bool = False
    #: The header is not Tagih's layout (unknown or missing columns) and no mapping was
    #: given: an accounting package's export, which `--detect` can propose a mapping for.
    foreign_layout: bool = False

    @property
    def ok(self) -> bool:
        """True when every row was valid and nothing refused (committed, unless a dry run)."""
        return not self.errors and not (self.needs_confirmation and not self.dry_run)


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
    apply: Callable[[AsyncConnection, Run, list[Row]], Awaitable[None]]
    # Rules between fields; it sees only the fields that parsed, and reports each broken rule.
    check: Callable[[Run, int, dict[str, Any]], bool] | None = None
    # Free-text columns (names, references, emails): a formula-like cell there is flagged.
    # Amounts, dates, phone numbers and chat ids start with `-` or `+` legitimately.
    texts: tuple[str, ...] = ()
    # Checks the references (customer, invoice, policy) of rows that had other problems, so
    # an operator learns of every fault of a row in one pass, not one fix at a time.
    refs: Callable[[AsyncConnection, Run, list[Row]], Awaitable[None]] | None = None
    # The table the rows are written to, keyed by `key`: a large import on SQLite builds
    # its secondary indexes once at the end (`storage.importers.bulk`).
    table: str | None = None


@dataclass(slots=True)
class Batch:
    """The next records of a file: the rows to apply and the rows with problems."""

    good: list[Row]
    bad: list[Row]  # only the fields that parsed: their references are still checked


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
    customers: dict[str, int] = field(default_factory=dict)  # code → id, up to `CACHED`
    statements: dict[str, Any] = field(default_factory=dict)
    #: Field → the column an error names: the export's own header under a column mapping.
    labels: dict[str, str] = field(default_factory=dict)

    def prepared(self, name: str, build: Callable[[], S]) -> S:
        """The statement `name`, built on first use and reused by every later batch."""
        if name not in self.statements:
            self.statements[name] = build()
        return cast(S, self.statements[name])

    def error(self, line: int, column: str, reason: str) -> None:
        """Report a problem with `column` of the record on `line`, once."""
        error = RowError(self.report.file, line, self.labels.get(column, column), reason)
        errors = self.report.errors
        # A mapped column feeding two fields (`["phone", "whatsapp"]`) fails both alike:
        # one bad cell is one problem, so the same line, column and reason are said once.
        for earlier in reversed(errors):
            if earlier.line != line:
                break
            if earlier == error:
                return
        errors.append(error)

    def parse(self, line: int, texts: dict[str, str]) -> tuple[Row, bool]:
        """Parse a record, reporting every problem it has; True with the row if it had none.

        Each field is parsed on its own, then the duplicate key and the rules between
        the fields that did parse are checked, so one pass lists all of a row's faults.
        """
        for column in self.spec.texts:
            if texts[column][:1] in _FORMULA_FIRST and looks_like_formula(texts[column]):
                self.report.warnings.append(
                    RowError(
                        self.report.file,
                        line,
                        self.labels.get(column, column),
                        FORMULA_WARNING.format(texts[column][0]),
                    )
                )
        fields = self._good(texts)
        if fields is None:
            fields = self._fields(line, texts)
        ok = len(fields) == len(self.parsers)
        key = texts[self.spec.key]
        if key and (first := self.seen.setdefault(key, line)) != line:
            self.error(line, self.spec.key, f"duplicate of line {first}")
            ok = False
        if self.spec.check is not None and not self.spec.check(self, line, fields):
            ok = False
        return Row(line, fields), ok

    def _good(self, texts: dict[str, str]) -> dict[str, Any] | None:
        """The fields of a record in one go, or None at its first problem (the common case)."""
        if NUL in "".join(texts.values()):
            return None
        try:
            return {column: parse(texts[column]) for column, parse in self.parsers.items()}
        except FieldError:
            return None

    def _fields(self, line: int, texts: dict[str, str]) -> dict[str, Any]:
        """The fields of a record that parse, each problem of the others reported."""
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
        return fields

    def take(self, records: Iterator[tuple[int, dict[str, str]]]) -> Batch | None:
        """Read and parse the next batch; None at the end of the file."""
        chunk = list(itertools.islice(records, BATCH_SIZE))
        if not chunk:
            return None
        batch = Batch([], [])
        for line, texts in chunk:
            row, ok = self.parse(line, texts)
            (batch.good if ok else batch.bad).append(row)
        return batch

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
    column_type = table_of(model).c[column].type
    assert isinstance(column_type, String) and column_type.length is not None
    return column_type.length


def text_field(model: type[SQLModel], column: str, *, required: bool = False) -> Parser:
    """A parser for text that fits `model.column`; empty is an error if `required`."""
    return partial(parse_required if required else parse_text, max_length=width(model, column))


def name_field(model: type[SQLModel], column: str) -> Parser:
    """A reference by name or code: empty reads as None."""
    return optional(text_field(model, column))


def differs(current: Mapping[str, Any], values: dict[str, Any], keep: frozenset[str]) -> bool:
    """True if any of `values` differs from the stored row, except columns the file left out."""
    return any(
        current[attr] != value
        for attr, value in values.items()
        if attr.removesuffix("_id") not in keep
    )


def merged(
    current: Mapping[str, Any], values: dict[str, Any], keep: frozenset[str]
) -> dict[str, Any]:
    """`values`, with the stored value of each column the file left out."""
    return {
        attr: current[attr] if attr.removesuffix("_id") in keep else value
        for attr, value in values.items()
    }


def defaults(model: type[SQLModel]) -> dict[str, Any]:
    """The model's field defaults, evaluated now: bulk inserts bypass the model's constructor."""
    fields = model.model_fields.items()
    return {
        name: info.get_default(call_default_factory=True)
        for name, info in fields
        if not info.is_required() and name != "id"
    }


Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Batched:
    """A set-based write compiled once for a connection's dialect, then run on whole batches.

    On SQLite it is one executemany; on PostgreSQL one statement whose per-row values
    come as one array per column, unnested on the server (an executemany there still costs
    a statement execution per row). Either way the rows reach the driver as plain values:
    `Connection.execute(statement, rows)` would build and type-process a dictionary per row,
    which costs more than the database's own work. Here each column's bind processor (the
    one SQLAlchemy itself would call) is looked up once, and values every row shares are
    processed once.
    """

    sql: str
    names: tuple[str, ...]  # the parameters in positional order
    processors: tuple[Processor | None, ...]
    columnar: bool  # one array per column (PostgreSQL), or one tuple per row

    @classmethod
    def build(
        cls,
        conn: AsyncConnection,
        table: Table,
        columns: Sequence[str],
        shared: Sequence[str],
        make: Callable[[dict[str, ColumnElement[Any]]], ClauseElement],
    ) -> Batched:
        """Compile `make(values)`: `values` holds an expression for each column's value.

        `columns` differ from row to row, `shared` are the same for a whole batch.
        """
        dialect = conn.dialect
        columnar = dialect.name == "postgresql"
        types = {name: table.c[name].type for name in (*columns, *shared)}
        values: dict[str, ColumnElement[Any]]
        if columnar:
            arrays = (bindparam(f"v_{n}", type_=postgresql.ARRAY(types[n])) for n in columns)
            source = func.unnest(*arrays).table_valued(*columns).render_derived()
            values = {name: source.c[name] for name in columns}
        else:
            values = {name: bindparam(f"v_{name}", type_=types[name]) for name in columns}
        values |= {name: bindparam(f"v_{name}", type_=types[name]) for name in shared}
        compiled = make(values).compile(dialect=dialect, for_executemany=True)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        names = tuple(name.removeprefix("v_") for name in compiled.positiontup)
        processors = tuple(types[n].dialect_impl(dialect).bind_processor(dialect) for n in names)
        return cls(compiled.string, names, processors, columnar)

    async def run(
        self, conn: AsyncConnection, rows: list[dict[str, Any]], shared: Mapping[str, Any]
    ) -> None:
        """Write `rows` (each with a value for every column) with the `shared` values."""
        if not rows:
            return
        if self.columnar:
            params: list[Any] = []
            for name, process in zip(self.names, self.processors, strict=True):
                if name in shared:
                    params.append(shared[name] if process is None else process(shared[name]))
                else:
                    values = [row[name] for row in rows]
                    params.append(values if process is None else [process(v) for v in values])
            await conn.exec_driver_sql(self.sql, tuple(params))
            return
        fixed: dict[str, Any] = {}
        convert: list[tuple[int, Processor]] = []
        for index, (name, process) in enumerate(zip(self.names, self.processors, strict=True)):
            if name in shared:
                fixed[name] = shared[name] if process is None else process(shared[name])
            elif process is not None:
                convert.append((index, process))
        pick = itemgetter(*self.names)
        single = len(self.names) == 1
        tuples: list[tuple[Any, ...]] = []
        for row in rows:
            picked = pick(row | fixed)
            if convert:
                picked = [picked] if single else list(picked)
                for index, process in convert:
                    picked[index] = process(picked[index])
                tuples.append(tuple(picked))
            else:
                tuples.append((picked,) if single else picked)
        await conn.exec_driver_sql(self.sql, tuples)


def inserting(
    conn: AsyncConnection,
    table: Table,
    columns: Sequence[str],
    shared: Sequence[str],
    *,
    key: str | None = None,
    update: Iterable[str] = (),
    keep: frozenset[str] = frozenset(),
) -> Batched:
    """`INSERT` of batches of rows; with a `key`, `… ON CONFLICT (key) DO UPDATE` of `update`.

    The update leaves alone the columns the file left out (`keep`).
    """
    postgres = conn.dialect.name == "postgresql"

    def make(values: dict[str, ColumnElement[Any]]) -> ClauseElement:
        statement = (
            postgresql.insert(table).from_select(list(values), select(*values.values()))
            if postgres
            else sqlite.insert(table).values(values)
        )
        if key is None:
            return statement
        changing = [name for name in update if name.removesuffix("_id") not in keep]
        excluded = statement.excluded
        return statement.on_conflict_do_update(
            index_elements=[key], set_={name: excluded[name] for name in changing}
        )

    return Batched.build(conn, table, columns, shared, make)


@dataclass(frozen=True, slots=True)
class Upsert:
    """Writes a batch's new rows and changed rows, keyed by a unique column.

    On PostgreSQL one `INSERT … ON CONFLICT (key) DO UPDATE` writes both, so a row another
    transaction inserted since the lookup is updated, not doubled. On SQLite the import
    holds the only write lock (`BEGIN IMMEDIATE`), so a key the lookup did not find is
    still free: new rows take a plain `INSERT`, because with an upsert clause SQLite also
    scans every child table's foreign keys for each new row, which doubled the cost.
    """

    upsert: Batched
    insert: Batched | None

    @classmethod
    def build(
        cls,
        conn: AsyncConnection,
        table: Table,
        key: str,
        columns: Sequence[str],
        shared: Sequence[str],
        *,
        update: Iterable[str],
        keep: frozenset[str],
    ) -> Upsert:
        """The statements for `table`: `update` columns change on a conflict, except `keep`."""
        names = (key, *columns)
        upsert = inserting(conn, table, names, shared, key=key, update=update, keep=keep)
        plain = None if upsert.columnar else inserting(conn, table, names, shared)
        return cls(upsert, plain)

    async def run(
        self,
        conn: AsyncConnection,
        new: list[dict[str, Any]],
        changed: list[dict[str, Any]],
        shared: Mapping[str, Any],
    ) -> None:
        """Insert `new` rows and update `changed` ones (both with every column's value)."""
        if self.insert is None:
            await self.upsert.run(conn, new + changed, shared)
        else:
            await self.insert.run(conn, new, shared)
            await self.upsert.run(conn, changed, shared)


def updating(
    conn: AsyncConnection, table: Table, key: str, columns: Sequence[str], shared: Sequence[str]
) -> Batched:
    """`UPDATE table SET columns WHERE key = …` of batches of rows (each with its `key`)."""

    def make(values: dict[str, ColumnElement[Any]]) -> ClauseElement:
        changes = {name: values[name] for name in (*columns, *shared)}
        return update(table).where(table.c[key] == values[key]).values(changes)

    return Batched.build(conn, table, (key, *columns), shared, make)


def among(
    conn: AsyncConnection, column: ColumnElement[Any], keys: Collection[Any]
) -> ColumnElement[bool]:
    """`column IN keys`, the keys sent as one parameter (see `keys_in`)."""
    return keys_in(conn.dialect.name, column).params(keys=keys_param(conn, keys))


def keys_in(dialect: str, column: ColumnElement[Any]) -> ColumnElement[bool]:
    """`column IN :keys` with all the keys in one parameter: an array, or a JSON list on SQLite.

    One parameter keeps the statement the same whatever the number of keys (so it is
    compiled once) and spares building and binding a thousand placeholders per batch.
    """
    if dialect == "postgresql":
        return column == any_(bindparam("keys", type_=postgresql.ARRAY(column.type)))
    values = func.json_each(bindparam("keys", type_=String)).table_valued("value")
    return column.in_(select(values.c.value))


def keys_param(conn: AsyncConnection, keys: Collection[Any]) -> Any:
    """The value of the `:keys` parameter of `keys_in`."""
    return list(keys) if conn.dialect.name == "postgresql" else json.dumps(list(keys))


@functools.cache
def _lookup(dialect: str, table: Table, key: str, columns: tuple[str, ...]) -> Select[Any]:
    names = (key, *columns)
    return select(*(table.c[name] for name in names)).where(keys_in(dialect, table.c[key]))


async def fetch(
    conn: AsyncConnection, table: Table, key: str, keys: Collection[Any], *columns: str
) -> dict[Any, dict[str, Any]]:
    """The stored `columns` of the rows whose `key` is one of `keys`, by key (one query)."""
    if not keys:
        return {}
    names = (key, *columns)
    query = _lookup(conn.dialect.name, table, key, columns)
    result = await conn.execute(query, {"keys": keys_param(conn, keys)})
    return {row[0]: dict(zip(names, row, strict=True)) for row in result}


PAID, OPEN = InvoiceStatus.PAID.value, InvoiceStatus.OPEN.value
_KEPT_STATUSES = frozenset({InvoiceStatus.DISPUTED.value, InvoiceStatus.WRITTEN_OFF.value})


def invoice_status(current: str, balance: Decimal) -> str:
    """Paid at zero; otherwise open, unless a person marked it disputed or written off."""
    if balance == 0:
        return PAID
    if current in _KEPT_STATUSES:
        return current
    return OPEN


async def resolve_customers(conn: AsyncConnection, run: Run, codes: set[str]) -> None:
    """Fill `run.customers` for `codes` (those that exist), forgetting others past `CACHED`."""
    if missing := codes - run.customers.keys():
        found = await fetch(conn, table_of(Customer), "code", missing, "id")
        if len(run.customers) + len(found) > CACHED:
            run.customers.clear()
        run.customers.update({code: customer["id"] for code, customer in found.items()})


async def resolve_staff(conn: AsyncConnection, run: Run, wanted: dict[str, Role]) -> None:
    """Fill `run.staff` for the names in `wanted`, creating missing staff with the given role."""
    missing = [name for name in wanted if name not in run.staff]
    if not missing:
        return
    staff = table_of(Staff)
    run.staff.update(
        {name: row["id"] for name, row in (await fetch(conn, staff, "name", missing, "id")).items()}
    )
    if new := [name for name in missing if name not in run.staff]:
        fresh = defaults(Staff)
        await conn.execute(
            insert(staff), [fresh | {"name": name, "role": wanted[name].value} for name in new]
        )
        run.staff.update(
            {name: row["id"] for name, row in (await fetch(conn, staff, "name", new, "id")).items()}
        )


def staff_wanted(rows: list[Row], *columns: tuple[str, Role]) -> dict[str, Role]:
    """The staff names `rows` mention in `columns`, each with the role a new one would get."""
    return {row.fields[c]: role for row in rows for c, role in columns if row.fields[c]}
