"""a region's own .docx templates of the generated documents

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "region_document_template"
MAX_CONTENT_BYTES = 5 * 1024 * 1024
# As in 0011: writes only by the region's own staff, the service checks it and so does PostgreSQL.
OWN_REGION = (
    "region_id IN (SELECT s.region_id FROM public.staff_assignment s"
    " WHERE s.role = 'region'"
    " AND s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid)"
)
# Read by the members of the region's organisations (nastavnik_current_org() checks the membership),
# since their documents are generated from it.
MEMBERS_REGION = (
    "region_id IN (SELECT m.region_id FROM public.organisation o"
    " JOIN public.municipality m ON m.id = o.municipality_id WHERE o.id = nastavnik_current_org())"
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint("code ~ '^[a-z_]{2,64}$'", name=op.f(f"ck_{TABLE}_code_format")),
        sa.CheckConstraint(
            f"octet_length(content) <= {MAX_CONTENT_BYTES}", name=op.f(f"ck_{TABLE}_content_size")
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f(f"fk_{TABLE}_region_id_region")),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["identity.id"], name=op.f(f"fk_{TABLE}_uploaded_by_identity")
        ),
        # Leads with region_id: the one lookup per generated document is by (region, code).
        sa.PrimaryKeyConstraint("region_id", "code", name=op.f(f"pk_{TABLE}")),
    )
    roles = migration_roles()
    # DELETE too, unlike 0011: reverting to the standard template removes the region's row.
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
