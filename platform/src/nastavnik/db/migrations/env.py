"""Alembic environment: run by :mod:`nastavnik.db.migrate` on a connection it opened as the owner."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import nastavnik.models  # noqa: F401 - registers the core tables on the metadata
from nastavnik.db.base import Base

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `nastavnik db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
