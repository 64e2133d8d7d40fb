"""CSV import of customers, invoices and payments: atomic, idempotent, streamed in batches.

A file is imported in one transaction. Rows are read and validated in batches, in a
worker thread that parses the next batch while this one is written. Each batch looks
up what it references with one query per kind of key (the keys sent as one array or
JSON parameter) and writes with a few set-based Core statements (`INSERT … ON
CONFLICT (key) DO UPDATE` and the like, fed one array per column on PostgreSQL, run
as executemany on SQLite), never an ORM object or a statement per row, so memory
stays bounded whatever the file size (only the keys seen so far are kept, to report
duplicates). Bad rows are all collected; if there is any, or on a dry run, the
transaction is rolled back.

`base` holds what every kind shares, `customers`, `invoices` and `payments` one
kind each, and `run` the loop that reads a file and applies it in one transaction.
"""

from __future__ import annotations

from storage.csvfile import RowError
from storage.importers.base import BATCH_SIZE, ImportKind, ImportReport
from storage.importers.mapping import Mapping, MappingError
from storage.importers.run import import_csv, load_mapping

__all__ = [
    "BATCH_SIZE",
    "ImportKind",
    "ImportReport",
    "Mapping",
    "MappingError",
    "RowError",
    "import_csv",
    "load_mapping",
]
