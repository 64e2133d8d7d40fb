"""Report output, neutral of any surface: tables the CLI draws or writes as CSV, and JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

CellKind = Literal["text", "money", "count", "rate", "days", "date"]
Cell = str | int | float | Decimal | dt.date | None


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its heading and how its cells read (money, rate, days…)."""

    name: str
    kind: CellKind = "text"


@dataclass(frozen=True, slots=True)
class Tabular:
    """A report table, neutral of any output: the CLI draws it, writes it as CSV."""

    title: str
    columns: tuple[Column, ...]
    rows: Sequence[tuple[Cell, ...]]
    currency: str | None = None  # the currency of its money columns
    total: tuple[Cell, ...] | None = None
    sections: tuple[int, ...] = ()  # indices of rows that begin a new group
    notes: tuple[str, ...] = ()


class Report(Protocol):
    """What every report result offers: its JSON object and its tables."""

    def to_json(self) -> dict[str, object]:
        """The report as a JSON-ready object."""
        ...

    def tables(self) -> list[Tabular]:
        """The report as tables for the terminal and CSV."""
        ...


def json_of(reports: Sequence[Report]) -> object:
    """One object for one report; a list of objects when there are several (one per currency)."""
    objects = [r.to_json() for r in reports]
    return objects[0] if len(objects) == 1 else objects
