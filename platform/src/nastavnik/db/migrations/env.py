"""Alembic environment: run by :mod:`nastavnik.db.migrate` on a connection it opened as the owner."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from nastavnik.db.base import Base
from nastavnik.domain import load_models

load_models()

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
