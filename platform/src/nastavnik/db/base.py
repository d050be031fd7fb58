"""Declarative base and the tenant mixin every organisation-owned table uses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKeyConstraint, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class TenantMixin:
    """An organisation-owned row: ``org_id`` leads the primary key (the future shard key).

    A table using this mixin must get row-level security in its migration
    (:func:`nastavnik.db.rls.enable_tenant_rls`); the catalog test enforces it.
    """

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, sort_order=-100)


def tenant_fk(column: str, table: str, ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    """A tenant row's reference to another row of its organisation: ``(org_id, column)`` to ``table``'s
    ``(org_id, id)``, so that a row can never point into another organisation."""
    return ForeignKeyConstraint(["org_id", column], [f"{table}.org_id", f"{table}.id"], ondelete=ondelete)


CLEARED_ON_DELETE = "cleared_on_delete"
"""The ``info`` key of a :func:`clearing_fk`."""


def clearing_fk(column: str, table: str) -> ForeignKeyConstraint:
    """An optional tenant reference that outlives the row it points to: the deleting service clears it
    (:func:`nastavnik.db.references.clear_references`) before the delete.

    Not ``ON DELETE SET NULL (column)``: Citus refuses SET NULL on a foreign key that holds the distribution
    column even where PostgreSQL 15's column list leaves ``org_id`` alone (migration 0029, docs/scaling.md);
    the key itself is a plain one, so a delete that forgot to clear fails instead of leaving a dangling id.
    """
    return ForeignKeyConstraint(
        ["org_id", column], [f"{table}.org_id", f"{table}.id"], info={CLEARED_ON_DELETE: True}
    )


class Versioned:
    """A row edited under optimistic locking: ``version`` goes up with every update, and an update from
    a stale read (another version) fails instead of overwriting."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
