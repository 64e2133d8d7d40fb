"""Admins' edited templates: the TemplateOverride rows, by key and language."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n.template_overrides import jinja_name
from storage.models import TemplateOverride


async def load_overrides(session: AsyncSession) -> dict[str, str]:
    """Every override as jinja file name → text (for `override_environment`)."""
    overrides = {}
    for row in (await session.exec(select(TemplateOverride))).all():
        try:
            overrides[jinja_name(row.key, row.language)] = row.body
        except ValueError:
            continue  # a key this version no longer knows: the packaged template applies
    return overrides


async def find_override(
    session: AsyncSession, *, key: str, language: str
) -> TemplateOverride | None:
    """The override of `key` in `language`, if an admin set one."""
    query = select(TemplateOverride).where(
        TemplateOverride.key == key, TemplateOverride.language == language
    )
    return (await session.exec(query)).first()
