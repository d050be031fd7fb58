"""Clearing the references that outlive the row they name (:func:`~nastavnik.db.base.clearing_fk`)."""

from __future__ import annotations

import uuid

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.base import CLEARED_ON_DELETE, Base


def clearing_columns(table: str) -> list[tuple[Table, str]]:
    """(table, column) of every declared reference to ``table`` that its delete must clear."""
    found: list[tuple[Table, str]] = []
    for source in Base.metadata.sorted_tables:
        for fk in source.foreign_key_constraints:
            if fk.info.get(CLEARED_ON_DELETE) and fk.referred_table.name == table:
                found.extend((source, c.name) for c in fk.columns if c.name != "org_id")
    return found


async def clear_references(db: AsyncSession, table: str, org_id: uuid.UUID, row_id: uuid.UUID) -> None:
    """Set to NULL, in ``db``'s transaction, every clearing reference to the row ``(org_id, row_id)`` of
    ``table``, so that it can be deleted; an edited row's version goes up, as an edit's would."""
    for source, column in clearing_columns(table):
        values: dict[str, object] = {column: None}
        if "version" in source.c:
            values["version"] = source.c.version + 1
        await db.execute(
            update(source).where(source.c.org_id == org_id, source.c[column] == row_id).values(values)
        )
