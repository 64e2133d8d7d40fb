"""Column mappings: an accounting package's export read as it is, onto Tagih's import fields.

A mapping (a TOML file, or the inline `--map "No. Faktur=number,..."`) names which of the
export's own headers feeds which Tagih field, fixes values the export lacks (`currency`),
and says how its dates and numbers are written. One header may feed several fields (a
single mobile number column that is both the SMS and the WhatsApp number:
`"No. HP" = ["phone", "whatsapp"]`, inline `No. HP=phone+whatsapp`); a field is fed by
one header at most. The export is then read with Tagih's usual parsers: each date is
turned into ISO and each amount into plain digits first, so the checks (ranges, signs,
sizes) stay the ones of the plain layout, and errors still read `FILE:LINE: column:
reason`, naming the export's own column.

Exports of invoices often hold one row per invoice line. With `lines = "sum"` the rows
of one invoice (consecutive rows with the same number) become one invoice whose amount
is the sum of the lines (each `amount * quantity` when a quantity column is mapped);
with `lines = "first"` the invoice-level columns are repeated on every line and the
first row stands for the invoice.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from storage.csvfile import RowError
from storage.importers.base import Format, ImportKind, Parser
from storage.parsing import MAX_AMOUNT, FieldError

#: Fields read as dates and as amounts: the mapping's formats apply to them.
DATE_FIELDS = frozenset({"issue_date", "due_date", "paid_on"})
AMOUNT_FIELDS = frozenset({"amount", "balance"})
#: Fields a mapping may feed that are no column of Tagih's own layout (invoices only):
#: `quantity` multiplies the amount of a line, `due_days` sets the due date that many
#: days after the issue date (exports that carry payment terms instead of a due date).
DERIVED = {"quantity": "amount", "due_days": "due_date"}
LINES = ("sum", "first")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")
_TOP_KEYS = frozenset(
    {
        "kind",
        "source",
        "columns",
        "fixed",
        "dates",
        "decimal",
        "thousands",
        "skip_rows",
        "encoding",
        "delimiter",
        "lines",
        "ignore",
    }
)
_CENT = Decimal("0.01")


class MappingError(ValueError):
    """A mapping that cannot be used; the message names the file, line or key, and why."""


@dataclass(frozen=True)
class Mapping:
    """How one export's layout maps onto the fields of one kind of import."""

    source: str  # the mapping file's path, or "--map" for the inline form
    columns: dict[str, tuple[str, ...]]  # the export's header (as written) → Tagih fields
    fixed: dict[str, str] = field(default_factory=dict)  # Tagih field → text for every row
    dates: tuple[str, ...] = ()  # strptime formats, tried in order; empty: Tagih's own
    decimal: str | None = None  # the decimal mark; None: Tagih's own reading of amounts
    thousands: str = ""  # the thousands separator ("" for none)
    skip_rows: int = 0  # lines before the header row (titles, report dates)
    encoding: str = "utf-8"
    delimiter: str | None = None  # None: sniffed from the header line
    lines: str | None = None  # "sum" or "first": rows of one invoice are its lines
    ignore: frozenset[str] = frozenset()  # headers known and deliberately left out
    kind: ImportKind | None = None

    @property
    def fields(self) -> dict[str, str]:
        """Tagih field → the export header that feeds it."""
        return {name: header for header, names in self.columns.items() for name in names}

    def label(self, name: str) -> str:
        """How an error names `name`: the export's own header, or where its value comes from."""
        fields = self.fields
        if name in fields:
            return fields[name]
        if name in self.fixed:
            return f"{name} (fixed in {self.source})"
        for derived, target in DERIVED.items():
            if target == name and derived in fields:
                return fields[derived]
        return name

    def labels(self, names: set[str]) -> dict[str, str]:
        """`label` of each of `names` that differs from the name itself."""
        return {name: label for name in names if (label := self.label(name)) != name}

    def wrap(self, parsers: dict[str, Parser]) -> dict[str, Parser]:
        """`parsers`, each date and amount first read in the mapping's formats."""
        wrapped = dict(parsers)
        for name, parser in parsers.items():
            if name in DATE_FIELDS and self.dates:
                wrapped[name] = _then(self.iso_date, parser)
            elif name in AMOUNT_FIELDS and self.decimal is not None:
                wrapped[name] = _then(self.plain_amount, parser)
        return wrapped

    def iso_date(self, text: str) -> str:
        """`text`, a date in one of the mapping's formats, as `YYYY-MM-DD` (empty stays empty)."""
        text = text.strip()
        if not text:
            return text
        day = self.date(text)
        if day is None:
            shown = " or ".join(self.dates)
            raise FieldError(f"not a date as {shown}: {text!r} (dates in {self.source})")
        return day.isoformat()

    def date(self, text: str) -> dt.date | None:
        """`text` read with the first of the mapping's date formats that fits, or None."""
        for form in self.dates:
            try:
                return strpdate(text.strip(), form)
            except ValueError:
                continue
        return None

    def plain_amount(self, text: str) -> str:
        """`text`, an amount in the mapping's number format, as plain digits (`-1250000.5`)."""
        if not text.strip():
            return text
        return str(self.number(text))

    def number(self, text: str) -> Decimal:
        """An amount written with the mapping's decimal mark and thousands separator."""
        if self.decimal is None:
            from storage.parsing import parse_amount

            return parse_amount(text)
        return parse_number(text, self.decimal, self.thousands, self.source)

    def records(
        self,
        rows: Iterator[tuple[int, dict[str, str]]],
        key: str,
        error: Callable[[int, str, str], None],
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """The records of the file: fixed values added, lines of one invoice made one."""
        derived = self.fields.keys() & DERIVED.keys()
        group: list[tuple[int, dict[str, str]]] = []
        for line, texts in rows:
            if self.fixed:
                texts = texts | self.fixed
            if group and self.lines and texts.get(key) and texts.get(key) == group[0][1].get(key):
                group.append((line, texts))
                continue
            if group and (record := self._record(group, derived, error)) is not None:
                yield record
            group = [(line, texts)]
        if group and (record := self._record(group, derived, error)) is not None:
            yield record

    def _record(
        self,
        group: list[tuple[int, dict[str, str]]],
        derived: set[str],
        error: Callable[[int, str, str], None],
    ) -> tuple[int, dict[str, str]] | None:
        """One record from the rows of one invoice; None if a line's numbers do not read."""
        line, texts = group[0]
        if "due_days" in derived:
            texts = texts | {"due_date": self._due(line, texts, error)}
        if self.lines == "first" or ("quantity" not in derived and len(group) == 1):
            return line, texts
        total, bad = Decimal(0), False
        for at, row in group:
            try:
                amount = self.number(row.get("amount", ""))
                if "quantity" in derived:
                    amount = (amount * self._quantity(row["quantity"])).quantize(
                        _CENT, ROUND_HALF_UP
                    )
                total += amount
            except FieldError as exc:
                name = "quantity" if "not a quantity" in str(exc) else "amount"
                error(at, self.label(name), str(exc))
                bad = True
        if bad:
            return None
        mark = self.decimal or "."
        return line, texts | {"amount": str(total).replace(".", mark)}

    def _quantity(self, text: str) -> Decimal:
        try:
            return self.number(text)
        except FieldError:
            raise FieldError(f"not a quantity: {text.strip()!r}") from None

    def _due(self, line: int, texts: dict[str, str], error: Callable[[int, str, str], None]) -> str:
        """The due date `due_days` after the issue date, written as the issue date is."""
        days, issued = texts.get("due_days", "").strip(), texts.get("issue_date", "").strip()
        if not days.isdigit() or int(days) > 3660:
            error(line, self.label("due_days"), f"not a number of days: {days!r}")
            return ""
        day = self.date(issued) if self.dates else _iso(issued)
        if day is None:
            return ""  # the issue date's own error says why
        due = day + dt.timedelta(days=int(days))
        return due.strftime(self.dates[0]) if self.dates else due.isoformat()

    def resolve(self, header: list[str]) -> tuple[list[tuple[str, ...]], list[str]]:
        """The Tagih fields each column of `header` feeds (none: not imported) and the problems."""
        wanted = {name.strip().casefold(): name for name in self.columns}
        fields: list[tuple[str, ...]] = []
        for name in header:
            source = wanted.get(name.strip().casefold())
            fields.append(self.columns[source] if source is not None else ())
        problems = []
        present = {name.strip().casefold() for name in header}
        for name in self.columns:
            if name.strip().casefold() not in present:
                hint = did_you_mean(name, [h.strip() for h in header if h.strip()])
                problems.append(
                    f"column {name!r} of {self.source} is not in the file{hint}"
                    f" (the file's columns: {', '.join(h.strip() for h in header)})"
                )
        seen: dict[str, int] = {}
        for index, name in enumerate(header):
            key = name.strip().casefold()
            if key in wanted and key in seen:
                problems.append(f"column {name.strip()!r} appears twice")
            seen.setdefault(key, index)
        return fields, problems


def strpdate(text: str, form: str) -> dt.date:
    """`text` read as a date with the strptime format `form` (ValueError if it does not fit)."""
    return dt.datetime.strptime(text, form).replace(tzinfo=dt.UTC).date()


def _then(first: Callable[[str], str], parser: Parser) -> Parser:
    def parse(text: str) -> Any:
        return parser(first(text))

    return parse


def _iso(text: str) -> dt.date | None:
    from storage.parsing import parse_date

    try:
        return parse_date(text)
    except FieldError:
        return None


def did_you_mean(name: str, choices: list[str]) -> str:
    """`; did you mean 'X'?` for the closest of `choices` (case ignored), or empty."""
    folded = {choice.casefold(): choice for choice in choices}
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return f"; did you mean {folded[close[0]]!r}?" if close else ""


_SIGNS = re.compile(r"^(?:(?:rp\.?|idr)\s*)?(-)?(?:(?:rp\.?|idr)\s*)?(.*?)(?:,-|\.-)?$", re.I)


def parse_number(text: str, decimal: str, thousands: str, source: str = "the mapping") -> Decimal:
    """An amount written with a declared decimal mark and thousands separator.

    `decimal=","`, `thousands="."` reads `1.250.000,50`; the other way round reads
    `1,250,000.50`. Thousands must group by three; a mark of the other convention is an
    error, not a guess. A currency prefix (`Rp`, `IDR`) and a trailing `,-` are allowed;
    decimals past two must be zeros (`100.0000`).
    """
    shown = text.strip()
    if not shown:
        raise FieldError("required")
    match = _SIGNS.match(shown.replace("\u00a0", " "))
    sign, body = (match.group(1) or "", match.group(2).strip()) if match else ("", shown)
    if thousands == " ":
        body, thousands = body.replace(" ", ""), ""
    fmt = f"decimal {decimal!r}" + (f", thousands {thousands!r}" if thousands else "")
    reason = f"not an amount as {fmt}: {shown!r} (number format in {source})"
    integer, mark, fraction = body.partition(decimal)
    if not integer or (mark and not fraction):
        raise FieldError(reason)
    if thousands and thousands in integer:
        groups = integer.split(thousands)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise FieldError(reason)
        integer = "".join(groups)
    digits = integer + fraction
    if not digits.isdigit() or not digits.isascii():
        raise FieldError(reason)
    if len(fraction) > 2 and fraction[2:].strip("0"):
        raise FieldError(f"more than two decimals: {shown!r}")
    fraction = fraction[:2]
    amount = Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    if amount.copy_abs() >= MAX_AMOUNT:
        raise FieldError(f"too large: {shown[:40]!r} (at most {MAX_AMOUNT - _CENT})")
    return amount


def _line_of(text: str, key: str, section: str | None = None) -> int | None:
    """The line of `text` where `key` is set (inside `[section]` if given), for messages."""
    current: str | None = None
    pattern = re.compile(r"^\s*(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([A-Za-z0-9_-]+))\s*=")
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("["):
            current = stripped.strip("[] ")
            continue
        match = pattern.match(raw)
        if match and current == section:
            name = next(g for g in match.groups() if g is not None)
            if name == key:
                return number
    return None


class _Checker:
    """Collects what is wrong with a mapping, each located as `FILE:LINE: key: reason`."""

    def __init__(self, source: str, text: str) -> None:
        self.source, self.text = source, text
        self.problems: list[str] = []

    def fail(self, key: str, reason: str, section: str | None = None) -> None:
        line = _line_of(self.text, key, section) if self.text else None
        where = f"{self.source}:{line}:" if line else f"{self.source}:"
        label = f"[{section}] {key!r}" if section else key
        self.problems.append(f"{where} {label}: {reason}")


def fields_of(spec: Format, kind: ImportKind) -> frozenset[str]:
    """The fields a mapping may feed for `kind`."""
    names = spec.required | spec.optional
    return names | DERIVED.keys() if kind is ImportKind.INVOICES else names


def load(
    path: Path | None,
    kind: ImportKind,
    spec: Format,
    *,
    inline: str | None = None,
) -> Mapping:
    """Read and check the mapping in `path` (TOML) or `inline` for an import of `kind`.

    Raises `MappingError` listing every problem, each with the file, line and key.
    """
    if path is not None:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"{source}: cannot read the mapping: {exc}") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{source}: not valid TOML: {exc}") from None
    else:
        source, text = "--map", ""
        data = {"columns": parse_inline(inline or "")}
    return _build(data, source, text, kind, spec)


def parse_inline(text: str) -> dict[str, list[str]]:
    """`"No. Faktur=number,No. HP=phone+whatsapp"` as {header: [field, ...]}."""
    columns: dict[str, list[str]] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        header, sep, name = part.rpartition("=")
        if not sep or not header.strip():
            raise MappingError(
                f"--map: {part.strip()!r}: expected HEADER=field (e.g. 'No. Faktur=number')"
            )
        if header.strip() in columns:
            raise MappingError(f"--map: {header.strip()!r}: mapped twice")
        # `+` joins the fields one header feeds; no field name has one, headers may.
        columns[header.strip()] = [each.strip() for each in name.split("+")]
    if not columns:
        raise MappingError("--map: no columns (expected 'HEADER=field,HEADER=field')")
    return columns


def _build(data: dict[str, Any], source: str, text: str, kind: ImportKind, spec: Format) -> Mapping:
    """The mapping `data` describes, checked; MappingError lists every problem."""
    check = _Checker(source, text)
    for key in data.keys() - _TOP_KEYS:
        check.fail(key, f"unknown setting (known: {', '.join(sorted(_TOP_KEYS))})")
    declared = data.get("kind")
    if declared is not None and declared != kind.value:
        check.fail("kind", f"this mapping is for {declared!r}, not {kind.value}")
    allowed = fields_of(spec, kind)
    columns, by_field = _columns(check, data, kind, allowed)
    fixed = _fixed(check, data, spec, allowed, by_field)
    dates = _dates(check, data)
    decimal, thousands = _number_format(check, data)
    skip = data.get("skip_rows", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or not 0 <= skip <= 100:
        check.fail("skip_rows", "a whole number from 0 to 100")
        skip = 0
    encoding = data.get("encoding", "utf-8")
    if encoding not in ENCODINGS:
        check.fail("encoding", f"{encoding!r}: one of {', '.join(ENCODINGS)}")
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        check.fail("delimiter", 'one character, e.g. ";" or "\\t"')
    lines = data.get("lines")
    if lines is not None and lines not in LINES:
        check.fail("lines", f'{lines!r}: "sum" (line amounts add up) or "first"')
    if lines is not None and kind is not ImportKind.INVOICES:
        check.fail("lines", "only invoices have lines")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        check.fail("ignore", "a list of headers")
        ignore = []
    _check_coverage(check, by_field, fixed, kind, spec)
    if check.problems:
        raise MappingError("\n".join(check.problems))
    return Mapping(
        source,
        columns,
        fixed,
        dates,
        decimal,
        thousands,
        skip,
        encoding,
        delimiter,
        lines,
        frozenset(ignore),
        ImportKind(declared) if declared else None,
    )


def _columns(
    check: _Checker, data: dict[str, Any], kind: ImportKind, allowed: frozenset[str]
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """`[columns]` checked: {header: fields} and its inverse, {field: header}."""
    allowed_list = ", ".join(sorted(allowed))
    columns: dict[str, tuple[str, ...]] = {}
    raw_columns = data.get("columns", {})
    if not isinstance(raw_columns, dict):
        check.fail("columns", "must be a table of HEADER = field")
        raw_columns = {}
    by_field: dict[str, str] = {}
    for header, value in raw_columns.items():
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            reason = 'the field must be text, or a list of fields: ["phone", "whatsapp"]'
            check.fail(header, reason, "columns")
            continue
        if not names:
            check.fail(
                header,
                "an empty list feeds no field: name one or more, or leave the header out",
                "columns",
            )
            continue
        fed: list[str] = []
        for name in names:
            if name not in allowed:
                hint = did_you_mean(name, sorted(allowed))
                check.fail(
                    header,
                    f"unknown Tagih field {name!r} for {kind.value}{hint} (fields: {allowed_list})",
                    "columns",
                )
            elif name in fed:
                check.fail(header, f"{name!r} is listed twice", "columns")
            elif name in by_field:
                check.fail(
                    header, f"{name!r} is already fed by column {by_field[name]!r}", "columns"
                )
            else:
                by_field[name] = header
                fed.append(name)
        if fed:
            columns[header] = tuple(fed)
    return columns, by_field


def _fixed(
    check: _Checker,
    data: dict[str, Any],
    spec: Format,
    allowed: frozenset[str],
    by_field: dict[str, str],
) -> dict[str, str]:
    """`[fixed]` checked: {field: text}, for fields no column feeds."""
    allowed_list = ", ".join(sorted(allowed))
    fixed: dict[str, str] = {}
    raw_fixed = data.get("fixed", {})
    if not isinstance(raw_fixed, dict):
        check.fail("fixed", "must be a table of field = value")
        raw_fixed = {}
    for name, value in raw_fixed.items():
        if name not in spec.required | spec.optional:
            hint = did_you_mean(name, sorted(allowed))
            check.fail(name, f"unknown Tagih field{hint} (fields: {allowed_list})", "fixed")
        elif name in by_field:
            check.fail(name, f"also fed by column {by_field[name]!r}: choose one", "fixed")
        elif not isinstance(value, str | int | float):
            check.fail(name, "the value must be text or a number", "fixed")
        else:
            fixed[name] = str(value)
    return fixed


def _dates(check: _Checker, data: dict[str, Any]) -> tuple[str, ...]:
    """`dates` checked: the strptime formats, in order (one format may be given bare)."""
    dates = data.get("dates", ())
    if isinstance(dates, str):
        dates = (dates,)
    if not isinstance(dates, list | tuple) or not all(isinstance(d, str) for d in dates):
        check.fail("dates", 'must be a format or a list of formats, e.g. ["%d/%m/%Y"]')
        dates = ()
    for form in dates:
        if not _date_format_ok(form):
            check.fail("dates", f"{form!r} is no date format (e.g. %d/%m/%Y, %Y-%m-%d)")
    return tuple(dates)


def _number_format(check: _Checker, data: dict[str, Any]) -> tuple[str | None, str]:
    """`decimal` and `thousands` checked, alone and against each other."""
    decimal, thousands = data.get("decimal"), data.get("thousands", "")
    if decimal is not None and decimal not in (",", "."):
        check.fail("decimal", f'{decimal!r}: the decimal mark is "," or "."')
    if thousands not in ("", ".", ",", " ", "'"):
        check.fail("thousands", f'{thousands!r}: use ".", ",", " ", "\'" or "" (none)')
    elif decimal is not None and thousands == decimal:
        check.fail("thousands", "the same as the decimal mark")
    elif thousands and decimal is None:
        check.fail("thousands", 'needs the decimal mark too (decimal = "," or ".")')
    return decimal, thousands


def _check_coverage(
    check: _Checker,
    by_field: dict[str, str],
    fixed: dict[str, str],
    kind: ImportKind,
    spec: Format,
) -> None:
    """Fail derived fields without what they derive from, and required fields nothing feeds."""
    if "quantity" in by_field and "amount" not in by_field:
        check.fail("columns", "a quantity column needs an amount (unit price) column")
    if "due_days" in by_field and ("due_date" in by_field or "issue_date" not in by_field):
        check.fail("columns", "due_days needs issue_date and no due_date column")
    covered = by_field.keys() | fixed.keys() | {DERIVED[n] for n in by_field if n in DERIVED}
    if missing := sorted(spec.required - covered):
        check.fail(
            "columns", f"nothing feeds the required field(s) {', '.join(missing)} of {kind.value}"
        )


def _date_format_ok(form: str) -> bool:
    """True if `form` is a strptime format that writes and reads back a whole date."""
    if not {"%d", "%m", "%Y"} <= set(re.findall(r"%.", form)) and not {
        "%d",
        "%b",
        "%Y",
    } <= set(re.findall(r"%.", form)):
        return False
    sample = dt.date(2026, 3, 25)
    try:
        return strpdate(sample.strftime(form), form) == sample
    except ValueError:
        return False


def header_error(file: str, line: int, problems: list[str]) -> RowError:
    """The header's problems as one located error."""
    return RowError(file, line, "", "; ".join(problems))
