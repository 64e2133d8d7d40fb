"""Small builders of rows for integration tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from storage.db import Database
from storage.models import Contact, Customer, Invoice


async def add_customer(
    db: Database,
    code: str,
    *,
    name: str | None = None,
    email: str | None = "ap@example.co.id",
    language: str = "id",
    timezone: str = "Asia/Jakarta",
    invoices: list[tuple[str, dt.date, str]] = (),  # type: ignore[assignment]
    currency: str = "IDR",
) -> int:
    """A customer with an email contact and open invoices (number, due date, amount)."""
    async with db.transaction() as session:
        customer = Customer(
            code=code, name=name or f"PT {code}", language=language, timezone=timezone
        )
        session.add(customer)
        await session.flush()
        assert customer.id is not None
        if email:
            session.add(Contact(customer_id=customer.id, channel="email", address=email))
        for number, due, amount in invoices:
            session.add(
                Invoice(
                    number=number,
                    customer_id=customer.id,
                    issue_date=due - dt.timedelta(days=30),
                    due_date=due,
                    currency=currency,
                    amount=Decimal(amount),
                    balance=Decimal(amount),
                    item="Semen 50kg",
                )
            )
        return customer.id
