"""Column types that keep money exact and datetimes aware on every database."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Amounts are stored as integers of 1/100 of the currency unit, so SUM() stays exact on
#: SQLite (which has no decimal type) and PostgreSQL alike.
MONEY_SCALE = Decimal("0.01")


class Money(TypeDecorator[Decimal]):
    """A Decimal with two places, stored as a BIGINT count of hundredths."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        """Convert a Decimal (or int/str) to hundredths."""
        if value is None:
            return None
        amount = Decimal(value).quantize(MONEY_SCALE, rounding=ROUND_HALF_UP)
        return int(amount * 100)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Convert hundredths back to a Decimal with two places."""
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(MONEY_SCALE)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored in UTC; naive values are refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Refuse naive datetimes and normalise aware ones to UTC."""
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"naive or non-datetime value for a UTC column: {value!r}")
        utc: dt.datetime = value.astimezone(dt.UTC)
        # SQLite keeps no offset: store naive UTC there and re-attach it on the way out.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
