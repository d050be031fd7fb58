"""a region's renames, hidden entries and additions to the mentoring dictionaries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.db.rls import migration_roles

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "region_dictionary_entry"
# Writes only by the region's own staff: the service checks it, and so does PostgreSQL.
OWN_REGION = (
    "region_id IN (SELECT s.region_id FROM public.staff_assignment s"
    " WHERE s.role = 'region'"
    " AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid)"
)
# Read by the members of the region's organisations (nastavnik_current_org() checks the membership).
MEMBERS_REGION = (
    "region_id IN (SELECT m.region_id FROM public.organisation o"
    " JOIN public.municipality m ON m.id = o.municipality_id WHERE o.id = nastavnik_current_org())"
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("organisation_type", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("mentor_categories", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('form', 'role_model', 'kind', 'duration')", name=op.f(f"ck_{TABLE}_kind_known")
        ),
        sa.CheckConstraint("regime IN ('learners', 'pedagogues')", name=op.f(f"ck_{TABLE}_regime_known")),
        sa.CheckConstraint("code ~ '^[a-z0-9_]{2,64}$'", name=op.f(f"ck_{TABLE}_code_format")),
        sa.CheckConstraint("NOT added OR title IS NOT NULL", name=op.f(f"ck_{TABLE}_added_has_title")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f(f"fk_{TABLE}_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint(
            "region_id",
            "kind",
            "regime",
            "code",
            "organisation_type",
            name=op.f(f"uq_{TABLE}_region_id_kind_regime_code_organisation_type"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    # The unique index leads with region_id: it also serves the one query per request by region.
    roles = migration_roles()
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON {TABLE} TO "{roles.app}"')
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    # No personal data, yet no reason to show a region's settings outside it: its organisations and its
    # staff read them, nobody else (so a request that reached another region's organisation sees none).
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
    op.execute(
        f'CREATE POLICY owner_maintenance ON {TABLE} TO "{roles.owner}" USING (true) WITH CHECK (true)'
    )


def downgrade() -> None:
    op.drop_table(TABLE)
