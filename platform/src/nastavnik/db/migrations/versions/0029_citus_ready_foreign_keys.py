"""references that outlive a person are cleared by the service, not by ON DELETE SET NULL (Citus-ready)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06

A journal entry's author, a methodical association's leader and an event's responsible teacher are
optional references to a person that outlive the person's record. 0008 and 0018 cleared them with
PostgreSQL 15's ``ON DELETE SET NULL (column)``. Citus refuses SET NULL or SET DEFAULT on any foreign key
that holds the distribution column, column list or not (citusdata/citus#7132), so that form would block
distributing these tables by ``org_id`` (docs/scaling.md; tests/isolation/test_citus_ready.py). The keys
become plain ones (NO ACTION) and deleting a person clears the three columns first, in the same transaction
(``nastavnik.db.references.clear_references``). Existing rows are untouched: only the constraints change.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLEARED = (
    ("journal_entry", "author_id"),
    ("methodical_association", "leader_id"),
    ("methodical_event", "responsible_id"),
)


def _replace(table: str, column: str, action: str) -> None:
    name = f"fk_{table}_org_id_{column}_person"
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {name}"
        f" FOREIGN KEY (org_id, {column}) REFERENCES person (org_id, id){action}"
    )


def upgrade() -> None:
    for table, column in CLEARED:
        _replace(table, column, "")


def downgrade() -> None:
    for table, column in CLEARED:
        _replace(table, column, f" ON DELETE SET NULL ({column})")
