"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel, func, select

from storage.db import Database
from storage.models import Customer, Invoice


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrations_match_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_money_is_exact_and_datetimes_aware(db: Database) -> None:
    async with db.transaction() as session:
        customer = Customer(code="C1", name="PT Maju")
        session.add(customer)
        await session.flush()
        assert customer.id is not None
        for number, amount in [("A", "0.10"), ("B", "0.20"), ("C", "1250000.55")]:
            session.add(
                Invoice(
                    number=number,
                    customer_id=customer.id,
                    issue_date=dt.date(2026, 1, 1),
                    due_date=dt.date(2026, 2, 1),
                    amount=Decimal(amount),
                    balance=Decimal(amount),
                )
            )
    async with db.sessions() as session:
        total = (await session.exec(select(func.sum(Invoice.balance)))).one()
        assert total == Decimal("1250000.85")
        row = (await session.exec(select(Invoice).where(Invoice.number == "C"))).one()
        assert row.amount == Decimal("1250000.55")
        assert row.created_at.tzinfo is not None
        assert row.created_at.utcoffset() == dt.timedelta(0)


async def test_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        async with db.transaction() as session:
            session.add(Customer(code="C2", name="CV Naive", created_at=dt.datetime(2026, 1, 1)))  # noqa: DTZ001
