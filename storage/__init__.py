"""Persistence: SQLModel tables, async sessions, queries, CSV import and migrations."""
