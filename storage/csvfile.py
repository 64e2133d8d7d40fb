"""Reading imported CSV files: BOM, delimiter sniffing, header checks, line-numbered errors."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from storage.importers.mapping import Mapping


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in an imported file, located like a compiler error."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        """`FILE:LINE: column: reason` (the column is left out for whole-row problems)."""
        where = f"{self.file}:{self.line}:"
        return f"{where} {self.column}: {self.reason}" if self.column else f"{where} {self.reason}"


class CsvReader:
    """The records of a CSV file as `(line, {column: text})`, read incrementally.

    Accepts a UTF-8 BOM and `;` as the delimiter (what Excel writes in locales,
    Indonesia's among them, whose decimal mark is a comma). Problems with the
    framing (header, field counts, encoding) land in `errors`; blank rows are skipped.
    """

    def __init__(
        self,
        handle: BinaryIO,
        file: str,
        columns: Iterable[str],
        required: Iterable[str],
        *,
        mapping: Mapping | None = None,
        key: str = "",
    ) -> None:
        """Read the header of `handle`; `columns` are allowed, `required` must be present.

        With a `mapping` the file is read in the export's own layout (`storage.importers.mapping`):
        its encoding, the rows it skips, its headers mapped onto `columns`; `key` is the column
        that joins the lines of one record.
        """
        self.file = file
        self.columns = tuple(columns)
        self.errors: list[RowError] = []
        self.mapping = mapping
        self._key = key
        self._offset = mapping.skip_rows if mapping is not None else 0
        lines = self._lines(handle)
        for _ in range(self._offset):
            next(lines, "")
        first = next(lines, "")
        # Sniff on the header only: it holds no amounts, so its commas are never decimal marks.
        delimiter = (mapping.delimiter if mapping is not None else None) or max(
            (",", ";", "\t"), key=first.count
        )
        self._reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
        #: The header row (None if refused): Tagih's column names, or under a mapping the
        #: export's own headers, each column then feeding the fields in `_fed`.
        self.header: list[str] | None
        self._fed: list[tuple[str, ...]] | None = None
        #: The header refused for not being Tagih's layout (unknown or missing columns),
        #: as an accounting package's export is: a column mapping would read it.
        self.foreign_layout = False
        if mapping is None:
            self.header = self._read_header(set(required))
            self.present = frozenset(self.header or ())
        else:
            self.header, self._fed = self._read_mapped_header(mapping) or (None, None)
            fed = {name for names in self._fed or () for name in names}
            self.present = frozenset(
                {*fed, *mapping.fixed}
                | ({"amount"} if "quantity" in fed else set())
                | ({"due_date"} if "due_days" in fed else set())
            )
        self.rows = 0

    def _lines(self, handle: BinaryIO) -> Iterator[str]:
        encoding = self.mapping.encoding if self.mapping is not None else "utf-8"
        if encoding not in ("utf-8", "utf-8-sig"):
            text = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")
            number = 0
            try:
                for number, line in enumerate(text, 1):  # noqa: B007 (reported below)
                    yield line
            except UnicodeDecodeError:
                self._error(number + 1, "", f"not {encoding} text (as the mapping says)")
            finally:
                text.detach()
            return
        for number, raw in enumerate(handle, 1):
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self._error(number, "", "not UTF-8 text (save the file as CSV UTF-8)")
                yield raw.decode("utf-8", "replace")

    def _error(self, line: int, column: str, reason: str) -> None:
        self.errors.append(RowError(self.file, line, column, reason))

    def _read_mapped_header(
        self, mapping: Mapping
    ) -> tuple[list[str], list[tuple[str, ...]]] | None:
        """The export's header and the fields each column feeds, checked against the mapping."""
        try:
            header = next(self._reader, [])
        except csv.Error as exc:
            self._error(self._offset + self._reader.line_num, "", f"malformed CSV: {exc}")
            return None
        line = self._offset + max(self._reader.line_num, 1)
        if not any(name.strip() for name in header):
            self._error(line, "", f"no header row (expected the columns of {mapping.source})")
            return None
        fed, problems = mapping.resolve(header)
        if problems:
            self._error(line, "", "; ".join(problems))
            return None
        return [name.strip() for name in header], fed

    def _read_header(self, required: set[str]) -> list[str] | None:
        try:
            header = [name.strip().lower() for name in next(self._reader, [])]
        except csv.Error as exc:
            self._error(self._reader.line_num, "", f"malformed CSV: {exc}")
            return None
        line = max(self._reader.line_num, 1)
        if not any(header):
            self._error(line, "", f"no header row (expected: {', '.join(self.columns)})")
            return None
        problems = []
        if unknown := [name or "(empty)" for name in header if name not in self.columns]:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        if missing := [name for name in self.columns if name in required and name not in header]:
            problems.append(f"missing columns: {', '.join(missing)}")
        if repeated := sorted({name for name in header if header.count(name) > 1}):
            problems.append(f"repeated columns: {', '.join(repeated)}")
        if problems:
            self.foreign_layout = bool(unknown or missing)
            expected = ", ".join(self.columns)
            self._error(line, "", f"{'; '.join(problems)} (expected: {expected})")
            return None
        return header

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield each record's first physical line and its fields, trimmed; absent ones empty."""
        if self.mapping is None:
            yield from self._records()
            return
        mapping = self.mapping
        yield from mapping.records(self._records(), self._key, self._error)

    def _records(self) -> Iterator[tuple[int, dict[str, str]]]:
        if self.header is None:
            return
        blank = dict.fromkeys(self.columns, "")
        fed = self._fed
        if fed is not None:
            blank |= dict.fromkeys((name for names in fed for name in names), "")
        previous = self._reader.line_num
        try:
            for fields in self._reader:
                line, previous = previous + 1, self._reader.line_num
                if not any(field.strip() for field in fields):
                    continue
                self.rows += 1
                line += self._offset
                if len(fields) != len(self.header):
                    self._error(
                        line, "", f"{len(fields)} fields, the header has {len(self.header)}"
                    )
                    continue
                if fed is None:
                    pairs = zip(self.header, fields, strict=True)
                    yield line, blank | {k: v.strip() for k, v in pairs if k}
                else:  # a column may feed several fields, or none
                    cells = zip(fed, fields, strict=True)
                    yield line, blank | {k: v.strip() for names, v in cells for k in names}
        except csv.Error as exc:
            # Past a broken quote the framing of every later line is unknowable: stop here.
            self._error(self._offset + previous + 1, "", f"malformed CSV: {exc}")


#: Characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would evaluate this text cell as a formula."""
    return text.startswith(FORMULA_STARTS)


def neutralise_formula(text: str) -> str:
    """A text cell safe to open in a spreadsheet: formulas get a leading apostrophe."""
    return f"'{text}" if looks_like_formula(text) else text
