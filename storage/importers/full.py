"""Full exports: an invoices file that is the whole open ledger closes what it leaves out.

An accounting package's weekly export of receivables lists every invoice still open there;
one Tagih holds open that the export no longer lists was settled in the accounting system.
It is closed as a payment of its whole balance would leave it (`invoice_status` at zero:
paid), inside the import's own transaction, with one audit entry per run naming the
invoices closed. A file that would close more than `SHARE_PERCENT` of the open invoices
(a truncated or wrong export) is refused unless the operator confirms it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.constants import SHARE_PERCENT as SHARE_PERCENT  # re-exported: it was defined here
from storage.enums import InvoiceStatus
from storage.importers.base import ZERO, among, invoice_status
from storage.models import AuditLog, Customer, Invoice, table_of, utcnow

#: The audit action of a full export's closing.
ACTION = "invoice.closed_by_full_export"
ACTOR = "import"
#: Invoices a full export closes: those still chased or pending (a written-off one is done).
OPEN_STATUSES = (InvoiceStatus.OPEN.value, InvoiceStatus.DISPUTED.value)
_INVOICE, _CUSTOMER, _AUDIT = table_of(Invoice), table_of(Customer), table_of(AuditLog)


@dataclass(frozen=True, slots=True)
class Closed:
    """An open invoice a full export no longer lists, as it stood before being closed."""

    number: str
    customer: str
    balance: Decimal
    currency: str
    status: str


async def count_open(conn: AsyncConnection) -> int:
    """How many invoices are open (or disputed) now."""
    query = select(func.count()).select_from(_INVOICE).where(_INVOICE.c.status.in_(OPEN_STATUSES))
    return int((await conn.execute(query)).scalar_one())


async def missing(conn: AsyncConnection, listed: Collection[str]) -> list[Closed]:
    """The open invoices whose number is not among `listed`, by number."""
    query = (
        select(
            _INVOICE.c.number,
            _CUSTOMER.c.code,
            _INVOICE.c.balance,
            _INVOICE.c.currency,
            _INVOICE.c.status,
        )
        .join(_CUSTOMER, _CUSTOMER.c.id == _INVOICE.c.customer_id)
        .where(_INVOICE.c.status.in_(OPEN_STATUSES))
        .order_by(_INVOICE.c.number)
    )
    # Filtered here, not in SQL: the file's numbers are already in memory (duplicates are
    # reported by them), and sending a whole ledger's numbers back costs more than this.
    return [Closed(*row) for row in await conn.execute(query) if row[0] not in listed]


def too_many(closed: int, open_before: int) -> bool:
    """True when closing `closed` of `open_before` open invoices is more than `SHARE_PERCENT`."""
    return closed * 100 > SHARE_PERCENT * open_before


async def close(
    conn: AsyncConnection, closed: list[Closed], *, file: str, open_before: int
) -> None:
    """Close `closed` as paid at a zero balance and write the run's one audit entry."""
    now = utcnow()
    numbers = [invoice.number for invoice in closed]
    if numbers:
        # The payment rule: at a zero balance every status, disputed included, becomes paid.
        status = invoice_status(InvoiceStatus.OPEN.value, ZERO)
        await conn.execute(
            update(_INVOICE)
            .where(among(conn, _INVOICE.c.number, numbers))
            .values(balance=ZERO, status=status, updated_at=now)
        )
    before = {
        "open": open_before,
        "invoices": [
            {"number": i.number, "balance": str(i.balance), "status": i.status} for i in closed
        ],
    }
    after = {"closed": numbers, "balance": str(ZERO), "status": InvoiceStatus.PAID.value}
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    await conn.execute(
        insert(_AUDIT).values(
            at=now,
            actor=ACTOR,
            action=ACTION,
            entity="import",
            entity_key=name[:120],
            before=before,
            after=after,
        )
    )
