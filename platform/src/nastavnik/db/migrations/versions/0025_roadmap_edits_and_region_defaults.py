"""roadmap items carry a version; a region's own default roadmap per regime

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-13

``roadmap_item.version``: a roadmap line is now edited, under optimistic locking like the plan's tasks.
``region_roadmap_item``: the default roadmap a region gives its organisations instead of the platform's,
per regime, with due dates relative to the academic year. Shared reference data protected like the
region's document templates (0014): the members of the region's organisations read it (a curator fills
a roadmap from it), only the region's own staff write it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "region_roadmap_item"
OWN_REGION = (
    "region_id IN (SELECT s.region_id FROM public.staff_assignment s"
    " WHERE s.role = 'region'"
    " AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid)"
)
MEMBERS_REGION = (
    "region_id IN (SELECT m.region_id FROM public.organisation o"
    " JOIN public.municipality m ON m.id = o.municipality_id WHERE o.id = nastavnik_current_org())"
)


def upgrade() -> None:
    # Existing lines start at version 1; the default goes again, as the model's (and 0008's) has none.
    op.add_column("roadmap_item", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.alter_column("roadmap_item", "version", server_default=None)
    op.create_table(
        TABLE,
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("responsible", sa.String(length=200), nullable=False),
        sa.Column("result", sa.String(length=500), nullable=False),
        sa.CheckConstraint("regime IN ('learners', 'pedagogues')", name=op.f(f"ck_{TABLE}_regime_known")),
        sa.CheckConstraint("stage BETWEEN 1 AND 7", name=op.f(f"ck_{TABLE}_stage_range")),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f(f"ck_{TABLE}_month_range")),
        sa.CheckConstraint("day BETWEEN 1 AND 31", name=op.f(f"ck_{TABLE}_day_range")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f(f"fk_{TABLE}_region_id_region")),
        # Leads with region_id: a fill reads one region's list of one regime.
        sa.PrimaryKeyConstraint("region_id", "regime", "position", name=op.f(f"pk_{TABLE}")),
    )
    roles = migration_roles()
    # DELETE: the region's list is replaced as a whole, and going back to the standard removes it.
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO "{roles.app}"')
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    op.execute(
        f'CREATE POLICY region_read ON {TABLE} FOR SELECT TO "{roles.app}"'
        f" USING ({MEMBERS_REGION} OR {OWN_REGION})"
    )
    op.execute(
        f'CREATE POLICY region_insert ON {TABLE} FOR INSERT TO "{roles.app}" WITH CHECK ({OWN_REGION})'
    )
    op.execute(
        f'CREATE POLICY region_update ON {TABLE} FOR UPDATE TO "{roles.app}"'
        f" USING ({OWN_REGION}) WITH CHECK ({OWN_REGION})"
    )
    op.execute(f'CREATE POLICY region_delete ON {TABLE} FOR DELETE TO "{roles.app}" USING ({OWN_REGION})')
    op.execute(
        f'CREATE POLICY owner_maintenance ON {TABLE} TO "{roles.owner}" USING (true) WITH CHECK (true)'
    )


def downgrade() -> None:
    op.drop_table(TABLE)
    op.drop_column("roadmap_item", "version")
