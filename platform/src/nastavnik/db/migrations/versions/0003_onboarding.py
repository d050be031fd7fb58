"""onboarding of organisations into the realm

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import enable_oversight_read, enable_tenant_rls, migration_roles

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_onboarding",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("curator_last_name", sa.String(length=100), nullable=False),
        sa.Column("curator_first_name", sa.String(length=100), nullable=False),
        sa.Column("curator_middle_name", sa.String(length=100), nullable=True),
        sa.Column("curator_email", sa.String(length=254), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("keycloak_org_id", sa.String(length=64), nullable=True),
        sa.Column("keycloak_user_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'retrying', 'done', 'failed')", name=op.f("ck_org_onboarding_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_org_onboarding_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_onboarding")),
    )
    enable_tenant_rls("org_onboarding")
    enable_oversight_read("org_onboarding")
    # The region starts onboarding for an organisation it oversees (it is not a member of it).
    roles = migration_roles()
    op.execute(
        f'CREATE POLICY oversight_start ON org_onboarding FOR INSERT TO "{roles.app}"'
        " WITH CHECK (org_id IN (SELECT nastavnik_oversight_orgs()))"
    )
    op.execute(
        f'CREATE POLICY oversight_retry ON org_onboarding FOR UPDATE TO "{roles.app}"'
        " USING (org_id IN (SELECT nastavnik_oversight_orgs()))"
        " WITH CHECK (org_id IN (SELECT nastavnik_oversight_orgs()))"
    )


def downgrade() -> None:
    op.drop_table("org_onboarding")
