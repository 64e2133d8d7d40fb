"""Run Alembic migrations from code (`tagih db upgrade`, and at start-up)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database

# Alembic (with Mako and Pygments, a third of a short command's start-up) is imported only
# when there is something to migrate: a database already at the head is checked without it.
if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at our migrations, independent of the working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def head_revisions() -> frozenset[str] | None:
    """The heads of our migrations, read from the files without Alembic; None when unsure."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
                targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
                        try:
                            found[target.id] = ast.literal_eval(node.value)
                        except ValueError:
                            return None
        revision, down = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(parent) for parent in down)
        elif down is not None:
            return None
    return frozenset(revisions - parents) or None


async def at_head(db: Database) -> bool:
    """True when the database's Alembic revision is our migrations' head (nothing to do)."""
    heads = head_revisions()
    if heads is None:
        return False
    try:
        async with db.engine.connect() as conn:
            found = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    except SQLAlchemyError:  # no version table yet: a new database
        return False
    return {row[0] for row in found} == heads


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the database schema to `revision` inside one transaction."""
    if revision == "head" and await at_head(db):
        return
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)
