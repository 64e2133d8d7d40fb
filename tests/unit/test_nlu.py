"""The reply understanding in `bot.nlu.reading`: tuned tables, held-out sets, and the slots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest

from bot.nlu.reading import (
    Intent,
    classify,
    parse_amount,
    parse_count,
    parse_date,
    parse_dispute_reason,
    parse_language,
    parse_method,
)
from tests.support import nlu_cases as cases

_HELD_OUT = sorted(cases.FIRST_RUN)


def _ids(table: Sequence[tuple[object, ...]]) -> list[str]:
    return [f"{row[0]!r}->{row[-1]}" for row in table]


@pytest.mark.parametrize(("text", "intent"), cases.CLASSIFY, ids=_ids(cases.CLASSIFY))
def test_classify(text: str, intent: Intent) -> None:
    assert classify(text) == intent


@pytest.mark.parametrize(("text", "today", "expected"), cases.DATES, ids=_ids(cases.DATES))
def test_parse_date(text: str, today: dt.date, expected: dt.date | None) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(("text", "expected"), cases.AMOUNTS, ids=_ids(cases.AMOUNTS))
def test_parse_amount(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(("text", "expected"), cases.LANGUAGES, ids=_ids(cases.LANGUAGES))
def test_parse_language(text: str, expected: str | None) -> None:
    assert parse_language(text) == expected


@pytest.mark.parametrize(("text", "expected"), cases.METHODS, ids=_ids(cases.METHODS))
def test_parse_method(text: str, expected: str | None) -> None:
    assert parse_method(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), cases.DISPUTE_REASONS, ids=_ids(cases.DISPUTE_REASONS)
)
def test_parse_dispute_reason(text: str, expected: str | None) -> None:
    assert parse_dispute_reason(text) == expected


@pytest.mark.parametrize(("text", "expected"), cases.COUNTS, ids=_ids(cases.COUNTS))
def test_parse_count(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


def _misses(table: list[tuple[str, Intent]]) -> list[str]:
    return [
        f"{text!r}: {classify(text)} != {want}" for text, want in table if classify(text) != want
    ]


@pytest.mark.parametrize(("name", "floor"), [("CLASSIFY", 1.0), *((n, 0.95) for n in _HELD_OUT)])
def test_accuracy(name: str, floor: float) -> None:
    """Tuned table: every case; each held-out set: at least 95 % (see nlu_cases.FIRST_RUN)."""
    table: list[tuple[str, Intent]] = getattr(cases, name)
    misses = _misses(table)
    accuracy = 1 - len(misses) / len(table)
    assert accuracy >= floor, f"{name} {accuracy:.1%} < {floor:.0%}:\n" + "\n".join(misses)


def test_first_run_scores_match_the_sets() -> None:
    """Each recorded first-run score is out of that held-out set's real size."""
    for name, (right, size) in cases.FIRST_RUN.items():
        assert len(getattr(cases, name)) == size
        assert 0 <= right <= size


def test_tables_are_big_enough() -> None:
    """The brief's minimum sizes, so a table is not quietly trimmed."""
    assert len(cases.CLASSIFY) >= 150
    assert all(len(getattr(cases, name)) >= 40 for name in _HELD_OUT)
    assert len(cases.DATES) >= 50
    assert len(cases.AMOUNTS) >= 30
    assert {today for _, today, _ in cases.DATES} >= {cases.MON, cases.YEAR_END, cases.JAN_END}
