"""Large imports on SQLite: the target table's secondary indexes built once, not row by row.

Inserting a row into a table updates each of its indexes at a random place; at a million
invoices the five of `invoice` no longer fit the page cache, and inserting 1,000,000 rows
took 21 s with them but 10.4 s without them plus `CREATE INDEX` afterwards (3.8 s of it
the builds, which sort once). So an import that is large, and at least as large as the
table it writes, drops that table's non-unique indexes inside its transaction and creates
them again before the end. SQLite's DDL is transactional: a rollback (a dry run, a bad row,
an error) brings the indexes back with everything else.

Kept are the unique indexes (the import's own lookups by key and its upsert's
`ON CONFLICT` need them) and any index led by the key column. The batches look the target
table up by its key only; the other tables they read (customers by code, payments by
invoice) are not touched. PostgreSQL is left alone: `DROP INDEX` there takes an exclusive
lock that every reader of the table would queue behind until the import commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

#: The smallest import (in estimated rows) that rebuilds its table's indexes at the end;
#: below it, per-row index updates stay in the page cache and cost less than the builds.
MIN_ROWS = 50_000
#: The page cache while the indexes are built, in KiB: SQLite's default.
SORT_CACHE_KIB = 2 * 1024


@dataclass(frozen=True, slots=True)
class Dropped:
    """An index dropped for the import, with the statement that creates it again."""

    name: str
    sql: str


def estimated_rows(total: int, done: int, rows: int) -> int:
    """The rows of a `total`-byte file whose first `done` bytes held `rows` rows."""
    return total * rows // max(done, 1)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def drop_secondary(
    conn: AsyncConnection, table: str, key: str, rows: int, *, min_rows: int | None = None
) -> list[Dropped]:
    """On SQLite, drop `table`'s non-unique indexes when `rows` is large for it; those dropped.

    `rows` is the import's estimated size; nothing is dropped below `min_rows` (by default
    `MIN_ROWS`) or below the table's current row count, where the builds would sort more
    rows than the import adds. Indexes led by `key` are kept.
    """
    if conn.dialect.name != "sqlite" or rows < (MIN_ROWS if min_rows is None else min_rows):
        return []
    stored = (await conn.exec_driver_sql(f"SELECT count(*) FROM {_quoted(table)}")).scalar_one()
    if rows < stored:
        return []
    # (seq, name, unique, origin, partial); origin "c" is a CREATE INDEX of its own, while
    # "u" and "pk" back a UNIQUE or PRIMARY KEY constraint and cannot be dropped anyway.
    listed = (await conn.exec_driver_sql(f"PRAGMA index_list({_quoted(table)})")).all()
    dropped: list[Dropped] = []
    for _, name, unique, origin, *_ in listed:
        if unique or origin != "c":
            continue
        columns = (await conn.exec_driver_sql(f"PRAGMA index_info({_quoted(name)})")).all()
        if columns and columns[0][2] == key:
            continue
        # The stored statement, not the models' metadata: it re-creates exactly the index
        # the database had, including one a migration defined differently.
        sql = (
            await conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
            )
        ).scalar_one()
        dropped.append(Dropped(name, sql))
    for index in dropped:
        await conn.exec_driver_sql(f"DROP INDEX {_quoted(index.name)}")
    return dropped


async def recreate(conn: AsyncConnection, dropped: list[Dropped]) -> None:
    """Create the `dropped` indexes again, each in one sorted build, in a small page cache."""
    # SQLite's sorter holds up to a page cache's worth of keys in memory before it spills
    # to a temporary file: under the import's 32 MiB the builds of 1,000,000 invoices
    # took 33 MB more memory, under SQLite's default 2 MiB 2 MB, in the same time.
    async with page_cache(conn, SORT_CACHE_KIB):
        for index in dropped:
            await conn.exec_driver_sql(index.sql)


@asynccontextmanager
async def page_cache(conn: AsyncConnection, kib: int) -> AsyncIterator[None]:
    """SQLite's page cache at `kib` KiB on this connection, the one before given back after."""
    before = int((await conn.exec_driver_sql("PRAGMA cache_size")).scalar_one())
    await conn.exec_driver_sql(f"PRAGMA cache_size = {-kib}")
    try:
        yield
    finally:
        await conn.exec_driver_sql(f"PRAGMA cache_size = {before}")
